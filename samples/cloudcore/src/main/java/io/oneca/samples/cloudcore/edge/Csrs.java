package io.oneca.samples.cloudcore.edge;

import io.oneca.api.Pem;
import io.oneca.core.tls.IdentityExport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** A fresh P-256 key and its certificate signing request, for a join or a renewal. */
record Csrs(String keyPem, String csrPem, PublicKey publicKey) {

  static Csrs forNode(String node) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair keys = generator.generateKeyPair();
      byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + node), keys.getPublic())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
          .getEncoded();
      return new Csrs(IdentityExport.privateKeyPem(keys.getPrivate()), Pem.encode("CERTIFICATE REQUEST", csr),
          keys.getPublic());
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot generate a P-256 key and CSR", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "Csrs[key hidden]";
  }
}
