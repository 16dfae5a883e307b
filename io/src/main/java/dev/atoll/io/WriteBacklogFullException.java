package dev.atoll.io;

/** A write was refused: the connection already queues {@code atoll.io.write-backlog.limit} bytes. */
public final class WriteBacklogFullException extends IoException {
    private static final long serialVersionUID = 1L;

    public WriteBacklogFullException(String message) {
        super(message);
    }
}
