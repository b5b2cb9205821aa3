package io.oneca.core.internal.record;

import io.oneca.api.Fingerprint;
import io.oneca.core.internal.crypto.CaMaterial;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The rotation transitions as pure functions from one {@link CaRecord} to the next. Callers write
 * the result with a compare-and-set from the version they read, so that concurrent rotators produce
 * exactly one new state.
 *
 * <p>The trust bundle changes incrementally: preparing adds the prepared CA's root, activating keeps
 * it, pruning or distrusting removes a CA's root unless another slot still chains to it (in
 * intermediate mode every slot shares the offline root, which therefore never leaves).
 */
public final class RotationTransitions {
  /** The most retired CAs a record keeps; beyond it the oldest is dropped (and logged by the caller). */
  public static final int MAX_RETIRED = 8;

  private RotationTransitions() {}

  /** Adds {@code next} as the prepared CA. The record must not have one. */
  public static CaRecord prepare(CaRecord record, CaMaterial next, Optional<X509Certificate> cross, Instant now) {
    if (record.prepared().isPresent()) {
      throw new IllegalStateException("a CA is already prepared: " + record.prepared().get().fingerprint().shortForm());
    }
    List<X509Certificate> bundle = withCertificate(record.trustBundle(), root(next.chain()));
    return new CaRecord(record.active(), bundle, record.createdAt(), record.createdBy(), Optional.of(next),
        Optional.of(now), record.retired(), record.activeCross(), cross);
  }

  /**
   * Makes the prepared CA active and retires the active one until {@code retainUntil}.
   *
   * @return the new record and the retired CAs dropped because of {@link #MAX_RETIRED}
   */
  public static Step activate(CaRecord record, Instant now, Instant retainUntil) {
    CaMaterial next = record.prepared().orElseThrow(() -> new IllegalStateException("no CA is prepared"));
    return replaceActive(record, next, record.preparedCross(), false, now, retainUntil);
  }

  /**
   * Replaces the active CA by {@code next} at once, dropping any prepared CA; the old active CA is
   * retired until {@code retainUntil}, or removed from the trust bundle when {@code distrust}.
   */
  public static Step force(CaRecord record, CaMaterial next, Optional<X509Certificate> cross, boolean distrust,
      Instant now, Instant retainUntil) {
    CaRecord withoutPrepared = record;
    if (record.prepared().isPresent()) {
      CaMaterial dropped = record.prepared().get();
      withoutPrepared = new CaRecord(record.active(), record.trustBundle(), record.createdAt(), record.createdBy(),
          Optional.empty(), Optional.empty(), record.retired(), record.activeCross(), Optional.empty());
      withoutPrepared = withBundle(withoutPrepared,
          withoutRootUnlessUsed(withoutPrepared.trustBundle(), dropped.chain(), withoutPrepared));
    }
    CaRecord withNext = prepare(withoutPrepared, next, cross, now);
    return replaceActive(withNext, next, cross, distrust, now, retainUntil);
  }

  /** Removes the retired CAs whose retention ended at {@code now}; returns the same record if none did. */
  public static Step pruneRetired(CaRecord record, Instant now) {
    List<RetiredCa> kept = new ArrayList<>();
    List<RetiredCa> dropped = new ArrayList<>();
    for (RetiredCa old : record.retired()) {
      (old.retainUntil().isAfter(now) ? kept : dropped).add(old);
    }
    if (dropped.isEmpty()) {
      return new Step(record, List.of());
    }
    return new Step(dropRetired(record, kept, dropped), dropped);
  }

  /** A new record and the retired CAs it no longer trusts. */
  public record Step(CaRecord record, List<RetiredCa> dropped) {
    /** Copies the list. */
    public Step {
      Objects.requireNonNull(record, "record");
      dropped = List.copyOf(dropped);
    }
  }

