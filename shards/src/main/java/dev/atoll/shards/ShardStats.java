package dev.atoll.shards;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters of one shard. The shard thread is the only writer of each counter except {@code stalls}
 * (written by the stall detector); any thread may take a {@link #snapshot()}. Writes are opaque
 * stores, so a reader sees each counter whole and eventually current, and the writer pays no fence.
 */
public final class ShardStats {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    static final int ITERATIONS = 0;
    static final int TASKS = 1;
    static final int MESSAGES_IN = 2;
    static final int MESSAGES_OUT = 3;
    static final int SUBMISSIONS_IN = 4;
    static final int WAKES_SENT = 5;
    static final int WAKES_AVOIDED = 6;
    static final int SLEEPS = 7;
    static final int OVERFLOWED = 8;
    static final int REJECTED = 9;
    static final int TIMERS_FIRED = 10;
    static final int TASK_FAILURES = 11;
    static final int COMPLETIONS = 12;
    static final int CANCELLED_AT_STOP = 13;
    static final int BATCHES_OUT = 14;
    // Each counter on its own 16-long stride would waste memory for little: the owner writes all of
    // them, and readers are rare. Only STALLS has a second writer, so it gets its own line.
    static final int STALLS = 32;
    /** Room after STALLS: 128 bytes, so the object after the array is not on the stall counter's line. */
    static final int LENGTH = STALLS + 16;

    private final long[] counters = new long[LENGTH];

    ShardStats() {
    }

    /** Owner thread: adds {@code n} to a counter. */
    void add(int counter, long n) {
        long[] c = counters;
        LONGS.setOpaque(c, counter, c[counter] + n);
    }

    /** Owner thread: adds one to a counter. */
    void increment(int counter) {
        add(counter, 1);
    }

    /** Stall detector thread: counts one stall. */
    void stalled() {
        LONGS.getAndAdd(counters, STALLS, 1L);
    }

    long read(int counter) {
        return (long) LONGS.getOpaque(counters, counter);
    }

    /** A consistent-enough copy of every counter, safe to call from any thread. */
    public Snapshot snapshot() {
        return new Snapshot(read(ITERATIONS), read(TASKS), read(MESSAGES_IN), read(MESSAGES_OUT),
                read(SUBMISSIONS_IN), read(WAKES_SENT), read(WAKES_AVOIDED), read(SLEEPS), read(OVERFLOWED),
                read(REJECTED), read(TIMERS_FIRED), read(TASK_FAILURES), read(COMPLETIONS), read(STALLS),
                read(CANCELLED_AT_STOP), read(BATCHES_OUT));
    }

    /**
     * The counters of one shard at one moment.
     *
     * @param iterations      loop iterations
     * @param tasks           tasks run from the shard's local run queue
     * @param messagesIn      messages received from other shards through the mesh
     * @param messagesOut     messages that entered a mesh queue to another shard (counted when they enter,
     *                        so a parked message counts once it leaves the overflow list)
     * @param submissionsIn   tasks received from threads that are not shards (and offload results)
     * @param wakesSent       wake system calls this shard made to wake sleeping shards
     * @param wakesAvoided    targets this shard sent to that needed no wake (awake, or already woken)
     * @param sleeps          times this shard blocked in its driver
     * @param overflowed      messages parked in a local overflow list because a mesh queue was full
     * @param rejected        sends refused because the overflow list was at its limit
     * @param timersFired     timers that fired
     * @param taskFailures    tasks or messages that threw
     * @param completions     I/O completions dispatched by the driver
     * @param stalls          times the stall detector found this shard away from its loop too long
     * @param cancelledAtStop work still queued when the shard stopped, cancelled
     * @param batchesOut      flushes that published to another shard (one per target per iteration that sent
     *                        to it; a long iteration also publishes every 32 messages before its flush):
     *                        {@code messagesOut / batchesOut} is the mean per flush
     */
    public record Snapshot(long iterations, long tasks, long messagesIn, long messagesOut, long submissionsIn,
                           long wakesSent, long wakesAvoided, long sleeps, long overflowed, long rejected,
                           long timersFired, long taskFailures, long completions, long stalls,
                           long cancelledAtStop, long batchesOut) { }
}
