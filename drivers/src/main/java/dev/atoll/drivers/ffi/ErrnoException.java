package dev.atoll.drivers.ffi;

/** A system call failed; carries the call (with its arguments) and the errno. */
public final class ErrnoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    /** {@code call} names the function and its telling arguments, e.g. {@code epoll_ctl(ADD, fd=12)}. */
    public ErrnoException(String call, int errno) {
        super(call + " failed: " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /** The failed call, e.g. {@code epoll_ctl(ADD, fd=12)}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
