package io.oneca.core.internal.record;

import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.PemKeys;
import io.oneca.core.internal.crypto.TestPki;
import io.oneca.core.security.KeyEncryptionKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * Writes the seed corpora of the fuzz tests (not a test). Regenerate with
 * {@code java -cp <test classpath> io.oneca.core.internal.record.FuzzSeeds pki-core/src/test/resources};
 * every key in them is a throwaway made on the spot.
 */
public final class FuzzSeeds {
  private FuzzSeeds() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]).resolve("io/oneca/core/internal");
    Path csr = root.resolve("crypto/CsrFuzzTestInputs/issueFromCsr_anyBytes_leafOrInvalidRequest");
    Path certs = root.resolve("crypto/PemFuzzTestInputs/decodeCertificates_anyText_certificatesOrInvalidRequest");
    Path keys = root.resolve("crypto/PemFuzzTestInputs/parsePrivateKey_anyText_keyOrInvalidRequest");
    Path raw = root.resolve("record/RecordFuzzTestInputs/decode_anyBytes_envelopeOrTypedError");
    Path mutated = root.resolve("record/RecordFuzzTestInputs/decode_mutatedValidRecord_recordOrUnreadable");
    for (Path dir : List.of(csr, certs, keys, raw, mutated)) {
      Files.createDirectories(dir);
    }

    byte[] plain = TestPki.csr("CN=node", TestPki.keyPair(KeyAlgorithm.EC_P256),
        new GeneralName(GeneralName.dNSName, "node.example.com"), new GeneralName(GeneralName.iPAddress, "10.0.0.1"),
        new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://example.org/node"));
    Files.write(csr.resolve("ec-p256-names.der"), plain);
    Files.writeString(csr.resolve("ec-p256-names.pem"), Pem.encode("CERTIFICATE REQUEST", plain));
    Files.write(csr.resolve("ed25519.der"), TestPki.csr("CN=ed", TestPki.keyPair(KeyAlgorithm.ED25519)));
    Files.write(csr.resolve("rsa-2048.der"), TestPki.csr("CN=rsa", TestPki.keyPair(KeyAlgorithm.RSA_2048)));
    ExtensionsGenerator ca = new ExtensionsGenerator();
    ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    Files.write(csr.resolve("asks-ca.der"), TestPki.csr("CN=ca", TestPki.keyPair(KeyAlgorithm.EC_P256), null, ca));
    ExtensionsGenerator other = new ExtensionsGenerator();
    other.addExtension(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"), false, new DEROctetString(new byte[16]));
    Files.write(csr.resolve("extra-extension.der"), TestPki.csr("CN=x", TestPki.keyPair(KeyAlgorithm.EC_P384),
        new GeneralNames(new GeneralName(GeneralName.dNSName, "x.example.com")), other));
    Files.write(csr.resolve("truncated.der"), Arrays.copyOf(plain, plain.length / 2));

    CaMaterial ec = TestPki.ca(KeyAlgorithm.EC_P256);
    CaMaterial rsa = TestPki.ca(KeyAlgorithm.RSA_2048);
    Files.writeString(certs.resolve("one.pem"), Pem.encodeCertificates(ec.chain()));
    Files.writeString(certs.resolve("two.pem"), Pem.encodeCertificates(List.of(ec.certificate(), rsa.certificate())));
    Files.write(certs.resolve("one.der"), ec.certificate().getEncoded());
    Files.writeString(certs.resolve("bad-base64.pem"), "-----BEGIN CERTIFICATE-----\nMII*&^%\n-----END CERTIFICATE-----\n");

    Files.writeString(keys.resolve("pkcs8-ec.pem"), PemKeys.encodePkcs8(TestPki.keyPair(KeyAlgorithm.EC_P256).getPrivate()));
    Files.writeString(keys.resolve("pkcs8-ed25519.pem"), PemKeys.encodePkcs8(TestPki.keyPair(KeyAlgorithm.ED25519).getPrivate()));
    Files.writeString(keys.resolve("encrypted.pem"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0w\n-----END ENCRYPTED PRIVATE KEY-----\n");
    Files.writeString(keys.resolve("ec-params-only.pem"), "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n");

    CaRecord record = new CaRecord(ec, List.of(ec.certificate()), Instant.parse("2026-01-01T00:00:00Z"), "seed");
    byte[] schema1 = new CaRecordCodec(TestPki.BC).encode(record);
    byte[] schema2 = new CaRecordCodec(TestPki.BC, CaKeyProtection.encrypted(KeyEncryptionKeys.ofBytes(new byte[32]), List.of(), false))
        .encode(record, "oneca/ca");
    Files.write(raw.resolve("schema1.bin"), schema1);
    Files.write(raw.resolve("schema2.bin"), schema2);
    Files.write(raw.resolve("truncated.bin"), Arrays.copyOf(schema2, 40));
    Files.write(raw.resolve("magic-only.bin"), "OCR1".getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < 4; i++) {
      byte[] seed = new byte[64 + 64 * i];
      new java.util.Random(i).nextBytes(seed);
      Files.write(mutated.resolve("random-" + i + ".bin"), seed);
    }
  }
}
