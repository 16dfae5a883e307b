package dev.atoll.shards;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One per-shard figure, read from any thread without a lock: a counter (only grows) or a gauge (a
 * level). The owning shard writes it with plain or opaque stores; {@link #read(int)} is an opaque load
 * of what it last published, so a scrape never waits for a shard and may be a little behind it.
 * {@link ShardMetrics}, and the actors' and io modules' own, list them; the Prometheus text
 * ({@link PrometheusText}) and the Micrometer binder ({@code atoll-micrometer}) expose them.
 *
 * @param name  a base name in Prometheus style, {@code atoll_shard_loop_iterations}: a counter's
 *              exposition appends {@code _total}
 * @param help  what it counts, one line
 * @param kind  counter or gauge
 * @param value the value on one shard
 */
public record Metric(String name, String help, Kind kind, PerShard value) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** Whether a figure only grows or goes up and down. */
    public enum Kind {
        /** Grows from zero while the shard runs (events counted). */
        COUNTER,
        /** A level at the moment of reading (queued, open, in use). */
        GAUGE
    }

    /** Reads the figure of one shard; any thread, lock-free. */
    @FunctionalInterface
    public interface PerShard {
        long read(int shard);
    }

    /** Checks the name (a Prometheus metric name, not ending in {@code _total}) and the help text (one line). */
    public Metric {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        if (!NAME.matcher(name).matches() || name.endsWith("_total")) {
            throw new IllegalArgumentException("a metric name: [a-zA-Z_][a-zA-Z0-9_]*, without _total: " + name);
        }
        if (help.indexOf('\n') >= 0 || help.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("a metric's help is one line without backslashes: " + help);
        }
    }

    /** The value on shard {@code shard}. */
    public long read(int shard) {
        return value.read(shard);
    }
}
