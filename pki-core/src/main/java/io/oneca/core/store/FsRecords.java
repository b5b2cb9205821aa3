package io.oneca.core.store;

import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.Versioned;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The two file formats of {@link FileSystemStore}, big-endian, each ending with a CRC32C of every
 * byte before it:
 *
 * <pre>
 *   value file:    "OFS1" | u64 version  | u32 length | value bytes | u32 crc32c
 *   revision file: "OFR1" | u64 revision | u32 crc32c
 * </pre>
 *
 * <p>Decoding checks size, magic, checksum, then the fields. A version is reported in an
 * {@link UnreadableRecordException} only once the checksum has vouched for it.
 */
final class FsRecords {
  /** The key named in errors about the revision file. */
  static final String REVISION_KEY = "revision";

  private static final byte[] VALUE_MAGIC = "OFS1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] REVISION_MAGIC = "OFR1".getBytes(StandardCharsets.US_ASCII);
  private static final int VALUE_OVERHEAD = 4 + 8 + 4 + 4;
  private static final int REVISION_SIZE = 4 + 8 + 4;

  /** The largest value file a valid record can have; larger files are not read into memory. */
  static final int MAX_VALUE_FILE_BYTES = VALUE_OVERHEAD + StoreKeys.MAX_VALUE_BYTES;

  /** The size of every valid revision file. */
  static final int REVISION_FILE_BYTES = REVISION_SIZE;

  private FsRecords() {}

  static byte[] encodeValue(long version, byte[] value) {
    ByteBuffer buffer = ByteBuffer.allocate(VALUE_OVERHEAD + value.length);
    buffer.put(VALUE_MAGIC).putLong(version).putInt(value.length).put(value);
    buffer.putInt(crc(buffer.array(), buffer.position()));
    return buffer.array();
  }

  static Versioned<byte[]> decodeValue(String backend, String key, byte[] file) {
    if (file.length < VALUE_OVERHEAD) {
      throw unreadable(backend, key, 0, "value file is " + file.length + " bytes, shorter than any record");
    }
    if (!Arrays.equals(file, 0, 4, VALUE_MAGIC, 0, 4)) {
      throw unreadable(backend, key, 0, "value file does not start with magic OFS1");
    }
    ByteBuffer buffer = ByteBuffer.wrap(file);
    if (buffer.getInt(file.length - 4) != crc(file, file.length - 4)) {
      throw unreadable(backend, key, 0, "value file checksum (CRC32C) does not match its content");
    }
    long version = buffer.getLong(4);
    int length = buffer.getInt(12);
    if (version <= 0) {
      throw unreadable(backend, key, 0, "value file holds version " + version + ", which is not positive");
    }
    if (length != file.length - VALUE_OVERHEAD) {
      throw unreadable(backend, key, version,
          "value file declares " + length + " value bytes but holds " + (file.length - VALUE_OVERHEAD));
    }
    return new Versioned<>(key, Arrays.copyOfRange(file, 16, 16 + length), version);
  }

  static byte[] encodeRevision(long revision) {
    ByteBuffer buffer = ByteBuffer.allocate(REVISION_SIZE);
    buffer.put(REVISION_MAGIC).putLong(revision);
    buffer.putInt(crc(buffer.array(), buffer.position()));
    return buffer.array();
  }

  static long decodeRevision(String backend, byte[] file) {
    if (file.length != REVISION_SIZE) {
      throw unreadable(backend, REVISION_KEY, 0, "revision file is " + file.length + " bytes, expected " + REVISION_SIZE);
    }
    if (!Arrays.equals(file, 0, 4, REVISION_MAGIC, 0, 4)) {
      throw unreadable(backend, REVISION_KEY, 0, "revision file does not start with magic OFR1");
    }
    ByteBuffer buffer = ByteBuffer.wrap(file);
    if (buffer.getInt(REVISION_SIZE - 4) != crc(file, REVISION_SIZE - 4)) {
      throw unreadable(backend, REVISION_KEY, 0, "revision file checksum (CRC32C) does not match its content");
    }
    long revision = buffer.getLong(4);
    if (revision < 0) {
      throw unreadable(backend, REVISION_KEY, 0, "revision file holds a negative revision");
    }
    return revision;
  }

  static UnreadableRecordException unreadable(String backend, String key, long version, String reason) {
    return new UnreadableRecordException(backend, key, version, reason, null);
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }
}
