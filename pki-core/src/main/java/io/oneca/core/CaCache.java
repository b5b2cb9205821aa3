package io.oneca.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.oneca.api.CaView;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.Versioned;
import io.oneca.core.internal.crypto.CaChecks;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.CaRecordCodec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The replica's in-memory CA: an immutable {@link CaState} that moves forward by store version and
 * only along the CA's line. Every path that could change it (the bootstrap, store events, the
 * periodic resync, an explicit reload, rotation) goes through {@link #offer}, {@link #offerRead} or
 * {@link #offerAdmitted}.
 *
 * <p>Decoding (and the time-independent checks) of each stored value is cached by version and
 * content (an entry is used only for identical bytes), so a different value at the same version is
 * never answered from the cache.
 * Validity in time is checked on every offer, with the clock-skew tolerance, so a CA rejected while
 * this replica's clock was behind is adopted once the clock is right.
 *
 * <p>Regression: a lower version than held, or the same version with other bytes, means the store
 * went backwards (a restore, a reseeded counter). Only a read that started after the held state was
 * installed can say so (an event, or a read that raced a newer adoption, may simply be late); such a
 * regressed record is re-adopted with a new generation if it continues the line, and refused if not.
 */
final class CaCache {

  /**
   * What one replica holds: the record at a store version; {@code generation} counts adoptions;
   * {@code value} is the stored bytes (never modified).
   */
  record CaState(long version, long generation, CaRecord record, CaView view, byte[] value) {
    /** Whether {@code stored} is exactly this state: same version, same bytes. */
    boolean holds(Versioned<byte[]> stored) {
      return stored.version() == version && (stored.value() == value || Arrays.equals(stored.value(), value));
    }
  }

  /** How an offered version was handled. */
  enum Advance {
    /** The offered version became the current state. */
    ADVANCED,
    /** The store went backwards and the regressed record, which continues the line, became the current state. */
    READOPTED,
    /** The offered version is not newer than the current state (or may be a late delivery); nothing changed. */
    NOT_NEWER,
    /** The offered version cannot be used (unreadable, invalid, or not valid by this replica's clock). */
    REJECTED,
    /** The offered version's CA does not continue the current one; the current state stays. */
    REFUSED
  }

  /**
   * The outcome of offering a version.
   *
   * @param advance what happened
   * @param state the current state afterwards
   * @param problem why it was rejected or refused, else {@code null}
   * @param offered the decoded offered record when it could be decoded, else {@code null}
   * @param regressed whether the offer showed the store behind the state held when it was made
   * @param clockSkew whether a rejection is only because the CA is not valid yet by this clock
   */
  record Offer(Advance advance, CaState state, String problem, CaRecord offered, boolean regressed,
      boolean clockSkew) {}

  /** A decoded value: the record, or why it cannot be used; independent of time. */
  private record Parsed(long version, byte[] value, CaRecord record, String problem) {}

  /**
   * The parse cache's key: a version and a digest of its bytes; an entry is used only if its bytes
   * equal the offered ones, so a different value at the same version is never answered from it.
   */
  private record ParseKey(long version, int contentHashCode, int length) {
    static ParseKey of(Versioned<byte[]> stored) {
      return new ParseKey(stored.version(), Arrays.hashCode(stored.value()), stored.value().length);
    }
  }

  /** The basis of an offer that is not a read started at a known generation (an event). */
  static final long NO_BASIS = Long.MIN_VALUE;

  private final String key;
  private final String backend;
  private final CaRecordCodec codec;
  private final Provider provider;
  private final InstantSource clock;
  private final Duration clockSkewTolerance;
  private final AtomicReference<CaState> current = new AtomicReference<>();
  private final Cache<ParseKey, Parsed> parsed = Caffeine.newBuilder().maximumSize(8).build();
  /** The same decodings by array instance (identity, weakly held): offering the same array again reads no byte. */
  private final Cache<byte[], Parsed> parsedInstances = Caffeine.newBuilder().weakKeys().maximumSize(8).build();

  CaCache(String key, String backend, CaRecordCodec codec, Provider provider, InstantSource clock,
      Duration clockSkewTolerance) {
    this.key = key;
    this.backend = backend;
    this.codec = codec;
    this.provider = provider;
    this.clock = clock;
    this.clockSkewTolerance = clockSkewTolerance;
  }

  /** Returns the current state, or {@code null} before the first adoption. */
  CaState current() {
    return current.get();
  }

  /** Installs a record the bootstrap has already decoded and checked. */
  Offer adoptDecoded(Versioned<byte[]> stored, CaRecord record) {
    byte[] value = stored.value().clone();
    parsed.put(ParseKey.of(stored), new Parsed(stored.version(), value, record, null));
    return install(stored.version(), value, record, null, NO_BASIS, true);
  }

  /** Records the parse of a version this replica has just written, so that offering it costs nothing. */
  void prime(Versioned<byte[]> stored, CaRecord record) {
    Parsed primed = new Parsed(stored.version(), stored.value().clone(), record, null);
    parsed.put(ParseKey.of(stored), primed);
    parsedInstances.put(stored.value(), primed);
  }

  /**
   * Offers a version delivered by a store event: adopted if newer, usable and on the line. A lower
   * version is taken as a late delivery, never as a regression.
   */
  Offer offer(Versioned<byte[]> stored) {
    return offer(stored, NO_BASIS, false);
  }

  /**
   * Offers a version read from the store by a linearizable read that started while the state of
   * generation {@code basis} was current. If that state is still current, a lower version or other
   * bytes at the same version prove the store went backwards.
   */
  Offer offerRead(Versioned<byte[]> stored, long basis) {
    return offer(stored, basis, false);
  }

  /**
   * Offers a version whose CA needs no lineage check: this replica wrote it (a rotation step, with
   * the generation current before the write was sent as {@code basis}), or the store's lineage
   * evidence admits it (an operator's forced rotation or reset).
   */
  Offer offerAdmitted(Versioned<byte[]> stored, long basis) {
    return offer(stored, basis, true);
  }

  /** Returns the generation of the current state, the basis for {@link #offerRead}; 0 before any. */
  long generation() {
    CaState now = current.get();
    return now == null ? 0 : now.generation();
  }

  private Offer offer(Versioned<byte[]> stored, long basis, boolean admitted) {
    Objects.requireNonNull(stored, "stored");
    CaState now = current.get();
    boolean regressed = false;
    if (now != null && stored.version() <= now.version()) {
      if (now.holds(stored) || basis != now.generation()) {
        return new Offer(Advance.NOT_NEWER, now, null, null, false, false);
      }
      regressed = true;
    }
    Parsed result = parsedOf(stored);
    if (result.problem() != null) {
      return rejected(stored, result.problem(), null, regressed, false);
    }
    CaRecord record = result.record();
    List<String> timing = new ArrayList<>();
    Instant at = clock.instant();
    timing.addAll(CaChecks.validityProblems(record.active(), at, clockSkewTolerance));
    record.prepared().ifPresent(next -> CaChecks.validityProblems(next, at, clockSkewTolerance)
        .forEach(problem -> timing.add("prepared CA: " + problem)));
    if (!timing.isEmpty()) {
      boolean skew = CaChecks.notYetValid(record.active(), at, clockSkewTolerance)
          || record.prepared().map(next -> CaChecks.notYetValid(next, at, clockSkewTolerance)).orElse(false);
      return rejected(stored, "the CA at key '" + key + "' version " + stored.version() + " in " + backend
          + " is not usable: " + String.join("; ", timing), record, regressed, skew);
    }
    return install(stored.version(), stored.value(), record, regressed ? now : null, regressed ? basis : NO_BASIS,
        admitted);
  }

  private Offer rejected(Versioned<byte[]> stored, String problem, CaRecord record, boolean regressed, boolean skew) {
    // Decide on the state read now, not the one the version was first compared with: another
    // thread may have adopted this version or a newer one meanwhile, and then it is not newer.
    CaState after = current.get();
    if (!regressed && after != null && stored.version() <= after.version()) {
      return new Offer(Advance.NOT_NEWER, after, null, null, false, false);
    }
    return new Offer(Advance.REJECTED, after, problem, record, regressed, skew);
  }

  /**
   * Installs a record: forward when {@code regressedFrom} is null, else in place of exactly that
   * state (a regression is acted on only against the state it was observed against).
   */
  private Offer install(long version, byte[] value, CaRecord record, CaState regressedFrom, long basis,
      boolean admitted) {
    boolean regression = basis != NO_BASIS;
    while (true) {
      CaState now = current.get();
      if (regression) {
        if (now != regressedFrom) {
          return new Offer(Advance.NOT_NEWER, now, null, null, false, false);
        }
      } else if (now != null && (version < now.version()
          || (version == now.version() && Arrays.equals(value, now.value())))) {
        return new Offer(Advance.NOT_NEWER, now, null, null, false, false);
      } else if (now != null && version == now.version()) {
        // Same version, other bytes, seen by an offer that cannot prove a regression: wait for a read.
        return new Offer(Advance.NOT_NEWER, now, null, null, false, false);
      }
      if (now != null && !admitted) {
        Optional<String> broken = CaLineage.discontinuity(now.record(), record);
        if (broken.isPresent()) {
          return new Offer(Advance.REFUSED, now, "the CA at key '" + key + "' version " + version + " in " + backend
              + " is refused: " + broken.get(), record, regression, false);
        }
      }
      CaState next = new CaState(version, now == null ? 1 : now.generation() + 1, record,
          viewWithVersion(record, version), value);
      if (current.compareAndSet(now, next)) {
        return new Offer(regression ? Advance.READOPTED : Advance.ADVANCED, next, null, record, regression, false);
      }
    }
  }

  private CaView viewWithVersion(CaRecord record, long version) {
    return new CaView(key, version, record.active().fingerprint(), record.active().chain(), record.trustBundle(),
        record.active().keyAlgorithm());
  }

  /**
   * Decodes and checks a stored version without adopting it; cached like an offer's. Validity in time
   * is not checked: a rotation step must be able to act on a record whose active CA has expired.
   */
  CaRecord inspect(Versioned<byte[]> stored) {
    Parsed result = parsedOf(stored);
    if (result.problem() != null) {
      throw new UnreadableRecordException(backend, stored.key(), stored.version(), result.problem(), null);
    }
    return result.record();
  }

  /** Whether {@code record} continues the current state's line; empty when it does (or nothing is held). */
  Optional<String> discontinuity(CaRecord record) {
    CaState now = current.get();
    return now == null ? Optional.empty() : CaLineage.discontinuity(now.record(), record);
  }

  /** The cached decoding of exactly these bytes at this version, decoding them if there is none. */
  private Parsed parsedOf(Versioned<byte[]> stored) {
    Parsed same = parsedInstances.getIfPresent(stored.value());
    if (same != null && same.version() == stored.version()) {
      return same;
    }
    ParseKey key = ParseKey.of(stored);
    Parsed cached = parsed.getIfPresent(key);
    if (cached != null && Arrays.equals(cached.value(), stored.value())) {
      parsedInstances.put(stored.value(), cached);
      return cached;
    }
    Parsed fresh = parse(stored);
    parsed.put(key, fresh);
    parsedInstances.put(stored.value(), fresh);
    return fresh;
  }

  private Parsed parse(Versioned<byte[]> stored) {
    byte[] value = stored.value().clone();
    CaRecord record;
    try {
      record = codec.decode(stored, backend);
    } catch (UnreadableRecordException e) {
      return new Parsed(stored.version(), value, null, e.getMessage());
    }
    List<String> problems = new ArrayList<>(CaChecks.structuralProblems(record.active(), provider));
    record.prepared().ifPresent(next -> CaChecks.structuralProblems(next, provider)
        .forEach(problem -> problems.add("prepared CA: " + problem)));
    if (!problems.isEmpty()) {
      return new Parsed(stored.version(), value, null, "the CA at key '" + key + "' version " + stored.version() + " in " + backend
          + " is not usable: " + String.join("; ", problems));
    }
    return new Parsed(stored.version(), value, record, null);
  }

  /** The SHA-256 of stored bytes, in hex. */
  static String hash(byte[] value) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
