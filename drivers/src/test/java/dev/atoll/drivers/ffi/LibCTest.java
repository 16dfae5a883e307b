package dev.atoll.drivers.ffi;

import dev.atoll.drivers.Arch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

@EnabledOnOs(OS.LINUX)
class LibCTest {

    @Test
    void failedCallsReturnMinusErrno() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(arena);
            assertEquals(-LinuxConstants.EBADF, LibC.close(errno, -1));
            assertEquals(-LinuxConstants.EBADF, LinuxLibC.epollCtl(errno, -1, LinuxConstants.EPOLL_CTL_DEL, 0,
                    MemorySegment.NULL));
        }
    }

    @Test
    void errnoExceptionNamesTheCallAndTheErrno() {
        ErrnoException e = new ErrnoException("epoll_ctl(ADD, fd=12)", LinuxConstants.EBADF);
        assertEquals("epoll_ctl(ADD, fd=12) failed: errno 9 (EBADF)", e.getMessage());
        assertEquals(9, e.errno());
        assertEquals("epoll_ctl(ADD, fd=12)", e.call());
        assertEquals("ECANCELED", Errno.name(125));
        assertEquals("?", Errno.name(4095));
    }

    @Test
    void variadicFcntlReadsThePipeFlags() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(arena);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            assertEquals(0, LinuxLibC.pipe2(errno, fds, LinuxConstants.O_NONBLOCK | LinuxConstants.O_CLOEXEC));
            int read = fds.getAtIndex(JAVA_INT, 0);
            int write = fds.getAtIndex(JAVA_INT, 1);
            try {
                assertNotEquals(0, LibC.fcntl(errno, read, LinuxConstants.F_GETFL, 0) & LinuxConstants.O_NONBLOCK);
                assertEquals(LinuxConstants.FD_CLOEXEC,
                        LibC.fcntl(errno, write, LinuxConstants.F_GETFD, 0) & LinuxConstants.FD_CLOEXEC);
            } finally {
                LibC.close(errno, read);
                LibC.close(errno, write);
            }
        }
    }

    @Test
    void epollEventLayoutMatchesTheArchitecture() {
        boolean x86 = Arch.current() == Arch.X86_64;
        assertEquals(x86 ? 12 : 16, LinuxLibC.EPOLL_EVENT.byteSize());
        assertEquals(x86 ? 4 : 8, LinuxLibC.EPOLL_EVENT.byteOffset(
                MemoryLayout.PathElement.groupElement("data")));
        assertEquals(128, LinuxLibC.CPU_SET.byteSize());
    }

    @Test
    void macosBindingsAreNotLinkedOnLinux() {
        // Loading and initialising the class must not look up macOS-only symbols.
        assertDoesNotThrow(() -> Class.forName(MacosLibC.class.getName(), true, getClass().getClassLoader()));
    }
}
