package dev.atoll.shards;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

// The two flags of the wake protocol live alone on their cache lines: wakers on every other core read
// them, and false sharing with the shard's hot fields would slow down both sides. 128 bytes of padding
// on each side covers Apple Silicon's 128-byte lines and x86's adjacent-line prefetcher.
abstract class WakeSignalLeftPadding {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class WakeSignalFields extends WakeSignalLeftPadding {
    /** 1 while the owning shard is (about to be) blocked in its driver. Written by the owner only. */
    int sleeping;
    /** 1 once a waker has claimed the wake of the current sleep. Set by wakers (CAS), reset by the owner before each sleep. */
    int wakePending;
}

abstract class WakeSignalRightPadding extends WakeSignalFields {
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}

/**
 * The sleeping side of the wake protocol (a Dekker handshake).
 *
 * <p>Sleeper: {@link #beginSleep()} stores {@code sleeping = 1} and issues a full fence, then checks
 * its inbound queues once more; anything found cancels the sleep. Waker: enqueue, full fence, then
 * {@link #claimWake()}: only a target that is asleep and not yet claimed costs a wake system call.
 * Because both sides fence between their store and their load, at least one of them sees the other:
 * either the sleeper sees the message, or the waker sees the sleeper.
 */
final class WakeSignal extends WakeSignalRightPadding {
    private static final VarHandle SLEEPING;
    private static final VarHandle WAKE_PENDING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SLEEPING = lookup.findVarHandle(WakeSignalFields.class, "sleeping", int.class);
            WAKE_PENDING = lookup.findVarHandle(WakeSignalFields.class, "wakePending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Owner: announce the sleep. The claim is reset first: a waker that saw an earlier sleep late may
     * have set it after that sleep ended, and a stale claim would stop every waker of this sleep.
     * The release store of {@code sleeping} publishes the reset to a waker that sees {@code sleeping = 1};
     * the full fence orders the store before the owner's re-check of its queues.
     */
    void beginSleep() {
        WAKE_PENDING.setOpaque(this, 0);
        SLEEPING.setRelease(this, 1);
        VarHandle.fullFence();
    }

    /** Owner, after its driver returned or the sleep was cancelled. */
    void endSleep() {
        SLEEPING.setOpaque(this, 0);
    }

    /** Any thread: whether the owner is asleep. Acquire pairs with the owner's fence in {@link #beginSleep()}. */
    boolean isSleeping() {
        return (int) SLEEPING.getAcquire(this) == 1;
    }

    /**
     * Waker, after its own full fence: true when the caller must issue the wake system call (the target
     * sleeps and nobody has claimed this sleep's wake yet). Many senders in one round cost one wake.
     */
    boolean claimWake() {
        return (int) SLEEPING.getAcquire(this) == 1 && WAKE_PENDING.compareAndSet(this, 0, 1);
    }
}
