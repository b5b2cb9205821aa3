package io.oneca.core.internal.record;

import io.oneca.api.CaKeyDecryptionException;
import io.oneca.api.Fingerprint;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.NamedEntries;
import io.oneca.api.security.KeyEncryptionKey;
import io.oneca.api.store.Versioned;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.PemKeys;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Encodes {@link CaRecord}s as {@link NamedEntries} of kind {@value #KIND} and decodes them back.
 *
 * <p>Entries, chosen so that the Kubernetes backend can expose them as Secret keys tools understand:
 * {@code ca.crt} (PEM chain of the active CA, CA first), the CA key, {@code trust-bundle.pem} (PEM)
 * and {@code metadata} (UTF-8 {@code key=value} lines: {@code schema}, {@code fingerprint},
 * {@code key-algorithm}, {@code created-at}, {@code created-by}).
 *
 * <p>Two schemas, chosen by the {@link CaKeyProtection}:
 *
 * <ul>
 *   <li>Schema 1, plaintext key: {@code ca.key} holds the PKCS#8 PEM. Written only when plaintext is
 *       allowed and no key-encryption key is configured, unchanged from earlier versions so that
 *       they can still read it.
 *   <li>Schema 2, encrypted key: {@code ca.key.enc} holds the key-encryption key's ciphertext of the
 *       PKCS#8 DER (AES-256-GCM for OneCA's own keys: format byte, nonce, ciphertext and tag), and
 *       metadata adds {@code key-protection=kek} and {@code kek-id}. The associated data is
 *       described in {@link CaKeyProtection}.
 * </ul>
 *
 * <p>A record whose key this replica cannot decrypt, or a plaintext record when plaintext is not
 * allowed, fails with {@link CaKeyDecryptionException}, a subtype of
 * {@link UnreadableRecordException}: never overwritten.
 *
 * <p>Decoding checks that the record is well formed, not that the CA is usable (expiry, key match):
 * that is {@link io.oneca.core.internal.crypto.CaChecks}'s job. Thread-safe.
 */
public final class CaRecordCodec {
  /** The record kind of CA records. */
  public static final String KIND = "ca";

  /** The newest schema this version writes and reads: 2, the schema of encrypted CA keys. */
  public static final int SCHEMA_VERSION = 2;

  /** The schema of records that hold the CA key in plaintext. */
  public static final int PLAINTEXT_SCHEMA_VERSION = 1;

  static final String CHAIN = "ca.crt";
  static final String KEY = "ca.key";
  static final String ENCRYPTED_KEY = "ca.key.enc";
  static final String PROTECTION_KEK = "kek";
  static final String BUNDLE = "trust-bundle.pem";
  static final String METADATA = "metadata";

  private final Provider provider;
  private final CaKeyProtection protection;

  /**
   * Creates a codec for plaintext CA keys ({@link CaKeyProtection#plaintext()}).
   *
   * @param provider the JCA provider that creates private key objects
   */
  public CaRecordCodec(Provider provider) {
    this(provider, CaKeyProtection.plaintext());
  }

  /**
   * Creates a codec.
   *
   * @param provider the JCA provider that creates private key objects
   * @param protection how CA keys are protected when written and which protections are accepted
   */
  public CaRecordCodec(Provider provider, CaKeyProtection protection) {
    this.provider = Objects.requireNonNull(provider, "provider");
    this.protection = Objects.requireNonNull(protection, "protection");
  }

  /**
   * Encodes a record with a plaintext key (schema 1).
   *
   * @param record the record
   * @return the store value
   * @throws IllegalStateException if this codec encrypts CA keys: use {@link #encode(CaRecord, String)}
   */
  public byte[] encode(CaRecord record) {
    if (protection.writeKey().isPresent()) {
      throw new IllegalStateException("an encrypted CA record is bound to its store key: use encode(record, storeKey)");
    }
    return encode(record, null);
  }

  /**
   * Encodes a record for a store key: encrypted (schema 2) if this codec has a key-encryption key,
   * else plaintext (schema 1).
   *
   * @param record the record
   * @param storeKey the key the value will be written at; bound into the encryption
   * @return the store value
   * @throws IllegalStateException if neither a key-encryption key nor plaintext is allowed
   */
  public byte[] encode(CaRecord record, String storeKey) {
    Objects.requireNonNull(record, "record");
    KeyEncryptionKey kek = protection.writeKey().orElse(null);
    if (kek == null && !protection.allowsPlaintext()) {
      throw new IllegalStateException("no key-encryption key is configured and plaintext CA keys are not allowed");
    }
    int schema = kek == null ? PLAINTEXT_SCHEMA_VERSION : SCHEMA_VERSION;
    CaMaterial active = record.active();
    String fingerprint = active.fingerprint().sha256Hex();
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("schema", Integer.toString(schema));
    metadata.put("fingerprint", fingerprint);
    metadata.put("key-algorithm", active.keyAlgorithm().name());
    metadata.put("created-at", record.createdAt().toString());
    metadata.put("created-by", record.createdBy());

    TreeMap<String, byte[]> entries = new TreeMap<>();
    entries.put(CHAIN, ascii(Pem.encodeCertificates(active.chain())));
    if (kek == null) {
      entries.put(KEY, ascii(PemKeys.encodePkcs8(active.privateKey())));
    } else {
      Objects.requireNonNull(storeKey, "storeKey");
      metadata.put("key-protection", PROTECTION_KEK);
      metadata.put("kek-id", CaKeyProtection.checkId(kek.id()));
      byte[] der = pkcs8(active.privateKey());
      try {
        entries.put(ENCRYPTED_KEY, kek.encrypt(der, CaKeyProtection.associatedData(schema, storeKey, fingerprint, kek.id())));
      } finally {
        Arrays.fill(der, (byte) 0);
      }
    }
    entries.put(BUNDLE, ascii(Pem.encodeCertificates(record.trustBundle())));
    StringBuilder lines = new StringBuilder();
    metadata.forEach((key, value) -> lines.append(key).append('=').append(value).append('\n'));
    entries.put(METADATA, lines.toString().getBytes(StandardCharsets.UTF_8));
    return new NamedEntries(KIND, schema, entries).encode();
  }

  /**
   * Returns the id of the key-encryption key a stored record names, without decrypting anything.
   *
   * @param stored the value as read from the store
   * @param backend a short description of the store, for the message
   * @return the id, or empty for a record that holds a plaintext key
   * @throws UnreadableRecordException if the value is not a CA record
   */
  public Optional<String> keyEncryptionKeyId(Versioned<byte[]> stored, String backend) {
    try {
      NamedEntries envelope = envelope(stored.value());
      return Optional.ofNullable(metadata(text(envelope, METADATA)).get("kek-id"));
    } catch (Unreadable e) {
      throw new UnreadableRecordException(backend, stored.key(), stored.version(), e.getMessage(), e.getCause());
    }
  }

  /**
   * Decodes a stored CA record.
   *
   * @param stored the value as read from the store
   * @param backend a short description of the store, for the message
   * @return the record
   * @throws UnreadableRecordException naming key, version and backend if the value is not a CA
   *     record this version can read: not an envelope, another kind, a newer schema, a missing
   *     entry, an unparsable certificate or key, or metadata that contradicts the certificate
   */
  public CaRecord decode(Versioned<byte[]> stored, String backend) {
    Objects.requireNonNull(stored, "stored");
    Objects.requireNonNull(backend, "backend");
    try {
      return decode(stored.value(), stored.key());
    } catch (Undecryptable e) {
      throw new CaKeyDecryptionException(backend, stored.key(), stored.version(), e.keyId, e.getMessage(), null);
    } catch (Unreadable e) {
      throw new UnreadableRecordException(backend, stored.key(), stored.version(), e.getMessage(), e.getCause());
    } catch (RuntimeException e) {
      throw new UnreadableRecordException(backend, stored.key(), stored.version(),
          "unexpected " + e.getClass().getSimpleName() + " while decoding", e);
    }
  }

  private CaRecord decode(byte[] value, String storeKey) {
    NamedEntries envelope = envelope(value);
    Map<String, String> metadata = metadata(text(envelope, METADATA));
    String schema = required(metadata, "schema");
    if (!schema.equals(Integer.toString(envelope.schemaVersion()))) {
      throw new Unreadable("metadata schema '" + schema + "' contradicts the envelope's schema "
          + envelope.schemaVersion(), null);
    }

    List<X509Certificate> chain = certificates(envelope, CHAIN);
    List<X509Certificate> bundle = certificates(envelope, BUNDLE);

    KeyAlgorithm algorithm;
    String algorithmName = required(metadata, "key-algorithm");
    try {
      algorithm = KeyAlgorithm.valueOf(algorithmName);
    } catch (IllegalArgumentException e) {
      throw new Unreadable("metadata key-algorithm '" + algorithmName + "' is unknown", e);
    }
    Fingerprint declared;
    try {
      declared = new Fingerprint(required(metadata, "fingerprint"));
    } catch (InvalidRequestException e) {
      throw new Unreadable("metadata fingerprint is not 64 hexadecimal characters", e);
    }
    Fingerprint actual = Fingerprint.of(chain.get(0));
    if (!declared.equals(actual)) {
      throw new Unreadable("metadata fingerprint " + declared.shortForm()
          + " does not match the certificate in '" + CHAIN + "' (" + actual.shortForm() + ")", null);
    }
    PrivateKey key = envelope.schemaVersion() == PLAINTEXT_SCHEMA_VERSION
        ? plaintextKey(envelope)
        : encryptedKey(envelope, metadata, storeKey, actual.sha256Hex(), algorithm);
    Instant createdAt;
    try {
      createdAt = Instant.parse(required(metadata, "created-at"));
    } catch (DateTimeParseException e) {
      throw new Unreadable("metadata created-at is not an ISO-8601 instant", e);
    }
    try {
      return new CaRecord(new CaMaterial(chain, key, algorithm), bundle, createdAt, required(metadata, "created-by"));
    } catch (InvalidRequestException e) {
      throw new Unreadable(reason(e), e);
    }
  }

  private static NamedEntries envelope(byte[] value) {
    NamedEntries envelope;
    try {
      envelope = NamedEntries.decode(value);
    } catch (InvalidRequestException e) {
      throw new Unreadable("not a OneCA record: " + reason(e), e);
    }
    if (!KIND.equals(envelope.kind())) {
      throw new Unreadable("holds a record of kind '" + envelope.kind() + "', not '" + KIND + "'", null);
    }
    if (envelope.schemaVersion() > SCHEMA_VERSION) {
      throw new Unreadable("written by a newer OneCA (schema " + envelope.schemaVersion()
          + ", this version reads up to " + SCHEMA_VERSION + "); upgrade OneCA", null);
    }
    return envelope;
  }

  private PrivateKey plaintextKey(NamedEntries envelope) {
    if (envelope.entry(ENCRYPTED_KEY).isPresent()) {
      throw new Unreadable("a schema 1 record must not hold '" + ENCRYPTED_KEY + "'", null);
    }
    if (!protection.allowsPlaintext()) {
      throw new Undecryptable(null, "the record holds a plaintext CA key, but this replica requires an encrypted one;"
          + " encrypt it with KeyReencryption, or allow plaintext CA keys while migrating");
    }
    try {
      return PemKeys.parsePrivateKey(text(envelope, KEY), provider);
    } catch (InvalidRequestException e) {
      throw new Unreadable("entry '" + KEY + "': " + reason(e), e);
    }
  }

  private PrivateKey encryptedKey(
      NamedEntries envelope, Map<String, String> metadata, String storeKey, String fingerprint, KeyAlgorithm algorithm) {
    if (envelope.entry(KEY).isPresent()) {
      throw new Unreadable("a schema " + envelope.schemaVersion() + " record must not hold a plaintext '" + KEY + "'", null);
    }
    String protectionName = required(metadata, "key-protection");
    if (!PROTECTION_KEK.equals(protectionName)) {
      throw new Unreadable("metadata key-protection '" + protectionName + "' is unknown", null);
    }
    String keyId = required(metadata, "kek-id");
    try {
      CaKeyProtection.checkId(keyId);
    } catch (IllegalArgumentException e) {
      throw new Unreadable("metadata kek-id is malformed", null);
    }
    byte[] ciphertext = envelope.entry(ENCRYPTED_KEY)
        .orElseThrow(() -> new Unreadable("entry '" + ENCRYPTED_KEY + "' is missing", null));
    KeyEncryptionKey kek = protection.readKey(keyId).orElseThrow(() -> new Undecryptable(keyId,
        "the CA key is encrypted with key-encryption key '" + keyId + "', "
            + (protection.readKeyIds().isEmpty() ? "but none is configured"
                : "but this replica has only " + protection.readKeyIds())));
    byte[] der;
    try {
      der = kek.decrypt(ciphertext, CaKeyProtection.associatedData(
          envelope.schemaVersion(), storeKey, fingerprint, keyId));
    } catch (GeneralSecurityException e) {
      throw new Undecryptable(keyId, "the CA key does not decrypt with key-encryption key '" + keyId
          + "': wrong key material, a tampered record, or a record copied from another store key");
    }
    try {
      return PemKeys.privateKeyFromPkcs8(der, algorithm, provider);
    } catch (InvalidRequestException e) {
      throw new Unreadable("entry '" + ENCRYPTED_KEY + "' decrypts to " + reason(e), null);
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  private static byte[] pkcs8(PrivateKey key) {
    byte[] der = key.getEncoded();
    if (der == null || !"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException(
          "a " + key.getAlgorithm() + " key in format " + key.getFormat() + " cannot be written as PKCS#8");
    }
    return der;
  }

  private static List<X509Certificate> certificates(NamedEntries envelope, String name) {
    try {
      return Pem.decodeCertificates(text(envelope, name));
    } catch (InvalidRequestException e) {
      throw new Unreadable("entry '" + name + "': " + reason(e), e);
    }
  }

  private static String text(NamedEntries envelope, String name) {
    return envelope.entry(name)
        .map(bytes -> new String(bytes, StandardCharsets.UTF_8))
        .orElseThrow(() -> new Unreadable("entry '" + name + "' is missing", null));
  }

  private static Map<String, String> metadata(String text) {
    Map<String, String> result = new LinkedHashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty()) {
        continue;
      }
      int equals = line.indexOf('=');
      if (equals <= 0) {
        throw new Unreadable("metadata line " + (i + 1) + " is not key=value", null);
      }
      if (result.put(line.substring(0, equals), line.substring(equals + 1)) != null) {
        throw new Unreadable("metadata key '" + line.substring(0, equals) + "' appears twice", null);
      }
    }
    return result;
  }

  private static String required(Map<String, String> metadata, String key) {
    String value = metadata.get(key);
    if (value == null) {
      throw new Unreadable("metadata lacks '" + key + "'", null);
    }
    return value;
  }

  /** The reason part of an InvalidRequestException message, without the "invalid field: " prefix. */
  private static String reason(InvalidRequestException e) {
    String prefix = "invalid " + e.field() + ": ";
    String message = e.getMessage();
    return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** Carries a reason out of the decoding steps; turned into an UnreadableRecordException at the top. */
  private static class Unreadable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unreadable(String reason, Throwable cause) {
      super(reason, cause, false, false);
    }
  }

  /** The key cannot be decrypted (or is plaintext where that is refused); a CaKeyDecryptionException at the top. */
  private static final class Undecryptable extends Unreadable {
    private static final long serialVersionUID = 1L;
    private final String keyId;

    Undecryptable(String keyId, String reason) {
      super(reason, null);
      this.keyId = keyId;
    }
  }
}
