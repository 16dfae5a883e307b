package dev.atoll.examples.http;

import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
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

    private final Shard shard;
    private final int max;
    final long headerTimeoutNanos;
    final long bodyTimeoutNanos;
    final long keepAliveTimeoutNanos;
    /** A quarter of the shortest timeout, from 10 ms to 1 s. */
    private final long sweepNanos;
    private final Runnable sweep = this::sweep;
    private HttpConnection[] open = new HttpConnection[16];
    private int size;
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
        if (size < max) {
            return true;
        }
        refused++;
        long now = System.nanoTime();
        if (now - lastRefusalLogNanos >= LOG_INTERVAL_NANOS) {
            lastRefusalLogNanos = now;
            log.warn("shard {}: {} connections open (http.max-connections-per-shard); new ones are closed at once "
                    + "({} so far; logged at most once a minute)", shard.id(), size, refused);
        }
        return false;
    }

    void add(HttpConnection connection) {
        if (size == open.length) {
            open = Arrays.copyOf(open, size * 2);
        }
        connection.listIndex = size;
        open[size++] = connection;
        if (!sweeping) {
            sweeping = true;
            shard.scheduleAt(System.nanoTime() + sweepNanos, sweep);
        }
    }

    void remove(HttpConnection connection) {
        int i = connection.listIndex;
        if (i < 0) {
            return;
        }
        HttpConnection last = open[--size];
        open[i] = last;
        last.listIndex = i;
        open[size] = null;
        connection.listIndex = -1;
    }

    /** Closes the connections past their deadline; runs again while any is open. */
    private void sweep() {
        long now = System.nanoTime();
        for (int i = size - 1; i >= 0; i--) {
            // Closing removes the connection: the last one, already looked at, moves to its place.
            if (i < size && open[i].deadlineNanos - now < 0) {
                open[i].timedOut();
            }
        }
        if (size > 0) {
            shard.scheduleAt(now + sweepNanos, sweep);
        } else {
            sweeping = false;
        }
    }
}
