package io.oneca.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.core.health.HealthCheck;
import io.oneca.core.health.HealthStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Kuma incident 3: one broken reference must not stop the good ones. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResolverTest {

  @Test
  void oneMissingSecretAmongHundred_ninetyNineServed_oneFailureNamesIt() {
    Map<String, String> secrets = new HashMap<>();
    List<String> references = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      references.add("secret-" + i);
      if (i != 42) {
        secrets.put("secret-" + i, "pem-" + i);
      }
    }
    Resolver<String> resolver = Resolver.of("secret", name -> {
      String value = secrets.get(name);
      if (value == null) {
        throw new NoSuchElementException("secret '" + name + "' does not exist");
      }
      return value;
    });

    Resolution<String> resolution = resolver.resolve(references);

    assertThat(resolution.resolvedCount()).isEqualTo(99);
    assertThat(resolution.values()).hasSize(99).doesNotContainKey("secret-42").containsEntry("secret-99", "pem-99");
    assertThat(resolution.failedCount()).isEqualTo(1);
    ItemResult.Failed<String> failure = resolution.failures().get(0);
    assertThat(failure.name()).isEqualTo("secret-42");
    assertThat(failure.cause()).isInstanceOf(NoSuchElementException.class);
    assertThat(failure.message()).contains("secret-42").contains("NoSuchElementException").contains("does not exist");
    assertThat(resolution.isComplete()).isFalse();
    assertThat(resolution.failureSummary()).contains("secret-42");
    assertThat(resolver.failureCount()).isEqualTo(1);
    assertThat(resolver.lastFailedItems()).containsExactly("secret-42");
    HealthCheck health = resolver.health();
    assertThat(health.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(health.name()).isEqualTo("resolution:secret");
    assertThat(health.detail()).startsWith("1 secret item(s) failed: secret-42: NoSuchElementException");
  }

  @Test
  void loaderReturningNull_isAFailureNamingTheItem() {
    Resolver<String> resolver = Resolver.of("trust-bundle", name -> name.equals("tenant-b") ? null : "bundle");
    Resolution<String> resolution = resolver.resolve(List.of("tenant-a", "tenant-b", "tenant-c"));
    assertThat(resolution.values()).containsOnlyKeys("tenant-a", "tenant-c");
    assertThat(resolution.failures()).extracting(ItemResult.Failed::name).containsExactly("tenant-b");
    assertThat(resolution.failures().get(0).message()).contains("trust-bundle 'tenant-b' not found");
  }

  @Test
  void failuresAreCountedAcrossResolutions_andLastFailedItemsTracksTheLatestOnly() {
    boolean[] broken = {true};
    Resolver<String> resolver = Resolver.of("ca", name -> {
      if (broken[0] && name.equals("x")) {
        throw new IllegalStateException("unreadable");
      }
      return name;
    });
    resolver.resolve(List.of("x", "y"));
    broken[0] = false;
    Resolution<String> healed = resolver.resolve(List.of("x", "y", "x"));
    assertThat(healed.isComplete()).isTrue();
    assertThat(healed.results()).hasSize(2);
    assertThat(resolver.failureCount()).isEqualTo(1);
    assertThat(resolver.resolutionCount()).isEqualTo(2);
    assertThat(resolver.lastFailedItems()).isEmpty();
    assertThat(resolver.health().status()).isEqualTo(HealthStatus.UP);
  }

  @Test
  void errorInLoader_propagates() {
    Resolver<String> resolver = Resolver.of("secret", name -> {
      throw new OutOfMemoryError("simulated");
    });
    assertThatThrownBy(() -> resolver.resolve(List.of("a"))).isInstanceOf(OutOfMemoryError.class);
  }

  @Test
  void resolution_duplicateNames_areRejected() {
    assertThatThrownBy(() -> new Resolution<>(List.of(
        new ItemResult.Resolved<>("a", "1"), new ItemResult.Resolved<>("a", "2"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
  }
}
