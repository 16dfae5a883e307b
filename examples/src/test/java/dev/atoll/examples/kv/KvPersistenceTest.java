package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.TestRuntimes;
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
        assertEquals(List.of("appendonly-0-of-2.aof", "appendonly-1-of-2.aof"), logs());
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
            assertEquals(List.of(Stream.iterate(0, i -> i + 1).limit(shards)
                    .map(i -> "appendonly-" + i + "-of-" + shards + ".aof").toArray()), List.of(logs().toArray()));
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
        Path log = dir.resolve("appendonly-0-of-1.aof");
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
        KvSettings settings = new KvSettings(true, KvSettings.FsyncPolicy.EVERYSEC, dir, 4096, 100, 16L << 20, 1 << 20, 100,
                Duration.ZERO, "", KvTestServer.OUTPUT);
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
            // Records written during a rewrite go into the new log in full; an explicit rewrite with no
            // writes beside it leaves just the live keys.
            // (A last automatic rewrite may have begun meanwhile: then the explicit one runs after it.)
            assertTrue(((String) c.call("BGREWRITEAOF")).startsWith("Background append only file rewriting "));
            long deadline = System.nanoTime() + 20_000_000_000L;
            do {
                info = settledInfo(c);
            } while (rewrites(info) < automatic + 2 && System.nanoTime() < deadline);
            assertTrue(rewrites(info) >= automatic + 2, info);
            long total = Files.size(dir.resolve("appendonly-0-of-2.aof")) + Files.size(dir.resolve("appendonly-1-of-2.aof"));
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
        assertTrue(e.getMessage().contains(log + " is corrupt at offset 27") && e.getMessage().contains("INCR"),
                e.getMessage());
        Files.write(log, "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*x\r\n".getBytes(StandardCharsets.US_ASCII));
        e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> KvTestServer.start(1, driver, settings).close());
        assertTrue(e.getMessage().contains(log + " is corrupt at offset 27: ERR Protocol error: invalid multibulk length"),
                e.getMessage());
    }
}
