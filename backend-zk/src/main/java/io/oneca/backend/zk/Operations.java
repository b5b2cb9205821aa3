package io.oneca.backend.zk;

import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.curator.RetryLoop;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * The blocking store operations on one Curator client.
 *
 * <p>Reads (always {@code sync} first) go through Curator's {@link RetryLoop}: repeating a read is
 * harmless. Writes are sent exactly once on the raw {@link ZooKeeper} handle, bypassing Curator's
 * retry loop, which would silently re-send a {@code create} or {@code setData} after a
 * ConnectionLoss and turn our own applied write into an apparent conflict. A write that fails with
 * an unknown outcome is settled by a re-read instead ({@link #settle}).
 */
final class Operations {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Operations.class);
  /** Bounds the loops that handle a concurrently created, emptied or removed parent znode. */
  private static final int MAX_ATTEMPTS = 16;

  private final CuratorFramework client;
  private final KeyPaths paths;
  private final List<ACL> acl;
  private final String backend;
  private final boolean hasCredentials;

  Operations(CuratorFramework client, KeyPaths paths, List<ACL> acl, String backend, boolean hasCredentials) {
    this.client = client;
    this.paths = paths;
    // Not List.copyOf: ZooKeeper checks acl.contains(null), which immutable lists reject with an NPE.
    this.acl = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(acl));
    this.backend = backend;
    this.hasCredentials = hasCredentials;
  }

  KeyPaths paths() {
    return paths;
  }

  /** A znode as read: whether it exists, its value (if any) and what a conditional write needs. */
  record NodeState(boolean exists, Optional<Versioned<byte[]>> value, int dataVersion, int numChildren) {
    static final NodeState MISSING = new NodeState(false, Optional.empty(), -1, 0);
  }

  ZooKeeper zk() throws Exception {
    return client.getZookeeperClient().getZooKeeper();
  }

  <T> T withReadRetry(Callable<T> read) throws Exception {
    return RetryLoop.callWithRetry(client.getZookeeperClient(), read);
  }

  Optional<Versioned<byte[]>> get(String key) throws Exception {
    return readSynced(key).value();
  }

  NodeState readSynced(String key) throws Exception {
    return withReadRetry(() -> {
      ZooKeeper zk = zk();
      zk.sync(paths.base());
      return read(zk, key);
    });
  }

  NodeState read(ZooKeeper zk, String key) throws KeeperException, InterruptedException {
    Stat stat = new Stat();
    byte[] data;
    try {
      data = zk.getData(paths.pathOf(key), false, stat);
    } catch (KeeperException.NoNodeException e) {
      return NodeState.MISSING;
    }
    return new NodeState(true, Framing.decode(backend, key, data, stat.getMzxid()), stat.getVersion(), stat.getNumChildren());
  }

  CasResult compareAndSet(String key, Precondition precondition, byte[] value) throws Exception {
    byte[] framed = Framing.encode(value);
    awaitConnectedBeforeWrite(key);
    try {
      if (precondition instanceof Precondition.AtVersion at) {
        return replace(key, at.version(), framed);
      }
      return create(key, framed);
    } catch (KeeperException e) {
      if (Errors.outcomeUnknown(e)) {
        return settle(key, precondition, value, e);
      }
      throw e;
    }
  }

  private CasResult create(String key, byte[] framed) throws Exception {
    String path = paths.pathOf(key);
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        Stat stat = new Stat();
        zk().create(path, framed, acl, CreateMode.PERSISTENT, stat);
        return applied(key, framed, stat);
      } catch (KeeperException.NoNodeException e) {
        createParents(key, path);
        continue;
      } catch (KeeperException.NodeExistsException e) {
        // The znode exists: with a value that is a conflict; without one it is a parent (or a key
        // deleted while it had children) and creating the key means setting its data, if unchanged.
      }
      NodeState state = readSynced(key);
      if (state.value().isPresent()) {
        return new CasResult.Conflict(state.value());
      }
      if (!state.exists()) {
        continue;
      }
      try {
        Stat stat = zk().setData(path, framed, state.dataVersion());
        return applied(key, framed, stat);
      } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
        // Changed under us: look again.
      }
    }
    throw new StoreUnavailableException(backend, key, false,
        "create did not settle after " + MAX_ATTEMPTS + " attempts: the znode kept changing", null);
  }

  private CasResult replace(String key, long expected, byte[] framed) throws Exception {
    NodeState state = readSynced(key);
    if (state.value().isEmpty() || state.value().get().version() != expected) {
      return new CasResult.Conflict(state.value());
    }
    try {
      Stat stat = zk().setData(paths.pathOf(key), framed, state.dataVersion());
      return applied(key, framed, stat);
    } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
      return new CasResult.Conflict(readSynced(key).value());
    }
  }

  CasResult delete(String key, long expected) throws Exception {
    NodeState state = readSynced(key);
    if (state.value().isEmpty() || state.value().get().version() != expected) {
      return new CasResult.Conflict(state.value());
    }
    Versioned<byte[]> deleted = state.value().get();
    awaitConnectedBeforeWrite(key);
    String path = paths.pathOf(key);
    try {
      if (state.numChildren() == 0) {
        try {
          zk().delete(path, state.dataVersion());
          return new CasResult.Applied(deleted);
        } catch (KeeperException.NotEmptyException e) {
          // A child appeared since the read: keep the znode as a parent, drop only its value.
        }
      }
      zk().setData(path, Framing.NO_VALUE, state.dataVersion());
      return new CasResult.Applied(deleted);
    } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
      return new CasResult.Conflict(readSynced(key).value());
    } catch (KeeperException e) {
      if (!Errors.outcomeUnknown(e)) {
        throw e;
      }
      Optional<Versioned<byte[]>> now = settleRead(key, e);
      if (now.isEmpty()) {
        return new CasResult.Applied(deleted);
      }
      if (now.get().version() == expected) {
        throw notApplied(key, expected, e);
      }
      return new CasResult.Conflict(now);
    }
  }

  /**
   * Settles a write whose reply was lost by reading the key again. The old connection's request
   * cannot be applied after this read: ZooKeeper rejects it once the session has moved or expired,
   * and on the same connection requests are processed in order.
   */
  CasResult settle(String key, Precondition precondition, byte[] value, Exception cause) throws Exception {
    CasResult settled = settleOutcome(key, precondition, value, cause);
    LOG.info("Write of key '{}' in {} lost its reply ({}); settled by re-read: {}", key, backend, code(cause),
        settled.applied() ? "applied" : "conflict");
    return settled;
  }

  private CasResult settleOutcome(String key, Precondition precondition, byte[] value, Exception cause) throws Exception {
    Optional<Versioned<byte[]>> now = settleRead(key, cause);
    long expected = precondition instanceof Precondition.AtVersion at ? at.version() : 0;
    if (now.isPresent()) {
      Versioned<byte[]> current = now.get();
      if (current.version() > expected && Arrays.equals(current.value(), value)) {
        return new CasResult.Applied(current);
      }
      if (current.version() == expected) {
        throw notApplied(key, expected, cause);
      }
      return new CasResult.Conflict(now);
    }
    if (expected > 0) {
      return new CasResult.Conflict(Optional.empty());
    }
    throw new StoreUnavailableException(backend, key, true,
        "the connection was lost during create (ZooKeeper " + code(cause) + ") and a re-read found the key absent", cause);
  }

  private Optional<Versioned<byte[]>> settleRead(String key, Exception cause) throws Exception {
    try {
      return readSynced(key).value();
    } catch (KeeperException e) {
      if (Errors.outcomeUnknown(e)) {
        StoreUnavailableException unknown = new StoreUnavailableException(backend, key, true,
            "the connection was lost during the write (ZooKeeper " + code(cause)
                + ") and the key could not be re-read to settle it (ZooKeeper " + e.code() + ")", cause);
        unknown.addSuppressed(e);
        throw unknown;
      }
      throw e;
    }
  }

  private StoreUnavailableException notApplied(String key, long expected, Exception cause) {
    return new StoreUnavailableException(backend, key, false,
        "the connection was lost during the write (ZooKeeper " + code(cause) + "); a re-read shows the key still at version "
            + expected + ", so the write was not applied", cause);
  }

  private static String code(Exception e) {
    return e instanceof KeeperException k ? k.code().toString() : e.toString();
  }

  /** Creates the missing ancestors of a key's znode as plain persistent znodes without data. */
  private void createParents(String key, String path) throws Exception {
    for (String ancestor : KeyPaths.ancestorsOf(path)) {
      try {
        zk().create(ancestor, Framing.NO_VALUE, acl, CreateMode.PERSISTENT);
      } catch (KeeperException.NodeExistsException e) {
        // Already there.
      } catch (KeeperException e) {
        if (Errors.outcomeUnknown(e)) {
          // Parents hold no value, so nothing about the key is unknown: the key's write was not sent.
          throw new StoreUnavailableException(backend, key, false,
              "could not create parent znode " + ancestor + ": ZooKeeper " + e.code(), e);
        }
        throw e;
      }
    }
  }

  private void awaitConnectedBeforeWrite(String key) throws InterruptedException {
    if (!client.getZookeeperClient().blockUntilConnectedOrTimedOut()) {
      throw new StoreUnavailableException(backend, key, false,
          "not connected to ZooKeeper within the connection timeout; nothing was written", null);
    }
  }

  private static CasResult applied(String key, byte[] framed, Stat stat) {
    return new CasResult.Applied(new Versioned<>(key, Arrays.copyOfRange(framed, 1, framed.length), stat.getMzxid()));
  }

  String backend() {
    return backend;
  }

  boolean hasCredentials() {
    return hasCredentials;
  }
}
