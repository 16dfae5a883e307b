package dev.atoll.drivers.epoll;

import dev.atoll.drivers.PollEvents;
import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.ErrnoException;
import dev.atoll.drivers.ffi.LibC;
import dev.atoll.drivers.ffi.LinuxLibC;
import dev.atoll.drivers.readiness.Poller;
import dev.atoll.drivers.readiness.SyscallCounter;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import static dev.atoll.drivers.ffi.LinuxConstants.EAGAIN;
import static dev.atoll.drivers.ffi.LinuxConstants.EFD_CLOEXEC;
import static dev.atoll.drivers.ffi.LinuxConstants.EFD_NONBLOCK;
import static dev.atoll.drivers.ffi.LinuxConstants.EINTR;
import static dev.atoll.drivers.ffi.LinuxConstants.ENOSYS;
import static dev.atoll.drivers.ffi.LinuxConstants.EPOLLERR;
import static dev.atoll.drivers.ffi.LinuxConstants.EPOLLHUP;
import static dev.atoll.drivers.ffi.LinuxConstants.EPOLLIN;
import static dev.atoll.drivers.ffi.LinuxConstants.EPOLLET;
import static dev.atoll.drivers.ffi.LinuxConstants.EPOLLRDHUP;
import static dev.atoll.drivers.ffi.LinuxConstants.EPOLLOUT;
import static dev.atoll.drivers.ffi.LinuxConstants.EPOLL_CLOEXEC;
import static dev.atoll.drivers.ffi.LinuxConstants.EPOLL_CTL_ADD;
import static dev.atoll.drivers.ffi.LinuxConstants.EPOLL_CTL_DEL;
import static dev.atoll.drivers.ffi.LinuxConstants.EPOLL_CTL_MOD;
import static dev.atoll.drivers.ffi.LinuxLibC.EPOLL_EVENT;
import static dev.atoll.drivers.ffi.LinuxLibC.EPOLL_EVENT_DATA;
import static dev.atoll.drivers.ffi.LinuxLibC.EPOLL_EVENT_EVENTS;

/**
 * epoll behind the {@link Poller} interface: edge-triggered interest ({@code EPOLLET}), an eventfd for
 * wake-ups, and {@code epoll_pwait2} for waits finer than a millisecond where the C library and kernel
 * have it ({@code epoll_wait} with the timeout rounded up otherwise, so a timer never fires early).
 */
