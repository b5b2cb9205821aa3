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
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes {@link CaRecord}s as {@link NamedEntries} of kind {@value #KIND} and decodes them back.
 *
 * <p>Entries, chosen so that the Kubernetes backend can expose them as Secret keys tools understand:
 * {@code ca.crt} (PEM chain of the active CA, CA first), the CA key, {@code trust-bundle.pem} (PEM)
 * and {@code metadata} (UTF-8 {@code key=value} lines: {@code schema}, {@code fingerprint},
 * {@code key-algorithm}, {@code created-at}, {@code created-by}).
 *
 * <p>The schemas, chosen by the {@link CaKeyProtection}:
 *
 * <ul>
 *   <li>Schema 1, plaintext key: {@code ca.key} holds the PKCS#8 PEM. Written only when plaintext is
 *       allowed and no key-encryption key is configured, unchanged from earlier versions so that
 *       they can still read it. Schema 3 with {@code key-protection=plaintext} adds rotation slots.
 *   <li>Schema 4, encrypted key and authenticated record, written whenever a key-encryption key is
 *       configured: {@code ca.key.enc} (and {@code next.key.enc}) hold the key-encryption key's
 *       ciphertext of the PKCS#8 DER (AES-256-GCM for OneCA's own keys: format byte, nonce,
 *       ciphertext and tag), metadata adds {@code key-protection=kek} and {@code kek-id}, and
 *       {@code record.auth} authenticates every other entry (see {@link CaKeyProtection}). It is
 *       verified before anything else in the record is used.
 *   <li>Schemas 2 and 3 with an encrypted key: written by earlier versions, whose records were not
 *       authenticated as a whole. Read only when {@link CaKeyProtection#acceptsUnauthenticated()}
 *       (a migration opt-in); re-encryption ({@code KeyReencryption}) rewrites them as schema 4.
 * </ul>
 *
 * <p>In every schema the trust bundle must hold the root of the active and of the prepared CA
 * (the last certificate of each chain); a record that breaks this is unreadable.
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

  /** The newest schema this version writes and reads: 4, records authenticated by the key-encryption key. */
  public static final int SCHEMA_VERSION = 4;

  /** The schema of records with an encrypted CA key that are authenticated as a whole. */
  public static final int AUTHENTICATED_SCHEMA_VERSION = 4;

  /** The schema of records with an encrypted CA key and no rotation state, not authenticated as a whole. */
  public static final int ENCRYPTED_SCHEMA_VERSION = 2;

  /** The schema of records with rotation state (prepared, retired or cross-signed CAs). */
  public static final int ROTATION_SCHEMA_VERSION = 3;

  /** The schema of records that hold the CA key in plaintext. */
  public static final int PLAINTEXT_SCHEMA_VERSION = 1;

  static final String CHAIN = "ca.crt";
  static final String KEY = "ca.key";
  static final String ENCRYPTED_KEY = "ca.key.enc";
  static final String PROTECTION_KEK = "kek";
  static final String PROTECTION_PLAINTEXT = "plaintext";
  static final String NEXT_CHAIN = "next.crt";
  static final String NEXT_KEY = "next.key";
  static final String NEXT_ENCRYPTED_KEY = "next.key.enc";
  static final String ACTIVE_CROSS = "ca.cross.crt";
  static final String NEXT_CROSS = "next.cross.crt";
  static final String RETIRED_PREFIX = "retired.";
  static final int MAX_RETIRED = RotationTransitions.MAX_RETIRED;
  static final String BUNDLE = "trust-bundle.pem";
  static final String METADATA = "metadata";
  static final String AUTHENTICATION = "record.auth";
  private static final Logger LOG = LoggerFactory.getLogger(CaRecordCodec.class);

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
   * Encodes a record for a store key: encrypted and authenticated (schema 4) if this codec has a
   * key-encryption key, else plaintext (schema 1, or 3 with rotation state).
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
    int schema = kek != null ? AUTHENTICATED_SCHEMA_VERSION
        : record.hasRotationState() ? ROTATION_SCHEMA_VERSION : PLAINTEXT_SCHEMA_VERSION;
    if (kek != null) {
      Objects.requireNonNull(storeKey, "storeKey");
    }
    CaMaterial active = record.active();
    String fingerprint = active.fingerprint().sha256Hex();
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("schema", Integer.toString(schema));
    metadata.put("fingerprint", fingerprint);
    metadata.put("key-algorithm", active.keyAlgorithm().name());
    metadata.put("created-at", record.createdAt().toString());
    metadata.put("created-by", record.createdBy());
    if (kek != null) {
      metadata.put("key-protection", PROTECTION_KEK);
      metadata.put("kek-id", CaKeyProtection.checkId(kek.id()));
    } else if (schema == ROTATION_SCHEMA_VERSION) {
      metadata.put("key-protection", PROTECTION_PLAINTEXT);
    }

    TreeMap<String, byte[]> entries = new TreeMap<>();
    entries.put(CHAIN, ascii(Pem.encodeCertificates(active.chain())));
    putKey(entries, kek == null ? KEY : ENCRYPTED_KEY, active, kek, schema, storeKey);
    if (record.prepared().isPresent()) {
      CaMaterial next = record.prepared().get();
      metadata.put("next-fingerprint", next.fingerprint().sha256Hex());
      metadata.put("next-key-algorithm", next.keyAlgorithm().name());
      metadata.put("prepared-at", record.preparedAt().orElseThrow().toString());
      entries.put(NEXT_CHAIN, ascii(Pem.encodeCertificates(next.chain())));
      putKey(entries, kek == null ? NEXT_KEY : NEXT_ENCRYPTED_KEY, next, kek, schema, storeKey);
    }
    record.activeCross().ifPresent(cross -> entries.put(ACTIVE_CROSS, ascii(Pem.encodeCertificates(List.of(cross)))));
    record.preparedCross().ifPresent(cross -> entries.put(NEXT_CROSS, ascii(Pem.encodeCertificates(List.of(cross)))));
    List<RetiredCa> retired = record.retired();
    for (int i = 0; i < retired.size(); i++) {
      RetiredCa old = retired.get(i);
      metadata.put(RETIRED_PREFIX + i, old.fingerprint().sha256Hex() + " " + old.retiredAt() + " " + old.retainUntil());
      entries.put(RETIRED_PREFIX + i + ".crt", ascii(Pem.encodeCertificates(old.chain())));
    }
    entries.put(BUNDLE, ascii(Pem.encodeCertificates(record.trustBundle())));
    StringBuilder lines = new StringBuilder();
    metadata.forEach((key, value) -> lines.append(key).append('=').append(value).append('\n'));
    entries.put(METADATA, lines.toString().getBytes(StandardCharsets.UTF_8));
    if (kek != null) {
      byte[] digest = CaKeyProtection.recordDigest(KIND, schema, entries, AUTHENTICATION);
      entries.put(AUTHENTICATION, kek.encrypt(digest,
          CaKeyProtection.recordAssociatedData(schema, storeKey, kek.id(), digest)));
    }
    return new NamedEntries(KIND, schema, entries).encode();
  }

  private static void putKey(
      Map<String, byte[]> entries, String name, CaMaterial material, KeyEncryptionKey kek, int schema, String storeKey) {
    if (kek == null) {
      entries.put(name, ascii(PemKeys.encodePkcs8(material.privateKey())));
      return;
    }
    byte[] der = pkcs8(material.privateKey());
    try {
      entries.put(name, kek.encrypt(der, CaKeyProtection.associatedData(
          schema, storeKey, material.fingerprint().sha256Hex(), kek.id())));
    } finally {
      Arrays.fill(der, (byte) 0);
    }
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
   * Returns whether a stored record is authenticated as a whole (schema
   * {@value #AUTHENTICATED_SCHEMA_VERSION}), without verifying anything.
   *
   * @param stored the value as read from the store
   * @param backend a short description of the store, for the message
   * @return whether the record carries a whole-record authentication tag
   * @throws UnreadableRecordException if the value is not a CA record
   */
  public boolean authenticated(Versioned<byte[]> stored, String backend) {
    try {
      return envelope(stored.value()).schemaVersion() == AUTHENTICATED_SCHEMA_VERSION;
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
   *     entry, an unparsable certificate or key, metadata that contradicts the certificate, a
   *     trust bundle without the active or prepared root, an authenticated record whose tag does
   *     not match its entries, or (unless accepted) an encrypted record that is not authenticated;
   *     a {@link CaKeyDecryptionException} when the key-encryption key is missing or wrong
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

    int schemaVersion = envelope.schemaVersion();
    if (schemaVersion == AUTHENTICATED_SCHEMA_VERSION) {
      authenticate(envelope, metadata, storeKey);
    } else {
      if (envelope.entry(AUTHENTICATION).isPresent()) {
        throw new Unreadable("a schema " + schemaVersion + " record must not hold '" + AUTHENTICATION + "'", null);
      }
      boolean encrypted = schemaVersion == ENCRYPTED_SCHEMA_VERSION
          || schemaVersion == ROTATION_SCHEMA_VERSION && PROTECTION_KEK.equals(metadata.get("key-protection"));
      if (encrypted && !protection.acceptsUnauthenticated()) {
        throw new Unreadable("is not authenticated: it was written before OneCA authenticated whole records (schema "
            + schemaVersion + " with an encrypted key), so whoever can write the store may have changed its trust"
            + " bundle. Authenticate it with KeyReencryption (the same key-encryption key will do), or accept"
            + " unauthenticated records while migrating (OneCaBuilder.allowUnauthenticatedCaRecords())", null);
      }
      if (encrypted) {
        LOG.warn("CA record '{}' is not authenticated (schema {}, written before whole-record authentication);"
            + " accepted while migrating: authenticate it with KeyReencryption", storeKey, schemaVersion);
      }
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
    boolean plaintext = schemaVersion == PLAINTEXT_SCHEMA_VERSION
        || schemaVersion == ROTATION_SCHEMA_VERSION && PROTECTION_PLAINTEXT.equals(required(metadata, "key-protection"));
    PrivateKey key = plaintext
        ? plaintextKey(envelope, KEY, ENCRYPTED_KEY)
        : encryptedKey(envelope, metadata, storeKey, actual.sha256Hex(), algorithm, ENCRYPTED_KEY, KEY);
    Instant createdAt = instant(metadata, "created-at");
    if (schemaVersion < ROTATION_SCHEMA_VERSION) {
      for (String name : envelope.entries().keySet()) {
        if (name.startsWith("next.") || name.startsWith(RETIRED_PREFIX) || name.equals(ACTIVE_CROSS)) {
          throw new Unreadable("a schema " + schemaVersion + " record must not hold '" + name + "'", null);
        }
      }
    }
    Optional<CaMaterial> prepared = Optional.empty();
    Optional<Instant> preparedAt = Optional.empty();
    if (envelope.entry(NEXT_CHAIN).isPresent()) {
      List<X509Certificate> nextChain = certificates(envelope, NEXT_CHAIN);
      KeyAlgorithm nextAlgorithm = algorithm(required(metadata, "next-key-algorithm"));
      Fingerprint nextFingerprint = Fingerprint.of(nextChain.get(0));
      if (!nextFingerprint.sha256Hex().equals(required(metadata, "next-fingerprint"))) {
        throw new Unreadable("metadata next-fingerprint does not match the certificate in '" + NEXT_CHAIN + "' ("
            + nextFingerprint.shortForm() + ")", null);
      }
      PrivateKey nextKey = plaintext
          ? plaintextKey(envelope, NEXT_KEY, NEXT_ENCRYPTED_KEY)
          : encryptedKey(envelope, metadata, storeKey, nextFingerprint.sha256Hex(), nextAlgorithm, NEXT_ENCRYPTED_KEY,
              NEXT_KEY);
      prepared = Optional.of(new CaMaterial(nextChain, nextKey, nextAlgorithm));
      preparedAt = Optional.of(instant(metadata, "prepared-at"));
    } else if (envelope.entry(NEXT_KEY).isPresent() || envelope.entry(NEXT_ENCRYPTED_KEY).isPresent()
        || envelope.entry(NEXT_CROSS).isPresent()) {
      throw new Unreadable("holds a key or cross-certificate for a next CA but no '" + NEXT_CHAIN + "'", null);
    }
    Optional<X509Certificate> activeCross = single(envelope, ACTIVE_CROSS);
    Optional<X509Certificate> preparedCross = single(envelope, NEXT_CROSS);
    List<RetiredCa> retired = retired(envelope, metadata);
    try {
      return new CaRecord(new CaMaterial(chain, key, algorithm), bundle, createdAt, required(metadata, "created-by"),
          prepared, preparedAt, retired, activeCross, preparedCross);
    } catch (InvalidRequestException e) {
      throw new Unreadable(reason(e), e);
    }
  }

  private static List<RetiredCa> retired(NamedEntries envelope, Map<String, String> metadata) {
    List<RetiredCa> retired = new ArrayList<>();
    for (int i = 0; metadata.containsKey(RETIRED_PREFIX + i); i++) {
      if (i >= MAX_RETIRED) {
        throw new Unreadable("holds more than " + MAX_RETIRED + " retired CAs", null);
      }
      String[] fields = metadata.get(RETIRED_PREFIX + i).split(" ", -1);
      if (fields.length != 3) {
        throw new Unreadable("metadata " + RETIRED_PREFIX + i + " is not 'fingerprint retired-at retain-until'", null);
      }
      List<X509Certificate> chain = certificates(envelope, RETIRED_PREFIX + i + ".crt");
      if (!Fingerprint.of(chain.get(0)).sha256Hex().equals(fields[0])) {
        throw new Unreadable("metadata " + RETIRED_PREFIX + i + " names another certificate than its entry", null);
      }
      try {
        retired.add(new RetiredCa(chain, Instant.parse(fields[1]), Instant.parse(fields[2])));
      } catch (DateTimeParseException e) {
        throw new Unreadable("metadata " + RETIRED_PREFIX + i + " holds a malformed instant", e);
      }
    }
    long entries = envelope.entries().keySet().stream().filter(name -> name.startsWith(RETIRED_PREFIX)).count();
    if (entries != retired.size()) {
      throw new Unreadable("holds " + entries + " retired certificate entries but metadata describes " + retired.size(),
          null);
    }
    return retired;
  }

  private static Optional<X509Certificate> single(NamedEntries envelope, String name) {
    if (envelope.entry(name).isEmpty()) {
      return Optional.empty();
    }
    List<X509Certificate> certificates = certificates(envelope, name);
    if (certificates.size() != 1) {
      throw new Unreadable("entry '" + name + "' must hold exactly one certificate", null);
    }
    return Optional.of(certificates.get(0));
  }

  private static KeyAlgorithm algorithm(String name) {
    try {
      return KeyAlgorithm.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new Unreadable("metadata key algorithm '" + name + "' is unknown", e);
    }
  }

  private static Instant instant(Map<String, String> metadata, String key) {
    try {
      return Instant.parse(required(metadata, key));
    } catch (DateTimeParseException e) {
      throw new Unreadable("metadata " + key + " is not an ISO-8601 instant", e);
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

  /** Verifies a schema 4 record's tag over all its entries before anything in it is used. */
  private void authenticate(NamedEntries envelope, Map<String, String> metadata, String storeKey) {
    String protectionName = required(metadata, "key-protection");
    if (!PROTECTION_KEK.equals(protectionName)) {
      throw new Unreadable("a schema " + AUTHENTICATED_SCHEMA_VERSION + " record is protected by a key-encryption"
          + " key, but metadata key-protection is '" + protectionName + "'", null);
    }
    String keyId = keyId(metadata);
    KeyEncryptionKey kek = readKey(keyId);
    byte[] tag = envelope.entry(AUTHENTICATION).orElseThrow(() ->
        new Unreadable("is not authentic: entry '" + AUTHENTICATION + "' is missing", null));
    int schema = envelope.schemaVersion();
    byte[] digest = CaKeyProtection.recordDigest(KIND, schema, envelope.entries(), AUTHENTICATION);
    byte[] opened = null;
    try {
      opened = kek.decrypt(tag, CaKeyProtection.recordAssociatedData(schema, storeKey, keyId, digest));
    } catch (GeneralSecurityException e) {
      opened = null;
    }
    if (opened != null && MessageDigest.isEqual(opened, digest)) {
      return;
    }
    if (keyDecrypts(envelope, metadata, storeKey, kek, keyId)) {
      throw new Unreadable("is not authentic under key-encryption key '" + keyId + "': its tag does not match its"
          + " entries, so an entry (trust bundle, certificates, metadata) was changed, added or removed by someone"
          + " without that key; refused, and it will not be overwritten", null);
    }
    throw new Undecryptable(keyId, "the record does not decrypt with key-encryption key '" + keyId
        + "': wrong key material, a tampered record, or a record copied from another store key");
  }

  /** Whether the active key decrypts: tells a tampered record (it does) from wrong key material. */
  private static boolean keyDecrypts(
      NamedEntries envelope, Map<String, String> metadata, String storeKey, KeyEncryptionKey kek, String keyId) {
    Optional<byte[]> ciphertext = envelope.entry(ENCRYPTED_KEY);
    String fingerprint = metadata.get("fingerprint");
    if (ciphertext.isEmpty() || fingerprint == null) {
      return false;
    }
    try {
      byte[] der = kek.decrypt(ciphertext.get(), CaKeyProtection.associatedData(
          envelope.schemaVersion(), storeKey, fingerprint, keyId));
      Arrays.fill(der, (byte) 0);
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static String keyId(Map<String, String> metadata) {
    String keyId = required(metadata, "kek-id");
    try {
      return CaKeyProtection.checkId(keyId);
    } catch (IllegalArgumentException e) {
      throw new Unreadable("metadata kek-id is malformed", null);
    }
  }

  private KeyEncryptionKey readKey(String keyId) {
    return protection.readKey(keyId).orElseThrow(() -> new Undecryptable(keyId,
        "the CA key is encrypted with key-encryption key '" + keyId + "', "
            + (protection.readKeyIds().isEmpty() ? "but none is configured"
                : "but this replica has only " + protection.readKeyIds())));
  }

  private PrivateKey plaintextKey(NamedEntries envelope, String keyEntry, String encryptedEntry) {
    if (envelope.entry(encryptedEntry).isPresent()) {
      throw new Unreadable("a record with a plaintext CA key must not hold '" + encryptedEntry + "'", null);
    }
    if (!protection.allowsPlaintext()) {
      throw new Undecryptable(null, "the record holds a plaintext CA key, but this replica requires an encrypted one;"
          + " encrypt it with KeyReencryption, or allow plaintext CA keys while migrating");
    }
    try {
      return PemKeys.parsePrivateKey(text(envelope, keyEntry), provider);
    } catch (InvalidRequestException e) {
      throw new Unreadable("entry '" + keyEntry + "': " + reason(e), e);
    }
  }

  private PrivateKey encryptedKey(NamedEntries envelope, Map<String, String> metadata, String storeKey,
      String fingerprint, KeyAlgorithm algorithm, String encryptedEntry, String keyEntry) {
    if (envelope.entry(keyEntry).isPresent()) {
      throw new Unreadable("a record with an encrypted CA key must not hold a plaintext '" + keyEntry + "'", null);
    }
    String protectionName = required(metadata, "key-protection");
    if (!PROTECTION_KEK.equals(protectionName)) {
      throw new Unreadable("metadata key-protection '" + protectionName + "' is unknown", null);
    }
    String keyId = keyId(metadata);
    byte[] ciphertext = envelope.entry(encryptedEntry)
        .orElseThrow(() -> new Unreadable("entry '" + encryptedEntry + "' is missing", null));
    KeyEncryptionKey kek = readKey(keyId);
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
      throw new Unreadable("entry '" + encryptedEntry + "' decrypts to " + reason(e), null);
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
