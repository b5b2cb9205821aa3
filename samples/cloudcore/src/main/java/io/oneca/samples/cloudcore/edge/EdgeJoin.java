package io.oneca.samples.cloudcore.edge;

import com.fasterxml.jackson.databind.JsonNode;
import io.oneca.api.Pem;
import io.oneca.samples.cloudcore.http.Json;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The join: posts the token and a CSR to a replica whose chain ends at a pinned CA, checks that the
 * certificate it gets back holds its key and chains to the bundle it gets with it, and publishes
 * key, certificate and bundle together. Unreachable replicas are retried on the next one with
 * backoff; a refusal (4xx other than 429) ends the join.
 */
final class EdgeJoin {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeJoin.class);
  private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(60);

  private final EdgeSettings settings;
  private final EdgeFiles files;

  EdgeJoin(EdgeSettings settings, EdgeFiles files) {
    this.settings = settings;
    this.files = files;
  }

  /** Joins; returns the name of the replica that accepted. */
  String run() throws IOException {
    if (settings.token() == null) {
      throw new IOException("edge " + settings.node() + " has no identity in " + files.directory() + " and no join token");
    }
    SSLContext pinned = pinnedContext();
    Csrs csr = Csrs.forNode(settings.node());
    byte[] body = Json.bytes(Map.of("token", settings.token(), "csr", csr.csrPem()));
    List<ReplicaEndpoint> replicas = settings.replicas();
    long deadline = System.nanoTime() + GIVE_UP_AFTER.toNanos();
    IOException last = null;
    for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
      ReplicaEndpoint replica = replicas.get((settings.joinVia() + attempt) % replicas.size());
      try {
        TinyHttps.Response answer = TinyHttps.exchange(pinned, replica.publicAddress(), "POST", "/v1/join", body,
            settings.requestTimeout());
        JsonNode json = Json.tree(answer.body());
        if (answer.status() == 200) {
          verifyAndPublish(csr, json);
          LOG.info("edge {}: joined through {}, serial {}", settings.node(), replica.name(), json.path("serial").asText());
          return replica.name();
        }
        if (answer.status() != 429 && answer.status() < 500) {
          throw new JoinRefusedException(answer.status(), json.path("error").asText("unknown"), json.path("message").asText(""));
        }
        last = new IOException("join at " + replica.name() + " answered HTTP " + answer.status());
      } catch (JoinRefusedException e) {
        throw e;
      } catch (IOException e) {
        if (FailureKind.of(e) == FailureKind.CERTIFICATE_OR_TRUST) {
          // A replica that does not chain to the pinned CA is not retried: another one would be no
          // different, and a man in the middle should not get a minute of attempts.
          throw new IOException("edge " + settings.node() + ": " + replica.name()
              + " does not prove it holds the pinned CA; check --ca-pin", e);
        }
        last = e;
      }
      LOG.info("edge {}: join attempt {} failed: {}", settings.node(), attempt + 1, last.toString());
      try {
        Thread.sleep(Math.min(settings.backoffMax().toMillis(), settings.backoffMin().toMillis() << Math.min(attempt, 10)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("join interrupted", e);
      }
    }
    throw new IOException("edge " + settings.node() + " could not join within " + GIVE_UP_AFTER, last);
  }

  private void verifyAndPublish(Csrs csr, JsonNode json) throws IOException {
    String chainPem = json.path("certificateChainPem").asText();
    String bundlePem = json.path("caBundlePem").asText();
    try {
      List<X509Certificate> chain = Pem.decodeCertificates(chainPem);
      List<X509Certificate> bundle = Pem.decodeCertificates(bundlePem);
      if (chain.isEmpty() || bundle.isEmpty()) {
        throw new IOException("the join answer holds no certificate or no bundle");
      }
      X509Certificate leaf = chain.get(0);
      boolean chained = false;
      for (X509Certificate issuer : concat(chain.subList(1, chain.size()), bundle)) {
        try {
          leaf.verify(issuer.getPublicKey());
          chained = true;
          break;
        } catch (GeneralSecurityException e) {
          // try the next one
        }
      }
      if (!chained) {
        throw new IOException("the issued certificate is not signed by any CA of the chain or bundle it came with");
      }
      if (!java.util.Arrays.equals(leaf.getPublicKey().getEncoded(), csr.publicKey().getEncoded())) {
        throw new IOException("the issued certificate does not hold the key the edge asked for");
      }
    } catch (IllegalArgumentException e) {
      throw new IOException("the join answer is not valid PEM: " + e.getMessage(), e);
    }
    files.publish(csr.keyPem(), chainPem, bundlePem);
  }

  private static List<X509Certificate> concat(List<X509Certificate> a, List<X509Certificate> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }

  private SSLContext pinnedContext() throws IOException {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new PinnedTrustManager(settings.caPins())}, null);
      return context;
    } catch (NoSuchAlgorithmException | KeyManagementException e) {
      throw new IOException("cannot set up TLS for the join", e);
    }
  }
}
