package io.oneca.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oneca.api.CertificateProfile;
import io.oneca.api.CertificateRequest;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.CaRecordInspector;
import io.oneca.core.OneCa;
import io.oneca.core.tls.IdentityExport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code oneca export pkcs12}: issues a certificate from the stored CA for the given names, with a
 * fresh key, and writes both as a password-protected PKCS#12 file. Needs the CA key, so the
 * key-encryption key; never creates a CA.
 */
@Command(name = "pkcs12", mixinStandardHelpOptions = true,
    description = {"Issue a certificate for the given names from the stored CA (fresh key) and write",
        "key and chain as PKCS#12. Needs the key-encryption key. Never creates a CA."})
final class ExportPkcs12Command implements Callable<Integer> {
  @Mixin
  StoreOptions store;

  @Mixin
  KekOptions kek;

  @Mixin
  Output output;

  @Spec
  CommandSpec spec;

  @Option(names = "--dns", paramLabel = "NAME", description = "A DNS name to certify. Repeatable.")
  List<String> dnsNames = new ArrayList<>();

  @Option(names = "--ip", paramLabel = "ADDRESS", description = "An IP address to certify. Repeatable.")
  List<String> ipAddresses = new ArrayList<>();

  @Option(names = "--common-name", paramLabel = "CN",
      description = "The subject's common name (default: the first DNS name or IP address).")
  String commonName;

  @Option(names = "--profile", defaultValue = "SERVER_AND_CLIENT",
      description = "SERVER, CLIENT or SERVER_AND_CLIENT (default: ${DEFAULT-VALUE}).")
  CertificateProfile profile;

  @Option(names = "--key-algorithm", defaultValue = "EC_P256",
      description = "EC_P256, EC_P384, RSA_2048, RSA_3072, RSA_4096 or ED25519 (default: ${DEFAULT-VALUE}).")
  KeyAlgorithm keyAlgorithm;

  @Option(names = "--ttl", defaultValue = "P1D", converter = StoreOptions.DurationConverter.class,
      description = "Requested lifetime, capped by the CA's (default: 1 day).")
  Duration ttl;

  @Option(names = "--alias", defaultValue = "oneca", description = "The PKCS#12 entry's alias (default: ${DEFAULT-VALUE}).")
  String alias;

  @Option(names = "--out", required = true, paramLabel = "PATH", description = "The PKCS#12 file to write (mode 0600).")
  Path target;

  @ArgGroup(exclusive = true, multiplicity = "1")
  PasswordSource password;

  /** Where the PKCS#12 password comes from; never from the command line itself. */
  static final class PasswordSource {
    @Option(names = "--password-file", paramLabel = "PATH", description = "File whose first line is the PKCS#12 password.")
    Path file;

    @Option(names = "--password-env", paramLabel = "VARIABLE", description = "Environment variable holding the PKCS#12 password.")
    String variable;

    char[] read() {
      String value;
      if (file != null) {
        try {
          List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
          value = lines.isEmpty() ? "" : lines.get(0);
        } catch (IOException e) {
          throw new CliException("cannot read password file " + file + " (" + e.getClass().getSimpleName() + ")");
        }
      } else {
        value = System.getenv(variable);
        if (value == null) {
          throw new CliException("environment variable " + variable + " is not set");
        }
      }
      if (value.isEmpty()) {
        throw new CliException("the PKCS#12 password is empty");
      }
      return value.toCharArray();
    }
  }

  @Override
  public Integer call() {
    if (dnsNames.isEmpty() && ipAddresses.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name what to certify: --dns or --ip");
    }
    char[] secret = password.read();
    try (VersionedStore opened = store.open()) {
      if (CaRecordInspector.read(opened, store.key, store.timeout.toMillis()).isEmpty()) {
        spec.commandLine().getErr().println("no CA record at key '" + store.key + "' in " + opened.backend()
            + ": nothing to issue from (export never creates a CA)");
        spec.commandLine().getErr().flush();
        return ExitCodes.NO_RECORD;
      }
      try (OneCa oneCa = CliOneCa.started(CliOneCa.builder(GuardedStore.readOnly(opened), store, kek))) {
        KeyPair keys = generate(keyAlgorithm);
        CertificateRequest.Builder request = CertificateRequest.fromPublicKey(keys.getPublic())
            .commonName(commonName != null ? commonName : !dnsNames.isEmpty() ? dnsNames.get(0) : ipAddresses.get(0))
            .profile(profile)
            .ttl(ttl);
        dnsNames.forEach(request::dnsName);
        ipAddresses.forEach(request::ipAddress);
        IssuedCertificate issued = oneCa.issue(request.build(), "oneca-cli export pkcs12");
        OutputFiles.writeAtomically(target, IdentityExport.pkcs12(alias, keys.getPrivate(), issued.chain(), secret), true);
        print(issued, opened.backend());
      }
    } finally {
      Arrays.fill(secret, '\0');
    }
    return ExitCodes.OK;
  }

  private void print(IssuedCertificate issued, String backend) {
    PrintWriter out = spec.commandLine().getOut();
    if (output.json) {
      ObjectNode document = Output.object();
      document.put("store", backend);
      document.put("key", store.key);
      document.put("caVersion", issued.caVersion());
      document.put("caFingerprintSha256", issued.caFingerprint().sha256Hex());
      document.put("file", target.toString());
      document.put("alias", alias);
      document.set("certificate", Output.certificate(issued.certificate()));
      ArrayNode names = document.putArray("dnsNames");
      dnsNames.forEach(names::add);
      ArrayNode ips = document.putArray("ipAddresses");
      ipAddresses.forEach(ips::add);
      Output.printJson(out, document);
      return;
    }
    new Output.Table()
        .row("wrote", target + " (PKCS#12, alias '" + alias + "')")
        .row("subject", issued.certificate().getSubjectX500Principal().getName())
        .row("names", String.join(", ", concat(dnsNames, ipAddresses)))
        .row("serial", issued.serialNumber().toString(16))
        .row("fingerprint", io.oneca.api.Fingerprint.of(issued.certificate()))
        .row("not after", issued.notAfter())
        .row("issued by", "CA " + issued.caFingerprint().shortForm() + " at version " + issued.caVersion()
            + " of '" + store.key + "' in " + backend)
        .print(out);
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  static KeyPair generate(KeyAlgorithm algorithm) {
    try {
      KeyPairGenerator generator;
      switch (algorithm) {
        case EC_P256, EC_P384 -> {
          generator = KeyPairGenerator.getInstance("EC");
          generator.initialize(new ECGenParameterSpec(algorithm == KeyAlgorithm.EC_P256 ? "secp256r1" : "secp384r1"));
        }
        case ED25519 -> generator = KeyPairGenerator.getInstance("Ed25519");
        default -> {
          generator = KeyPairGenerator.getInstance("RSA");
          generator.initialize(algorithm.bits());
        }
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new CliException("cannot generate a " + algorithm + " key: " + e.getMessage(), e);
    }
  }
}
