package io.oneca.benchmarks.issuance;

import io.oneca.api.CertificateRequest;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.Pem;
import io.oneca.core.CryptoProviderChoice;
import io.oneca.core.OneCa;
import io.oneca.core.store.InMemoryStore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-process issuance through the public API, per signature provider: {@link OneCa#issue} of a
 * pre-generated ECDSA P-256 CSR (parse, policy checks, CSR signature verification, certificate
 * building and signing with a P-256 CA, conversion to a JDK certificate) followed by PEM encoding
 * of the chain, as a join endpoint would answer. Audit events go to a no-op sink so logging is not
 * measured. One thread unless JMH's {@code -t} says otherwise; each thread cycles through its own
 * pool of distinct CSRs.
 *
 * <p>Per issuance the crypto is one ECDSA P-256 verification and one signature, so the ceiling is
 * OpenSSL's sign+verify limit {@code 1 / (1/sign + 1/verify)} per core (see
 * {@code benchmarks/scripts/openssl-compare.sh}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IssuanceBenchmark {

  /** A {@link CryptoProviderChoice} name. CORRETTO fails the trial when ACCP is unavailable. */
  @Param({"BOUNCY_CASTLE", "CORRETTO"})
  public String provider;

  private InMemoryStore store;
  private OneCa ca;

  /** Each benchmark thread's own CSRs. */
  @State(Scope.Thread)
  public static class Csrs {
    /** Distinct CSRs per thread; a power of two. */
    @Param({"256"})
    public int poolSize;

    CsrPool pool;

    /** Generates the pool (not measured). */
    @Setup(Level.Trial)
    public void generate() throws Exception {
      pool = CsrPool.p256(poolSize);
    }
  }

  /** Starts a OneCA on an in-memory store with a P-256 CA and the chosen signature provider. */
  @Setup(Level.Trial)
  public void setUp() {
    store = InMemoryStore.create();
    ca = OneCa.builder()
        .store(store)
        .allowPlaintextCaKey()
        .auditSink(event -> { })
        .signatureProvider(CryptoProviderChoice.valueOf(provider))
        .build();
    ca.start();
  }

  /** Stops the OneCA and its store. */
  @TearDown(Level.Trial)
  public void tearDown() {
    ca.close();
    store.close();
  }

  /** One issuance from a CSR, answered as PEM. */
  @Benchmark
  public String issue(Csrs csrs) {
    return issue(ca, csrs.pool.next());
  }

  static String issue(OneCa ca, byte[] csr) {
    IssuedCertificate issued = ca.issue(CertificateRequest.fromCsr(csr).build());
    return Pem.encodeCertificates(issued.chain());
  }

  OneCa oneCa() {
    return ca;
  }
}
