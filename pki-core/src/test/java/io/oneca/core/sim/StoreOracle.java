package io.oneca.core.sim;

import io.oneca.api.Fingerprint;
import io.oneca.api.Pem;
import io.oneca.api.store.NamedEntries;
import io.oneca.api.store.Versioned;
import io.oneca.testkit.sim.SimStore;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the store has held, read through public formats only (pki-api's {@link NamedEntries} and
 * PEM): every record ever written, by version, with its active CA, trust bundle and cross
 * certificate. Gives the CAs short names (CA1, CA2 ...) in order of first sight, so traces do not
 * depend on random key material.
 */
final class StoreOracle {
  /** One stored CA record, decoded. */
  record StoredCa(long version, Fingerprint active, X509Certificate activeCertificate, Optional<Fingerprint> prepared,
      Set<Fingerprint> bundle, List<X509Certificate> bundleCertificates, Optional<X509Certificate> activeCross,
      int historyIndex) {}

  private final SimStore store;
  private final String key;
  private final Map<Long, Set<Fingerprint>> activeByVersion = new HashMap<>();
  private final Map<Fingerprint, StoredCa> firstRecordOfCa = new HashMap<>();
  private final Map<Fingerprint, String> names = new LinkedHashMap<>();
  private final Set<Fingerprint> everActive = new HashSet<>();
  /** Each CA's predecessor: the active CA of the record its first record replaced (none: founded on an empty key). */
  private final Map<Fingerprint, Optional<Fingerprint>> parent = new HashMap<>();
  private Fingerprint currentActive;
  private int seen;
  private int firstRecordIndex = -1;

  StoreOracle(SimStore store, String key) {
    this.store = store;
    this.key = key;
  }

  /** Reads the changes applied since the last call. */
  void update() {
    int size = store.historySize();
    for (; seen < size; seen++) {
      SimStore.Change change = store.historyAt(seen);
      if (!change.key().equals(key)) {
        continue;
      }
      if (change.state().isEmpty()) {
        currentActive = null;
        continue;
      }
      StoredCa ca = decode(change.state().get(), seen);
      Optional<Fingerprint> predecessor = Optional.ofNullable(currentActive);
      parent.putIfAbsent(ca.active(), predecessor);
      ca.prepared().ifPresent(next -> parent.putIfAbsent(next, Optional.of(ca.active())));
      currentActive = ca.active();
      if (change.by().equals("restore")) {
        continue;
      }
      activeByVersion.computeIfAbsent(ca.version(), v -> new HashSet<>()).add(ca.active());
      firstRecordOfCa.putIfAbsent(ca.active(), ca);
      everActive.add(ca.active());
      if (firstRecordIndex < 0) {
        firstRecordIndex = seen;
      }
    }
  }

  /**
   * Whether {@code descendant} continues {@code ancestor} by the store's history: it was prepared
   * under it or written over a record of it (directly or through successors), never founded anew.
   */
  boolean descends(Fingerprint descendant, Fingerprint ancestor) {
    Fingerprint at = descendant;
    for (int hops = 0; at != null && hops < 1000; hops++) {
      if (at.equals(ancestor)) {
        return true;
      }
      at = parent.getOrDefault(at, Optional.empty()).orElse(null);
    }
    return false;
  }

  /** Whether the store held a record at {@code version} whose active CA is {@code active}. */
  boolean confirmed(long version, Fingerprint active) {
    return activeByVersion.getOrDefault(version, Set.of()).contains(active);
  }

  /** The first stored record whose active CA is {@code active}, if any. */
  Optional<StoredCa> firstRecordOf(Fingerprint active) {
    return Optional.ofNullable(firstRecordOfCa.get(active));
  }

  /** Index in the store's history of the first CA record ever written, or -1. */
  int firstRecordIndex() {
    return firstRecordIndex;
  }

  /** Decodes what the store holds now, or empty. */
  Optional<StoredCa> current() {
    return store.peek(key).map(stored -> decode(stored, -1));
  }

  /** A short, stable name for a CA: CA1 is the first one the simulation saw. */
  String name(Fingerprint fingerprint) {
    return names.computeIfAbsent(fingerprint, f -> "CA" + (names.size() + 1));
  }

  static StoredCa decode(Versioned<byte[]> stored, int historyIndex) {
    NamedEntries entries = NamedEntries.decode(stored.value());
    List<X509Certificate> chain = certificates(entries, "ca.crt");
    List<X509Certificate> bundle = certificates(entries, "trust-bundle.pem");
    Set<Fingerprint> bundleFingerprints = new HashSet<>();
    for (X509Certificate certificate : bundle) {
      bundleFingerprints.add(Fingerprint.of(certificate));
    }
    Optional<X509Certificate> cross = entries.entry("ca.cross.crt").map(bytes ->
        Pem.decodeCertificates(new String(bytes, StandardCharsets.US_ASCII)).get(0));
    Optional<Fingerprint> prepared = entries.entry("next.crt").map(bytes ->
        Fingerprint.of(Pem.decodeCertificates(new String(bytes, StandardCharsets.US_ASCII)).get(0)));
    return new StoredCa(stored.version(), Fingerprint.of(chain.get(0)), chain.get(0), prepared, bundleFingerprints,
        bundle, cross, historyIndex);
  }

  private static List<X509Certificate> certificates(NamedEntries entries, String name) {
    byte[] bytes = entries.entry(name).orElseThrow(() -> new IllegalStateException("record without " + name));
    return Pem.decodeCertificates(new String(bytes, StandardCharsets.US_ASCII));
  }
}
