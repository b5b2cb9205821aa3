/**
 * The store SPI: a versioned key-value store with compare-and-set and level-triggered subscriptions,
 * implemented by the embedded stores and by the etcd, ZooKeeper and Kubernetes backends.
 */
package io.oneca.api.store;
