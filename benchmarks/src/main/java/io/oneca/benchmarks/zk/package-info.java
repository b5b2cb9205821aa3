/** Load drivers for the ZooKeeper backend: bootstrap convergence and write-to-subscriber latency. */
package io.oneca.benchmarks.zk;
