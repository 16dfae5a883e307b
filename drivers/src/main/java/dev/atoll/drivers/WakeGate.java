package dev.atoll.drivers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

// The gate's one word is written by wakers on every core and by its shard: it lives alone between 128
// bytes of padding on each side (Apple Silicon's line size, and x86's adjacent-line prefetch; bytes, for
// the reason LeftPadding128 gives). FalseSharingLayoutTest in the shards module measures the offsets.
abstract class WakeGateState extends LeftPadding128 {
    /** PENDING and CLOSED bits and the count of signallers; see {@link WakeGate}. */
    volatile int state;
}

abstract class WakeGateRightPadding extends WakeGateState {
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
 * Turns many wake requests into one signal per sleep of a driver, and lets the driver close its wake
 * descriptor without a waker still using it.
 *
 * <p>A waker calls {@link #tryEnter()}; when it returns true the waker sends its signal (an eventfd
 * write, a {@code MSG_RING}, a kqueue user event) and then calls {@link #exit()}; a signal that failed
 * is reported with {@link #failed()}. The driver calls {@link #drained()} after it consumed a signal,
 * and {@link #seal()} before closing.
 */
public final class WakeGate extends WakeGateRightPadding {
    /** A signal is outstanding (sent, or about to be) and not yet drained. */
    private static final int PENDING = 1;
    private static final int CLOSED = 2;
    /**
     * One waker between {@link #tryEnter()} and {@link #exit()}; the bits from here up count them.
     * Only PENDING may make a waker skip its signal: a waker still signalling may have had its signal
     * drained already, so its presence promises nothing.
     */
    private static final int SIGNALLER = 4;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(WakeGateState.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** An open gate with no signal outstanding. */
    public WakeGate() {
    }

    /**
     * Any thread: true when the caller must send the signal and then call {@link #exit()}; false when a
     * signal is already outstanding (the current or next wait returns anyway) or the driver is closed.
     */
    public boolean tryEnter() {
        // Dekker with the shard thread, which clears PENDING (a read-modify-write) and then looks at its
        // queues: the full fence keeps the caller's earlier stores (the message it wants seen) from being
        // reordered after this load of the state.
        VarHandle.fullFence();
        for (;;) {
            int current = (int) STATE.getVolatile(this);
            if ((current & (PENDING | CLOSED)) != 0) {
                return false;
            }
            if (STATE.compareAndSet(this, current, (current | PENDING) + SIGNALLER)) {
                return true;
            }
        }
    }

    /** The waker has sent its signal (or failed to). */
    public void exit() {
        STATE.getAndAdd(this, -SIGNALLER);
    }

    /**
     * Shard thread, after it consumed a signal: a read-modify-write, so a waker that saw PENDING and
     * skipped its signal is ordered before it and its message is seen after the wait returns.
     */
    public void drained() {
        STATE.getAndBitwiseAnd(this, ~PENDING);
    }

    /**
     * Any thread, when the signal of a waker that entered did not reach the driver (the write failed, the
     * kernel refused the {@code MSG_RING}): clears PENDING, which would otherwise stop every later waker
     * while no signal is on its way. The caller then signals another way or logs. Clearing it while
     * another signal is outstanding costs at most one extra wake-up, never a lost one.
     */
    public void failed() {
        STATE.getAndBitwiseAnd(this, ~PENDING);
    }

    /** Shard thread, before closing the wake descriptor: waits for signallers to leave, then refuses new ones. */
    public void seal() {
        for (;;) {
            int current = (int) STATE.getVolatile(this);
            if (current >= SIGNALLER) {
                Thread.onSpinWait(); // a waker is in its one signalling system call
            } else if (STATE.compareAndSet(this, current, current | CLOSED)) {
                return;
            }
        }
    }
}
