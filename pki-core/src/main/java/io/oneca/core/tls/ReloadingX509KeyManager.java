package io.oneca.core.tls;

import io.oneca.api.Fingerprint;
import io.oneca.api.InvalidRequestException;
import io.oneca.core.internal.tls.TlsMaterial;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager whose certificate and private key can be replaced while TLS contexts that use it
 * keep running: no {@code SSLContext} is rebuilt and no connection is dropped.
 *
 * <p>{@link #update} validates the new key and chain as one pair (the key signs a challenge that
 * the certificate's key verifies; each certificate is signed by the next) and publishes them under a
 * new alias in one volatile write. Handshakes read that snapshot without locks. The previous alias
 * stays resolvable so that a handshake which chose it just before the swap still completes. An
 * update with the same content as the current one is recognised by digest and changes nothing; an
 * update that changes only the certificate (same key) is a real change (the Kong incident).
 */
public final class ReloadingX509KeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS_PREFIX = "oneca-";

  private record Entry(String alias, PrivateKey key, X509Certificate[] chain, byte[] digest, String keyAlgorithm) {}

  private record Snapshot(Entry current, Entry previous) {}

  private volatile Snapshot snapshot;
  private final java.util.List<Runnable> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private long revision;

  /** Creates a key manager that serves nothing until the first {@link #update}. */
  public ReloadingX509KeyManager() {}

  /**
   * Creates a key manager serving the given key and chain.
   *
   * @throws InvalidRequestException if the key and chain do not form a valid pair
   */
  public static ReloadingX509KeyManager of(PrivateKey key, List<X509Certificate> chain) {
    ReloadingX509KeyManager manager = new ReloadingX509KeyManager();
    manager.update(key, chain);
    return manager;
  }

  /**
   * Replaces the served key and chain.
   *
   * @param key the private key of {@code chain.get(0)}
   * @param chain the leaf first, then its issuers (the root may be left out)
   * @return {@code true} if the material changed; {@code false} if it equals what is served
   * @throws InvalidRequestException ({@code chain}) if the key does not match the leaf or the chain
   *     does not link; what is served then stays unchanged
   */
  public synchronized boolean update(PrivateKey key, List<X509Certificate> chain) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(chain, "chain");
    List<X509Certificate> jdkChain;
    PrivateKey jdkKey;
    try {
      jdkChain = TlsMaterial.toJdkCertificates(chain);
      jdkKey = TlsMaterial.toJdkKey(key);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("chain", e.getMessage(), e);
    }
    String problem = TlsMaterial.pairProblem(jdkKey, jdkChain);
    if (problem != null) {
      throw new InvalidRequestException("chain", problem);
    }
    byte[] digest = TlsMaterial.digest(jdkChain, jdkKey);
    Snapshot old = snapshot;
    if (old != null && Arrays.equals(old.current().digest(), digest)) {
      return false;
    }
    revision++;
    String alias = ALIAS_PREFIX + revision + "-" + Fingerprint.of(jdkChain.get(0)).shortForm();
    Entry entry = new Entry(alias, jdkKey, jdkChain.toArray(new X509Certificate[0]), digest,
        jdkKey.getAlgorithm());
    snapshot = new Snapshot(entry, old == null ? null : old.current());
    changeListeners.forEach(Runnable::run);
    return true;
  }

  /** Returns the chain served now, leaf first, or empty before the first update. */
  public Optional<List<X509Certificate>> currentChain() {
    Snapshot current = snapshot;
    return current == null ? Optional.empty() : Optional.of(List.of(current.current().chain()));
  }

  /** Returns the alias of the material served now, or empty before the first update. */
  public Optional<String> currentAlias() {
    Snapshot current = snapshot;
    return current == null ? Optional.empty() : Optional.of(current.current().alias());
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return choose(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return choose(keyType);
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return chooseAny(keyTypes);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return chooseAny(keyTypes);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return aliases(keyType);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return aliases(keyType);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Entry entry = find(alias);
    return entry == null ? null : entry.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Entry entry = find(alias);
    return entry == null ? null : entry.key();
  }

  /** Runs {@code listener} after every change; {@link TlsContexts} uses it to drop cached sessions. */
  void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  /** Removes a listener added by {@link #onChange}. */
  void removeOnChange(Runnable listener) {
    changeListeners.remove(listener);
  }

  @Override
  public String toString() {
    Snapshot current = snapshot;
    return "ReloadingX509KeyManager[" + (current == null ? "empty" : current.current().alias()) + "]";
  }

  private String choose(String keyType) {
    Snapshot current = snapshot;
    if (current == null || keyType == null) {
      return null;
    }
    return matches(current.current(), keyType) ? current.current().alias() : null;
  }

  private String chooseAny(String[] keyTypes) {
    if (keyTypes == null) {
      return null;
    }
    for (String keyType : keyTypes) {
      String alias = choose(keyType);
      if (alias != null) {
        return alias;
      }
    }
    return null;
  }

  private String[] aliases(String keyType) {
    String alias = choose(keyType);
    return alias == null ? null : new String[] {alias};
  }

  private Entry find(String alias) {
    Snapshot current = snapshot;
    if (current == null || alias == null) {
      return null;
    }
    if (current.current().alias().equals(alias)) {
      return current.current();
    }
    Entry previous = current.previous();
    return previous != null && previous.alias().equals(alias) ? previous : null;
  }

  /** JSSE names key types "EC", "RSA", "EdDSA", and for TLS 1.2 also "EC_EC"-style pairs. */
  private static boolean matches(Entry entry, String keyType) {
    String algorithm = entry.keyAlgorithm();
    return keyType.equalsIgnoreCase(algorithm)
        || keyType.regionMatches(true, 0, algorithm + "_", 0, algorithm.length() + 1)
        || ("EdDSA".equalsIgnoreCase(algorithm) && keyType.equalsIgnoreCase("Ed25519"));
  }
}
