package dev.atoll.drivers;

import dev.atoll.config.AtollSettings;
import dev.atoll.config.DriverKind;
import dev.atoll.drivers.epoll.EpollDriver;
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
            case KQUEUE -> KqueueDriver.open(Kqueue.Flavor.of(platform.os()));
            case AUTO, IO_URING -> throw new IllegalStateException("no implementation for " + choice);
        };
    }

    /**
     * Which driver to run for {@code atoll.driver = requested} on {@code platform}: pure, except that kqueue on
     * Linux looks whether libkqueue can be loaded.
     */
    public static DriverChoice choose(DriverKind requested, Platform platform) {
        Os os = platform.os();
        return switch (requested) {
            case AUTO -> switch (os) {
                case LINUX -> new DriverChoice(DriverKind.EPOLL, "io_uring driver not built yet; epoll");
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
            case IO_URING -> throw new DriverUnavailableException("atoll.driver = io_uring: the io_uring driver is "
                    + "not available in this build yet" + (os == Os.LINUX ? "; use atoll.driver = epoll or auto" : ""));
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
