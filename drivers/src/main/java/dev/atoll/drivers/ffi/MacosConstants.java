package dev.atoll.drivers.ffi;

/**
 * macOS constants (xnu {@code bsd/sys/errno.h}, libpthread {@code sys/qos.h}): errno values that
 * Atoll names, file and socket constants, and the QoS classes. The one place where macOS numbers live.
 */
public final class MacosConstants {
    public static final int ENOENT = 2;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EPIPE = 32;
    public static final int EAGAIN = 35;
    public static final int EINPROGRESS = 36;
    public static final int EALREADY = 37;
    public static final int EADDRINUSE = 48;
    public static final int ECONNABORTED = 53;
    public static final int ECONNRESET = 54;
    public static final int ENOBUFS = 55;
    public static final int ENOTCONN = 57;
    public static final int ETIMEDOUT = 60;
    public static final int ECONNREFUSED = 61;
    public static final int ECANCELED = 89;
    public static final int EOPNOTSUPP = 102;

    public static final int O_NONBLOCK = 0x4;
    public static final int O_APPEND = 0x8;
    public static final int O_CREAT = 0x200;
    public static final int O_TRUNC = 0x400;
    public static final int O_EXCL = 0x800;
    public static final int O_CLOEXEC = 0x0100_0000;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int F_DUPFD_CLOEXEC = 67;
    public static final int FD_CLOEXEC = 1;
    /** Apple: flush the drive's cache too; plain fsync does not on macOS. */
    public static final int F_FULLFSYNC = 51;
    /** Apple: bypass the buffer cache for this descriptor (macOS has no {@code O_DIRECT}). */
    public static final int F_NOCACHE = 48;

    public static final int AF_INET6 = 30;
    public static final int SOL_SOCKET = 0xffff;
    public static final int SO_REUSEADDR = 0x4;
    public static final int SO_KEEPALIVE = 0x8;
    public static final int SO_REUSEPORT = 0x200;
    public static final int SO_SNDBUF = 0x1001;
    public static final int SO_RCVBUF = 0x1002;
    public static final int SO_ERROR = 0x1007;
    /** SO_LINGER counts in clock ticks on macOS; this one counts seconds. */
    public static final int SO_LINGER_SEC = 0x1080;
    /** Apple: no SIGPIPE on writes to this socket (inherited by accepted sockets). */
    public static final int SO_NOSIGPIPE = 0x1022;
    /** TCP keep-alive idle time in seconds (Linux: TCP_KEEPIDLE). */
    public static final int TCP_KEEPALIVE = 0x10;
    public static final int IPV6_V6ONLY = 27;
    public static final int MSG_NOSIGNAL = 0x80000;

    public static final int QOS_CLASS_USER_INTERACTIVE = 0x21;
    public static final int QOS_CLASS_USER_INITIATED = 0x19;
    public static final int QOS_CLASS_DEFAULT = 0x15;
    public static final int QOS_CLASS_UTILITY = 0x11;
    public static final int QOS_CLASS_BACKGROUND = 0x09;

    private MacosConstants() {
    }

    /** The symbolic name of a macOS errno value, or {@code "?"}. */
    public static String errnoName(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case ENOENT -> "ENOENT";
            case 4 -> "EINTR";
            case 5 -> "EIO";
            case 9 -> "EBADF";
            case 11 -> "EDEADLK";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case 16 -> "EBUSY";
            case 17 -> "EEXIST";
            case 22 -> "EINVAL";
            case ENFILE -> "ENFILE";
            case EMFILE -> "EMFILE";
            case 28 -> "ENOSPC";
            case EPIPE -> "EPIPE";
            case 34 -> "ERANGE";
            case EAGAIN -> "EAGAIN";
            case EINPROGRESS -> "EINPROGRESS";
            case EALREADY -> "EALREADY";
            case 38 -> "ENOTSOCK";
            case 45 -> "ENOTSUP";
            case 47 -> "EAFNOSUPPORT";
            case EADDRINUSE -> "EADDRINUSE";
            case 49 -> "EADDRNOTAVAIL";
            case 51 -> "ENETUNREACH";
            case ECONNABORTED -> "ECONNABORTED";
            case ECONNRESET -> "ECONNRESET";
            case ENOBUFS -> "ENOBUFS";
            case 56 -> "EISCONN";
            case ENOTCONN -> "ENOTCONN";
            case ETIMEDOUT -> "ETIMEDOUT";
            case ECONNREFUSED -> "ECONNREFUSED";
            case 65 -> "EHOSTUNREACH";
            case 78 -> "ENOSYS";
            case ECANCELED -> "ECANCELED";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            default -> "?";
        };
    }
}
