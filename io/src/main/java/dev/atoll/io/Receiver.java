package dev.atoll.io;

/**
 * Consumes what a {@link Connection} receives in buffers the runtime chooses
 * ({@link Connection#receive(Receiver)}). Called on the connection's shard. An exception thrown from
 * either method is logged and closes this connection only ({@link #onEnd} follows, unless it threw).
 */
public interface Receiver {

    /**
     * Data arrived. The receiver owns {@code data} and must {@link Buffer#release() release} it (at once
     * or later); while it holds {@code atoll.io.receive.max-unreleased} of them the connection stops
     * reading, so a consumer that falls behind slows its own peer, not the shard.
     */
    void onData(Connection connection, Buffer data);

    /**
     * Receiving ended: {@code failure} is null at the peer's end of stream, else why (the connection
     * was reset, closed locally, ...). Called once; no data follows.
     */
    void onEnd(Connection connection, Throwable failure);
}
