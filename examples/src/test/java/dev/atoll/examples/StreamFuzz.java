package dev.atoll.examples;

import dev.atoll.config.DriverKind;
import dev.atoll.io.ConnectionHandler;
import dev.atoll.io.TcpServer;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

/**
 * What the servers' end-to-end fuzz tests share: the drivers with one and two shards, and a writer
 * that sends a stream in pieces cut at random byte boundaries, at times waiting until the server
 * answered all it was sent, so that the server's next read starts in the middle of a request.
 */
public final class StreamFuzz {
    private static final long WAIT_NANOS = 30_000_000_000L;

    private StreamFuzz() {
    }

    /** One round of a fuzz test, its randomness seeded; {@code where} (seed, round, driver, shards) goes in every failure. */
    @FunctionalInterface
    public interface Round {
        void run(SplittableRandom random, String where) throws Exception;
    }

    /** One round against a server listening on {@code port}. */
    @FunctionalInterface
    public interface ServerRound {
        void run(int port, SplittableRandom random, String where) throws Exception;
    }

    /** Runs rounds until {@code maxRounds} or {@code maxNanos} pass, round {@code i} seeded with a random seed plus {@code i}. */
    public static void rounds(DriverKind driver, int shards, int maxRounds, long maxNanos, Round round) throws Exception {
        long seed = new SplittableRandom().nextLong();
        long start = System.nanoTime();
        for (int i = 0; i < maxRounds && System.nanoTime() - start < maxNanos; i++) {
            round.run(new SplittableRandom(seed + i), "seed " + seed + ", round " + i + ", " + driver + ", " + shards
                    + " shard(s)");
        }
    }

    /** {@link #rounds} against {@code handler} served on {@code shards} shards of {@code driver}, on a loopback port. */
    public static void serveRounds(DriverKind driver, int shards, ConnectionHandler handler, int maxRounds, long maxNanos,
                                   ServerRound round) throws Exception {
        try (ShardRuntime runtime = TestRuntimes.start(shards, "", driver)) {
            TcpServer server = TcpServer.start(runtime, new InetSocketAddress("127.0.0.1", 0), handler)
                    .get(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS);
            try {
                rounds(driver, shards, maxRounds, maxNanos, (random, where) -> round.run(server.port(), random, where));
            } finally {
                server.close().get(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    /** A client socket to the loopback {@code port}: no Nagle delay, 30 s for any read. */
    public static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(30_000);
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** Every driver (skipped, with the reason, where it cannot run) with 1 and 2 shards. */
    public static Stream<Arguments> driversAndShards() {
        return TestRuntimes.drivers().flatMap(driver -> Stream.of(Arguments.of(driver, 1), Arguments.of(driver, 2)));
    }

    /**
     * Starts a daemon thread writing {@code bytes} to {@code out} in pieces of 1 to 16 bytes (30 %), up
     * to 2 KB (50 %) or up to 72 KB (20 %). After one piece in {@code syncOneIn} (0: never) it waits, up
     * to 30 s, until {@code answered} reaches {@code due} of the bytes written so far. A failed write
     * ends it quietly: the server closed the connection, and the reader reports whether it should have.
     */
    public static Thread startWriter(OutputStream out, byte[] bytes, SplittableRandom random, int syncOneIn,
                                     IntUnaryOperator due, IntSupplier answered) {
        Thread writer = new Thread(() -> {
            try {
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
                        int wanted = due.applyAsInt(at);
                        long deadline = System.nanoTime() + WAIT_NANOS;
                        while (answered.getAsInt() < wanted && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                    }
                }
            } catch (IOException e) {
                // see above
            }
        }, "fuzz-writer");
        writer.setDaemon(true);
        writer.start();
        return writer;
    }

    /** How many of the units ending at {@code ends} (ascending) lie wholly in the first {@code written} bytes. */
    public static int complete(int[] ends, int written) {
        int n = 0;
        while (n < ends.length && ends[n] <= written) {
            n++;
        }
        return n;
    }
}
