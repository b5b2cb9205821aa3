package io.oneca.samples.cloudcore.server;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Counters of one replica's hub: open streams, events sent, renewals, pings. Thread-safe. */
public final class HubStats {
  final AtomicInteger openStreams = new AtomicInteger();
  final AtomicLong streamsOpened = new AtomicLong();
  final AtomicLong bundleEvents = new AtomicLong();
  final AtomicLong renewNotices = new AtomicLong();
  final AtomicLong renewals = new AtomicLong();
  final AtomicLong renewalRejections = new AtomicLong();
  final AtomicLong pings = new AtomicLong();

  /** Returns the number of hub streams open now. */
  public int openStreams() {
    return openStreams.get();
  }

  /** Returns the number of hub streams opened since start. */
  public long streamsOpened() {
    return streamsOpened.get();
  }

  /** Returns the number of bundle events written to streams. */
  public long bundleEvents() {
    return bundleEvents.get();
  }

  /** Returns the number of renewal notices written to streams. */
  public long renewNotices() {
    return renewNotices.get();
  }

  /** Returns the number of edge certificates renewed through the hub. */
  public long renewals() {
    return renewals.get();
  }

  /** Returns the number of renewal requests refused. */
  public long renewalRejections() {
    return renewalRejections.get();
  }

  /** Returns the number of pings answered. */
  public long pings() {
    return pings.get();
  }
}
