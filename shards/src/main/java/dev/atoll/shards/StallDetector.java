package dev.atoll.shards;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A watchdog thread that reports a shard away from its loop longer than the threshold, with the
 * shard thread's stack. It samples each shard's iteration counter and sleeping flag, so shards pay
 * nothing per task; a shard asleep in its driver is idle, not stalled. One report per stall.
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
        long period = Math.max(1_000_000L, thresholdNanos / 4);
        long now = System.nanoTime();
        for (int i = 0; i < shards.length; i++) {
            lastIteration[i] = shards[i].stats.read(ShardStats.ITERATIONS);
            sinceNanos[i] = now;
        }
        while (running) {
            LockSupport.parkNanos(period);
            sample(System.nanoTime());
        }
    }

    void sample(long now) {
        for (int i = 0; i < shards.length; i++) {
            Shard shard = shards[i];
            long iteration = shard.stats.read(ShardStats.ITERATIONS);
            if (shard.hasExited()) {
                if (!reported[i] && shard.died()) {
                    reported[i] = true;   // ShardRuntime.shardDied said why; counted here as the stall it is
                    shard.stats.stalled();
                }
            } else if (iteration != lastIteration[i] || shard.wake.isSleeping()) {
                lastIteration[i] = iteration;
                sinceNanos[i] = now;
                reported[i] = false;
            } else if (!reported[i] && now - sinceNanos[i] > thresholdNanos) {
                reported[i] = true;
                shard.stats.stalled();
                log.warn("shard {} has not returned to its loop for {} ms (threshold {} ms); its thread is at:{}",
                        i, (now - sinceNanos[i]) / 1_000_000, thresholdNanos / 1_000_000,
                        format(shard.thread().getStackTrace()));
            }
        }
    }

    static String format(StackTraceElement[] stack) {
        StringBuilder text = new StringBuilder();
        for (StackTraceElement frame : stack) {
            text.append(System.lineSeparator()).append("\tat ").append(frame);
        }
        return text.toString();
    }
}
