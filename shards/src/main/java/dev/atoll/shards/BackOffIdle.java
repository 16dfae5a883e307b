package dev.atoll.shards;

import java.util.function.BooleanSupplier;

/**
 * {@code back-off} (Agrona's {@code BackoffIdleStrategy}): spins, yields, then parks for a period that
 * doubles from {@code minPark} to {@code maxPark}. Parks are not announced: senders never pay a wake,
 * and a message may wait up to {@code maxPark}; completions still end a park at once.
 */
final class BackOffIdle extends IdleStrategy {
    private final int spins;
    private final int yields;
    private final long minPark;
    private final long maxPark;
    private int idleIterations;
    private long park;

    BackOffIdle(BooleanSupplier inboundWaiting, int spins, int yields, long minPark, long maxPark) {
        super(inboundWaiting);
        this.spins = spins;
        this.yields = yields;
        this.minPark = minPark;
        this.maxPark = maxPark;
    }

    @Override
    void busy(boolean messages) {
        idleIterations = 0;
        park = 0;
    }

    @Override
    long idle() {
        if (idleIterations < spins) {
            idleIterations++;
            spin();
            return POLL;
        }
        if (idleIterations < spins + yields) {
            idleIterations++;
            Thread.yield();
            return POLL;
        }
        park = park == 0 ? minPark : Math.min(maxPark, park << 1);
        return park;
    }
}
