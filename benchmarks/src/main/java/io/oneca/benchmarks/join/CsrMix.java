package io.oneca.benchmarks.join;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The CSR mix a load run sends, generated up front so key generation is never measured, and the
 * same for every target: the share of each key type and their order (a shuffle with a fixed seed)
 * depend only on the spec and the pool size. Keys themselves are fresh per run.
 *
 * <p>Spec syntax: {@code type=weight,...} with types {@code p256} (ECDSA P-256, SHA256withECDSA),
 * {@code p384} (ECDSA P-384, SHA384withECDSA) and {@code rsa2048} (RSA 2048, SHA256withRSA). The
 * default, {@value #DEFAULT_SPEC}, is mostly P-256 — what a fleet of nodes joining a OneCA sends —
 * with a few other keys so a signer's slow paths are exercised too. Each request has CN
 * {@code node-<i>} and one DNS subjectAltName {@code node-<i>.nodes.bench.example}, and asks for
 * that name in the signing request's {@code hosts}; for signers that certify a node for its own name
 * only (the OneCA join endpoint), the subjectAltName is {@code node-<i>} itself (see
 * {@link #generate(String, int, boolean)}): same key types in the same order, a name 24 bytes shorter.
 */
public final class CsrMix {
  /** The default mix: 90% P-256, 5% P-384, 5% RSA 2048. */
  public static final String DEFAULT_SPEC = "p256=90,p384=5,rsa2048=5";

  private static final long SHUFFLE_SEED = 0x0E_CA_5EEDL;

  private final String spec;
  private final List<CsrSample> samples;

  private CsrMix(String spec, List<CsrSample> samples) {
    this.spec = spec;
    this.samples = List.copyOf(samples);
  }

  /**
   * Generates {@code size} requests in the proportions of {@code spec} (largest remainder rounding).
   *
   * @param spec e.g. {@value #DEFAULT_SPEC}
   * @param size at least 1
   * @return the mix
   * @throws IllegalArgumentException if the spec is malformed or names an unknown type
   * @throws GeneralSecurityException if a key or request cannot be generated
   */
  public static CsrMix generate(String spec, int size) throws GeneralSecurityException {
    return generate(spec, size, false);
  }

  /**
   * Like {@link #generate(String, int)}, choosing the requested DNS name.
   *
   * @param spec e.g. {@value #DEFAULT_SPEC}
   * @param size at least 1
   * @param nodeNameAsDnsName request the DNS name {@code node-<i>} (the common name) instead of
   *     {@code node-<i>.nodes.bench.example}
   * @return the mix
   * @throws GeneralSecurityException if a key or request cannot be generated
   */
  public static CsrMix generate(String spec, int size, boolean nodeNameAsDnsName) throws GeneralSecurityException {
    if (size < 1) {
      throw new IllegalArgumentException("CSR pool size must be at least 1, was " + size);
    }
    Map<String, Integer> counts = counts(parse(spec), size);
    List<String> types = new ArrayList<>(size);
    counts.forEach((type, n) -> types.addAll(Collections.nCopies(n, type)));
    Collections.shuffle(types, new Random(SHUFFLE_SEED));
    Map<String, KeyPairGenerator> generators = new LinkedHashMap<>();
    List<CsrSample> samples = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      String type = types.get(i);
      KeyPairGenerator generator = generators.get(type);
      if (generator == null) {
        generator = generator(type);
        generators.put(type, generator);
      }
      samples.add(sample(type, i, generator.generateKeyPair(), nodeNameAsDnsName));
    }
    return new CsrMix(spec, samples);
  }

  /** Parses a spec into type -> weight, in order. */
  static Map<String, Integer> parse(String spec) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (String part : spec.split(",", -1)) {
      String[] kv = part.trim().split("=", -1);
      if (kv.length != 2) {
        throw new IllegalArgumentException("CSR mix part must be type=weight, was '" + part + "' in '" + spec + "'");
      }
      String type = kv[0].trim().toLowerCase(Locale.ROOT);
      signatureAlgorithm(type);
      int weight;
      try {
        weight = Integer.parseInt(kv[1].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("CSR mix weight must be an integer, was '" + kv[1] + "'", e);
      }
      if (weight < 0 || weights.put(type, weight) != null) {
        throw new IllegalArgumentException("CSR mix weights must be >= 0 and types distinct: '" + spec + "'");
      }
    }
    if (weights.values().stream().mapToInt(Integer::intValue).sum() == 0) {
      throw new IllegalArgumentException("CSR mix has no positive weight: '" + spec + "'");
    }
    return weights;
  }

  /** Splits {@code size} in proportion to the weights, largest remainder first. */
  static Map<String, Integer> counts(Map<String, Integer> weights, int size) {
    int total = weights.values().stream().mapToInt(Integer::intValue).sum();
    Map<String, Integer> counts = new LinkedHashMap<>();
    Map<String, Long> remainders = new LinkedHashMap<>();
    int assigned = 0;
    for (Map.Entry<String, Integer> e : weights.entrySet()) {
      long scaled = (long) e.getValue() * size;
      counts.put(e.getKey(), (int) (scaled / total));
      remainders.put(e.getKey(), scaled % total);
      assigned += (int) (scaled / total);
    }
    List<String> byRemainder = new ArrayList<>(weights.keySet());
    byRemainder.sort((a, b) -> Long.compare(remainders.get(b), remainders.get(a)));
    for (int i = 0; assigned < size; i++, assigned++) {
      counts.merge(byRemainder.get(i % byRemainder.size()), 1, Integer::sum);
    }
    return counts;
  }

  /** Returns the spec this mix was generated from. */
  public String spec() {
    return spec;
  }

  /** Returns the requests, in sending order. */
  public List<CsrSample> samples() {
    return samples;
  }

  /** Returns the i-th request, cycling. */
  public CsrSample get(long i) {
    return samples.get((int) Math.floorMod(i, (long) samples.size()));
  }

  /**
   * Returns how many requests of each type the pool holds, in the spec's order, e.g.
   * {@code p256=461 p384=26 rsa2048=25}.
   */
  public String describe() {
    Map<String, Integer> n = new LinkedHashMap<>();
    parse(spec).keySet().forEach(type -> n.put(type, 0));
    samples.forEach(s -> n.merge(s.keyType(), 1, Integer::sum));
    n.values().removeIf(count -> count == 0);
    StringBuilder b = new StringBuilder();
    n.forEach((type, count) -> b.append(b.length() == 0 ? "" : " ").append(type).append('=').append(count));
    return b.toString();
  }

  private static KeyPairGenerator generator(String type) throws GeneralSecurityException {
    AlgorithmParameterSpec params = switch (type) {
      case "p256" -> new ECGenParameterSpec("secp256r1");
      case "p384" -> new ECGenParameterSpec("secp384r1");
      case "rsa2048" -> new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4);
      default -> throw new IllegalArgumentException("unknown key type " + type);
    };
    KeyPairGenerator generator = KeyPairGenerator.getInstance(type.startsWith("rsa") ? "RSA" : "EC");
    generator.initialize(params);
    return generator;
  }

  private static String signatureAlgorithm(String type) {
    return switch (type) {
      case "p256" -> "SHA256withECDSA";
      case "p384" -> "SHA384withECDSA";
      case "rsa2048" -> "SHA256withRSA";
      default -> throw new IllegalArgumentException(
          "unknown CSR key type '" + type + "' (known: p256, p384, rsa2048)");
    };
  }

  private static CsrSample sample(String type, int i, KeyPair keys, boolean nodeNameAsDnsName)
      throws GeneralSecurityException {
    String node = "node-" + i;
    String dns = nodeNameAsDnsName ? node : node + ".nodes.bench.example";
    try {
      ExtensionsGenerator extensions = new ExtensionsGenerator();
      extensions.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.dNSName, dns)));
      byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + node), keys.getPublic())
          .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
          .build(new JcaContentSignerBuilder(signatureAlgorithm(type)).build(keys.getPrivate()))
          .getEncoded();
      String pem = "-----BEGIN CERTIFICATE REQUEST-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
          + "\n-----END CERTIFICATE REQUEST-----\n";
      return new CsrSample(type, pem, der, keys.getPublic().getEncoded(), dns);
    } catch (OperatorCreationException | IOException e) {
      throw new GeneralSecurityException("cannot build a " + type + " benchmark CSR", e);
    }
  }
}
