package dev.atoll.examples.http;

import dev.atoll.examples.SwapList;
import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * One shard's open HTTP connections. It admits a new connection only below
 * {@code http.max-connections-per-shard}, and closes every connection whose deadline (header, body
 * or keep-alive timeout, kept by the connection as one {@code long}) has passed. One timer per shard
 * checks the deadlines every {@link #sweepNanos} while connections are open, so a request arms
 * nothing and allocates nothing for its timeouts; a connection is closed within one sweep period
 * after its deadline. This shard's thread only.
 */
final class HttpConnections {
    private static final Logger log = LoggerFactory.getLogger(HttpConnections.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final long MIN_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Bytes of the receive buffers a parser copies and scans at a time: one array for the shard's parsers. */
    private static final int PARSE_SCRATCH_BYTES = 16 * 1024;

    private final Shard shard;
    private final int max;
    /** The scratch array of every parser of this shard ({@link HttpRequestParser#HttpRequestParser(HttpLimits, java.util.List, byte[])}). */
    final byte[] parseScratch = new byte[PARSE_SCRATCH_BYTES];
    final long headerTimeoutNanos;
    final long bodyTimeoutNanos;
    final long keepAliveTimeoutNanos;
    /** A quarter of the shortest timeout, from 10 ms to 1 s. */
    private final long sweepNanos;
    private final Runnable sweep = this::sweep;
    private final SwapList<HttpConnection> open = new SwapList<>();
    private boolean sweeping;
    private long refused;
    private long lastRefusalLogNanos;

    HttpConnections(Shard shard, HttpSettings settings) {
        this.shard = shard;
        this.max = settings.maxConnectionsPerShard();
        this.headerTimeoutNanos = settings.headerTimeout().toNanos();
        this.bodyTimeoutNanos = settings.bodyTimeout().toNanos();
        this.keepAliveTimeoutNanos = settings.keepAliveTimeout().toNanos();
        long shortest = Math.min(headerTimeoutNanos, Math.min(bodyTimeoutNanos, keepAliveTimeoutNanos));
        this.sweepNanos = Math.clamp(shortest / 4, MIN_SWEEP_NANOS, MAX_SWEEP_NANOS);
        this.lastRefusalLogNanos = System.nanoTime() - LOG_INTERVAL_NANOS;
    }

    /** True when one more connection may open; otherwise counts and (at most once a minute) logs the refusal. */
    boolean admit() {
        if (open.size() < max) {
            return true;
        }
        refused++;
        long now = System.nanoTime();
        if (now - lastRefusalLogNanos >= LOG_INTERVAL_NANOS) {
            lastRefusalLogNanos = now;
            log.warn("shard {}: {} connections open (http.max-connections-per-shard); new ones are closed at once "
                    + "({} so far; logged at most once a minute)", shard.id(), open.size(), refused);
        }
        return false;
    }

    void add(HttpConnection connection) {
        open.add(connection);
        if (!sweeping) {
            sweeping = true;
            shard.scheduleAt(System.nanoTime() + sweepNanos, sweep);
        }
    }

    void remove(HttpConnection connection) {
        open.remove(connection);
    }

    /** Closes the connections past their deadline; runs again while any is open. */
    private void sweep() {
        long now = System.nanoTime();
        open.forEach(c -> {
            if (c.deadlineNanos - now < 0) {
                c.timedOut();   // closing removes it from the list
            }
        });
        if (open.size() > 0) {
            shard.scheduleAt(now + sweepNanos, sweep);
        } else {
            sweeping = false;
        }
    }
}
