package dev.atoll.drivers.readiness;

/**
 * The OS-specific half of a readiness driver (epoll, kqueue): edge-triggered interest in descriptors,
 * one wait that reports what became ready, and a wake-up descriptor. {@link ReadinessDriver} holds all
 * the logic on top. Everything except {@link #signal()} runs on the shard thread.
 */
public interface Poller {

    /** Receives what one {@link #await} found. */
    interface Sink {
        /** The descriptor registered with {@code token} became ready; {@code pollEvents} holds {@code PollEvents} bits. */
        void ready(long token, int pollEvents);

        /** The wake-up descriptor fired and has been drained (re-armed). */
        void woken();

        /**
         * The registration that carried {@code token} failed after {@link #register} had returned 0 (a
         * poller that applies its changes in the next wait, as kqueue does, learns errors only then): the
         * descriptor is not registered, and what waits on it should fail with {@code errno}.
         */
        void failed(long token, int errno);
    }

    /**
     * Registers edge-triggered interest in {@code fd} becoming readable, writable or hung up; events
     * carry {@code token}. The current readiness is reported once by the next wait; after that only
     * changes are. A poller may apply the registration in its next wait and report a failure then,
     * through {@link Sink#failed}.
     *
     * @return 0, or {@code -errno}
     */
    int register(int fd, long token);

    /** Makes the next wait report {@code fd}'s current readiness again (and carry {@code token}); 0 or {@code -errno}. */
    int rearm(int fd, long token);

    /** Removes the interest registered for {@code fd}; returns 0 or {@code -errno}. */
    int deregister(int fd);

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
