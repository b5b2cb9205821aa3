package io.oneca.core.rotation;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.Versioned;
import io.oneca.core.delivery.AckTracker;
import io.oneca.core.delivery.Acknowledgement;
import io.oneca.core.delivery.ActivationGate;
import io.oneca.core.delivery.DeliveryHub;
import io.oneca.core.delivery.GateDecision;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ActivationCondition#acknowledged}: each replica keeps an {@link AckRecord} at
 * {@code <caKey>.acks/<replica>}, written by compare-and-set only when it changes; the decision is
 * made from the union of all replicas' records. Writes are bounded: at most one read and one
 * compare-and-set per tick, none while nothing changed.
 */
final class AcknowledgedActivation implements ActivationCondition {
  private static final Logger LOG = LoggerFactory.getLogger(AcknowledgedActivation.class);
  static final String SUFFIX = ".acks/";
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final int MAX_ATTEMPTS = 3;

  private final ActivationGate gate;
  private final DeliveryHub<?> hub;
  private final String item;
  private final AckTracker acks;
  /** What this replica last wrote or read back, per record key. */
  private final ConcurrentMap<String, AckRecord> written = new ConcurrentHashMap<>();

  AcknowledgedActivation(ActivationGate gate, DeliveryHub<?> hub, String item, AckTracker acks) {
    this.gate = gate;
    this.hub = hub;
    this.item = item;
    this.acks = acks;
  }

  /** This replica alone: its live consumers and their acknowledgements. */
  @Override
  public GateDecision decide(long preparedBundleVersion, Instant preparedAt) {
    return gate.decide(preparedBundleVersion, preparedAt, hub.liveConsumers(item), acks.snapshot());
  }

  @Override
  public CompletableFuture<Void> record(ActivationContext context) {
    String key = key(context.caKey(), context.replicaId());
    AckRecord mine = local(context);
    if (mine.equals(written.get(key))) {
      return CompletableFuture.completedFuture(null);
    }
    return write(context, key, mine, 1);
  }

  private CompletableFuture<Void> write(ActivationContext context, String key, AckRecord mine, int attempt) {
    return context.store().get(key).thenCompose(stored -> {
      if (stored.isPresent() && mine.equals(readable(stored.get()).orElse(null))) {
        written.put(key, mine);
        return CompletableFuture.completedFuture(null);
      }
      Precondition precondition = stored.map(v -> Precondition.atVersion(v.version())).orElse(Precondition.absent());
      return context.store().compareAndSet(key, precondition, mine.encode()).thenCompose(result -> {
        if (result instanceof CasResult.Applied) {
          written.put(key, mine);
          return CompletableFuture.<Void>completedFuture(null);
        }
        if (attempt < MAX_ATTEMPTS) {
          return write(context, key, mine, attempt + 1);
        }
        LOG.warn("Acknowledgement record '{}' kept changing under this replica ({} attempts): does another"
            + " replica use the id '{}'?", key, attempt, context.replicaId());
        return CompletableFuture.<Void>completedFuture(null);
      });
    });
  }

  @Override
  public CompletableFuture<GateDecision> decide(ActivationContext context) {
    String own = key(context.caKey(), context.replicaId());
    AckRecord mine = local(context);
    long target = context.preparedBundleVersion();
    return context.store().list(context.caKey() + SUFFIX).thenApply(stored -> {
      Set<String> live = new TreeSet<>(mine.live());
      Map<String, AckRecord.Ack> acked = new TreeMap<>(mine.acked());
      boolean ownFound = false;
      for (Versioned<byte[]> value : stored) {
        if (value.key().equals(own)) {
          ownFound = true;
          continue;
        }
        Optional<AckRecord> other = readable(value);
        if (other.isEmpty()) {
          live.add("unreadable acknowledgement record " + value.key());
          continue;
        }
        live.addAll(other.get().live());
        if (other.get().prepared().equals(context.prepared())) {
          other.get().acked().forEach((name, ack) -> acked.merge(name, ack,
              (a, b) -> a.version() >= b.version() ? a : b));
        }
      }
      if (!ownFound) {
        written.remove(own); // deleted behind this replica's back: the next tick writes it again
      }
      Map<String, Acknowledgement> acknowledgements = new TreeMap<>();
      // Every recorded acknowledgement is of a bundle holding the prepared CA: it meets the target.
      acked.forEach((name, ack) ->
          acknowledgements.put(name, new Acknowledgement(name, Math.max(ack.version(), target), ack.at())));
      return gate.decide(target, context.preparedAt(), live, acknowledgements);
    });
  }

  private AckRecord local(ActivationContext context) {
    SortedMap<String, AckRecord.Ack> acked = new TreeMap<>();
    acks.snapshot().forEach((name, ack) -> {
      if (ack.bundleVersion() >= context.preparedBundleVersion()) {
        acked.put(name, new AckRecord.Ack(ack.bundleVersion(), ack.at()));
      }
    });
    return new AckRecord(context.prepared(), new TreeSet<>(hub.liveConsumers(item)), acked);
  }

  private static Optional<AckRecord> readable(Versioned<byte[]> value) {
    try {
      return Optional.of(AckRecord.decode(value.value()));
    } catch (IllegalArgumentException e) {
      LOG.warn("Acknowledgement record '{}' at version {} is unreadable; it holds the activation gate until the"
          + " deadline or until it is deleted: {}", value.key(), value.version(), e.getMessage());
      return Optional.empty();
    }
  }

  /** The key of a replica's record: the replica id if it is a valid key segment, else a digest of it. */
  static String key(String caKey, String replicaId) {
    String segment = SEGMENT.matcher(replicaId).matches() && !replicaId.equals(".") && !replicaId.equals("..")
        ? replicaId : "r-" + digest(replicaId);
    String key = caKey + SUFFIX + segment;
    if (key.length() > StoreKeys.MAX_KEY_LENGTH) {
      key = caKey + SUFFIX + "r-" + digest(replicaId);
    }
    try {
      return StoreKeys.validateKey(key);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException("caKey", "'" + caKey + "' leaves no room for the acknowledgement records ("
          + e.getMessage() + ")");
    }
  }

  private static String digest(String replicaId) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(replicaId.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JDK", e);
    }
  }
}
