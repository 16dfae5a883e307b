package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HyperLogLog encoding against what redis-server 7.0.15 stored and answered
 * ({@code kv/hll-estimates.txt}): for 1, 100, 1000, 20000 and 100000 distinct elements added in
 * batches, PFCOUNT and the value's bytes afterwards (length and SHA-256: header, sparse opcodes or
 * dense registers, cached cardinality), and the element after which a value turns dense. Checked
 * against a fresh redis-server when one is installed ({@code -Drecord.estimates=FILE} writes what it
 * answered).
 */
class HyperLogLogTest {
    private static final int[] SIZES = {1, 100, 1000, 20000, 100000};
    private static final int BATCH = 1000;

    /** The lines: "n count length sha256" per size, then "dense-after n". */
    private static List<String> local() {
        List<String> lines = new ArrayList<>();
        for (int n : SIZES) {
            HyperLogLog h = HyperLogLog.empty();
            for (int i = 0; i < n; i++) {
                byte[] e = element(i);
                assertTrue(h.add(e, 0, e.length) >= 0);
            }
            h.invalidate();
            long count = h.count();
            h.cache(count); // as PFCOUNT leaves it
            lines.add(n + " " + count + " " + h.length() + " " + sha256(h.bytes(), h.length()));
        }
        HyperLogLog h = HyperLogLog.empty();
        int n = 0;
        while (h.length() != HyperLogLog.DENSE_SIZE) {
            byte[] e = element(n++);
            h.add(e, 0, e.length);
        }
        lines.add("dense-after " + n);
        return lines;
    }

    private static List<String> fromServer(RespClient c, int port) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int n : SIZES) {
            String key = "hll" + n;
            c.call("DEL", key);
            for (int from = 0; from < n; from += BATCH) {
                List<String> args = new ArrayList<>(List.of("PFADD", key));
                for (int i = from; i < Math.min(n, from + BATCH); i++) {
                    args.add(new String(element(i), StandardCharsets.UTF_8));
                }
                c.call(args.toArray(String[]::new));
            }
            long count = (Long) c.call("PFCOUNT", key);
            byte[] value = rawGet(port, key);
            lines.add(n + " " + count + " " + value.length + " " + sha256(value, value.length));
        }
        c.call("DEL", "grow");
        int n = 0;
        while ((Long) c.call("STRLEN", "grow") != HyperLogLog.DENSE_SIZE) {
            c.call("PFADD", "grow", new String(element(n++), StandardCharsets.UTF_8));
        }
        lines.add("dense-after " + n);
        return lines;
    }

    private static byte[] element(int i) {
        return ("e" + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void estimatesAndBytesAreRedisS() throws IOException {
        assertEquals(recorded(), local());
    }

    @Test
    void theRecordingIsRedisSOwn() throws Exception {
        assertEquals(recorded(), fromFreshRedis("record.estimates", HyperLogLogTest::fromServer));
    }

    /** What a test reads from a redis-server: lines to compare with a recording. */
    interface Reading {
        List<String> lines(RespClient c, int port) throws Exception;
    }

    /**
     * {@code reading} of a fresh redis-server (skips the test when none is installed), also written to
     * the file the system property {@code recordProperty} names, when set.
     */
    static List<String> fromFreshRedis(String recordProperty, Reading reading) throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedisServer(port);
        try (RespClient c = KvRedisComparisonTest.connect(port)) {
            List<String> lines = reading.lines(c, port);
            String record = System.getProperty(recordProperty);
            if (record != null) {
                Files.write(Path.of(record), lines);
            }
            return lines;
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Every dense register keeps what was written to it and its neighbours theirs (Redis's PFSELFTEST). */
    @Test
    void denseRegistersHoldSixBitsEach() {
        Random random = new Random(42);
        byte[] registers = new byte[HyperLogLog.DENSE_SIZE - HyperLogLog.HEADER];
        int[] expected = new int[HyperLogLog.REGISTERS];
        for (int round = 0; round < 20; round++) {
            java.util.Arrays.fill(registers, (byte) 0);
            for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
                expected[i] = random.nextInt(64);
                HyperLogLog.denseSet(registers, 0, i, expected[i]);
            }
            for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
                assertEquals(expected[i], HyperLogLog.denseGet(registers, 0, i), "register " + i);
            }
        }
    }

    /** MurmurHash64A's known answers (seed 0xadc83b19, as Redis hashes elements), tails of 0 to 7 bytes. */
    @Test
    void registersFollowTheElementsHash() {
        HyperLogLog h = HyperLogLog.empty();
        byte[] a = "a".getBytes(StandardCharsets.UTF_8);
        assertEquals(1, h.add(a, 0, 1));
        assertEquals(0, h.add(a, 0, 1));
        // redis-server 7.0.15: PFADD k a b c then GET k: sparse opcodes 60f3 8050 b184 4bfb 8042 5a
        HyperLogLog abc = HyperLogLog.empty();
        for (String e : List.of("a", "b", "c")) {
            abc.add(e.getBytes(StandardCharsets.UTF_8), 0, 1);
        }
        byte[] opcodes = java.util.Arrays.copyOfRange(abc.bytes(), HyperLogLog.HEADER, abc.length());
        assertEquals("60f38050b1844bfb80425a", HexFormat.of().formatHex(opcodes));
    }

    private static List<String> recorded() throws IOException {
        try (InputStream in = HyperLogLogTest.class.getResourceAsStream("/kv/hll-estimates.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    static String sha256(byte[] b, int length) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(java.util.Arrays.copyOf(b, length)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** GET's bulk reply as bytes (RespClient decodes bulk strings as UTF-8); null for a missing key. */
    static byte[] rawGet(int port, String key) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(RespClient.encode("GET", key));
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\r'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("closed in a reply");
                }
                line.append((char) c);
            }
            in.read();
            assertEquals('$', line.charAt(0), line.toString());
            int length = Integer.parseInt(line.substring(1));
            return length < 0 ? null : in.readNBytes(length);
        }
    }
}
