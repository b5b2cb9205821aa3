package io.oneca.core.internal.record;

import io.oneca.api.security.KeyEncryptionKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.regex.Pattern;

/**
 * How the CA key is protected in records this replica writes, and which protections it accepts when
 * reading: the key-encryption key for new records (if any), further keys accepted for reading
 * (during a key-encryption-key rollover), and whether plaintext CA keys are allowed at all.
 *
 * <p>The associated data of the AES-GCM encryption binds what is known before the write: a fixed
 * label, the record kind and schema, the store key, the CA certificate's fingerprint and the
 * key-encryption key's id. The store version cannot be bound: it is assigned by the store when the
 * compare-and-set applies, after the ciphertext was made. The fingerprint identifies the CA
 * generation the key belongs to, so ciphertext cannot be moved to another store key nor spliced
 * into a record of another CA (a random record id would add nothing: it sits in the same record
 * and would be copied with the ciphertext). Replaying a whole older record is not prevented by the
 * encryption; the store's access control and monotonic versions are what guard against that.
 *
 * <p>With a key-encryption key the whole record is authenticated as well (schema
 * {@value CaRecordCodec#AUTHENTICATED_SCHEMA_VERSION}): the entry {@code record.auth} holds the
 * key-encryption key's authenticated encryption of a SHA-256 digest over the kind, the schema and
 * every other entry (name and bytes, in name order), with associated data binding a label, the
 * schema, the store key, the key-encryption key's id and that digest. Whoever can write the store
 * but does not hold the key-encryption key can therefore change no entry (trust bundle,
 * cross-certificates, retired CAs, metadata), nor add or remove one, without the record being
 * refused. The key's own associated data names the schema, so stripping the tag and relabelling the
 * record as an older schema makes the key undecryptable. Records written before authentication
 * (schema 2, or 3 with an encrypted key) are read only when {@link #acceptsUnauthenticated()}.
 */
public final class CaKeyProtection {
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final byte[] LABEL = "OneCA CA key v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RECORD_LABEL = "OneCA record v1".getBytes(StandardCharsets.US_ASCII);

  private final KeyEncryptionKey writeKey;
  private final Map<String, KeyEncryptionKey> readKeys;
  private final boolean allowPlaintext;
  private final boolean acceptUnauthenticated;

  private CaKeyProtection(KeyEncryptionKey writeKey, Map<String, KeyEncryptionKey> readKeys, boolean allowPlaintext,
      boolean acceptUnauthenticated) {
    this.writeKey = writeKey;
    this.readKeys = readKeys;
    this.allowPlaintext = allowPlaintext;
    this.acceptUnauthenticated = acceptUnauthenticated;
  }

  /**
   * Plaintext CA keys only: writes schema 1 (or 3 with rotation state), cannot read encrypted
   * records, and authenticates nothing: whoever can write the store can change the record.
   */
  public static CaKeyProtection plaintext() {
    return new CaKeyProtection(null, Map.of(), true, true);
  }

  /**
   * Encrypts new records with {@code writeKey}, decrypts with it or any of {@code previousKeys}.
   *
   * @param writeKey the key for new records
   * @param previousKeys further keys accepted when reading
   * @param allowPlaintext whether records holding a plaintext key are still accepted when read
   * @throws IllegalArgumentException if a key's id is malformed or two keys share an id
   */
  public static CaKeyProtection encrypted(
      KeyEncryptionKey writeKey, Collection<KeyEncryptionKey> previousKeys, boolean allowPlaintext) {
    return encrypted(writeKey, previousKeys, allowPlaintext, allowPlaintext);
  }

