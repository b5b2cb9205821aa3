package io.oneca.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oneca.api.Fingerprint;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.CaRecordInspector;
import io.oneca.core.OneCa;
import io.oneca.core.rotation.OfflineRoot;
import io.oneca.core.rotation.RotationStatus;
import io.oneca.core.rotation.TransitionResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code oneca rotate}: drives one CA rotation step by hand, through the same compare-and-set steps
 * replicas run automatically. Every step is idempotent: repeating it, or racing a replica that does
 * the same, gives {@code ALREADY_DONE}, never a second rotation. Needs the key-encryption key.
 */
@Command(name = "rotate", mixinStandardHelpOptions = true,
    description = {"Rotate the CA: prepare a successor, activate it, or force a rotation at once.",
        "Every step is a compare-and-set from the version read; repeating it, or racing a replica doing",
        "the same, reports ALREADY_DONE. Exit code: 0 APPLIED or ALREADY_DONE, 1 NOTHING_TO_DO,",
        "2 error (or NEEDS_OFFLINE_ROOT), 3 no CA record."})
final class RotateCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "choose a step: prepare, activate or force");
  }

  /** Options of the successor a step may generate; must match the replicas' rotation policy. */
  static final class SuccessorOptions {
    @Option(names = "--cross-sign",
        description = "Cross-sign the successor with the active CA (as replicas with cross-signing on do).")
    boolean crossSign;

    @Option(names = "--root-cert", paramLabel = "PATH",
        description = "Intermediate mode: the offline root's PEM certificate (the successor is signed by it).")
    Path rootCertificate;

    @Option(names = "--root-key", paramLabel = "PATH",
        description = "Intermediate mode: the offline root's PEM private key (PKCS#8); read, used, never stored.")
    Path rootKey;

    OfflineRoot root() {
      if (rootCertificate == null && rootKey == null) {
        return null;
      }
      if (rootCertificate == null || rootKey == null) {
        throw new CliException("give both --root-cert and --root-key, or neither");
      }
      return OfflineRoot.fromPemFiles(rootCertificate, rootKey);
    }
  }

  @Command(name = "prepare", mixinStandardHelpOptions = true,
      description = {"Prepare a successor CA now: it joins the trust bundle at once and signs nothing until",
          "activated. Give replicas time to pick up the new bundle (at least one resync interval) before",
          "activating."})
  int prepare(@Mixin StoreOptions store, @Mixin KekOptions kek, @Mixin Output output,
      @Mixin SuccessorOptions successor) {
    OfflineRoot root = successor.root();
    return step(store, kek, output, successor, "prepare",
        oneCa -> root == null ? oneCa.rotation().prepare() : oneCa.rotation().prepare(root));
  }

  @Command(name = "activate", mixinStandardHelpOptions = true,
      description = {"Activate the prepared CA now: it signs from now on; the old CA is retired and stays",
          "trusted until the last leaf it signed has expired. Replicas re-issue their identities."})
  int activate(@Mixin StoreOptions store, @Mixin KekOptions kek, @Mixin Output output) {
    return step(store, kek, output, new SuccessorOptions(), "activate", oneCa -> oneCa.rotation().activate());
  }

  @Command(name = "force", mixinStandardHelpOptions = true,
      description = {"Rotate away from the active CA at once (suspected compromise): a fresh CA is generated",
          "and activated in one write; any prepared CA is dropped. Peers must fetch the new trust bundle",
          "before they can verify the new CA's leaves."})
  int force(@Mixin StoreOptions store, @Mixin KekOptions kek, @Mixin Output output,
      @Mixin SuccessorOptions successor,
      @Option(names = "--distrust-previous",
          description = "Remove the old CA from the trust bundle at once: every leaf it signed is refused from then on.")
      boolean distrustPrevious,
      @Option(names = "--from", paramLabel = "FINGERPRINT",
          description = "Only rotate if this is still the active CA (default: the active CA read now)."
              + " Makes repeated runs safe.")
      String from) {
    Fingerprint expected = from == null ? null : ReplicaReport.parseFingerprint(from);
    return step(store, kek, output, successor, "force", oneCa -> expected == null
        ? oneCa.rotation().force(distrustPrevious)
        : oneCa.rotation().force(expected, distrustPrevious));
  }

  private int step(StoreOptions store, KekOptions kek, Output output, SuccessorOptions successor, String name,
      Function<OneCa, CompletableFuture<TransitionResult>> step) {
    TransitionResult result;
    String backend;
    try (VersionedStore opened = store.open()) {
      backend = opened.backend();
      if (CaRecordInspector.read(opened, store.key, store.timeout.toMillis()).isEmpty()) {
        spec.commandLine().getErr().println("no CA record at key '" + store.key + "' in " + backend
            + ": nothing to rotate (rotate never creates a CA)");
        spec.commandLine().getErr().flush();
        return ExitCodes.NO_RECORD;
      }
      OfflineRoot root = successor.root();
      try (OneCa oneCa = CliOneCa.started(CliOneCa.builder(GuardedStore.neverCreate(opened), store, kek,
          successor.crossSign, root))) {
        result = await(step.apply(oneCa), store, name);
      }
    }
    print(result, backend, store.key, output);
    return switch (result.outcome()) {
      case APPLIED, ALREADY_DONE -> ExitCodes.OK;
      case NOTHING_TO_DO, GATE_CLOSED -> ExitCodes.MISMATCH;
      case NEEDS_OFFLINE_ROOT -> ExitCodes.ERROR;
    };
  }

  private static TransitionResult await(CompletableFuture<TransitionResult> future, StoreOptions store, String name) {
    try {
      // A step may re-read and retry a few compare-and-sets; allow several store round trips.
      return future.get(store.timeout.toMillis() * 4, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted during rotate " + name + " of key '" + store.key + "'");
    } catch (TimeoutException e) {
      throw new CliException("rotate " + name + " of key '" + store.key + "' did not finish within "
          + store.timeout.multipliedBy(4) + "; its write may or may not have been applied: run 'oneca inspect'"
          + " before repeating it (repeating is safe: it reports ALREADY_DONE)");
    } catch (ExecutionException e) {
      throw new CliException("rotate " + name + " of key '" + store.key + "' failed: "
          + OneCaCli.describe(e.getCause()), e.getCause());
    }
  }

  private void print(TransitionResult result, String backend, String key, Output output) {
    PrintWriter out = spec.commandLine().getOut();
    RotationStatus status = result.status();
    if (output.json) {
      ObjectNode document = Output.object();
      document.put("store", backend);
      document.put("key", key);
      document.put("step", result.step());
      document.put("outcome", result.outcome().name());
      document.put("detail", result.detail());
      document.put("version", status.storeVersion());
      Slots.json(document, status.active(), status.prepared(), status.retired());
      document.put("trustBundleSize", status.trustBundle().size());
      Output.printJson(out, document);
      return;
    }
    Output.Table table = new Output.Table()
        .row("step", result.step())
        .row("outcome", result.outcome())
        .row("", result.detail())
        .row("store", backend)
        .row("key", key)
        .row("version", status.storeVersion());
    Slots.table(table, status.active(), status.prepared(), status.retired(), Instant.now());
    table.row("", "").row("trust bundle", status.trustBundle().size() + " certificate(s)");
    table.print(out);
  }
}
