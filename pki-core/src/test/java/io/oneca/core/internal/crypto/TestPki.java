package io.oneca.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Shared fixtures: cached keys and CAs, CSR building, and chain validation by the JDK and openssl. */
public final class TestPki {
  public static final Provider BC = Providers.bouncyCastle();
  public static final SecureRandom RANDOM = new SecureRandom();
  private static final Map<KeyAlgorithm, KeyPair> KEYS = new EnumMap<>(KeyAlgorithm.class);
  private static final Map<KeyAlgorithm, CaMaterial> CAS = new EnumMap<>(KeyAlgorithm.class);

  private TestPki() {}

  /** Returns a key pair of the algorithm, generated once per JVM. */
  public static synchronized KeyPair keyPair(KeyAlgorithm algorithm) {
    return KEYS.computeIfAbsent(algorithm, a -> KeyPairs.generate(a, BC, RANDOM));
  }

  /** Returns a root CA valid from a minute ago for ten years, generated once per JVM. */
  public static synchronized CaMaterial ca(KeyAlgorithm algorithm) {
    return CAS.computeIfAbsent(algorithm, a -> new CaGenerator(BC, RANDOM).generate(
        new CaSpec("CN=Test Root " + a + ",O=OneCA Tests", a, Duration.ofDays(3650), 0), Instant.now()));
  }

  /** Generates an EC key pair on a named curve with BouncyCastle, for curves OneCA rejects. */
  public static KeyPair ecKeyPair(String curve) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BC);
    generator.initialize(new ECGenParameterSpec(curve), RANDOM);
    return generator.generateKeyPair();
  }

  /** Generates an RSA key pair of any size. */
  public static KeyPair rsaKeyPair(int bits) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", BC);
    generator.initialize(bits, RANDOM);
    return generator.generateKeyPair();
  }

  /** Returns the signature algorithm a requester with this key signs its CSR with. */
  public static String signatureAlgorithm(KeyPair keyPair) {
    String algorithm = keyPair.getPublic().getAlgorithm();
    if (algorithm.equals("RSA")) {
      return "SHA256withRSA";
    }
    if (algorithm.startsWith("Ed")) {
      return "Ed25519";
    }
    return "SHA256withECDSA";
  }

  /**
   * Builds a DER PKCS#10 request signed with the key.
   *
   * @param subject the subject DN, for example {@code CN=web} or an empty string
   * @param keyPair the requester's key
   * @param names requested subject alternative names, or none
   */
  public static byte[] csr(String subject, KeyPair keyPair, GeneralName... names) throws Exception {
    return csr(subject, keyPair, names.length == 0 ? null : new GeneralNames(names), null);
  }

  /** Builds a DER PKCS#10 request with an extensionRequest of SANs and optional extra extensions. */
  public static byte[] csr(String subject, KeyPair keyPair, GeneralNames names, ExtensionsGenerator extra)
      throws Exception {
    return csr(new X500Name(subject), keyPair, names, extra);
  }

  /** Builds a DER PKCS#10 request for an already built subject name. */
  public static byte[] csr(X500Name subject, KeyPair keyPair, GeneralNames names, ExtensionsGenerator extra)
      throws Exception {
    JcaPKCS10CertificationRequestBuilder builder =
        new JcaPKCS10CertificationRequestBuilder(subject, keyPair.getPublic());
    ExtensionsGenerator extensions = extra == null ? new ExtensionsGenerator() : extra;
    if (names != null) {
      extensions.addExtension(Extension.subjectAlternativeName, false, names);
    }
    if (!extensions.isEmpty()) {
      builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
    }
    return builder
        .build(new JcaContentSignerBuilder(signatureAlgorithm(keyPair)).setProvider(BC).build(keyPair.getPrivate()))
        .getEncoded();
  }

  /** Builds a DER PKCS#10 request whose extensionRequest value is the given (possibly malformed) SEQUENCE. */
  public static byte[] csrWithRawExtensionRequest(String subject, KeyPair keyPair, org.bouncycastle.asn1.ASN1Encodable value)
      throws Exception {
    return new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keyPair.getPublic())
        .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, value)
        .build(new JcaContentSignerBuilder(signatureAlgorithm(keyPair)).setProvider(BC).build(keyPair.getPrivate()))
        .getEncoded();
  }

  /** Validates the chain (leaf first, root last) with the JDK's PKIX validator, revocation off. */
  public static void assertPkixValid(List<X509Certificate> chain, Instant at) throws Exception {
    X509Certificate root = chain.get(chain.size() - 1);
    CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(chain.subList(0, chain.size() - 1));
    PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    parameters.setRevocationEnabled(false);
    parameters.setDate(Date.from(at));
    CertPathValidator.getInstance("PKIX").validate(path, parameters);
  }

  /**
   * Runs {@code openssl verify -x509_strict -purpose <purpose>} on the chain (leaf first, root last)
   * and asserts it succeeds.
   */
  public static void assertOpensslValid(List<X509Certificate> chain, String purpose, Path dir) throws Exception {
    Path root = write(dir.resolve("root.pem"), chain.subList(chain.size() - 1, chain.size()));
    Path leaf = write(dir.resolve("leaf.pem"), chain.subList(0, 1));
    List<String> command = new ArrayList<>(List.of(
        openssl(), "verify", "-x509_strict", "-purpose", purpose, "-CAfile", root.toString()));
    if (chain.size() > 2) {
      command.add("-untrusted");
      command.add(write(dir.resolve("untrusted.pem"), chain.subList(1, chain.size() - 1)).toString());
    }
    command.add(leaf.toString());
    String output = run(command, dir);
    assertThat(output).as("openssl verify %s", purpose).contains(": OK");
  }

  /** Runs a command with a bounded wait; returns its output and asserts exit status 0. */
  public static String run(List<String> command, Path dir) throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, "process", ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("timed out after 30 s: %s", command);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("exit status of %s; output:%n%s", command, output).isZero();
    return output;
  }

  private static Path write(Path file, List<X509Certificate> certificates) throws IOException {
    return Files.writeString(file, Pem.encodeCertificates(certificates), StandardCharsets.US_ASCII);
  }

  private static String openssl() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File candidate = new File(dir, "openssl");
      if (candidate.canExecute()) {
        return candidate.getAbsolutePath();
      }
    }
    return fail("openssl is not on PATH; install openssl: apt-get install -y openssl");
  }
}
