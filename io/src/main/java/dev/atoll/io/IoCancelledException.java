package dev.atoll.io;

/**
 * An operation was cancelled before it completed — explicitly, or because its resource was closed.
 * An operation that completed first reports its result instead: cancellation is a request.
 */
public final class IoCancelledException extends IoException {
    private static final long serialVersionUID = 1L;

    public IoCancelledException(String message) {
        super(message);
    }
}
