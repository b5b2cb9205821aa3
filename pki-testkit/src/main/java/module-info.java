/**
 * What every store backend's tests share: the store contract suite, the replica-race harness, a
 * fault-injecting store wrapper, a mutable clock, and a fixture that runs real etcd processes.
 */
module io.oneca.testkit {
  requires transitive io.oneca.api;
  requires transitive org.junit.jupiter.api;

  requires java.net.http;

  exports io.oneca.testkit;
  exports io.oneca.testkit.etcd;
  exports io.oneca.testkit.sim;
}
