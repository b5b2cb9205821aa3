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
import org.apache.zookeeper.CreateOptions;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
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
  private volatile Runnable beforeConditionalWrite = () -> {};

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

  /** Runs {@code hook} between the read and the write of every replace and delete; for tests of races. */
  void beforeConditionalWriteForTest(Runnable hook) {
    this.beforeConditionalWrite = java.util.Objects.requireNonNull(hook, "hook");
  }

  /**
   * A znode as read: whether it exists, its value (if any) and what a conditional write needs: its
   * dataVersion, its children other than the marker, and its incarnation marker ({@code null} if it
   * has none: created by someone else or by an older OneCA, or read without children).
   */
  record NodeState(boolean exists, Optional<Versioned<byte[]>> value, int dataVersion, int numChildren, String marker) {
    static final NodeState MISSING = new NodeState(false, Optional.empty(), -1, 0, null);
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
    return new NodeState(true, Framing.decode(backend, key, data, stat.getMzxid()), stat.getVersion(), stat.getNumChildren(), null);
  }

  /**
   * Reads a key for a conditional write: its data and, from the same incarnation and state (equal
   * czxid and mzxid in both reads), its children, to find the incarnation marker.
   */
  NodeState readForWrite(String key) throws Exception {
    String path = paths.pathOf(key);
    return withReadRetry(() -> {
      ZooKeeper zk = zk();
      zk.sync(paths.base());
      for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        Stat dataStat = new Stat();
        byte[] data;
        try {
          data = zk.getData(path, false, dataStat);
        } catch (KeeperException.NoNodeException e) {
          return NodeState.MISSING;
        }
        Optional<Versioned<byte[]>> value = Framing.decode(backend, key, data, dataStat.getMzxid());
        if (dataStat.getNumChildren() == 0) {
          return new NodeState(true, value, dataStat.getVersion(), 0, null);
        }
        Stat childStat = new Stat();
        List<String> children;
        try {
          children = zk.getChildren(path, false, childStat);
        } catch (KeeperException.NoNodeException e) {
          continue;
        }
        if (childStat.getCzxid() != dataStat.getCzxid() || childStat.getMzxid() != dataStat.getMzxid()) {
          continue;
        }
        String marker = null;
        int others = 0;
        for (String child : children) {
          if (KeyPaths.isMarker(child)) {
            marker = child;
          } else {
            others++;
          }
        }
        return new NodeState(true, value, dataStat.getVersion(), others, marker);
      }
      throw new StoreUnavailableException(backend, key, false,
          "the znode kept changing while it was read for a write (" + MAX_ATTEMPTS + " attempts)", null);
    });
  }

  /**
   * The guard of a conditional write on a read znode: a check that its incarnation marker still
   * exists (a re-created znode has none, or another one), or, for a znode without a marker, the
   * creation of one, so that later writes are guarded.
   */
  private Op incarnationGuard(String path, NodeState state) {
    return state.marker() != null
        ? Op.check(path + "/" + state.marker(), -1)
        : Op.create(path + "/" + KeyPaths.newMarker(), Framing.NO_VALUE, acl, CreateMode.PERSISTENT);
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
        List<OpResult> results = zk().multi(List.of(
            Op.create(path, framed, CreateOptions.newBuilder(acl, CreateMode.PERSISTENT).build()),
            Op.create(path + "/" + KeyPaths.newMarker(), Framing.NO_VALUE, acl, CreateMode.PERSISTENT)));
        return applied(key, framed, ((OpResult.CreateResult) results.get(0)).getStat());
      } catch (KeeperException.NoNodeException e) {
        createParents(key, path);
        continue;
      } catch (KeeperException.NodeExistsException e) {
        // The znode exists: with a value that is a conflict; without one it is a parent (or a key
        // deleted while it had children) and creating the key means setting its data, if unchanged.
      }
      NodeState state = readForWrite(key);
      if (state.value().isPresent()) {
        return new CasResult.Conflict(state.value());
      }
      if (!state.exists()) {
        continue;
      }
      try {
        return applied(key, framed, guardedSetData(path, state, framed));
      } catch (KeeperException.BadVersionException | KeeperException.NoNodeException | KeeperException.NodeExistsException e) {
        // Changed under us: look again.
      }
    }
    throw new StoreUnavailableException(backend, key, false,
        "create did not settle after " + MAX_ATTEMPTS + " attempts: the znode kept changing", null);
  }

  /**
   * Replace-if-unchanged. The mzxid (OneCA's version) is compared after the read; the write is one
   * transaction of the incarnation guard and {@code setData(withVersion(dataVersion))}, so that it
   * cannot land on a znode deleted and re-created since the read (whose dataVersion restarts at 0).
   */
  private CasResult replace(String key, long expected, byte[] framed) throws Exception {
    NodeState state = readForWrite(key);
    if (state.value().isEmpty() || state.value().get().version() != expected) {
      return new CasResult.Conflict(state.value());
    }
    beforeConditionalWrite.run();
    try {
      return applied(key, framed, guardedSetData(paths.pathOf(key), state, framed));
    } catch (KeeperException.BadVersionException | KeeperException.NoNodeException | KeeperException.NodeExistsException e) {
      return new CasResult.Conflict(readSynced(key).value());
    }
  }

  private Stat guardedSetData(String path, NodeState state, byte[] framed) throws Exception {
    List<OpResult> results = zk().multi(List.of(incarnationGuard(path, state), Op.setData(path, framed, state.dataVersion())));
    return ((OpResult.SetDataResult) results.get(1)).getStat();
  }

  CasResult delete(String key, long expected) throws Exception {
    NodeState state = readForWrite(key);
    if (state.value().isEmpty() || state.value().get().version() != expected) {
      return new CasResult.Conflict(state.value());
    }
    Versioned<byte[]> deleted = state.value().get();
    beforeConditionalWrite.run();
    awaitConnectedBeforeWrite(key);
    String path = paths.pathOf(key);
    try {
      if (state.numChildren() == 0) {
        try {
          if (state.marker() != null) {
            zk().multi(List.of(Op.delete(path + "/" + state.marker(), -1), Op.delete(path, state.dataVersion())));
          } else {
            zk().delete(path, state.dataVersion());
          }
          return new CasResult.Applied(deleted);
        } catch (KeeperException.NotEmptyException e) {
          // A child appeared since the read: keep the znode as a parent, drop only its value.
        }
      }
      guardedSetData(path, state, Framing.NO_VALUE);
      return new CasResult.Applied(deleted);
    } catch (KeeperException.BadVersionException | KeeperException.NoNodeException | KeeperException.NodeExistsException e) {
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
