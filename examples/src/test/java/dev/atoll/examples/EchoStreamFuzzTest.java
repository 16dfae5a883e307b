package dev.atoll.examples;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

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
    @MethodSource("dev.atoll.examples.StreamFuzz#driversAndShards")
    void everyByteComesBackInOrderHoweverItIsCut(DriverKind driver, int shards) throws Exception {
        StreamFuzz.serveRounds(driver, shards, connection -> connection.receive(new Echo.EchoReceiver()), MAX_ROUNDS,
                MAX_NANOS, EchoStreamFuzzTest::echoRound);
    }

    private static void echoRound(int port, SplittableRandom random, String where) throws Exception {
        byte[] sent = new byte[random.nextInt(4) == 0 ? 1 + random.nextInt(4 << 20) : 1 + random.nextInt(200_000)];
        random.nextBytes(sent);
        int syncOneIn = random.nextBoolean() ? 0 : 4;
        long writerSeed = random.nextLong();
        try (Socket socket = StreamFuzz.connect(port)) {
            AtomicInteger received = new AtomicInteger();
            Thread writer = StreamFuzz.startWriter(socket.getOutputStream(), sent, new SplittableRandom(writerSeed),
                    syncOneIn, written -> written, received::get);
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
                received.set(Integer.MAX_VALUE);
                writer.join(30_000);
            }
            if (!Arrays.equals(sent, back)) {
                int first = Arrays.mismatch(sent, back);
                assertArrayEquals(sent, back, "first difference at byte " + first + " of " + sent.length + " (" + where + ")");
            }
        }
    }

}
