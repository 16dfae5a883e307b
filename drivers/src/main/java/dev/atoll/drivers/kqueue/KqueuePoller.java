package dev.atoll.drivers.kqueue;

import dev.atoll.drivers.PollEvents;
import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.ErrnoException;
import dev.atoll.drivers.ffi.Kqueue;
import dev.atoll.drivers.ffi.KqueueCalls;
import dev.atoll.drivers.ffi.LibC;
import dev.atoll.drivers.ffi.OsConstants;
import dev.atoll.drivers.readiness.Poller;
import dev.atoll.drivers.readiness.SyscallCounter;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.atoll.drivers.ffi.Kqueue.EVFILT_READ;
import static dev.atoll.drivers.ffi.Kqueue.EVFILT_WRITE;
import static dev.atoll.drivers.ffi.Kqueue.EV_ADD;
import static dev.atoll.drivers.ffi.Kqueue.EV_CLEAR;
import static dev.atoll.drivers.ffi.Kqueue.EV_DELETE;
import static dev.atoll.drivers.ffi.Kqueue.EV_EOF;
import static dev.atoll.drivers.ffi.Kqueue.EV_ERROR;
import static dev.atoll.drivers.ffi.Kqueue.EV_RECEIPT;
import static dev.atoll.drivers.ffi.Kqueue.KEVENT;
import static dev.atoll.drivers.ffi.Kqueue.NOTE_FFNOP;
import static dev.atoll.drivers.ffi.Kqueue.NOTE_TRIGGER;

/**
 * kqueue behind the {@link Poller} interface.
 *
 * <p>Interest is edge-triggered ({@code EV_CLEAR}), one {@code EVFILT_READ} and one {@code EVFILT_WRITE}
 * per descriptor. Registrations and re-arms are not system calls: they are appended to a change list
 * that the next {@link #await} hands to the same {@code kevent} call that waits, so a loop iteration
 * costs one system call however many connections it registered. A change that fails comes back from
 * that call as an {@code EV_ERROR} entry and is reported to the {@link Sink} ({@code EPIPE}, which old
 * macOS gives for a write filter on a socket that cannot send any more, as a hang-up; anything else as
 * a failed registration). The event list always has room for one entry per change, because without
 * room the kernel fails the whole call and drops the changes after the failing one.
 *
 * <p>{@link #deregister} is the one change applied at once: the driver calls it just before the owner
 * closes the descriptor, and libkqueue keeps stale state for a descriptor closed before its
 * {@code EV_DELETE} (the kernel's kqueue would report {@code ENOENT} for a late delete, which ends the
 * next wait early). Wake-ups are an {@code EVFILT_USER} event (ident 0, {@code EV_CLEAR}, so it re-arms
 * when reported) triggered with {@code NOTE_TRIGGER} from any thread.
 */
final class KqueuePoller implements Poller {
    /** Events one wait can report, and the change list's starting size (both grow together). */
    static final int INITIAL_CAPACITY = 256;
    /** Darwin fails a wait longer than about 10^8 s with EINVAL; Go's runtime clamps to 10^6 s, as here. */
    static final long MAX_TIMEOUT_SECONDS = 1_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long WAKE_IDENT = 0;

    private final KqueueCalls calls;
    private final short evfiltUser;
    private final int kq;
    /** Shared: {@link #signal()} passes {@link #trigger} and {@link #signalErrno} to a downcall on any thread. */
    private final Arena arena;
    private final MemorySegment errno;
    /** Wakers on several threads may share it; they only race on the errno of a failed trigger. */
    private final MemorySegment signalErrno;
    /** The {@code NOTE_TRIGGER} change; written once here, only read by the kernel afterwards. */
    private final MemorySegment trigger;
    private final MemorySegment timeout;
    /** Changes applied at once (the wake registration, the two deletes of {@link #deregister}), and their receipts. */
    private final MemorySegment immediate;
    private final MemorySegment receipts;
    private final SyscallCounter syscalls = new SyscallCounter();

    /** Where the lists live; replaced (and the old one closed) when they grow. Shard thread only. */
    private Arena listArena;
    private MemorySegment changes;
    private MemorySegment events;
    /** Entries of both lists; the event list must hold an error entry for every change. */
    private int capacity;
    private int changeCount;
    private boolean closed;

