package io.oneca.core.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server socket that accepts plain TCP connections and layers each over the JDK context of the
 * managers' revision current at accept time, with this socket's parameters. A JDK server socket is
 * tied to one context for its life, so its session tickets would outlive every renewal.
 */
final class RevisionedServerSocket extends SSLServerSocket {
  private final RevisionedSslContextSpi spi;
  private SSLParameters parameters;
  private boolean useClientMode;
  private boolean enableSessionCreation = true;

  RevisionedServerSocket(RevisionedSslContextSpi spi) throws IOException {
    this.spi = spi;
    this.parameters = spi.defaults(spi.context().getDefaultSSLParameters());
  }

  RevisionedServerSocket(RevisionedSslContextSpi spi, int port, int backlog, InetAddress address) throws IOException {
    super(port, backlog, address);
    this.spi = spi;
    this.parameters = spi.defaults(spi.context().getDefaultSSLParameters());
  }

  @Override
  public Socket accept() throws IOException {
    Socket plain = super.accept();
    try {
      SSLSocket tls = (SSLSocket) spi.context().getSocketFactory().createSocket(plain, null, true);
      synchronized (this) {
        tls.setSSLParameters(parameters);
        tls.setUseClientMode(useClientMode);
        tls.setEnableSessionCreation(enableSessionCreation);
      }
      return tls;
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  @Override
  public synchronized SSLParameters getSSLParameters() {
    return copy(parameters, spi.context().getDefaultSSLParameters());
  }

  @Override
  public synchronized void setSSLParameters(SSLParameters parameters) {
    this.parameters = copy(parameters, spi.context().getDefaultSSLParameters());
  }

  private static SSLParameters copy(SSLParameters from, SSLParameters into) {
    into.setCipherSuites(from.getCipherSuites());
    into.setProtocols(from.getProtocols());
    if (from.getNeedClientAuth()) {
      into.setNeedClientAuth(true);
    } else {
      into.setWantClientAuth(from.getWantClientAuth());
    }
    into.setUseCipherSuitesOrder(from.getUseCipherSuitesOrder());
    into.setApplicationProtocols(from.getApplicationProtocols());
    into.setEndpointIdentificationAlgorithm(from.getEndpointIdentificationAlgorithm());
    into.setAlgorithmConstraints(from.getAlgorithmConstraints());
    if (from.getSNIMatchers() != null) {
      into.setSNIMatchers(from.getSNIMatchers());
    }
    if (from.getServerNames() != null) {
      into.setServerNames(from.getServerNames());
    }
    return into;
  }

  @Override
  public synchronized String[] getEnabledCipherSuites() {
    return parameters.getCipherSuites();
  }

  @Override
  public synchronized void setEnabledCipherSuites(String[] suites) {
    parameters.setCipherSuites(suites);
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return spi.context().getSupportedSSLParameters().getCipherSuites();
  }

  @Override
  public String[] getSupportedProtocols() {
    return spi.context().getSupportedSSLParameters().getProtocols();
  }

  @Override
  public synchronized String[] getEnabledProtocols() {
    return parameters.getProtocols();
  }

  @Override
  public synchronized void setEnabledProtocols(String[] protocols) {
    parameters.setProtocols(protocols);
  }

  @Override
  public synchronized void setNeedClientAuth(boolean need) {
    parameters.setNeedClientAuth(need);
  }

  @Override
  public synchronized boolean getNeedClientAuth() {
    return parameters.getNeedClientAuth();
  }

  @Override
  public synchronized void setWantClientAuth(boolean want) {
    parameters.setWantClientAuth(want);
  }

  @Override
  public synchronized boolean getWantClientAuth() {
    return parameters.getWantClientAuth();
  }

  @Override
  public synchronized void setUseClientMode(boolean mode) {
    this.useClientMode = mode;
  }

  @Override
  public synchronized boolean getUseClientMode() {
    return useClientMode;
  }

  @Override
  public synchronized void setEnableSessionCreation(boolean flag) {
    this.enableSessionCreation = flag;
  }

  @Override
  public synchronized boolean getEnableSessionCreation() {
    return enableSessionCreation;
  }

  @Override
  public String toString() {
    return "OneCA TLS server socket " + super.toString();
  }
}
