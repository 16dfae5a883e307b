package dev.atoll.drivers;

import dev.atoll.config.AtollSettings;
import dev.atoll.config.DriverKind;
import dev.atoll.drivers.epoll.EpollDriver;
import dev.atoll.drivers.uring.IoUringDriver;
import dev.atoll.drivers.uring.IoUringSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/** Opens the {@link Driver} that {@code atoll.driver} asks for, or says clearly why it cannot. */
public final class Drivers {
    private static final Logger LOG = LoggerFactory.getLogger(Drivers.class);
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    private Drivers() {
    }

    /**
     * Opens a driver for the calling shard thread. The choice is logged once per process.
     *
     * @throws DriverUnavailableException when the requested driver cannot run here
     */
    public static Driver open(AtollSettings settings) {
        Platform platform = Platform.current();
        DriverChoice choice = choose(settings.driver(), platform);
        if (LOGGED.compareAndSet(false, true)) {
            LOG.info("I/O driver {}: {} ({})", choice.kind().displayName(), choice.reason(), platform.describe());
        }
        return switch (choice.kind()) {
            case EPOLL -> EpollDriver.open();
            case IO_URING -> IoUringDriver.open(settings.ioUring());
            case AUTO, KQUEUE -> throw new IllegalStateException("no implementation for " + choice);
        };
    }

    /** Which driver to run for {@code atoll.driver = requested} on {@code platform}, probing io_uring on Linux. */
    public static DriverChoice choose(DriverKind requested, Platform platform) {
        return choose(requested, platform, platform.os() == Os.LINUX ? IoUringSupport.current() : null);
    }

    /** As {@link #choose(DriverKind, Platform)} with the io_uring probe's result given; pure. */
    static DriverChoice choose(DriverKind requested, Platform platform, IoUringSupport ioUring) {
        Os os = platform.os();
        return switch (requested) {
            case AUTO -> switch (os) {
                case LINUX -> ioUring.available()
                        ? new DriverChoice(DriverKind.IO_URING, "atoll.driver = auto: " + ioUring.reason())
                        : new DriverChoice(DriverKind.EPOLL, "atoll.driver = auto: io_uring unavailable, so epoll: "
                                + ioUring.reason());
                case MACOS -> throw new DriverUnavailableException("atoll.driver = auto on macOS needs the kqueue "
                        + "driver, which is not built yet: this build has no I/O driver for macOS");
                case OTHER -> throw unsupportedOs("auto");
            };
            case EPOLL -> {
                if (os != Os.LINUX) {
                    throw new DriverUnavailableException("atoll.driver = epoll needs Linux; this is "
                            + os.displayName() + " (" + platform.arch().displayName() + ")"
                            + (os == Os.MACOS ? ", where the kqueue driver is not built yet" : ""));
                }
                yield new DriverChoice(DriverKind.EPOLL, "atoll.driver = epoll");
            }
            case IO_URING -> {
                if (os != Os.LINUX) {
                    throw new DriverUnavailableException("atoll.driver = io_uring needs Linux; this is "
                            + os.displayName() + " (" + platform.arch().displayName() + ")");
                }
                if (!ioUring.available()) {
                    throw new DriverUnavailableException("atoll.driver = io_uring cannot run here: " + ioUring.reason()
                            + "; use atoll.driver = auto (falls back to epoll) or epoll");
                }
                yield new DriverChoice(DriverKind.IO_URING, "atoll.driver = io_uring: " + ioUring.reason());
            }
            case KQUEUE -> throw new DriverUnavailableException("atoll.driver = kqueue: the kqueue driver is not "
                    + "available in this build yet" + (os == Os.LINUX ? "; use atoll.driver = epoll or auto" : ""));
        };
    }

    private static DriverUnavailableException unsupportedOs(String requested) {
        return new DriverUnavailableException("atoll.driver = " + requested + ": no I/O driver for "
                + System.getProperty("os.name") + "; Atoll runs on Linux (epoll) and, later, macOS (kqueue)");
    }
}
