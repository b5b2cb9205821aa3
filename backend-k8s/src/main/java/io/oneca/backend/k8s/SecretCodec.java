package io.oneca.backend.k8s;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.NamedEntries;
import io.oneca.api.store.Versioned;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns store values into Secrets and back.
 *
 * <p>A value that is a {@link NamedEntries} envelope, and re-encodes to exactly the bytes written,
 * is stored as one data key per entry (layout {@code entries}, kind and schema version in
 * annotations), so that {@code kubectl} and tools reading {@code tls.crt}/{@code tls.key}/{@code ca.crt}
 * understand it. Anything else is stored under the single data key {@code value} (layout
 * {@code raw}). The SHA-256 of the value is kept in an annotation and checked on every read, so an
 * edit of the data that did not go through a store (and so did not raise the version) is reported
 * as unreadable instead of being served under an old version.
 */
final class SecretCodec {
  static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  static final String MANAGED_BY = "oneca";
  static final String KEY = "oneca.io/key";
  static final String VERSION = "oneca.io/version";
  static final String LAYOUT = "oneca.io/layout";
  static final String KIND = "oneca.io/kind";
  static final String SCHEMA_VERSION = "oneca.io/schema-version";
  static final String SHA256 = "oneca.io/sha256";
  static final String RAW_DATA_KEY = "value";
  static final String TYPE_OPAQUE = "Opaque";
  static final String TYPE_TLS = "kubernetes.io/tls";

  private static final String RAW = "raw";
  private static final String ENTRIES = "entries";

  private final String backend;
  private final SecretNames names;

  SecretCodec(String backend, SecretNames names) {
    this.backend = backend;
    this.names = names;
  }

