/**
 * Spring Boot auto-configuration for OneCA. Spring's jars are automatic modules; the package is
 * opened to Spring so that it can instantiate the configuration and bind the properties.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.oneca.spring {
  requires transitive io.oneca.core;
  requires transitive spring.boot;
  requires transitive spring.boot.autoconfigure;
  requires transitive spring.beans;
  requires transitive spring.context;
  requires spring.core;
  requires static transitive spring.boot.actuator;
  requires org.slf4j;

  exports io.oneca.spring;

  opens io.oneca.spring to spring.core, spring.beans, spring.context;
}
