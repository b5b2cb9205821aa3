package io.oneca.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, as built by the package phase: the jar, its lib/ folder, real processes. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BootstrapDemoIT {
  private static final Path TARGET = Path.of("target");

  @TempDir Path tmp;

  @Test
  void freshStore_oneReplicaCreatesAndAllUseTheStoredCa_thenARerunAdoptsIt() throws Exception {
    Path runDir = tmp.resolve("run");

    Result first = run("-jar", TARGET.resolve("oneca-samples.jar").toString(), "--replicas", "3", "--dir", runDir.toString());
    Result second = run("-jar", TARGET.resolve("oneca-samples.jar").toString(), "--replicas", "3", "--dir", runDir.toString());

    assertThat(first.exitCode()).as(first.output()).isZero();
    assertThat(first.output()).contains("OK: all 3 replicas use the one CA the store holds; exactly one created it.");
    assertThat(first.output().lines().filter(l -> l.contains(" CREATED "))).hasSize(2); // timeline + table
    assertThat(second.exitCode()).as(second.output()).isZero();
    assertThat(second.output()).contains("none created another").doesNotContain(" CREATED ");
    assertThat(second.output().lines().filter(l -> l.contains("ADOPTED_EXISTING"))).hasSize(6);
    assertThat(fingerprintLine(second.output())).isEqualTo(fingerprintLine(first.output()));
  }

  @Test
  void onTheModulePath_theDemoRunsAsModules() throws Exception {
    Result result = run("-p", TARGET.resolve("lib") + java.io.File.pathSeparator + TARGET.resolve("oneca-samples.jar"),
        "-m", "io.oneca.samples/io.oneca.samples.demo.BootstrapDemo", "--replicas", "2", "--dir", tmp.resolve("m").toString());

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("OK: all 2 replicas");
  }

  private record Result(int exitCode, String output) {}

  private Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(args));
    Path output = Files.createTempFile(tmp, "demo", ".out");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("demo did not finish in 120 s: " + Files.readString(output, StandardCharsets.UTF_8));
    }
    return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
  }

  private static String fingerprintLine(String output) {
    return output.lines().filter(l -> l.trim().startsWith("SHA256:")).findFirst().orElseThrow();
  }
}
