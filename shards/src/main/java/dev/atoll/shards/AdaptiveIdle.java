package dev.atoll.shards;

import java.util.function.BooleanSupplier;

/**
 * {@code adaptive}, the default: while the shard sent or received a message (through the mesh, or from
 * a thread that is not a shard) within the last {@code pollWindow}, it polls (spins for {@code spins} idle iterations, then yields), so shards that
 * talk to each other exchange messages without a single wake system call; once the window has passed
 * quietly it sleeps, so an idle server costs no CPU. I/O alone never keeps it polling: a completion
 * wakes a sleeping driver anyway.
 */
final class AdaptiveIdle extends IdleStrategy {
    private final long pollWindow;
    private final int spins;
    private long lastTraffic;
    private int idleIterations;

    AdaptiveIdle(BooleanSupplier inboundWaiting, long pollWindow, int spins) {
        super(inboundWaiting);
        this.pollWindow = pollWindow;
        this.spins = spins;
        this.lastTraffic = System.nanoTime() - pollWindow;
    }

    @Override
    void busy(boolean messages) {
        idleIterations = 0;
        if (messages) {
            lastTraffic = System.nanoTime();
        }
    }

    @Override
    long idle() {
        if (System.nanoTime() - lastTraffic >= pollWindow) {
            return SLEEP;
        }
        idleIterations = spinThenYield(idleIterations, spins);
        return POLL;
    }
}
