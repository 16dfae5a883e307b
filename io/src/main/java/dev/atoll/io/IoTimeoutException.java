package dev.atoll.io;

/** An operation's deadline passed before it completed; the operation was cancelled. */
public final class IoTimeoutException extends IoException {
    private static final long serialVersionUID = 1L;

    public IoTimeoutException(String message) {
        super(message);
    }
}
