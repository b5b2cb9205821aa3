/** Runnable demos of OneCA on the embedded file store, and the CloudCore sample. */
@SuppressWarnings("requires-automatic") // micrometer.core has no module descriptor yet
module io.oneca.samples {
  requires transitive io.oneca.core;
  requires transitive jdk.httpserver;
  requires java.net.http; // the edge node's client (and the join tests)
  requires com.fasterxml.jackson.core;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;
  requires micrometer.core;

  exports io.oneca.samples.cloudcore.join;
}
