package io.oneca.benchmarks.issuance;

import io.oneca.core.CryptoProviderChoice;
import io.oneca.core.internal.crypto.SigningProviders;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Random;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two signature operations of an issuance, alone, per provider: SHA256withECDSA P-256 signing
 * of a 400-byte message (about a leaf's to-be-signed part) and verification of such a signature
 * with a public key decoded from its X.509 encoding on each call, as CSR verification does. These
 * are the figures to hold against {@code openssl speed ecdsap256}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SignatureBenchmark {
  private static final String ALGORITHM = "SHA256withECDSA";

  /** A {@link CryptoProviderChoice} name other than AUTO. */
  @Param({"BOUNCY_CASTLE", "CORRETTO"})
  public String provider;

  private Provider jca;
  private KeyPair keys;
  private byte[] message;
  private byte[] signature;
  private byte[] encodedPublicKey;

  /** Generates a P-256 key pair with the provider and one signature to verify. */
  @Setup(Level.Trial)
  public void setUp() throws GeneralSecurityException {
    jca = SigningProviders.select(CryptoProviderChoice.valueOf(provider));
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", jca);
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    keys = generator.generateKeyPair();
    message = new byte[400];
    new Random(1).nextBytes(message);
    signature = sign();
    encodedPublicKey = keys.getPublic().getEncoded();
    if (!verify()) {
      throw new IllegalStateException(provider + " does not verify its own signature");
    }
  }

  /** One signature. */
  @Benchmark
  public byte[] sign() throws GeneralSecurityException {
    Signature signer = Signature.getInstance(ALGORITHM, jca);
    signer.initSign(keys.getPrivate());
    signer.update(message);
    return signer.sign();
  }

  /** One verification, including decoding the public key. */
  @Benchmark
  public boolean verify() throws GeneralSecurityException {
    PublicKey publicKey = KeyFactory.getInstance("EC", jca).generatePublic(new X509EncodedKeySpec(encodedPublicKey));
    Signature verifier = Signature.getInstance(ALGORITHM, jca);
    verifier.initVerify(publicKey);
    verifier.update(message);
    return verifier.verify(signature);
  }
}
