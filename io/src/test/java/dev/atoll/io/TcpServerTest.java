package dev.atoll.io;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TcpServer: reuse-port and acceptor modes, balancing, closing the server, stopping the runtime with connections open. */
class TcpServerTest {
    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** An echo server that records on which shard each connection was handled and counts the ones that ended. */
    private record Recorded(TcpServer server, AtomicIntegerArray handledOn) { }

    private Recorded echoServer(ShardRuntime runtime, CountDownLatch[] ended) {
        AtomicIntegerArray handledOn = new AtomicIntegerArray(runtime.shardCount());
        TcpServer server = IoTesting.await(TcpServer.start(runtime, new InetSocketAddress("127.0.0.1", 0), connection -> {
            handledOn.incrementAndGet(connection.shard().id());
            connection.receive(new IoTesting.EchoReceiver() {
                @Override
                public void onEnd(Connection c, Throwable failure) {
                    super.onEnd(c, failure);
                    if (ended != null && ended[0] != null) {
                        ended[0].countDown();
                    }
                }
            });
        }));
        cleanup.add(() -> server.close().get(IoTesting.WAIT, TimeUnit.SECONDS));
        return new Recorded(server, handledOn);
    }

    private Socket connectAndEcho(int port, String text) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        cleanup.add(socket);
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(IoTesting.WAIT));
        IoTesting.assertEchoes(socket, text);
        return socket;
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void reusePortListensOnEveryShardAndTheKernelSpreads(DriverKind driver) throws IOException {
        ShardRuntime runtime = cleanup.start(2, "atoll.io.tcp.accept = reuse-port", driver);
        Recorded recorded = echoServer(runtime, null);
        assertEquals(IoSettings.AcceptMode.REUSE_PORT, recorded.server().acceptMode());
        int connections = 40;
        for (int i = 0; i < connections; i++) {
            connectAndEcho(recorded.server().port(), "c" + i); // each from a new ephemeral port: a new hash
        }
        assertEquals(connections, recorded.server().accepted());
        // All on one shard would mean only one listener works: probability 2^-39 with the kernel's hash.
        assertTrue(recorded.handledOn().get(0) > 0 && recorded.handledOn().get(1) > 0,
                "connections per shard: " + recorded.handledOn());
        assertEquals(connections, recorded.server().openConnections(0) + recorded.server().openConnections(1));
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void acceptorRoundRobinSpreadsEvenly(DriverKind driver) throws IOException {
        ShardRuntime runtime = cleanup.start(3, "atoll.io.tcp { accept = acceptor, balance = round-robin }", driver);
        Recorded recorded = echoServer(runtime, null);
        assertEquals(IoSettings.AcceptMode.ACCEPTOR, recorded.server().acceptMode());
        for (int i = 0; i < 30; i++) {
            connectAndEcho(recorded.server().port(), "c" + i);
        }
        for (int shard = 0; shard < 3; shard++) {
            assertEquals(10, recorded.handledOn().get(shard), "per shard: " + recorded.handledOn());
            assertEquals(10, recorded.server().openConnections(shard));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void acceptorLeastConnectionsPicksTheEmptiestShard(DriverKind driver) throws IOException {
        ShardRuntime runtime = cleanup.start(3, "atoll.io.tcp { accept = acceptor, balance = least-connections }", driver);
        CountDownLatch[] ended = new CountDownLatch[1];
        Recorded recorded = echoServer(runtime, ended);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sockets.add(connectAndEcho(recorded.server().port(), "c" + i));
        }
        for (int shard = 0; shard < 3; shard++) {
            assertEquals(2, recorded.handledOn().get(shard), "per shard: " + recorded.handledOn());
        }
        // Ties go to the lowest shard, so the connections went to shards 0, 1, 2, 0, 1, 2: empty shard 1.
        ended[0] = new CountDownLatch(2);
        sockets.get(1).close();
        sockets.get(4).close();
        TestRuntimes.awaitLatch(ended[0]);
        // The echo receiver closes after its shutdown completes (on io_uring an operation: a moment later).
        IoTesting.eventually("shard 1 emptied", () -> recorded.server().openConnections(1) == 0);
        int before1 = recorded.handledOn().get(1);
        connectAndEcho(recorded.server().port(), "new-1");
        connectAndEcho(recorded.server().port(), "new-2");
        assertEquals(before1 + 2, recorded.handledOn().get(1),
                "both new connections went to the emptiest shard (round-robin would not): " + recorded.handledOn());
        assertEquals(2, recorded.server().openConnections(1));
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void closeStopsAcceptingButOpenConnectionsKeepWorking(DriverKind driver) throws IOException {
        for (String mode : List.of("reuse-port", "acceptor")) {
            ShardRuntime runtime = cleanup.start(2, "atoll.io.tcp.accept = " + mode, driver);
            Recorded recorded = echoServer(runtime, null);
            int port = recorded.server().port();
            Socket a = connectAndEcho(port, "before");
            Socket b = connectAndEcho(port, "before too");
            IoTesting.await(recorded.server().close());
            assertTrue(recorded.server().isClosed());
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), mode + ": still accepting");
            IoTesting.assertEchoes(a, "after the server closed");
            IoTesting.assertEchoes(b, "still here");
            runtime.close();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void stoppingTheRuntimeClosesOpenConnectionsAndLeavesNoDescriptor(DriverKind driver) throws IOException {
        TestRuntimes.assumeAvailable(driver);
        // Warm up once so lazily opened files (jars, logging) are open before counting.
        serveThenStopWithConnectionsOpen(driver, 2);
        int before = IoTesting.openDescriptors();
        serveThenStopWithConnectionsOpen(driver, 20);
        int after = IoTesting.openDescriptors();
        assertEquals(before, after, "descriptors before the runtime started and after it stopped");
    }

    private void serveThenStopWithConnectionsOpen(DriverKind driver, int connections) throws IOException {
        ShardRuntime runtime = TestRuntimes.start(2, "", driver);
        List<Socket> clients = new ArrayList<>();
        try {
            TcpServer server = IoTesting.await(TcpServer.start(runtime, new InetSocketAddress("127.0.0.1", 0),
                    IoTesting.ECHO));
            for (int i = 0; i < connections; i++) {
                Socket socket = new Socket("127.0.0.1", server.port());
                clients.add(socket);
                socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(IoTesting.WAIT));
                IoTesting.assertEchoes(socket, "open " + i);
            }
            runtime.close(); // connections and listeners still open
            for (Socket socket : clients) {
                IoTesting.drain(socket.getInputStream()); // returns: the server side was closed
            }
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", server.port()).close());
        } finally {
            runtime.close();
            clients.forEach(IoTesting::closeQuietly);
        }
    }
}
