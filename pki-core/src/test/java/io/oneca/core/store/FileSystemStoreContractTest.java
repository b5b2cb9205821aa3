package io.oneca.core.store;

import io.oneca.api.store.VersionedStore;
import io.oneca.testkit.VersionedStoreContract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileSystemStore} against the store contract: every client is its own store instance on
 * one directory, as separate processes would be, so changes reach other clients by polling.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FileSystemStoreContractTest extends VersionedStoreContract {
  @TempDir Path directory;

  @Override
  protected VersionedStore openClient() {
    return FileSystemStore.builder(directory).pollInterval(Duration.ofMillis(20)).build();
  }
}
