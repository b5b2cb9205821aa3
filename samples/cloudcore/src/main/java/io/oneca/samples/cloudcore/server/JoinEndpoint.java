package io.oneca.samples.cloudcore.server;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.OneCa;
import io.oneca.samples.cloudcore.join.JoinAudit;
import io.oneca.samples.cloudcore.join.JoinHandler;
import io.oneca.samples.cloudcore.join.JoinMetrics;
import io.oneca.samples.cloudcore.join.JoinSettings;
import io.oneca.samples.cloudcore.join.JoinTokens;
import io.oneca.samples.cloudcore.join.TokenRevocations;
import java.io.IOException;
import java.util.Deque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Mounts {@code POST /v1/join} on a replica's public listener, with the shared revocation list. */
final class JoinEndpoint {
  private JoinEndpoint() {}

  static JoinAudit mount(HttpServer server, ReplicaSettings settings, VersionedStore store, OneCa oneCa,
      MeterRegistry registry, Deque<AutoCloseable> resources) throws IOException {
    JoinTokens tokens = JoinTokens.fromKeyFile(settings.tokenKeyFile());
    ExecutorService revocationEvents = Executors.newSingleThreadExecutor(
        CloudCoreReplica.daemon("cloudcore-revocations-" + settings.replicaId()));
    resources.push(revocationEvents::shutdownNow);
    TokenRevocations revocations = TokenRevocations.start(store, TokenRevocations.DEFAULT_KEY, revocationEvents);
    resources.push(revocations);
    JoinAudit audit = JoinAudit.create();
    JoinMetrics.of(audit).bindTo(registry);
    server.createContext(JoinHandler.PATH, new JoinHandler(oneCa, tokens, revocations, audit,
        JoinSettings.builder().leafTtl(settings.edgeTtl()).build()));
    return audit;
  }
}
