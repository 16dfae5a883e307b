package dev.atoll.drivers.epoll;

import dev.atoll.config.DriverKind;
import dev.atoll.drivers.readiness.ReadinessDriver;

/**
 * The Linux readiness driver: epoll with edge-triggered interest and an eventfd for wake-ups. Used where
 * io_uring is unavailable. Open it on the shard thread that will drive it.
 */
public final class EpollDriver extends ReadinessDriver {
    private static final int INITIAL_OPERATIONS = 256;

    private EpollDriver(EpollPoller poller) {
        super(poller, INITIAL_OPERATIONS);
    }

    /** Creates the epoll instance and its eventfd, on the calling (shard) thread. */
    public static EpollDriver open() {
        return new EpollDriver(EpollPoller.open());
    }

    @Override
    public DriverKind kind() {
        return DriverKind.EPOLL;
    }
}
