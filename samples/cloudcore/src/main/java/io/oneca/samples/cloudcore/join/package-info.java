/**
 * The CloudCore sample's HTTPS join endpoint: an edge node posts a bootstrap token and a PKCS#10
 * CSR to {@code POST /v1/join} and receives its certificate, its chain and the CA bundle.
 *
 * <p>The pieces, each usable alone: {@link io.oneca.samples.cloudcore.join.JoinTokens} (HMAC-signed,
 * expiring, node-bound tokens), {@link io.oneca.samples.cloudcore.join.TokenRevocations} (a
 * revocation list shared by every replica through the store), {@link
 * io.oneca.samples.cloudcore.join.JoinRequest} (the strict body parser), {@link
 * io.oneca.samples.cloudcore.join.CsrRules} (what a node may ask for), {@link
 * io.oneca.samples.cloudcore.join.FailureRateLimiter} (failed attempts per source), {@link
 * io.oneca.samples.cloudcore.join.JoinAudit} (one record per attempt) and {@link
 * io.oneca.samples.cloudcore.join.JoinHandler}, which puts them together. Nothing here writes to the
 * store except {@link io.oneca.samples.cloudcore.join.TokenRevocations#revoke}: issuing a
 * certificate stores nothing.
 */
package io.oneca.samples.cloudcore.join;
