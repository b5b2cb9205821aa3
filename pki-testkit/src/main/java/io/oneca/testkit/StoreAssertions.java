package io.oneca.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.oneca.api.StoreClosedException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The assertions {@link VersionedStoreContract} is written in: exact keys, versions and bytes. */
final class StoreAssertions {
  /** How long one store operation may take before the test fails. */
  static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(30);

  private StoreAssertions() {}

  /** Waits for a store future; rethrows its failure unwrapped, so that assertThrows sees the type. */
  static <T> T join(CompletableFuture<T> future) {
    assertNotNull(future, "the store returned a null future");
    try {
      return future.get(OPERATION_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new AssertionError("operation failed", cause);
    } catch (TimeoutException e) {
      throw new AssertionError("operation did not complete within " + OPERATION_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  static void assertStoreClosed(CompletableFuture<?> future) {
    assertNotNull(future, "the store returned a null future");
    try {
      Object value = future.get(OPERATION_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
      fail("expected StoreClosedException, completed with " + value);
    } catch (ExecutionException | CompletionException e) {
      assertInstanceOf(StoreClosedException.class, unwrap(e));
    } catch (TimeoutException e) {
      fail("operation on a closed client did not complete within " + OPERATION_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted");
    }
  }

  static Versioned<byte[]> create(VersionedStore client, String key, byte[] value) {
    return applied(join(client.compareAndSet(key, Precondition.absent(), value)));
  }

  static Versioned<byte[]> replace(VersionedStore client, Versioned<byte[]> current, byte[] value) {
    Versioned<byte[]> written =
        applied(join(client.compareAndSet(current.key(), Precondition.atVersion(current.version()), value)));
    assertTrue(written.version() > current.version(), "version must increase: " + current + " then " + written);
    return written;
  }

  static Versioned<byte[]> applied(CasResult result) {
    return assertInstanceOf(CasResult.Applied.class, result, "expected Applied").value();
  }

  static Optional<Versioned<byte[]>> conflict(CasResult result) {
    return assertInstanceOf(CasResult.Conflict.class, result, "expected Conflict").current();
  }

  static void assertVersioned(String key, byte[] value, long version, Versioned<byte[]> actual) {
    assertNotNull(actual);
    assertEquals(key, actual.key(), "key");
    assertEquals(version, actual.version(), "version of " + key);
    assertArrayEquals(value, actual.value(), "value of " + key);
  }

  static void assertPresent(Versioned<byte[]> expected, Optional<Versioned<byte[]>> actual) {
    assertNotNull(actual, "state");
    assertTrue(actual.isPresent(), "expected " + expected + ", was absent");
    assertVersioned(expected.key(), expected.value(), expected.version(), actual.get());
  }

  static void assertListed(List<Versioned<byte[]>> expected, List<Versioned<byte[]>> actual) {
    assertNotNull(actual, "list");
    List<String> expectedKeys = expected.stream().map(Versioned::key).sorted().toList();
    assertEquals(expectedKeys, actual.stream().map(Versioned::key).toList(), "listed keys, sorted");
    for (Versioned<byte[]> value : expected) {
      assertPresent(value, actual.stream().filter(v -> v.key().equals(value.key())).findFirst());
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(UTF_8);
  }
}
