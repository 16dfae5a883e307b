package dev.atoll.shards;

import java.util.function.BooleanSupplier;

/**
 * {@code adaptive}, the default: while the shard sent or received a message (through the mesh, or from
 * a thread that is not a shard) within the last {@code pollWindow}, or completed I/O within the last
 * {@code ioPollWindow}, it polls (spins for {@code spins} idle iterations, then yields), so shards that
 * talk to each other exchange messages without a single wake system call, and a shard serving a steady
 * stream of requests is not put to sleep and woken between them; once both windows have passed quietly
 * it sleeps, so an idle server costs no CPU. With {@code ioPollWindow} zero, I/O alone never keeps it
 * polling: a completion wakes a sleeping driver anyway.
 */
final class AdaptiveIdle extends IdleStrategy {
    private final long pollWindow;
    private final long ioPollWindow;
    private final int spins;
    /** Until when the shard polls: the later of the two windows' ends. */
    private long pollUntil;
    private int idleIterations;

    AdaptiveIdle(BooleanSupplier inboundWaiting, long pollWindow, long ioPollWindow, int spins) {
        super(inboundWaiting);
        this.pollWindow = pollWindow;
        this.ioPollWindow = ioPollWindow;
        this.spins = spins;
        this.pollUntil = System.nanoTime();
    }

    @Override
    void busy(boolean messages) {
        idleIterations = 0;
        if (messages) {
            extend(pollWindow);
        }
    }

    @Override
    void ioCompleted() {
        if (ioPollWindow > 0) {
            extend(ioPollWindow);
        }
    }

    private void extend(long window) {
        long until = System.nanoTime() + window;
        if (until - pollUntil > 0) {
            pollUntil = until;
        }
    }

    @Override
    long idle() {
        if (System.nanoTime() - pollUntil >= 0) {
            return SLEEP;
        }
        idleIterations = spinThenYield(idleIterations, spins);
        return POLL;
    }
}
