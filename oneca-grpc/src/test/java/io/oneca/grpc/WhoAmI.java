package io.oneca.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Grpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Test support: a one-method gRPC service without code generation. It answers with the serial
 * numbers of the certificates of the call's TLS session as the server sees it: the one it
 * presented and the client's.
 */
final class WhoAmI {
  /** The serials of one call's TLS session; {@code client} is null when the client presented none. */
  record Seen(BigInteger server, BigInteger client) {}

  static final MethodDescriptor<String, String> METHOD = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("oneca.test.WhoAmI", "Ask"))
      .setRequestMarshaller(new Utf8())
      .setResponseMarshaller(new Utf8())
      .build();

  private WhoAmI() {}

  static ServerServiceDefinition service() {
    ServerCallHandler<String, String> handler = (call, headers) -> {
      SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
      String answer = serial(session.getLocalCertificates()) + " " + peerSerial(session);
      return ServerCalls.<String, String>asyncUnaryCall((request, response) -> {
        response.onNext(answer);
        response.onCompleted();
      }).startCall(call, headers);
    };
    return ServerServiceDefinition.builder("oneca.test.WhoAmI").addMethod(METHOD, handler).build();
  }

  /** Calls the service with a 5 s deadline. */
  static Seen ask(Channel channel) {
    String answer = ClientCalls.blockingUnaryCall(channel, METHOD,
        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "who");
    String[] parts = answer.split(" ");
    return new Seen(new BigInteger(parts[0], 16), parts[1].equals("-") ? null : new BigInteger(parts[1], 16));
  }

  private static String peerSerial(SSLSession session) {
    try {
      return serial(session.getPeerCertificates());
    } catch (SSLPeerUnverifiedException none) {
      return "-";
    }
  }

  private static String serial(Certificate[] chain) {
    return ((X509Certificate) chain[0]).getSerialNumber().toString(16);
  }

  private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
