package io.oneca.samples.cloudcore.join;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mints and verifies join tokens: bootstrap credentials that admit one named node until they
 * expire, signed with HMAC-SHA256 under a key every replica shares (so any replica verifies a
 * token any other minted), and revocable by id through {@link TokenRevocations}.
 *
 * <p>Format, version 1: {@code oneca1.<payload>.<mac>}, both parts unpadded base64url; the payload
 * is the ASCII text {@code <id>:<node>:<expiry epoch second>} and the MAC is HMAC-SHA256 over the
 * ASCII text {@code oneca1.<payload>}. A token is at most {@value #MAX_LENGTH} characters. Parsing
 * is strict: one encoding of each value only, and the MAC is compared in constant time before
 * anything in the payload is believed. Rotating the key invalidates every outstanding token.
 *
 * <p>A token is a bearer secret: it is never logged, stored or echoed; {@link JoinToken#id()}
 * names it instead. Thread-safe.
 */
public final class JoinTokens {
  /** The longest string {@link #verify} looks at; anything longer is malformed. */
  public static final int MAX_LENGTH = 256;
  /** The shortest key accepted: 256 bits. */
  public static final int MIN_KEY_BYTES = 32;
  /** The longest token lifetime {@link #mint} accepts. */
  public static final Duration MAX_TTL = Duration.ofDays(366);

  private static final String PREFIX = "oneca1.";
  private static final String MAC_ALGORITHM = "HmacSHA256";
  private static final int MAC_BYTES = 32;
  private static final int MAX_KEY_FILE_BYTES = 4096;
  private static final Logger LOG = LoggerFactory.getLogger(JoinTokens.class);
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final SecretKeySpec key;
  private final SecureRandom random;

  private JoinTokens(byte[] key, SecureRandom random) {
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException("join token key must have at least " + MIN_KEY_BYTES + " bytes, got " + key.length);
    }
    this.key = new SecretKeySpec(key, MAC_ALGORITHM);
    this.random = random;
  }

  /**
   * Creates a minter and verifier from raw key bytes.
   *
   * @param key at least {@value #MIN_KEY_BYTES} random bytes (copied; the caller may zero its array)
   * @return the tokens
   * @throws IllegalArgumentException if the key is too short
   */
  public static JoinTokens fromKey(byte[] key) {
    return new JoinTokens(Objects.requireNonNull(key, "key"), new SecureRandom());
  }

  /**
   * Reads a key file: base64 (standard alphabet) of at least {@value #MIN_KEY_BYTES} random bytes,
   * surrounding whitespace ignored. Warns in the log when the file is readable by group or others.
   *
   * @param file the key file
   * @return the tokens
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if the content is not base64 of a long enough key; the message
   *     names the file, never its content
   */
  public static JoinTokens fromKeyFile(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    long size = Files.size(file);
    if (size > MAX_KEY_FILE_BYTES) {
      throw new IllegalArgumentException("join token key file " + file + " has " + size + " bytes; a key file has at most "
          + MAX_KEY_FILE_BYTES);
    }
    warnIfShared(file);
    byte[] content = Files.readAllBytes(file);
    byte[] key = null;
    try {
      key = Base64.getDecoder().decode(new String(content, StandardCharsets.US_ASCII).strip());
      if (key.length < MIN_KEY_BYTES) {
        throw new IllegalArgumentException("join token key file " + file + " holds " + key.length
            + " bytes; at least " + MIN_KEY_BYTES + " random bytes are needed");
      }
      return fromKey(key);
    } catch (IllegalArgumentException e) {
      if (key == null) {
        throw new IllegalArgumentException("join token key file " + file + " is not base64 text");
      }
      throw e;
    } finally {
      Arrays.fill(content, (byte) 0);
      if (key != null) {
        Arrays.fill(key, (byte) 0);
      }
    }
  }

  /**
   * Creates a key file holding base64 of {@value #MIN_KEY_BYTES} fresh random bytes, with mode
   * {@code 0600} where the file system has POSIX permissions, and returns the tokens for it. For
   * demos and tests; production keys come from a secret manager.
   *
   * @param file the file to create; it must not exist (an existing key is never overwritten)
   * @return the tokens for the new key
   * @throws java.nio.file.FileAlreadyExistsException if the file exists
   * @throws IOException if it cannot be written
   */
  public static JoinTokens generateKeyFile(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    byte[] key = new byte[MIN_KEY_BYTES];
    new SecureRandom().nextBytes(key);
    byte[] encoded = (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII);
    FileAttribute<?>[] attributes = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
    try (FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        attributes)) {
      channel.write(ByteBuffer.wrap(encoded));
      channel.force(true);
      return fromKey(key);
    } finally {
      Arrays.fill(key, (byte) 0);
      Arrays.fill(encoded, (byte) 0);
    }
  }

  /**
   * Mints a token for one node.
   *
   * @param nodeName the node it admits (see {@link NodeNames})
   * @param ttl how long it is valid: 1 second to {@link #MAX_TTL}; the expiry is truncated to the second
   * @param now the current time
   * @return the token: a secret, hand it to the node only
   * @throws IllegalArgumentException if the name or the lifetime is invalid
   */
  public String mint(String nodeName, Duration ttl, Instant now) {
    NodeNames.require(nodeName);
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(now, "now");
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("token ttl must be 1 s to " + MAX_TTL.toDays() + " days, was " + ttl);
    }
    byte[] idBytes = new byte[JoinToken.ID_LENGTH / 2];
    random.nextBytes(idBytes);
    long expiry = now.plus(ttl).getEpochSecond();
    String payload = HexFormat.of().formatHex(idBytes) + ":" + nodeName + ":" + expiry;
    String signed = PREFIX + B64.encodeToString(payload.getBytes(StandardCharsets.US_ASCII));
    return signed + "." + B64.encodeToString(mac(signed));
  }

  /**
   * Verifies a token: syntax, signature, then expiry. Revocation is checked separately
   * ({@link TokenRevocations#isRevoked}).
   *
   * @param token the presented token
   * @param now the current time
   * @return what the token says
   * @throws JoinRejection {@link JoinError#TOKEN_MALFORMED}, {@link JoinError#TOKEN_INVALID} or
   *     {@link JoinError#TOKEN_EXPIRED}; messages never quote the token
   */
  public JoinToken verify(String token, Instant now) {
    Objects.requireNonNull(now, "now");
    return requireUnexpired(authenticate(token), now);
  }

  /** Checks syntax and signature only: the content is authentic, but may have expired. */
  JoinToken authenticate(String token) {
    if (token == null || token.length() > MAX_LENGTH || !token.startsWith(PREFIX)) {
      throw malformed("the token is not a version 1 join token (oneca1.<payload>.<mac>)");
    }
    int dot = token.indexOf('.', PREFIX.length());
    if (dot < 0 || token.indexOf('.', dot + 1) >= 0) {
      throw malformed("the token must have exactly three dot-separated parts");
    }
    String signed = token.substring(0, dot);
    byte[] payload = decode(signed.substring(PREFIX.length()));
    byte[] presentedMac = decode(token.substring(dot + 1));
    if (presentedMac.length != MAC_BYTES) {
      throw malformed("the token's signature has the wrong length");
    }
    if (!MessageDigest.isEqual(mac(signed), presentedMac)) {
      throw new JoinRejection(JoinError.TOKEN_INVALID, "the token's signature does not verify: it was not minted "
          + "by this cluster or it was altered");
    }
    return parsePayload(new String(payload, StandardCharsets.US_ASCII));
  }

  /** Returns the token if it has not expired at {@code now}. */
  static JoinToken requireUnexpired(JoinToken token, Instant now) {
    if (!now.isBefore(token.expiresAt())) {
      throw new JoinRejection(JoinError.TOKEN_EXPIRED, "the join token " + token.id() + " expired at "
          + token.expiresAt() + "; ask for a new one");
    }
    return token;
  }

  @Override
  public String toString() {
    return "JoinTokens[HMAC-SHA256, key redacted]";
  }

  private byte[] mac(String signed) {
    try {
      Mac mac = Mac.getInstance(MAC_ALGORITHM);
      mac.init(key);
      return mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(MAC_ALGORITHM + " is not available in this JDK", e);
    }
  }

  /** Decodes unpadded base64url, accepting only the one canonical encoding of each byte string. */
  private static byte[] decode(String part) {
    if (part.isEmpty()) {
      throw malformed("the token has an empty part");
    }
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        throw malformed("the token holds a character outside unpadded base64url");
      }
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(part);
    } catch (IllegalArgumentException e) {
      throw malformed("the token is not valid base64url");
    }
    if (!B64.encodeToString(bytes).equals(part)) {
      throw malformed("the token is not in canonical base64url");
    }
    return bytes;
  }

  /** Parses {@code <id>:<node>:<expiry>}; reached only for payloads this key signed. */
  private static JoinToken parsePayload(String payload) {
    String[] parts = payload.split(":", -1);
    if (parts.length != 3 || !JoinToken.isValidId(parts[0]) || !NodeNames.isValid(parts[1])
        || !isCanonicalEpochSecond(parts[2])) {
      throw malformed("the token's payload is not id:node:expiry");
    }
    return new JoinToken(parts[0], parts[1], Instant.ofEpochSecond(Long.parseLong(parts[2])));
  }

  private static boolean isCanonicalEpochSecond(String text) {
    if (text.isEmpty() || text.length() > 12 || (text.length() > 1 && text.charAt(0) == '0')) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static JoinRejection malformed(String message) {
    return new JoinRejection(JoinError.TOKEN_MALFORMED, message);
  }

  private static void warnIfShared(Path file) {
    try {
      if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        permissions.retainAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE));
        if (!permissions.isEmpty()) {
          LOG.warn("Join token key file {} is accessible to group or others ({}); restrict it to mode 0600", file,
              permissions);
        }
      }
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("Could not check the permissions of {}", file, e);
    }
  }
}
