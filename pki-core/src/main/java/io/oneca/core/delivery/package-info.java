/**
 * Delivery of identities and trust bundles to many consumers (edge nodes, proxies), built so that
 * the Kuma incidents cannot happen here: a fast reconnect followed by the old connection's late
 * cleanup, and one broken reference taking every resource down.
 *
 * <ul>
 *   <li>{@link io.oneca.core.delivery.DeliveryHub}: named items pushed to subscribers with unique
 *       epochs, synchronous close that removes only its own epoch, level-triggered delivery that never
 *       goes backwards, and coalescing (one pending value per subscription, however slow it is). It
 *       follows the semantics of {@link io.oneca.api.store.spi.SubscriptionRegistry}, for typed
 *       values instead of store bytes.
 *   <li>{@link io.oneca.core.delivery.Resolver}, {@link io.oneca.core.delivery.ItemResult} and
 *       {@link io.oneca.core.delivery.Resolution}: many items resolved independently; each failure is
 *       named with its cause and counted, and the good items are always served.
 *   <li>{@link io.oneca.core.delivery.AckTracker}, {@link io.oneca.core.delivery.ActivationGate} and
 *       {@link io.oneca.core.delivery.GateDecision}: consumers acknowledge the trust-bundle version
 *       they installed; the gate decides whether a prepared CA may be activated and names the
 *       consumers that lag.
 * </ul>
 *
 * <p>Typical use by a control plane that serves edge nodes over its own transport:
 *
 * <pre>{@code
 * DeliveryHub<String> bundles = DeliveryHub.create(executor);
 * oneCa.onCaChange(ca -> bundles.publish("trust-bundle", ca.storeVersion(), ca.trustBundlePem()));
 *
 * // per connection (never per node name): the subscription is the connection's handle
 * DeliverySubscription sub = bundles.subscribe(nodeName, "trust-bundle", update -> stream.send(update));
 * stream.onClose(sub::close);              // a late close only removes this connection's epoch
 * stream.onAck(version -> acks.acknowledge(nodeName, version));
 *
 * // many references, each resolved on its own: serve the good ones, report the broken ones
 * Resolution<Secret> secrets = Resolver.of("secret", secretStore::read).resolve(references);
 * }</pre>
 *
 * <p>Limits: one JVM (the hub is in memory; each replica runs its own and feeds it from
 * {@code OneCa.onCaChange}); the latest value of every item published is kept until
 * {@link io.oneca.core.delivery.DeliveryHub#remove removed}; per subscription memory is constant
 * (one pending value). Tests: deterministic replay of the Kuma interleaving, 10,000 seeded random
 * schedules, a real-thread publish/subscribe race, per-item resolution with one missing secret among
 * 100, and gate decisions driven by a mutable clock.
 *
 * <p>CA rotation uses the gate through
 * {@link io.oneca.core.rotation.ActivationCondition#acknowledged}: {@code TrustBundleFeed} publishes each
 * adopted version to the hub, every replica records its live consumers and their acknowledgements in
 * the store next to the CA record, and the automatic tick activates a prepared CA only when the gate,
 * fed with the union over all replicas, is open.
 */
package io.oneca.core.delivery;
