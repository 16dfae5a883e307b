package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The append-only logs: replay after a clean stop, with another shard count, after a torn write, and rewrite. */
class KvPersistenceTest {
    @TempDir
    Path dir;

    private List<String> logs() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The bytes of every log file in the directory (bases and incremental files). */
    private long logBytes() throws Exception {
        long total = 0;
        for (String name : logs()) {
            total += name.endsWith(".aof") ? Files.size(dir.resolve(name)) : 0;
        }
        return total;
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void everyWriteSurvivesARestartAlsoWithAnotherShardCount(DriverKind driver) throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC);
        try (KvTestServer server = KvTestServer.start(2, driver, settings); RespClient c = server.client()) {
            for (int i = 0; i < 500; i++) {
                assertEquals("OK", c.call("SET", "key" + i, "value" + i));
            }
            assertEquals(100L, c.call(Stream.concat(Stream.of("DEL"), Stream.iterate(0, i -> i + 1).limit(100)
                    .map(i -> "key" + i)).toArray(String[]::new)));
            assertEquals(7L, c.call("INCRBY", "counter", "7"));
            assertEquals(1L, c.call("EXPIRE", "key200", "1000"));
            assertEquals("OK", c.call("SET", "key201", "short", "PX", "1"));
            assertEquals("OK", c.call("SET", "key202", "kept", "EX", "1000"));
            assertEquals(8L, c.call("INCR", "counter")); // INCR keeps an expiry: logged as SET ... KEEPTTL
            assertEquals(1L, c.call("PEXPIRE", "counter", "5000000"));
            assertEquals(9L, c.call("INCR", "counter"));
        }
        Thread.sleep(5); // key201 is past its expiry at the next start
        assertEquals(List.of("appendonly-0-of-2.1.incr.aof", "appendonly-1-of-2.1.incr.aof"), logs());
        for (int shards : new int[] {2, 3, 1}) {
            try (KvTestServer server = KvTestServer.start(shards, driver, settings); RespClient c = server.client()) {
                assertEquals(400L, c.call("DBSIZE"), "with " + shards + " shards"); // key100 to key499 but key201, and counter
                assertNull(c.call("GET", "key5"));
                assertEquals("value399", c.call("GET", "key399"));
                assertNull(c.call("GET", "key201"));
                assertEquals("kept", c.call("GET", "key202"));
                long ttl = (Long) c.call("TTL", "key200");
                assertTrue(ttl > 900 && ttl <= 1000, "ttl " + ttl);
                assertEquals("9", c.call("GET", "counter"));
                assertTrue((Long) c.call("TTL", "counter") > 4000);
            }
            // the same layout goes on in its files; a new one was rewritten at once: its base and incremental file
            // of generation 2 (after the first, 1), the old layout's files gone
            List<String> parts = shards == 2 ? List.of(".1.incr.aof") : List.of(".2.base.aof", ".2.incr.aof");
            assertEquals(List.of(Stream.iterate(0, i -> i + 1).limit(shards).flatMap(i -> parts.stream()
                    .map(part -> "appendonly-" + i + "-of-" + shards + part)).toArray()), List.of(logs().toArray()));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void flushAllAndDeletesReplayPerFormerShard(DriverKind driver) throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO);
        try (KvTestServer server = KvTestServer.start(3, driver, settings); RespClient c = server.client()) {
            for (int i = 0; i < 50; i++) {
                c.call("SET", "old" + i, "x");
            }
            assertEquals("OK", c.call("FLUSHALL"));
            for (int i = 0; i < 50; i++) {
                c.call("SET", "new" + i, "y");
            }
        }
        try (KvTestServer server = KvTestServer.start(2, driver, settings); RespClient c = server.client()) {
            assertEquals(50L, c.call("DBSIZE"));
            assertEquals(0, ((List<?>) c.call("KEYS", "old*")).size());
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aCommandTornByACrashIsDroppedAndTheLogTruncated(DriverKind driver) throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.ALWAYS);
        try (KvTestServer server = KvTestServer.start(1, driver, settings); RespClient c = server.client()) {
            assertEquals("OK", c.call("SET", "a", "1"));
        }
        Path log = dir.resolve("appendonly-0-of-1.1.incr.aof");
        long complete = Files.size(log);
        Files.write(log, "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\n12".getBytes(StandardCharsets.US_ASCII),
                StandardOpenOption.APPEND);
        try (KvTestServer server = KvTestServer.start(1, driver, settings); RespClient c = server.client()) {
            assertEquals("1", c.call("GET", "a"));
            assertNull(c.call("GET", "b"));
            assertEquals(complete, Files.size(log));
            assertEquals("OK", c.call("SET", "c", "3"));
        }
        try (KvTestServer server = KvTestServer.start(1, driver, settings); RespClient c = server.client()) {
            assertEquals(List.of("1", "3"), c.call("MGET", "a", "c"));
        }
    }

    /** INFO persistence once no rewrite is in progress. */
    private static String settledInfo(RespClient c) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String info;
        do {
            Thread.sleep(20);
            info = (String) c.call("INFO", "persistence");
        } while (info.contains("aof_rewrite_in_progress:1") && System.nanoTime() < deadline);
        assertTrue(info.contains("aof_rewrite_in_progress:0"), info);
        return info;
    }

    private static long rewrites(String info) {
        return Long.parseLong(info.replaceAll("(?s).*aof_rewrites:(\\d+).*", "$1"));
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aLogPastItsBoundIsRewrittenWithoutLosingWrites(DriverKind driver) throws Exception {
        KvSettings settings = new KvSettings(true, KvSettings.FsyncPolicy.EVERYSEC, dir, 4096, 100, 16L << 20,
                new KvSettings.InputLimits(1 << 20, 1 << 20, 0), KvTestServer.OUTPUT, 100, Duration.ZERO, "", true);
        try (KvTestServer server = KvTestServer.start(2, driver, settings); RespClient c = server.client()) {
            for (int round = 0; round < 300; round++) {
                StringBuilder pipeline = new StringBuilder();
                for (int k = 0; k < 20; k++) {
                    pipeline.append(new String(RespClient.encode("SET", "k" + k, "round" + round + "-" + "x".repeat(40)),
                            StandardCharsets.US_ASCII));
                }
                c.sendRaw(pipeline.toString().getBytes(StandardCharsets.US_ASCII));
                for (int k = 0; k < 20; k++) {
                    assertEquals("OK", c.read());
                }
            }
            // The bound made the logs rewrite themselves while the rounds ran.
            String info = settledInfo(c);
            long automatic = rewrites(info);
            assertTrue(automatic >= 2, info);
            // Records written during a rewrite go into the new incremental file; an explicit rewrite with no
            // writes beside it leaves just the live keys in its base.
            // (A last automatic rewrite may have begun meanwhile: then the explicit one runs after it.)
            assertTrue(((String) c.call("BGREWRITEAOF")).startsWith("Background append only file rewriting "));
            long deadline = System.nanoTime() + 20_000_000_000L;
            do {
                info = settledInfo(c);
            } while (rewrites(info) < automatic + 2 && System.nanoTime() < deadline);
            assertTrue(rewrites(info) >= automatic + 2, info);
            long total = logBytes();
            assertTrue(total < 20 * 100, "the logs hold " + total + " bytes for 20 keys of ~50 bytes");
        }
        try (KvTestServer server = KvTestServer.start(2, driver, settings); RespClient c = server.client()) {
            assertEquals(20L, c.call("DBSIZE"));
            for (int k = 0; k < 20; k++) {
                assertEquals("round299-" + "x".repeat(40), c.call("GET", "k" + k));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aCorruptLogStopsTheStartNamingFileAndOffset(DriverKind driver) throws Exception {
        TestRuntimes.assumeAvailable(driver);
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO);
        Path log = dir.resolve("appendonly-0-of-1.aof");
        Files.write(log, "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> KvTestServer.start(1, driver, settings).close());
        assertTrue(e.getMessage().contains(log + " is corrupt at offset 27") && e.getMessage().contains("INCR")
                && e.getMessage().contains("kv.aof.load-corrupt-tail"),
                e.getMessage());
        Files.write(log, "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*x\r\n".getBytes(StandardCharsets.US_ASCII));
        e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> KvTestServer.start(1, driver, settings).close());
        assertTrue(e.getMessage().contains(log + " is corrupt at offset 27: ERR Protocol error: invalid multibulk length"),
                e.getMessage());
    }

    private KvSettings loading(boolean truncated, boolean corruptTail, boolean missing) {
        KvSettings s = KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO);
        return new KvSettings(s.appendOnly(), s.fsync(), s.dir(), s.rewriteMinBytes(), s.rewriteGrowthPercent(),
                s.aofMaxQueuedBytes(), s.input(), s.output(), s.maxConnections(), s.idleTimeout(), s.password(),
                s.protectedMode(), truncated, corruptTail, missing, s.memory(), s.pubsubOutput());
    }

    /** The start refuses: the message, which names what is wrong. */
    private String refused(KvSettings settings, int shards) {
        return org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> KvTestServer.start(shards, DriverKind.AUTO, settings).close()).getMessage();
    }

    /** Runs {@code start} and returns what AofReplay warned meanwhile. */
    private static List<String> warnings(ThrowingRunnable start) throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(AofReplay.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            start.run();
        } finally {
            logger.detachAppender(appender);
        }
        return appender.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Issue 19, item 4: APPEND is logged as the command with its chunk, not as the SET of the value it makes. */
    @Test
    void theNewWriteCommandsReplayAfterARewriteAndWithAnotherShardCount() throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO);
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals("OK", c.call("SETEX", "sx", "1000", "v"));
            assertEquals("OK", c.call("PSETEX", "px", "1000000", "v"));
            assertEquals("OK", c.call("MSET", "gx", "v", "gs", "old"));
            assertEquals("OK", c.call("SET", "gp", "v", "EX", "100"));
            assertEquals("v", c.call("GETEX", "gx", "EX", "1000"));
            assertEquals("v", c.call("GETEX", "gp", "PERSIST"));
            assertEquals(1L, c.call("EXPIRE", "gs", "100"));
            assertEquals("old", c.call("GETSET", "gs", "new"));
            assertEquals(8L, c.call("SETRANGE", "sr", "5", "abc"));
            assertEquals(8L, c.call("SETRANGE", "sr", "0", "XY"));
            assertEquals("1.5", c.call("INCRBYFLOAT", "fl", "1.5"));
            assertEquals(1L, c.call("EXPIRE", "fl", "1000"));
            assertEquals("3", c.call("INCRBYFLOAT", "fl", "1.5"));
            assertEquals(1L, c.call("MSETNX", "m1", "a", "m2", "b"));
            assertEquals(0L, c.call("SETBIT", "bits", "9", "1"));
            assertEquals(0L, c.call("SETBIT", "bits", "1", "1"));
            assertEquals("OK", c.call("SET", "src", "moved", "EX", "1000"));
            assertEquals("OK", c.call("RENAME", "src", "dst"));
            assertEquals("OK", c.call("SET", "nx", "n"));
            assertEquals(1L, c.call("RENAMENX", "nx", "nx2"));
            assertEquals(1L, c.call("COPY", "dst", "copied"));
            assertEquals(3L, c.call("HSET", "h", "a", "1", "b", "2", "c", "3"));
            assertEquals(1L, c.call("HDEL", "h", "b"));
            assertEquals(5L, c.call("HINCRBY", "h", "n", "5"));
            assertEquals("1.5", c.call("HINCRBYFLOAT", "h", "f", "1.5"));
            assertEquals(1L, c.call("HSETNX", "h", "s", "x"));
            assertEquals(1L, c.call("EXPIRE", "h", "1000"));
            assertEquals("OK", c.call("HMSET", "h2", "x", "1"));
            assertEquals(1L, c.call("HDEL", "h2", "x"));
            for (int i = 0; i < 600; i++) {
                c.call("HSET", "bighash", "f" + i, "v" + i);
            }
            assertEquals("OK", c.call("RENAME", "bighash", "bighash2"));
            assertEquals(1L, c.call("HSET", "hashToString", "f", "v"));
            assertEquals("OK", c.call("SET", "hashToString", "s"));
            assertEquals("OK", c.call("SET", "stringToHash", "s"));
            assertEquals(1L, c.call("DEL", "stringToHash"));
            assertEquals(1L, c.call("HSET", "stringToHash", "f", "v"));
            assertStateAfterRestart(c, "before any restart");
        }
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertStateAfterRestart(c, "replayed");
            assertTrue(((String) c.call("BGREWRITEAOF")).startsWith("Background append only file rewriting"));
            settledInfo(c);
        }
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertStateAfterRestart(c, "rewritten");
        }
        try (KvTestServer server = KvTestServer.start(3, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertStateAfterRestart(c, "re-routed to 3 shards");
        }
    }

    @Test
    void movesBetweenShardsReplay() throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.ALWAYS);
        String[] k = KvStringsTest.otherShards("move"); // owned by two of three shards
        try (KvTestServer server = KvTestServer.start(3, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals("OK", c.call("SET", k[0], "v", "EX", "1000"));
            assertEquals("OK", c.call("RENAME", k[0], k[1]));
            assertEquals(1L, c.call("HSET", k[0], "f", "1"));
            assertEquals(1L, c.call("COPY", k[0], "copy-" + k[0]));
        }
        try (KvTestServer server = KvTestServer.start(3, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals("v", c.call("GET", k[1]));
            assertTrue((Long) c.call("TTL", k[1]) > 900);
            assertEquals("1", c.call("HGET", k[0], "f"));
            assertEquals("1", c.call("HGET", "copy-" + k[0], "f"));
        }
    }

    private static void assertStateAfterRestart(RespClient c, String when) throws Exception {
        assertTrue((Long) c.call("TTL", "sx") > 900, when);
        assertTrue((Long) c.call("PTTL", "px") > 900_000, when);
        assertTrue((Long) c.call("TTL", "gx") > 900, when);
        assertEquals(-1L, c.call("TTL", "gp"), when);
        assertEquals("new", c.call("GET", "gs"), when);
        assertEquals(-1L, c.call("TTL", "gs"), when);
        assertEquals("XY\0\0\0abc", c.call("GET", "sr"), when);
        assertEquals("3", c.call("GET", "fl"), when);
        assertTrue((Long) c.call("TTL", "fl") > 900, when);
        assertEquals(List.of("a", "b"), c.call("MGET", "m1", "m2"), when);
        assertEquals("@@", c.call("GET", "bits"), when);
        assertEquals(0L, c.call("EXISTS", "src", "nx", "h2", "bighash"), when);
        assertEquals("moved", c.call("GET", "dst"), when);
        assertTrue((Long) c.call("TTL", "dst") > 900, when);
        assertEquals("moved", c.call("GET", "copied"), when);
        assertTrue((Long) c.call("TTL", "copied") > 900, when);
        assertEquals("n", c.call("GET", "nx2"), when);
        assertEquals(java.util.Arrays.asList("1", null, "3", "5", "1.5", "x"), c.call("HMGET", "h", "a", "b", "c", "n", "f", "s"), when);
        assertEquals(5L, c.call("HLEN", "h"), when);
        assertTrue((Long) c.call("TTL", "h") > 900, when);
        assertEquals(600L, c.call("HLEN", "bighash2"), when);
        assertEquals("v599", c.call("HGET", "bighash2", "f599"), when);
        assertEquals("hashtable", c.call("OBJECT", "ENCODING", "bighash2"), when); // over 512 fields (Redis 7.0.15's hash-max-listpack-entries)
        assertEquals("listpack", c.call("OBJECT", "ENCODING", "h"), when);
        assertEquals("s", c.call("GET", "hashToString"), when);
        assertEquals("v", c.call("HGET", "stringToHash", "f"), when);
    }

    @Test
    void appendIsLoggedAsItsChunkAndReplaysWithItsExpiry() throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO);
        String chunk = "a".repeat(4096);
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals((long) chunk.length(), c.call("APPEND", "kept", chunk));
            assertEquals(1L, c.call("EXPIRE", "kept", "1000"));
            for (int i = 2; i <= 64; i++) {
                assertEquals((long) i * chunk.length(), c.call("APPEND", "kept", chunk));
            }
            assertEquals(1L, c.call("APPEND", "fresh", "x"));
            assertEquals(1L, c.call("DEL", "fresh"));
            assertEquals(1L, c.call("APPEND", "fresh", "y"));
        }
        long logged = logBytes();
        assertTrue(logged < 64 * chunk.length() + 4096, logged + " bytes logged for 64 appends of " + chunk.length());
        for (int shards : new int[] {1, 2}) {
            try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO, settings); RespClient c = server.client()) {
                assertEquals(chunk.repeat(64), c.call("GET", "kept"));
                long ttl = (Long) c.call("TTL", "kept");
                assertTrue(ttl > 900 && ttl <= 1000, "ttl " + ttl);
                assertEquals("y", c.call("GET", "fresh"));
            }
        }
    }

    /** Issue 19, item 8: a shard's log missing stops the start, naming it, unless kv.aof.load-missing says to go on. */
    @Test
    void aMissingShardLogStopsTheStartUnlessAllowed() throws Exception {
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, loading(true, false, false));
             RespClient c = server.client()) {
            for (int i = 0; i < 100; i++) {
                assertEquals("OK", c.call("SET", "key" + i, "v"));
            }
        }
        Files.delete(dir.resolve("appendonly-1-of-2.1.incr.aof"));
        for (int shards : new int[] {2, 3}) {
            String message = refused(loading(true, false, false), shards);
            assertTrue(message.contains("appendonly-1-of-2*.aof") && message.contains("missing")
                    && message.contains("kv.aof.load-missing"), message);
        }
        List<String> warned = warnings(() -> {
            try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, loading(true, false, true));
                 RespClient c = server.client()) {
                long keys = (Long) c.call("DBSIZE");
                assertTrue(keys > 0 && keys < 100, keys + " keys");
            }
        });
        assertTrue(warned.stream().anyMatch(w -> w.contains("appendonly-1-of-2*.aof")), warned.toString());
    }

    /**
     * Issue 19, item 8: bytes at the end of a log that are not a command stop the start, naming file,
     * offset and what was expected, unless kv.aof.load-corrupt-tail says to drop them; a command cut by
     * the end is dropped unless kv.aof.load-truncated = no.
     */
    @Test
    void aTailThatIsNotACommandStopsTheStartUnlessAllowed() throws Exception {
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, loading(true, false, false));
             RespClient c = server.client()) {
            assertEquals("OK", c.call("SET", "a", "1"));
        }
        Path log = dir.resolve("appendonly-0-of-1.1.incr.aof");
        long complete = Files.size(log);
        Files.write(log, "garbage".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
        String message = refused(loading(true, false, false), 1);
        assertTrue(message.contains(log + " is corrupt at offset " + complete + ": expected '*'")
                && message.contains("\"garbage\"") && message.contains("kv.aof.load-corrupt-tail"), message);
        List<String> warned = warnings(() -> {
            try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, loading(true, true, false));
                 RespClient c = server.client()) {
                assertEquals("1", c.call("GET", "a"));
            }
        });
        assertTrue(warned.stream().anyMatch(w -> w.contains(log + " is corrupt at offset " + complete)
                && w.contains("7 bytes") && w.contains("truncated to " + complete)), warned.toString());
        assertEquals(complete, Files.size(log));

        Files.write(log, "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\n12".getBytes(StandardCharsets.US_ASCII),
                StandardOpenOption.APPEND);
        message = refused(loading(false, false, false), 1);
        assertTrue(message.contains(log + " ends in a command cut at offset " + complete)
                && message.contains("kv.aof.load-truncated"), message);
        warned = warnings(() -> KvTestServer.start(1, DriverKind.AUTO, loading(true, false, false)).close());
        assertTrue(warned.stream().anyMatch(w -> w.contains(log + " ends in a command cut at offset " + complete)
                && w.contains("26 bytes")), warned.toString());
        assertEquals(complete, Files.size(log));
    }

    /** Writes the log file {@code name} holding {@code commands}, each as the log writes it (a RESP array). */
    private void writeLog(String name, String... commands) throws Exception {
        Files.createDirectories(dir);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (String command : commands) {
            bytes.write(RespClient.encode(command.split(" ")));
        }
        Files.write(dir.resolve(name), bytes.toByteArray());
    }

    /**
     * The log of an earlier build (one file per shard) loads as generation 0 and the log goes on in it; its first
     * rewrite leaves only the new base and incremental file, whose sizes INFO persistence gives as Redis 7.0 does.
     */
    @Test
    void aLogOfAnEarlierBuildLoadsAndItsFirstRewriteLeavesOnlyTheNewParts() throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.ALWAYS);
        writeLog("appendonly-0-of-1.aof", "SET a 1", "RPUSH list x");
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals("1", c.call("GET", "a"));
            assertEquals(2L, c.call("RPUSH", "list", "y"));
            assertEquals(List.of("appendonly-0-of-1.aof"), logs());
            assertTrue(((String) c.call("BGREWRITEAOF")).startsWith("Background append only file rewriting"));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (rewrites(settledInfo(c)) < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(3L, c.call("RPUSH", "list", "z")); // under always, answered once written and synced
            long base = Files.size(dir.resolve("appendonly-0-of-1.1.base.aof"));
            long incremental = Files.size(dir.resolve("appendonly-0-of-1.1.incr.aof"));
            String info = (String) c.call("INFO", "persistence");
            assertTrue(incremental > 0 && info.contains("aof_base_size:" + base + "\r\n")
                    && info.contains("aof_current_size:" + (base + incremental) + "\r\n"), info);
        }
        assertEquals(List.of("appendonly-0-of-1.1.base.aof", "appendonly-0-of-1.1.incr.aof"), logs());
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals("1", c.call("GET", "a"));
            assertEquals(List.of("x", "y", "z"), c.call("LRANGE", "list", "0", "-1"));
        }
    }

    /**
     * A reshard (2 shards to 3) loads every part of the old layout — per log its newest base, then each incremental
     * file from that generation on, in order, an earlier build's file as generation 0 — and not the parts of an
     * older generation than the base (a rewrite stopped before deleting them), and deletes the old layout once the
     * new logs are in place. A part before the last that ends early stops the start, whatever the settings.
     */
    @Test
    void aReshardLoadsEveryPartOfTheOldLayout() throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO);
        writeLog("appendonly-0-of-2.1.incr.aof", "SET a stale", "SET gone x"); // older than the base: left out
        writeLog("appendonly-0-of-2.2.base.aof", "SET a 1", "RPUSH list x");
        writeLog("appendonly-0-of-2.2.incr.aof", "RPUSH list y", "SET b 2");
        writeLog("appendonly-0-of-2.3.incr.aof", "RPUSH list z", "SET c 3"); // a rewrite failed after its switch
        writeLog("appendonly-1-of-2.aof", "SET d 4", "RPUSH list2 p");
        writeLog("appendonly-1-of-2.1.incr.aof", "RPUSH list2 q");
        for (int run = 0; run < 2; run++) {
            try (KvTestServer server = KvTestServer.start(3, DriverKind.AUTO, settings); RespClient c = server.client()) {
                assertEquals(java.util.Arrays.asList("1", "2", "3", "4", null), c.call("MGET", "a", "b", "c", "d", "gone"));
                assertEquals(List.of("x", "y", "z"), c.call("LRANGE", "list", "0", "-1"));
                assertEquals(List.of("p", "q"), c.call("LRANGE", "list2", "0", "-1"));
                assertEquals(6L, c.call("DBSIZE"));
            }
            assertEquals(List.of(Stream.iterate(0, i -> i + 1).limit(3).flatMap(i -> Stream.of(".2.base.aof", ".2.incr.aof")
                    .map(part -> "appendonly-" + i + "-of-3" + part)).toArray()), List.of(logs().toArray()));
        }

        for (String name : logs()) {
            Files.delete(dir.resolve(name));
        }
        writeLog("appendonly-0-of-1.1.incr.aof", "SET a 1");
        Files.write(dir.resolve("appendonly-0-of-1.1.incr.aof"), "*3\r\n$3\r\nSET".getBytes(StandardCharsets.US_ASCII),
                StandardOpenOption.APPEND);
        writeLog("appendonly-0-of-1.2.incr.aof", "SET b 2");
        String message = refused(loading(true, true, false), 1);
        assertTrue(message.contains("appendonly-0-of-1.1.incr.aof ends in a command cut at offset 27")
                && message.contains("only the last file of a log may end early"), message);
    }
}
