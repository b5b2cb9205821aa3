/**
 * OneCA's public vocabulary: the CA a replica uses, certificate requests and issued certificates,
 * and the typed exceptions every operation reports.
 */
package io.oneca.api;
