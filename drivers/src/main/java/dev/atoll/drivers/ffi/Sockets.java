package dev.atoll.drivers.ffi;

import dev.atoll.drivers.Os;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The BSD socket functions, common to Linux and macOS. Each takes an errno capture segment
 * ({@link Errno#allocate}) first and returns its result, or {@code -errno} when the call returned -1.
 *
 * <p>The data-path calls ({@code recv}, {@code send}, {@code recvfrom}, {@code sendto}) take the
 * buffer as a raw address: a slice per call would be an allocation per I/O operation, and the buffer
 * is kept alive by its owner (the operation) until the call has returned.
 */
public final class Sockets {
    private static final boolean MACOS = Os.current() == Os.MACOS;
    private static final MethodHandle SOCKET =
            Ffi.errnoCall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND =
            Ffi.errnoCall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = Ffi.errnoCall("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT =
            Ffi.errnoCall("accept", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CONNECT =
            Ffi.errnoCall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SHUTDOWN =
            Ffi.errnoCall("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = Ffi.errnoCall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SETSOCKOPT = Ffi.errnoCall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME =
            Ffi.errnoCall("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETPEERNAME =
            Ffi.errnoCall("getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle RECV =
            Ffi.errnoCall("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SEND =
            Ffi.errnoCall("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECVFROM = Ffi.errnoCall("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SENDTO = Ffi.errnoCall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    private Sockets() {
    }

    public static int socket(MemorySegment errno, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(errno, domain, type, protocol);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    public static int bind(MemorySegment errno, int fd, MemorySegment address, int addressLength) {
        try {
            return (int) BIND.invokeExact(errno, fd, address, addressLength);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    public static int listen(MemorySegment errno, int fd, int backlog) {
        try {
            return (int) LISTEN.invokeExact(errno, fd, backlog);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code accept(fd, NULL, NULL)}: the peer's address is asked for later, only when wanted. */
    public static int accept(MemorySegment errno, int fd) {
        try {
            return (int) ACCEPT.invokeExact(errno, fd, MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /**
     * Accepts a connection as a non-blocking, close-on-exec descriptor: {@code accept4} on Linux; on
     * macOS, which has no {@code accept4}, {@code accept} (the descriptor inherits {@code O_NONBLOCK} and
     * {@code SO_NOSIGPIPE} from the listener there) and then {@code FD_CLOEXEC}.
     */
    public static int acceptNonBlocking(MemorySegment errno, int fd) {
        if (!MACOS) {
            return LinuxLibC.accept4(errno, fd, LinuxConstants.SOCK_NONBLOCK | LinuxConstants.SOCK_CLOEXEC);
        }
        int accepted = accept(errno, fd);
        if (accepted >= 0) {
            LibC.fcntl(errno, accepted, OsConstants.F_SETFD, OsConstants.FD_CLOEXEC);
        }
        return accepted;
    }

    public static int connect(MemorySegment errno, int fd, MemorySegment address, int addressLength) {
        try {
            return (int) CONNECT.invokeExact(errno, fd, address, addressLength);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    public static int shutdown(MemorySegment errno, int fd, int how) {
        try {
            return (int) SHUTDOWN.invokeExact(errno, fd, how);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code getsockopt} for an {@code int} option; {@code value} holds one int and {@code length} one socklen_t. */
    public static int getsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value,
                                 MemorySegment length) {
        try {
            return (int) GETSOCKOPT.invokeExact(errno, fd, level, name, value, length);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    public static int setsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value) {
        try {
            return (int) SETSOCKOPT.invokeExact(errno, fd, level, name, value, (int) value.byteSize());
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code length} holds a socklen_t: the size of {@code address} in, the address's length out. */
    public static int getsockname(MemorySegment errno, int fd, MemorySegment address, MemorySegment length) {
        try {
            return (int) GETSOCKNAME.invokeExact(errno, fd, address, length);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** As {@link #getsockname}, for the connected peer. */
    public static int getpeername(MemorySegment errno, int fd, MemorySegment address, MemorySegment length) {
        try {
            return (int) GETPEERNAME.invokeExact(errno, fd, address, length);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    public static long recv(MemorySegment errno, int fd, long buffer, long length, int flags) {
        try {
            return (long) RECV.invokeExact(errno, fd, buffer, length, flags);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    public static long send(MemorySegment errno, int fd, long buffer, long length, int flags) {
        try {
            return (long) SEND.invokeExact(errno, fd, buffer, length, flags);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** {@code addressLength} holds a socklen_t: the size of {@code address} in, the sender's length out. */
    public static long recvfrom(MemorySegment errno, int fd, long buffer, long length, int flags,
                                MemorySegment address, MemorySegment addressLength) {
        try {
            return (long) RECVFROM.invokeExact(errno, fd, buffer, length, flags, address, addressLength);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    public static long sendto(MemorySegment errno, int fd, long buffer, long length, int flags,
                              MemorySegment address, int addressLength) {
        try {
            return (long) SENDTO.invokeExact(errno, fd, buffer, length, flags, address, addressLength);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }
}
