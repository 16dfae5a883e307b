package dev.atoll.io;

import dev.atoll.drivers.ffi.Errno;
import dev.atoll.io.jfr.IoErrorEvent;

/**
 * An I/O operation failed. Carries the system's error number when the kernel reported one
 * ({@link #errno()}, 0 otherwise) and names the operation and its resource in the message.
 */
public class IoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    /** A failure the kernel reported: {@code operation} names what was tried, e.g. {@code "read from 127.0.0.1:80"}. */
    public IoException(String operation, int errno) {
        super(operation + " failed: " + Errno.describe(errno));
        this.errno = errno;
        IoErrorEvent.emit(operation, errno);
    }

    /** A failure without an error number. */
    public IoException(String message) {
        super(message);
        this.errno = 0;
    }

    /**
     * Loads the classes that constructing one for {@code errno} needs (naming the errno, the JFR event),
     * without reporting a failure: for a path that must not load classes when it fails (EMFILE).
     */
    static void loadFailurePath(int errno) {
        Errno.describe(errno);
        IoErrorEvent.load();
    }

    /** The error number, or 0. */
    public int errno() {
        return errno;
    }

    /** The symbolic name of {@link #errno()} ({@code ECONNRESET}), or {@code "?"}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
