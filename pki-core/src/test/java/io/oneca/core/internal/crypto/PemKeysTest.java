package io.oneca.core.internal.crypto;

import static io.oneca.core.internal.crypto.TestPki.BC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import java.io.StringWriter;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PemKeysTest {

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void encodeThenParse_pkcs8_sameUsableKey(KeyAlgorithm algorithm) throws Exception {
    KeyPair keyPair = TestPki.keyPair(algorithm);

    String pem = PemKeys.encodePkcs8(keyPair.getPrivate());
    PrivateKey parsed = PemKeys.parsePrivateKey(pem, BC);

    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
    assertThat(PemKeys.encodePkcs8(parsed)).as("written again, the same PEM").isEqualTo(pem);
    assertSignsFor(parsed, keyPair);
    assertThat(PemKeys.algorithmOf(keyPair.getPublic())).isEqualTo(algorithm);
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "EC_P384", "RSA_2048"})
  void parse_traditionalOpensslFormats_pkcs1AndSec1(KeyAlgorithm algorithm) throws Exception {
    KeyPair keyPair = TestPki.keyPair(algorithm);
    String pem = pemWriter(keyPair, null);

    PrivateKey parsed = PemKeys.parsePrivateKey(pem, BC);

    assertThat(pem).startsWith(algorithm == KeyAlgorithm.RSA_2048
        ? "-----BEGIN RSA PRIVATE KEY-----" : "-----BEGIN EC PRIVATE KEY-----");
    assertSignsFor(parsed, keyPair);
  }

  @Test
  void parse_ecParametersBlockFirst_skipped() throws Exception {
    KeyPair keyPair = TestPki.keyPair(KeyAlgorithm.EC_P256);
    String pem = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
        + pemWriter(keyPair, null);

    assertSignsFor(PemKeys.parsePrivateKey(pem, BC), keyPair);
  }

  @Test
  void parse_encryptedPkcs8_rejectedWithHint() throws Exception {
    KeyPair keyPair = TestPki.keyPair(KeyAlgorithm.EC_P256);
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(keyPair.getPrivate(),
          new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC).setProvider(BC)
              .setPassword("secret".toCharArray()).build()));
    }

    assertThat(out.toString()).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    assertThatThrownBy(() -> PemKeys.parsePrivateKey(out.toString(), BC))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("privateKey"))
        .hasMessage("invalid privateKey: encrypted private keys are not supported yet; decrypt with openssl pkcs8 first");
  }

  @Test
  void parse_encryptedTraditional_rejectedWithHint() throws Exception {
    String pem = pemWriter(TestPki.keyPair(KeyAlgorithm.RSA_2048), "secret");

    assertThat(pem).contains("Proc-Type: 4,ENCRYPTED");
    assertThatThrownBy(() -> PemKeys.parsePrivateKey(pem, BC)).hasMessageContaining(PemKeys.ENCRYPTED_MESSAGE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "garbage", "-----BEGIN PRIVATE KEY-----\nnot base64 !!\n-----END PRIVATE KEY-----\n",
      "-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n",
      "-----BEGIN PRIVATE KEY-----\nMIIB\n"})
  void parse_garbage_rejectedAsPrivateKey(String text) {
    assertThatThrownBy(() -> PemKeys.parsePrivateKey(text, BC))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("privateKey"));
  }

  @Test
  void parse_certificateInsteadOfKey_rejectedNamingExpectedTypes() {
    String certificate = Pem.encodeCertificates(TestPki.ca(KeyAlgorithm.EC_P256).chain());

    assertThatThrownBy(() -> PemKeys.parsePrivateKey(certificate, BC))
        .hasMessageContaining("not a private key").hasMessageContaining("EC PRIVATE KEY");
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "RSA_2048", "ED25519"})
  void parse_corruptedKey_messageAndCausesHoldNoKeyText(KeyAlgorithm algorithm) {
    String pem = PemKeys.encodePkcs8(TestPki.keyPair(algorithm).getPrivate());
    String[] lines = pem.split("\n");
    StringBuilder corrupted = new StringBuilder(lines[0]).append('\n');
    for (int i = 1; i < lines.length - 1; i++) {
      corrupted.append(i == 1 ? "AAAA" + lines[i].substring(4) : lines[i]).append('\n');
    }
    corrupted.append(lines[lines.length - 1]).append('\n');

    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
        () -> PemKeys.parsePrivateKey(corrupted.toString(), BC));

    assertThat(thrown).isInstanceOf(InvalidRequestException.class);
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      for (int i = 1; i < lines.length - 1; i++) {
        for (int j = 0; j + 12 <= lines[i].length(); j += 6) {
          assertThat(message).doesNotContain(lines[i].substring(j, j + 12));
        }
      }
    }
  }

  @Test
  void algorithmOf_unsupportedKeys_rejectedAsPublicKey() throws Exception {
    KeyPairGenerator dsa = KeyPairGenerator.getInstance("DSA");
    dsa.initialize(2048);

    for (KeyPair key : new KeyPair[] {TestPki.rsaKeyPair(1024), TestPki.rsaKeyPair(2560),
        TestPki.ecKeyPair("secp521r1"), TestPki.ecKeyPair("secp256k1"), dsa.generateKeyPair()}) {
      assertThatThrownBy(() -> PemKeys.algorithmOf(key.getPublic()))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("publicKey"));
    }
  }

  @Test
  void algorithmOf_jdkGeneratedKeys_recognized() throws Exception {
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(384);
    KeyPairGenerator ed = KeyPairGenerator.getInstance("Ed25519");

    assertThat(PemKeys.algorithmOf(ec.generateKeyPair().getPublic())).isEqualTo(KeyAlgorithm.EC_P384);
    assertThat(PemKeys.algorithmOf(ed.generateKeyPair().getPublic())).isEqualTo(KeyAlgorithm.ED25519);
  }

  private static String pemWriter(KeyPair keyPair, String password) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      if (password == null) {
        writer.writeObject(keyPair);
      } else {
        writer.writeObject(keyPair.getPrivate(),
            new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(BC).build(password.toCharArray()));
      }
    }
    return out.toString();
  }

  private static void assertSignsFor(PrivateKey privateKey, KeyPair original) throws Exception {
    String algorithm = TestPki.signatureAlgorithm(original);
    Signature signer = Signature.getInstance(algorithm, BC);
    signer.initSign(privateKey);
    signer.update(new byte[] {1, 2, 3});
    Signature verifier = Signature.getInstance(algorithm, BC);
    verifier.initVerify(original.getPublic());
    verifier.update(new byte[] {1, 2, 3});
    assertThat(verifier.verify(signer.sign())).isTrue();
  }
}