  /**
   * Builds the Secret for a write.
   *
   * @param existingType the type of the Secret being replaced, or {@code null} on create: the type
   *     of a Secret is immutable, so a replace keeps it
   */
  Secret encode(String key, byte[] value, long version, String resourceVersion, String existingType) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(KEY, key);
    annotations.put(VERSION, Long.toString(version));
    annotations.put(SHA256, sha256(value));
    Map<String, String> data = new TreeMap<>();
    NamedEntries entries = asEntries(value);
    Base64.Encoder base64 = Base64.getEncoder();
    if (entries != null) {
      annotations.put(LAYOUT, ENTRIES);
      annotations.put(KIND, entries.kind());
      annotations.put(SCHEMA_VERSION, Integer.toString(entries.schemaVersion()));
      entries.entries().forEach((name, bytes) -> data.put(name, base64.encodeToString(bytes)));
    } else {
      annotations.put(LAYOUT, RAW);
      data.put(RAW_DATA_KEY, base64.encodeToString(value));
    }
    boolean tlsShaped = entries != null && data.containsKey("tls.crt") && data.containsKey("tls.key");
    String type = existingType != null ? existingType : (tlsShaped ? TYPE_TLS : TYPE_OPAQUE);
    if (TYPE_TLS.equals(type) && !tlsShaped) {
      throw new InvalidRequestException("value", "key '" + key + "' is stored in a Secret of type "
          + TYPE_TLS + ", which must keep tls.crt and tls.key entries; the type of a Secret cannot change: "
          + "delete the key and create it again to store another kind of value");
    }
    return new SecretBuilder()
        .withNewMetadata()
        .withName(names.nameOf(key))
        .withResourceVersion(resourceVersion)
        .withLabels(Map.of(MANAGED_BY_LABEL, MANAGED_BY))
        .withAnnotations(annotations)
        .endMetadata()
        .withType(type)
        .withData(data)
        .build();
  }

  /** Reads the version annotation without decoding the value; {@code 0} if there is none. */
  static long versionOf(Secret secret) {
    Map<String, String> annotations = secret.getMetadata().getAnnotations();
    String text = annotations == null ? null : annotations.get(VERSION);
    try {
      return text == null ? 0 : Long.parseLong(text);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Returns the key a Secret claims to hold, or {@code null} if it is not one of this store's records. */
  String claimedKey(Secret secret) {
    ObjectMeta meta = secret.getMetadata();
    Map<String, String> annotations = meta.getAnnotations();
    String key = annotations == null ? null : annotations.get(KEY);
    if (key == null || !names.mayHoldRecord(meta.getName())) {
      return null;
    }
    try {
      return names.nameOf(key).equals(meta.getName()) ? key : null;
    } catch (InvalidRequestException e) {
      return null;
    }
  }

  /**
   * Decodes the Secret that holds {@code key}.
   *
   * @throws UnreadableRecordException if the Secret is not a well-formed record of exactly this key
   */
  Versioned<byte[]> decode(String key, Secret secret) {
    Map<String, String> annotations = secret.getMetadata().getAnnotations();
    if (annotations == null) {
      annotations = Map.of();
    }
    long version = versionOf(secret);
    String claimed = annotations.get(KEY);
    if (!key.equals(claimed)) {
      throw unreadable(key, version, "Secret " + secret.getMetadata().getName() + " is annotated "
          + KEY + "=" + claimed + ", not this key: a Secret not written by OneCA, or a name collision");
    }
    if (version <= 0) {
      throw unreadable(key, 0, "annotation " + VERSION + " is missing or not a positive number");
    }
    Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
    byte[] value;
    try {
      value = switch (String.valueOf(annotations.get(LAYOUT))) {
        case RAW -> rawValue(key, version, data);
        case ENTRIES -> entriesValue(key, version, annotations, data);
        default -> throw unreadable(key, version, "unknown layout " + annotations.get(LAYOUT));
      };
    } catch (IllegalArgumentException e) {
      throw unreadable(key, version, "data is not valid base64 or not a valid entry: " + e.getMessage());
    }
    String expected = annotations.get(SHA256);
    if (!sha256(value).equals(expected)) {
      throw unreadable(key, version, "the data does not match annotation " + SHA256
          + ": it was changed without going through a OneCA store (which would have raised the version)");
    }
    return new Versioned<>(key, value, version);
  }

  private byte[] rawValue(String key, long version, Map<String, String> data) {
    if (data.size() != 1 || !data.containsKey(RAW_DATA_KEY)) {
      throw unreadable(key, version, "layout raw needs exactly the data key '" + RAW_DATA_KEY + "', found " + data.keySet());
    }
    return Base64.getDecoder().decode(data.get(RAW_DATA_KEY));
  }

  private byte[] entriesValue(String key, long version, Map<String, String> annotations, Map<String, String> data) {
    String kind = annotations.get(KIND);
    String schema = annotations.get(SCHEMA_VERSION);
    if (kind == null || schema == null) {
      throw unreadable(key, version, "layout entries needs annotations " + KIND + " and " + SCHEMA_VERSION);
    }
    SortedMap<String, byte[]> entries = new TreeMap<>();
    Base64.Decoder decoder = Base64.getDecoder();
    data.forEach((name, text) -> entries.put(name, decoder.decode(text == null ? "" : text)));
    try {
      return new NamedEntries(kind, Integer.parseInt(schema), entries).encode();
    } catch (InvalidRequestException e) {
      throw unreadable(key, version, "entries do not form a record: " + e.getMessage());
    }
  }

  /** The value as an envelope, if storing its entries gives back exactly these bytes on read. */
  static NamedEntries asEntries(byte[] value) {
    if (value.length < 4 || value[0] != 'O' || value[1] != 'C' || value[2] != 'R' || value[3] != '1') {
      return null;
    }
    try {
      NamedEntries entries = NamedEntries.decode(value);
      return Arrays.equals(entries.encode(), value) ? entries : null;
    } catch (InvalidRequestException e) {
      return null;
    }
  }

  private UnreadableRecordException unreadable(String key, long version, String reason) {
    return new UnreadableRecordException(backend, key, Math.max(0, version), reason, null);
  }

  static String sha256(byte[] value) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
