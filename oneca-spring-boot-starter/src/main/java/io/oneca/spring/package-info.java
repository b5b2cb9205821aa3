/**
 * Spring Boot auto-configuration for OneCA: a started {@link io.oneca.core.OneCa} bean from
 * {@code oneca.*} properties ({@link io.oneca.spring.OneCaProperties}), the application's own
 * renewing identity, an SSL bundle for the embedded web server and a health indicator.
 */
package io.oneca.spring;
