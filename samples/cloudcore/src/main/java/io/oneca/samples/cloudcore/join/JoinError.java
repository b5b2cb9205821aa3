package io.oneca.samples.cloudcore.join;

import java.util.Objects;

/**
 * Every reason the join endpoint refuses or fails a request, with its HTTP status and the stable
 * error code clients see in {@code {"error":"<code>",...}}. Codes never change meaning; new ones
 * may be added.
 */
public enum JoinError {
  /** The source address failed too often; the response carries {@code Retry-After}. */
  RATE_LIMITED(429, "rate_limited"),
  /** Any method but {@code POST}. */
  METHOD_NOT_ALLOWED(405, "method_not_allowed"),
  /** The body is not declared as {@code application/json} (UTF-8). */
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type"),
  /** The body is larger than the configured limit. */
  BODY_TOO_LARGE(413, "body_too_large"),
  /** The body is not the expected JSON object: bad JSON, duplicate or missing field, wrong type, too long. */
  MALFORMED_REQUEST(400, "malformed_request"),
  /** The body holds a field this version does not know. */
  UNKNOWN_FIELD(400, "unknown_field"),
  /** The token is not in the token syntax. */
  TOKEN_MALFORMED(401, "token_malformed"),
  /** The token's signature does not verify with this cluster's key: forged, altered or foreign. */
  TOKEN_INVALID(401, "token_invalid"),
  /** The token has expired. */
  TOKEN_EXPIRED(401, "token_expired"),
  /** The token was revoked. */
  TOKEN_REVOKED(401, "token_revoked"),
  /** The CSR is not a parsable PKCS#10 request, or its extension request is malformed. */
  CSR_MALFORMED(400, "csr_malformed"),
  /** The CSR's signature does not verify (no proof of possession) or uses an algorithm not accepted. */
  CSR_SIGNATURE_INVALID(400, "csr_signature_invalid"),
  /** The CSR's key type or size is not accepted. */
  CSR_KEY_NOT_ALLOWED(400, "csr_key_not_allowed"),
  /** The CSR's subject has no common name, or more than one. */
  CSR_SUBJECT_INVALID(400, "csr_subject_invalid"),
  /** The CSR's common name is another node than the token's. */
  CSR_NODE_MISMATCH(403, "csr_node_mismatch"),
  /** The CSR requests a subject alternative name other than the token's node name. */
  CSR_NAME_NOT_ALLOWED(403, "csr_name_not_allowed"),
  /** The CSR requests basicConstraints CA:true. */
  CSR_REQUESTS_CA(400, "csr_requests_ca"),
  /** The CSR requests keyCertSign or cRLSign key usage. */
  CSR_KEY_USAGE_NOT_ALLOWED(400, "csr_key_usage_not_allowed"),
  /** OneCA's issuance policy refused the request after the join rules passed. */
  CSR_REJECTED(400, "csr_rejected"),
  /** The revocation list cannot be read, so no token can be accepted (fail closed). */
  REVOCATIONS_UNAVAILABLE(503, "revocations_unavailable"),
  /** OneCA cannot issue now: the store is unavailable or no CA has been adopted yet. */
  CA_UNAVAILABLE(503, "ca_unavailable"),
  /** Anything else; details are in the server's log only. */
  INTERNAL_ERROR(500, "internal_error");

  private final int status;
  private final String code;

  JoinError(int status, String code) {
    this.status = status;
    this.code = Objects.requireNonNull(code, "code");
  }

  /** Returns the HTTP status the endpoint answers with. */
  public int status() {
    return status;
  }

  /** Returns the stable error code, for example {@code token_expired}. */
  public String code() {
    return code;
  }

  /** Returns whether the client caused it (4xx); only those are charged to the rate limiter. */
  public boolean clientError() {
    return status >= 400 && status < 500 && this != RATE_LIMITED;
  }
}
