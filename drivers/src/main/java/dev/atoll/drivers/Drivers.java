package dev.atoll.drivers;

import dev.atoll.config.AtollSettings;
import dev.atoll.config.DriverKind;
import dev.atoll.drivers.epoll.EpollDriver;
import dev.atoll.drivers.uring.IoUringDriver;
import dev.atoll.drivers.uring.IoUringSupport;
import dev.atoll.drivers.ffi.Kqueue;
import dev.atoll.drivers.kqueue.KqueueDriver;
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
            case KQUEUE -> KqueueDriver.open(Kqueue.Flavor.of(platform.os()));
            case AUTO -> throw new IllegalStateException("no implementation for " + choice);
        };
    }

    /**
     * Which driver to run for {@code atoll.driver = requested} on {@code platform}: probes io_uring on Linux,
     * and kqueue on Linux looks whether libkqueue can be loaded.
     */
    public static DriverChoice choose(DriverKind requested, Platform platform) {
        return choose(requested, platform, platform.os() == Os.LINUX ? IoUringSupport.current() : null);
    }

    /** As {@link #choose(DriverKind, Platform)} with the io_uring probe's result given. */
    static DriverChoice choose(DriverKind requested, Platform platform, IoUringSupport ioUring) {
        Os os = platform.os();
        return switch (requested) {
            case AUTO -> switch (os) {
                case LINUX -> ioUring.available()
                        ? new DriverChoice(DriverKind.IO_URING, "atoll.driver = auto: " + ioUring.reason())
                        : new DriverChoice(DriverKind.EPOLL, "atoll.driver = auto: io_uring unavailable, so epoll: "
                                + ioUring.reason());
                case MACOS -> new DriverChoice(DriverKind.KQUEUE, "kqueue, the macOS driver");
                case OTHER -> throw unsupportedOs("auto");
            };
            case EPOLL -> {
                if (os != Os.LINUX) {
                    throw new DriverUnavailableException("atoll.driver = epoll needs Linux; this is "
                            + os.displayName() + " (" + platform.arch().displayName() + ")"
                            + (os == Os.MACOS ? "; use atoll.driver = kqueue or auto" : ""));
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
            case KQUEUE -> {
                String missing = KqueueDriver.unavailableReason(os);
                if (missing != null) {
                    throw new DriverUnavailableException("atoll.driver = kqueue: " + missing);
                }
                yield new DriverChoice(DriverKind.KQUEUE,
                        "atoll.driver = kqueue" + (os == Os.LINUX ? " (libkqueue on Linux)" : ""));
            }
        };
    }

    private static DriverUnavailableException unsupportedOs(String requested) {
        return new DriverUnavailableException("atoll.driver = " + requested + ": no I/O driver for "
                + System.getProperty("os.name") + "; Atoll runs on Linux (epoll) and macOS (kqueue)");
    }
}
