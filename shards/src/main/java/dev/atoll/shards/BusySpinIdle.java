package dev.atoll.shards;

import java.util.function.BooleanSupplier;

/** {@code busy-spin}: never sleeps; spins and polls again. The lowest latency, a whole core per shard. */
final class BusySpinIdle extends IdleStrategy {
    BusySpinIdle(BooleanSupplier inboundWaiting) {
        super(inboundWaiting);
    }

    @Override
    void busy(boolean messages) {
    }

    @Override
    long idle() {
        spin();
        return POLL;
    }
}
