package io.oneca.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.KeyAlgorithm;
import io.oneca.core.CryptoProviderChoice;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Detection of Amazon Corretto Crypto Provider and the fallback to BouncyCastle. The unavailable
 * cases use stand-in classes with ACCP's reflective surface ({@code INSTANCE},
 * {@code getLoadingError()}, {@code assertHealthy()}), so they run on every machine.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SigningProvidersTest {
  private static final byte[] MESSAGE = "to be signed".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final ClassLoader LOADER = SigningProvidersTest.class.getClassLoader();
  private static final SigningProviders.CorrettoStatus MISSING =
      SigningProviders.detect("com.example.NoSuchProvider", LOADER);

  @Test
  void detect_classMissing_unavailableNamingTheClass() {
    assertThat(MISSING.available()).isEmpty();
    assertThat(MISSING.unavailableReason()).contains("com.example.NoSuchProvider").contains("not on the class");
  }

  @Test
  void detect_nativeLibraryDidNotLoad_unavailableWithTheLoadingError() {
    SigningProviders.CorrettoStatus status = SigningProviders.detect(NativeMissing.class.getName(), LOADER);

    assertThat(status.available()).isEmpty();
    assertThat(status.unavailableReason()).contains("native library did not load").contains("libfake.so");
  }

  @Test
  void detect_healthCheckFails_unavailableWithTheCause() {
    SigningProviders.CorrettoStatus status = SigningProviders.detect(SelfTestFails.class.getName(), LOADER);

    assertThat(status.available()).isEmpty();
    assertThat(status.unavailableReason()).contains("health check").contains("self-test failed");
  }

  @Test
  void detect_healthyStandIn_available() {
    SigningProviders.CorrettoStatus status = SigningProviders.detect(Healthy.class.getName(), LOADER);

    assertThat(status.available()).containsSame(Healthy.INSTANCE);
  }

  @Test
  void detect_realCorretto_availableOnThisPlatform() {
    SigningProviders.CorrettoStatus status = SigningProviders.corretto();
    Assumptions.assumeTrue(status.available().isPresent(),
        () -> "Amazon Corretto Crypto Provider unavailable here: " + status.unavailableReason());

    assertThat(status.available().get().getName()).isEqualTo("AmazonCorrettoCryptoProvider");
  }

  @Test
  void select_autoWhenUnavailable_fallsBackToBouncyCastle() {
    assertThat(SigningProviders.select(CryptoProviderChoice.AUTO, MISSING)).isSameAs(Providers.bouncyCastle());
  }

  @Test
  void select_autoWhenAvailable_usesIt() {
    SigningProviders.CorrettoStatus status = new SigningProviders.CorrettoStatus(Healthy.INSTANCE, null);

    assertThat(SigningProviders.select(CryptoProviderChoice.AUTO, status)).isSameAs(Healthy.INSTANCE);
    assertThat(SigningProviders.select(CryptoProviderChoice.BOUNCY_CASTLE, status)).isSameAs(Providers.bouncyCastle());
  }

  @Test
  void select_correttoWhenUnavailable_typedErrorWithTheReason() {
    assertThatThrownBy(() -> SigningProviders.select(CryptoProviderChoice.CORRETTO, MISSING))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("signatureProvider")
        .hasMessageContaining("Amazon Corretto Crypto Provider is unavailable")
        .hasMessageContaining("com.example.NoSuchProvider");
  }

  @Test
  void signing_providerWithoutTheAlgorithm_bouncyCastleSignsWithTheOriginalKey() {
    PrivateKey key = TestPki.keyPair(KeyAlgorithm.EC_P256).getPrivate();

    SigningProviders.Signing signing = SigningProviders.signing(new Empty(), "SHA256withECDSA", key);

    assertThat(signing.provider()).isSameAs(Providers.bouncyCastle());
    assertThat(signing.key()).isSameAs(key);
  }

  @Test
  void signing_correttoWithBouncyCastleKey_correttoSignsWithItsOwnKey() throws Exception {
    Provider corretto = SigningProviders.corretto().available().orElse(null);
    Assumptions.assumeTrue(corretto != null,
        () -> "Amazon Corretto Crypto Provider unavailable here: " + SigningProviders.corretto().unavailableReason());
    for (KeyAlgorithm algorithm : new KeyAlgorithm[] {KeyAlgorithm.EC_P256, KeyAlgorithm.RSA_2048}) {
      KeyPair pair = TestPki.keyPair(algorithm);
      PrivateKey key = pair.getPrivate();

      SigningProviders.Signing signing = SigningProviders.signing(corretto, algorithm.signatureAlgorithm(), key);

      assertThat(signing.provider()).as("%s", algorithm).isSameAs(corretto);
      assertThat(signing.key().getClass().getName()).as("%s", algorithm).startsWith("com.amazon.corretto");
      Signature signer = Signature.getInstance(algorithm.signatureAlgorithm(), signing.provider());
      signer.initSign(signing.key());
      signer.update(MESSAGE);
      Signature verifier = Signature.getInstance(algorithm.signatureAlgorithm(), Providers.bouncyCastle());
      verifier.initVerify(pair.getPublic());
      verifier.update(MESSAGE);
      assertThat(verifier.verify(signer.sign())).as("%s: translated key signs as the original", algorithm).isTrue();
    }
  }

  /** A provider offering nothing. */
  static final class Empty extends Provider {
    private static final long serialVersionUID = 1L;

    Empty() {
      super("Empty", "1", "offers nothing");
    }
  }

  /** Stand-in: ACCP's class loaded but its native library did not. */
  public static final class NativeMissing extends Provider {
    private static final long serialVersionUID = 1L;
    public static final NativeMissing INSTANCE = new NativeMissing();

    private NativeMissing() {
      super("NativeMissing", "1", "stand-in");
    }

    public Throwable getLoadingError() {
      return new UnsatisfiedLinkError("cannot open libfake.so");
    }

    public void assertHealthy() {
      throw new IllegalStateException("not reached: the loading error is checked first");
    }
  }

  /** Stand-in: ACCP loaded but its self-tests fail. */
  public static final class SelfTestFails extends Provider {
    private static final long serialVersionUID = 1L;
    public static final SelfTestFails INSTANCE = new SelfTestFails();

    private SelfTestFails() {
      super("SelfTestFails", "1", "stand-in");
    }

    public Throwable getLoadingError() {
      return null;
    }

    public void assertHealthy() {
      throw new IllegalStateException("self-test failed");
    }
  }

  /** Stand-in: healthy and offering SHA256withECDSA. */
  public static final class Healthy extends Provider {
    private static final long serialVersionUID = 1L;
    public static final Healthy INSTANCE = new Healthy();

    private Healthy() {
      super("Healthy", "1", "stand-in");
      put("Signature.SHA256withECDSA", "com.example.NotUsed");
    }

    public Throwable getLoadingError() {
      return null;
    }

    public void assertHealthy() {
      // healthy
    }
  }
}
