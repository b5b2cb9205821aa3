package io.oneca.benchmarks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A smoke run with tiny parameters, so that the driver cannot rot. Figures are not checked. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FanOutDriverTest {

  @Test
  void fanOut_everySubscriberReceivesEveryRound() throws Exception {
    FanOutDriver.Result result = FanOutDriver.run(50, 3, 1, 2, 1024);
    assertThat(result.deliveryMillis().count()).isEqualTo(150);
    assertThat(result.deliveryMillis().min()).isPositive();
    assertThat(result.roundMillis().count()).isEqualTo(3);
    assertThat(result.format()).contains("subscribers=50");
  }
}
