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
 * <p><b>Not yet connected to CA rotation.</b> Rotation does not exist yet; the gate is a standalone,
 * tested component. Rotation is expected to publish the trust bundle containing the prepared CA with
 * {@link io.oneca.core.delivery.DeliveryHub#publish}, and to activate only when
 * {@link io.oneca.core.delivery.ActivationGate#decide} returns an open decision for that bundle
 * version. Nothing in {@link io.oneca.core.OneCa} calls this package today.
 */
package io.oneca.core.delivery;
