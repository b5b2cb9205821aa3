package io.oneca.samples.cloudcore;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command-line tool (openssl, curl) with input, a time bound and captured output. */
record Tool(int exitCode, String output) {

  static Tool run(Path workDir, String input, List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(workDir, "tool-", ".out");
    Process process = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the tool may exit before reading its input
    }
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(String.join(" ", command) + " did not finish within 30 s");
      }
    } finally {
      process.destroyForcibly();
    }
    return new Tool(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }
}
