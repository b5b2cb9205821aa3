/** OkHttp clients that present and trust OneCA identities: start with {@link io.oneca.okhttp.OneCaOkHttp}. */
package io.oneca.okhttp;
