package io.oneca.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.oneca.api.CaView;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.Versioned;
import io.oneca.core.internal.crypto.CaChecks;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.CaRecordCodec;
import java.security.Provider;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The replica's in-memory CA: an immutable {@link CaState} that only moves forward by store
 * version. Every path that could change it (the bootstrap, store events, the periodic resync, an
 * explicit reload) goes through {@link #advance}, which ignores versions that are not newer and
 * parses each stored version at most once.
 */
final class CaCache {

  /** What one replica holds: the record at a store version; {@code generation} counts adoptions. */
  record CaState(long version, long generation, CaRecord record, CaView view) {}

  /** How an offered version was handled. */
  enum Advance {
    /** The offered version became the current state. */
    ADVANCED,
    /** The offered version is not newer than the current state; nothing changed. */
    NOT_NEWER,
    /** The offered version cannot be used; the current state stays. */
    REJECTED
  }

  /** The outcome of offering a version, with the reason when it was rejected. */
  record Offer(Advance advance, CaState state, String problem) {}

  /** A parsed version: the record, or why it cannot be used. */
  private record Parsed(CaRecord record, String problem) {}

  private final String key;
  private final String backend;
  private final CaRecordCodec codec;
  private final Provider provider;
  private final InstantSource clock;
  private final AtomicReference<CaState> current = new AtomicReference<>();
  private final Cache<Long, Parsed> parsed = Caffeine.newBuilder().maximumSize(8).build();

  CaCache(String key, String backend, CaRecordCodec codec, Provider provider, InstantSource clock) {
    this.key = key;
    this.backend = backend;
    this.codec = codec;
    this.provider = provider;
    this.clock = clock;
  }

  /** Returns the current state, or {@code null} before the first adoption. */
  CaState current() {
    return current.get();
  }

  /** Installs a record the bootstrap has already decoded and checked. */
  Offer adoptDecoded(long version, CaRecord record) {
    parsed.put(version, new Parsed(record, null));
    return install(version, record);
  }

  /** Records the parse of a version this replica has just written, so that offering it costs nothing. */
  void prime(long version, CaRecord record) {
    parsed.put(version, new Parsed(record, null));
  }

  /** Offers a stored version: adopts it if it is newer than the current state and usable. */
  Offer offer(Versioned<byte[]> stored) {
    Objects.requireNonNull(stored, "stored");
    CaState now = current.get();
    if (now != null && stored.version() <= now.version()) {
      return new Offer(Advance.NOT_NEWER, now, null);
    }
    Parsed result = parsed.get(stored.version(), version -> parse(stored));
    if (result.problem() != null) {
      // Decide on the state read now, not the one the version was first compared with: another
      // thread may have adopted this version or a newer one meanwhile, and then it is not newer.
      CaState after = current.get();
      if (after != null && stored.version() <= after.version()) {
        return new Offer(Advance.NOT_NEWER, after, null);
      }
      return new Offer(Advance.REJECTED, after, result.problem());
    }
    return install(stored.version(), result.record());
  }

  private Offer install(long version, CaRecord record) {
    while (true) {
      CaState now = current.get();
      if (now != null && version <= now.version()) {
        return new Offer(Advance.NOT_NEWER, now, null);
      }
      CaState next = new CaState(version, now == null ? 1 : now.generation() + 1, record,
          viewWithVersion(record, version));
      if (current.compareAndSet(now, next)) {
        return new Offer(Advance.ADVANCED, next, null);
      }
    }
  }

  private CaView viewWithVersion(CaRecord record, long version) {
    return new CaView(key, version, record.active().fingerprint(), record.active().chain(), record.trustBundle(),
        record.active().keyAlgorithm());
  }

  /** Decodes and checks a stored version without adopting it; the result is cached like an offer's. */
  CaRecord inspect(Versioned<byte[]> stored) {
    Parsed result = parsed.get(stored.version(), version -> parse(stored));
    if (result.problem() != null) {
      throw new UnreadableRecordException(backend, stored.key(), stored.version(), result.problem(), null);
    }
    return result.record();
  }

  private Parsed parse(Versioned<byte[]> stored) {
    CaRecord record;
    try {
      record = codec.decode(stored, backend);
    } catch (UnreadableRecordException e) {
      return new Parsed(null, e.getMessage());
    }
    List<String> problems = new java.util.ArrayList<>(CaChecks.problems(record.active(), clock.instant(), provider));
    record.prepared().ifPresent(next -> CaChecks.problems(next, clock.instant(), provider)
        .forEach(problem -> problems.add("prepared CA: " + problem)));
    if (!problems.isEmpty()) {
      return new Parsed(null, "the CA at key '" + key + "' version " + stored.version() + " in " + backend
          + " is not usable: " + String.join("; ", problems));
    }
    return new Parsed(record, null);
  }
}
