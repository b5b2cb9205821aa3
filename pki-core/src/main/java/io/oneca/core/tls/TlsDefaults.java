package io.oneca.core.tls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLParameters;

/**
 * The protocol versions and cipher suites of every TLS context OneCA builds ({@link TlsContexts} and
 * the Netty, gRPC, OkHttp and Spring Boot adapters), set explicitly instead of taken from the JDK's
 * defaults: TLS 1.3 and TLS 1.2 only; for TLS 1.3 its three AEAD suites, for TLS 1.2 only ECDHE key
 * exchange with an AEAD cipher (AES-GCM or ChaCha20-Poly1305), with ECDSA or RSA certificates. No
 * TLS 1.1 or older, no CBC, no static RSA key exchange, no SHA-1 MAC. Immutable.
 *
 * <p>Where a peer supports none of these the handshake fails (a {@code protocol_version} or
 * {@code handshake_failure} alert) rather than falling back.
 */
public final class TlsDefaults {
  /** The protocol versions, newest first. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /** The TLS 1.3 cipher suites, in preference order. */
  public static final List<String> TLS13_CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256");

  /** The TLS 1.2 cipher suites (ECDHE with AES-GCM or ChaCha20-Poly1305), in preference order. */
  public static final List<String> TLS12_CIPHER_SUITES = List.of(
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  /** Both lists, TLS 1.3 first: what {@link #applyTo} enables. */
  public static final List<String> CIPHER_SUITES = concat(TLS13_CIPHER_SUITES, TLS12_CIPHER_SUITES);

  private TlsDefaults() {}

  /**
   * Restricts parameters to {@link #PROTOCOLS} and {@link #CIPHER_SUITES}, keeping only those the
   * provider supports (given as {@code supported}), and orders suites by OneCA's preference (the
   * server's order wins). Everything else in {@code parameters} (client authentication, ALPN,
   * endpoint identification) is left as it is.
   *
   * @param parameters the parameters to change
   * @param supported what the provider supports, for example
   *     {@code SSLContext.getSupportedSSLParameters()}
   * @return {@code parameters}
   * @throws IllegalStateException if the provider supports none of the protocols or suites
   */
  public static SSLParameters applyTo(SSLParameters parameters, SSLParameters supported) {
    Objects.requireNonNull(parameters, "parameters");
    Objects.requireNonNull(supported, "supported");
    parameters.setProtocols(intersect(PROTOCOLS, supported.getProtocols(), "protocol"));
    parameters.setCipherSuites(intersect(CIPHER_SUITES, supported.getCipherSuites(), "cipher suite"));
    parameters.setUseCipherSuitesOrder(true);
    return parameters;
  }

  private static String[] intersect(List<String> wanted, String[] available, String what) {
    List<String> availableList = available == null ? List.of() : Arrays.asList(available);
    String[] result = wanted.stream().filter(availableList::contains).toArray(String[]::new);
    if (result.length == 0) {
      throw new IllegalStateException("the TLS provider supports none of OneCA's " + what + "s " + wanted);
    }
    return result;
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return List.copyOf(all);
  }
}
