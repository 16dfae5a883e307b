package dev.atoll.shards;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

// The two flags of the wake protocol live alone on their cache lines: wakers on every other core read
// them, and false sharing with the shard's hot fields would slow down both sides. 128 bytes of padding
// on each side covers Apple Silicon's 128-byte lines and x86's adjacent-line prefetcher. The padding is
// bytes, as in JCTools: HotSpot fills a gap in a superclass's layout with a subclass's fields, and long
// padding leaves a 4-byte gap after the 12-byte header where these ints would land (FalseSharingLayoutTest).
abstract class WakeSignalLeftPadding {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p010, p011, p012, p013, p014, p015, p016, p017;
    byte p020, p021, p022, p023, p024, p025, p026, p027, p030, p031, p032, p033, p034, p035, p036, p037;
    byte p040, p041, p042, p043, p044, p045, p046, p047, p050, p051, p052, p053, p054, p055, p056, p057;
    byte p060, p061, p062, p063, p064, p065, p066, p067, p070, p071, p072, p073, p074, p075, p076, p077;
    byte p100, p101, p102, p103, p104, p105, p106, p107, p110, p111, p112, p113, p114, p115, p116, p117;
    byte p120, p121, p122, p123, p124, p125, p126, p127, p130, p131, p132, p133, p134, p135, p136, p137;
    byte p140, p141, p142, p143, p144, p145, p146, p147, p150, p151, p152, p153, p154, p155, p156, p157;
    byte p160, p161, p162, p163, p164, p165, p166, p167, p170, p171, p172, p173, p174, p175, p176, p177;
}

abstract class WakeSignalFields extends WakeSignalLeftPadding {
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
