package io.oneca.core.internal.crypto;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The JCA providers OneCA uses, created once. Constructing a {@link BouncyCastleProvider} takes
 * tens of milliseconds and registers hundreds of services, so it must never happen per call.
 *
 * <p>The provider is deliberately not installed with {@link java.security.Security#addProvider}:
 * an embedded library must not change the JVM's global provider list. Every use passes the
 * instance explicitly.
 */
public final class Providers {
  private Providers() {}

  private static final class BouncyCastleHolder {
    static final Provider INSTANCE = new BouncyCastleProvider();
  }

  /**
   * Returns the shared BouncyCastle provider, created on first use. Thread-safe.
   *
   * @return the provider
   */
  public static Provider bouncyCastle() {
    return BouncyCastleHolder.INSTANCE;
  }
}
