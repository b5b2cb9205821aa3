/**
 * An OkHttp client customizer on OneCA's reloading key and trust managers: the client presents the
 * current identity (mutual TLS) and trusts the current CA bundle on every new connection.
 *
 * <p>OkHttp 4 is an automatic module ({@code okhttp3}) without split packages, so this module has a
 * real descriptor.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.oneca.okhttp {
  requires transitive io.oneca.core;
  requires transitive okhttp3;

  exports io.oneca.okhttp;
}
