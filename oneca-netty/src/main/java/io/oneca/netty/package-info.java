/**
 * Netty {@link io.netty.handler.ssl.SslContext}s that serve a OneCA
 * {@link io.oneca.core.ManagedIdentity}: start with {@link io.oneca.netty.OneCaSslContexts}.
 */
package io.oneca.netty;
