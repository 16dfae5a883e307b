package dev.atoll.io;

import dev.atoll.drivers.Os;
import dev.atoll.drivers.ffi.LibC;
import dev.atoll.drivers.ffi.LinuxConstants;
import dev.atoll.drivers.ffi.MacosConstants;
import dev.atoll.drivers.ffi.OsConstants;
import dev.atoll.drivers.ffi.SocketAddresses;
import dev.atoll.drivers.ffi.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The short synchronous socket calls of the io module (create, options, bind, names, close), made on
 * the shard thread with its scratch memory. Failures become {@link IoException}s naming the call.
 */
final class SocketCalls {
    private static final boolean MACOS = Os.current() == Os.MACOS;

    private SocketCalls() {
    }

    /** A non-blocking, close-on-exec socket that never raises SIGPIPE. */
    static int open(IoShard io, int family, int type) {
        int fd;
        if (MACOS) {
            fd = check(Sockets.socket(io.errno, family, type, 0), "socket");
            try {
                check(LibC.fcntl(io.errno, fd, OsConstants.F_SETFD, OsConstants.FD_CLOEXEC), "fcntl(FD_CLOEXEC)");
                int flags = check(LibC.fcntl(io.errno, fd, OsConstants.F_GETFL, 0), "fcntl(F_GETFL)");
                check(LibC.fcntl(io.errno, fd, OsConstants.F_SETFL, flags | OsConstants.O_NONBLOCK), "fcntl(O_NONBLOCK)");
                setInt(io, fd, OsConstants.SOL_SOCKET, MacosConstants.SO_NOSIGPIPE, 1, "SO_NOSIGPIPE");
            } catch (IoException e) {
                LibC.close(io.errno, fd);
                throw e;
            }
        } else {
            fd = check(Sockets.socket(io.errno, family,
                    type | LinuxConstants.SOCK_NONBLOCK | LinuxConstants.SOCK_CLOEXEC, 0), "socket");
        }
        return fd;
    }

    /** Applies {@code options}; the TCP-only ones only when {@code tcp}. */
    static void apply(IoShard io, int fd, SocketOptions options, boolean tcp) {
        if (tcp) {
            setInt(io, fd, OsConstants.IPPROTO_TCP, OsConstants.TCP_NODELAY, options.noDelay() ? 1 : 0, "TCP_NODELAY");
            setInt(io, fd, OsConstants.SOL_SOCKET, OsConstants.SO_KEEPALIVE, options.keepAlive() ? 1 : 0, "SO_KEEPALIVE");
        }
        if (options.sendBuffer() > 0) {
            setInt(io, fd, OsConstants.SOL_SOCKET, OsConstants.SO_SNDBUF, options.sendBuffer(), "SO_SNDBUF");
        }
        if (options.receiveBuffer() > 0) {
            setInt(io, fd, OsConstants.SOL_SOCKET, OsConstants.SO_RCVBUF, options.receiveBuffer(), "SO_RCVBUF");
        }
        if (options.linger() != null) {
            setLinger(io, fd, options.linger());
        }
    }

    static void setInt(IoShard io, int fd, int level, int name, int value, String what) {
        MemorySegment one = io.intValue.asSlice(0, JAVA_INT.byteSize());
        one.set(JAVA_INT, 0, value);
        check(Sockets.setsockopt(io.errno, fd, level, name, one), "setsockopt(" + what + ")");
    }

    static int getInt(IoShard io, int fd, int level, int name, String what) {
        io.intLength.set(JAVA_INT, 0, (int) JAVA_INT.byteSize());
        check(Sockets.getsockopt(io.errno, fd, level, name, io.intValue, io.intLength), "getsockopt(" + what + ")");
        return io.intValue.get(JAVA_INT, 0);
    }

    /** {@code struct linger { int l_onoff; int l_linger; }} in seconds (macOS: {@code SO_LINGER_SEC}). */
    private static void setLinger(IoShard io, int fd, Duration linger) {
        io.intValue.set(JAVA_INT, 0, 1);
        io.intValue.set(JAVA_INT, JAVA_INT.byteSize(), (int) Math.min(Integer.MAX_VALUE, linger.toSeconds()));
        check(Sockets.setsockopt(io.errno, fd, OsConstants.SOL_SOCKET, OsConstants.SO_LINGER_SECONDS, io.intValue),
                "setsockopt(SO_LINGER)");
    }

    static void bind(IoShard io, int fd, SocketAddress address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment storage = arena.allocate(SocketAddresses.STORAGE_SIZE);
            int length = SocketAddresses.encode(address, storage);
            check(Sockets.bind(io.errno, fd, storage, length), "bind to " + address);
        }
    }

    static SocketAddress localAddress(IoShard io, int fd) {
        return name(io, fd, true);
    }

    static SocketAddress remoteAddress(IoShard io, int fd) {
        return name(io, fd, false);
    }

    private static SocketAddress name(IoShard io, int fd, boolean local) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment storage = arena.allocate(SocketAddresses.STORAGE_SIZE);
            io.intLength.set(JAVA_INT, 0, (int) SocketAddresses.STORAGE_SIZE);
            int r = local ? Sockets.getsockname(io.errno, fd, storage, io.intLength)
                    : Sockets.getpeername(io.errno, fd, storage, io.intLength);
            check(r, local ? "getsockname" : "getpeername");
            return SocketAddresses.decode(storage, io.intLength.get(JAVA_INT, 0));
        }
    }

    /** Forgets {@code fd} in the driver (its operations complete cancelled), then closes it. */
    static void close(IoShard io, int fd) {
        io.driver().detach(fd);
        LibC.close(io.errno, fd); // EINTR or EIO on close: the descriptor is gone either way on Linux and macOS
    }

    static int check(int result, String call) {
        if (result < 0) {
            throw new IoException(call, -result);
        }
        return result;
    }
}
