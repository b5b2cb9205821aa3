package io.oneca.core.internal.record;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.NamedEntries;
import io.oneca.api.store.Versioned;
import io.oneca.core.CaRecordSummary;
import io.oneca.core.rotation.CaSlot;
import io.oneca.api.Fingerprint;
import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads the public part of a stored CA record (certificates and metadata) without touching the CA
 * key: no key-encryption key is needed and no key bytes are decoded. For operators' tools, through
 * {@link io.oneca.core.CaRecordInspector}.
 */
public final class CaRecordPeek {
  private CaRecordPeek() {}

  /**
   * Reads a stored value.
   *
   * @param stored the value as read from the store
   * @param backend a short description of the store, for messages
   * @return the public part of the record
   * @throws UnreadableRecordException naming key, version and backend if the value is not a CA
   *     record this version can read
   */
  public static CaRecordSummary of(Versioned<byte[]> stored, String backend) {
    Objects.requireNonNull(stored, "stored");
    try {
      return read(stored.key(), stored.version(), stored.value());
    } catch (InvalidRequestException | DateTimeParseException | IllegalStateException e) {
      throw new UnreadableRecordException(backend, stored.key(), stored.version(), e.getMessage(), e);
    }
  }

  private static CaRecordSummary read(String key, long version, byte[] value) {
    NamedEntries envelope;
    try {
      envelope = NamedEntries.decode(value);
    } catch (InvalidRequestException e) {
      throw new IllegalStateException("not a OneCA record: " + e.getMessage(), e);
    }
    if (!CaRecordCodec.KIND.equals(envelope.kind())) {
      throw new IllegalStateException("holds a record of kind '" + envelope.kind() + "', not '" + CaRecordCodec.KIND + "'");
    }
    if (envelope.schemaVersion() > CaRecordCodec.SCHEMA_VERSION) {
      throw new IllegalStateException("written by a newer OneCA (schema " + envelope.schemaVersion()
          + ", this version reads up to " + CaRecordCodec.SCHEMA_VERSION + ")");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    for (String line : text(envelope, CaRecordCodec.METADATA).split("\n")) {
      int equals = line.indexOf('=');
      if (equals > 0) {
        metadata.put(line.substring(0, equals), line.substring(equals + 1));
      }
    }
    String algorithm = required(metadata, "key-algorithm");
    KeyAlgorithm keyAlgorithm;
    try {
      keyAlgorithm = KeyAlgorithm.valueOf(algorithm);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("metadata key-algorithm '" + algorithm + "' is unknown");
    }
    boolean encrypted = CaRecordCodec.PROTECTION_KEK.equals(metadata.get("key-protection"));
    List<X509Certificate> chain = Pem.decodeCertificates(text(envelope, CaRecordCodec.CHAIN));
    CaSlot active = new CaSlot(CaSlot.Role.ACTIVE, Fingerprint.of(chain.get(0)), chain, Optional.empty(),
        Optional.empty(), single(envelope, CaRecordCodec.ACTIVE_CROSS));
    Optional<CaSlot> prepared = Optional.empty();
    if (envelope.entry(CaRecordCodec.NEXT_CHAIN).isPresent()) {
      List<X509Certificate> next = Pem.decodeCertificates(text(envelope, CaRecordCodec.NEXT_CHAIN));
      String preparedAt = metadata.get("prepared-at");
      prepared = Optional.of(new CaSlot(CaSlot.Role.PREPARED, Fingerprint.of(next.get(0)), next,
          preparedAt == null ? Optional.empty() : Optional.of(Instant.parse(preparedAt)), Optional.empty(),
          single(envelope, CaRecordCodec.NEXT_CROSS)));
    }
    List<CaSlot> retired = new ArrayList<>();
    for (int i = 0; metadata.containsKey(CaRecordCodec.RETIRED_PREFIX + i) && i < CaRecordCodec.MAX_RETIRED; i++) {
      String[] fields = metadata.get(CaRecordCodec.RETIRED_PREFIX + i).split(" ", -1);
      if (fields.length != 3) {
        throw new IllegalStateException("metadata " + CaRecordCodec.RETIRED_PREFIX + i
            + " is not 'fingerprint retired-at retain-until'");
      }
      List<X509Certificate> old = Pem.decodeCertificates(text(envelope, CaRecordCodec.RETIRED_PREFIX + i + ".crt"));
      retired.add(new CaSlot(CaSlot.Role.RETIRED, Fingerprint.of(old.get(0)), old,
          Optional.of(Instant.parse(fields[1])), Optional.of(Instant.parse(fields[2])), Optional.empty()));
    }
    return new CaRecordSummary(key, version, envelope.schemaVersion(),
        active,
        prepared,
        retired,
        Pem.decodeCertificates(text(envelope, CaRecordCodec.BUNDLE)),
        keyAlgorithm,
        encrypted,
        Optional.ofNullable(metadata.get("kek-id")),
        Instant.parse(required(metadata, "created-at")),
        required(metadata, "created-by"));
  }

  private static Optional<X509Certificate> single(NamedEntries envelope, String name) {
    return envelope.entry(name).map(bytes -> Pem.decodeCertificates(new String(bytes, StandardCharsets.US_ASCII)).get(0));
  }

  private static String text(NamedEntries envelope, String name) {
    return envelope.entry(name).map(bytes -> new String(bytes, StandardCharsets.UTF_8))
        .orElseThrow(() -> new IllegalStateException("entry '" + name + "' is missing"));
  }

  private static String required(Map<String, String> metadata, String key) {
    String value = metadata.get(key);
    if (value == null) {
      throw new IllegalStateException("metadata lacks '" + key + "'");
    }
    return value;
  }
}
