/**
 * What every store backend's tests share: the store contract suite, the replica-race harness, a
 * fault-injecting store wrapper and a mutable clock.
 */
module io.oneca.testkit {
  requires transitive io.oneca.api;
  requires transitive org.junit.jupiter.api;

  exports io.oneca.testkit;
}
