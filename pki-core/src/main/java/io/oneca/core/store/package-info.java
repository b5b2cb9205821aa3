/**
 * The embedded stores: {@link io.oneca.core.store.InMemoryStore} for one JVM and
 * {@link io.oneca.core.store.FileSystemStore} for several processes on one host (the default).
 */
package io.oneca.core.store;
