package io.oneca.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * OneCA's settings under {@code oneca.*} in {@code application.yml}. Nothing is created unless
 * {@link #store() oneca.store} is set (or the application defines its own
 * {@link io.oneca.api.store.VersionedStore} bean).
 *
 * @param enabled whether the auto-configuration applies at all; default {@code true}
 * @param store the store URI, opened with {@link io.oneca.api.store.Stores#open(String)}:
 *     {@code file:///var/lib/oneca}, {@code etcd://host:2379/prefix}, {@code zk://host:2181/prefix},
 *     {@code k8s://namespace}; the backend module must be on the class path
 * @param caKey the store key of the CA record; default {@code oneca/ca}
 * @param caSubject the subject of a CA this replica generates if the store holds none; default
 *     {@code CN=OneCA Root CA}
 * @param keyEncryptionKey where the key that encrypts the CA key in the store comes from
 * @param allowPlaintextCaKey store the CA key unencrypted (anyone who can read the store then
 *     holds the CA); required when no key-encryption key is configured; default {@code false}
 * @param resyncInterval how often the CA record is re-read to catch missed store events; default
 *     30 seconds
 * @param replicaId this replica's name in CA records, audit events and logs; default host name
 *     and process id
 * @param identity this application's own serving certificate; none unless {@code name} is set
 * @param ssl the SSL bundle that carries the identity to the embedded web server
 * @param rotation how this replica takes part in CA rotation; OneCA's defaults unless set
 */
@ConfigurationProperties("oneca")
public record OneCaProperties(
    @DefaultValue("true") boolean enabled,
    String store,
    @DefaultValue("oneca/ca") String caKey,
    String caSubject,
    @DefaultValue KeyEncryptionKey keyEncryptionKey,
    @DefaultValue("false") boolean allowPlaintextCaKey,
    Duration resyncInterval,
    String replicaId,
    @DefaultValue Identity identity,
    @DefaultValue Ssl ssl,
    @DefaultValue Rotation rotation) {

  /**
   * The key-encryption key (32 random bytes, e.g. {@code openssl rand -base64 32}). Set one of the
   * two; the key itself never goes into a property.
   *
   * @param file a file holding the key, raw or base64 (mount it from a secret, mode 0400)
   * @param env the name of an environment variable holding the base64 key, e.g. {@code ONECA_KEK}
   */
  public record KeyEncryptionKey(Path file, String env) {}

  /**
   * This application's own certificate, issued by the shared CA and renewed automatically.
   *
   * @param name a short name for logs, health and metrics; setting it enables the identity
   * @param commonName the certificate's common name; default the name
   * @param dnsNames the DNS names the certificate is valid for
   * @param ipAddresses the IP addresses the certificate is valid for
   * @param ttl the requested lifetime, capped by the CA's; default 24 hours
   * @param renewAtShare the share of the lifetime after which it renews, in (0, 1); default 2/3
   * @param outputDirectory where to also write {@code tls.crt}, {@code tls.key} and {@code ca.crt}
   *     atomically at every renewal, for sidecars; default nowhere
   */
  public record Identity(
      String name,
      String commonName,
      @DefaultValue List<String> dnsNames,
      @DefaultValue List<String> ipAddresses,
      @DefaultValue("24h") Duration ttl,
      Double renewAtShare,
      Path outputDirectory) {}

  /**
   * The SSL bundle made from the identity; use it with {@code server.ssl.bundle=oneca}.
   *
   * @param enabled whether to register the bundle when an identity is configured; default {@code true}
   * @param bundle the bundle's name; default {@code oneca}
   */
  public record Ssl(@DefaultValue("true") boolean enabled, @DefaultValue("oneca") String bundle) {}

  /**
   * CA rotation settings ({@link io.oneca.core.rotation.RotationPolicy}); when none is set, the
   * policy's defaults apply (SPIRE's thresholds, automatic, checked every minute, no cross-signing)
   * and an {@link OneCaBuilderCustomizer} may set a policy in code instead.
   *
   * @param automatic whether this replica prepares and activates successors when they are due;
   *     default {@code true}
   * @param crossSign whether a prepared root is cross-signed by the active one; default {@code false}
   * @param checkInterval how often the automatic step runs; default 1 minute
   * @param offlineRootCertificate intermediate mode: the PEM certificate of the offline root that
   *     signs the CA (peers trust it; successors are prepared with {@code oneca rotate prepare
   *     --root-cert --root-key}); default none
   */
  public record Rotation(Boolean automatic, Boolean crossSign, Duration checkInterval, Path offlineRootCertificate) {

    /** Whether any rotation setting was given. */
    boolean configured() {
      return automatic != null || crossSign != null || checkInterval != null || offlineRootCertificate != null;
    }
  }
}
