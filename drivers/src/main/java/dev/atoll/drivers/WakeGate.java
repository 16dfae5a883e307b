package dev.atoll.drivers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

// The gate's one word is written by wakers on every core and by its shard: it lives alone on its
// cache lines (128 bytes each side: Apple Silicon's line size, and x86's adjacent-line prefetch).
abstract class WakeGateLeftPadding {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class WakeGateState extends WakeGateLeftPadding {
    /** PENDING and CLOSED bits and the count of signallers; see {@link WakeGate}. */
    volatile int state;
}

abstract class WakeGateRightPadding extends WakeGateState {
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}

/**
 * Turns many wake requests into one signal per sleep of a driver, and lets the driver close its wake
 * descriptor without a waker still using it.
 *
 * <p>A waker calls {@link #tryEnter()}; when it returns true the waker sends its signal (an eventfd
 * write, a {@code MSG_RING}, a kqueue user event) and then calls {@link #exit()}. The driver calls
 * {@link #drained()} after it consumed a signal, and {@link #seal()} before closing.
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
