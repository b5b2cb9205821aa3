/**
 * OneCA's engine: CA generation and validation with BouncyCastle, exactly-once bootstrap through a
 * {@link io.oneca.api.store.VersionedStore}, leaf issuance, and the embedded stores.
 */
@SuppressWarnings("requires-automatic") // micrometer.core (optional) has no module descriptor yet
module io.oneca.core {
  requires transitive io.oneca.api;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;
  requires org.slf4j;
  requires com.github.benmanes.caffeine;
  requires static micrometer.core;

  exports io.oneca.core;
  exports io.oneca.core.store;
  exports io.oneca.core.tls;
  exports io.oneca.core.files;
  exports io.oneca.core.health;
  exports io.oneca.core.policy;
  exports io.oneca.core.security;
  exports io.oneca.core.delivery;
  exports io.oneca.core.rotation;

  provides io.oneca.api.store.spi.StoreProvider with
      io.oneca.core.internal.store.FileStoreProvider;
}
