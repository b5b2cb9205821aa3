package io.oneca.okhttp;

import io.oneca.core.IdentitySnapshot;
import io.oneca.core.ManagedIdentity;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import okhttp3.OkHttpClient;

/**
 * An {@link OkHttpClient} that follows a OneCA identity through renewals and CA changes: ask it for
 * the client with {@link #get()} (cheap: one volatile read) instead of keeping an
 * {@code OkHttpClient} yourself.
 *
 * <pre>{@code
 * OneCaOkHttpClient http = OneCaOkHttpClient.create(new OkHttpClient.Builder(), identity);
 * try (Response response = http.get().newCall(request).execute()) { ... }
 * }</pre>
 *
 * <p>After every renewal it evicts the idle pooled connections (see
 * {@link OneCaOkHttp#evictConnectionsOnRenewal}). When the CA bundle changed it also derives a new
 * client with {@code newBuilder()} (same connection pool, dispatcher and settings): OkHttp computes
 * its certificate chain cleaner once, from the trust manager's accepted issuers when the client is
 * built, so a client built before a CA change reports an empty {@code Handshake.peerCertificates()}
 * for servers of the new CA and fails {@code CertificatePinner} checks against them, although the
 * TLS handshake itself trusts the new CA.
 *
 * <p>Renewal listeners run right after the identity publishes its new certificate (on the thread
 * that renewed: OneCA's scheduler, or the caller of {@code renewNow()}); a request sent in that
 * instant may still reuse an idle connection of the previous certificate.
 */
public final class OneCaOkHttpClient implements AutoCloseable {
  private record Built(OkHttpClient client, List<X509Certificate> trustBundle) {}

  private final ManagedIdentity identity;
  private final AutoCloseable registration;
  private volatile Built current;

  private OneCaOkHttpClient(OkHttpClient.Builder builder, ManagedIdentity identity) {
    this.identity = identity;
    List<X509Certificate> bundle = identity.current().trustBundle();
    this.current = new Built(OneCaOkHttp.configure(builder, identity).build(), bundle);
    this.registration = identity.onRenewal(this::onRenewal);
  }

  /**
   * Configures {@code builder} for {@code identity} (as {@link OneCaOkHttp#configure}) and follows
   * the identity until closed.
   */
  public static OneCaOkHttpClient create(OkHttpClient.Builder builder, ManagedIdentity identity) {
    Objects.requireNonNull(builder, "builder");
    Objects.requireNonNull(identity, "identity");
    return new OneCaOkHttpClient(builder, identity);
  }

  /** Returns the client to use now. */
  public OkHttpClient get() {
    return current.client();
  }

  /** Stops following the identity; the last client keeps working with the managers' current material. */
  @Override
  public void close() {
    try {
      registration.close();
    } catch (Exception e) {
      throw new IllegalStateException("removing the renewal listener failed", e);
    }
  }

  private synchronized void onRenewal(IdentitySnapshot renewed) {
    Built built = current;
    built.client().connectionPool().evictAll();
    if (!renewed.trustBundle().equals(built.trustBundle())) {
      current = new Built(OneCaOkHttp.configure(built.client().newBuilder(), identity).build(),
          renewed.trustBundle());
    }
  }
}
