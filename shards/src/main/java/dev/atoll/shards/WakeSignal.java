package dev.atoll.shards;

import dev.atoll.drivers.LeftPadding128;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

// The two flags of the wake protocol live alone on their cache lines: wakers on every other core read
// them, and false sharing with the shard's hot fields would slow down both sides. 128 bytes of padding
// on each side covers Apple Silicon's 128-byte lines and x86's adjacent-line prefetcher; bytes, for the
// reason LeftPadding128 gives (FalseSharingLayoutTest measures it).
abstract class WakeSignalFields extends LeftPadding128 {
    /** 1 while the owning shard is (about to be) blocked in its driver. Written by the owner only. */
    int sleeping;
    /** 1 once a waker has claimed the wake of the current sleep. Set by wakers (CAS), reset by the owner before each sleep. */
    int wakePending;
}

abstract class WakeSignalRightPadding extends WakeSignalFields {
    byte q000, q001, q002, q003, q004, q005, q006, q007, q010, q011, q012, q013, q014, q015, q016, q017;
    byte q020, q021, q022, q023, q024, q025, q026, q027, q030, q031, q032, q033, q034, q035, q036, q037;
    byte q040, q041, q042, q043, q044, q045, q046, q047, q050, q051, q052, q053, q054, q055, q056, q057;
    byte q060, q061, q062, q063, q064, q065, q066, q067, q070, q071, q072, q073, q074, q075, q076, q077;
    byte q100, q101, q102, q103, q104, q105, q106, q107, q110, q111, q112, q113, q114, q115, q116, q117;
    byte q120, q121, q122, q123, q124, q125, q126, q127, q130, q131, q132, q133, q134, q135, q136, q137;
    byte q140, q141, q142, q143, q144, q145, q146, q147, q150, q151, q152, q153, q154, q155, q156, q157;
    byte q160, q161, q162, q163, q164, q165, q166, q167, q170, q171, q172, q173, q174, q175, q176, q177;
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
