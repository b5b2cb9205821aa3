package io.oneca.api;

/**
 * What a leaf certificate may be used for; sets its key usage and extended key usage. OneCA never
 * issues a CA certificate through a profile.
 */
public enum CertificateProfile {
  /** TLS server: extended key usage serverAuth. */
  SERVER(true, false),
  /** TLS client: extended key usage clientAuth. */
  CLIENT(false, true),
  /** Both sides of mutual TLS, as a replica talking to its peers needs: serverAuth and clientAuth. */
  SERVER_AND_CLIENT(true, true);

  private final boolean server;
  private final boolean client;

  CertificateProfile(boolean server, boolean client) {
    this.server = server;
    this.client = client;
  }

  /** Returns whether certificates of this profile carry the serverAuth extended key usage. */
  public boolean server() {
    return server;
  }

  /** Returns whether certificates of this profile carry the clientAuth extended key usage. */
  public boolean client() {
    return client;
  }
}
