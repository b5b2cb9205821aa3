package io.oneca.spring;

import io.oneca.api.OneCaException;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.IdentitySpec;
import io.oneca.core.OneCa;
import io.oneca.core.OneCaBuilder;
import io.oneca.core.rotation.OfflineRoot;
import io.oneca.core.rotation.RotationPolicy;
import io.oneca.core.security.KeyEncryptionKeys;
import java.util.List;

/** Turns {@link OneCaProperties} into a started {@link OneCa} and an {@link IdentitySpec}, with clear errors. */
final class OneCaFactory {
  private OneCaFactory() {}

  static OneCa startedOneCa(OneCaProperties properties, VersionedStore store, List<OneCaBuilderCustomizer> customizers) {
    OneCaBuilder builder = OneCa.builder().store(store).caKey(properties.caKey());
    applyKeyProtection(properties, builder);
    if (properties.caSubject() != null) {
      builder.caSubject(properties.caSubject());
    }
    if (properties.resyncInterval() != null) {
      builder.resyncInterval(properties.resyncInterval());
    }
    if (properties.replicaId() != null) {
      builder.replicaId(properties.replicaId());
    }
    if (properties.rotation() != null && properties.rotation().configured()) {
      builder.rotation(rotationPolicy(properties.rotation()));
    }
    customizers.forEach(customizer -> customizer.customize(builder));
    OneCa oneCa = builder.build();
    try {
      oneCa.start();
      return oneCa;
    } catch (OneCaException | IllegalStateException e) {
      oneCa.close();
      throw new IllegalStateException("OneCA could not bootstrap its CA (key '" + properties.caKey() + "' in "
          + store.backend() + "); the application cannot issue or serve certificates: " + e.getMessage(), e);
    }
  }

  private static void applyKeyProtection(OneCaProperties properties, OneCaBuilder builder) {
    OneCaProperties.KeyEncryptionKey kek = properties.keyEncryptionKey();
    boolean file = kek != null && kek.file() != null;
    boolean env = kek != null && kek.env() != null && !kek.env().isBlank();
    if (file && env) {
      throw new IllegalStateException("set either oneca.key-encryption-key.file or oneca.key-encryption-key.env,"
          + " not both");
    }
    if (!file && !env && !properties.allowPlaintextCaKey()) {
      throw new IllegalStateException("OneCA needs to know how the CA key is protected in the store: set"
          + " oneca.key-encryption-key.file (a file with 32 random bytes, raw or base64) or"
          + " oneca.key-encryption-key.env (an environment variable holding the base64), or set"
          + " oneca.allow-plaintext-ca-key=true to store the CA key unencrypted");
    }
    if (file) {
      builder.keyEncryptionKey(KeyEncryptionKeys.fromFile(kek.file()));
    } else if (env) {
      builder.keyEncryptionKey(KeyEncryptionKeys.fromEnvironment(kek.env()));
    }
    if (properties.allowPlaintextCaKey()) {
      builder.allowPlaintextCaKey();
    }
  }

  static RotationPolicy rotationPolicy(OneCaProperties.Rotation rotation) {
    RotationPolicy.Builder policy = RotationPolicy.builder();
    if (rotation.automatic() != null) {
      policy.automatic(rotation.automatic());
    }
    if (rotation.crossSign() != null) {
      policy.crossSign(rotation.crossSign());
    }
    if (rotation.checkInterval() != null) {
      policy.checkInterval(rotation.checkInterval());
    }
    if (rotation.offlineRootCertificate() != null) {
      policy.offlineRoot(OfflineRoot.certificateFromPemFile(rotation.offlineRootCertificate()));
    }
    return policy.build();
  }

  static IdentitySpec identitySpec(OneCaProperties.Identity identity) {
    IdentitySpec.Builder spec = IdentitySpec.builder(identity.name()).ttl(identity.ttl());
    if (identity.commonName() != null) {
      spec.commonName(identity.commonName());
    }
    identity.dnsNames().forEach(spec::dnsName);
    identity.ipAddresses().forEach(spec::ipAddress);
    if (identity.renewAtShare() != null) {
      spec.renewAtShare(identity.renewAtShare());
    }
    if (identity.outputDirectory() != null) {
      spec.outputDirectory(identity.outputDirectory());
    }
    return spec.build();
  }
}
