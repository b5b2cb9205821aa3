package io.oneca.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import io.oneca.core.internal.crypto.KeyPairs;
import io.oneca.core.internal.crypto.PemKeys;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.testkit.ExternalTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every private key OneCA writes as PEM loads in OpenSSL ({@code openssl pkey}), GnuTLS
 * ({@code certtool -k}), Python's {@code cryptography} and Java, for every key type and for keys from
 * the JDK's providers as well as BouncyCastle. Each tool must report the key's own public key.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PrivateKeyPemInteropTest {
  private static final Provider BC = Providers.bouncyCastle();

  @TempDir Path dir;

  static Stream<Arguments> keys() throws Exception {
    SecureRandom random = new SecureRandom();
    KeyPairGenerator p256 = KeyPairGenerator.getInstance("EC", "SunEC");
    p256.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC", "SunEC");
    p384.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA", "SunRsaSign");
    rsa.initialize(2048);
    KeyPairGenerator ed = KeyPairGenerator.getInstance("Ed25519", "SunEC");
    return Stream.of(
        Arguments.of("P-256 SunEC", p256.generateKeyPair()),
        Arguments.of("P-384 SunEC", p384.generateKeyPair()),
        Arguments.of("RSA 2048 SunRsaSign", rsa.generateKeyPair()),
        Arguments.of("Ed25519 SunEC", ed.generateKeyPair()),
        Arguments.of("P-256 BC", KeyPairs.generate(KeyAlgorithm.EC_P256, BC, random)),
        Arguments.of("P-384 BC", KeyPairs.generate(KeyAlgorithm.EC_P384, BC, random)),
        Arguments.of("RSA 2048 BC", KeyPairs.generate(KeyAlgorithm.RSA_2048, BC, random)),
        Arguments.of("Ed25519 BC", KeyPairs.generate(KeyAlgorithm.ED25519, BC, random)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keys")
  void privateKeyPem_loadsInOpensslGnutlsPythonAndJava(String name, KeyPair keys) throws Exception {
    String pem = IdentityExport.privateKeyPem(keys.getPrivate());
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n");
    Path file = Files.writeString(dir.resolve("tls.key"), pem, StandardCharsets.US_ASCII);
    String expectedPublic = Pem.encode("PUBLIC KEY", keys.getPublic().getEncoded());

    String openssl = ExternalTools.require("openssl", "openssl");
    ExternalTools.Result opensslResult = ExternalTools.run(dir,
        List.of(openssl, "pkey", "-in", file.toString(), "-pubout"));
    assertThat(opensslResult.exitCode()).as("openssl pkey: %s", opensslResult.output()).isZero();
    assertThat(opensslResult.output()).as("openssl pkey -pubout").isEqualTo(expectedPublic);

    String certtool = ExternalTools.require("certtool", "gnutls-bin");
    ExternalTools.Result gnutls = ExternalTools.run(dir, List.of(certtool, "-k", "--infile", file.toString()));
    assertThat(gnutls.exitCode()).as("certtool -k: %s", gnutls.output()).isZero();
    String pin = Base64.getEncoder().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(keys.getPublic().getEncoded()));
    assertThat(gnutls.output()).as("certtool -k reports the key's public key pin").contains("pin-sha256:" + pin);

    String python = ExternalTools.requirePythonCryptography(dir);
    ExternalTools.Result py = ExternalTools.run(dir, List.of(python, "-c",
        "import sys\n"
            + "from cryptography.hazmat.primitives import serialization as s\n"
            + "key = s.load_pem_private_key(open(sys.argv[1], 'rb').read(), password=None)\n"
            + "print(key.public_key().public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo).hex())\n",
        file.toString()));
    assertThat(py.exitCode()).as("python cryptography: %s", py.output()).isZero();
    assertThat(py.output().trim()).as("python public key").isEqualTo(HexFormat.of().formatHex(keys.getPublic().getEncoded()));

    for (Provider provider : List.of(BC, jdkProvider(keys))) {
      PrivateKey parsed = PemKeys.parsePrivateKey(pem, provider);
      assertSignsFor(parsed, keys, provider);
    }
  }

  private static Provider jdkProvider(KeyPair keys) {
    return java.security.Security.getProvider(keys.getPrivate().getAlgorithm().equals("RSA") ? "SunRsaSign" : "SunEC");
  }

  private static void assertSignsFor(PrivateKey key, KeyPair keys, Provider provider) throws Exception {
    String algorithm = switch (keys.getPrivate().getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> "Ed25519";
    };
    byte[] data = "oneca".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm, provider);
    signer.initSign(key);
    signer.update(data);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(keys.getPublic());
    verifier.update(data);
    assertThat(verifier.verify(signature)).as("a signature by the parsed key (%s) verifies", provider.getName()).isTrue();
  }
}
