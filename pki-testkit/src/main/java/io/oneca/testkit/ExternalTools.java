package io.oneca.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs real tools (openssl, GnuTLS's certtool, python3) with a bounded wait. A missing tool fails the
 * test with the command that installs it; nothing is skipped silently. {@code scripts/test} installs
 * all of them.
 */
public final class ExternalTools {
  /** What a finished process reported: its exit code and its stdout and stderr, merged. */
  public record Result(int exitCode, String output) {}

  private ExternalTools() {}

  /**
   * Returns the tool's absolute path, or fails naming the Debian package that provides it.
   *
   * @param tool the executable's name, for example {@code certtool}
   * @param debianPackage the package to install, for example {@code gnutls-bin}
   */
  public static String require(String tool, String debianPackage) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File candidate = new File(dir, tool);
      if (candidate.canExecute()) {
        return candidate.getAbsolutePath();
      }
    }
    return fail(tool + " is not on PATH; install it: apt-get install -y " + debianPackage
        + " (scripts/test installs it)");
  }

  /** Returns python3's path; fails unless {@code python3 -c 'import cryptography'} works. */
  public static String requirePythonCryptography(Path dir) throws IOException, InterruptedException {
    String python = require("python3", "python3");
    Result result = run(dir, List.of(python, "-c", "import cryptography"));
    if (result.exitCode() != 0) {
      fail("python3 cannot import cryptography; install it: apt-get install -y python3-cryptography"
          + " (scripts/test installs it)\n" + result.output());
    }
    return python;
  }

  /**
   * Runs {@code openssl s_client} against {@code 127.0.0.1:port} with the given options, stdin empty
   * (so it handshakes, then quits). The output has {@code Cipher is (NONE)} when no handshake completed
   * and {@code Cipher is <suite>} when one did.
   */
  public static Result opensslClient(Path dir, int port, List<String> options) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(require("openssl", "openssl"), "s_client",
        "-connect", "127.0.0.1:" + port, "-servername", "localhost"));
    command.addAll(options);
    return run(dir, command);
  }

  /** Runs a command in {@code dir} with stdin empty, stdout and stderr merged, at most 30 seconds. */
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
      fail("timed out after 30 s: " + command);
    }
    return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
