package io.oneca.backend.zk;

import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.Versioned;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Lists every key with a given prefix as one consistent snapshot.
 *
 * <p>ZooKeeper has no multi-node snapshot read, so the subtree is walked twice in a row and the
 * walks compared, znode by znode, by {@code mzxid} (data) and {@code pzxid} (children). Zxids never
 * repeat, so equal walks mean no znode changed between its first and its second read: all of them
 * held the read state at the instant the first walk ended, after the {@code sync}. Otherwise the
 * latest walk becomes the reference and the comparison repeats, a bounded number of times.
 */
final class Listing {
  private static final int MAX_WALKS = 8;

  private final Operations ops;

  Listing(Operations ops) {
    this.ops = ops;
  }

  /** Marks a znode as walked: its data and children zxids, and the value it held. */
  private record Seen(long mzxid, long pzxid, Optional<Versioned<byte[]>> value) {}

  List<Versioned<byte[]>> list(String prefix) throws Exception {
    KeyPaths paths = ops.paths();
    String directory = paths.directoryOf(prefix);
    String namePrefix = KeyPaths.namePrefixOf(prefix);
    return ops.withReadRetry(() -> {
      ZooKeeper zk = ops.zk();
      zk.sync(paths.base());
      Map<String, Seen> previous = walk(zk, directory, namePrefix);
      for (int walks = 1; walks < MAX_WALKS; walks++) {
        Map<String, Seen> current = walk(zk, directory, namePrefix);
        if (sameWalk(previous, current)) {
          List<Versioned<byte[]>> values = new ArrayList<>();
          for (Seen seen : current.values()) {
            seen.value().ifPresent(values::add);
          }
          values.sort((a, b) -> a.key().compareTo(b.key()));
          return Collections.unmodifiableList(values);
        }
        previous = current;
      }
      throw new StoreUnavailableException(ops.backend(), prefix, false,
          "keys under the prefix kept changing during " + MAX_WALKS + " consecutive listings", null);
    });
  }

  private Map<String, Seen> walk(ZooKeeper zk, String directory, String namePrefix)
      throws KeeperException, InterruptedException {
    Map<String, Seen> seen = new TreeMap<>();
    Stat stat = new Stat();
    List<String> children;
    try {
      children = zk.getChildren(directory, false, stat);
    } catch (KeeperException.NoNodeException e) {
      seen.put(directory, new Seen(0, 0, Optional.empty()));
      return seen;
    }
    seen.put(directory, new Seen(0, stat.getPzxid(), Optional.empty()));
    Collections.sort(children);
    for (String child : children) {
      if (child.startsWith(namePrefix) && !KeyPaths.isMarker(child)) {
        visit(zk, directory + "/" + child, seen);
      }
    }
    return seen;
  }

  private void visit(ZooKeeper zk, String path, Map<String, Seen> seen) throws KeeperException, InterruptedException {
    String key = ops.paths().keyOf(path);
    Stat dataStat = new Stat();
    Stat childStat = new Stat();
    byte[] data;
    List<String> children;
    try {
      data = zk.getData(path, false, dataStat);
      children = zk.getChildren(path, false, childStat);
    } catch (KeeperException.NoNodeException e) {
      seen.put(path, new Seen(0, 0, Optional.empty()));
      return;
    }
    seen.put(path, new Seen(dataStat.getMzxid(), childStat.getPzxid(),
        Framing.decode(ops.backend(), key, data, dataStat.getMzxid())));
    for (String child : children) {
      if (!KeyPaths.isMarker(child)) {
        visit(zk, path + "/" + child, seen);
      }
    }
  }

  private static boolean sameWalk(Map<String, Seen> a, Map<String, Seen> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    for (Map.Entry<String, Seen> e : a.entrySet()) {
      Seen other = b.get(e.getKey());
      if (e.getValue().mzxid() != other.mzxid() || e.getValue().pzxid() != other.pzxid()) {
        return false;
      }
    }
    return true;
  }
}
