/**
 * The ZooKeeper backend of OneCA's store SPI: {@link io.oneca.backend.zk.ZooKeeperStore}, built with
 * {@link io.oneca.backend.zk.ZooKeeperStoreBuilder} or opened by URI ({@code zk://...}) through
 * {@link io.oneca.api.store.Stores#open(String)}.
 */
package io.oneca.backend.zk;
