package io.oneca.spring;

import io.oneca.api.store.Stores;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.OneCa;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures OneCA from {@link OneCaProperties}: the store (closed with the context), a
 * started {@link OneCa} (the context fails to start, naming the store key and the cause, if the
 * bootstrap fails), a {@link ManagedIdentity} when {@code oneca.identity.name} is set, and the
 * {@code oneca} SSL bundle for {@code server.ssl.bundle}. Every bean backs off when the
 * application defines its own of the same type.
 */
@AutoConfiguration(before = SslAutoConfiguration.class)
@ConditionalOnClass(OneCa.class)
@ConditionalOnProperty(prefix = "oneca", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(OneCaProperties.class)
public class OneCaAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public OneCaAutoConfiguration() {}

  /**
   * Opens the store {@code oneca.store} names.
   *
   * @param properties the settings
   * @return the open store, closed with the context
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnProperty(prefix = "oneca", name = "store")
  public VersionedStore oneCaStore(OneCaProperties properties) {
    return Stores.open(properties.store());
  }

  /**
   * Builds and starts OneCA: the bootstrap runs before the context finishes starting.
   *
   * @param properties the settings
   * @param store the store
   * @param customizers adjustments made in code
   * @return the started OneCa, closed with the context
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnBean(VersionedStore.class)
  public OneCa oneCa(OneCaProperties properties, VersionedStore store,
      ObjectProvider<OneCaBuilderCustomizer> customizers) {
    return OneCaFactory.startedOneCa(properties, store, customizers.orderedStream().toList());
  }

  /**
   * Gives the application its own certificate, renewed automatically.
   *
   * @param properties the settings
   * @param oneCa the started OneCa
   * @return the identity, closed with the context
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnBean(OneCa.class)
  @ConditionalOnProperty(prefix = "oneca.identity", name = "name")
  public ManagedIdentity oneCaIdentity(OneCaProperties properties, OneCa oneCa) {
    return oneCa.identity(OneCaFactory.identitySpec(properties.identity()));
  }

  /**
   * Registers the identity as an SSL bundle and re-publishes it at every renewal.
   *
   * @param properties the settings
   * @param oneCa the OneCa whose CA changes update the trust anchors
   * @param identity the identity
   * @return the registrar
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnBean(ManagedIdentity.class)
  @ConditionalOnProperty(prefix = "oneca.ssl", name = "enabled", havingValue = "true", matchIfMissing = true)
  public OneCaSslBundleRegistrar oneCaSslBundleRegistrar(OneCaProperties properties, OneCa oneCa,
      ManagedIdentity identity) {
    return new OneCaSslBundleRegistrar(oneCa, identity, properties.ssl().bundle());
  }
}
