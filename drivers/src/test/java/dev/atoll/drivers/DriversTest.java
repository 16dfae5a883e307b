package dev.atoll.drivers;

import dev.atoll.config.DriverKind;
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
    void autoOnMacosHasNoDriverYet() {
        String message = unavailable(DriverKind.AUTO, MACOS);
        assertTrue(message.contains("kqueue") && message.contains("not built yet"), message);
    }

    @Test
    void epollForcedOnMacosNeedsLinux() {
        assertTrue(unavailable(DriverKind.EPOLL, MACOS).startsWith("atoll.driver = epoll needs Linux; this is macos (aarch64)"));
    }

    @Test
    void ioUringAndKqueueAreNotInThisBuild() {
        for (Platform platform : List.of(LINUX, MACOS)) {
            assertTrue(unavailable(DriverKind.IO_URING, platform)
                    .startsWith("atoll.driver = io_uring: the io_uring driver is not available in this build"));
            assertTrue(unavailable(DriverKind.KQUEUE, platform)
                    .startsWith("atoll.driver = kqueue: the kqueue driver is not available in this build"));
        }
    }

    @Test
    void otherSystemsHaveNoDriver() {
        assertTrue(unavailable(DriverKind.AUTO, OTHER).contains("no I/O driver"));
        assertTrue(unavailable(DriverKind.EPOLL, OTHER).startsWith("atoll.driver = epoll needs Linux"));
    }
}
