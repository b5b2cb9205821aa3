package io.oneca.spring;

import io.oneca.core.OneCaBuilder;

/**
 * Adjusts the {@link OneCaBuilder} after the properties were applied and before the {@code OneCa}
 * is built: the place for settings that are code, not configuration (an audit sink, an issuance
 * policy, a clock). Declare beans of this type; they run in {@code @Order}. A customizer must not
 * set what the properties already set (each builder setting may be set once).
 */
@FunctionalInterface
public interface OneCaBuilderCustomizer {

  /**
   * Adjusts the builder.
   *
   * @param builder the builder, with the properties applied
   */
  void customize(OneCaBuilder builder);
}
