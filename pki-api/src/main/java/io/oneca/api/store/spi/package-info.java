/**
 * Support for implementing {@link io.oneca.api.store.VersionedStore}: what every backend shares so
 * that subscribers see the same guarantees whatever the store.
 */
package io.oneca.api.store.spi;