    private KqueuePoller(KqueueCalls calls, int kq, Arena arena) {
        this.calls = calls;
        this.evfiltUser = calls.flavor().evfiltUser();
        this.kq = kq;
        this.arena = arena;
        errno = Errno.allocate(arena);
        signalErrno = Errno.allocate(arena);
        trigger = arena.allocate(KEVENT);
        Kqueue.set(trigger, 0, WAKE_IDENT, evfiltUser, EV_ADD, NOTE_TRIGGER, 0L);
        timeout = arena.allocate(LibC.TIMESPEC);
        immediate = arena.allocate(KEVENT, 2);
        receipts = arena.allocate(KEVENT, 2);
        allocateLists(INITIAL_CAPACITY);
    }

    /** Creates the queue and registers its wake-up event; call on the shard thread. */
    static KqueuePoller open(KqueueCalls calls) {
        Arena arena = Arena.ofShared();
        MemorySegment errno = Errno.allocate(arena);
        int kq = calls.kqueue(errno);
        if (kq < 0) {
            arena.close();
            throw new ErrnoException("kqueue() (" + calls.flavor().library() + ")", -kq);
        }
        KqueuePoller poller = new KqueuePoller(calls, kq, arena);
        try {
            poller.registerWake();
        } catch (RuntimeException e) {
            poller.close();
            throw e;
        }
        return poller;
    }

    /** {@code EVFILT_USER} ident 0 with {@code EV_CLEAR}, applied at once with a receipt so a failure shows here. */
    private void registerWake() {
        Kqueue.set(immediate, 0, WAKE_IDENT, evfiltUser, EV_ADD | EV_CLEAR | EV_RECEIPT, NOTE_FFNOP, 0L);
        int n = calls.kevent(errno, kq, immediate, 1, receipts, 1, zeroTimeout());
        int error = n < 0 ? -n : n == 1 ? receiptError(0) : 0;
        if (error != 0) {
            throw new ErrnoException("kevent(EV_ADD EVFILT_USER " + evfiltUser + ") on " + calls.flavor().library(),
                    error);
        }
    }

    @Override
    public int register(int fd, long token) {
        add(fd, EVFILT_READ, token);
        add(fd, EVFILT_WRITE, token);
        return 0;
    }

    /**
     * {@code EV_ADD} on an existing registration replaces its token and re-evaluates the descriptor,
     * so its current readiness is reported again (xnu and FreeBSD call the filter's touch routine,
     * libkqueue modifies its epoll interest).
     */
    @Override
    public int rearm(int fd, long token) {
        return register(fd, token);
    }

    @Override
    public int deregister(int fd) {
        dropQueued(fd);
        Kqueue.set(immediate, 0, fd, EVFILT_READ, EV_DELETE | EV_RECEIPT, 0, 0L);
        Kqueue.set(immediate, 1, fd, EVFILT_WRITE, EV_DELETE | EV_RECEIPT, 0, 0L);
        syscalls.add(1);
        // With a receipt for every change and no room for more, the call reports and never waits.
        int n = calls.kevent(errno, kq, immediate, 2, receipts, 2, zeroTimeout());
        if (n < 0) {
            return n;
        }
        for (int i = 0; i < n; i++) {
            int error = receiptError(i);
            // ENOENT: never added (its registration was still queued) or already gone; EBADF: closed already.
            if (error != 0 && error != OsConstants.ENOENT && error != OsConstants.EBADF) {
                return -error;
            }
        }
        return 0;
    }

    @Override
    public void await(long timeoutNanos, Sink sink) {
        syscalls.add(1);
        int n = calls.kevent(errno, kq, changes, changeCount, events, capacity,
                timeoutNanos < 0 ? MemorySegment.NULL : timeout(timeoutNanos));
        if (n == -OsConstants.EINTR) {
            changeCount = 0; // the changes are applied before the wait that the signal interrupted
            return;
        }
        if (n < 0) {
            throw new ErrnoException("kevent(kq=" + kq + ", " + changeCount + " changes)", -n);
        }
        changeCount = 0;
        for (int i = 0; i < n; i++) {
            long offset = i * KEVENT.byteSize();
            short filter = (short) Kqueue.FILTER.get(events, offset);
            int flags = Short.toUnsignedInt((short) Kqueue.FLAGS.get(events, offset));
            long token = (long) Kqueue.UDATA.get(events, offset);
            if ((flags & EV_ERROR) != 0) {
                changeFailed(filter, errorOf(events, offset), token, sink);
            } else if (filter == evfiltUser) {
                sink.woken(); // EV_CLEAR: reporting it re-armed it
            } else {
                sink.ready(token, toPollEvents(filter, flags));
            }
        }
    }

