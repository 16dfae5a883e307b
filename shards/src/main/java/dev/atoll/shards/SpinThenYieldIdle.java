package dev.atoll.shards;

import java.util.function.BooleanSupplier;

/** {@code spin-then-yield}: never sleeps; spins for {@code spins} idle iterations, then yields each time. */
final class SpinThenYieldIdle extends IdleStrategy {
    private final int spins;
    private int idleIterations;

    SpinThenYieldIdle(BooleanSupplier inboundWaiting, int spins) {
        super(inboundWaiting);
        this.spins = spins;
    }

    @Override
    void busy(boolean messages) {
        idleIterations = 0;
    }

    @Override
    long idle() {
        idleIterations = spinThenYield(idleIterations, spins);
        return POLL;
    }
}
