package dev.atoll.io;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A read that found less than it had room for emptied the socket: the next read waits for new data
 * without a system call that could only fail, and still gets the data when it comes.
 */
class ReadAfterShortReadTest {
    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void theReadAfterAShortReadWaitsForDataWithoutASystemCall(DriverKind driver) throws Exception {
        ShardRuntime runtime = cleanup.start(1, "", driver);
        IoTesting.Accepted pair = IoTesting.accept(cleanup, runtime, listen(runtime));
        Connection server = pair.server();
        OutputStream out = pair.peer().getOutputStream();
        // The first read waits (the descriptor gets registered), then takes a short read.
        CompletableFuture<String> first = new CompletableFuture<>();
        IoTesting.onShard(runtime, 0, () -> readInto(server, first));
        out.write("ab".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertEquals("ab", first.get(IoTesting.WAIT, TimeUnit.SECONDS), "a short read");

        CompletableFuture<String> next = new CompletableFuture<>();
        long callsForTheSecondRead = IoTesting.onShard(runtime, 0, () -> {
            long before = Shard.current().driver().syscalls();
            readInto(server, next);
            return Shard.current().driver().syscalls() - before;
        });
        assertEquals(0, callsForTheSecondRead, "the socket is known to be empty: no recv, no epoll_ctl");
        out.write("cd".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertEquals("cd", next.get(IoTesting.WAIT, TimeUnit.SECONDS), "the edge of new data completes it");
        IoTesting.onShard(runtime, 0, () -> {
            server.close();
            return null;
        });
    }

    /** Data and the peer's end of stream in one edge: the short read must not hide the end that follows it. */
    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void theEndOfStreamThatCameWithTheDataIsStillSeen(DriverKind driver) throws Exception {
        ShardRuntime runtime = cleanup.start(1, "", driver);
        IoTesting.Accepted pair = IoTesting.accept(cleanup, runtime, listen(runtime));
        Connection server = pair.server();
        Socket client = pair.peer();
        CompletableFuture<String> first = new CompletableFuture<>();
        IoTesting.onShard(runtime, 0, () -> readInto(server, first)); // waits: the descriptor is registered
        client.getOutputStream().write("ab".getBytes(StandardCharsets.US_ASCII));
        client.shutdownOutput();                                      // FIN right behind the data
        assertEquals("ab", first.get(IoTesting.WAIT, TimeUnit.SECONDS));
        CompletableFuture<Integer> end = new CompletableFuture<>();
        IoTesting.onShard(runtime, 0, () -> {
            Buffer in = BufferPool.current().acquire(64);
            server.read(in).whenComplete((n, e) -> {
                in.release();
                if (e != null) {
                    end.completeExceptionally(e);
                } else {
                    end.complete(n);
                }
            });
            return null;
        });
        assertEquals(-1, end.get(IoTesting.WAIT, TimeUnit.SECONDS), "the end of stream");
    }

    /** A listener on shard 0, closed with the runtime. */
    private static Listener listen(ShardRuntime runtime) {
        return IoTesting.onShard(runtime, 0, () -> Listener.bind(new InetSocketAddress("127.0.0.1", 0)));
    }

    /** Reads once into a fresh buffer and completes {@code result} with the text. */
    private static Void readInto(Connection connection, CompletableFuture<String> result) {
        Buffer in = BufferPool.current().acquire(64);
        connection.read(in).whenComplete((n, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
            } else {
                result.complete(in.toUtf8String());
            }
            in.release();
        });
        return null;
    }
}
