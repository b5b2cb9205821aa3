/**
 * OneCA's public API and store SPI. Depends on the JDK only, so that store backends and users can
 * depend on it without pulling in a crypto library.
 */
module io.oneca.api {
  exports io.oneca.api;
  exports io.oneca.api.store;
  exports io.oneca.api.store.spi;
  exports io.oneca.api.security;
  exports io.oneca.api.audit;

  uses io.oneca.api.store.spi.StoreProvider;
}
