package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RDB snapshots: SAVE and BGSAVE write one file of every shard's keys that redis-server 7.0.15 loads (and
 * redis-check-rdb passes), a file redis-server wrote loads into Atoll on 1 and 2 shards, a file loads under
 * any shard count and the next start comes from the log, a corrupt file stops the start naming file and
 * offset, a BGSAVE holds each key as it was when it began, and BGSAVE's replies beside a log rewrite.
 */
class KvRdbTest {
    @TempDir
    Path dir;

    private static KvSettings settings(Path dir) {
        return KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC);
    }

    /** Every type, small and large, with expiries, odd strings and enough keys for many walk steps. */
    private static void fill(Jedis jedis) {
        KvDumpRestoreTest.writeEveryType(jedis);
        jedis.set("s-empty", "");
        jedis.set("s-negative", "-123456789");
        jedis.set("s-long-max", "9223372036854775807");
        jedis.set("s-compressible", "ab".repeat(10_000)); // redis-server writes it LZF-compressed
        jedis.set("s-float", "3.14");
        jedis.set("ttl-s".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
        jedis.pexpire("ttl-s", 500_000);
        jedis.rpush("ttl-l", "a", "b");
        jedis.pexpire("ttl-l", 600_000);
        jedis.hset("ttl-h", "f", "v");
        jedis.expire("ttl-h", 700);
        jedis.sadd("ttl-set", "1", "2");
        jedis.expire("ttl-set", 800);
        jedis.zadd("ttl-z", 1, "m");
        jedis.expire("ttl-z", 900);
        jedis.set("k\r\n\u0000\u00ffbinary", "v");
        fillStreams(jedis);
        jedis.functionLoad("#!lua name=rdblib\nredis.register_function('rdbf', function(keys, args) return 42 end)");
        Pipeline p = jedis.pipelined();
        for (int i = 0; i < 3000; i++) {
            p.set("many:" + i, "value-" + i);
        }
        p.sync();
    }

    /** Streams: several nodes, fields that change, deleted entries, an emptied one, groups with consumers and PELs. */
    private static void fillStreams(Jedis jedis) {
        for (int i = 1; i <= 450; i++) {
            if (i % 7 == 0) {
                raw(jedis, "XADD", "x-large", i + "-1", "other", "v" + i, "n", Integer.toString(-i));
            } else {
                raw(jedis, "XADD", "x-large", i + "-1", "f", "v" + i, "n", Integer.toString(i * 1000));
            }
        }
        raw(jedis, "XDEL", "x-large", "3-1", "100-1", "101-1", "449-1");
        raw(jedis, "XGROUP", "CREATE", "x-large", "g1", "0");
        raw(jedis, "XGROUP", "CREATE", "x-large", "g2", "$");
        raw(jedis, "XGROUP", "CREATE", "x-large", "idle", "10-1");
        raw(jedis, "XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "x-large", ">");
        raw(jedis, "XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "x-large", ">");
        raw(jedis, "XACK", "x-large", "g1", "2-1");
        raw(jedis, "XCLAIM", "x-large", "g1", "carol", "0", "4-1");
        raw(jedis, "XGROUP", "CREATECONSUMER", "x-large", "g1", "dave");
        raw(jedis, "XADD", "x-small", "*", "a", "1");
        raw(jedis, "XADD", "x-empty", "5-5", "a", "1");
        raw(jedis, "XDEL", "x-empty", "5-5");
        raw(jedis, "XADD", "ttl-x", "1-1", "k", "v");
        jedis.pexpire("ttl-x", 400_000);
    }

    private static Object raw(Jedis jedis, String command, String... args) {
        return plain(jedis.sendCommand(() -> redis.clients.jedis.util.SafeEncoder.encode(command), args));
    }

    /** A reply with its bulk strings as text. */
    static Object plain(Object reply) {
        if (reply instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (reply instanceof List<?> list) {
            return list.stream().map(KvRdbTest::plain).toList();
        }
        return reply;
    }

    /** A flat [name, value, ...] reply's values of {@code names}. */
    private static Map<String, Object> fields(Object reply, String... names) {
        List<?> flat = (List<?>) reply;
        Map<String, Object> picked = new TreeMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            if (List.of(names).contains(flat.get(i))) {
                picked.put((String) flat.get(i), flat.get(i + 1));
            }
        }
        return picked;
    }

    /** A stream as its entries, counters, groups, consumers and PELs show it (idle times left out: they tick). */
    static Object stream(Jedis jedis, String key) {
        List<Object> all = new java.util.ArrayList<>();
        all.add(raw(jedis, "XRANGE", key, "-", "+"));
        all.add(fields(raw(jedis, "XINFO", "STREAM", key), "length", "last-generated-id", "max-deleted-entry-id",
                "entries-added", "recorded-first-entry-id", "groups"));
        for (Object group : (List<?>) raw(jedis, "XINFO", "GROUPS", key)) {
            Map<String, Object> g = fields(group, "name", "consumers", "pending", "last-delivered-id", "entries-read", "lag");
            all.add(g);
            String name = (String) g.get("name");
            for (Object consumer : (List<?>) raw(jedis, "XINFO", "CONSUMERS", key, name)) {
                all.add(fields(consumer, "name", "pending"));
            }
            for (Object pending : (List<?>) raw(jedis, "XPENDING", key, name, "-", "+", "1000")) {
                List<?> p = (List<?>) pending;
                all.add(List.of(p.get(0), p.get(1), p.get(3))); // ID, consumer, deliveries
            }
        }
        return all;
    }

    /** Every key's type and value, and the function libraries (under a name no key of the tests has). */
    static Map<String, Object> contents(Jedis jedis) {
        Map<String, Object> all = new TreeMap<>();
        all.put("(function libraries)", raw(jedis, "FUNCTION", "LIST", "WITHCODE"));
        for (String key : jedis.keys("*")) {
            all.put(key, jedis.type(key).equals("stream") ? stream(jedis, key) : KvDumpRestoreTest.value(jedis, key));
        }
        return all;
    }

    /** The keys with an expiry and their PTTL. */
    static Map<String, Long> expiries(Jedis jedis) {
        Map<String, Long> all = new TreeMap<>();
        for (String key : jedis.keys("*")) {
            long pttl = jedis.pttl(key);
            if (pttl != -1) {
                all.put(key, pttl);
            }
        }
        return all;
    }

    /** The same keys have an expiry on both sides, within the 20 s a test may take between the two readings. */
    static void assertSameExpiries(Map<String, Long> expected, Map<String, Long> actual) {
        assertEquals(expected.keySet(), actual.keySet(), "the keys with an expiry");
        expected.forEach((key, pttl) -> assertTrue(Math.abs(pttl - actual.get(key)) < 20_000,
                key + ": PTTL " + pttl + " then " + actual.get(key)));
    }

    private static String onPathOrSkip(String program) {
        String path = KvRedisComparisonTest.onPath(program);
        Assumptions.assumeTrue(path != null, program + " is not installed: the comparison with Redis is skipped");
        return path;
    }

    /** redis-server on a free loopback port with its RDB file {@code dir/dump.rdb} (loaded at its start), no AOF, no save points. */
    private static Process redisServer(Path dir, int port) throws IOException {
        return new ProcessBuilder(onPathOrSkip("redis-server"), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(),
                "--dbfilename", "dump.rdb")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    }

    /** A client of the redis-server just started, once it has loaded its file and accepts commands (bounded: 10 s, 20 s to load). */
    private static Jedis connected(int port) throws Exception {
        KvRedisComparisonTest.connect(port).close();
        Jedis jedis = new Jedis("127.0.0.1", port);
        await(() -> {
            try {
                return "PONG".equals(jedis.ping());
            } catch (JedisDataException e) {
                if (e.getMessage().startsWith("LOADING")) {
                    return false;
                }
                throw e;
            }
        }, "redis-server to load its file");
        return jedis;
    }

    private static void stop(Process redis) throws InterruptedException {
        redis.destroy();
        redis.waitFor(10, TimeUnit.SECONDS);
    }

    /** redis-check-rdb's verdict on {@code file}: its output, with exit status 0 and "RDB looks OK" asserted. */
    private static void assertRedisCheckRdbPasses(Path file) throws Exception {
        Process check = new ProcessBuilder(onPathOrSkip("redis-check-rdb"), file.toString()).redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), output);
        assertTrue(output.contains("RDB looks OK"), output);
    }

    /**
     * {@code file} passes redis-check-rdb, and a redis-server started on its directory loads it with the keys and
     * expiries {@code expected} and {@code ttls}.
     */
    private static void assertRedisServerLoads(Path file, Map<String, Object> expected, Map<String, Long> ttls, String what)
            throws Exception {
        assertRedisCheckRdbPasses(file);
        int port = KvRedisComparisonTest.freePort();
        Process redis = redisServer(file.getParent(), port);
        try (Jedis theirs = connected(port)) {
            assertEquals(expected, contents(theirs), what);
            assertSameExpiries(ttls, expiries(theirs));
        } finally {
            stop(redis);
        }
    }

    private static List<Path> logs(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".aof")).toList();
        }
    }

    static void deleteLogs(Path dir) throws IOException {
        for (Path log : logs(dir)) {
            Files.delete(log);
        }
    }

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void atollsFileLoadsInRedisServerAndInAtollUnderAnotherShardCount(int shards) throws Exception {
        onPathOrSkip("redis-server");
        Map<String, Object> expected;
        Map<String, Long> ttls;
        try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO, settings(dir));
             Jedis jedis = new Jedis(server.host, server.port())) {
            fill(jedis);
            expected = contents(jedis);
            ttls = expiries(jedis);
            assertEquals("OK", jedis.save());
        }
        Path file = dir.resolve("dump.rdb");
        assertRedisServerLoads(file, expected, ttls, "redis-server loaded Atoll's file");
        deleteLogs(dir); // a first start: the file is what there is
        try (KvTestServer server = KvTestServer.start(3 - shards, DriverKind.AUTO, settings(dir));
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals(expected, contents(jedis), "loaded on " + (3 - shards) + " shard(s)");
            assertSameExpiries(ttls, expiries(jedis));
        }
        assertEquals(2 * (3 - shards), logs(dir).size(), "every shard wrote its log (a base, an incremental file) from"
                + " the keys loaded: " + logs(dir));
        Files.delete(file);
        try (KvTestServer server = KvTestServer.start(3 - shards, DriverKind.AUTO, settings(dir));
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals(expected, contents(jedis), "the next start came from the log");
        }
    }

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void redisServersFileLoadsIntoAtoll(int shards) throws Exception {
        Path theirDir = Files.createDirectories(dir.resolve("redis"));
        Path ourDir = Files.createDirectories(dir.resolve("atoll"));
        int port = KvRedisComparisonTest.freePort();
        Process redis = redisServer(theirDir, port);
        try {
            Map<String, Object> expected;
            Map<String, Long> ttls;
            try (Jedis theirs = connected(port)) {
                fill(theirs);
                assertEquals("OK", theirs.save());
                expected = contents(theirs);
                ttls = expiries(theirs);
            }
            Files.copy(theirDir.resolve("dump.rdb"), ourDir.resolve("dump.rdb"), StandardCopyOption.REPLACE_EXISTING);
            try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO, settings(ourDir));
                 Jedis jedis = new Jedis(server.host, server.port())) {
                assertEquals(expected, contents(jedis));
                assertSameExpiries(ttls, expiries(jedis));
            }
        } finally {
            stop(redis);
        }
    }

    /** A stream's DUMP (groups, consumers, PELs, deleted entries) RESTOREs to the same stream in Atoll and in redis-server, both ways. */
    @Test
    void streamsTravelThroughDumpAndRestoreBothWays() throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = redisServer(Files.createDirectories(dir.resolve("redis")), port);
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir));
             Jedis ours = new Jedis(server.host, server.port()); Jedis theirs = connected(port)) {
            fillStreams(ours);
            fillStreams(theirs);
            for (String key : List.of("x-large", "x-small", "x-empty")) {
                assertEquals("OK", ours.restore("from-redis-" + key, 0, theirs.dump(key)));
                assertEquals(stream(theirs, key), stream(ours, "from-redis-" + key), key + " from redis-server");
                assertEquals("OK", theirs.restore("from-atoll-" + key, 0, ours.dump(key)));
                assertEquals(stream(ours, key), stream(theirs, "from-atoll-" + key), key + " from Atoll");
                assertEquals("OK", ours.restore("copy-" + key, 0, ours.dump(key)));
                assertEquals(stream(ours, key), stream(ours, "copy-" + key), key + " in Atoll");
            }
        } finally {
            stop(redis);
        }
    }

    /** Leaves {@code dir} holding a dump.rdb of every type (SAVE on 2 shards) and no log, so that the next start loads it. */
    private void saveEveryTypeWithoutLogs() throws Exception {
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir));
             Jedis jedis = new Jedis(server.host, server.port())) {
            KvDumpRestoreTest.writeEveryType(jedis);
            assertEquals("OK", jedis.save());
        }
        deleteLogs(dir);
    }

    /** A file with one byte changed, or cut short, stops the start, naming the file and the offset; no log is made. */
    @Test
    void aCorruptFileStopsTheStartNamingFileAndOffset() throws Exception {
        saveEveryTypeWithoutLogs();
        Path file = dir.resolve("dump.rdb");
        byte[] good = Files.readAllBytes(file);
        int hello = indexOf(good, "hello".getBytes(StandardCharsets.US_ASCII));
        byte[] flipped = good.clone();
        flipped[hello] ^= 0x20; // "Hello": still a valid value, only the checksum tells
        Files.write(file, flipped);
        String message = startFailure();
        assertTrue(message.contains(file.toString()) && message.contains("checksum")
                && message.contains("offset " + (good.length - 8)), message);
        assertTrue(logs(dir).isEmpty(), "nothing loaded, no log written");

        Files.write(file, java.util.Arrays.copyOf(good, good.length - 100));
        message = startFailure();
        assertTrue(message.contains(file.toString()) && message.contains("truncated")
                && message.contains("offset " + (good.length - 100)), message);
        assertTrue(logs(dir).isEmpty(), "nothing loaded, no log written");

        Files.write(file, good);
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir));
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals(KvDumpRestoreTest.KEYS.size(), jedis.dbSize(), "the file as it was loads");
        }
    }

    /**
     * A start that loaded the file and stopped before every log was written from it (a crash during that
     * rewrite) left logs that hold nothing: the next start loads the file again rather than those logs.
     */
    @Test
    void aStartCutWhileWritingTheLogsFromTheFileLoadsTheFileAgain() throws Exception {
        saveEveryTypeWithoutLogs();
        Files.write(dir.resolve("appendonly-0-of-2.1.incr.aof"), new byte[0]); // as Aof.open makes them before the rewrite
        Files.write(dir.resolve("appendonly-1-of-2.1.incr.aof"), new byte[0]);
        Files.write(dir.resolve("dump.rdb.loading"), new byte[0]);
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir));
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals(KvDumpRestoreTest.KEYS.size(), jedis.dbSize(), "loaded from the file again");
        }
        assertFalse(Files.exists(dir.resolve("dump.rdb.loading")), "the logs are complete: the mark is gone");
        Files.delete(dir.resolve("dump.rdb"));
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir));
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals(KvDumpRestoreTest.KEYS.size(), jedis.dbSize(), "from the logs");
        }
    }

    private String startFailure() {
        Exception e = assertThrows(Exception.class, () -> KvTestServer.start(2, DriverKind.AUTO, settings(dir)).close());
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append(" / ");
        }
        return messages.toString();
    }

    private static int indexOf(byte[] in, byte[] part) {
        for (int i = 0; i + part.length <= in.length; i++) {
            if (java.util.Arrays.equals(in, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    /**
     * The file of a BGSAVE holds every key as it was when the BGSAVE began: keys overwritten, deleted and made
     * while its walk goes on (2 shards, 20 MB: hundreds of steps) are not in it as changed.
     */
    @Test
    void aBackgroundSaveHoldsTheKeysAsTheyWereWhenItBegan() throws Exception {
        int keys = 20_000;
        String old = "o".repeat(1000);
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir));
             Jedis jedis = new Jedis(server.host, server.port())) {
            Pipeline p = jedis.pipelined();
            for (int i = 0; i < keys; i++) {
                p.set("p:" + i, old);
            }
            p.sync();
            assertEquals("Background saving started", jedis.bgsave());
            p = jedis.pipelined();
            for (int i = 0; i < keys; i++) {
                p.set("p:" + i, "new");
                if (i % 10 == 0) {
                    p.del("p:" + (i + 1));
                    p.set("made:" + i, "new");
                }
            }
            p.sync();
            await(() -> jedis.info("persistence").contains("rdb_bgsave_in_progress:0"), "the save to end");
            assertTrue(jedis.info("persistence").contains("rdb_last_bgsave_status:ok"));
        }
        deleteLogs(dir);
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings(dir));
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals(keys, jedis.dbSize());
            for (int i = 0; i < keys; i += 1) {
                assertEquals(old, jedis.get("p:" + i), "p:" + i);
            }
        }
    }

    /**
     * A list of 100,000 elements and a hash, set and sorted set of 30,000 are written in pieces (256 elements a
     * step), each as it was when the BGSAVE began although commands change them while their pieces are written:
     * elements changed, removed and added, the list pushed and popped at both ends, a set deleted; small keys
     * looked up meanwhile (whose pairs wait for the open one) and other shards' chunks between its pieces leave
     * a file that redis-check-rdb passes and that loads into redis-server and Atoll with every key as before.
     */
    @Test
    void largeKeysChangedWhileWrittenInPiecesAreSavedAsTheyWere() throws Exception {
        savedAsTheyWereWhileChanged(jedis -> {
            Pipeline p = jedis.pipelined();
            for (int i = 0; i < 100_000; i++) {
                p.rpush("big-list", "element-" + i);
            }
            for (int i = 0; i < 30_000; i++) {
                p.hset("big-hash", "f" + i, "value-" + i);
                p.sadd("big-set", "m" + i);
                p.zadd("big-zset", i * 0.5, "m" + i);
            }
            for (int i = 0; i < 5000; i++) {
                p.set("s:" + i, "small-" + i);
            }
            p.pexpire("big-hash", 900_000);
            p.sync();
        }, jedis -> {
            Pipeline p = jedis.pipelined();
            for (int i = 0; i < 2000; i++) {
                p.lset("big-list", i * 37L, "changed");
                p.rpop("big-list");
                p.lpush("big-list", "pushed");
                p.hset("big-hash", "f" + i * 7, "changed");
                p.hdel("big-hash", "f" + (i * 7 + 1));
                p.hset("big-hash", "new" + i, "added");
                p.sadd("big-set", "new" + i);
                p.srem("big-set", "m" + i * 5);
                p.zadd("big-zset", -1, "m" + i * 3);
                p.zrem("big-zset", "m" + (i * 3 + 1));
                p.set("s:" + i, "changed");
                p.del("s:" + (i + 2500));
            }
            p.del("big-set");
            p.sync();
        });
    }

    /** Steps on a server's keys. */
    private interface Steps {
        void run(Jedis jedis) throws Exception;
    }

    /**
     * {@code fill} on a server of 2 shards, then a BGSAVE, then {@code change} while it is written: the file passes
     * redis-check-rdb and loads into redis-server and Atoll with every key as it was when the BGSAVE began.
     */
    private void savedAsTheyWereWhileChanged(Steps fill, Steps change) throws Exception {
        onPathOrSkip("redis-server");
        Map<String, Object> expected;
        Map<String, Long> ttls;
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir));
             Jedis jedis = new Jedis(server.host, server.port())) {
            fill.run(jedis);
            expected = contents(jedis);
            ttls = expiries(jedis);
            assertEquals("Background saving started", jedis.bgsave());
            change.run(jedis);
            await(() -> jedis.info("persistence").contains("rdb_bgsave_in_progress:0"), "the save to end");
            assertTrue(jedis.info("persistence").contains("rdb_last_bgsave_status:ok"));
            org.junit.jupiter.api.Assertions.assertNotEquals(expected, contents(jedis), "the commands changed the keys meanwhile");
        }
        assertRedisServerLoads(dir.resolve("dump.rdb"), expected, ttls, "redis-server loaded the file as the keys were");
        deleteLogs(dir);
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings(dir));
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals(expected, contents(jedis), "Atoll loaded the file as the keys were");
        }
    }

    /**
     * A stream of 60,000 entries (600 nodes) with consumer groups and 800 pending entries is written a few nodes a
     * step, as it was when the BGSAVE began although commands change it while it is written: entries added (to its
     * last node, then new nodes), deleted across it (a whole node among them, which goes), its head trimmed, entries
     * read, acknowledged and claimed, a group destroyed and one made, its last ID set; the file passes
     * redis-check-rdb and loads into redis-server and Atoll with the stream (entries, counters, groups, consumers
     * and pending lists) as it was.
     */
    @Test
    void aLargeStreamChangedWhileWrittenInPiecesIsSavedAsItWas() throws Exception {
        savedAsTheyWereWhileChanged(jedis -> {
            Pipeline p = jedis.pipelined();
            for (int i = 1; i <= 60_000; i++) {
                p.sendCommand(redis.clients.jedis.Protocol.Command.XADD, "big-stream", i + "-1", "f", "v" + i, "n", Integer.toString(i));
            }
            for (int i = 0; i < 2000; i++) {
                p.set("s:" + i, "small-" + i);
            }
            p.sync();
            raw(jedis, "XGROUP", "CREATE", "big-stream", "g1", "0");
            raw(jedis, "XGROUP", "CREATE", "big-stream", "g2", "30000-1");
            raw(jedis, "XREADGROUP", "GROUP", "g1", "alice", "COUNT", "500", "STREAMS", "big-stream", ">");
            raw(jedis, "XREADGROUP", "GROUP", "g1", "bob", "COUNT", "300", "STREAMS", "big-stream", ">");
            raw(jedis, "XREADGROUP", "GROUP", "g2", "carol", "COUNT", "10", "STREAMS", "big-stream", ">");
            jedis.pexpire("big-stream", 900_000);
        }, jedis -> {
            Pipeline p = jedis.pipelined();
            for (int i = 0; i < 2000; i++) {
                p.sendCommand(redis.clients.jedis.Protocol.Command.XADD, "big-stream", "*", "f", "added");
                p.sendCommand(redis.clients.jedis.Protocol.Command.XDEL, "big-stream", (i * 29 + 5) + "-1");
                p.sendCommand(redis.clients.jedis.Protocol.Command.XACK, "big-stream", "g1", (i + 1) + "-1");
                p.set("s:" + i, "changed");
            }
            for (int i = 40_001; i <= 40_100; i++) { // a whole node: it goes
                p.sendCommand(redis.clients.jedis.Protocol.Command.XDEL, "big-stream", i + "-1");
            }
            p.sendCommand(redis.clients.jedis.Protocol.Command.XTRIM, "big-stream", "MINID", "1050-1");
            p.sendCommand(redis.clients.jedis.Protocol.Command.XREADGROUP, "GROUP", "g1", "dave", "COUNT", "100", "STREAMS", "big-stream", ">");
            p.sendCommand(redis.clients.jedis.Protocol.Command.XCLAIM, "big-stream", "g1", "erin", "0", "600-1", "700-1");
            p.sendCommand(redis.clients.jedis.Protocol.Command.XGROUP, "DESTROY", "big-stream", "g2");
            p.sendCommand(redis.clients.jedis.Protocol.Command.XGROUP, "CREATE", "big-stream", "g3", "$");
            p.sendCommand(() -> redis.clients.jedis.util.SafeEncoder.encode("XSETID"), "big-stream", "99999999999999-1");
            p.sync();
        });
    }

    /**
     * BGSAVE while a shard's log is being rewritten: refused, as Redis refuses it beside its AOF child, unless
     * SCHEDULE, after which it runs once the rewrite ended; LASTSAVE and INFO follow; errors as Redis's.
     */
    @Test
    void bgsaveBesideARewriteAndItsReplies() throws Exception {
        MemoryDisk disk = new MemoryDisk(Duration.ZERO, Duration.ZERO);
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir), disk, "");
             Jedis jedis = new Jedis(server.host, server.port())) {
            long started = jedis.lastsave();
            for (int i = 0; i < 100; i++) {
                jedis.set("k" + i, "v" + i);
            }
            assertTrue(jedis.info("persistence").contains("rdb_changes_since_last_save:100\r\n"));
            assertEquals("ERR syntax error", error(() -> jedis.sendCommand(redis.clients.jedis.Protocol.Command.BGSAVE, "NOW")));
            disk.hold(".rewrite");
            jedis.bgrewriteaof();
            await(() -> disk.heldWrites() > 0, "the rewrite's first write");
            assertEquals("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in "
                    + "order to schedule a BGSAVE whenever possible.", error(jedis::bgsave));
            assertEquals("Background saving scheduled",
                    jedis.sendCommand(redis.clients.jedis.Protocol.Command.BGSAVE, "SCHEDULE") instanceof byte[] b
                            ? new String(b, StandardCharsets.UTF_8) : null);
            assertEquals("ERR Background save already in progress", error(jedis::save));
            assertTrue(jedis.info("persistence").contains("rdb_bgsave_in_progress:1"));
            Thread.sleep(1100); // LASTSAVE counts seconds: the save ends in a later one than the server's start
            long released = System.currentTimeMillis() / 1000;
            disk.release(null);
            await(() -> jedis.info("persistence").contains("rdb_bgsave_in_progress:0"), "the save to end");
            String info = jedis.info("persistence");
            assertTrue(info.contains("rdb_last_bgsave_status:ok") && info.contains("rdb_saves:1"), info);
            assertTrue(started < released && jedis.lastsave() >= released, "LASTSAVE: the save's end, not the start");
            assertTrue(info.contains("rdb_last_save_time:" + jedis.lastsave()), info);
            assertTrue(info.contains("rdb_changes_since_last_save:0\r\n"), info);
            jedis.set("k0", "changed");
            assertTrue(jedis.info("persistence").contains("rdb_changes_since_last_save:1\r\n"));
            assertEquals("dbfilename", jedis.configGet("dbfilename").keySet().iterator().next());
            assertEquals("ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config",
                    error(() -> jedis.configSet("dbfilename", "x.rdb")));
        }
        deleteLogs(dir);
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings(dir));
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals(100, jedis.dbSize(), "the scheduled save's file");
        }
    }

    static String error(Runnable call) {
        return assertThrows(JedisDataException.class, call::run).getMessage();
    }

    /** Waits for {@code condition}, bounded: 20 s. */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 20 s for " + what);
            }
            Thread.sleep(10);
        }
    }
}
