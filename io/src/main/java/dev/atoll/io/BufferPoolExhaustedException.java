package dev.atoll.io;

/** A shard's buffer pool reached {@code atoll.io.buffers.max-bytes} with no free buffer of the size asked for. */
public final class BufferPoolExhaustedException extends IoException {
    private static final long serialVersionUID = 1L;

    public BufferPoolExhaustedException(String message) {
        super(message);
    }
}
