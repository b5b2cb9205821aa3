package io.oneca.samples.cloudcore.join;

import java.io.IOException;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Builds PKCS#10 requests with BouncyCastle for the tests: well-formed, or wrong in one chosen way. */
final class TestCsrs {
  static final Provider BC = new BouncyCastleProvider();

  private TestCsrs() {}

  static KeyPair ec(String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(curve));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(bits);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair ed25519() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A builder for one CSR; by default P-256, CN=node, SAN DNS:node. */
  static Csr forNode(String node) {
    return new Csr(node);
  }

  static final class Csr {
    private String subject;
    private KeyPair keys;
    private KeyPair signingKeys;
    private String signatureAlgorithm;
    private final List<GeneralName> names = new ArrayList<>();
    private boolean ca;
    private Integer keyUsage;

    Csr(String node) {
      this.subject = "CN=" + node;
      names.add(new GeneralName(GeneralName.dNSName, node));
    }

    Csr subject(String distinguishedName) {
      this.subject = distinguishedName;
      return this;
    }

    Csr keys(KeyPair keys, String signatureAlgorithm) {
      this.keys = keys;
      this.signatureAlgorithm = signatureAlgorithm;
      return this;
    }

    /** Signs with another key than the one in the request: the signature cannot verify. */
    Csr signedBy(KeyPair other) {
      this.signingKeys = other;
      return this;
    }

    Csr noNames() {
      names.clear();
      return this;
    }

    Csr dnsName(String name) {
      names.add(new GeneralName(GeneralName.dNSName, name));
      return this;
    }

    Csr ipAddress(String literal) {
      names.add(new GeneralName(GeneralName.iPAddress, literal));
      return this;
    }

    Csr ca() {
      this.ca = true;
      return this;
    }

    Csr keyUsage(int usage) {
      this.keyUsage = usage;
      return this;
    }

    KeyPair keyPair() {
      if (keys == null) {
        keys(ec("secp256r1"), "SHA256withECDSA");
      }
      return keys;
    }

    PKCS10CertificationRequest build() {
      KeyPair pair = keyPair();
      try {
        JcaPKCS10CertificationRequestBuilder builder = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), pair.getPublic());
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        if (!names.isEmpty()) {
          extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        if (ca) {
          extensions.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        }
        if (keyUsage != null) {
          extensions.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
        }
        if (!extensions.isEmpty()) {
          builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
        }
        KeyPair signer = signingKeys == null ? pair : signingKeys;
        return builder.build(new JcaContentSignerBuilder(signatureAlgorithm).setProvider(BC).build(signer.getPrivate()));
      } catch (IOException | OperatorCreationException e) {
        throw new IllegalStateException(e);
      }
    }

    String pem() {
      return toPem(build());
    }
  }

  static String toPem(PKCS10CertificationRequest csr) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(csr);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return text.toString();
  }
}
