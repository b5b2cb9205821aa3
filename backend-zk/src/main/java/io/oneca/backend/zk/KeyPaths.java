package io.oneca.backend.zk;

import io.oneca.api.store.StoreKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Maps store keys to znode paths under the namespace node and back. A key's segments are the znode
 * path's segments, so {@code a} and {@code a/b} are a znode and its child: both may hold a value.
 */
final class KeyPaths {
  /**
   * Name prefix of the incarnation marker: a child that every znode created by the store gets in the
   * same transaction as the znode itself, with a random name. A conditional write checks that its
   * marker still exists, which a deleted and re-created znode (dataVersion back at 0) cannot pass.
   * {@code #} is not a key character, so a marker is never a key.
   */
  static final String MARKER_PREFIX = "#oneca-incarnation-";

  private final String base;

  /**
   * @param base the namespace node, e.g. {@code /oneca} or {@code /apps/oneca}; never {@code /}
   */
  KeyPaths(String base) {
    this.base = Objects.requireNonNull(base, "base");
  }

  /** Builds the namespace node's path from a namespace such as {@code oneca} or {@code apps/oneca}. */
  static String basePath(String namespace) {
    return "/" + StoreKeys.validateKey(namespace);
  }

  String base() {
    return base;
  }

  String pathOf(String key) {
    return base + "/" + key;
  }

  /**
   * Returns the key of a znode path, or {@code null} for the namespace node, paths outside it and
   * incarnation markers.
   */
  String keyOf(String path) {
    if (path == null || path.length() <= base.length() + 1 || !path.startsWith(base)
        || path.charAt(base.length()) != '/' || isMarker(path.substring(path.lastIndexOf('/') + 1))) {
      return null;
    }
    return path.substring(base.length() + 1);
  }

  /** Whether a child name is an incarnation marker (see {@link #MARKER_PREFIX}). */
  static boolean isMarker(String childName) {
    return childName.startsWith(MARKER_PREFIX);
  }

  /** A fresh marker name: 128 random bits. */
  static String newMarker() {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    return MARKER_PREFIX + Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
  }

  /** The znode whose subtree holds every key with this prefix: the prefix's directory part. */
  String directoryOf(String prefix) {
    int slash = prefix.lastIndexOf('/');
    return slash < 0 ? base : base + "/" + prefix.substring(0, slash);
  }

  /** The part of the prefix after its last {@code /}: child names of {@link #directoryOf} must start with it. */
  static String namePrefixOf(String prefix) {
    return prefix.substring(prefix.lastIndexOf('/') + 1);
  }

  /** The ancestors of a path below the root, outermost first, excluding the path itself. */
  static List<String> ancestorsOf(String path) {
    List<String> ancestors = new ArrayList<>();
    for (int i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
      ancestors.add(path.substring(0, i));
    }
    return ancestors;
  }
}
