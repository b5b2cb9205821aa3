package io.oneca.samples.cloudcore.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.testkit.MutableClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FailureRateLimiterTest {
  private final MutableClock clock = MutableClock.at(Instant.parse("2026-11-22T02:00:00Z"));
  private final FailureRateLimiter limiter = FailureRateLimiter.of(JoinSettings.builder().clock(clock).build());

  @Test
  void tenFailures_eleventhAttemptLimited_withRetryAfterOfOneRefill() throws Exception {
    InetAddress source = InetAddress.getByName("192.0.2.1");
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.check(source)).as("attempt %d", i + 1).isEmpty();
      limiter.recordFailure(source);
    }

    assertThat(limiter.check(source)).contains(Duration.ofSeconds(6));
  }

  @Test
  void limited_refillsAtTenPerMinute() throws Exception {
    InetAddress source = InetAddress.getByName("192.0.2.1");
    failTimes(source, 10);

    clock.advance(Duration.ofSeconds(5));
    Optional<Duration> stillLimited = limiter.check(source);
    clock.advance(Duration.ofSeconds(1));

    assertThat(stillLimited).contains(Duration.ofSeconds(1));
    assertThat(limiter.check(source)).isEmpty();
    limiter.recordFailure(source);
    assertThat(limiter.check(source)).isPresent();
  }

  @Test
  void failuresBeyondBudget_stillCharged() throws Exception {
    InetAddress source = InetAddress.getByName("192.0.2.1");
    failTimes(source, 15);

    assertThat(limiter.check(source)).contains(Duration.ofSeconds(36));
  }

  @Test
  void sources_independent() throws Exception {
    failTimes(InetAddress.getByName("192.0.2.1"), 10);

    assertThat(limiter.check(InetAddress.getByName("192.0.2.2"))).isEmpty();
  }

  @Test
  void ipv6_chargedPerSlash64() throws Exception {
    failTimes(InetAddress.getByName("2001:db8:1:2::1"), 10);

    assertThat(limiter.check(InetAddress.getByName("2001:db8:1:2:ffff::9"))).isPresent();
    assertThat(limiter.check(InetAddress.getByName("2001:db8:1:3::1"))).isEmpty();
  }

  @Test
  void memory_boundedBySize_andBucketsExpireOnceFull() throws Exception {
    FailureRateLimiter small = FailureRateLimiter.of(JoinSettings.builder().clock(clock).maxTrackedSources(50).build());
    for (int i = 0; i < 500; i++) {
      small.recordFailure(InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i}));
    }
    assertThat(small.trackedSources()).isLessThanOrEqualTo(50);

    clock.advance(Duration.ofMinutes(3));

    assertThat(small.trackedSources()).isZero();
  }

  private void failTimes(InetAddress source, int times) {
    for (int i = 0; i < times; i++) {
      limiter.recordFailure(source);
    }
  }
}
