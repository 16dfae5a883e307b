package dev.atoll.drivers.ffi;

import java.lang.foreign.MemorySegment;

/**
 * The calls a kqueue poller makes: {@code kqueue}, {@code kevent} and {@code close}. {@link Kqueue} is
 * the real one; tests put a scripted one in its place, so the poller's logic runs without a kqueue.
 */
public interface KqueueCalls {
    /** Which kqueue this is, for its constants. */
    Kqueue.Flavor flavor();

    /** {@code kqueue()}: a new queue descriptor, or {@code -errno}. */
    int kqueue(MemorySegment errno);

    /**
     * {@code kevent(kq, changes, nchanges, events, nevents, timeout)}; {@code timeout} may be
     * {@link MemorySegment#NULL} (wait without limit). Returns the entries written to {@code events}, or
     * {@code -errno}.
     */
    int kevent(MemorySegment errno, int kq, MemorySegment changes, int nchanges, MemorySegment events,
               int nevents, MemorySegment timeout);

    /** {@code close(fd)}: 0 or {@code -errno}. */
    int close(MemorySegment errno, int fd);
}
