package io.oneca.core.internal.crypto;

import io.oneca.api.InvalidRequestException;
import io.oneca.core.policy.IssuancePolicy;
import java.util.HashSet;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Checks the extensions a CSR requests before anything else reads them: one extensionRequest
 * attribute with one value, no extension twice, not too many, none too large, and no request to
 * become a CA (basicConstraints CA:true, keyUsage keyCertSign or cRLSign). OneCA never copies
 * requested extensions into a leaf; refusing these requests makes a misbehaving client visible.
 */
final class CsrExtensions {
  private CsrExtensions() {}

  static void check(PKCS10CertificationRequest csr, IssuancePolicy policy) {
    try {
      Attribute[] attributes = csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
      if (attributes.length > 1) {
        throw new InvalidRequestException("csr.extensions", "the extensionRequest attribute appears " + attributes.length + " times");
      }
      if (attributes.length == 0) {
        return;
      }
      ASN1Set values = attributes[0].getAttrValues();
      if (values.size() != 1) {
        throw new InvalidRequestException("csr.extensions", "the extensionRequest attribute has " + values.size() + " values, expected 1");
      }
      ASN1Sequence extensions = ASN1Sequence.getInstance(values.getObjectAt(0));
      if (extensions.size() > policy.maxCsrExtensions()) {
        throw new InvalidRequestException("csr.extensions", "at most " + policy.maxCsrExtensions()
            + " requested extensions are allowed, got " + extensions.size());
      }
      Set<ASN1ObjectIdentifier> seen = new HashSet<>();
      for (ASN1Encodable element : extensions) {
        ASN1Sequence extension = ASN1Sequence.getInstance(element);
        if (extension.size() < 2 || extension.size() > 3) {
          throw new InvalidRequestException("csr.extensions", "a requested extension has " + extension.size() + " fields");
        }
        ASN1ObjectIdentifier oid = ASN1ObjectIdentifier.getInstance(extension.getObjectAt(0));
        byte[] value = ASN1OctetString.getInstance(extension.getObjectAt(extension.size() - 1)).getOctets();
        if (!seen.add(oid)) {
          throw new InvalidRequestException("csr.extensions", "extension " + oid.getId() + " is requested twice");
        }
        if (value.length > policy.maxExtensionBytes()) {
          throw new InvalidRequestException("csr.extensions", "extension " + oid.getId() + " has " + value.length
              + " bytes; at most " + policy.maxExtensionBytes() + " are allowed");
        }
        if (oid.equals(Extension.basicConstraints)
            && BasicConstraints.getInstance(ASN1Primitive.fromByteArray(value)).isCA()) {
          throw new InvalidRequestException("basicConstraints", "the CSR requests CA:true; OneCA issues leaf certificates only");
        }
        if (oid.equals(Extension.keyUsage)) {
          KeyUsage usage = KeyUsage.getInstance(ASN1Primitive.fromByteArray(value));
          if (usage.hasUsages(KeyUsage.keyCertSign) || usage.hasUsages(KeyUsage.cRLSign)) {
            throw new InvalidRequestException("keyUsage", "the CSR requests keyCertSign or cRLSign; OneCA issues leaf certificates only");
          }
        }
      }
    } catch (InvalidRequestException e) {
      throw e;
    } catch (Exception e) {
      throw new InvalidRequestException("csr.extensions", "malformed extensionRequest attribute", e);
    }
  }
}
