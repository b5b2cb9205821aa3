package io.oneca.core.internal.record;

import io.oneca.api.Fingerprint;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.NamedEntries;
import io.oneca.api.store.Versioned;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.PemKeys;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Encodes {@link CaRecord}s as {@link NamedEntries} of kind {@value #KIND} and decodes them back.
 *
 * <p>Entries, chosen so that the Kubernetes backend can expose them as Secret keys tools understand:
 * {@code ca.crt} (PEM chain of the active CA, CA first), {@code ca.key} (PKCS#8 PEM, plaintext
 * until encryption at rest lands), {@code trust-bundle.pem} (PEM) and {@code metadata} (UTF-8
 * {@code key=value} lines: {@code schema}, {@code fingerprint}, {@code key-algorithm},
 * {@code created-at}, {@code created-by}).
 *
 * <p>Decoding checks that the record is well formed, not that the CA is usable (expiry, key match):
 * that is {@link io.oneca.core.internal.crypto.CaChecks}'s job. Thread-safe.
 */
public final class CaRecordCodec {
  /** The record kind of CA records. */
  public static final String KIND = "ca";

  /** The newest schema this version writes and reads. */
  public static final int SCHEMA_VERSION = 1;

  static final String CHAIN = "ca.crt";
  static final String KEY = "ca.key";
  static final String BUNDLE = "trust-bundle.pem";
  static final String METADATA = "metadata";

  private final Provider provider;

  /**
   * Creates a codec.
   *
   * @param provider the JCA provider that creates private key objects
   */
  public CaRecordCodec(Provider provider) {
    this.provider = Objects.requireNonNull(provider, "provider");
  }

  /**
   * Encodes a record.
   *
   * @param record the record
   * @return the store value
   */
  public byte[] encode(CaRecord record) {
    Objects.requireNonNull(record, "record");
    CaMaterial active = record.active();
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("schema", Integer.toString(SCHEMA_VERSION));
    metadata.put("fingerprint", active.fingerprint().sha256Hex());
    metadata.put("key-algorithm", active.keyAlgorithm().name());
    metadata.put("created-at", record.createdAt().toString());
    metadata.put("created-by", record.createdBy());
    StringBuilder lines = new StringBuilder();
    metadata.forEach((key, value) -> lines.append(key).append('=').append(value).append('\n'));

    TreeMap<String, byte[]> entries = new TreeMap<>();
    entries.put(CHAIN, ascii(Pem.encodeCertificates(active.chain())));
    entries.put(KEY, ascii(PemKeys.encodePkcs8(active.privateKey())));
    entries.put(BUNDLE, ascii(Pem.encodeCertificates(record.trustBundle())));
    entries.put(METADATA, lines.toString().getBytes(StandardCharsets.UTF_8));
    return new NamedEntries(KIND, SCHEMA_VERSION, entries).encode();
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
      return decode(stored.value());
    } catch (Unreadable e) {
      throw new UnreadableRecordException(backend, stored.key(), stored.version(), e.getMessage(), e.getCause());
    } catch (RuntimeException e) {
      throw new UnreadableRecordException(backend, stored.key(), stored.version(),
          "unexpected " + e.getClass().getSimpleName() + " while decoding", e);
    }
  }

  private CaRecord decode(byte[] value) {
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
    Map<String, String> metadata = metadata(text(envelope, METADATA));
    String schema = required(metadata, "schema");
    if (!schema.equals(Integer.toString(envelope.schemaVersion()))) {
      throw new Unreadable("metadata schema '" + schema + "' contradicts the envelope's schema "
          + envelope.schemaVersion(), null);
    }

    List<X509Certificate> chain = certificates(envelope, CHAIN);
    List<X509Certificate> bundle = certificates(envelope, BUNDLE);
    PrivateKey key;
    try {
      key = PemKeys.parsePrivateKey(text(envelope, KEY), provider);
    } catch (InvalidRequestException e) {
      throw new Unreadable("entry '" + KEY + "': " + reason(e), e);
    }

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
  private static final class Unreadable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unreadable(String reason, Throwable cause) {
      super(reason, cause, false, false);
    }
  }
}
