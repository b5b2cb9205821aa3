package io.oneca.core.internal.record;

import io.oneca.api.security.KeyEncryptionKey;
import io.oneca.api.store.NamedEntries;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns an authenticated (schema 4) record into what OneCA wrote before whole-record
 * authentication: schema 2 (3 with rotation state), no {@code record.auth}, keys encrypted under the
 * older schema's associated data. Test support only.
 */
public final class LegacyRecords {
  private LegacyRecords() {}

  /**
   * Rewrites {@code authenticated} as an unauthenticated record.
   *
   * @param authenticated a schema 4 value
   * @param kek the key-encryption key it was written with
   * @param storeKey the store key it was written for
   * @return the legacy value
   */
  public static byte[] unauthenticated(byte[] authenticated, KeyEncryptionKey kek, String storeKey) {
    NamedEntries envelope = NamedEntries.decode(authenticated);
    TreeMap<String, byte[]> entries = new TreeMap<>(envelope.entries());
    entries.remove(CaRecordCodec.AUTHENTICATION);
    Map<String, String> metadata = new LinkedHashMap<>();
    for (String line : new String(entries.get(CaRecordCodec.METADATA), StandardCharsets.UTF_8).split("\n")) {
      if (!line.isEmpty()) {
        metadata.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
    }
    boolean rotation = entries.keySet().stream().anyMatch(name -> name.startsWith("next.")
        || name.startsWith(CaRecordCodec.RETIRED_PREFIX) || name.equals(CaRecordCodec.ACTIVE_CROSS));
    int schema = rotation ? CaRecordCodec.ROTATION_SCHEMA_VERSION : CaRecordCodec.ENCRYPTED_SCHEMA_VERSION;
    reencrypt(entries, CaRecordCodec.ENCRYPTED_KEY, metadata.get("fingerprint"), envelope.schemaVersion(), schema,
        kek, storeKey);
    if (entries.containsKey(CaRecordCodec.NEXT_ENCRYPTED_KEY)) {
      reencrypt(entries, CaRecordCodec.NEXT_ENCRYPTED_KEY, metadata.get("next-fingerprint"), envelope.schemaVersion(),
          schema, kek, storeKey);
    }
    metadata.put("schema", Integer.toString(schema));
    StringBuilder lines = new StringBuilder();
    metadata.forEach((key, value) -> lines.append(key).append('=').append(value).append('\n'));
    entries.put(CaRecordCodec.METADATA, lines.toString().getBytes(StandardCharsets.UTF_8));
    return new NamedEntries(CaRecordCodec.KIND, schema, entries).encode();
  }

  private static void reencrypt(TreeMap<String, byte[]> entries, String name, String fingerprint, int from, int to,
      KeyEncryptionKey kek, String storeKey) {
    try {
      byte[] der = kek.decrypt(entries.get(name), CaKeyProtection.associatedData(from, storeKey, fingerprint, kek.id()));
      entries.put(name, kek.encrypt(der, CaKeyProtection.associatedData(to, storeKey, fingerprint, kek.id())));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
