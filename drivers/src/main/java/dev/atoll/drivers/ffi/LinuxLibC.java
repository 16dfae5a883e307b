package dev.atoll.drivers.ffi;

import dev.atoll.drivers.Arch;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Linux-only functions (resource limits, affinity, eventfd, epoll, pipe2, accept4, mmap, the io_uring system calls) and
 * the layouts of their structs. Each
 * function takes an errno capture segment ({@link Errno#allocate}) first and returns its result, or
 * {@code -errno} when the call returned -1. Linked when this class is first used, so only on Linux.
 */
public final class LinuxLibC {
    /**
     * {@code struct epoll_event { uint32_t events; epoll_data_t data; }}: packed on x86_64 (12 bytes,
     * data at 4), naturally aligned elsewhere (16 bytes, data at 8).
     */
    public static final StructLayout EPOLL_EVENT = Arch.current() == Arch.X86_64
            ? MemoryLayout.structLayout(JAVA_INT.withName("events"), JAVA_LONG_UNALIGNED.withName("data"))
                    .withName("epoll_event")
            : MemoryLayout.structLayout(JAVA_INT.withName("events"), MemoryLayout.paddingLayout(4),
                    JAVA_LONG.withName("data")).withName("epoll_event");
    /** {@code epoll_event.events}; coordinates {@code (segment, offset of the struct)}. */
    public static final VarHandle EPOLL_EVENT_EVENTS = EPOLL_EVENT.varHandle(groupElement("events"));
    /** {@code epoll_event.data.u64}; coordinates {@code (segment, offset of the struct)}. */
    public static final VarHandle EPOLL_EVENT_DATA = EPOLL_EVENT.varHandle(groupElement("data"));

    /** {@code struct timespec}: {@link LibC#TIMESPEC} (the same on both systems). */
    public static final StructLayout TIMESPEC = LibC.TIMESPEC;
    public static final VarHandle TIMESPEC_SEC = LibC.TIMESPEC_SEC;
    public static final VarHandle TIMESPEC_NSEC = LibC.TIMESPEC_NSEC;

    /** glibc's {@code cpu_set_t}: {@code CPU_SETSIZE} = 1024 bits in 64-bit words. */
    public static final StructLayout CPU_SET = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(1024 / 64, JAVA_LONG).withName("__bits")).withName("cpu_set_t");
    /** One 64-bit word of {@code cpu_set_t.__bits}; coordinates {@code (segment, 0L, word index)}. */
    public static final VarHandle CPU_SET_WORD = CPU_SET.varHandle(groupElement("__bits"), sequenceElement());
    /** CPUs a {@link #CPU_SET} can name. */
    public static final int CPU_SETSIZE = 1024;

    /** {@code struct rlimit}: soft and hard limit, {@code RLIM_INFINITY} (all ones) for none. */
    public static final StructLayout RLIMIT = MemoryLayout.structLayout(
            JAVA_LONG.withName("rlim_cur"), JAVA_LONG.withName("rlim_max")).withName("rlimit");

    private static final MethodHandle GETRLIMIT =
            Ffi.errnoCall("getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SCHED_GETAFFINITY = Ffi.errnoCall("sched_getaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SCHED_SETAFFINITY = Ffi.errnoCall("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle EVENTFD =
            Ffi.errnoCall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle PIPE2 = Ffi.errnoCall("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ACCEPT4 =
            Ffi.errnoCall("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle EPOLL_CREATE1 =
            Ffi.errnoCall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = Ffi.errnoCall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = Ffi.errnoCall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    /** glibc 2.35+; null when the C library lacks it (the kernel may still say ENOSYS: before 5.11). */
    private static final MethodHandle EPOLL_PWAIT2 = Ffi.optionalErrnoCall("epoll_pwait2",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS)).orElse(null);

    private static final MethodHandle MMAP = Ffi.errnoCall("mmap",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP =
            Ffi.errnoCall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    /** {@code long syscall(long number, ...)}: variadic after the number, every argument a 64-bit word. */
    private static final Linker.Option VARIADIC_AFTER_NUMBER = Linker.Option.firstVariadicArg(1);
    private static final MethodHandle SYSCALL_2 = Ffi.errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS), VARIADIC_AFTER_NUMBER);
    private static final MethodHandle SYSCALL_4 = Ffi.errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG), VARIADIC_AFTER_NUMBER);
    private static final MethodHandle SYSCALL_6 = Ffi.errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
            VARIADIC_AFTER_NUMBER);

    private LinuxLibC() {
    }

    /** {@code sched_getaffinity(pid, sizeof mask, mask)}; pid 0 is the calling thread. */
    public static int schedGetaffinity(MemorySegment errno, int pid, MemorySegment mask) {
        return affinity(SCHED_GETAFFINITY, errno, pid, mask);
    }

    /** {@code sched_setaffinity(pid, sizeof mask, mask)}; pid 0 is the calling thread. */
    public static int schedSetaffinity(MemorySegment errno, int pid, MemorySegment mask) {
        return affinity(SCHED_SETAFFINITY, errno, pid, mask);
    }

    private static int affinity(MethodHandle call, MemorySegment errno, int pid, MemorySegment mask) {
        try {
            return (int) call.invokeExact(errno, pid, mask.byteSize(), mask);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code getrlimit(resource, rlimit)} into an {@link #RLIMIT} segment. */
    public static int getrlimit(MemorySegment errno, int resource, MemorySegment rlimit) {
        try {
            return (int) GETRLIMIT.invokeExact(errno, resource, rlimit);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    public static int eventfd(MemorySegment errno, int initval, int flags) {
        try {
            return (int) EVENTFD.invokeExact(errno, initval, flags);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code pipe2(fds, flags)}: {@code fds} holds two ints, the read end first. */
    public static int pipe2(MemorySegment errno, MemorySegment fds, int flags) {
        try {
            return (int) PIPE2.invokeExact(errno, fds, flags);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code accept4(fd, NULL, NULL, flags)}: the peer's address is asked for later, only when wanted. */
    public static int accept4(MemorySegment errno, int fd, int flags) {
        try {
            return (int) ACCEPT4.invokeExact(errno, fd, MemorySegment.NULL, MemorySegment.NULL, flags);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    public static int epollCreate1(MemorySegment errno, int flags) {
        try {
            return (int) EPOLL_CREATE1.invokeExact(errno, flags);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code epoll_ctl}; {@code event} may be {@link MemorySegment#NULL} for {@code EPOLL_CTL_DEL}. */
    public static int epollCtl(MemorySegment errno, int epfd, int op, int fd, MemorySegment event) {
        try {
            return (int) EPOLL_CTL.invokeExact(errno, epfd, op, fd, event);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code epoll_wait} with a timeout in milliseconds (-1: none). */
    public static int epollWait(MemorySegment errno, int epfd, MemorySegment events, int maxEvents, int timeoutMillis) {
        try {
            return (int) EPOLL_WAIT.invokeExact(errno, epfd, events, maxEvents, timeoutMillis);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** True when the C library has {@code epoll_pwait2}. */
    public static boolean hasEpollPwait2() {
        return EPOLL_PWAIT2 != null;
    }

    /**
     * {@code epoll_pwait2} with a {@link #TIMESPEC} timeout ({@link MemorySegment#NULL}: none) and no
     * signal mask. Only when {@link #hasEpollPwait2()}.
     */
    public static int epollPwait2(MemorySegment errno, int epfd, MemorySegment events, int maxEvents,
                                  MemorySegment timeout) {
        try {
            return (int) EPOLL_PWAIT2.invokeExact(errno, epfd, events, maxEvents, timeout, MemorySegment.NULL);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code mmap(NULL, length, prot, flags, fd, offset)}: the mapping's address, or {@code -errno}. */
    public static long mmap(MemorySegment errno, long length, int prot, int flags, int fd, long offset) {
        try {
            return (long) MMAP.invokeExact(errno, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    public static int munmap(MemorySegment errno, MemorySegment mapping) {
        try {
            return (int) MUNMAP.invokeExact(errno, mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code syscall(number, a, pointer)}, e.g. {@code io_uring_setup(entries, params)}. */
    public static long syscall(MemorySegment errno, long number, long a, MemorySegment pointer) {
        try {
            return (long) SYSCALL_2.invokeExact(errno, number, a, pointer);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code syscall(number, a, b, pointer, c)}, e.g. {@code io_uring_register(fd, opcode, arg, count)}. */
    public static long syscall(MemorySegment errno, long number, long a, long b, MemorySegment pointer, long c) {
        try {
            return (long) SYSCALL_4.invokeExact(errno, number, a, b, pointer, c);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /**
     * {@code syscall(number, a, b, c, d, pointer, e)}, e.g. {@code io_uring_enter(fd, toSubmit, minComplete,
     * flags, arg, argSize)}. May block: never linked as a critical call.
     */
    public static long syscall(MemorySegment errno, long number, long a, long b, long c, long d,
                               MemorySegment pointer, long e) {
        try {
            return (long) SYSCALL_6.invokeExact(errno, number, a, b, c, d, pointer, e);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }
}
