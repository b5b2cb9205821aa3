package io.oneca.api.store.spi;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.store.VersionedStore;
import java.net.URI;

/**
 * Opens a {@link VersionedStore} from a URI with one scheme ({@code etcd}, {@code zk}, {@code k8s},
 * {@code file}). Backends register an implementation with {@link java.util.ServiceLoader} (a
 * {@code provides} clause or a {@code META-INF/services} entry) so that operators, samples and the
 * CLI choose a store by a single string instead of by code.
 *
 * <p>Each provider documents its URI syntax: which part names the endpoints, which the key prefix
 * or namespace, and which query parameters carry timeouts, TLS files and credentials. Credentials
 * should be given as paths to files, never inline, so that URIs can be logged.
 */
public interface StoreProvider {

  /**
   * Returns the URI scheme this provider opens, lower case, for example {@code etcd}.
   *
   * @return the scheme, never {@code null}
   */
  String scheme();

  /**
   * Opens a store. The caller owns the returned store and closes it.
   *
   * @param uri a URI whose scheme equals {@link #scheme()}
   * @return an open store
   * @throws InvalidRequestException if the URI is malformed or names an unknown parameter; the field
   *     is {@code uri} and the message never repeats a credential
   */
  VersionedStore open(URI uri);
}
