package dev.atoll.testkit;

import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TimerClock;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The time of a test kit's shard timers when it was created with {@link AtollTestKit#withManualClock()}:
 * it stands still until {@link #advance} moves it, so a test of a timer, a periodic tick or an ask
 * timeout on a shard runs without sleeping and without depending on the machine's speed.
 *
 * <p>Everything on the shards' timers follows it: actor timers, {@code Shard.schedule}, promise
 * deadlines (so asks made on a shard time out only when the clock passes their timeout), and I/O
 * deadlines that the driver does not give to the kernel. Asks from the test thread
 * ({@code ActorRef.ask}) and the test kit's own waits keep real time.
 */
public final class ManualClock implements TimerClock {
    /** How long {@link #advance} lets timers that keep re-arming for times already passed go on firing. */
    private static final long SETTLE_LIMIT_SECONDS = 10;

    private final AtomicLong now = new AtomicLong();
    private final Duration wait;
    private volatile ShardRuntime runtime;

    ManualClock(Duration wait) {
        this.wait = wait;
    }

    void attach(ShardRuntime started) {
        this.runtime = started;
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    /** How far the clock has been advanced since the runtime started. */
    public Duration elapsed() {
        return Duration.ofNanos(now.get());
    }

    /**
     * Moves the time forward by {@code duration} and returns once every shard has fired the timers due
     * by then, including those that fired timers re-armed for times already passed (a periodic timer
     * advanced over three periods fires three times). What those timers send is then on its way, as any
     * message: expect it with a probe. Call it from the test thread, not from a shard.
     *
     * @throws AssertionError when timers keep firing for more than 10 s of real time (a timer that
     *                        re-arms itself with no delay), or a shard does not answer
     */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time does not go backwards: " + duration);
        }
        ShardRuntime shards = runtime;
        if (shards == null) {
            throw new IllegalStateException("the test kit has not started yet");
        }
        now.addAndGet(duration.toNanos());
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETTLE_LIMIT_SECONDS);
        while (settleOnce(shards) > 0) {
            if (System.nanoTime() - giveUp > 0) {
                throw new AssertionError("timers kept firing for " + SETTLE_LIMIT_SECONDS
                        + " s after the clock moved: one re-arms itself for a time that has already passed");
            }
        }
    }

    /**
     * Round trips to every shard until each has finished the timer step of the loop iteration that took
     * the first trip: that step runs after the trip, so it sees the new time. A second trip proves the
     * step over only when a later iteration takes it; one taken by the same iteration (the test thread
     * can submit it while the shard is still draining the first) does not, and is made again. Returns
     * the timers fired meanwhile.
     */
    private long settleOnce(ShardRuntime shards) {
        long before = timersFired(shards);
        long[] first = iterationsTakingATrip(shards);
        long[] next = iterationsTakingATrip(shards);
        while (!allLater(next, first)) {
            next = iterationsTakingATrip(shards);
        }
        return timersFired(shards) - before;
    }

    /** Sends a trip to every shard and returns, per shard, the loop iteration that took it. */
    private long[] iterationsTakingATrip(ShardRuntime shards) {
        @SuppressWarnings("unchecked")
        CompletableFuture<Long>[] trips = new CompletableFuture[shards.shardCount()];
        for (int shard = 0; shard < trips.length; shard++) {
            trips[shard] = shards.submit(shard, () -> Shard.current().stats().iterations());
        }
        Waits.await(CompletableFuture.allOf(trips), wait, "every shard to take the clock's step");
        long[] iterations = new long[trips.length];
        for (int shard = 0; shard < trips.length; shard++) {
            iterations[shard] = trips[shard].join();
        }
        return iterations;
    }

    private static boolean allLater(long[] next, long[] first) {
        for (int shard = 0; shard < first.length; shard++) {
            if (next[shard] <= first[shard]) {
                return false;
            }
        }
        return true;
    }

    private static long timersFired(ShardRuntime shards) {
        long total = 0;
        for (var stats : shards.stats()) {
            total += stats.timersFired();
        }
        return total;
    }

    @Override
    public String toString() {
        return "ManualClock(" + elapsed() + ")";
    }
}
