package dev.atoll.io;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.Promise;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The code of docs/io.md, compiled and run here so the guide cannot drift from the API. */
class IoGuideExamplesTest {

    // --- docs/io.md: "A server" ---
    static TcpServer startUppercaseServer(ShardRuntime runtime) throws Exception {
        return TcpServer.start(runtime, new InetSocketAddress("127.0.0.1", 0), connection ->
                connection.receive(new Receiver() {
                    @Override
                    public void onData(Connection c, Buffer data) {
                        Buffer out = BufferPool.current().acquire(data.readableBytes());
                        out.writeUtf8(data.toUtf8String().toUpperCase());
                        data.release();
                        c.writeAll(out).whenComplete((ok, failure) -> out.release());
                    }

                    @Override
                    public void onEnd(Connection c, Throwable failure) {
                        c.close();
                    }
                })).get(10, TimeUnit.SECONDS);
    }

    // --- docs/io.md: "A client" ---
    static Promise<String> askUppercase(int port, String text) {
        return Connection.connect(new InetSocketAddress("127.0.0.1", port), Duration.ofSeconds(5))
                .flatMap(connection -> {
                    Buffer out = BufferPool.current().acquire(256).writeUtf8(text);
                    return connection.writeAll(out)
                            .flatMap(sent -> {
                                out.release();
                                Buffer in = BufferPool.current().acquire(256);
                                return connection.read(in, Duration.ofSeconds(5)).map(n -> {
                                    String reply = in.toUtf8String();
                                    in.release();
                                    connection.close();
                                    return reply;
                                });
                            });
                });
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void theGuidesServerAndClientTalk(DriverKind driver) throws Exception {
        try (ShardRuntime runtime = TestRuntimes.start(2, "", driver)) {
            TcpServer server = startUppercaseServer(runtime);
            assertEquals("HELLO", TestRuntimes.awaitPromise(runtime, 1, () -> askUppercase(server.port(), "hello")));
            server.close().get(10, TimeUnit.SECONDS);
        }
    }
}