    /** An {@code EV_ERROR} entry for one queued change ({@code errno} 0 is a plain receipt). */
    private static void changeFailed(short filter, int errno, long token, Sink sink) {
        if (errno == 0) {
            return;
        }
        if (errno == OsConstants.EPIPE) {
            // The socket cannot send any more: a hang-up; whoever waits retries and sees its own result.
            sink.ready(token, direction(filter) | PollEvents.HANGUP);
        } else {
            sink.failed(token, errno);
        }
    }

    static int toPollEvents(short filter, int flags) {
        // EV_EOF on the read filter is the peer's half-close: readable (the end of stream) and a hang-up of
        // the input side, as EPOLLRDHUP is for epoll; on the write filter the socket cannot send any more.
        return direction(filter) | ((flags & EV_EOF) != 0 ? PollEvents.HANGUP : 0);
    }

    private static int direction(short filter) {
        return filter == EVFILT_READ ? PollEvents.READABLE : filter == EVFILT_WRITE ? PollEvents.WRITABLE : 0;
    }

    @Override
    public void signal() {
        int r = calls.kevent(signalErrno, kq, trigger, 1, MemorySegment.NULL, 0, MemorySegment.NULL);
        if (r < 0) {
            throw new ErrnoException("kevent(NOTE_TRIGGER, kq=" + kq + ")", -r);
        }
    }

    @Override
    public long syscalls() {
        return syscalls.get();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        calls.close(errno, kq);
        listArena.close();
        arena.close();
    }

    /** Changes queued for the next wait (tests). */
    int queuedChanges() {
        return changeCount;
    }

    /** Entries of the change and event lists (tests). */
    int capacity() {
        return capacity;
    }

    private void add(int fd, short filter, long token) {
        if (changeCount == capacity) {
            grow();
        }
        Kqueue.set(changes, changeCount++, fd, filter, EV_ADD | EV_CLEAR, 0, token);
    }

    /** Removes the queued changes of {@code fd}: a registration that never reached the kernel needs no delete. */
    private void dropQueued(int fd) {
        int kept = 0;
        for (int i = 0; i < changeCount; i++) {
            long offset = i * KEVENT.byteSize();
            if ((long) Kqueue.IDENT.get(changes, offset) != fd) {
                if (kept != i) {
                    MemorySegment.copy(changes, offset, changes, kept * KEVENT.byteSize(), KEVENT.byteSize());
                }
                kept++;
            }
        }
        changeCount = kept;
    }

    /** Doubles both lists (rare: only when one iteration registers more descriptors than ever before). */
    private void grow() {
        Arena old = listArena;
        MemorySegment queued = changes;
        allocateLists(capacity * 2);
        MemorySegment.copy(queued, 0, changes, 0, changeCount * KEVENT.byteSize());
        old.close();
    }

    private void allocateLists(int entries) {
        listArena = Arena.ofShared(); // close() may run on another thread once the shard has stopped
        changes = listArena.allocate(KEVENT, entries);
        events = listArena.allocate(KEVENT, entries);
        capacity = entries;
    }

    private int receiptError(int index) {
        return errorOf(receipts, index * KEVENT.byteSize());
    }

    /**
     * The errno in the {@code data} of an {@code EV_ERROR} entry. The kernels store it positive; early
     * libkqueue releases stored it negated, and no errno is negative, so either reads right.
     */
    private static int errorOf(MemorySegment list, long offset) {
        return (int) Math.abs((long) Kqueue.DATA.get(list, offset));
    }

    private MemorySegment zeroTimeout() {
        return timeout(0);
    }

    /** {@code timeoutNanos} (not negative) as the timespec, its seconds clamped to {@link #MAX_TIMEOUT_SECONDS}. */
    private MemorySegment timeout(long timeoutNanos) {
        long seconds = timeoutNanos / NANOS_PER_SECOND;
        boolean clamped = seconds >= MAX_TIMEOUT_SECONDS;
        LibC.TIMESPEC_SEC.set(timeout, 0L, clamped ? MAX_TIMEOUT_SECONDS : seconds);
        LibC.TIMESPEC_NSEC.set(timeout, 0L, clamped ? 0L : timeoutNanos % NANOS_PER_SECOND);
        return timeout;
    }
}
