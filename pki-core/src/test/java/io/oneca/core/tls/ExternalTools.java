package io.oneca.core.tls;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test support: runs real tools (openssl, GnuTLS's certtool, python3) with a bounded wait. A missing
 * tool fails the test with the command that installs it; nothing is skipped silently.
 */
public final class ExternalTools {
  /** What a finished process reported. */
  public record Result(int exitCode, String output) {}

  private ExternalTools() {}

  /** Returns the tool's absolute path, or fails naming the package that provides it. */
  public static String require(String tool, String debianPackage) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File candidate = new File(dir, tool);
      if (candidate.canExecute()) {
        return candidate.getAbsolutePath();
      }
    }
    return fail("%s is not on PATH; install it: apt-get install -y %s (scripts/test installs it)", tool, debianPackage);
  }

  /** Fails unless {@code python3 -c 'import cryptography'} works. */
  public static String requirePythonCryptography(Path dir) throws IOException, InterruptedException {
    String python = require("python3", "python3");
    Result result = run(dir, List.of(python, "-c", "import cryptography"));
    if (result.exitCode() != 0) {
      fail("python3 cannot import cryptography; install it: apt-get install -y python3-cryptography"
          + " (or pip install cryptography)%n%s", result.output());
    }
    return python;
  }

  /** Runs a command with stdin empty, stdout and stderr merged, at most 30 seconds. */
  public static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, "process", ".log");
    Process process = new ProcessBuilder(new ArrayList<>(command))
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
      fail("timed out after 30 s: %s", command);
    }
    return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
