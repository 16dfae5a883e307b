package dev.atoll.examples;

import dev.atoll.config.DriverKind;
import dev.atoll.io.TcpServer;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The echo server fuzzed end to end over a socket: random bytes written in pieces of random sizes
 * (1 byte to 70 KB), sometimes waiting until the echo caught up, sometimes megabytes at once; every
 * byte must come back in order. Bounded in rounds and time; the seed is in every failure message.
 */
class EchoStreamFuzzTest {
    private static final int MAX_ROUNDS = 30;
    private static final long MAX_NANOS = 6_000_000_000L;

    @ParameterizedTest
    @MethodSource("dev.atoll.examples.kv.KvPipelineTest#driversAndShards")
    void everyByteComesBackInOrderHoweverItIsCut(DriverKind driver, int shards) throws Exception {
        long seed = new SplittableRandom().nextLong();
        try (ShardRuntime runtime = TestRuntimes.start(shards, "", driver)) {
            TcpServer server = TcpServer.start(runtime, new InetSocketAddress("127.0.0.1", 0),
                    connection -> connection.receive(new Echo.EchoReceiver())).get(TestRuntimes.WAIT_SECONDS,
                    TimeUnit.SECONDS);
            try {
                long start = System.nanoTime();
                for (int round = 0; round < MAX_ROUNDS && System.nanoTime() - start < MAX_NANOS; round++) {
                    String where = "seed " + seed + ", round " + round + ", " + driver + ", " + shards + " shard(s)";
                    echoRound(server.port(), new SplittableRandom(seed + round), where);
                }
            } finally {
                server.close().get(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    private static void echoRound(int port, SplittableRandom random, String where) throws Exception {
        byte[] sent = new byte[random.nextInt(4) == 0 ? 1 + random.nextInt(4 << 20) : 1 + random.nextInt(200_000)];
        random.nextBytes(sent);
        int syncOneIn = random.nextBoolean() ? 0 : 4;
        long writerSeed = random.nextLong();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            socket.setTcpNoDelay(true);
            AtomicLong received = new AtomicLong();
            Thread writer = new Thread(() -> write(socket, sent, received, new SplittableRandom(writerSeed), syncOneIn),
                    "echo-fuzz-writer");
            writer.setDaemon(true);
            writer.start();
            byte[] back = new byte[sent.length];
            InputStream in = socket.getInputStream();
            try {
                int at = 0;
                while (at < back.length) {
                    int n = in.read(back, at, back.length - at);
                    assertEquals(true, n > 0, "the echo ended after " + at + " of " + sent.length + " bytes (" + where + ")");
                    at += n;
                    received.set(at);
                }
            } finally {
                received.set(Long.MAX_VALUE);
                writer.join(30_000);
            }
            if (!Arrays.equals(sent, back)) {
                int first = Arrays.mismatch(sent, back);
                assertArrayEquals(sent, back, "first difference at byte " + first + " of " + sent.length + " (" + where + ")");
            }
        }
    }

    /** Writes in pieces; after one piece in {@code syncOneIn} (0: never) waits until the echo caught up. */
    private static void write(Socket socket, byte[] bytes, AtomicLong received, SplittableRandom random, int syncOneIn) {
        try {
            OutputStream out = socket.getOutputStream();
            int at = 0;
            while (at < bytes.length) {
                int size = switch (random.nextInt(10)) {
                    case 0, 1, 2 -> 1 + random.nextInt(16);
                    case 3, 4, 5, 6, 7 -> 17 + random.nextInt(2000);
                    default -> 2000 + random.nextInt(70_000);
                };
                int end = Math.min(bytes.length, at + size);
                out.write(bytes, at, end - at);
                out.flush();
                at = end;
                if (syncOneIn > 0 && random.nextInt(syncOneIn) == 0) {
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (received.get() < at && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                }
            }
        } catch (IOException e) {
            // the reader failed and closed the socket: it reports
        }
    }
}
