package io.oneca.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oneca.api.BootstrapResult;
import io.oneca.api.store.VersionedStore;
import io.oneca.api.InvalidRequestException;
import io.oneca.core.OneCa;
import io.oneca.core.OneCaBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code oneca import}: bring your own CA. Stores it with the same create-if-absent as a replica's
 * bootstrap; a store that already holds a different CA keeps it, and the command says so.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Bring your own CA: store it unless the store already holds one.",
        "Takes a PEM certificate chain and private key; writes with create-if-absent, like a replica's bootstrap.",
        "Exit code 0: IMPORTED, or ALREADY_STORED (the same CA was already there);",
        "1: DIFFERENT_CA_STORED (the store keeps its CA; replace it by rotation, not import); 2: error."})
final class ImportCommand implements Callable<Integer> {
  @Mixin
  StoreOptions store;

  @Mixin
  KekOptions kek;

  @Mixin
  Output output;

  @Spec
  CommandSpec spec;

  @Option(names = "--cert", required = true, paramLabel = "PATH",
      description = "PEM file: the CA certificate first, then any issuers up to the root.")
  Path certificateFile;

  @Option(names = "--ca-key", required = true, paramLabel = "PATH",
      description = "PEM file with the CA's unencrypted private key (PKCS#8, PKCS#1 or SEC1).")
  Path keyFile;

  @Override
  public Integer call() {
    String chain = read(certificateFile, "certificate");
    String key = read(keyFile, "private key");
    BootstrapResult result;
    String backend;
    try (VersionedStore opened = store.open();
        OneCa oneCa = build(opened, chain, key)) {
      backend = opened.backend();
      result = oneCa.start();
    }
    String outcome = switch (result.outcome()) {
      case IMPORTED -> "IMPORTED";
      case DIFFERENT_CA_STORED -> "DIFFERENT_CA_STORED";
      default -> "ALREADY_STORED";
    };
    String explanation = switch (outcome) {
      case "IMPORTED" -> "the store held no CA; yours is now the CA of every replica";
      case "DIFFERENT_CA_STORED" -> "the store already holds a different CA, which stays in use; yours was NOT"
          + " stored (replace a CA by rotation, not by import)";
      default -> "the store already holds this very CA; nothing changed";
    };
    print(result, outcome, explanation, backend);
    return result.outcome() == BootstrapResult.Outcome.DIFFERENT_CA_STORED ? ExitCodes.MISMATCH : ExitCodes.OK;
  }

  private OneCa build(VersionedStore opened, String chain, String key) {
    OneCaBuilder builder = CliOneCa.builder(opened, store, kek);
    try {
      return builder.importCa(chain, key).build();
    } catch (InvalidRequestException e) {
      throw new CliException("cannot import the CA from " + certificateFile + " and " + keyFile + ": "
          + e.getMessage(), e);
    }
  }

  private void print(BootstrapResult result, String outcome, String explanation, String backend) {
    PrintWriter out = spec.commandLine().getOut();
    if (output.json) {
      ObjectNode document = Output.object();
      document.put("store", backend);
      document.put("key", store.key);
      document.put("outcome", outcome);
      document.put("version", result.ca().storeVersion());
      document.put("storedFingerprintSha256", result.ca().fingerprint().sha256Hex());
      document.put("detail", explanation);
      Output.printJson(out, document);
      return;
    }
    new Output.Table()
        .row("outcome", outcome)
        .row("", explanation)
        .row("store", backend)
        .row("key", store.key)
        .row("version", result.ca().storeVersion())
        .row("stored CA", result.ca().certificate().getSubjectX500Principal().getName())
        .row("fingerprint", result.ca().fingerprint())
        .print(out);
  }

  private static String read(Path file, String what) {
    try {
      if (Files.size(file) > 1_000_000) {
        throw new CliException(what + " file " + file + " is larger than 1 MB");
      }
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new CliException("cannot read " + what + " file " + file + " (" + e.getClass().getSimpleName() + ")", e);
    }
  }
}
