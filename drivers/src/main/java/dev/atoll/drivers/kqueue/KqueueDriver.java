package dev.atoll.drivers.kqueue;

import dev.atoll.config.DriverKind;
import dev.atoll.drivers.DriverUnavailableException;
import dev.atoll.drivers.Os;
import dev.atoll.drivers.ffi.Kqueue;
import dev.atoll.drivers.ffi.KqueueCalls;
import dev.atoll.drivers.readiness.ReadinessDriver;

/**
 * The readiness driver of macOS: kqueue with edge-triggered ({@code EV_CLEAR}) interest, the change
 * list carried by the same {@code kevent} call that waits, and {@code EVFILT_USER} wake-ups. On Linux
 * the same driver runs on libkqueue ({@code libkqueue.so.0}) when it is installed, which is how its
 * logic is exercised off macOS. Open it on the shard thread that will drive it.
 */
public final class KqueueDriver extends ReadinessDriver {
    private static final int INITIAL_OPERATIONS = 256;

    private KqueueDriver(KqueuePoller poller) {
        super(poller, INITIAL_OPERATIONS);
    }

    /**
     * Creates a kqueue of {@code flavor} and its wake-up event, on the calling (shard) thread.
     *
     * @throws DriverUnavailableException when the flavour's library cannot be loaded
     */
    public static KqueueDriver open(Kqueue.Flavor flavor) {
        Kqueue kqueue;
        try {
            kqueue = Kqueue.load(flavor);
        } catch (UnsatisfiedLinkError e) {
            throw new DriverUnavailableException("atoll.driver = kqueue: " + e.getMessage(), e);
        }
        return open(kqueue);
    }

    /** Over any implementation of the kqueue calls (tests script them). */
    static KqueueDriver open(KqueueCalls calls) {
        return new KqueueDriver(KqueuePoller.open(calls));
    }

    /**
     * Why the kqueue driver cannot run on {@code os}, or null when it can: always on macOS (kqueue is
     * part of the system), on Linux only with libkqueue installed (that is probed: the library is loaded).
     */
    public static String unavailableReason(Os os) {
        Kqueue.Flavor flavor = Kqueue.Flavor.of(os);
        if (flavor == null) {
            return "no kqueue on " + System.getProperty("os.name") + "; it exists on macOS, and on Linux through libkqueue";
        }
        if (flavor == Kqueue.Flavor.MACOS) {
            return null;
        }
        try {
            Kqueue.load(flavor);
            return null;
        } catch (UnsatisfiedLinkError e) {
            return "on Linux the kqueue driver needs libkqueue (" + flavor.library() + ", Debian/Ubuntu package "
                    + "libkqueue0 or libkqueue0t64), which is not installed (" + e.getMessage()
                    + "); use atoll.driver = epoll or auto";
        }
    }

    @Override
    public DriverKind kind() {
        return DriverKind.KQUEUE;
    }
}
