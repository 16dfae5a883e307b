package dev.atoll.drivers.ffi;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * POSIX functions common to Linux and macOS. Each takes an errno capture segment
 * ({@link Errno#allocate}) first and returns its result, or {@code -errno} when the call returned -1.
 */
public final class LibC {
    private static final MethodHandle CLOSE = Ffi.errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ =
            Ffi.errnoCall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE =
            Ffi.errnoCall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    /** {@code int fcntl(int fd, int cmd, ...)}: variadic from the third argument. */
    private static final MethodHandle FCNTL = Ffi.errnoCall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SYSCONF = Ffi.plainCall("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));

    private LibC() {
    }

    public static int close(MemorySegment errno, int fd) {
        try {
            return (int) CLOSE.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    public static long read(MemorySegment errno, int fd, MemorySegment buffer, long count) {
        try {
            return (long) READ.invokeExact(errno, fd, buffer, count);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    public static long write(MemorySegment errno, int fd, MemorySegment buffer, long count) {
        try {
            return (long) WRITE.invokeExact(errno, fd, buffer, count);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code fcntl} with an {@code int} argument (or none: pass 0), e.g. {@code F_GETFL}, {@code F_SETFL}. */
    public static int fcntl(MemorySegment errno, int fd, int cmd, int arg) {
        try {
            return (int) FCNTL.invokeExact(errno, fd, cmd, arg);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code sysconf(name)}; -1 when the value is unknown or the name unsupported (errno is not needed). */
    public static long sysconf(int name) {
        try {
            return (long) SYSCONF.invokeExact(name);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }
}
