package dev.atoll.drivers.readiness;

import dev.atoll.drivers.Driver;
import dev.atoll.drivers.Opcode;
import dev.atoll.drivers.Operation;
import dev.atoll.drivers.OperationSlots;
import dev.atoll.drivers.PollEvents;
import dev.atoll.drivers.WakeGate;
import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.OsConstants;
import dev.atoll.drivers.ffi.SocketAddresses;
import dev.atoll.drivers.ffi.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The logic every readiness driver shares, over an OS-specific {@link Poller}.
 *
 * <p>Socket operations are tried at once, and only when the call would block ({@code EAGAIN}, or
 * {@code EINPROGRESS} for a connect) does the operation wait: the descriptor is registered with the
 * poller (edge-triggered, both directions, once for its life), the operation parks as the
 * descriptor's reader or writer, and each readiness event retries it. A busy connection therefore
 * costs one system call per operation and no interest changes.
 *
 * <p>Bookkeeping: an operation table (slots with a free list, a generation per use so a stale event
 * is ignored), a descriptor table (reader, writer, registration and a generation per descriptor),
 * completions queued in a ring and dispatched inside {@link #poll(long)} — never inline in
 * {@link #submit} — and the wake flag that turns many {@link #wake()} calls into one signal.
 * Allocation-free once the tables have grown to the operations and descriptors in use.
 */
public abstract class ReadinessDriver implements Driver {
    private static final int FREE = 0;
    /** Parked as its descriptor's reader and/or writer, waiting for readiness. */
    private static final int WAITING = 1;
    /** Its result is known and it sits in the ready ring, to be completed by the next dispatch. */
    private static final int READY = 2;
    private static final int NONE = -1;

    private final Poller poller;
    private final Poller.Sink sink = new Events();
    private final SyscallCounter socketCalls = new SyscallCounter();
    /** Shared: closed by {@link #close()}, which a runtime may call from another thread after the shard stopped. */
    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Errno.allocate(arena);
    private final MemorySegment optionValue = arena.allocate(JAVA_INT);
    private final MemorySegment optionLength = arena.allocate(JAVA_INT);

    private final OperationSlots slots;
    private int[] states;
    private int[] results;
    /** A connect that is in progress: its retry asks for the socket's error instead of connecting again. */
    private boolean[] connecting;
    /** Slots whose result is known, in completion order; a ring whose size is the table's (a power of two). */
    private int[] readyRing;
    private int readyHead;
    private int readyCount;
    /** Operations parked on a descriptor. */
    private int waiting;

    /** Per descriptor number: the slot parked for readability, or NONE. */
    private int[] readers = new int[0];
    /** Per descriptor number: the slot parked for writability, or NONE. */
    private int[] writers = new int[0];
    private boolean[] registered = new boolean[0];
    /**
     * Per descriptor number: a receive found it empty (a short read or EAGAIN) and no readable event came
     * since, so the next receive waits for the edge instead of trying a call that would fail. Only for
     * registered descriptors: their next arrival of data is reported.
     */
    private boolean[] drained = new boolean[0];
    /**
     * Per descriptor number: the peer closed its side or the socket failed. Its end of stream (or
     * error) follows the data still queued without another edge, so such a descriptor is never
     * taken for drained.
     */
    private boolean[] hungUp = new boolean[0];
    /** Per descriptor number: bumped when it is detached, so events of its earlier life are ignored. */
    private int[] fdGenerations = new int[0];

    private final WakeGate wakeGate = new WakeGate();
    private boolean closed;

    /** @param initialCapacity operations in flight before the table grows (rounded up to a power of two) */
    protected ReadinessDriver(Poller poller, int initialCapacity) {
        this.poller = poller;
        int capacity = Integer.highestOneBit(Math.max(2, initialCapacity - 1)) << 1;
        slots = new OperationSlots(capacity, Integer.MAX_VALUE);
        states = new int[0];
        results = new int[0];
        connecting = new boolean[0];
        readyRing = new int[0];
        growSlotState(capacity);
        growDescriptors(capacity);
    }

    @Override
    public final void submit(Operation operation) {
        if (closed) {
            throw new IllegalStateException("driver is closed");
        }
        int slot = slots.claim(operation);
        if (slots.capacity() > states.length) {
            growSlotState(slots.capacity());
        }
        connecting[slot] = false;
        switch (operation.opcode()) {
            case NOP -> ready(slot, 0);
            case READ, WRITE, READ_FIXED, WRITE_FIXED, FSYNC, OPEN, CLOSE, STATX, SHUTDOWN, RECV_MULTISHOT,
                 ACCEPT_MULTISHOT, TIMEOUT ->
                    ready(slot, -OsConstants.EOPNOTSUPP); // see Driver#supportsFiles, #registerReceiveBuffers, ...
            case POLL -> park(slot, operation.pollEvents() & (PollEvents.READABLE | PollEvents.WRITABLE), true);
            default -> {
                int fd = operation.fd();
                boolean knownEmpty = operation.opcode() == Opcode.RECV && fd >= 0 && fd < drained.length
                        && drained[fd] && registered[fd];
                int result = knownEmpty ? -OsConstants.EAGAIN : attempt(slot);
                if (result == -OsConstants.EAGAIN) {
                    park(slot, operation.opcode().readiness(), false);
                    if (states[slot] == WAITING) {
                        operation.onWait();
                    }
                } else {
                    ready(slot, result);
                }
            }
        }
    }

    @Override
    public final void cancel(Operation operation) {
        int slot = operation.driverSlot();
        if (closed || slot < 0 || slots.get(slot) != operation
                || states[slot] != WAITING) {
            return; // completed, or its result is already known: that result stands
        }
        ready(slot, -Errno.ECANCELED);
    }

    @Override
    public final void detach(int fd) {
        if (closed || fd < 0 || fd >= readers.length) {
            return;
        }
        if (readers[fd] != NONE) {
            ready(readers[fd], -Errno.ECANCELED);
        }
        if (writers[fd] != NONE) {
            ready(writers[fd], -Errno.ECANCELED);
        }
        drained[fd] = false;
        hungUp[fd] = false;
        if (registered[fd]) {
            registered[fd] = false;
            // A failure means the descriptor is closed already, which removed the interest too.
            poller.deregister(fd);
        }
        fdGenerations[fd]++;
    }

    @Override
    public final int poll(long timeoutNanos) {
        if (closed) {
            throw new IllegalStateException("driver is closed");
        }
        int completed = dispatch();
        long wait = completed > 0 || readyCount > 0 ? 0 : timeoutNanos;
        // A non-blocking poll with nothing waiting could only drain a wake signal (which the next blocking
        // poll drains anyway) or report readiness nobody waits for: a busy shard without pending I/O makes
        // no system call here.
        if (wait != 0 || waiting > 0) {
            poller.await(wait, sink);
        }
        return completed + dispatch();
    }

    @Override
    public final void wake() {
        if (wakeGate.tryEnter()) {
            boolean signalled = false;
            try {
                poller.signal();
                signalled = true;
            } finally {
                if (!signalled) {
                    wakeGate.failed(); // the exception goes to the caller; the next wake-up tries again
                }
                wakeGate.exit();
            }
        }
    }

    @Override
    public final long syscalls() {
        return poller.syscalls() + socketCalls.get();
    }

    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        wakeGate.seal();
        try {
            readyCount = 0;
            for (int slot = 0; slot < slots.capacity(); slot++) {
                if (states[slot] != FREE) {
                    release(slot).complete(-Errno.ECANCELED, 0);
                }
            }
        } finally {
            poller.close();
            arena.close();
        }
    }

    /** One non-blocking try of a socket operation: its result, or {@code -EAGAIN} when it must wait. */
    private int attempt(int slot) {
        Operation op = slots.get(slot);
        int result = call(op);
        if (op.opcode() == Opcode.RECV && op.fd() < drained.length && !hungUp[op.fd()]
                && (result == -OsConstants.EAGAIN || (result > 0 && result < op.length()))) {
            drained[op.fd()] = true; // a stream socket's short read took all there was
        }
        return result;
    }

    private int call(Operation op) {
        socketCalls.add(1);
        long r = switch (op.opcode()) {
            case ACCEPT -> Sockets.acceptNonBlocking(errno, op.fd());
            case RECV -> Sockets.recv(errno, op.fd(), op.bufferAddress(), op.length(), 0);
            case SEND -> Sockets.send(errno, op.fd(), op.bufferAddress(), op.length(), OsConstants.MSG_NOSIGNAL);
            case RECV_FROM -> {
                op.address().set(JAVA_INT, SocketAddresses.SLOT_LENGTH_OFFSET, (int) SocketAddresses.STORAGE_SIZE);
                yield Sockets.recvfrom(errno, op.fd(), op.bufferAddress(), op.length(), 0, op.address(),
                        op.address().asSlice(SocketAddresses.SLOT_LENGTH_OFFSET, JAVA_INT.byteSize()));
            }
            case SEND_TO -> Sockets.sendto(errno, op.fd(), op.bufferAddress(), op.length(), OsConstants.MSG_NOSIGNAL,
                    op.address(), op.addressLength());
            case CONNECT -> connect(op);
            case NOP, POLL, READ, WRITE, READ_FIXED, WRITE_FIXED, FSYNC, OPEN, CLOSE, STATX, SHUTDOWN, RECV_MULTISHOT,
                 ACCEPT_MULTISHOT, TIMEOUT ->
                    throw new IllegalStateException("not a socket operation: " + op.opcode());
        };
        return (int) r;
    }

    /** First try: connect; {@code EINPROGRESS} waits for writability. Retry: the socket's pending error. */
    private int connect(Operation op) {
        int slot = op.driverSlot();
        if (!connecting[slot]) {
            int r = Sockets.connect(errno, op.fd(), op.address(), op.addressLength());
            if (r == -OsConstants.EINPROGRESS) {
                connecting[slot] = true;
                return -OsConstants.EAGAIN;
            }
            return r;
        }
        optionLength.set(JAVA_INT, 0, (int) JAVA_INT.byteSize());
        int r = Sockets.getsockopt(errno, op.fd(), OsConstants.SOL_SOCKET, OsConstants.SO_ERROR, optionValue,
                optionLength);
        return r < 0 ? r : -optionValue.get(JAVA_INT, 0);
    }

    /**
     * Parks {@code slot} as its descriptor's reader and/or writer ({@code directions}: PollEvents bits)
     * and makes sure the poller reports the descriptor; {@code reportNow} re-arms an existing
     * registration so that current readiness is reported (a POLL asks for the present state, a retry
     * after EAGAIN only for changes).
     */
    private void park(int slot, int directions, boolean reportNow) {
        int fd = slots.get(slot).fd();
        if (fd < 0) {
            ready(slot, -OsConstants.EBADF);
            return;
        }
        if (fd >= readers.length) {
            growDescriptors(Integer.highestOneBit(fd) << 1);
        }
        boolean read = (directions & PollEvents.READABLE) != 0;
        boolean write = (directions & PollEvents.WRITABLE) != 0;
        if ((read && readers[fd] != NONE) || (write && writers[fd] != NONE)) {
            ready(slot, -OsConstants.EBUSY); // one reader and one writer per descriptor at a time
            return;
        }
        long token = token(fd, fdGenerations[fd]);
        int r;
        if (!registered[fd]) {
            r = poller.register(fd, token);
            registered[fd] = r == 0;
        } else {
            r = reportNow ? poller.rearm(fd, token) : 0;
        }
        if (r < 0) {
            ready(slot, r);
            return;
        }
        if (read) {
            readers[fd] = slot;
        }
        if (write) {
            writers[fd] = slot;
        }
        states[slot] = WAITING;
        waiting++;
    }

    /** A readiness event for descriptor {@code fd}: retry whatever waits on it. */
    private void onReady(int fd, int pollEvents) {
        boolean hangup = (pollEvents & PollEvents.HANGUP) != 0;
        if (hangup || (pollEvents & PollEvents.READABLE) != 0) {
            drained[fd] = false;
            hungUp[fd] |= hangup;
        }
        if (readers[fd] != NONE && (hangup || (pollEvents & PollEvents.READABLE) != 0)) {
            retry(readers[fd], pollEvents);
        }
        if (writers[fd] != NONE && (hangup || (pollEvents & PollEvents.WRITABLE) != 0)) {
            retry(writers[fd], pollEvents);
        }
    }

    private void retry(int slot, int pollEvents) {
        if (slots.get(slot).opcode() == Opcode.POLL) {
            ready(slot, pollEvents);
            return;
        }
        Operation operation = slots.get(slot);
        if (!operation.beforeRetry()) {
            ready(slot, -OsConstants.ENOBUFS);
            return;
        }
        int result = attempt(slot);
        if (result != -OsConstants.EAGAIN) {
            ready(slot, result);
        } else {
            operation.onWait(); // a spurious or already consumed edge; wait for the next
        }
    }

    /** Completes, in order, the operations that were ready when it started; later ones wait for the next. */
    private int dispatch() {
        int count = readyCount;
        for (int i = 0; i < count; i++) {
            int slot = readyRing[readyHead];
            readyHead = (readyHead + 1) & (readyRing.length - 1);
            readyCount--;
            int result = results[slot];
            release(slot).complete(result, 0);
        }
        return count;
    }

    private void ready(int slot, int result) {
        if (states[slot] == WAITING) {
            unpark(slot);
        }
        states[slot] = READY;
        results[slot] = result;
        readyRing[(readyHead + readyCount) & (readyRing.length - 1)] = slot;
        readyCount++;
    }

    private void unpark(int slot) {
        waiting--;
        int fd = slots.get(slot).fd();
        if (readers[fd] == slot) {
            readers[fd] = NONE;
        }
        if (writers[fd] == slot) {
            writers[fd] = NONE;
        }
    }

    private Operation release(int slot) {
        states[slot] = FREE;
        return slots.release(slot);
    }

    /** Grows the per-slot state with the table (rare: only when more operations are in flight than ever before). */
    private void growSlotState(int capacity) {
        int old = states.length;
        states = Arrays.copyOf(states, capacity);
        results = Arrays.copyOf(results, capacity);
        connecting = Arrays.copyOf(connecting, capacity);
        int[] ring = new int[capacity];
        for (int i = 0; i < readyCount; i++) {
            ring[i] = readyRing[(readyHead + i) & (old - 1)];
        }
        readyRing = ring;
        readyHead = 0;
    }

    /** Grows the descriptor table to cover descriptor numbers below {@code capacity}. */
    private void growDescriptors(int capacity) {
        int old = readers.length;
        readers = Arrays.copyOf(readers, capacity);
        writers = Arrays.copyOf(writers, capacity);
        registered = Arrays.copyOf(registered, capacity);
        drained = Arrays.copyOf(drained, capacity);
        hungUp = Arrays.copyOf(hungUp, capacity);
        fdGenerations = Arrays.copyOf(fdGenerations, capacity);
        Arrays.fill(readers, old, capacity, NONE);
        Arrays.fill(writers, old, capacity, NONE);
    }

    private static long token(int fd, int generation) {
        return ((long) generation << 32) | (fd & 0xFFFF_FFFFL);
    }

    /** Receives the poller's events; one instance per driver, so a wait allocates nothing. */
    private final class Events implements Poller.Sink {
        @Override
        public void ready(long token, int pollEvents) {
            int fd = registeredFd(token);
            if (fd >= 0) {
                onReady(fd, pollEvents);
            }
        }

        @Override
        public void failed(long token, int errno) {
            int fd = registeredFd(token);
            if (fd >= 0) {
                registered[fd] = false; // the next operation that waits registers it again
                // Qualified: this class's own ready(long, int) would take the slot for a token.
                if (readers[fd] != NONE) {
                    ReadinessDriver.this.ready(readers[fd], -errno);
                }
                if (writers[fd] != NONE) {
                    ReadinessDriver.this.ready(writers[fd], -errno);
                }
            }
        }

        /**
         * The descriptor of {@code token}, or -1 for a stale token: one of a descriptor that was detached
         * (and whose number was perhaps reused) since.
         */
        private int registeredFd(long token) {
            int fd = (int) token;
            boolean live = fd >= 0 && fd < readers.length && registered[fd] && fdGenerations[fd] == (int) (token >>> 32);
            return live ? fd : -1;
        }

        @Override
        public void woken() {
            wakeGate.drained();
        }
    }
}
