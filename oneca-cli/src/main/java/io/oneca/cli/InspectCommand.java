package io.oneca.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.CaRecordInspector;
import io.oneca.core.CaRecordSummary;
import io.oneca.core.rotation.RotationThresholds;
import java.io.PrintWriter;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code oneca inspect}: what the store holds at the CA key, without the private key. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = {"Print the CA record in the store (no key-encryption key needed).",
        "Shows the store version, the active, prepared and retired CAs (fingerprints, subjects, validity),",
        "key algorithm, key protection and trust bundle;",
        "reads certificates and metadata only, never the private key."})
final class InspectCommand implements Callable<Integer> {
  private static final RotationThresholds THRESHOLDS = RotationThresholds.spire();

  @Mixin
  StoreOptions store;

  @Mixin
  Output output;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Optional<CaRecordSummary> found;
    String backend;
    try (VersionedStore opened = store.open()) {
      backend = opened.backend();
      found = CaRecordInspector.read(opened, store.key, store.timeout.toMillis());
    }
    if (found.isEmpty()) {
      if (output.json) {
        ObjectNode document = Output.object();
        document.put("store", backend);
        document.put("key", store.key);
        document.putNull("version");
        Output.printJson(out, document);
      } else {
        spec.commandLine().getErr().println("no CA record at key '" + store.key + "' in " + backend);
        spec.commandLine().getErr().flush();
      }
      return ExitCodes.NO_RECORD;
    }
    CaRecordSummary summary = found.get();
    if (output.json) {
      Output.printJson(out, json(summary, backend));
    } else {
      table(summary, backend, Instant.now()).print(out);
    }
    return ExitCodes.OK;
  }

  static ObjectNode json(CaRecordSummary summary, String backend) {
    ObjectNode document = Output.object();
    document.put("store", backend);
    document.put("key", summary.storeKey());
    document.put("version", summary.storeVersion());
    document.put("schema", summary.schema());
    document.put("createdAt", summary.createdAt().toString());
    document.put("createdBy", summary.createdBy());
    ObjectNode protection = document.putObject("keyProtection");
    protection.put("encrypted", summary.keyEncrypted());
    summary.keyEncryptionKeyId().ifPresentOrElse(id -> protection.put("keyEncryptionKeyId", id),
        () -> protection.putNull("keyEncryptionKeyId"));
    Slots.json(document, summary.active(), summary.prepared(), summary.retired());
    ((ObjectNode) document.get("active")).put("keyAlgorithm", summary.keyAlgorithm().name());
    ObjectNode rotation = document.putObject("rotationDue");
    rotation.put("thresholds", "spire-defaults");
    rotation.put("prepareAt", THRESHOLDS.prepareAt(summary.certificate()).toString());
    rotation.put("activateAt", THRESHOLDS.activateAt(summary.certificate()).toString());
    ArrayNode bundle = document.putArray("trustBundle");
    summary.trustBundle().forEach(certificate -> bundle.add(Output.certificate(certificate)));
    return document;
  }

  static Output.Table table(CaRecordSummary summary, String backend, Instant now) {
    Output.Table table = new Output.Table()
        .row("store", backend)
        .row("key", summary.storeKey())
        .row("version", summary.storeVersion())
        .row("schema", summary.schema())
        .row("created", summary.createdAt() + " by " + summary.createdBy())
        .row("CA key", summary.keyEncrypted()
            ? "encrypted with key-encryption key " + summary.keyEncryptionKeyId().orElse("?")
            : "PLAINTEXT in the store")
        .row("key algorithm", summary.keyAlgorithm());
    Slots.table(table, summary.active(), summary.prepared(), summary.retired(), now);
    table.row("", "").row("rotation due", "(SPIRE default thresholds; replicas may be configured otherwise)")
        .row("  prepare at", THRESHOLDS.prepareAt(summary.certificate()))
        .row("  activate at", THRESHOLDS.activateAt(summary.certificate()));
    table.row("", "").row("trust bundle", summary.trustBundle().size() + " certificate(s)");
    int index = 1;
    for (X509Certificate certificate : summary.trustBundle()) {
      table.row("  " + index++ + ".", certificate.getSubjectX500Principal().getName());
      table.row("  fingerprint", io.oneca.api.Fingerprint.of(certificate));
      table.row("  not after", certificate.getNotAfter().toInstant() + " ("
          + Output.relative(certificate.getNotAfter().toInstant(), now) + ")");
    }
    return table;
  }
}
