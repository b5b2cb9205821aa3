package io.oneca.backend.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.store.StoreKeys;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SecretNamesTest {
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/";
  private final SecretNames names = new SecretNames("oneca-");

  @Test
  void typicalKeys_mapToReadableNames() {
    assertThat(names.nameOf("oneca/prod/ca")).isEqualTo("oneca-oneca--prod--ca");
    assertThat(names.nameOf("Tenant_A/ca.v2")).isEqualTo("oneca--tenant-2-a--ca-1v2");
    assertThat(names.nameOf("a-b")).isEqualTo("oneca-a-0b");
  }

  @Test
  void keysThatNaiveLowerCasingOrReplacingWouldMerge_getDistinctNames() {
    List<String> lookAlikes = List.of("a/b", "a-b", "a.b", "a_b", "A/b", "a/B", "ab", "a--b", "a/-b", "a-/b", "a0b", "a-0b");
    assertThat(lookAlikes.stream().map(names::nameOf).distinct()).hasSameSizeAs(lookAlikes);
  }

  @Test
  void randomKeys_namesAreValidDistinctAndReversible() {
    Random random = new Random(7);
    Map<String, String> keyByName = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      String key = randomKey(random, 1 + random.nextInt(i % 10 == 0 ? StoreKeys.MAX_KEY_LENGTH : 24));
      String name = names.nameOf(key);

      assertThat(SecretNames.isDns1123Subdomain(name)).as("name of '%s': %s", key, name).isTrue();
      assertThat(name.length()).isLessThanOrEqualTo(253);
      String previous = keyByName.putIfAbsent(name, key);
      assertThat(previous == null || previous.equals(key)).as("'%s' and '%s' share %s", previous, key, name).isTrue();
      if (!name.contains(".")) {
        assertThat(SecretNames.unescape(name.substring("oneca-".length()))).isEqualTo(key);
      }
    }
  }

  @Test
  void longestKeys_getHashedNamesWithinTheLimit_andDistinct() {
    String a = "A".repeat(StoreKeys.MAX_KEY_LENGTH);
    String b = "A".repeat(StoreKeys.MAX_KEY_LENGTH - 1) + "B";
    SecretNames longPrefix = new SecretNames("p".repeat(SecretNames.MAX_PREFIX_LENGTH));

    for (SecretNames mapping : List.of(names, longPrefix)) {
      assertThat(mapping.nameOf(a)).hasSizeLessThanOrEqualTo(253).contains(".h").isNotEqualTo(mapping.nameOf(b));
      assertThat(SecretNames.isDns1123Subdomain(mapping.nameOf(a))).isTrue();
      assertThat(SecretNames.isDns1123Subdomain(mapping.nameOf(b))).isTrue();
    }
  }

  @Test
  void keysUpToHalfTheRemainingLength_alwaysGetEscapedNames() {
    String worst = "A".repeat((253 - "oneca-".length()) / 2);
    assertThat(names.nameOf(worst)).doesNotContain(".");
  }

  @Test
  void counterName_isNeverAKeyName() {
    assertThat(names.counterName()).isEqualTo("oneca-version.counter");
    assertThat(names.nameOf("version")).isNotEqualTo(names.counterName());
    assertThat(names.mayHoldRecord(names.counterName())).isFalse();
    assertThat(SecretNames.isDns1123Subdomain(names.counterName())).isTrue();
  }

  @Test
  void invalidKeysAndPrefixes_areRejected() {
    assertThatThrownBy(() -> names.nameOf("a//b")).isInstanceOf(InvalidRequestException.class);
    for (String bad : List.of("", "-x", "X", "a.b", "a_b", "p".repeat(64))) {
      assertThatThrownBy(() -> new SecretNames(bad)).as(bad).isInstanceOf(InvalidRequestException.class);
    }
  }

  @Test
  void unescape_rejectsTextNoKeyEscapesTo() {
    assertThat(SecretNames.unescape("a-")).isNull();
    assertThat(SecretNames.unescape("a-9")).isNull();
    assertThat(SecretNames.unescape("a.b")).isNull();
  }

  private static String randomKey(Random random, int length) {
    StringBuilder key = new StringBuilder();
    while (key.length() < length) {
      char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
      boolean segmentStart = key.length() == 0 || key.charAt(key.length() - 1) == '/';
      if (c == '/' && (segmentStart || key.length() == length - 1)) {
        continue;
      }
      key.append(c);
    }
    String candidate = key.toString();
    try {
      return StoreKeys.validateKey(candidate);
    } catch (InvalidRequestException e) {
      return "k" + Integer.toHexString(candidate.hashCode()); // a '.' or '..' segment: any valid key will do
    }
  }
}
