package io.oneca.backend.zk;

import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.Versioned;
import java.util.Arrays;
import java.util.Optional;

/**
 * How a value is stored in a znode's data: one format byte ({@code 0x01}) followed by the value.
 * Znode data of length zero means "no value": the znode only exists as the parent of other keys,
 * or its key was deleted while it still had children. So an empty value ({@code [0x01]}) stays
 * distinguishable from no value.
 */
final class Framing {
  static final byte FORMAT_V1 = 0x01;
  static final byte[] NO_VALUE = new byte[0];

  private Framing() {}

  static byte[] encode(byte[] value) {
    byte[] framed = new byte[value.length + 1];
    framed[0] = FORMAT_V1;
    System.arraycopy(value, 0, framed, 1, value.length);
    return framed;
  }

  /**
   * Decodes znode data.
   *
   * @return the value at {@code mzxid}, or empty if the znode holds no value
   * @throws UnreadableRecordException if the data does not start with the format byte
   */
  static Optional<Versioned<byte[]>> decode(String backend, String key, byte[] data, long mzxid) {
    if (data == null || data.length == 0) {
      return Optional.empty();
    }
    if (data[0] != FORMAT_V1) {
      throw new UnreadableRecordException(backend, key, mzxid,
          "znode data starts with byte 0x" + Integer.toHexString(data[0] & 0xff)
              + ", expected the OneCA format byte 0x01 (written by another tool?)", null);
    }
    return Optional.of(new Versioned<>(key, Arrays.copyOfRange(data, 1, data.length), mzxid));
  }
}
