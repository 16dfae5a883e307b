package dev.atoll.drivers.ffi;

/**
 * macOS constants (xnu {@code bsd/sys/errno.h}, libpthread {@code sys/qos.h}): errno values that
 * Atoll names and the QoS classes. The one place where macOS numbers live.
 */
public final class MacosConstants {
    public static final int ENOENT = 2;
    public static final int EAGAIN = 35;
    public static final int ECANCELED = 89;

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
            case 23 -> "ENFILE";
            case 24 -> "EMFILE";
            case 28 -> "ENOSPC";
            case 32 -> "EPIPE";
            case 34 -> "ERANGE";
            case EAGAIN -> "EAGAIN";
            case 36 -> "EINPROGRESS";
            case 38 -> "ENOTSOCK";
            case 45 -> "ENOTSUP";
            case 48 -> "EADDRINUSE";
            case 54 -> "ECONNRESET";
            case 60 -> "ETIMEDOUT";
            case 61 -> "ECONNREFUSED";
            case 78 -> "ENOSYS";
            case ECANCELED -> "ECANCELED";
            case 102 -> "EOPNOTSUPP";
            default -> "?";
        };
    }
}
