package dev.atoll.drivers.readiness;

import dev.atoll.drivers.Driver;
import dev.atoll.drivers.Operation;
import dev.atoll.drivers.ffi.Errno;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The logic every readiness driver shares, over an OS-specific {@link Poller}: the operation table
 * (slots with a free list, a generation per use so a stale event is ignored), NOP completion, one-shot
 * POLL registration, cancellation, dispatch of completions inside {@link #poll(long)}, and the wake
 * flag that turns many {@link #wake()} calls into one signal. Allocation-free once the table has grown
 * to the number of operations in flight.
 */
public abstract class ReadinessDriver implements Driver {
    private static final int FREE = 0;
    /** Interest is armed in the poller; the operation waits for its descriptor. */
    private static final int ARMED = 1;
    /** Its result is known and it sits in the ready ring, to be completed by the next dispatch. */
    private static final int READY = 2;

    /** Wake state bit: a signal is outstanding (written, or about to be) and not yet drained. */
    private static final int PENDING = 1;
    private static final int CLOSED = 2;
    /**
     * One waker inside {@link Poller#signal()}; the bits from here up count them, so {@link #close()}
     * waits for all to leave. Only PENDING may make a waker skip its signal: a waker still inside
     * {@code signal()} may have had its write drained already, so its presence promises nothing.
     */
    private static final int SIGNALLER = 4;
    private static final VarHandle WAKE;

    static {
        try {
            WAKE = MethodHandles.lookup().findVarHandle(ReadinessDriver.class, "wakeState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Poller poller;
    private final Poller.Sink sink = new Events();
    private Operation[] operations;
    private int[] states;
    private int[] results;
    /** Next free slot after each free slot; -1 ends the list. */
    private int[] nextFree;
    private int freeHead;
    /** Slots whose result is known, in completion order; a ring whose size is the table's (a power of two). */
    private int[] readyRing;
    private int readyHead;
    private int readyCount;
    /** Operations whose interest is armed in the poller. */
    private int armed;
    private boolean closed;
    /** PENDING and CLOSED bits and the count of SIGNALLERs; written by wakers on any thread and by the shard thread. */
    @SuppressWarnings("unused") // accessed through WAKE
    private volatile int wakeState;

    /** @param initialCapacity operations in flight before the table grows (rounded up to a power of two) */
    protected ReadinessDriver(Poller poller, int initialCapacity) {
        this.poller = poller;
        int capacity = Integer.highestOneBit(Math.max(2, initialCapacity - 1)) << 1;
        operations = new Operation[0];
        states = new int[0];
        results = new int[0];
        nextFree = new int[0];
        readyRing = new int[0];
        freeHead = -1;
        grow(capacity);
    }

    @Override
    public final void submit(Operation operation) {
        if (closed) {
            throw new IllegalStateException("driver is closed");
        }
        if (operation.driverSlot() >= 0) {
            throw new IllegalStateException("operation is already submitted and not completed");
        }
        int slot = allocate();
        operation.nextGeneration();
        operation.driverSlot(slot);
        operations[slot] = operation;
        switch (operation.opcode()) {
            case NOP -> ready(slot, 0);
            case POLL -> {
                int r = poller.arm(operation.fd(), operation.pollEvents(), token(slot, operation.generation()));
                if (r < 0) {
                    ready(slot, r);
                } else {
                    states[slot] = ARMED;
                    armed++;
                }
            }
        }
    }

    @Override
    public final void cancel(Operation operation) {
        int slot = operation.driverSlot();
        if (closed || slot < 0 || slot >= operations.length || operations[slot] != operation
                || states[slot] != ARMED) {
            return; // completed, or its result is already known: that result stands
        }
        // A failure means the descriptor is closed already, which removed the interest too.
        poller.disarm(operation.fd());
        ready(slot, -Errno.ECANCELED);
    }

    @Override
    public final int poll(long timeoutNanos) {
        if (closed) {
            throw new IllegalStateException("driver is closed");
        }
        int completed = dispatch();
        long wait = completed > 0 || readyCount > 0 ? 0 : timeoutNanos;
        // A non-blocking poll with no interest armed could only drain a wake signal, which the next
        // blocking poll drains anyway: a busy shard without I/O makes no system call here.
        if (wait != 0 || armed > 0) {
            poller.await(wait, sink);
        }
        return completed + dispatch();
    }

    @Override
    public final void wake() {
        // Dekker with the shard thread, which clears PENDING (a read-modify-write) and then looks at its
        // queues: the full fence keeps the caller's earlier stores (the message it wants seen) from being
        // reordered after this load of the flag.
        VarHandle.fullFence();
        for (;;) {
            int state = (int) WAKE.getVolatile(this);
            if ((state & (PENDING | CLOSED)) != 0) {
                return; // a signal is outstanding (the current or next poll returns), or the driver is closed
            }
            if (WAKE.compareAndSet(this, state, (state | PENDING) + SIGNALLER)) {
                break;
            }
        }
        try {
            poller.signal();
        } finally {
            WAKE.getAndAdd(this, -SIGNALLER);
        }
    }

    @Override
    public final long syscalls() {
        return poller.syscalls();
    }

    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        sealWake();
        try {
            readyCount = 0;
            for (int slot = 0; slot < operations.length; slot++) {
                if (states[slot] != FREE) {
                    Operation operation = operations[slot];
                    release(slot);
                    operation.complete(-Errno.ECANCELED, 0);
                }
            }
        } finally {
            poller.close();
        }
    }

    /** Sets CLOSED once no waker is inside {@link Poller#signal()}, so none touches a closed descriptor. */
    private void sealWake() {
        for (;;) {
            int state = (int) WAKE.getVolatile(this);
            if (state >= SIGNALLER) {
                Thread.onSpinWait(); // a waker is in its one write system call
            } else if (WAKE.compareAndSet(this, state, state | CLOSED)) {
                return;
            }
        }
    }

    /** Completes, in order, the operations that were ready when it started; later ones wait for the next. */
    private int dispatch() {
        int count = readyCount;
        for (int i = 0; i < count; i++) {
            int slot = readyRing[readyHead];
            readyHead = (readyHead + 1) & (readyRing.length - 1);
            readyCount--;
            Operation operation = operations[slot];
            int result = results[slot];
            release(slot);
            operation.complete(result, 0);
        }
        return count;
    }

    private void ready(int slot, int result) {
        if (states[slot] == ARMED) {
            armed--;
        }
        states[slot] = READY;
        results[slot] = result;
        readyRing[(readyHead + readyCount) & (readyRing.length - 1)] = slot;
        readyCount++;
    }

    private int allocate() {
        if (freeHead < 0) {
            grow(operations.length * 2);
        }
        int slot = freeHead;
        freeHead = nextFree[slot];
        return slot;
    }

    private void release(int slot) {
        operations[slot].driverSlot(-1);
        operations[slot] = null;
        states[slot] = FREE;
        nextFree[slot] = freeHead;
        freeHead = slot;
    }

    /** Doubles the table (rare: only when more operations are in flight than ever before). */
    private void grow(int capacity) {
        int old = operations.length;
        operations = Arrays.copyOf(operations, capacity);
        states = Arrays.copyOf(states, capacity);
        results = Arrays.copyOf(results, capacity);
        nextFree = Arrays.copyOf(nextFree, capacity);
        int[] ring = new int[capacity];
        for (int i = 0; i < readyCount; i++) {
            ring[i] = readyRing[(readyHead + i) & (old - 1)];
        }
        readyRing = ring;
        readyHead = 0;
        for (int slot = capacity - 1; slot >= old; slot--) {
            nextFree[slot] = freeHead;
            freeHead = slot;
        }
    }

    private static long token(int slot, int generation) {
        return ((long) generation << 32) | (slot & 0xFFFF_FFFFL);
    }

    /** Receives the poller's events; one instance per driver, so a wait allocates nothing. */
    private final class Events implements Poller.Sink {
        @Override
        public void ready(long token, int pollEvents) {
            int slot = (int) token;
            if (slot >= 0 && slot < operations.length && states[slot] == ARMED
                    && operations[slot].generation() == (int) (token >>> 32)) {
                ReadinessDriver.this.ready(slot, pollEvents);
            }
            // else: a stale event for a slot that was cancelled or reused; ignore it
        }

        @Override
        public void woken() {
            // Read-modify-write after the poller drained the wake descriptor: a waker that saw PENDING and
            // skipped its signal is ordered before this, so the shard sees its message after poll returns.
            WAKE.getAndBitwiseAnd(ReadinessDriver.this, ~PENDING);
        }
    }
}
