package io.oneca.core.security;

import io.oneca.api.security.KeyEncryptionKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * An AES-256-GCM key-encryption key held in memory. Output: a format byte (1), a 12-byte random
 * nonce, then the ciphertext with its 16-byte tag. The id is {@code aes256gcm:} followed by 16 hex
 * digits of SHA-256 over a label and the key: stable for the same key wherever it was read from
 * (file or environment), and one-way, so it can be stored and logged.
 */
final class Aes256GcmKey implements KeyEncryptionKey {
  static final int KEY_BYTES = 32;
  private static final byte FORMAT = 1;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final byte[] ID_LABEL = "OneCA key-encryption key id v1\0".getBytes(StandardCharsets.US_ASCII);

  private final SecretKeySpec key;
  private final String id;
  private final SecureRandom random;

  /** Copies the key; the caller zeroes its array. */
  Aes256GcmKey(byte[] keyBytes, SecureRandom random) {
    if (keyBytes.length != KEY_BYTES) {
      throw new IllegalArgumentException("an AES-256 key has " + KEY_BYTES + " bytes, got " + keyBytes.length);
    }
    this.key = new SecretKeySpec(keyBytes, "AES");
    this.id = "aes256gcm:" + HexFormat.of().formatHex(digest(keyBytes), 0, 8);
    this.random = random;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData);
      byte[] sealed = cipher.doFinal(plaintext);
      return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(FORMAT).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is not available in this JDK", e);
    }
  }

  @Override
  public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
    if (ciphertext.length < 1 + NONCE_BYTES + TAG_BITS / 8) {
      throw new GeneralSecurityException("ciphertext of " + ciphertext.length + " bytes is too short");
    }
    if (ciphertext[0] != FORMAT) {
      throw new GeneralSecurityException("unknown ciphertext format " + ciphertext[0]);
    }
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, ciphertext, 1, NONCE_BYTES));
    cipher.updateAAD(associatedData);
    return cipher.doFinal(ciphertext, 1 + NONCE_BYTES, ciphertext.length - 1 - NONCE_BYTES);
  }

  /** Names the key by id only. */
  @Override
  public String toString() {
    return "KeyEncryptionKey[" + id + "]";
  }

  private static byte[] digest(byte[] keyBytes) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(ID_LABEL);
      byte[] result = sha.digest(keyBytes);
      return Arrays.copyOf(result, result.length);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JDK", e);
    }
  }
}
