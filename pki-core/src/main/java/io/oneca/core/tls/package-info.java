/**
 * Live TLS material: key and trust managers that swap certificates without rebuilding contexts, the
 * factories TLS stacks take, and PEM/PKCS#12 export.
 */
package io.oneca.core.tls;
