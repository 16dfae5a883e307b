package dev.atoll.io;

import dev.atoll.config.DriverKind;
import dev.atoll.drivers.ffi.OsConstants;
import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static dev.atoll.io.IoTesting.onShard;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Peers that reset, half-close, vanish mid-write or never read; receivers that fall behind. */
class RobustnessTest {
    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private TcpServer server(ShardRuntime runtime, ConnectionHandler handler) {
        TcpServer server = IoTesting.await(TcpServer.start(runtime, new InetSocketAddress("127.0.0.1", 0), handler));
        cleanup.add(() -> server.close().get(IoTesting.WAIT, TimeUnit.SECONDS));
        return server;
    }

    private Socket client(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        cleanup.add(socket);
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(IoTesting.WAIT));
        return socket;
    }

    /** An echo that completes {@code end} with why it ended (a Throwable "end of stream" at the peer's end). */
    private static class EndReportingEcho extends IoTesting.EchoReceiver {
        private final CompletableFuture<Throwable> end;

        EndReportingEcho(CompletableFuture<Throwable> end) {
            this.end = end;
        }

        @Override
        public void onEnd(Connection c, Throwable failure) {
            super.onEnd(c, failure);
            end.complete(failure == null ? new Throwable("end of stream") : failure);
        }
    }

    private static void assertNoBufferOut(ShardRuntime runtime) {
        assertBuffersOut(runtime, 0);
    }

    /** A write's buffer comes back when its completion is dispatched, which may be just after the peer got the bytes. */
    private static void assertBuffersOut(ShardRuntime runtime, long expected) {
        long[] last = {-1};
        IoTesting.eventually("buffers out = " + expected + " (last seen " + last[0] + ")", () -> {
            last[0] = IoTesting.poolStats(runtime).stream().mapToLong(BufferPool.Stats::heldByApplication).sum();
            return last[0] == expected;
        });
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aPeerThatResetsEndsOnlyItsConnection(DriverKind driver) throws IOException {
        ShardRuntime runtime = cleanup.start(1, "", driver);
        CompletableFuture<Throwable> end = new CompletableFuture<>();
        TcpServer server = server(runtime, connection -> connection.receive(new EndReportingEcho(end)));
        Socket other = client(server.port());
        IoTesting.assertEchoes(other, "bystander");
        Socket resetting = client(server.port());
        IoTesting.assertEchoes(resetting, "about to reset");
        resetting.setSoLinger(true, 0);
        resetting.close(); // RST
        Throwable seen = IoTesting.await(end);
        if (seen instanceof IoException io) {
            assertEquals(OsConstants.ECONNRESET, io.errno(), io.getMessage());
        } else {
            assertEquals("end of stream", seen.getMessage(), "neither a reset nor the end: " + seen);
        }
        assertEquals(1, server.openConnections(0), "the reset connection was closed, the other stays");
        IoTesting.assertEchoes(other, "still served");
        IoTesting.assertEchoes(client(server.port()), "and new ones too");
        // The two open connections wait for data holding no buffer; the reset one gave its back.
        assertNoBufferOut(runtime);
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aReceiverThatThrowsClosesOnlyItsConnection(DriverKind driver) throws IOException {
        ShardRuntime runtime = cleanup.start(1, "", driver);
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        TcpServer server = server(runtime, connection -> connection.receive(new EndReportingEcho(ended) {
            @Override
            public void onData(Connection c, Buffer data) {
                if (data.toUtf8String().startsWith("throw")) {
                    data.release();
                    throw new IllegalStateException("a receiver's bug (on purpose)");
                }
                super.onData(c, data);
            }
        }));
        Socket bystander = client(server.port());
        IoTesting.assertEchoes(bystander, "before");
        Socket throwing = client(server.port());
        throwing.getOutputStream().write("throw on the first data".getBytes());
        assertEquals(-1, throwing.getInputStream().read(), "the connection whose receiver threw is closed");
        assertInstanceOf(IoCancelledException.class, IoTesting.await(ended), "its receiver is told it ended");
        IoTesting.assertEchoes(bystander, "after: the shard still serves the other connection");
        assertEquals(1, server.openConnections(0));
        assertNoBufferOut(runtime);
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aHalfClosedPeerStillGetsTheReply(DriverKind driver) throws IOException {
        ShardRuntime runtime = cleanup.start(1, "", driver);
        // Reads until the end of stream, then replies with the byte count and closes.
        TcpServer server = server(runtime, connection -> {
            Buffer buffer = BufferPool.current().acquire(4096);
            readToEnd(connection, buffer, 0);
        });
        Socket socket = client(server.port());
        socket.getOutputStream().write(new byte[10_000]);
        socket.shutdownOutput();
        byte[] reply = socket.getInputStream().readAllBytes();
        assertEquals("read 10000 bytes, then the end", new String(reply));
        assertNoBufferOut(runtime);
    }

    private static void readToEnd(Connection connection, Buffer buffer, long total) {
        buffer.clear();
        connection.read(buffer).whenComplete((n, failure) -> {
            if (failure != null) {
                buffer.release();
                connection.close();
            } else if (n < 0) {
                buffer.clear().writeUtf8("read " + total + " bytes, then the end");
                connection.writeAll(buffer).whenComplete((ignored, error) -> {
                    buffer.release();
                    connection.close();
                });
            } else {
                readToEnd(connection, buffer, total + n);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aPeerVanishingMidWriteFailsTheWriteNotTheServer(DriverKind driver) throws IOException {
        ShardRuntime runtime = cleanup.start(1, "", driver);
        CompletableFuture<Throwable> writeFailure = new CompletableFuture<>();
        AtomicLong sent = new AtomicLong();
        TcpServer server = server(runtime, connection -> {
            Buffer chunk = BufferPool.current().acquire(64 * 1024);
            writeForever(connection, chunk, sent, writeFailure);
        });
        Socket vanishing = client(server.port());
        byte[] some = vanishing.getInputStream().readNBytes(100_000);
        assertEquals(100_000, some.length);
        vanishing.close(); // with unread data: the kernel resets the connection
        Throwable failure = IoTesting.await(writeFailure);
        IoException io = assertInstanceOf(IoException.class, failure);
        assertTrue(io.errno() == OsConstants.EPIPE || io.errno() == OsConstants.ECONNRESET,
                "expected EPIPE or ECONNRESET: " + io.getMessage());
        assertTrue(sent.get() >= 100_000, "sent " + sent);
        assertEquals(0, server.openConnections(0));
        assertNoBufferOut(runtime);
        Socket next = client(server.port());
        assertEquals(200_000, next.getInputStream().readNBytes(200_000).length, "the server still serves");
    }

    private static void writeForever(Connection connection, Buffer chunk, AtomicLong sent,
                                     CompletableFuture<Throwable> failed) {
        chunk.clear().advanceWriter(chunk.capacity());
        connection.writeAll(chunk).whenComplete((ignored, failure) -> {
            if (failure != null) {
                chunk.release();
                connection.close();
                failed.complete(failure);
            } else if (sent.addAndGet(chunk.capacity()) > 1L << 30) {
                chunk.release();
                connection.close();
                failed.complete(new AssertionError("1 GiB went out to a peer that closed"));
            } else {
                writeForever(connection, chunk, sent, failed);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aWriteToAPeerThatNeverReadsTimesOutAndFailsTheWritesBehindIt(DriverKind driver) throws IOException {
        ShardRuntime runtime = cleanup.start(1, SMALL_SOCKET_BUFFERS, driver);
        CompletableFuture<Connection> accepted = new CompletableFuture<>();
        TcpServer server = server(runtime, accepted::complete);
        Socket socket = nonReadingClient(server.port());
        Connection connection = IoTesting.await(accepted);
        List<Throwable> outcomes = new ArrayList<>();
        Throwable failure = IoTesting.awaitFailure(runtime, 0, () -> {
            Promise<Void> failed = new Promise<>();
            writeUntilTimeout(connection, failed, outcomes, 0);
            return failed;
        });
        assertInstanceOf(IoTimeoutException.class, failure);
        // Read on the shard: the queued write fails just after the timed-out one's callbacks ran.
        List<Throwable> queuedOutcomes = IoTesting.onShard(runtime, 0, () -> List.copyOf(outcomes));
        assertEquals(1, queuedOutcomes.size(), "the write queued behind the timed-out one failed with it");
        assertInstanceOf(IoTimeoutException.class, queuedOutcomes.get(0));
        assertTrue(IoTesting.onShard(runtime, 0, connection::isOpen), "a timed-out write leaves the connection open");
        assertNoBufferOut(runtime);
        IoTesting.onShard(runtime, 0, () -> {
            connection.close();
            return null;
        });
    }

    /** writeAll with a 200 ms deadline, chunk after chunk, each with one more write queued behind it, until one times out. */
    private static void writeUntilTimeout(Connection connection, Promise<Void> failed, List<Throwable> queuedOutcomes, int round) {
        BufferPool pool = BufferPool.current();
        Buffer chunk = pool.acquire(64 * 1024);
        chunk.advanceWriter(chunk.capacity());
        Buffer behind = pool.acquire(512);
        behind.advanceWriter(behind.capacity());
        Promise<Void> first = connection.writeAll(chunk, java.time.Duration.ofMillis(200));
        Promise<Void> second = connection.writeAll(behind);
        second.whenComplete((ignored, error) -> {
            behind.release();
            if (error != null) {
                queuedOutcomes.add(error);
            }
        });
        first.whenComplete((ignored, error) -> {
            chunk.release();
            if (error != null) {
                failed.fail(error);
            } else if (round > 1000) {
                failed.complete(null); // 64 MiB went to a peer that reads nothing: the test fails
            } else {
                second.whenComplete((x, y) -> writeUntilTimeout(connection, failed, queuedOutcomes, round + 1));
            }
        });
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aWriteAllCutShortByCloseFailsAndSaysHowMuchWent(DriverKind driver) throws IOException {
        // The smallest socket buffers: the first send of 64 KiB goes out in part, the rest after close never.
        ShardRuntime runtime = cleanup.start(1, "atoll.io.socket.send-buffer = 4KiB\n", driver);
        CompletableFuture<Connection> accepted = new CompletableFuture<>();
        TcpServer server = server(runtime, accepted::complete);
        Socket socket = cleanup.add(new Socket());
        socket.setReceiveBufferSize(4 * 1024);
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
        Connection connection = IoTesting.await(accepted);
        Throwable failure = IoTesting.awaitFailure(runtime, 0, () -> {
            Buffer chunk = BufferPool.current().acquire(64 * 1024);
            chunk.advanceWriter(chunk.capacity());
            Promise<Void> written = connection.writeAll(chunk);
            connection.close(); // the first send may have gone out in part; the rest never will
            return written.whenComplete((ignored, error) -> chunk.release());
        });
        assertInstanceOf(IoCancelledException.class, failure, "a writeAll that did not deliver every byte fails");
        assertTrue(failure.getMessage().contains("closed"), failure.getMessage());
        assertEquals(0, server.openConnections(0));
        socket.close();
        assertNoBufferOut(runtime);
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void connectionsWaitWhileTheShardsPoolIsExhaustedAndResumeWhenBuffersReturn(DriverKind driver) throws IOException {
        // Room for 4 receive buffers on the shard; 6 connections, each receiver holding what it gets, and each
        // connection holding at most one buffer (max-unreleased = 1: a held one pauses it).
        ShardRuntime runtime = cleanup.start(1, "atoll.io.buffers { slab-size = 64KiB, max-bytes = 64KiB }\n"
                + "atoll.io.receive { buffer-size = 16KiB, max-unreleased = 1 }\natoll.io.tcp.accept-retry = 20ms", driver);
        List<Buffer> held = new ArrayList<>();
        java.util.Set<Integer> servedPorts = java.util.concurrent.ConcurrentHashMap.newKeySet();
        CountDownLatch fourHeld = new CountDownLatch(4);
        CountDownLatch allDelivered = new CountDownLatch(6);
        TcpServer server = server(runtime, connection -> connection.receive(new Receiver() {
            @Override
            public void onData(Connection c, Buffer data) {
                servedPorts.add(((InetSocketAddress) c.remoteAddress()).getPort());
                allDelivered.countDown();
                if (fourHeld.getCount() > 0) {
                    held.add(data);
                    fourHeld.countDown();
                } else {
                    data.release();
                }
            }

            @Override
            public void onEnd(Connection c, Throwable failure) {
                c.close();
            }
        }));
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            clients.add(client(server.port()));
        }
        for (Socket socket : clients) {
            socket.getOutputStream().write('x');
        }
        try {
            TestRuntimes.awaitLatch(fourHeld);
        } catch (AssertionError e) {
            throw new AssertionError("held " + IoTesting.onShard(runtime, 0, held::size) + ", served " + servedPorts
                    + ", " + IoTesting.poolStats(runtime).get(0) + ", open " + server.openConnections(0), e);
        }
        // The other two may still be on their way in (accepted, then meeting the bound): wait for that.
        IoTesting.eventually("all six accepted, waiting, not dropped", () -> server.openConnections(0) == 6);
        IoTesting.eventually("the other connections met the bound",
                () -> IoTesting.poolStats(runtime).get(0).exhausted() > 0);
        BufferPool.Stats stats = IoTesting.poolStats(runtime).get(0);
        assertEquals(4, stats.heldByApplication(), "the pool's bound holds: " + stats);
        assertEquals(2, allDelivered.getCount(), "two connections wait for buffers");
        // The served connections give their buffers back and end: the waiting ones get buffers and are served.
        IoTesting.onShard(runtime, 0, () -> {
            held.forEach(Buffer::release);
            held.clear();
            return null;
        });
        for (Socket socket : clients) {
            if (servedPorts.contains(socket.getLocalPort())) {
                socket.close();
            }
        }
        TestRuntimes.awaitLatch(allDelivered);
        assertEquals(6, servedPorts.size());
        for (Socket socket : clients) {
            socket.close();
        }
        IoTesting.eventually("the server closes them", () -> server.openConnections(0) == 0);
        assertNoBufferOut(runtime);
    }

    /** What the server saw while it wrote to a peer that does not read. */
    private static final class Flood {
        final AtomicLong accepted = new AtomicLong();
        final AtomicInteger cancelled = new AtomicInteger();
        final CompletableFuture<Throwable> refused = new CompletableFuture<>();
        final CompletableFuture<Long> queuedAtRefusal = new CompletableFuture<>();
        final CompletableFuture<Boolean> openAfterRefusal = new CompletableFuture<>();
        final CountDownLatch allSettled = new CountDownLatch(1);
        final AtomicInteger outstanding = new AtomicInteger();
    }

    /** Issues a 16 KiB write per shard turn, without waiting for the earlier ones, until one is refused. */
    private static void flood(Connection connection, Flood flood) {
        Buffer chunk = BufferPool.current().acquire(16 * 1024);
        chunk.advanceWriter(chunk.capacity());
        long queuedBefore = connection.queuedWriteBytes();
        flood.outstanding.incrementAndGet();
        Promise<Void> write = connection.writeAll(chunk);
        if (write.isFailed() && write.failure() instanceof WriteBacklogFullException) {
            flood.queuedAtRefusal.complete(queuedBefore);
            flood.openAfterRefusal.complete(connection.isOpen());
            flood.refused.complete(write.failure());
        }
        write.whenComplete((ignored, failure) -> {
            chunk.release();
            if (failure == null) {
                flood.accepted.addAndGet(16 * 1024);
            } else if (failure instanceof IoCancelledException) {
                flood.cancelled.incrementAndGet();
            }
            if (flood.outstanding.decrementAndGet() == 0 && flood.refused.isDone()) {
                flood.allSettled.countDown();
            }
        });
        if (!flood.refused.isDone()) {
            Shard.current().execute(() -> flood(connection, flood));
        }
    }

    private static final String SMALL_SOCKET_BUFFERS = "atoll.io.socket.send-buffer = 32KiB\n";

    /** A client with a small receive buffer that the test never reads from, so the server's writes back up. */
    private Socket nonReadingClient(int port) throws IOException {
        Socket socket = cleanup.add(new Socket());
        socket.setReceiveBufferSize(32 * 1024); // before connecting, so the window is small from the start
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        return socket;
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aPeerThatNeverReadsHitsTheBacklogLimitAndWithPolicyFailStaysConnected(DriverKind driver) throws IOException {
        ShardRuntime runtime = cleanup.start(1, SMALL_SOCKET_BUFFERS
                + "atoll.io.write-backlog { limit = 64KiB, policy = fail }", driver);
        Flood flood = new Flood();
        TcpServer server = server(runtime, connection -> flood(connection, flood));
        Socket socket = nonReadingClient(server.port());
        Throwable refused = IoTesting.await(flood.refused);
        assertInstanceOf(WriteBacklogFullException.class, refused);
        long queued = IoTesting.await(flood.queuedAtRefusal);
        assertTrue(queued <= 64 * 1024 && queued > 64 * 1024 - 16 * 1024, "queued at refusal: " + queued);
        assertTrue(IoTesting.await(flood.openAfterRefusal), "policy fail keeps the connection open");
        // Now read: everything accepted (in flight and queued) arrives, then the server's further writes.
        InputStream in = socket.getInputStream();
        // A write's completion is dispatched after its bytes left, so the last ones may arrive before the
        // server knows they went out: read with a short timeout and look again until every write settled.
        socket.setSoTimeout(50);
        long read = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(IoTesting.WAIT);
        byte[] chunk = new byte[64 * 1024];
        while (flood.allSettled.getCount() > 0 || read < flood.accepted.get()) {
            assertTrue(System.nanoTime() < deadline, "read " + read + ", accepted " + flood.accepted
                    + ", outstanding " + flood.outstanding);
            try {
                int n = in.read(chunk);
                assertTrue(n > 0, "the connection ended early after " + read + " bytes");
                read += n;
            } catch (java.net.SocketTimeoutException e) {
                // nothing new yet: look again
            }
        }
        assertEquals(flood.accepted.get(), read, "every accepted write arrived, nothing more");
        assertEquals(0, flood.cancelled.get(), "no accepted write was dropped");
        assertEquals(1, server.openConnections(0));
        assertNoBufferOut(runtime);
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void withPolicyCloseAPeerThatNeverReadsIsDisconnected(DriverKind driver) throws IOException {
        ShardRuntime runtime = cleanup.start(1, SMALL_SOCKET_BUFFERS
                + "atoll.io.write-backlog { limit = 64KiB, policy = close }", driver);
        Flood flood = new Flood();
        TcpServer server = server(runtime, connection -> flood(connection, flood));
        Socket socket = nonReadingClient(server.port());
        assertInstanceOf(WriteBacklogFullException.class, IoTesting.await(flood.refused));
        assertFalse(IoTesting.await(flood.openAfterRefusal), "policy close closes the connection");
        TestRuntimes.awaitLatch(flood.allSettled);
        assertTrue(flood.cancelled.get() >= 4, "the write in flight and the queued ones failed: " + flood.cancelled);
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(IoTesting.WAIT));
        long read = IoTesting.drain(socket.getInputStream()); // ends: the server closed
        assertTrue(read <= flood.accepted.get() + 16 * 1024 * 5, "read " + read);
        assertEquals(0, server.openConnections(0));
        assertNoBufferOut(runtime);
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aReceiverThatFallsBehindPausesItsConnection(DriverKind driver) throws Exception {
        ShardRuntime runtime = cleanup.start(1, "atoll.io.receive { buffer-size = 4KiB, max-unreleased = 4 }", driver);
        List<Buffer> held = new ArrayList<>();
        AtomicLong received = new AtomicLong();
        AtomicInteger deliveries = new AtomicInteger();
        boolean[] holding = {true};
        CountDownLatch full = new CountDownLatch(4);
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        long[] checksum = {0};
        int[] depth = {0, 0}; // onData calls running now, and the most at once
        TcpServer server = server(runtime, connection -> connection.receive(new Receiver() {
            @Override
            public void onData(Connection c, Buffer data) {
                depth[1] = Math.max(depth[1], ++depth[0]);
                try {
                    consume(data);
                } finally {
                    depth[0]--;
                }
            }

            private void consume(Buffer data) {
                deliveries.incrementAndGet();
                received.addAndGet(data.readableBytes());
                for (byte b : data.toByteArray()) {
                    checksum[0] += b & 0xff;
                }
                if (holding[0]) {
                    held.add(data);
                    full.countDown();
                } else {
                    data.release();
                }
            }

            @Override
            public void onEnd(Connection c, Throwable failure) {
                c.close();
                ended.complete(failure);
            }
        }));
        int total = 16 * 1024 * 1024; // more than the kernel's buffers on both sides hold
        byte[] payload = new byte[total];
        long expectedSum = 0;
        for (int i = 0; i < total; i++) {
            payload[i] = (byte) (i * 7);
            expectedSum += payload[i] & 0xff;
        }
        Socket socket = client(server.port());
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            try (OutputStream out = socket.getOutputStream()) {
                out.write(payload);
                socket.shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        TestRuntimes.awaitLatch(full);
        BufferPool.Stats pausedStats = IoTesting.poolStats(runtime).get(0);
        // Observation window, not synchronisation: nothing may be read while the receiver holds 4 buffers,
        // although the peer has far more queued (16 MiB against 16 KiB received).
        Thread.sleep(300);
        BufferPool.Stats later = IoTesting.poolStats(runtime).get(0);
        assertEquals(4, deliveries.get(), "deliveries while paused");
        if (later.kernelHeld() == 0) {
            assertEquals(4, later.heldByApplication(), "only the held buffers are out: " + later);
        } else {
            // io_uring: what the kernel had filled before it saw the pause waits, undelivered, in the
            // connection (at most what the socket had buffered); nothing more is read while paused.
            assertEquals(pausedStats.heldByApplication(), later.heldByApplication(), "nothing read while paused");
            assertEquals(pausedStats.kernelHeld(), later.kernelHeld(), "nothing read while paused");
        }
        assertEquals(pausedStats.acquired(), later.acquired(), "no buffer acquired while paused");
        assertFalse(sending.isDone(), "the sender is blocked: the connection stopped reading");
        // Release: receiving resumes and everything arrives.
        onShard(runtime, 0, () -> {
            holding[0] = false;
            held.forEach(Buffer::release);
            held.clear();
            return null;
        });
        assertNull(IoTesting.await(ended), "ended at the end of stream");
        IoTesting.await(sending);
        assertEquals(total, received.get());
        assertEquals(expectedSum, onShard(runtime, 0, () -> checksum[0]));
        assertEquals(1, onShard(runtime, 0, () -> depth[1]), "a release inside onData never calls onData again");
        assertNoBufferOut(runtime);
    }
}
