package dev.atoll.examples;

import dev.atoll.io.Buffer;
import dev.atoll.io.Connection;
import dev.atoll.io.Receiver;
import dev.atoll.io.WriteListener;

/**
 * {@code ./atoll run echo}: a TCP echo server. Each connection's bytes come in runtime-chosen buffers
 * ({@code receive}) and go straight back with {@code writeAll}; a buffer is released once written.
 * A peer that sends faster than it reads fills the write backlog, which bounds the memory one
 * connection can hold; the connection is then closed.
 */
public final class Echo {
    /** The port when neither {@code --port} nor {@code echo.port} says otherwise. */
    public static final int DEFAULT_PORT = 7000;

    private Echo() {
    }

    public static void main(String[] args) throws Exception {
        ServerSettings settings = ServerOptions.parseOrExit("echo", DEFAULT_PORT, args);
        ServerLifecycle.serve(settings, connection -> connection.receive(new EchoReceiver()));
    }

    /** Writes back whatever arrives; one instance per connection. */
    static final class EchoReceiver implements Receiver, WriteListener {
        private Connection connection;

        @Override
        public void onData(Connection connection, Buffer data) {
            this.connection = connection;
            connection.writeAll(data, this);
        }

        @Override
        public void writeDone(Buffer buffer, int bytes, Throwable failure) {
            buffer.release();
            if (failure != null) {
                connection.close(); // the peer reset, or stopped reading past the backlog limit
            }
        }

        @Override
        public void onEnd(Connection connection, Throwable failure) {
            if (failure == null) {
                connection.shutdownOutput().whenComplete((ignored, error) -> connection.close());
            } else {
                connection.close();
            }
        }
    }
}
