package dev.atoll.examples;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorSystem;
import dev.atoll.actors.Placement;
import dev.atoll.config.AtollConfig;
import dev.atoll.config.DriverKind;
import dev.atoll.io.Buffer;
import dev.atoll.io.BufferPool;
import dev.atoll.io.Connection;
import dev.atoll.io.TcpServer;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An actor owns a connection: it lives on the connection's shard and every I/O completion reaches it
 * as a message (pipeToSelf), so its state needs no locks — the io and actors modules meet only here.
 */
class ConnectionActorTest {

    /** Answers each chunk it reads with the running byte count, as text. */
    static final class ByteCounter extends Actor<ByteCounter.Msg> {
        sealed interface Msg { }

        record Read(Integer count, Throwable failure) implements Msg { }

        record Written(Throwable failure) implements Msg { }

        private final Connection connection;
        private final Buffer in = BufferPool.current().acquire(1024);
        private final Buffer out = BufferPool.current().acquire(64);
        private long total;

        ByteCounter(Connection connection) {
            this.connection = connection;
        }

        @Override
        protected void preStart() {
            readNext();
        }

        private void readNext() {
            in.clear();
            context().pipeToSelf(connection.read(in), Read::new);
        }

        @Override
        protected void receive(Msg message) {
            switch (message) {
                case Read(Integer count, Throwable failure) when failure != null || count < 0 -> context().stop();
                case Read(Integer count, Throwable ignored) -> {
                    total += count;
                    out.clear().writeUtf8(total + "\n");
                    context().pipeToSelf(connection.writeAll(out), (ok, failure) -> new Written(failure));
                }
                case Written(Throwable failure) when failure != null -> context().stop();
                case Written ignored -> readNext();
            }
        }

        @Override
        protected void postStop() {
            connection.close();
            if (!in.isLent()) {
                in.release();
            }
            if (!out.isLent()) {
                out.release();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void anActorOwnsAConnectionAndGetsItsCompletionsAsMessages(DriverKind driver) throws Exception {
        TestRuntimes.assumeAvailable(driver);
        AtollConfig config = AtollConfig.parse("atoll { shards { count = 2, pin = false }, driver = "
                + driver.displayName() + " }", "test settings");
        try (ActorSystem system = ActorSystem.start(config)) {
            TcpServer server = TcpServer.start(system.runtime(), new InetSocketAddress("127.0.0.1", 0),
                    connection -> system.spawn(() -> new ByteCounter(connection), Placement.here()))
                    .get(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS);
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                out.write("hello".getBytes(StandardCharsets.US_ASCII));
                assertEquals("5", readLine(in));
                out.write("abc".getBytes(StandardCharsets.US_ASCII));
                assertEquals("8", readLine(in));
            }
            server.close().get(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private static String readLine(InputStream in) throws Exception {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new AssertionError("end of stream after '" + line + "'");
            }
            line.append((char) c);
        }
        return line.toString();
    }
}
