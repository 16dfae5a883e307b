package dev.atoll.io;

/**
 * Told when a {@link Connection#writeAll(Buffer, WriteListener)} ends, on the connection's shard: the
 * allocation-free form of the promise {@link Connection#writeAll(Buffer)} returns, for a connection
 * that writes on every request (one listener object, usually the protocol handler itself, serves all
 * its writes). A listener that throws closes the connection and reaches the shard's error handler.
 */
@FunctionalInterface
public interface WriteListener {
    /**
     * The write of {@code buffer} ({@code bytes} readable when it was issued) is over: every byte was
     * taken by the kernel ({@code failure} null), or it failed. The buffer is the caller's again.
     */
    void writeDone(Buffer buffer, int bytes, Throwable failure);
}
