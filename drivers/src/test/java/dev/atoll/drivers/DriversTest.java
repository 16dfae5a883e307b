package dev.atoll.drivers;

import dev.atoll.config.DriverKind;
import dev.atoll.drivers.kqueue.KqueueDriver;
import org.junit.jupiter.api.Test;

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

    private static String unavailable(DriverKind requested, Platform platform) {
        return assertThrows(DriverUnavailableException.class, () -> Drivers.choose(requested, platform)).getMessage();
    }

    @Test
    void autoOnLinuxIsEpollUntilIoUringIsBuilt() {
        assertEquals(new DriverChoice(DriverKind.EPOLL, "io_uring driver not built yet; epoll"),
                Drivers.choose(DriverKind.AUTO, LINUX));
    }

    @Test
    void epollForcedOnLinux() {
        assertEquals(new DriverChoice(DriverKind.EPOLL, "atoll.driver = epoll"), Drivers.choose(DriverKind.EPOLL, LINUX));
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
    void ioUringIsNotInThisBuild() {
        for (Platform platform : List.of(LINUX, MACOS)) {
            assertTrue(unavailable(DriverKind.IO_URING, platform)
                    .startsWith("atoll.driver = io_uring: the io_uring driver is not available in this build"));
        }
    }

    @Test
    void otherSystemsHaveNoDriver() {
        assertTrue(unavailable(DriverKind.AUTO, OTHER).contains("no I/O driver"));
        assertTrue(unavailable(DriverKind.EPOLL, OTHER).startsWith("atoll.driver = epoll needs Linux"));
        assertTrue(unavailable(DriverKind.KQUEUE, OTHER).startsWith("atoll.driver = kqueue: no kqueue on "));
    }
}
