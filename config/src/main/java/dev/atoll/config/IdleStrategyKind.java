package dev.atoll.config;

/**
 * What a shard does in a loop iteration that found no work ({@code atoll.shards.idle.strategy}), in the
 * manner of Agrona's idle strategies. Sleeping costs no CPU but a message to a sleeping shard costs its
 * sender a wake system call and the receiver a wake-up; polling costs CPU but no system calls.
 */
public enum IdleStrategyKind {
    /**
     * Polls while cross-shard traffic ({@code poll-window}) or I/O ({@code io-poll-window}) is recent, sleeps in
     * the driver when neither is.
     */
    ADAPTIVE,
    /** Sleeps in the driver at once; woken by messages, completions and timers. */
    SLEEP,
    /** Never sleeps: spins ({@code Thread.onSpinWait}) and polls again. One busy core per shard. */
    BUSY_SPIN,
    /** Never sleeps: spins for {@code spins} idle iterations, then yields the CPU on every idle iteration. */
    SPIN_THEN_YIELD,
    /**
     * Spins, yields, then parks in the driver for a period that doubles from {@code min-park} to
     * {@code max-park}. A parked shard is not woken by messages (its senders never pay a wake), only by
     * completions and the end of its park.
     */
    BACK_OFF
}
