package io.oneca.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oneca.api.Pem;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.CaRecordInspector;
import io.oneca.core.CaRecordSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code oneca export}: certificates as PEM, or an issued identity as PKCS#12. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Export the trust bundle or CA chain as PEM, or a new identity as PKCS#12.",
    subcommands = ExportPkcs12Command.class)
final class ExportCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "choose what to export: trust-bundle, ca-chain or pkcs12");
  }

  @Command(name = "trust-bundle", mixinStandardHelpOptions = true,
      description = "Write the trust bundle (the CA certificates peers should trust) as PEM. No key needed.")
  int trustBundle(@Mixin StoreOptions store, @Mixin Output output,
      @Option(names = "--out", paramLabel = "PATH", description = "Write here instead of standard output.") Path out) {
    return exportPem(store, output, out, "trust bundle", CaRecordSummary::trustBundle);
  }

  @Command(name = "ca-chain", mixinStandardHelpOptions = true,
      description = "Write the active CA certificate (then any issuers above it) as PEM. No key needed.")
  int caChain(@Mixin StoreOptions store, @Mixin Output output,
      @Option(names = "--out", paramLabel = "PATH", description = "Write here instead of standard output.") Path out) {
    return exportPem(store, output, out, "CA chain", CaRecordSummary::chain);
  }

  private int exportPem(StoreOptions store, Output output, Path target, String what,
      Function<CaRecordSummary, List<X509Certificate>> select) {
    PrintWriter out = spec.commandLine().getOut();
    Optional<CaRecordSummary> found;
    String backend;
    try (VersionedStore opened = store.open()) {
      backend = opened.backend();
      found = CaRecordInspector.read(opened, store.key, store.timeout.toMillis());
    }
    if (found.isEmpty()) {
      spec.commandLine().getErr().println("no CA record at key '" + store.key + "' in " + backend);
      spec.commandLine().getErr().flush();
      return ExitCodes.NO_RECORD;
    }
    CaRecordSummary summary = found.get();
    List<X509Certificate> certificates = select.apply(summary);
    String pem = Pem.encodeCertificates(certificates);
    if (target != null) {
      OutputFiles.writeAtomically(target, pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII), false);
    }
    if (output.json) {
      ObjectNode document = Output.object();
      document.put("store", backend);
      document.put("key", summary.storeKey());
      document.put("version", summary.storeVersion());
      document.put("fingerprintSha256", summary.fingerprint().sha256Hex());
      document.put("certificates", certificates.size());
      if (target != null) {
        document.put("file", target.toString());
      } else {
        document.put("pem", pem);
      }
      Output.printJson(out, document);
    } else if (target != null) {
      out.println("wrote the " + what + " (" + certificates.size() + " certificate(s), version "
          + summary.storeVersion() + " of '" + summary.storeKey() + "') to " + target);
      out.flush();
    } else {
      out.print(pem);
      out.flush();
    }
    return ExitCodes.OK;
  }
}
