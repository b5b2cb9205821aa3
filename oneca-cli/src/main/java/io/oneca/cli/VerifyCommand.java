package io.oneca.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oneca.api.Fingerprint;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.CaRecordInspector;
import io.oneca.core.CaRecordSummary;
import io.oneca.core.tls.ReloadingX509TrustManager;
import io.oneca.core.tls.TlsContexts;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code oneca verify}: does every replica use the CA the store holds? Each replica is checked on
 * its own; one that cannot be reached is reported by name and does not stop the others.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Check that every replica uses the CA the store holds.",
        "Compares each replica's reported CA fingerprint with the active CA in the store.",
        "A report is a fingerprint (64 hex digits or SHA256:AB:CD:...), or JSON holding it in a string",
        "field 'caFingerprint' at any depth (e.g. OneCA's Spring Boot health endpoint).",
        "Exit code: 0 all agree, 1 some replica differs, 2 some replica could not be checked (or the store",
        "could not be read), 3 no CA record."})
final class VerifyCommand implements Callable<Integer> {
  @Mixin
  StoreOptions store;

  @Mixin
  Output output;

  @Spec
  CommandSpec spec;

  @Option(names = "--replica-fingerprint", paramLabel = "NAME=FINGERPRINT",
      description = "A replica's reported fingerprint, given directly. Repeatable.")
  Map<String, String> fingerprints = new LinkedHashMap<>();

  @Option(names = "--replica-file", paramLabel = "NAME=PATH",
      description = "A file holding a replica's report. Repeatable.")
  Map<String, Path> files = new LinkedHashMap<>();

  @Option(names = "--replica-url", paramLabel = "NAME=URL",
      description = {"An http(s) URL returning a replica's report, e.g. https://10.0.0.5:8443/actuator/health/oneca.",
          "HTTPS trusts the store's trust bundle (replicas serve OneCA identities). Repeatable."})
  Map<String, URI> urls = new LinkedHashMap<>();

  /** One replica's verdict. */
  record Verdict(String name, String source, Optional<Fingerprint> reported, String status, String detail) {}

