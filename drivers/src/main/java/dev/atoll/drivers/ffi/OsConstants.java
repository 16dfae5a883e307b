package dev.atoll.drivers.ffi;

import dev.atoll.drivers.Os;

/**
 * The values, on the OS this JVM runs on, of the names that portable code uses and that differ
 * between Linux and macOS (errno values from 35 up, socket levels and options, file flags). Chosen by
 * OS, never by driver. The numbers themselves live in {@link LinuxConstants} and {@link MacosConstants}.
 */
public final class OsConstants {
    private static final boolean MACOS = Os.current() == Os.MACOS;

    public static final int EAGAIN = MACOS ? MacosConstants.EAGAIN : LinuxConstants.EAGAIN;
    public static final int EINPROGRESS = MACOS ? MacosConstants.EINPROGRESS : LinuxConstants.EINPROGRESS;
    public static final int EALREADY = MACOS ? MacosConstants.EALREADY : LinuxConstants.EALREADY;
    public static final int EPIPE = MACOS ? MacosConstants.EPIPE : LinuxConstants.EPIPE;
    public static final int ECONNRESET = MACOS ? MacosConstants.ECONNRESET : LinuxConstants.ECONNRESET;
    public static final int ECONNABORTED = MACOS ? MacosConstants.ECONNABORTED : LinuxConstants.ECONNABORTED;
    public static final int ECONNREFUSED = MACOS ? MacosConstants.ECONNREFUSED : LinuxConstants.ECONNREFUSED;
    public static final int ENOTCONN = MACOS ? MacosConstants.ENOTCONN : LinuxConstants.ENOTCONN;
    public static final int ETIMEDOUT = MACOS ? MacosConstants.ETIMEDOUT : LinuxConstants.ETIMEDOUT;
    public static final int EMFILE = MACOS ? MacosConstants.EMFILE : LinuxConstants.EMFILE;
    public static final int ENFILE = MACOS ? MacosConstants.ENFILE : LinuxConstants.ENFILE;
    public static final int ENOBUFS = MACOS ? MacosConstants.ENOBUFS : LinuxConstants.ENOBUFS;
    public static final int EOPNOTSUPP = MACOS ? MacosConstants.EOPNOTSUPP : LinuxConstants.EOPNOTSUPP;
    public static final int EADDRINUSE = MACOS ? MacosConstants.EADDRINUSE : LinuxConstants.EADDRINUSE;
    public static final int ENOENT = LinuxConstants.ENOENT;   // 1..34: the same on both
    public static final int EBADF = LinuxConstants.EBADF;
    public static final int EINTR = LinuxConstants.EINTR;
    public static final int EINVAL = LinuxConstants.EINVAL;
    public static final int EBUSY = LinuxConstants.EBUSY;
    public static final int ENOMEM = LinuxConstants.ENOMEM;

    public static final int AF_UNIX = 1;                      // the same on both
    public static final int AF_INET = 2;
    public static final int AF_INET6 = MACOS ? MacosConstants.AF_INET6 : LinuxConstants.AF_INET6;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOL_SOCKET = MACOS ? MacosConstants.SOL_SOCKET : LinuxConstants.SOL_SOCKET;
    public static final int SO_REUSEADDR = MACOS ? MacosConstants.SO_REUSEADDR : LinuxConstants.SO_REUSEADDR;
    public static final int SO_REUSEPORT = MACOS ? MacosConstants.SO_REUSEPORT : LinuxConstants.SO_REUSEPORT;
    public static final int SO_KEEPALIVE = MACOS ? MacosConstants.SO_KEEPALIVE : LinuxConstants.SO_KEEPALIVE;
    public static final int SO_SNDBUF = MACOS ? MacosConstants.SO_SNDBUF : LinuxConstants.SO_SNDBUF;
    public static final int SO_RCVBUF = MACOS ? MacosConstants.SO_RCVBUF : LinuxConstants.SO_RCVBUF;
    public static final int SO_ERROR = MACOS ? MacosConstants.SO_ERROR : LinuxConstants.SO_ERROR;
    /** Linger in seconds (macOS: {@code SO_LINGER_SEC}; its {@code SO_LINGER} counts ticks). */
    public static final int SO_LINGER_SECONDS = MACOS ? MacosConstants.SO_LINGER_SEC : LinuxConstants.SO_LINGER;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_IPV6 = 41;
    public static final int TCP_NODELAY = 1;
    /** Idle seconds before keep-alive probes (Linux {@code TCP_KEEPIDLE}, macOS {@code TCP_KEEPALIVE}). */
    public static final int TCP_KEEPIDLE = MACOS ? MacosConstants.TCP_KEEPALIVE : LinuxConstants.TCP_KEEPIDLE;
    public static final int IPV6_V6ONLY = MACOS ? MacosConstants.IPV6_V6ONLY : LinuxConstants.IPV6_V6ONLY;
    public static final int MSG_NOSIGNAL = MACOS ? MacosConstants.MSG_NOSIGNAL : LinuxConstants.MSG_NOSIGNAL;
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_APPEND = MACOS ? MacosConstants.O_APPEND : LinuxConstants.O_APPEND;
    public static final int O_CREAT = MACOS ? MacosConstants.O_CREAT : LinuxConstants.O_CREAT;
    public static final int O_TRUNC = MACOS ? MacosConstants.O_TRUNC : LinuxConstants.O_TRUNC;
    public static final int O_EXCL = MACOS ? MacosConstants.O_EXCL : LinuxConstants.O_EXCL;
    public static final int O_CLOEXEC = MACOS ? MacosConstants.O_CLOEXEC : LinuxConstants.O_CLOEXEC;
    public static final int O_NONBLOCK = MACOS ? MacosConstants.O_NONBLOCK : LinuxConstants.O_NONBLOCK;
    /** Linux's {@code O_DIRECT}; 0 on macOS, where {@code fcntl(F_NOCACHE)} after open does the same. */
    public static final int O_DIRECT = MACOS ? 0 : LinuxConstants.O_DIRECT;
    public static final int SEEK_END = 2;
    public static final int F_SETFD = 2;                      // the same on both
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    /** A new descriptor of the same open file, close-on-exec. */
    public static final int F_DUPFD_CLOEXEC = MACOS ? MacosConstants.F_DUPFD_CLOEXEC : LinuxConstants.F_DUPFD_CLOEXEC;
    public static final int FD_CLOEXEC = 1;

    private OsConstants() {
    }
}
