package io.oneca.core;

import io.oneca.api.audit.AuditSink;
import io.oneca.core.internal.record.CaKeyProtection;
import io.oneca.core.policy.IssuancePolicy;
import java.util.List;

/**
 * The security settings of a {@link OneCa}, fixed at build time; the builder validates them.
 *
 * @param keyProtection how the CA key is encrypted in the store and which protections are read
 * @param auditSink where audit events go
 * @param issuancePolicy what the CA agrees to certify
 * @param caPermittedDnsSubtrees name constraints of a CA this replica generates; empty for none
 */
record SecuritySettings(
    CaKeyProtection keyProtection,
    AuditSink auditSink,
    IssuancePolicy issuancePolicy,
    List<String> caPermittedDnsSubtrees) {}
