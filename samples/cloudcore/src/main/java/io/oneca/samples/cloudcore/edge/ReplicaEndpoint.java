package io.oneca.samples.cloudcore.edge;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where an edge finds one cloud replica.
 *
 * @param name the replica's name (for status and logs)
 * @param publicAddress the HTTPS listener that takes joins
 * @param hubAddress the mTLS hub listener
 */
public record ReplicaEndpoint(String name, InetSocketAddress publicAddress, InetSocketAddress hubAddress) {

  /** Validates presence. */
  public ReplicaEndpoint {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(publicAddress, "publicAddress");
    Objects.requireNonNull(hubAddress, "hubAddress");
  }

  /**
   * Parses {@code name=host:publicPort:hubPort}.
   *
   * @param text the text
   * @return the endpoint
   * @throws IllegalArgumentException if it does not have that form
   */
  public static ReplicaEndpoint parse(String text) {
    String[] nameRest = text.split("=", 2);
    String[] parts = nameRest.length == 2 ? nameRest[1].split(":") : new String[0];
    if (parts.length != 3) {
      throw new IllegalArgumentException("expected name=host:publicPort:hubPort, was " + text);
    }
    try {
      return new ReplicaEndpoint(nameRest[0], new InetSocketAddress(parts[0], Integer.parseInt(parts[1])),
          new InetSocketAddress(parts[0], Integer.parseInt(parts[2])));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected name=host:publicPort:hubPort, was " + text, e);
    }
  }

  @Override
  public String toString() {
    return name + "=" + publicAddress.getHostString() + ":" + publicAddress.getPort() + ":" + hubAddress.getPort();
  }
}
