package io.oneca.samples.cloudcore.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The sample's one JSON mapper: compact output, and parsing that refuses duplicate keys. */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private Json() {}

  /**
   * Serializes a value (records, maps, lists) as UTF-8 JSON.
   *
   * @param value the value
   * @return its JSON bytes
   */
  public static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }

  /**
   * Serializes a value as a one-line JSON string.
   *
   * @param value the value
   * @return its JSON text
   */
  public static String text(Object value) {
    return new String(bytes(value), StandardCharsets.UTF_8);
  }

  /**
   * Parses JSON text into a tree.
   *
   * @param text the text
   * @return the tree
   * @throws IOException if it is not JSON
   */
  public static JsonNode tree(String text) throws IOException {
    return MAPPER.readTree(text);
  }

  /**
   * Parses JSON bytes into a tree.
   *
   * @param bytes the bytes
   * @return the tree
   * @throws IOException if it is not JSON
   */
  public static JsonNode tree(byte[] bytes) throws IOException {
    return MAPPER.readTree(bytes);
  }
}
