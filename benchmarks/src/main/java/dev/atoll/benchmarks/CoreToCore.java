package dev.atoll.benchmarks;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.ConfigSources;
import dev.atoll.shards.ShardRuntime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The machine's price of a message between two shards' CPUs before any software: shard 0 and shard 1
 * bounce one counter in a cache line of its own (shard 0 stores an odd value, shard 1 answers with the
 * next even one), so each round trip moves the line to the other core and back. Every cross-shard
 * message pays some of these transfers (its slot in the mesh queue, the message object, the queue's
 * indexes), so when this figure changes (on this project's machine it is either ~50-60 ns or ~370-450 ns,
 * switching within seconds as the host moves the virtual CPUs) every two-shard result moves with it;
 * the benchmarks print it beside them.
 *
 * <p>It runs as one task on each shard, both spinning for at most {@code budget} (a little more for
 * the answering side, which stops when the asking side says so or at its own deadline), so the shards
 * do nothing else meanwhile: call it between measured rounds only.
 */
final class CoreToCore {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    /** The bounced counter's index: 128 bytes of array on each side of it, so no other object shares its line. */
    private static final int COUNTER = 16;
    /** Set by the answering side once it listens, on a line of its own too. */
    private static final int READY = 2 * COUNTER;
    private static final long STOP = -1;
    /** Round trips between two looks at the clock: a window. */
    private static final int CLOCK_EVERY = 256;
    private static final int MAX_WINDOWS = 1 << 16;

    private CoreToCore() {
    }

    /**
     * The round trip between the CPUs of a two-shard runtime started for it (placed as any runtime's
     * shards 0 and 1), for benchmarks whose servers run in other processes.
     */
    static double roundTripNanos(Duration budget) {
        try (ShardRuntime shards = ShardRuntime.start(AtollConfig.load(ConfigSources.none()
                .withOption("atoll.shards.count", "2", "core-to-core probe")))) {
            return roundTripNanos(shards, budget);
        }
    }

    /**
     * Nanoseconds per round trip of one cache line between shard 0's CPU and shard 1's, over about
     * {@code budget}; NaN when the other side did not answer within two seconds (a shard busy with
     * something else).
     */
    static double roundTripNanos(ShardRuntime shards, Duration budget) {
        return roundTripNanos(shards, budget, Duration.ofSeconds(2));
    }

    /** As {@link #roundTripNanos(ShardRuntime, Duration)}, waiting up to {@code patience} for the other side. */
    static double roundTripNanos(ShardRuntime shards, Duration budget, Duration patience) {
        if (shards.shardCount() < 2) {
            throw new IllegalArgumentException("a core-to-core round trip needs 2 shards, not " + shards.shardCount());
        }
        long[] line = new long[READY + COUNTER + 1];
        long budgetNanos = budget.toNanos();
        long patienceNanos = patience.toNanos();
        CompletableFuture<Void> answered = shards.submit(1, () -> {
            answer(line, budgetNanos, patienceNanos);
            return null;
        });
        double nanos = shards.submit(0, () -> ask(line, budgetNanos, patienceNanos)).join();
        if (!Double.isNaN(nanos)) {
            answered.join();
        }
        // else shard 1 is busy elsewhere: when its task runs it finds STOP and returns at once
        return nanos;
    }

    /**
     * Round trips in windows of {@link #CLOCK_EVERY}; the median window's mean, so a window in which
     * either thread lost its CPU to another process (this machine is shared) does not count.
     */
    private static double ask(long[] line, long budgetNanos, long patienceNanos) {
        if (!awaitReady(line, patienceNanos)) {
            LONGS.setRelease(line, COUNTER, STOP);
            return Double.NaN;
        }
        long start = System.nanoTime();
        long deadline = start + budgetNanos;
        long[] windows = new long[MAX_WINDOWS];
        int count = 0;
        long value = 0;
        long now = start;
        while (now < deadline && count < MAX_WINDOWS) {
            for (int i = 0; i < CLOCK_EVERY; i++) {
                LONGS.setRelease(line, COUNTER, value + 1);
                long answer = value + 2;
                int spins = 0;
                while ((long) LONGS.getAcquire(line, COUNTER) != answer) {
                    Thread.onSpinWait();
                    if ((++spins & 0xFFFFF) == 0 && System.nanoTime() > deadline + patienceNanos) {
                        LONGS.setRelease(line, COUNTER, STOP);
                        return Double.NaN;
                    }
                }
                value = answer;
            }
            long end = System.nanoTime();
            windows[count++] = end - now;
            now = end;
        }
        LONGS.setRelease(line, COUNTER, STOP);
        Arrays.sort(windows, 0, count);
        return windows[count / 2] / (double) CLOCK_EVERY;
    }

    private static boolean awaitReady(long[] line, long patienceNanos) {
        long giveUp = System.nanoTime() + patienceNanos;
        int spins = 0;
        while ((long) LONGS.getAcquire(line, READY) == 0) {
            Thread.onSpinWait();
            if ((++spins & 0xFFF) == 0 && System.nanoTime() > giveUp) {
                return false;
            }
        }
        return true;
    }

    /** Answers each odd value with the next even one until the asking side stops it (or it stops answering). */
    private static void answer(long[] line, long budgetNanos, long patienceNanos) {
        long deadline = System.nanoTime() + budgetNanos + 2 * patienceNanos;
        LONGS.setRelease(line, READY, 1L);
        long expected = 1;
        int spins = 0;
        while (true) {
            long seen = (long) LONGS.getAcquire(line, COUNTER);
            if (seen == STOP) {
                return;
            }
            if (seen == expected) {
                LONGS.setRelease(line, COUNTER, expected + 1);
                expected += 2;
            } else {
                Thread.onSpinWait();
                if ((++spins & 0xFFF) == 0 && System.nanoTime() > deadline) {
                    return;
                }
            }
        }
    }
}
