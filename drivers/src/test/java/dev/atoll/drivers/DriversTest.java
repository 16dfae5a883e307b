package dev.atoll.drivers;

import dev.atoll.config.DriverKind;
import dev.atoll.drivers.uring.IoUringSupport;
import dev.atoll.drivers.kqueue.KqueueDriver;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DriversTest {
    private static final Platform LINUX = platform(Os.LINUX, Arch.X86_64);
    private static final Platform MACOS = platform(Os.MACOS, Arch.AARCH64);
    private static final Platform OTHER = platform(Os.OTHER, Arch.OTHER);

    private static Platform platform(Os os, Arch arch) {
        return Platform.of(os, arch, 4096, 64, List.of(0, 1), "test", OptionalInt.empty(), OptionalInt.empty());
    }

    private static final IoUringSupport URING = new IoUringSupport(true, "probe passed", 0, new BitSet());
    private static final IoUringSupport NO_URING = new IoUringSupport(false,
            "io_uring_setup(8, flags 0x3380) failed: errno 1 (EPERM)", 0, new BitSet());

    private static String unavailable(DriverKind requested, Platform platform) {
        return unavailable(requested, platform, URING);
    }

    private static String unavailable(DriverKind requested, Platform platform, IoUringSupport ioUring) {
        return assertThrows(DriverUnavailableException.class,
                () -> Drivers.choose(requested, platform, ioUring)).getMessage();
    }

    @Test
    void autoOnLinuxIsIoUringWhenTheProbePasses() {
        assertEquals(new DriverChoice(DriverKind.IO_URING, "atoll.driver = auto: probe passed"),
                Drivers.choose(DriverKind.AUTO, LINUX, URING));
    }

    @Test
    void autoOnLinuxFallsBackToEpollAndSaysWhy() {
        assertEquals(new DriverChoice(DriverKind.EPOLL, "atoll.driver = auto: io_uring unavailable, so epoll: "
                        + "io_uring_setup(8, flags 0x3380) failed: errno 1 (EPERM)"),
                Drivers.choose(DriverKind.AUTO, LINUX, NO_URING));
    }

    @Test
    void ioUringForcedWhereItCannotWorkIsAClearError() {
        String message = unavailable(DriverKind.IO_URING, LINUX, NO_URING);
        assertTrue(message.startsWith("atoll.driver = io_uring cannot run here: io_uring_setup(8, flags 0x3380) "
                + "failed: errno 1 (EPERM); use atoll.driver = auto"), message);
    }

    @Test
    void ioUringForcedOnLinux() {
        assertEquals(new DriverChoice(DriverKind.IO_URING, "atoll.driver = io_uring: probe passed"),
                Drivers.choose(DriverKind.IO_URING, LINUX, URING));
    }

    @Test
    void epollForcedOnLinux() {
        assertEquals(new DriverChoice(DriverKind.EPOLL, "atoll.driver = epoll"),
                Drivers.choose(DriverKind.EPOLL, LINUX, URING));
    }

    @Test
    void autoOnMacosIsKqueue() {
        assertEquals(new DriverChoice(DriverKind.KQUEUE, "kqueue, the macOS driver"),
                Drivers.choose(DriverKind.AUTO, MACOS));
    }

    @Test
    void kqueueForcedOnMacos() {
        assertEquals(new DriverChoice(DriverKind.KQUEUE, "atoll.driver = kqueue"), Drivers.choose(DriverKind.KQUEUE, MACOS));
    }

    @Test
    void kqueueOnLinuxRunsOnLibkqueueOrSaysItIsMissing() {
        if (KqueueDriver.unavailableReason(Os.LINUX) == null) {
            assertEquals(new DriverChoice(DriverKind.KQUEUE, "atoll.driver = kqueue (libkqueue on Linux)"),
                    Drivers.choose(DriverKind.KQUEUE, LINUX));
        } else {
            String message = unavailable(DriverKind.KQUEUE, LINUX);
            assertTrue(message.startsWith("atoll.driver = kqueue: on Linux the kqueue driver needs libkqueue "
                    + "(libkqueue.so.0, Debian/Ubuntu package libkqueue0 or libkqueue0t64), which is not installed ("), message);
            assertTrue(message.endsWith("); use atoll.driver = epoll or auto"), message);
        }
    }

    @Test
    void epollForcedOnMacosNeedsLinux() {
        assertEquals("atoll.driver = epoll needs Linux; this is macos (aarch64); use atoll.driver = kqueue or auto",
                unavailable(DriverKind.EPOLL, MACOS));
    }

    @Test
    void ioUringNeedsLinux() {
        assertTrue(unavailable(DriverKind.IO_URING, MACOS, null)
                .startsWith("atoll.driver = io_uring needs Linux; this is macos (aarch64)"));
    }

    @Test
    void otherSystemsHaveNoDriver() {
        assertTrue(unavailable(DriverKind.AUTO, OTHER).contains("no I/O driver"));
        assertTrue(unavailable(DriverKind.EPOLL, OTHER).startsWith("atoll.driver = epoll needs Linux"));
        assertTrue(unavailable(DriverKind.KQUEUE, OTHER).startsWith("atoll.driver = kqueue: no kqueue on "));
    }
}
