package io.oneca.spring;

import io.oneca.core.OneCa;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Adds {@link OneCaHealthIndicator} (health contributor {@code oneca}) when Spring Boot Actuator is
 * on the class path and a {@link OneCa} bean exists.
 */
@AutoConfiguration(after = OneCaAutoConfiguration.class)
@ConditionalOnClass({OneCa.class, HealthIndicator.class})
@ConditionalOnBean(OneCa.class)
public class OneCaHealthAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public OneCaHealthAutoConfiguration() {}

  /**
   * Reports {@link OneCa#health()} to Spring Boot's health endpoint.
   *
   * @param oneCa the started OneCa
   * @return the indicator, named {@code oneca} by its bean name
   */
  @Bean(name = "onecaHealthIndicator")
  @ConditionalOnMissingBean(name = "onecaHealthIndicator")
  public OneCaHealthIndicator onecaHealthIndicator(OneCa oneCa) {
    return new OneCaHealthIndicator(oneCa);
  }
}
