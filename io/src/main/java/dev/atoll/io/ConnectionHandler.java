package dev.atoll.io;

/** Takes each connection a {@link TcpServer} accepts, on the shard that will own it. */
@FunctionalInterface
public interface ConnectionHandler {
    /**
     * A new connection, owned by the calling shard. An exception thrown here is logged and closes
     * this connection only.
     */
    void onConnection(Connection connection);
}
