package dev.atoll.io;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.Promise;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DatagramSocketTest {

    /** Two sockets on two shards: a datagram goes one way with its sender's address, the reply comes back. */
    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void datagramsCarryTheirSendersAddressBothWays(DriverKind driver) {
        try (ShardRuntime runtime = TestRuntimes.start(2, "", driver)) {
            InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            int serverPort = TestRuntimes.awaitPromise(runtime, 1, () -> {
                DatagramSocket server = DatagramSocket.bind(loopback);
                Buffer in = BufferPool.current().acquire(2048);
                server.receiveFrom(in).flatMap(sender -> {
                    Buffer reply = BufferPool.current().acquire(2048).writeUtf8("pong:" + in.toUtf8String());
                    in.release();
                    return server.sendTo(reply, (InetSocketAddress) sender).whenComplete((n, e) -> {
                        reply.release();
                        server.close();
                    });
                });
                return Promise.completed(server.port());
            });
            String answer = TestRuntimes.awaitPromise(runtime, 0, () -> {
                DatagramSocket client = DatagramSocket.bind(loopback);
                Buffer out = BufferPool.current().acquire(64).writeUtf8("ping");
                InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort);
                return client.sendTo(out, server).flatMap(sent -> {
                    assertEquals(4, sent);
                    assertEquals(0, out.readableBytes(), "a send consumes the datagram");
                    out.release();
                    Buffer in = BufferPool.current().acquire(64);
                    return client.receiveFrom(in, Duration.ofSeconds(TestRuntimes.WAIT_SECONDS)).map(from -> {
                        assertEquals(server, from);
                        String text = in.toUtf8String();
                        in.release();
                        client.close();
                        return text;
                    });
                });
            });
            assertEquals("pong:ping", answer);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aReceiveWithADeadlineFailsWithATimeoutAndGivesTheBufferBack(DriverKind driver) {
        try (ShardRuntime runtime = TestRuntimes.start(1, "", driver)) {
            Throwable failure = assertThrows(AssertionError.class, () -> TestRuntimes.awaitPromise(runtime, 0, () -> {
                DatagramSocket socket = DatagramSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                Buffer in = BufferPool.current().acquire(64);
                return socket.receiveFrom(in, Duration.ofMillis(50)).whenComplete((from, e) -> {
                    in.release(); // usable again: the operation gave it back
                    socket.close();
                });
            }));
            assertInstanceOf(IoTimeoutException.class, rootCause(failure));
        }
    }

    static Throwable rootCause(Throwable t) {
        while ((t instanceof AssertionError || t instanceof ExecutionException || t instanceof CompletionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
