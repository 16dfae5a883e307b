package dev.atoll.benchmarks;

import dev.atoll.config.AtollConfig;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Cross-shard wake latency: shard 0 sends a message stamped with {@link System#nanoTime()} to shard 1,
 * which is asleep in its driver (it has nothing else to do and does not spin), and records the time
 * from the stamp to the message running. Samples are {@code pause} apart, so the receiver falls asleep
 * again before each one; shard 0 counts the wake system calls it made, which shows that it did.
 */
final class WakeLatency implements AutoCloseable {
    private final String impl;
    private final ShardRuntime shards;
    private final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private long samples;
    private long wakes;

    /** Starts two shards configured by {@code config} (which should not let them spin before sleeping). */
    WakeLatency(String impl, AtollConfig config) {
        this.impl = impl;
        this.shards = ShardRuntime.start(config);
        if (shards.shardCount() != 2) {
            shards.close();
            throw new IllegalArgumentException("the wake latency needs 2 shards, not " + shards.shardCount());
        }
    }

    String impl() {
        return impl;
    }

    ShardRuntime shards() {
        return shards;
    }

    /** Takes {@code count} more samples, {@code pause} apart. */
    void sample(int count, Duration pause) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long wakesBefore = shards.submit(0, () -> Shard.current().stats().wakesSent()).join();
        shards.execute(0, new Runnable() {
            private int sent;

            @Override
            public void run() {
                Shard here = Shard.current();
                long stamp = System.nanoTime();
                boolean last = ++sent == count;
                here.send(1, () -> {
                    histogram.recordValue(System.nanoTime() - stamp); // shard 1 alone records
                    if (last) {
                        done.complete(null);
                    }
                });
                if (!last) {
                    here.schedule(pause, this);
                }
            }
        });
        done.orTimeout(10, TimeUnit.MINUTES).join();
        // Read on shard 0 itself, after its last wake: exact.
        wakes += shards.submit(0, () -> Shard.current().stats().wakesSent()).join() - wakesBefore;
        samples += count;
    }

    /** The latency at {@code percentile}, in microseconds. */
    double micros(double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }

    /** Wake system calls per sample: 1 when the receiver was asleep every time. */
    double wakesPerSample() {
        return (double) wakes / samples;
    }

    @Override
    public void close() {
        shards.close();
    }
}
