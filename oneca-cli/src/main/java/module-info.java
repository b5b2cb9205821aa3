/**
 * OneCA's operator command line ({@code oneca}): inspect, verify, export and import the CA record of
 * any store backend that is on the class path. Run it from the shaded jar
 * ({@code java -jar oneca-cli-VERSION-all.jar --help}).
 */
module io.oneca.cli {
  requires io.oneca.core;
  requires info.picocli;
  requires com.fasterxml.jackson.databind;
  requires java.net.http;

  opens io.oneca.cli to info.picocli;

  uses io.oneca.api.store.spi.StoreProvider;
}