final class EpollPoller implements Poller {
    private static final long WAKE_TOKEN = -1L;
    /** Both directions and the peer's half-close, edge-triggered: registered once per descriptor. */
    private static final int INTEREST = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    private static final int MAX_EVENTS = 256;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** Shared: {@link #signal()} passes {@link #one} and {@link #signalErrno} to a downcall on any thread. */
    private final Arena arena;
    private final MemorySegment errno;
    /** Wakers on several threads may share it; they only race on the errno of a failed write. */
    private final MemorySegment signalErrno;
    private final MemorySegment events;
    private final MemorySegment event;
    private final MemorySegment timeout;
    private final MemorySegment one;
    private final MemorySegment drained;
    private final int epfd;
    private final int wakeFd;
    private final SyscallCounter syscalls = new SyscallCounter();
    private boolean pwait2 = LinuxLibC.hasEpollPwait2();
    private boolean closed;

    private EpollPoller(Arena arena, int epfd, int wakeFd) {
        this.arena = arena;
        this.epfd = epfd;
        this.wakeFd = wakeFd;
        errno = Errno.allocate(arena);
        signalErrno = Errno.allocate(arena);
        events = arena.allocate(EPOLL_EVENT, MAX_EVENTS);
        event = arena.allocate(EPOLL_EVENT);
        timeout = arena.allocate(LinuxLibC.TIMESPEC);
        one = arena.allocateFrom(JAVA_LONG, 1L);
        drained = arena.allocate(JAVA_LONG);
    }

    /** Creates the epoll instance and its eventfd; call on the shard thread. */
    static EpollPoller open() {
        Arena arena = Arena.ofShared();
        MemorySegment errno = Errno.allocate(arena);
        int epfd = LinuxLibC.epollCreate1(errno, EPOLL_CLOEXEC);
        if (epfd < 0) {
            arena.close();
            throw new ErrnoException("epoll_create1(EPOLL_CLOEXEC)", -epfd);
        }
        int wakeFd = LinuxLibC.eventfd(errno, 0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (wakeFd < 0) {
            LibC.close(errno, epfd);
            arena.close();
            throw new ErrnoException("eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)", -wakeFd);
        }
        EpollPoller poller = new EpollPoller(arena, epfd, wakeFd);
        // Level-triggered: reported until drained, so a wake is never lost between waits.
        int r = poller.control(EPOLL_CTL_ADD, wakeFd, EPOLLIN, WAKE_TOKEN);
        if (r < 0) {
            poller.close();
            throw new ErrnoException("epoll_ctl(ADD, fd=" + wakeFd + ")", -r);
        }
        return poller;
    }

    @Override
    public int register(int fd, long token) {
        return control(EPOLL_CTL_ADD, fd, INTEREST, token);
    }

    @Override
    public int rearm(int fd, long token) {
        return control(EPOLL_CTL_MOD, fd, INTEREST, token); // MOD re-evaluates readiness and reports it
    }

    @Override
    public int deregister(int fd) {
        syscalls.add(1);
        return LinuxLibC.epollCtl(errno, epfd, EPOLL_CTL_DEL, fd, MemorySegment.NULL);
    }

    @Override
    public void await(long timeoutNanos, Sink sink) {
        int n = waitOnce(timeoutNanos);
        if (n == -EINTR) {
            return;
        }
        if (n < 0) {
            throw new ErrnoException("epoll_wait(epfd=" + epfd + ")", -n);
        }
        for (int i = 0; i < n; i++) {
            long offset = i * EPOLL_EVENT.byteSize();
            int ready = (int) EPOLL_EVENT_EVENTS.get(events, offset);
            long token = (long) EPOLL_EVENT_DATA.get(events, offset);
            if (token == WAKE_TOKEN) {
                drainWake();
                sink.woken();
            } else {
                sink.ready(token, toPollEvents(ready));
            }
        }
    }

    private int waitOnce(long timeoutNanos) {
        syscalls.add(1);
        if (timeoutNanos > 0 && pwait2) {
            LinuxLibC.TIMESPEC_SEC.set(timeout, 0L, timeoutNanos / NANOS_PER_SECOND);
            LinuxLibC.TIMESPEC_NSEC.set(timeout, 0L, timeoutNanos % NANOS_PER_SECOND);
            int n = LinuxLibC.epollPwait2(errno, epfd, events, MAX_EVENTS, timeout);
            if (n != -ENOSYS) {
                return n;
            }
            pwait2 = false; // the kernel is older than 5.11
            syscalls.add(1);
        }
        return LinuxLibC.epollWait(errno, epfd, events, MAX_EVENTS, timeoutMillis(timeoutNanos));
    }

    /** Whole milliseconds, rounded up so the wait is never shorter than asked; -1 for no limit. */
    static int timeoutMillis(long timeoutNanos) {
        if (timeoutNanos < 0) {
            return -1;
        }
        long millis = timeoutNanos / NANOS_PER_MILLI + (timeoutNanos % NANOS_PER_MILLI != 0 ? 1 : 0);
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }

    private void drainWake() {
        syscalls.add(1);
        long r = LibC.read(errno, wakeFd, drained, drained.byteSize());
        if (r < 0 && r != -EAGAIN) {
            throw new ErrnoException("read(eventfd=" + wakeFd + ")", (int) -r);
        }
    }

    @Override
    public void signal() {
        long r = LibC.write(signalErrno, wakeFd, one, one.byteSize());
        // EAGAIN: the counter is near its maximum, so the descriptor is readable anyway.
        if (r < 0 && r != -EAGAIN) {
            throw new ErrnoException("write(eventfd=" + wakeFd + ")", (int) -r);
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
        LibC.close(errno, wakeFd);
        LibC.close(errno, epfd);
        arena.close();
    }

    private int control(int op, int fd, int mask, long token) {
        EPOLL_EVENT_EVENTS.set(event, 0L, mask);
        EPOLL_EVENT_DATA.set(event, 0L, token);
        syscalls.add(1);
        return LinuxLibC.epollCtl(errno, epfd, op, fd, event);
    }

    private static int toPollEvents(int epollEvents) {
        // The peer's half-close (RDHUP) is readable (the end of stream) and a hang-up of the input side.
        return ((epollEvents & (EPOLLIN | EPOLLRDHUP)) != 0 ? PollEvents.READABLE : 0)
                | ((epollEvents & EPOLLOUT) != 0 ? PollEvents.WRITABLE : 0)
                | ((epollEvents & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) != 0 ? PollEvents.HANGUP : 0);
    }
}
