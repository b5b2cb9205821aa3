package io.oneca.samples.cloudcore.join;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The body of {@code POST /v1/join}: {@code {"token": "<join token>", "csr": "<PEM CERTIFICATE REQUEST>"}}.
 *
 * <p>{@link #parse} is strict, because this is the one input an unauthenticated client controls:
 * UTF-8 only (a byte-order mark or any invalid sequence is refused), exactly one JSON object with
 * exactly the two string fields, each once (a duplicate key is refused, not "last one wins"),
 * nothing after the object. <b>Unknown fields are rejected</b> ({@link JoinError#UNKNOWN_FIELD}):
 * a client that sends something this version would silently ignore (say, a future
 * {@code "sans"} field) learns it at once instead of getting a certificate other than it asked for;
 * a new protocol version gets a new path ({@code /v2/join}). Limits: {@value #MAX_BODY_BYTES}
 * bytes in all, a token of at most {@value JoinTokens#MAX_LENGTH} characters, a CSR of at most
 * {@value #MAX_CSR_CHARS} characters.
 *
 * @param token the join token; a secret, never shown by {@link #toString()}
 * @param csrPem the PEM text of the PKCS#10 request
 */
public record JoinRequest(String token, String csrPem) {
  /** The largest body {@link #parse} reads. */
  public static final int MAX_BODY_BYTES = 64 * 1024;
  /** The longest CSR accepted: far above an RSA-4096 request with a few extensions. */
  public static final int MAX_CSR_CHARS = 12 * 1024;

  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(4)
          .maxStringLength(MAX_CSR_CHARS + 1)
          .maxNumberLength(32)
          .maxNameLength(64)
          .maxDocumentLength(MAX_BODY_BYTES)
          .build())
      .build();

  /** Checks both fields are present. */
  public JoinRequest {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(csrPem, "csrPem");
  }

  /**
   * Parses a request body.
   *
   * @param body the raw bytes
   * @return the request
   * @throws JoinRejection {@link JoinError#BODY_TOO_LARGE}, {@link JoinError#MALFORMED_REQUEST} or
   *     {@link JoinError#UNKNOWN_FIELD}; the message names the problem, never the values
   */
  public static JoinRequest parse(byte[] body) {
    Objects.requireNonNull(body, "body");
    if (body.length > MAX_BODY_BYTES) {
      throw new JoinRejection(JoinError.BODY_TOO_LARGE, "the body has more than " + MAX_BODY_BYTES + " bytes");
    }
    String text = utf8(body);
    String token = null;
    String csr = null;
    try (JsonParser parser = JSON.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw malformed("the body must be a JSON object");
      }
      for (JsonToken next = parser.nextToken(); next != JsonToken.END_OBJECT; next = parser.nextToken()) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (name) {
          case "token":
            token = string(parser, value, name, JoinTokens.MAX_LENGTH);
            break;
          case "csr":
            csr = string(parser, value, name, MAX_CSR_CHARS);
            break;
          default:
            throw new JoinRejection(JoinError.UNKNOWN_FIELD, "unknown field '" + printable(name)
                + "'; a join request has exactly the fields \"token\" and \"csr\"");
        }
      }
      if (parser.nextToken() != null) {
        throw malformed("the body holds something after the JSON object");
      }
    } catch (JsonProcessingException e) {
      // Jackson's own message may quote the input (a token), so only the position is reported.
      throw malformed("the body is not valid JSON (at line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
          + ", column " + (e.getLocation() == null ? "?" : e.getLocation().getColumnNr()) + ")");
    } catch (IOException e) {
      throw malformed("the body could not be read as JSON");
    }
    if (token == null || csr == null) {
      throw malformed("the field \"" + (token == null ? "token" : "csr") + "\" is missing");
    }
    return new JoinRequest(token, csr);
  }

  /** Never shows the token. */
  @Override
  public String toString() {
    return "JoinRequest[token=<redacted>, csr=" + csrPem.length() + " chars]";
  }

  private static String string(JsonParser parser, JsonToken value, String name, int maxChars) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      throw malformed("the field \"" + name + "\" must be a string");
    }
    String text = parser.getText();
    if (text.isEmpty() || text.length() > maxChars) {
      throw malformed("the field \"" + name + "\" must have 1 to " + maxChars + " characters, had " + text.length());
    }
    return text;
  }

  private static String utf8(byte[] body) {
    if (body.length >= 3 && (body[0] & 0xff) == 0xef && (body[1] & 0xff) == 0xbb && (body[2] & 0xff) == 0xbf) {
      throw malformed("the body starts with a byte-order mark; send plain UTF-8");
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body))
          .toString();
    } catch (CharacterCodingException e) {
      throw malformed("the body is not valid UTF-8");
    }
  }

  /** A field name for a message: at most 32 characters, printable ASCII only. */
  private static String printable(String name) {
    StringBuilder shown = new StringBuilder();
    for (int i = 0; i < name.length() && shown.length() < 32; i++) {
      char c = name.charAt(i);
      shown.append(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
    }
    return name.length() > 32 ? shown + "..." : shown.toString();
  }

  private static JoinRejection malformed(String message) {
    return new JoinRejection(JoinError.MALFORMED_REQUEST, message);
  }
}