  @Override
  public Integer call() {
    if (fingerprints.isEmpty() && files.isEmpty() && urls.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "name at least one replica: --replica-fingerprint, --replica-file or --replica-url");
    }
    CaRecordSummary summary;
    String backend;
    try (VersionedStore opened = store.open()) {
      backend = opened.backend();
      Optional<CaRecordSummary> found = CaRecordInspector.read(opened, store.key, store.timeout.toMillis());
      if (found.isEmpty()) {
        spec.commandLine().getErr().println("no CA record at key '" + store.key + "' in " + backend
            + ": nothing to verify against");
        spec.commandLine().getErr().flush();
        return ExitCodes.NO_RECORD;
      }
      summary = found.get();
    }
    List<Verdict> verdicts = new ArrayList<>();
    fingerprints.forEach((name, text) -> verdicts.add(check(summary, name, "given", () -> ReplicaReport.parseFingerprint(text))));
    files.forEach((name, path) -> verdicts.add(check(summary, name, "file " + path, () -> readFile(path))));
    HttpClient client = urls.isEmpty() ? null : client(summary);
    // Every replica is asked at once (each bounded by --timeout), then judged in the order given.
    Map<String, CompletableFuture<HttpResponse<String>>> responses = new LinkedHashMap<>();
    urls.forEach((name, url) -> responses.put(name, send(client, url)));
    urls.forEach((name, url) -> verdicts.add(check(summary, name, url.toString(),
        () -> parse(url, responses.get(name)))));
    print(summary, backend, verdicts);
    if (verdicts.stream().anyMatch(verdict -> verdict.status().equals("DIFFERS"))) {
      return ExitCodes.MISMATCH;
    }
    return verdicts.stream().anyMatch(verdict -> verdict.status().equals("ERROR")) ? ExitCodes.ERROR : ExitCodes.OK;
  }

  private interface Source {
    Fingerprint read() throws IOException, InterruptedException;
  }

  private static Verdict check(CaRecordSummary summary, String name, String source, Source reader) {
    try {
      Fingerprint reported = reader.read();
      boolean agrees = reported.equals(summary.fingerprint());
      return new Verdict(name, source, Optional.of(reported), agrees ? "AGREES" : "DIFFERS",
          agrees ? "uses the stored CA" : "uses CA " + reported.shortForm() + ", the store holds "
              + summary.fingerprint().shortForm() + " at version " + summary.storeVersion());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Verdict(name, source, Optional.empty(), "ERROR", "interrupted");
    } catch (IOException | RuntimeException e) {
      return new Verdict(name, source, Optional.empty(), "ERROR", OneCaCli.describe(e));
    }
  }

  private static Fingerprint readFile(Path path) throws IOException {
    if (Files.size(path) > 1_000_000) {
      throw new CliException("file " + path + " is larger than 1 MB; not a report");
    }
    return ReplicaReport.parseReport(Files.readString(path, StandardCharsets.UTF_8));
  }

  private HttpClient client(CaRecordSummary summary) {
    return HttpClient.newBuilder()
        .connectTimeout(store.timeout)
        .sslContext(TlsContexts.sslContext(null, ReloadingX509TrustManager.of(summary.trustBundle())))
        .build();
  }

  private CompletableFuture<HttpResponse<String>> send(HttpClient client, URI url) {
    try {
      HttpRequest request = HttpRequest.newBuilder(url).timeout(store.timeout)
          .header("Accept", "application/json").GET().build();
      return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private Fingerprint parse(URI url, CompletableFuture<HttpResponse<String>> pending)
      throws IOException, InterruptedException {
    HttpResponse<String> response;
    try {
      response = pending.get(store.timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new CliException(url + ": " + OneCaCli.describe(cause), cause);
    } catch (TimeoutException e) {
      throw new CliException("no answer from " + url + " within " + store.timeout.multipliedBy(2));
    }
    // Spring Boot answers 503 with the body when the health is DOWN; the fingerprint still counts.
    if (response.statusCode() != 200 && response.statusCode() != 503) {
      throw new CliException("HTTP " + response.statusCode() + " from " + url);
    }
    return ReplicaReport.parseReport(response.body());
  }

  private void print(CaRecordSummary summary, String backend, List<Verdict> verdicts) {
    PrintWriter out = spec.commandLine().getOut();
    if (output.json) {
      ObjectNode document = Output.object();
      document.put("store", backend);
      document.put("key", summary.storeKey());
      document.put("version", summary.storeVersion());
      document.put("storeFingerprintSha256", summary.fingerprint().sha256Hex());
      document.put("allAgree", verdicts.stream().allMatch(verdict -> verdict.status().equals("AGREES")));
      ArrayNode replicas = document.putArray("replicas");
      for (Verdict verdict : verdicts) {
        ObjectNode node = replicas.addObject();
        node.put("name", verdict.name());
        node.put("source", verdict.source());
        node.put("status", verdict.status());
        verdict.reported().ifPresentOrElse(fingerprint -> node.put("fingerprintSha256", fingerprint.sha256Hex()),
            () -> node.putNull("fingerprintSha256"));
        node.put("detail", verdict.detail());
      }
      Output.printJson(out, document);
      return;
    }
    out.println("store " + backend + ", key '" + summary.storeKey() + "', version " + summary.storeVersion()
        + ": CA " + summary.fingerprint().shortForm());
    int nameWidth = Math.max(7, verdicts.stream().mapToInt(verdict -> verdict.name().length()).max().orElse(0));
    String format = "%-" + nameWidth + "s  %-7s  %-16s  %s%n";
    out.printf(format, "REPLICA", "STATUS", "FINGERPRINT", "DETAIL");
    for (Verdict verdict : verdicts) {
      out.printf(format, verdict.name(), verdict.status(),
          verdict.reported().map(Fingerprint::shortForm).orElse("-"), verdict.detail() + " (" + verdict.source() + ")");
    }
    out.flush();
  }
}
