package io.oneca.samples.cloudcore.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the demo runs.
 *
 * @param runDir where the store (for the file store), keys, logs and edge directories go
 * @param storeUri the replicas' store; empty for the embedded file store under {@code runDir}
 * @param replicas how many replica processes (2 to 9)
 * @param edges how many edge nodes (1 to 50)
 * @param trafficAfterRotation how long edges keep their traffic going after everything converged
 */
public record DemoOptions(Path runDir, Optional<String> storeUri, int replicas, int edges, Duration trafficAfterRotation) {

  /** Validates the numbers. */
  public DemoOptions {
    Objects.requireNonNull(runDir, "runDir");
    Objects.requireNonNull(storeUri, "storeUri");
    if (replicas < 2 || replicas > 9) {
      throw new IllegalArgumentException("replicas must be 2 to 9, was " + replicas);
    }
    if (edges < 1 || edges > 50) {
      throw new IllegalArgumentException("edges must be 1 to 50, was " + edges);
    }
  }

  /** The README's demo: 3 replicas on the embedded file store, 5 edges, 2 s of traffic after the rotation. */
  public static DemoOptions defaults(Path runDir) {
    return new DemoOptions(runDir, Optional.empty(), 3, 5, Duration.ofSeconds(2));
  }

  /** Returns the store URI the replicas use. */
  public String effectiveStoreUri() {
    return storeUri.orElse("file:" + runDir.resolve("store").toAbsolutePath());
  }
}
