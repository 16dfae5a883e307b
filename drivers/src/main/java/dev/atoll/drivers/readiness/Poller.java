package dev.atoll.drivers.readiness;

/**
 * The OS-specific half of a readiness driver (epoll, kqueue): one-shot interest in descriptors, one
 * wait that reports what became ready, and a wake-up descriptor. {@link ReadinessDriver} holds all the
 * logic on top. Everything except {@link #signal()} runs on the shard thread.
 */
public interface Poller {

    /** Receives what one {@link #await} found. */
    interface Sink {
        /** Descriptor armed with {@code token} is ready; {@code pollEvents} holds {@code PollEvents} bits. */
        void ready(long token, int pollEvents);

        /** The wake-up descriptor fired and has been drained (re-armed). */
        void woken();
    }

    /**
     * Arms one-shot interest in {@code fd} for {@code PollEvents} bits; the event carries {@code token}.
     *
     * @return 0, or {@code -errno}
     */
    int arm(int fd, int pollEvents, long token);

    /** Removes the interest armed on {@code fd}; returns 0 or {@code -errno}. */
    int disarm(int fd);

    /**
     * Waits up to {@code timeoutNanos} (0: do not wait; negative: no limit; never shorter than asked
     * unless something happened) in one system call and reports every event to {@code sink}.
     */
    void await(long timeoutNanos, Sink sink);

    /** Makes the current or next {@link #await} return; callable from any thread. */
    void signal();

    /** System calls made by the shard thread (not by {@link #signal()}). */
    long syscalls();

    /** Closes the descriptors and frees the memory of this poller. */
    void close();
}
