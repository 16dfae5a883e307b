package dev.atoll.drivers.ffi;

import dev.atoll.drivers.Arch;

/**
 * Linux constants (x86_64 and aarch64 share every value here but {@link #O_DIRECT}): errno values,
 * epoll, eventfd, file flags, sockets and {@code sysconf} names. The one place where Linux numbers live.
 */
public final class LinuxConstants {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EPIPE = 32;
    public static final int ENOSYS = 38;
    public static final int ETIME = 62;
    public static final int ENOTSOCK = 88;
    public static final int EOPNOTSUPP = 95;
    public static final int EADDRINUSE = 98;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EALREADY = 114;
    public static final int EINPROGRESS = 115;
    public static final int ECANCELED = 125;

    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;

    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;
    /** getrlimit(2) resource: bytes of memory that may be locked (io_uring charges registered buffers to it). */
    public static final int RLIMIT_MEMLOCK = 8;

    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int F_GETFD = 1;
    public static final int F_GETFL = 3;
    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int FD_CLOEXEC = 1;

    /** The {@code dirfd} of {@code openat} that means the current directory. */
    public static final int AT_FDCWD = -100;
    /** statx(2) flag: an empty path names {@code dirfd} itself. */
    public static final int AT_EMPTY_PATH = 0x1000;
    /** statx(2) mask bit: {@code stx_size} is wanted. */
    public static final int STATX_SIZE = 0x200;
    public static final int O_APPEND = 0x400;
    public static final int O_CREAT = 0x40;
    public static final int O_TRUNC = 0x200;
    public static final int O_EXCL = 0x80;
    /** Bypass the page cache: 040000 in the generic (x86_64) fcntl.h, 0200000 in arm64's. */
    public static final int O_DIRECT = Arch.current() == Arch.AARCH64 ? 0x10000 : 0x4000;

    public static final int AF_INET6 = 10;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    public static final int TCP_KEEPIDLE = 4;
    public static final int IPV6_V6ONLY = 26;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLET = 1 << 31;

    public static final int SC_PAGESIZE = 30;
    /** glibc's {@code _SC_LEVEL1_DCACHE_LINESIZE}; 0 or -1 where glibc cannot tell. */
    public static final int SC_LEVEL1_DCACHE_LINESIZE = 190;

    private LinuxConstants() {
    }

    /** The symbolic name of a Linux errno value, or {@code "?"}. */
    public static String errnoName(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL";
            case ENFILE -> "ENFILE";
            case EMFILE -> "EMFILE";
            case 28 -> "ENOSPC";
            case EPIPE -> "EPIPE";
            case 34 -> "ERANGE";
            case ENOSYS -> "ENOSYS";
            case ETIME -> "ETIME";
            case 77 -> "EBADFD"; // a MSG_RING to a descriptor that is no ring
            case ENOTSOCK -> "ENOTSOCK";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case 97 -> "EAFNOSUPPORT";
            case EADDRINUSE -> "EADDRINUSE";
            case 99 -> "EADDRNOTAVAIL";
            case 101 -> "ENETUNREACH";
            case ECONNABORTED -> "ECONNABORTED";
            case ECONNRESET -> "ECONNRESET";
            case ENOBUFS -> "ENOBUFS";
            case 106 -> "EISCONN";
            case ENOTCONN -> "ENOTCONN";
            case ETIMEDOUT -> "ETIMEDOUT";
            case ECONNREFUSED -> "ECONNREFUSED";
            case 113 -> "EHOSTUNREACH";
            case EALREADY -> "EALREADY";
            case EINPROGRESS -> "EINPROGRESS";
            case ECANCELED -> "ECANCELED";
            case 130 -> "EOWNERDEAD"; // a MSG_RING to a ring whose submitter task is gone
            default -> "?";
        };
    }
}
