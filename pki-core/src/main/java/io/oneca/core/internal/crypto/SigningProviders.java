package io.oneca.core.internal.crypto;

import io.oneca.api.InvalidRequestException;
import io.oneca.core.CryptoProviderChoice;
import java.lang.reflect.InvocationTargetException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the JCA provider for signature operations only (signing certificates, verifying CSRs):
 * Amazon Corretto Crypto Provider (ACCP) when it is present and healthy, else BouncyCastle.
 *
 * <p>ACCP is an optional dependency, so nothing here links to it: it is found with
 * {@link Class#forName}, and its health is asked through reflection ({@code getLoadingError()},
 * {@code assertHealthy()}). A missing class, a native library that cannot load on this platform,
 * or a failed self-test all make it "unavailable" with a reason, and {@link CryptoProviderChoice#AUTO}
 * then falls back to BouncyCastle. Detection runs once per JVM. Like {@link Providers}, nothing is
 * installed in the JVM's global provider list.
 */
public final class SigningProviders {
  /** The class ACCP's jar provides; its {@code INSTANCE} field holds the provider. */
  static final String CORRETTO_CLASS = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";

  private static final Logger LOG = LoggerFactory.getLogger(SigningProviders.class);
  private static final AtomicReference<Provider> LOGGED = new AtomicReference<>();

  private SigningProviders() {}

  /**
   * Whether ACCP can be used, and why not when it cannot.
   *
   * @param provider the ACCP instance, or null when unavailable
   * @param unavailableReason why it is unavailable, or null when available
   */
  public record CorrettoStatus(Provider provider, String unavailableReason) {
    /** Validates that exactly one of the two is present. */
    public CorrettoStatus {
      if ((provider == null) == (unavailableReason == null)) {
        throw new IllegalArgumentException("exactly one of provider and unavailableReason must be set");
      }
    }

    /** Returns ACCP when it is available. */
    public Optional<Provider> available() {
      return Optional.ofNullable(provider);
    }
  }

  private static final class CorrettoHolder {
    static final CorrettoStatus STATUS = detect(CORRETTO_CLASS, SigningProviders.class.getClassLoader());
  }

  /**
   * Returns whether ACCP is usable in this JVM; detected on first call, then cached. Thread-safe.
   *
   * @return the status
   */
  public static CorrettoStatus corretto() {
    return CorrettoHolder.STATUS;
  }

  /**
   * Returns the provider for signatures under a choice, and logs at INFO the first time (and
   * whenever the answer changes) which provider signs.
   *
   * @param choice the choice
   * @return ACCP or BouncyCastle
   * @throws InvalidRequestException ({@code signatureProvider}) if ACCP was chosen explicitly and is
   *     unavailable; the message says why
   */
  public static Provider select(CryptoProviderChoice choice) {
    return select(choice, corretto());
  }

  static Provider select(CryptoProviderChoice choice, CorrettoStatus status) {
    Objects.requireNonNull(choice, "choice");
    Objects.requireNonNull(status, "status");
    Provider chosen = switch (choice) {
      case BOUNCY_CASTLE -> Providers.bouncyCastle();
      case AUTO -> status.available().orElse(Providers.bouncyCastle());
      case CORRETTO -> status.available().orElseThrow(() -> new InvalidRequestException("signatureProvider",
          "CORRETTO was chosen, but Amazon Corretto Crypto Provider is unavailable: " + status.unavailableReason()));
    };
    if (LOGGED.getAndSet(chosen) != chosen) {
      if (chosen == Providers.bouncyCastle() && status.unavailableReason() != null) {
        LOG.info("OneCA signs and verifies with BouncyCastle ({}); Amazon Corretto Crypto Provider unavailable: {}",
            choice, status.unavailableReason());
      } else {
        LOG.info("OneCA signs and verifies with {} {} ({})", chosen.getName(), chosen.getVersionStr(), choice);
      }
    }
    return chosen;
  }

  /**
   * A provider and the CA key in the form that provider signs with fastest.
   *
   * @param provider the provider to sign with
   * @param key the key, translated to the provider's own key class when it has one
   */
  record Signing(Provider provider, PrivateKey key) {}

  /**
   * Prepares signing with a CA key, once per CA: when the preferred provider is not BouncyCastle,
   * the key is translated to its native form (ACCP would otherwise re-import it on every
   * signature). Falls back to BouncyCastle with the original key when the provider offers no such
   * signature algorithm or cannot take the key.
   */
  static Signing signing(Provider preferred, String signatureAlgorithm, PrivateKey key) {
    Objects.requireNonNull(preferred, "preferred");
    Objects.requireNonNull(key, "key");
    if (preferred == Providers.bouncyCastle()) {
      return new Signing(preferred, key);
    }
    if (preferred.getService("Signature", signatureAlgorithm) == null) {
      LOG.debug("{} has no {} signature; BouncyCastle signs instead", preferred.getName(), signatureAlgorithm);
      return new Signing(Providers.bouncyCastle(), key);
    }
    try {
      return new Signing(preferred, (PrivateKey) KeyFactory.getInstance(key.getAlgorithm(), preferred).translateKey(key));
    } catch (GeneralSecurityException | RuntimeException e) {
      // Only the exception type: provider messages about a key may describe it.
      LOG.debug("{} cannot take a {} CA key ({}); BouncyCastle signs instead",
          preferred.getName(), key.getAlgorithm(), e.getClass().getSimpleName());
      return new Signing(Providers.bouncyCastle(), key);
    }
  }

  /** Detects ACCP (or, in tests, a stand-in class with the same reflective surface). */
  static CorrettoStatus detect(String className, ClassLoader loader) {
    Class<?> type;
    try {
      type = Class.forName(className, true, loader);
    } catch (ClassNotFoundException e) {
      return new CorrettoStatus(null, "class " + className + " is not on the class or module path");
    } catch (LinkageError e) {
      return new CorrettoStatus(null, "class " + className + " cannot be loaded: " + e);
    }
    try {
      Object instance = type.getField("INSTANCE").get(null);
      if (!(instance instanceof Provider provider)) {
        return new CorrettoStatus(null, className + ".INSTANCE is not a java.security.Provider");
      }
      Object loadingError = type.getMethod("getLoadingError").invoke(provider);
      if (loadingError != null) {
        return new CorrettoStatus(null, "its native library did not load: " + loadingError);
      }
      type.getMethod("assertHealthy").invoke(provider);
      if (provider.getService("Signature", "SHA256withECDSA") == null) {
        return new CorrettoStatus(null, "it offers no SHA256withECDSA signature");
      }
      return new CorrettoStatus(provider, null);
    } catch (InvocationTargetException e) {
      return new CorrettoStatus(null, "it failed its health check: " + e.getCause());
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return new CorrettoStatus(null, "it cannot be used: " + e);
    }
  }
}
