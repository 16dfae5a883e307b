package dev.atoll.shards;

import dev.atoll.config.IdleSettings;

import java.util.function.BooleanSupplier;

/**
 * What a shard does after a loop iteration that found no work, in the manner of Agrona's
 * {@code IdleStrategy}, with one difference: sleeping is the shard's own business (the wake protocol
 * and the driver's wait), so a strategy returns its decision and the shard carries it out. One
 * instance per shard, used only by its thread. Built from {@code atoll.shards.idle}.
 */
abstract class IdleStrategy {
    /** Poll the driver without waiting and go round again. */
    static final long POLL = 0;
    /** Sleep in the driver, announced, so that senders wake the shard (until a timer is due at most). */
    static final long SLEEP = -1;
    /** Pauses of one spin burst; between bursts the shard makes a whole iteration, its I/O poll included. */
    private static final int SPIN_BURST = 32;

    private final BooleanSupplier inboundWaiting;

    IdleStrategy(BooleanSupplier inboundWaiting) {
        this.inboundWaiting = inboundWaiting;
    }

    static IdleStrategy of(IdleSettings settings, BooleanSupplier inboundWaiting) {
        return switch (settings.strategy()) {
            case ADAPTIVE -> new AdaptiveIdle(inboundWaiting, settings.pollWindow().toNanos(),
                    settings.ioPollWindow().toNanos(), settings.spins());
            case SLEEP -> new SleepIdle(inboundWaiting);
            case BUSY_SPIN -> new BusySpinIdle(inboundWaiting);
            case SPIN_THEN_YIELD -> new SpinThenYieldIdle(inboundWaiting, settings.spins());
            case BACK_OFF -> new BackOffIdle(inboundWaiting, settings.spins(), settings.yields(),
                    settings.minPark().toNanos(), settings.maxPark().toNanos());
        };
    }

    /**
     * An iteration did work; {@code messages}: it sent or received messages (through the mesh, or from
     * threads that are not shards), as opposed to only I/O, tasks and timers.
     */
    abstract void busy(boolean messages);

    /** The driver completed I/O operations (their callbacks ran); a strategy may poll for more. */
    void ioCompleted() {
    }

    /**
     * An iteration found no work: spins or yields as the strategy chooses, then returns {@link #POLL},
     * {@link #SLEEP}, or a park in nanoseconds (a driver wait that senders do not interrupt).
     */
    abstract long idle();

    /**
     * Spins for the first {@code spins} idle iterations, then yields the CPU; returns the idle
     * iterations counted so far, {@code idleIterations} updated.
     */
    final int spinThenYield(int idleIterations, int spins) {
        if (idleIterations < spins) {
            spin();
            return idleIterations + 1;
        }
        Thread.yield();
        return idleIterations;
    }

    /**
     * Spins ({@link Thread#onSpinWait()}) until a message waits or a short burst has passed, reading
     * only the inbound queues (never the driver), so the cores exchange no cache lines while nothing moves.
     */
    final void spin() {
        for (int i = 0; i < SPIN_BURST && !inboundWaiting.getAsBoolean(); i++) {
            Thread.onSpinWait();
        }
    }
}
