package io.oneca.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oneca.api.Fingerprint;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.CaLineageReset;
import java.io.PrintWriter;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code oneca lineage}: the CA key's lineage evidence ({@code <key>.lineage}), which stops a
 * replica from founding a second CA where one existed. {@code reset} is the deliberate way to start
 * over; it needs no key-encryption key (the evidence holds fingerprints only).
 */
@Command(name = "lineage", mixinStandardHelpOptions = true,
    description = {"Manage the evidence that a CA existed at a key (stored at <key>.lineage).",
        "While it is there, a replica that finds the CA record missing refuses to create a new CA."})
final class LineageCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "choose a subcommand: reset");
  }

  @Command(name = "reset", mixinStandardHelpOptions = true,
      description = {"Start the CA key over on purpose: if the lineage evidence names the expected fingerprint,",
          "replace it by an open reset (compare-and-set), so that the next replica without a record founds a new CA",
          "and running replicas adopt it. Does not delete the CA record. Every peer must then be re-enrolled.",
          "Exit code: 0 RESET, 1 MISMATCH, NOTHING_TO_RESET or CONFLICT, 2 error."})
  int reset(@Mixin StoreOptions store, @Mixin Output output,
      @Option(names = "--expect-fingerprint", required = true, paramLabel = "FINGERPRINT",
          description = "The SHA-256 fingerprint the evidence must name (as the start error or 'oneca inspect' shows it).")
      String expected,
      @Option(names = "--actor", paramLabel = "NAME", defaultValue = CliOneCa.REPLICA_ID,
          description = "Who resets, recorded in the evidence and the audit event (default: ${DEFAULT-VALUE}).")
      String actor) {
    Fingerprint fingerprint = ReplicaReport.parseFingerprint(expected);
    CaLineageReset.Result result;
    String backend;
    try (VersionedStore opened = store.open()) {
      backend = opened.backend();
      result = CaLineageReset.reset(opened, store.key, fingerprint, actor)
          .get(store.timeout.toMillis() * 4, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted during lineage reset of key '" + store.key + "'");
    } catch (TimeoutException e) {
      throw new CliException("lineage reset of key '" + store.key + "' did not finish within "
          + store.timeout.multipliedBy(4) + "; run it again (it is a compare-and-set)");
    } catch (ExecutionException e) {
      throw new CliException("lineage reset of key '" + store.key + "' failed: " + OneCaCli.describe(e.getCause()),
          e.getCause());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (output.json) {
      ObjectNode document = Output.object();
      document.put("store", backend);
      document.put("key", store.key);
      document.put("evidenceKey", result.evidenceKey());
      document.put("outcome", result.outcome().name());
      document.put("detail", result.detail());
      Output.printJson(out, document);
    } else {
      new Output.Table()
          .row("outcome", result.outcome())
          .row("", result.detail())
          .row("store", backend)
          .row("key", store.key)
          .row("evidence key", result.evidenceKey())
          .print(out);
    }
    return result.outcome() == CaLineageReset.Outcome.RESET ? ExitCodes.OK : ExitCodes.MISMATCH;
  }
}
