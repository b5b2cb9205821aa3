package io.oneca.core;

import io.oneca.api.BootstrapResult.Outcome;
import io.oneca.api.CertificateRequest;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.audit.AuditEventType;
import io.oneca.core.internal.audit.Auditor;
import io.oneca.core.internal.record.CaRecord;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

/** Turns what a {@link OneCa} does into audit events; the events carry no secrets. */
final class IssuanceAudit {
  private final Auditor auditor;

  IssuanceAudit(Auditor auditor) {
    this.auditor = auditor;
  }

  void bootstrap(Outcome outcome, CaRecord record, long version, Throwable error) {
    if (error != null) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      auditor.record(AuditEventType.CA_BOOTSTRAP_FAILED, 0, Map.of(
          "error", cause.getClass().getSimpleName(), "reason", String.valueOf(cause.getMessage())));
      return;
    }
    AuditEventType type = switch (outcome) {
      case CREATED -> AuditEventType.CA_CREATED;
      case ADOPTED_EXISTING -> AuditEventType.CA_ADOPTED_EXISTING;
      case ADOPTED_WINNER -> AuditEventType.CA_ADOPTED_WINNER;
      case IMPORTED -> AuditEventType.CA_IMPORTED;
      case DIFFERENT_CA_STORED -> AuditEventType.CA_IMPORT_DIFFERENT_CA_STORED;
    };
    Map<String, String> details = new LinkedHashMap<>();
    details.put("outcome", outcome.name());
    details.put("caFingerprint", record.active().fingerprint().sha256Hex());
    details.put("subject", record.active().certificate().getSubjectX500Principal().getName());
    details.put("notAfter", record.active().certificate().getNotAfter().toInstant().toString());
    details.put("createdBy", record.createdBy());
    auditor.record(type, version, details);
  }

  void followed(io.oneca.api.CaView ca) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("caFingerprint", ca.fingerprint().sha256Hex());
    details.put("subject", ca.chain().get(0).getSubjectX500Principal().getName());
    details.put("notAfter", ca.chain().get(0).getNotAfter().toInstant().toString());
    auditor.record(AuditEventType.CA_FOLLOWED, ca.storeVersion(), details);
  }

  void rotation(String kind, io.oneca.core.internal.crypto.CaMaterial next,
      io.oneca.core.internal.crypto.CaMaterial previous, boolean distrusted, long version) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("step", kind);
    details.put("caFingerprint", next.fingerprint().sha256Hex());
    details.put("subject", next.certificate().getSubjectX500Principal().getName());
    details.put("notAfter", next.certificate().getNotAfter().toInstant().toString());
    details.put("previousFingerprint", previous.fingerprint().sha256Hex());
    if (distrusted) {
      details.put("previousDistrusted", "true");
    }
    auditor.record(kind.equals("prepared") ? AuditEventType.CA_ROTATION_PREPARED : AuditEventType.CA_ROTATION_ACTIVATED,
        version, details);
  }

  void retired(io.oneca.core.internal.record.RetiredCa retired, String reason, long version) {
    auditor.record(AuditEventType.CA_ROTATION_RETIRED, version, Map.of(
        "caFingerprint", retired.fingerprint().sha256Hex(), "reason", reason,
        "retainUntil", retired.retainUntil().toString()));
  }

  void versionRejected(long version, long inUse, String reason) {
    auditor.record(AuditEventType.CA_VERSION_REJECTED, version, Map.of(
        "versionInUse", Long.toString(inUse), "reason", reason));
  }

  void lineageRefused(long version, long inUse, io.oneca.api.Fingerprint held, io.oneca.api.Fingerprint foreign,
      String reason) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("versionInUse", Long.toString(inUse));
    details.put("caFingerprint", held.sha256Hex());
    details.put("refusedFingerprint", foreign.sha256Hex());
    details.put("reason", reason);
    auditor.record(AuditEventType.CA_LINEAGE_REFUSED, version, details);
  }

  void versionRegressed(long version, long held, String reason) {
    auditor.record(AuditEventType.CA_VERSION_REGRESSED, version, Map.of(
        "versionHeld", Long.toString(held), "reason", reason));
  }

  void issued(IssuedCertificate issued, CertificateRequest request, String requester) {
    X509Certificate leaf = issued.certificate();
    Map<String, String> details = new LinkedHashMap<>();
    details.put("serial", issued.serialNumber().toString(16));
    details.put("subject", leaf.getSubjectX500Principal().getName());
    details.put("subjectAltNames", names(leaf));
    details.put("profile", request.profile().name());
    details.put("notAfter", issued.notAfter().toString());
    details.put("keySource", request.keySource() instanceof CertificateRequest.Csr ? "csr" : "publicKey");
    if (requester != null) {
      details.put("requester", requester);
    }
    details.put("caFingerprint", issued.caFingerprint().sha256Hex());
    auditor.record(AuditEventType.CERTIFICATE_ISSUED, issued.caVersion(), details);
  }

  void rejected(long version, String requester, RuntimeException error) {
    Map<String, String> details = new LinkedHashMap<>();
    if (error instanceof InvalidRequestException invalid) {
      details.put("field", invalid.field());
    }
    details.put("error", error.getClass().getSimpleName());
    details.put("reason", String.valueOf(error.getMessage()));
    if (requester != null) {
      details.put("requester", requester);
    }
    auditor.record(AuditEventType.REQUEST_REJECTED, version, details);
  }

  private static String names(X509Certificate leaf) {
    Collection<List<?>> names;
    try {
      names = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return "unparsable";
    }
    if (names == null) {
      return "";
    }
    List<String> shown = new ArrayList<>();
    for (List<?> name : names) {
      int kind = (Integer) name.get(0);
      String prefix = kind == 2 ? "DNS:" : kind == 7 ? "IP:" : kind == 6 ? "URI:" : kind + ":";
      shown.add(prefix + name.get(1));
    }
    return String.join(",", shown);
  }
}
