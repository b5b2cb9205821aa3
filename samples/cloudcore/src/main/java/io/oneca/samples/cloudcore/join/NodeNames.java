package io.oneca.samples.cloudcore.join;

import java.util.Objects;

/**
 * The syntax of an edge node's name: a lowercase DNS label, 1 to 63 characters of
 * {@code [a-z0-9-]}, starting and ending with a letter or digit ({@code edge-1}, {@code rack7}). The
 * name becomes the certificate's common name and its one DNS name, so it must be a valid label.
 */
public final class NodeNames {
  /** The longest node name: the DNS label limit. */
  public static final int MAX_LENGTH = 63;

  private NodeNames() {}

  /**
   * Returns whether {@code name} is a valid node name.
   *
   * @param name the candidate, may be {@code null}
   * @return {@code true} if it matches {@code [a-z0-9]([a-z0-9-]*[a-z0-9])?} and has 1 to 63 characters
   */
  public static boolean isValid(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      boolean edge = i == 0 || i == name.length() - 1;
      if (!alnum && (edge || c != '-')) {
        return false;
      }
    }
    return true;
  }

  /**
   * Checks a node name.
   *
   * @param name the name
   * @return the name
   * @throws IllegalArgumentException if it is not valid; the message quotes at most 63 characters
   */
  public static String require(String name) {
    Objects.requireNonNull(name, "nodeName");
    if (!isValid(name)) {
      String shown = name.length() > MAX_LENGTH ? name.substring(0, MAX_LENGTH) + "..." : name;
      throw new IllegalArgumentException("node name '" + shown + "' is not a lowercase DNS label of 1 to "
          + MAX_LENGTH + " characters ([a-z0-9]([a-z0-9-]*[a-z0-9])?)");
    }
    return name;
  }
}
