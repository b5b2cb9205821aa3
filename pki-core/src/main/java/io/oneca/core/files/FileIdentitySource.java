package io.oneca.core.files;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.Pem;
import io.oneca.core.internal.crypto.PemKeys;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.tls.ReloadingX509KeyManager;
import io.oneca.core.tls.ReloadingX509TrustManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a certificate, key and (optionally) CA bundle from PEM files and reloads them when their
 * content changes, whichever way they were replaced: a {@code ..data} symlink swap (Kubernetes,
 * {@link AtomicDirectoryWriter}) or an in-place rewrite that keeps the inode. Change is detected by
 * a SHA-256 of the bytes, never by modification time. A {@link WatchService} on the directory
 * triggers a check at once; a periodic check is the fallback for file systems where watching does
 * not work (network and overlay file systems, bind mounts).
 *
 * <p>The files are read again until two consecutive reads agree, so a check that runs while a writer
 * replaces them does not pair the old key with the new certificate. A pair that is still
 * inconsistent when it stops changing (a new certificate with the old key, half-written in place)
 * fails validation and is not served; the previous material stays until a consistent pair is
 * readable.
 */
public final class FileIdentitySource implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FileIdentitySource.class);
  /** Reads of the files in one check before giving up waiting for them to stop changing. */
  private static final int MAX_READS = 5;

  private final Path certificateFile;
  private final Path keyFile;
  private final Path trustFile;
  private final FileBytes files;
  private final ReloadingX509KeyManager keyManager = new ReloadingX509KeyManager();
  private final ReloadingX509TrustManager trustManager;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final AtomicLong reloads = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile byte[] appliedDigest;
  private volatile String lastProblem;
  private ScheduledFuture<?> poll;
  private WatchService watcher;
  private Thread watchThread;

  private FileIdentitySource(Builder builder) {
    this.certificateFile = builder.certificateFile.toAbsolutePath();
    this.keyFile = builder.keyFile.toAbsolutePath();
    this.trustFile = builder.trustFile == null ? null : builder.trustFile.toAbsolutePath();
    this.trustManager = trustFile == null ? null : new ReloadingX509TrustManager();
    this.files = builder.files;
    this.ownsScheduler = builder.scheduler == null;
    this.scheduler = ownsScheduler ? Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "oneca-files-" + certificateFile.getFileName());
      thread.setDaemon(true);
      return thread;
    }) : builder.scheduler;
  }

  /**
   * Starts configuring a source for a certificate chain file and its key file.
   *
   * @param certificateFile PEM certificates, leaf first
   * @param keyFile the leaf's PEM private key (PKCS#8 or traditional)
   */
  public static Builder builder(Path certificateFile, Path keyFile) {
    return new Builder(certificateFile, keyFile);
  }

  /**
   * Loads the files (they must be valid now) and starts watching and polling.
   *
   * @param pollInterval how often to compare content hashes
   * @param watch whether to use a {@link WatchService} as well
   * @throws InvalidRequestException if the files are missing or invalid at start
   */
  private FileIdentitySource start(Duration pollInterval, boolean watch) {
    String problem = check();
    if (appliedDigest == null) {
      close();
      throw new InvalidRequestException("files", problem == null ? "nothing loaded" : problem);
    }
    long millis = pollInterval.toMillis();
    poll = scheduler.scheduleWithFixedDelay(this::checkQuietly, millis, millis, TimeUnit.MILLISECONDS);
    if (watch) {
      startWatching();
    }
    return this;
  }

  /** Returns the key manager serving the files' key and certificate. */
  public ReloadingX509KeyManager keyManager() {
    return keyManager;
  }

  /** Returns the trust manager for the CA bundle file, if one was configured. */
  public Optional<ReloadingX509TrustManager> trustManager() {
    return Optional.ofNullable(trustManager);
  }

  /** Returns how many times new content was applied after the initial load. */
  public long reloads() {
    return reloads.get();
  }

  /** Returns how many checks found content that could not be applied. */
  public long failures() {
    return failures.get();
  }

  /** Returns the last reason content could not be applied, if the last check failed. */
  public Optional<String> lastProblem() {
    return Optional.ofNullable(lastProblem);
  }

  /**
   * Compares the files' content with what is served and applies it if it changed.
   *
   * @return {@code true} if new content was applied
   */
  public synchronized boolean checkNow() {
    byte[] before = appliedDigest;
    check();
    return before != null && appliedDigest != before;
  }

  @Override
  public synchronized void close() {
    if (poll != null) {
      poll.cancel(false);
    }
    if (watcher != null) {
      try {
        watcher.close();
      } catch (IOException e) {
        LOG.debug("Closing the watch service failed", e);
      }
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }

  private synchronized String check() {
    byte[][] contents;
    byte[] digest;
    try {
      contents = readAll();
      digest = digest(contents);
      for (int reads = 1; reads < MAX_READS; reads++) {
        if (appliedDigest != null && Arrays.equals(digest, appliedDigest)) {
          return null;
        }
        byte[][] again = readAll();
        byte[] againDigest = digest(again);
        boolean settled = Arrays.equals(digest, againDigest);
        contents = again;
        digest = againDigest;
        if (settled) {
          break;
        }
      }
    } catch (IOException e) {
      return failed("cannot read " + e.getMessage());
    }
    if (appliedDigest != null && Arrays.equals(digest, appliedDigest)) {
      return null;
    }
    byte[] certificateBytes = contents[0];
    byte[] keyBytes = contents[1];
    byte[] trustBytes = contents[2];
    try {
      List<X509Certificate> chain = Pem.decodeCertificates(new String(certificateBytes, StandardCharsets.US_ASCII));
      PrivateKey key = PemKeys.parsePrivateKey(new String(keyBytes, StandardCharsets.US_ASCII),
          Providers.bouncyCastle());
      List<X509Certificate> anchors = trustFile == null ? List.of()
          : Pem.decodeCertificates(new String(trustBytes, StandardCharsets.US_ASCII));
      keyManager.update(key, chain);
      if (trustManager != null) {
        trustManager.update(anchors);
      }
    } catch (InvalidRequestException e) {
      return failed(e.getMessage());
    }
    boolean initial = appliedDigest == null;
    appliedDigest = digest;
    lastProblem = null;
    if (!initial) {
      reloads.incrementAndGet();
      LOG.info("Reloaded TLS material from {} (alias {})", certificateFile, keyManager.currentAlias().orElse("?"));
    }
    return null;
  }

  private byte[][] readAll() throws IOException {
    return new byte[][] {files.read(certificateFile), files.read(keyFile),
        trustFile == null ? new byte[0] : files.read(trustFile)};
  }

  private String failed(String problem) {
    failures.incrementAndGet();
    lastProblem = problem;
    LOG.warn("Not reloading TLS material from {}: {}; still serving the previous material", certificateFile,
        problem);
    return problem;
  }

  private void checkQuietly() {
    try {
      check();
    } catch (RuntimeException e) {
      failed("unexpected " + e);
    }
  }

  private void startWatching() {
    try {
      watcher = FileSystems.getDefault().newWatchService();
      certificateFile.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
      if (!keyFile.getParent().equals(certificateFile.getParent())) {
        keyFile.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
      }
    } catch (IOException | UnsupportedOperationException e) {
      LOG.info("Watching {} is not possible ({}); relying on the periodic check", certificateFile.getParent(),
          e.toString());
      return;
    }
    watchThread = new Thread(this::watchLoop, "oneca-files-watch-" + certificateFile.getFileName());
    watchThread.setDaemon(true);
    watchThread.start();
  }

  private void watchLoop() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        key.pollEvents();
        key.reset();
        scheduler.execute(this::checkQuietly);
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("Scheduler stopped; watch loop ends");
    }
  }

  private static byte[] digest(byte[]... parts) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (byte[] part : parts) {
        digest.update(lengthPrefix(part.length));
        digest.update(part);
      }
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** Length prefixes keep ("ab","c") and ("a","bc") apart in the digest. */
  private static byte[] lengthPrefix(int length) {
    return new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
  }

  /** Configures a {@link FileIdentitySource}. */
  public static final class Builder {
    private final Path certificateFile;
    private final Path keyFile;
    private Path trustFile;
    private Duration pollInterval = Duration.ofSeconds(1);
    private boolean watch = true;
    private ScheduledExecutorService scheduler;
    private FileBytes files = FileBytes.DEFAULT;

    private Builder(Path certificateFile, Path keyFile) {
      this.certificateFile = Objects.requireNonNull(certificateFile, "certificateFile");
      this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
    }

    /** Also serves a trust manager for this PEM CA bundle; default: none. */
    public Builder trustFile(Path trustFile) {
      if (this.trustFile != null) {
        throw new IllegalStateException("trustFile was already set");
      }
      this.trustFile = Objects.requireNonNull(trustFile, "trustFile");
      return this;
    }

    /** Sets how often content hashes are compared; default 1 second; at least 10 ms. */
    public Builder pollInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.toMillis() < 10) {
        throw new IllegalArgumentException("pollInterval must be at least 10 ms, was " + interval);
      }
      this.pollInterval = interval;
      return this;
    }

    /** Turns the {@link WatchService} on or off; default on (the periodic check always runs). */
    public Builder watch(boolean watch) {
      this.watch = watch;
      return this;
    }

    /** Runs checks on this scheduler, which the caller owns; default: a daemon thread owned by the source. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      if (this.scheduler != null) {
        throw new IllegalStateException("scheduler was already set");
      }
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Replaces how files are read; for tests that change files between two reads. */
    Builder files(FileBytes files) {
      this.files = Objects.requireNonNull(files, "files");
      return this;
    }

    /**
     * Loads the files and starts following them.
     *
     * @throws InvalidRequestException if they are missing or invalid now
     */
    public FileIdentitySource start() {
      return new FileIdentitySource(this).start(pollInterval, watch);
    }
  }
}
