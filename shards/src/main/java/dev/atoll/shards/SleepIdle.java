package dev.atoll.shards;

import java.util.function.BooleanSupplier;

/** {@code sleep}: sleeps in the driver at once. No idle CPU; a message to a sleeping shard costs a wake. */
final class SleepIdle extends IdleStrategy {
    SleepIdle(BooleanSupplier inboundWaiting) {
        super(inboundWaiting);
    }

    @Override
    void busy(boolean messages) {
    }

    @Override
    long idle() {
        return SLEEP;
    }
}