  private static Step replaceActive(CaRecord record, CaMaterial next, Optional<X509Certificate> cross,
      boolean distrust, Instant now, Instant retainUntil) {
    CaMaterial old = record.active();
    List<RetiredCa> retired = new ArrayList<>(record.retired());
    if (!distrust) {
      retired.add(new RetiredCa(old.chain(), now, retainUntil));
    }
    List<RetiredCa> dropped = new ArrayList<>();
    while (retired.size() > MAX_RETIRED) {
      dropped.add(retired.remove(0));
    }
    CaRecord promoted = new CaRecord(next, record.trustBundle(), record.createdAt(), record.createdBy(),
        Optional.empty(), Optional.empty(), retired, distrust ? Optional.empty() : cross, Optional.empty());
    if (distrust) {
      promoted = withBundle(promoted, withoutRootUnlessUsed(promoted.trustBundle(), old.chain(), promoted));
    }
    return new Step(dropped.isEmpty() ? promoted : dropRetired(promoted, retired, dropped), dropped);
  }

  private static CaRecord dropRetired(CaRecord record, List<RetiredCa> kept, List<RetiredCa> dropped) {
    CaRecord next = new CaRecord(record.active(), record.trustBundle(), record.createdAt(), record.createdBy(),
        record.prepared(), record.preparedAt(), kept, record.activeCross(), record.preparedCross());
    for (RetiredCa old : dropped) {
      next = withBundle(next, withoutRootUnlessUsed(next.trustBundle(), old.chain(), next));
    }
    Optional<X509Certificate> cross = next.activeCross();
    if (cross.isPresent() && dropped.stream().anyMatch(old -> old.certificate().getSubjectX500Principal()
        .equals(cross.get().getIssuerX500Principal()))) {
      // The cross-certificate chains to a CA peers no longer trust: serving it would only confuse them.
      next = new CaRecord(next.active(), next.trustBundle(), next.createdAt(), next.createdBy(), next.prepared(),
          next.preparedAt(), next.retired(), Optional.empty(), next.preparedCross());
    }
    return next;
  }

  private static CaRecord withBundle(CaRecord record, List<X509Certificate> bundle) {
    return new CaRecord(record.active(), bundle, record.createdAt(), record.createdBy(), record.prepared(),
        record.preparedAt(), record.retired(), record.activeCross(), record.preparedCross());
  }

  /** The top certificate of a chain: the root for a complete chain. */
  static X509Certificate root(List<X509Certificate> chain) {
    return chain.get(chain.size() - 1);
  }

  private static List<X509Certificate> withCertificate(List<X509Certificate> bundle, X509Certificate certificate) {
    Map<Fingerprint, X509Certificate> byFingerprint = index(bundle);
    byFingerprint.putIfAbsent(Fingerprint.of(certificate), certificate);
    return List.copyOf(byFingerprint.values());
  }

  private static List<X509Certificate> withoutRootUnlessUsed(
      List<X509Certificate> bundle, List<X509Certificate> chain, CaRecord remaining) {
    Fingerprint gone = Fingerprint.of(root(chain));
    List<List<X509Certificate>> live = new ArrayList<>();
    live.add(remaining.active().chain());
    remaining.prepared().ifPresent(next -> live.add(next.chain()));
    remaining.retired().forEach(old -> live.add(old.chain()));
    for (List<X509Certificate> other : live) {
      if (Fingerprint.of(root(other)).equals(gone)) {
        return bundle;
      }
    }
    Map<Fingerprint, X509Certificate> byFingerprint = index(bundle);
    byFingerprint.remove(gone);
    if (byFingerprint.isEmpty()) {
      // Never leave peers with nothing to trust: keep the active root.
      byFingerprint.put(Fingerprint.of(root(remaining.active().chain())), root(remaining.active().chain()));
    }
    return List.copyOf(byFingerprint.values());
  }

  private static Map<Fingerprint, X509Certificate> index(List<X509Certificate> bundle) {
    Map<Fingerprint, X509Certificate> byFingerprint = new LinkedHashMap<>();
    for (X509Certificate certificate : bundle) {
      byFingerprint.putIfAbsent(Fingerprint.of(certificate), certificate);
    }
    return byFingerprint;
  }
}
