package io.oneca.testkit.etcd;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs real etcd for a test class: one node ({@link #singleNode()}) or a
 * three-member cluster ({@link #threeMembers()}) on free 127.0.0.1 ports, started before the first
 * test and stopped, with its files deleted, after the last. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final EtcdClusterExtension ETCD = EtcdClusterExtension.singleNode();
 * ... EtcdStore.builder().endpoints(ETCD.clientEndpoints()).build();
 * }</pre>
 *
 * <p>If etcd is not installed the class fails with a message saying how to install it.
 */
public final class EtcdClusterExtension implements BeforeAllCallback, AfterAllCallback {
  private final int size;
  private volatile EtcdCluster cluster;

  private EtcdClusterExtension(int size) {
    this.size = size;
  }

  /** Returns an extension running one etcd node. */
  public static EtcdClusterExtension singleNode() {
    return new EtcdClusterExtension(1);
  }

  /** Returns an extension running a cluster of three members. */
  public static EtcdClusterExtension threeMembers() {
    return new EtcdClusterExtension(3);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster = EtcdCluster.start(size);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    EtcdCluster running = cluster;
    cluster = null;
    if (running != null) {
      running.close();
    }
  }

  /**
   * Returns the running cluster.
   *
   * @throws IllegalStateException outside the test class's lifetime
   */
  public EtcdCluster cluster() {
    EtcdCluster running = cluster;
    if (running == null) {
      throw new IllegalStateException("etcd is not running: register the extension on a static field");
    }
    return running;
  }

  /** Returns the client endpoints, {@code http://127.0.0.1:<port>} each. */
  public List<String> clientEndpoints() {
    return cluster().clientEndpoints();
  }
}