  /**
   * Encrypts and authenticates new records with {@code writeKey}, reads records encrypted with it
   * or any of {@code previousKeys}.
   *
   * @param writeKey the key for new records
   * @param previousKeys further keys accepted when reading
   * @param allowPlaintext whether records holding a plaintext key are still accepted when read
   *     (such a record is never authenticated, so this implies {@code acceptUnauthenticated})
   * @param acceptUnauthenticated whether records with an encrypted key written before whole-record
   *     authentication (schema 2, or 3 with an encrypted key) are accepted when read; for
   *     migration only: anyone who can write the store can change such a record's trust bundle
   * @throws IllegalArgumentException if a key's id is malformed or two keys share an id
   */
  public static CaKeyProtection encrypted(KeyEncryptionKey writeKey, Collection<KeyEncryptionKey> previousKeys,
      boolean allowPlaintext, boolean acceptUnauthenticated) {
    Objects.requireNonNull(writeKey, "writeKey");
    Map<String, KeyEncryptionKey> read = new LinkedHashMap<>();
    read.put(checkId(writeKey.id()), writeKey);
    for (KeyEncryptionKey previous : previousKeys) {
      if (read.put(checkId(previous.id()), previous) != null) {
        throw new IllegalArgumentException("two key-encryption keys have the id '" + previous.id() + "'");
      }
    }
    return new CaKeyProtection(writeKey, Map.copyOf(read), allowPlaintext, allowPlaintext || acceptUnauthenticated);
  }

  /** Returns the key new records are encrypted with, if any. */
  public Optional<KeyEncryptionKey> writeKey() {
    return Optional.ofNullable(writeKey);
  }

  /** Returns whether records holding a plaintext CA key are accepted. */
  public boolean allowsPlaintext() {
    return allowPlaintext;
  }

  /**
   * Returns whether records that are not authenticated as a whole are accepted: plaintext records
   * (when plaintext is allowed) and encrypted records written before whole-record authentication.
   */
  public boolean acceptsUnauthenticated() {
    return acceptUnauthenticated;
  }

  /** Returns the key with this id that may decrypt records, if any. */
  Optional<KeyEncryptionKey> readKey(String id) {
    return Optional.ofNullable(readKeys.get(id));
  }

  /** Returns the ids of the keys that may decrypt records, for messages. */
  Collection<String> readKeyIds() {
    return readKeys.keySet();
  }

  static byte[] associatedData(int schema, String storeKey, String fingerprintHex, String keyId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(160);
    for (byte[] field : new byte[][] {
        LABEL, ascii(CaRecordCodec.KIND), ascii(Integer.toString(schema)), ascii(storeKey), ascii(fingerprintHex), ascii(keyId)}) {
      out.write(field.length >>> 8);
      out.write(field.length & 0xFF);
      out.write(field, 0, field.length);
    }
    return out.toByteArray();
  }

  /**
   * The SHA-256 digest that the record's authentication tag covers: the kind, the schema and every
   * entry but the tag itself, each length-prefixed, in name order.
   */
  static byte[] recordDigest(String kind, int schema, SortedMap<String, byte[]> entries, String tagEntry) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JDK", e);
    }
    sha.update(RECORD_LABEL);
    field(sha, ascii(kind));
    field(sha, ascii(Integer.toString(schema)));
    for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
      if (!entry.getKey().equals(tagEntry)) {
        field(sha, ascii(entry.getKey()));
        field(sha, entry.getValue());
      }
    }
    return sha.digest();
  }

  /** The associated data of the record's authentication tag. */
  static byte[] recordAssociatedData(int schema, String storeKey, String keyId, byte[] digest) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(192);
    for (byte[] field : new byte[][] {
        RECORD_LABEL, ascii(CaRecordCodec.KIND), ascii(Integer.toString(schema)), ascii(storeKey), ascii(keyId), digest}) {
      out.write(field.length >>> 8);
      out.write(field.length & 0xFF);
      out.write(field, 0, field.length);
    }
    return out.toByteArray();
  }

  private static void field(MessageDigest sha, byte[] bytes) {
    sha.update((byte) (bytes.length >>> 24));
    sha.update((byte) (bytes.length >>> 16));
    sha.update((byte) (bytes.length >>> 8));
    sha.update((byte) bytes.length);
    sha.update(bytes);
  }

  static String checkId(String id) {
    if (id == null || !KEY_ID.matcher(id).matches()) {
      throw new IllegalArgumentException("a key-encryption key id must be 1 to 64 characters from [A-Za-z0-9._:-]");
    }
    return id;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
