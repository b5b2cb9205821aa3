package io.oneca.core;

import io.oneca.api.OneCaException;
import io.oneca.core.internal.crypto.CaGenerator;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.CaSpec;
import io.oneca.core.internal.crypto.PemKeys;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.rotation.OfflineRoot;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.security.auth.DestroyFailedException;

/**
 * Generates the CAs a replica proposes: the first one of an empty store, and successors for
 * rotation (roots, or intermediates under an offline root). Successors get a unique subject, the
 * configured one below an {@code OU=oneca-<time>-<random>}, so that no two CAs of one deployment
 * share a name and path building never confuses them.
 */
final class CaFactory {
  private static final DateTimeFormatter GENERATION_FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final OneCa.OneCaSettings settings;

  CaFactory(OneCa.OneCaSettings settings) {
    this.settings = settings;
  }

  CaRecord firstCa() {
    Instant now = settings.clock().instant();
    Optional<OfflineRoot> root = settings.rotationPolicy().offlineRoot();
    if (root.isPresent() && root.get().privateKey().isEmpty()) {
      throw new OneCaException("CA key '" + settings.caKey() + "' in " + settings.store().backend()
          + " holds no CA, and in intermediate mode only the offline root can sign the first one: start a replica "
          + "with the root's key once (or use oneca import)");
    }
    CaMaterial material = root.isPresent()
        ? successor(now, root.get())
        : caGenerator().generate(new CaSpec(settings.caSubject(), settings.caKeyAlgorithm(), settings.caValidity(),
            rootPathLength()), now, settings.security().caPermittedDnsSubtrees());
    List<X509Certificate> chain = material.chain();
    return new CaRecord(material, List.of(chain.get(chain.size() - 1)), now, settings.replicaId());
  }

  /** A new CA to succeed the active one: a root, or an intermediate under {@code root}. */
  CaMaterial successor(Instant now, OfflineRoot root) {
    String subject = "OU=oneca-" + GENERATION_FORMAT.format(now) + "-"
        + HexFormat.of().formatHex(randomBytes(2)) + "," + settings.caSubject();
    if (root == null) {
      return caGenerator().generate(new CaSpec(subject, settings.caKeyAlgorithm(), settings.caValidity(),
          rootPathLength()), now, settings.security().caPermittedDnsSubtrees());
    }
    X509Certificate rootCertificate = root.certificate();
    CaMaterial issuer = new CaMaterial(List.of(rootCertificate), root.privateKey().orElseThrow(),
        PemKeys.algorithmOf(rootCertificate.getPublicKey()));
    return caGenerator().generateIntermediate(new CaSpec(subject, settings.caKeyAlgorithm(), settings.caValidity(), 0),
        issuer, now, settings.security().caPermittedDnsSubtrees());
  }

  private byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    settings.random().nextBytes(bytes);
    return bytes;
  }

  /** Roots that may be cross-signed successors' issuers need room for one CA (the cross-certificate) below them. */
  private int rootPathLength() {
    return settings.rotationPolicy().crossSign() ? Math.max(1, settings.caPathLength()) : settings.caPathLength();
  }

  CaGenerator caGenerator() {
    return new CaGenerator(settings.provider(), settings.signatureProvider(), settings.random());
  }

  /** Forgets a generated CA that was not stored; destroys its key where the provider can. */
  void discard(CaMaterial material) {
    try {
      material.privateKey().destroy();
    } catch (DestroyFailedException e) {
      // Most JCA keys cannot be destroyed; dropping the reference is all that is left.
    }
  }

}
