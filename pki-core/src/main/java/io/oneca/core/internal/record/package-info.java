/**
 * Internal: the stored form of OneCA records (the CA record and its codec), built on
 * {@link io.oneca.api.store.NamedEntries}. Not part of OneCA's API.
 */
package io.oneca.core.internal.record;
