package io.oneca.core.internal.record;

import io.oneca.api.security.KeyEncryptionKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 */
public final class CaKeyProtection {
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final byte[] LABEL = "OneCA CA key v1".getBytes(StandardCharsets.US_ASCII);

  private final KeyEncryptionKey writeKey;
  private final Map<String, KeyEncryptionKey> readKeys;
  private final boolean allowPlaintext;

  private CaKeyProtection(KeyEncryptionKey writeKey, Map<String, KeyEncryptionKey> readKeys, boolean allowPlaintext) {
    this.writeKey = writeKey;
    this.readKeys = readKeys;
    this.allowPlaintext = allowPlaintext;
  }

  /** Plaintext CA keys only: writes schema 1, reads schema 1, cannot read encrypted records. */
  public static CaKeyProtection plaintext() {
    return new CaKeyProtection(null, Map.of(), true);
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
    Objects.requireNonNull(writeKey, "writeKey");
    Map<String, KeyEncryptionKey> read = new LinkedHashMap<>();
    read.put(checkId(writeKey.id()), writeKey);
    for (KeyEncryptionKey previous : previousKeys) {
      if (read.put(checkId(previous.id()), previous) != null) {
        throw new IllegalArgumentException("two key-encryption keys have the id '" + previous.id() + "'");
      }
    }
    return new CaKeyProtection(writeKey, Map.copyOf(read), allowPlaintext);
  }

  /** Returns the key new records are encrypted with, if any. */
  public Optional<KeyEncryptionKey> writeKey() {
    return Optional.ofNullable(writeKey);
  }

  /** Returns whether records holding a plaintext CA key are accepted. */
  public boolean allowsPlaintext() {
    return allowPlaintext;
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
