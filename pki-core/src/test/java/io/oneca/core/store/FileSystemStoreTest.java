package io.oneca.core.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.StoreClosedException;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.Versioned;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileSystemStoreTest {
  private static final String KEY = "oneca/prod/ca";

  @TempDir Path tmp;
  private final List<FileSystemStore> stores = new ArrayList<>();

  @AfterEach
  void closeStores() {
    stores.forEach(FileSystemStore::close);
  }

  private Path dir() {
    return tmp.resolve("store");
  }

  private FileSystemStore open() {
    FileSystemStore store = FileSystemStore.open(dir());
    stores.add(store);
    return store;
  }

  private static Versioned<byte[]> applied(CompletableFuture<CasResult> result) {
    assertThat(result).isCompleted();
    assertThat(result.join()).isInstanceOf(CasResult.Applied.class);
    return ((CasResult.Applied) result.join()).value();
  }

  private static Optional<Versioned<byte[]>> conflict(CompletableFuture<CasResult> result) {
    assertThat(result).isCompleted();
    assertThat(result.join()).isInstanceOf(CasResult.Conflict.class);
    return ((CasResult.Conflict) result.join()).current();
  }

  private static Throwable failure(CompletableFuture<?> future) {
    assertThat(future).isCompletedExceptionally();
    try {
      future.join();
      throw new AssertionError("unreachable");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void compareAndSet_absentOnNewKey_appliesAndGetReturnsIt() {
    FileSystemStore store = open();

    Versioned<byte[]> written = applied(store.compareAndSet(KEY, Precondition.absent(), bytes("v1")));

    assertThat(written.key()).isEqualTo(KEY);
    assertThat(written.value()).isEqualTo(bytes("v1"));
    Versioned<byte[]> read = store.get(KEY).join().orElseThrow();
    assertThat(read.value()).isEqualTo(bytes("v1"));
    assertThat(read.version()).isEqualTo(written.version()).isPositive();
  }

  @Test
  void compareAndSet_absentOnExistingKey_returnsConflictWithCurrent() {
    FileSystemStore store = open();
    Versioned<byte[]> first = applied(store.compareAndSet(KEY, Precondition.absent(), bytes("first")));

    Versioned<byte[]> current = conflict(store.compareAndSet(KEY, Precondition.absent(), bytes("second"))).orElseThrow();

    assertThat(current.value()).isEqualTo(bytes("first"));
    assertThat(current.version()).isEqualTo(first.version());
  }

  @Test
  void compareAndSet_staleVersion_returnsConflict() {
    FileSystemStore store = open();
    Versioned<byte[]> v1 = applied(store.compareAndSet(KEY, Precondition.absent(), bytes("one")));
    Versioned<byte[]> v2 = applied(store.compareAndSet(KEY, Precondition.atVersion(v1.version()), bytes("two")));

    Versioned<byte[]> current = conflict(store.compareAndSet(KEY, Precondition.atVersion(v1.version()), bytes("three")))
        .orElseThrow();

    assertThat(v2.version()).isGreaterThan(v1.version());
    assertThat(current.version()).isEqualTo(v2.version());
    assertThat(current.value()).isEqualTo(bytes("two"));
  }

  @Test
  void compareAndSet_atVersionOnAbsentKey_returnsEmptyConflict() {
    FileSystemStore store = open();

    assertThat(conflict(store.compareAndSet(KEY, Precondition.atVersion(1), bytes("x")))).isEmpty();
    assertThat(store.get(KEY).join()).isEmpty();
  }

  @Test
  void delete_withPrecondition_removesOnlyAtCurrentVersion() {
    FileSystemStore store = open();
    Versioned<byte[]> v1 = applied(store.compareAndSet(KEY, Precondition.absent(), bytes("one")));
    Versioned<byte[]> v2 = applied(store.compareAndSet(KEY, Precondition.atVersion(v1.version()), bytes("two")));

    assertThat(conflict(store.delete(KEY, Precondition.atVersion(v1.version()))).orElseThrow().version())
        .isEqualTo(v2.version());
    Versioned<byte[]> deleted = applied(store.delete(KEY, Precondition.atVersion(v2.version())));

    assertThat(deleted.value()).isEqualTo(bytes("two"));
    assertThat(store.get(KEY).join()).isEmpty();
    assertThat(conflict(store.delete(KEY, Precondition.atVersion(v2.version())))).isEmpty();
    assertThatThrownBy(() -> store.delete(KEY, Precondition.absent())).isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void list_prefix_returnsMatchingKeysSortedByKey() {
    FileSystemStore store = open();
    for (String key : List.of("t/b", "t/a/x", "t-other", "u/a", "t/a")) {
      applied(store.compareAndSet(key, Precondition.absent(), bytes(key)));
    }

    assertThat(store.list("t/").join()).extracting(Versioned::key).containsExactly("t/a", "t/a/x", "t/b");
    assertThat(store.list("t").join()).extracting(Versioned::key).containsExactly("t-other", "t/a", "t/a/x", "t/b");
    assertThat(store.list("t/a").join().get(0).value()).isEqualTo(bytes("t/a"));
    assertThat(store.list("none/").join()).isEmpty();
  }

  @Test
  void compareAndSet_largestAllowedValue_roundTrips() {
    FileSystemStore store = open();
    byte[] value = new byte[StoreKeys.MAX_VALUE_BYTES];
    new Random(42).nextBytes(value);

    applied(store.compareAndSet(KEY, Precondition.absent(), value));

    assertThat(store.get(KEY).join().orElseThrow().value()).isEqualTo(value);
  }

  @Test
  void compareAndSet_valueOverLimit_throwsInvalidRequestAndWritesNothing() {
    FileSystemStore store = open();

    assertThatThrownBy(() -> store.compareAndSet(KEY, Precondition.absent(), new byte[StoreKeys.MAX_VALUE_BYTES + 1]))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining(KEY);
    assertThat(store.get(KEY).join()).isEmpty();
  }

  @Test
  void compareAndSet_invalidKey_throwsInvalidRequest() {
    FileSystemStore store = open();

    assertThatThrownBy(() -> store.compareAndSet("../escape", Precondition.absent(), bytes("x")))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> store.get("a+b")).isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void versions_increaseAcrossDeleteAndRecreate() {
    FileSystemStore store = open();
    Versioned<byte[]> first = applied(store.compareAndSet(KEY, Precondition.absent(), bytes("one")));
    applied(store.delete(KEY, Precondition.atVersion(first.version())));

    Versioned<byte[]> recreated = applied(store.compareAndSet(KEY, Precondition.absent(), bytes("two")));

    assertThat(recreated.version()).isGreaterThan(first.version());
  }

  @Test
  void versions_increaseAcrossCloseAndReopen() {
    FileSystemStore before = open();
    Versioned<byte[]> first = applied(before.compareAndSet(KEY, Precondition.absent(), bytes("one")));
    applied(before.delete(KEY, Precondition.atVersion(first.version())));
    before.close();

    FileSystemStore after = open();
    Versioned<byte[]> recreated = applied(after.compareAndSet(KEY, Precondition.absent(), bytes("two")));
    Versioned<byte[]> other = applied(after.compareAndSet("other", Precondition.absent(), bytes("x")));

    assertThat(recreated.version()).isGreaterThan(first.version());
    assertThat(other.version()).isGreaterThan(recreated.version());
  }

  @Test
  void open_writesDocumentedLayout() throws IOException {
    FileSystemStore store = open();
    Versioned<byte[]> written = applied(store.compareAndSet(KEY, Precondition.absent(), bytes("abc")));

    ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(dir().resolve("keys/oneca+prod+ca")));
    ByteBuffer revision = ByteBuffer.wrap(Files.readAllBytes(dir().resolve("revision")));

    assertThat(Files.exists(dir().resolve("store.lock"))).isTrue();
    assertThat(new String(file.array(), 0, 4, UTF_8)).isEqualTo("OFS1");
    assertThat(file.getLong(4)).isEqualTo(written.version());
    assertThat(file.getInt(12)).isEqualTo(3);
    assertThat(file.capacity()).isEqualTo(4 + 8 + 4 + 3 + 4);
    assertThat(new String(revision.array(), 0, 4, UTF_8)).isEqualTo("OFR1");
    assertThat(revision.getLong(4)).isEqualTo(written.version());
    assertThat(store.backend()).isEqualTo("file:" + dir().toAbsolutePath());
  }

  @Test
  void get_flippedByteInValueFile_failsUnreadableAndWritesNeverOverwriteIt() throws IOException {
    FileSystemStore store = open();
    Versioned<byte[]> written = applied(store.compareAndSet(KEY, Precondition.absent(), bytes("secret")));
    Path file = dir().resolve("keys/oneca+prod+ca");
    byte[] damaged = Files.readAllBytes(file);
    damaged[17] ^= 0x01;
    Files.write(file, damaged);

    assertThat(failure(store.get(KEY))).isInstanceOf(UnreadableRecordException.class)
        .hasMessageContaining(KEY).hasMessageContaining(store.backend());
    assertThat(failure(store.list("oneca/"))).isInstanceOf(UnreadableRecordException.class);
    assertThat(failure(store.compareAndSet(KEY, Precondition.atVersion(written.version()), bytes("new"))))
        .isInstanceOf(UnreadableRecordException.class);
    assertThat(failure(store.compareAndSet(KEY, Precondition.absent(), bytes("new"))))
        .isInstanceOf(UnreadableRecordException.class);
    assertThat(failure(store.delete(KEY, Precondition.atVersion(written.version()))))
        .isInstanceOf(UnreadableRecordException.class);
    assertThat(Files.readAllBytes(file)).isEqualTo(damaged);
  }

  @Test
  void get_truncatedValueFile_failsUnreadable() throws IOException {
    FileSystemStore store = open();
    applied(store.compareAndSet(KEY, Precondition.absent(), bytes("secret")));
    Path file = dir().resolve("keys/oneca+prod+ca");
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 3));

    UnreadableRecordException e = (UnreadableRecordException) failure(store.get(KEY));

    assertThat(e.key()).isEqualTo(KEY);
    assertThat(e.backend()).isEqualTo(store.backend());
  }

  @Test
  void compareAndSet_damagedRevisionFile_failsUnreadableAndWritesNothing() throws IOException {
    FileSystemStore store = open();
    Versioned<byte[]> written = applied(store.compareAndSet(KEY, Precondition.absent(), bytes("one")));
    Path revision = dir().resolve("revision");
    byte[] damaged = Files.readAllBytes(revision);
    damaged[8] ^= 0x10;
    Files.write(revision, damaged);

    Throwable e = failure(store.compareAndSet(KEY, Precondition.atVersion(written.version()), bytes("two")));

    assertThat(e).isInstanceOf(UnreadableRecordException.class);
    assertThat(((UnreadableRecordException) e).key()).isEqualTo("revision");
    assertThat(failure(store.compareAndSet("fresh", Precondition.absent(), bytes("x"))))
        .isInstanceOf(UnreadableRecordException.class);
    assertThat(store.get(KEY).join().orElseThrow().value()).isEqualTo(bytes("one"));
    assertThat(store.get("fresh").join()).isEmpty();
    assertThat(Files.readAllBytes(revision)).isEqualTo(damaged);
  }

  @Test
  void compareAndSet_revisionFileMissingWhileKeysExist_failsUnreadable() throws IOException {
    FileSystemStore store = open();
    applied(store.compareAndSet(KEY, Precondition.absent(), bytes("one")));
    Files.delete(dir().resolve("revision"));

    Throwable e = failure(store.compareAndSet("fresh", Precondition.absent(), bytes("x")));

    assertThat(e).isInstanceOf(UnreadableRecordException.class);
    assertThat(((UnreadableRecordException) e).key()).isEqualTo("revision");
  }

  @Test
  void open_leftoverTemporaryFiles_areRemovedAndKeyFilesKept() throws IOException {
    FileSystemStore first = open();
    applied(first.compareAndSet(".tmp-looks-temporary", Precondition.absent(), bytes("kept")));
    first.close();
    Path keyDebris = Files.write(dir().resolve("keys/" + FsDirectory.TMP_PREFIX + "123"), bytes("partial"));
    Path revisionDebris = Files.write(dir().resolve(FsDirectory.TMP_PREFIX + "456"), bytes("partial"));

    FileSystemStore reopened = open();

    assertThat(keyDebris).doesNotExist();
    assertThat(revisionDebris).doesNotExist();
    assertThat(reopened.get(".tmp-looks-temporary").join().orElseThrow().value()).isEqualTo(bytes("kept"));
    assertThat(reopened.list(".tmp-looks-temporary").join()).hasSize(1);
  }

  @Test
  void closedStore_rejectsCalls() {
    FileSystemStore store = open();
    store.close();
    store.close();

    assertThat(failure(store.get(KEY))).isInstanceOf(StoreClosedException.class);
    assertThat(failure(store.compareAndSet(KEY, Precondition.absent(), bytes("x")))).isInstanceOf(StoreClosedException.class);
    assertThat(failure(store.delete(KEY, Precondition.atVersion(1)))).isInstanceOf(StoreClosedException.class);
    assertThat(failure(store.list("oneca/"))).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> store.subscribe(KeyScope.key(KEY), (k, s) -> { }, Runnable::run))
        .isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> store.get("bad//key")).isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void open_onPosix_createsOwnerOnlyDirectoriesAndFiles() throws IOException {
    assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX file system");
    FileSystemStore store = open();
    applied(store.compareAndSet(KEY, Precondition.absent(), bytes("secret")));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir()))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir().resolve("keys")))).isEqualTo("rwx------");
    for (String file : List.of("keys/oneca+prod+ca", "revision", "store.lock")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir().resolve(file))))
          .as(file).isEqualTo("rw-------");
    }
  }

  @Test
  void builder_settingTwice_throwsIllegalState() {
    FileSystemStore.Builder builder = FileSystemStore.builder(dir())
        .pollInterval(Duration.ofMillis(20)).fsync(false);

    assertThatThrownBy(() -> builder.pollInterval(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class).hasMessage("pollInterval was already set");
    assertThatThrownBy(() -> builder.fsync(true))
        .isInstanceOf(IllegalStateException.class).hasMessage("fsync was already set");
  }

  @Test
  void builder_pollIntervalOutOfRange_throwsIllegalArgument() {
    assertThatThrownBy(() -> FileSystemStore.builder(dir()).pollInterval(Duration.ofMillis(9)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FileSystemStore.builder(dir()).pollInterval(Duration.ofSeconds(61)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FileSystemStore.builder(dir()).scheduler(null))
        .isInstanceOf(NullPointerException.class).hasMessage("scheduler");
  }

  @Test
  void close_injectedScheduler_isNotShutDown() {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      FileSystemStore store = FileSystemStore.builder(dir()).scheduler(scheduler).build();
      store.subscribe(KeyScope.key(KEY), (k, s) -> { }, Runnable::run).close();

      store.close();

      assertThat(scheduler.isShutdown()).isFalse();
    } finally {
      scheduler.shutdownNow();
    }
  }
}
