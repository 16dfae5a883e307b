package dev.atoll.shards;

import dev.atoll.shards.jfr.ShardStallEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A watchdog thread that reports a shard away from its loop longer than the threshold, with the
 * shard thread's stack. It samples each shard's iteration counter and sleeping flag, so shards pay
 * nothing per task; a shard asleep in its driver is idle, not stalled. One report per stall.
 *
 * <p>It samples four times per threshold while any shard is awake. While every shard sleeps it doubles
 * its period up to the threshold, so an idle server is not woken 8 times a second for nothing; a stall
 * that begins then is reported at most one threshold later than it would be under load.
 */
final class StallDetector implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StallDetector.class);

    private final Shard[] shards;
    private final long thresholdNanos;
    private final long[] lastIteration;
    private final long[] sinceNanos;
    private final boolean[] reported;
    private final Thread thread;
    private volatile boolean running = true;

    StallDetector(Shard[] shards, Duration threshold) {
        this.shards = shards;
        this.thresholdNanos = threshold.toNanos();
        this.lastIteration = new long[shards.length];
        this.sinceNanos = new long[shards.length];
        this.reported = new boolean[shards.length];
        this.thread = new Thread(this, "atoll-stall-detector");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        long busyPeriod = Math.max(1_000_000L, thresholdNanos / 4);
        long idlePeriod = Math.max(busyPeriod, thresholdNanos);
        long period = busyPeriod;
        long now = System.nanoTime();
        for (int i = 0; i < shards.length; i++) {
            lastIteration[i] = shards[i].stats.read(ShardStats.ITERATIONS);
            sinceNanos[i] = now;
        }
        while (running) {
            LockSupport.parkNanos(period);
            period = sample(System.nanoTime()) ? busyPeriod : Math.min(period * 2, idlePeriod);
        }
    }

    /** Checks every shard once; returns whether any shard was awake (running or stalled). */
    boolean sample(long now) {
        boolean anyAwake = false;
        for (int i = 0; i < shards.length; i++) {
            Shard shard = shards[i];
            long iteration = shard.stats.read(ShardStats.ITERATIONS);
            if (shard.hasExited()) {
                if (!reported[i] && shard.died()) {
                    reported[i] = true;   // ShardRuntime.shardDied said why; counted here as the stall it is
                    shard.stats.stalled();
                }
            } else if (shard.wake.isSleeping()) {
                lastIteration[i] = iteration;
                sinceNanos[i] = now;
                reported[i] = false;
            } else if (iteration != lastIteration[i]) {
                anyAwake = true;
                lastIteration[i] = iteration;
                sinceNanos[i] = now;
                reported[i] = false;
            } else if (!reported[i] && now - sinceNanos[i] > thresholdNanos) {
                anyAwake = true;
                reported[i] = true;
                shard.stats.stalled();
                long away = now - sinceNanos[i];
                ShardStallEvent.emit(i, away, () -> format(shard.thread().getStackTrace()));
                log.warn("shard {} has not returned to its loop for {} ms (threshold {} ms); its thread is at:{}",
                        i, (now - sinceNanos[i]) / 1_000_000, thresholdNanos / 1_000_000,
                        format(shard.thread().getStackTrace()));
            } else {
                anyAwake = true;   // in the same iteration since the last sample, not yet past the threshold
            }
        }
        return anyAwake;
    }

    static String format(StackTraceElement[] stack) {
        StringBuilder text = new StringBuilder();
        for (StackTraceElement frame : stack) {
            text.append(System.lineSeparator()).append("\tat ").append(frame);
        }
        return text.toString();
    }
}
