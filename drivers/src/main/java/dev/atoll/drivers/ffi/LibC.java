package dev.atoll.drivers.ffi;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * POSIX functions common to Linux and macOS. Each takes an errno capture segment
 * ({@link Errno#allocate}) first and returns its result, or {@code -errno} when the call returned -1.
 */
public final class LibC {
    /** {@code struct timespec} on LP64 (Linux and macOS alike: two longs). */
    public static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec")).withName("timespec");
    /** {@code timespec.tv_sec}; coordinates {@code (segment, offset of the struct)}. */
    public static final VarHandle TIMESPEC_SEC = TIMESPEC.varHandle(groupElement("tv_sec"));
    /** {@code timespec.tv_nsec}; coordinates {@code (segment, offset of the struct)}. */
    public static final VarHandle TIMESPEC_NSEC = TIMESPEC.varHandle(groupElement("tv_nsec"));

    private static final MethodHandle CLOSE = Ffi.errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ =
            Ffi.errnoCall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE =
            Ffi.errnoCall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    /** {@code int fcntl(int fd, int cmd, ...)}: variadic from the third argument. */
    private static final MethodHandle FCNTL = Ffi.errnoCall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    /** {@code int open(const char *path, int flags, ...)}: the mode is the first variadic argument. */
    private static final MethodHandle OPEN = Ffi.errnoCall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle PREAD =
            Ffi.errnoCall("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle PWRITE =
            Ffi.errnoCall("pwrite", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FSYNC = Ffi.errnoCall("fsync", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** Absent from some C libraries; {@link #fdatasync} falls back to {@code fsync} there. */
    private static final MethodHandle FDATASYNC =
            Ffi.optionalErrnoCall("fdatasync", FunctionDescriptor.of(JAVA_INT, JAVA_INT)).orElse(FSYNC);
    private static final MethodHandle LSEEK =
            Ffi.errnoCall("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SYSCONF = Ffi.plainCall("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    /** {@code int pipe(int fds[2])}: the portable one (macOS has no {@code pipe2}); flags are set with fcntl. */
    private static final MethodHandle PIPE = Ffi.errnoCall("pipe", FunctionDescriptor.of(JAVA_INT, ADDRESS));

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

    /** {@code open(path, flags, mode)}; {@code path} is a NUL-terminated string. */
    public static int open(MemorySegment errno, MemorySegment path, int flags, int mode) {
        try {
            return (int) OPEN.invokeExact(errno, path, flags, mode);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /**
     * {@code pread} into the memory at {@code buffer} (a raw address: its owner keeps it alive for the
     * call; a slice per call would allocate).
     */
    public static long pread(MemorySegment errno, int fd, long buffer, long count, long offset) {
        try {
            return (long) PREAD.invokeExact(errno, fd, buffer, count, offset);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code pwrite} from the memory at {@code buffer}, as {@link #pread}. */
    public static long pwrite(MemorySegment errno, int fd, long buffer, long count, long offset) {
        try {
            return (long) PWRITE.invokeExact(errno, fd, buffer, count, offset);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    public static int fsync(MemorySegment errno, int fd) {
        try {
            return (int) FSYNC.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    public static int fdatasync(MemorySegment errno, int fd) {
        try {
            return (int) FDATASYNC.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    public static long lseek(MemorySegment errno, int fd, long offset, int whence) {
        try {
            return (long) LSEEK.invokeExact(errno, fd, offset, whence);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code pipe(fds)}: {@code fds} holds two ints, the read end first; both blocking, inherited by exec. */
    public static int pipe(MemorySegment errno, MemorySegment fds) {
        try {
            return (int) PIPE.invokeExact(errno, fds);
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
