package io.oneca.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.CaView;
import io.oneca.api.StoreClosedException;
import io.oneca.api.audit.AuditEvent;
import io.oneca.api.audit.AuditEventType;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.OneCa;
import io.oneca.core.store.InMemoryStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Properties, conditions and back-off of the auto-configuration, with a real file store. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OneCaAutoConfigurationTest {
  @TempDir
  Path temp;

  private Path kekFile;
  private String storeUri;

  @BeforeEach
  void setUp() throws Exception {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    kekFile = Files.writeString(temp.resolve("kek"), Base64.getEncoder().encodeToString(key));
    storeUri = Files.createDirectory(temp.resolve("store")).toUri().toString();
  }

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
        OneCaAutoConfiguration.class, OneCaHealthAutoConfiguration.class, SslAutoConfiguration.class));
  }

  private ApplicationContextRunner configured() {
    return runner().withPropertyValues("oneca.store=" + storeUri, "oneca.key-encryption-key.file=" + kekFile);
  }

  @Test
  void noStoreConfigured_createsNothing() {
    runner().run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).doesNotHaveBean(OneCa.class).doesNotHaveBean(VersionedStore.class);
    });
  }

  @Test
  void storeAndKek_startOneCaFromProperties() {
    configured().withPropertyValues("oneca.ca-key=team-a/ca", "oneca.ca-subject=CN=Team A CA,O=Acme",
            "oneca.resync-interval=5s", "oneca.replica-id=replica-7")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(VersionedStore.class).hasSingleBean(OneCa.class)
              .hasSingleBean(OneCaHealthIndicator.class).doesNotHaveBean(ManagedIdentity.class);
          OneCa oneCa = context.getBean(OneCa.class);
          CaView ca = oneCa.ca();
          assertThat(ca.storeKey()).isEqualTo("team-a/ca");
          assertThat(ca.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=Team A CA,O=Acme");
          assertThat(oneCa.replicaId()).isEqualTo("replica-7");
          VersionedStore store = context.getBean(VersionedStore.class);
          assertThat(store.backend()).startsWith("file:");
          assertThat(store.get("team-a/ca").join()).isPresent();
        });
  }

  @Test
  void rotationProperties_becomeTheRotationPolicy() {
    configured().withPropertyValues("oneca.rotation.automatic=false", "oneca.rotation.cross-sign=true",
            "oneca.rotation.check-interval=5s")
        .run(context -> {
          assertThat(context).hasNotFailed();
          io.oneca.core.rotation.RotationPolicy policy = context.getBean(OneCa.class).rotation().policy();
          assertThat(policy.automatic()).isFalse();
          assertThat(policy.crossSign()).isTrue();
          assertThat(policy.checkInterval()).isEqualTo(java.time.Duration.ofSeconds(5));
        });
    configured().run(context -> assertThat(context.getBean(OneCa.class).rotation().policy())
        .isEqualTo(io.oneca.core.rotation.RotationPolicy.defaults()));
  }

  @Test
  void noKekAndNoPlaintextOptIn_failsNamingTheProperties() {
    runner().withPropertyValues("oneca.store=" + storeUri).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause()
          .hasMessageContaining("oneca.key-encryption-key.file")
          .hasMessageContaining("oneca.key-encryption-key.env")
          .hasMessageContaining("oneca.allow-plaintext-ca-key=true");
    });
  }

  @Test
  void plaintextOptIn_isExplicitAndWorks() {
    runner().withPropertyValues("oneca.store=" + storeUri, "oneca.allow-plaintext-ca-key=true")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(OneCa.class));
  }

  @Test
  void kekFromBothFileAndEnv_isRefused() {
    configured().withPropertyValues("oneca.key-encryption-key.env=ONECA_KEK").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("not both");
    });
  }

  @Test
  void unreadableRecord_failsStartNamingKeyAndCause() throws Exception {
    try (VersionedStore store = io.oneca.api.store.Stores.open(storeUri)) {
      CasResult written = store.compareAndSet("oneca/ca", Precondition.absent(),
          "not a record".getBytes(StandardCharsets.US_ASCII)).join();
      assertThat(written).isInstanceOf(CasResult.Applied.class);
    }
    configured().run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).hasStackTraceContaining("UnreadableRecordException")
          .hasStackTraceContaining("will not be overwritten");
      assertThat(context.getStartupFailure()).hasStackTraceContaining("OneCA could not bootstrap its CA (key 'oneca/ca'")
          .hasStackTraceContaining("not a OneCA record");
    });
  }

  @Test
  void identityAndSslBundle_fromProperties() {
    configured().withPropertyValues("oneca.identity.name=web", "oneca.identity.dns-names=web.example.com,localhost",
            "oneca.identity.ip-addresses=127.0.0.1", "oneca.identity.ttl=2h")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(ManagedIdentity.class)
              .hasSingleBean(OneCaSslBundleRegistrar.class);
          ManagedIdentity identity = context.getBean(ManagedIdentity.class);
          X509Certificate leaf = identity.current().certificate();
          assertThat(leaf.getSubjectAlternativeNames().stream().map(name -> String.valueOf(name.get(1))).toList())
              .containsExactlyInAnyOrder("web.example.com", "localhost", "127.0.0.1");
          assertThat(leaf.getNotAfter().getTime() - leaf.getNotBefore().getTime())
              .isLessThanOrEqualTo(TimeUnit.HOURS.toMillis(2) + TimeUnit.MINUTES.toMillis(10));

          SslBundle bundle = context.getBean(SslBundles.class).getBundle("oneca");
          KeyStore keyStore = bundle.getStores().getKeyStore();
          assertThat(keyStore.getCertificate(bundle.getKey().getAlias())).isEqualTo(leaf);
          assertThat(bundle.getStores().getTrustStore().size()).isEqualTo(identity.current().trustBundle().size());
          assertThat(bundle.getManagers().getKeyManagers()).containsExactly(identity.keyManager());
        });
  }

  @Test
  void identityRenewal_updatesTheRegisteredBundle() {
    configured().withPropertyValues("oneca.identity.name=web", "oneca.identity.dns-names=localhost").run(context -> {
      SslBundles bundles = context.getBean(SslBundles.class);
      List<SslBundle> updates = new CopyOnWriteArrayList<>();
      bundles.addBundleUpdateHandler("oneca", updates::add);
      ManagedIdentity identity = context.getBean(ManagedIdentity.class);
      X509Certificate renewed = identity.renewNow().certificate();
      assertThat(updates).hasSize(1);
      assertThat(updates.get(0).getStores().getKeyStore().getCertificate(OneCaSslBundle.ALIAS)).isEqualTo(renewed);
      assertThat(bundles.getBundle("oneca").getStores().getKeyStore().getCertificate(OneCaSslBundle.ALIAS))
          .isEqualTo(renewed);
    });
  }

  @Test
  void preparedSuccessorCa_updatesTheBundlesTrustStoreBeforeActivation() {
    configured().withPropertyValues("oneca.identity.name=web", "oneca.identity.dns-names=localhost").run(context -> {
      SslBundles bundles = context.getBean(SslBundles.class);
      List<SslBundle> updates = new CopyOnWriteArrayList<>();
      bundles.addBundleUpdateHandler("oneca", updates::add);
      ManagedIdentity identity = context.getBean(ManagedIdentity.class);
      X509Certificate leaf = identity.current().certificate();
      OneCa oneCa = context.getBean(OneCa.class);

      assertThat(oneCa.rotation().prepare().join().applied()).isTrue();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (updates.isEmpty() && System.nanoTime() < deadline) {
        oneCa.reload().get(5, TimeUnit.SECONDS);
      }
      assertThat(updates).as("a trust-only change is published").isNotEmpty();
      SslBundle latest = updates.get(updates.size() - 1);
      assertThat(latest.getStores().getTrustStore().size()).isEqualTo(2);
      assertThat(latest.getStores().getKeyStore().getCertificate(OneCaSslBundle.ALIAS))
          .as("the certificate does not change when a successor is only prepared").isEqualTo(leaf);
    });
  }

  @Test
  void sslBundleCanBeSwitchedOff() {
    configured().withPropertyValues("oneca.identity.name=web", "oneca.ssl.enabled=false")
        .run(context -> assertThat(context).hasSingleBean(ManagedIdentity.class)
            .doesNotHaveBean(OneCaSslBundleRegistrar.class));
  }

  @Test
  void withoutActuator_noHealthIndicatorAndNoFailure() {
    configured().withClassLoader(new org.springframework.boot.test.context.FilteredClassLoader(
            org.springframework.boot.actuate.health.HealthIndicator.class))
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(OneCa.class)
            .doesNotHaveBean(OneCaHealthIndicator.class));
  }

  @Test
  void disabled_createsNothing() {
    configured().withPropertyValues("oneca.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(OneCa.class));
  }

  @Test
  void userBeans_win() {
    InMemoryStore own = InMemoryStore.create();
    try {
      runner().withPropertyValues("oneca.allow-plaintext-ca-key=true")
          .withBean(VersionedStore.class, () -> own)
          .run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(OneCa.class);
            assertThat(context.getBean(VersionedStore.class)).isSameAs(own);
            assertThat(own.get("oneca/ca").join()).as("OneCA bootstrapped into the application's store").isPresent();
          });
      runner().withUserConfiguration(OwnOneCa.class).withPropertyValues("oneca.store=" + storeUri)
          .run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(OneCa.class);
            assertThat(context.getBean(OneCa.class)).isSameAs(context.getBean(OwnOneCa.class).oneCa);
          });
    } finally {
      own.close();
    }
  }

  @Test
  void customizers_adjustTheBuilder() {
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    configured().withBean(OneCaBuilderCustomizer.class, () -> builder -> builder.auditSink(events::add))
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(events).extracting(AuditEvent::type).contains(AuditEventType.CA_CREATED);
        });
  }

  @Test
  void storeAndOneCa_closedWithTheContext() {
    VersionedStore[] store = new VersionedStore[1];
    OneCa[] oneCa = new OneCa[1];
    configured().run(context -> {
      store[0] = context.getBean(VersionedStore.class);
      oneCa[0] = context.getBean(OneCa.class);
    });
    assertThat(oneCa[0].health().status()).isEqualTo(io.oneca.core.health.HealthStatus.DOWN);
    assertThat(store[0].get("oneca/ca")).failsWithin(java.time.Duration.ofSeconds(5))
        .withThrowableThat().havingRootCause().isInstanceOf(StoreClosedException.class);
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnOneCa {
    final InMemoryStore store = InMemoryStore.create();
    final OneCa oneCa = OneCa.builder().store(store).allowPlaintextCaKey().build();

    @Bean(destroyMethod = "close")
    OneCa ownOneCa() {
      oneCa.start();
      return oneCa;
    }
  }
}
