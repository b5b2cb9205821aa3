package io.oneca.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oneca.core.rotation.CaSlot;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** How {@code inspect} and {@code rotate} show the CA slots of a record: active, prepared, retired. */
final class Slots {
  private Slots() {}

  static ObjectNode json(CaSlot slot) {
    ObjectNode node = Output.object();
    node.put("role", slot.role().name());
    node.put("fingerprintSha256", slot.fingerprint().sha256Hex());
    node.set("certificate", Output.certificate(slot.certificate()));
    ArrayNode chain = node.putArray("chain");
    slot.chain().forEach(certificate -> chain.add(Output.certificate(certificate)));
    putInstant(node, slot.role() == CaSlot.Role.RETIRED ? "retiredAt" : "preparedAt", slot.since(),
        slot.role() != CaSlot.Role.ACTIVE);
    if (slot.role() == CaSlot.Role.RETIRED) {
      putInstant(node, "retainUntil", slot.retainUntil(), true);
    }
    slot.crossCertificate().ifPresentOrElse(cross -> node.set("crossCertificate", Output.certificate(cross)),
        () -> node.putNull("crossCertificate"));
    return node;
  }

  /** Adds {@code active}, {@code prepared} (or null) and {@code retired} to a document. */
  static void json(ObjectNode document, CaSlot active, Optional<CaSlot> prepared, List<CaSlot> retired) {
    document.set("active", json(active));
    prepared.ifPresentOrElse(slot -> document.set("prepared", json(slot)), () -> document.putNull("prepared"));
    ArrayNode array = document.putArray("retired");
    retired.forEach(slot -> array.add(json(slot)));
  }

  static void table(Output.Table table, CaSlot slot, Instant now) {
    String heading = switch (slot.role()) {
      case ACTIVE -> "active CA (signs)";
      case PREPARED -> "prepared CA (trusted, signs nothing yet)";
      case RETIRED -> "retired CA (trusted, signs nothing)";
    };
    table.row("", "").row(heading, "");
    table.row("  subject", slot.subject())
        .row("  issuer", slot.certificate().getIssuerX500Principal().getName())
        .row("  serial", slot.certificate().getSerialNumber().toString(16))
        .row("  fingerprint", slot.fingerprint())
        .row("  not before", slot.notBefore())
        .row("  not after", slot.notAfter() + " (" + Output.relative(slot.notAfter(), now) + ")");
    slot.since().ifPresent(since -> table.row(slot.role() == CaSlot.Role.RETIRED ? "  retired at" : "  prepared at",
        since));
    slot.retainUntil().ifPresent(until -> table.row("  trusted until", until + " ("
        + Output.relative(until, now).replace("EXPIRED", "ended") + ")"));
    slot.crossCertificate().ifPresent(cross -> table.row("  cross-signed by", cross.getIssuerX500Principal().getName()));
  }

  static void table(Output.Table table, CaSlot active, Optional<CaSlot> prepared, List<CaSlot> retired, Instant now) {
    table(table, active, now);
    prepared.ifPresent(slot -> table(table, slot, now));
    retired.forEach(slot -> table(table, slot, now));
  }

  private static void putInstant(ObjectNode node, String field, Optional<Instant> value, boolean include) {
    if (include) {
      value.ifPresentOrElse(instant -> node.put(field, instant.toString()), () -> node.putNull(field));
    }
  }
}
