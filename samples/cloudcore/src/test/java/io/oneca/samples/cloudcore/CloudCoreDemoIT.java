package io.oneca.samples.cloudcore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command as a user runs it: the packaged jar, the embedded file store, exit
 * status 0 and every check printed as held. Runs in the {@code integration-test} phase, after the
 * jar and its lib/ directory exist.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CloudCoreDemoIT {
  @TempDir Path dir;

  @Test
  void packagedDemo_onTheFileStore_exitsZeroWithEveryCheckHeld() throws Exception {
    Path jar = Path.of("target", "oneca-cloudcore.jar");
    assertThat(jar).as("run mvn package first").exists();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path output = dir.resolve("demo.out");
    Process demo = new ProcessBuilder(List.of(java, "-jar", jar.toString(), "demo", "--dir", dir.resolve("run").toString()))
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    try {
      assertThat(demo.waitFor(100, TimeUnit.SECONDS)).as("the demo finished in time").isTrue();
    } finally {
      demo.destroyForcibly();
    }
    String text = read(output);
    assertThat(demo.exitValue()).as(text).isZero();
    assertThat(text).contains("CREATED").contains("ADOPTED").contains("rotation APPLIED")
        .contains("OK: every check held.").doesNotContain("FAIL ").doesNotContain("PRIVATE KEY");
    // Exactly one replica created the CA; every edge row ends on the new CA (no '*' marker).
    assertThat(text.lines().filter(l -> l.contains(": CREATED")).count()).as(text).isEqualTo(1);
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
