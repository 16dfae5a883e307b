package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.RestoreParams;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DUMP and RESTORE: Redis's payload (RDB encoding of one value, RDB version, CRC-64), round trips of every
 * type in both encodings on 1 and 2 shards, Redis 7.0's errors, payloads recorded from redis-server 7.0.15
 * (its listpack, quicklist, intset, integer and LZF encodings) restored without it, a restart that keeps a
 * restored key, and — when redis-server is installed — values carried both ways between it and Atoll.
 */
class KvDumpRestoreTest extends KvOneAndTwoShards {

    @TempDir
    Path dir;

    private static Jedis jedis(KvTestServer server) {
        Jedis jedis = new Jedis(server.host, server.port());
        jedis.flushAll();
        return jedis;
    }

    @Test
    void crc64IsRedisSJones() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xe9c6d914c4b8d9caL, Crc64.update(0, check, 0, check.length), "crc64.c's test vector");
        assertEquals(0, Crc64.update(0, check, 0, 0));
        long half = Crc64.update(0, check, 0, 4);
        assertEquals(0xe9c6d914c4b8d9caL, Crc64.update(half, check, 4, 5), "continued in pieces");
    }

    /** IDLETIME sets the last access under an LRU policy (the default tracking), FREQ the counter under LFU. */
    @Test
    void idletimeAndFreqTakeEffectUnderThePolicyThatTracksThem() throws Exception {
        try (Jedis jedis = jedis(server(2))) {
            jedis.set("src", "v");
            byte[] payload = jedis.dump("src");
            jedis.restore("idle", 0, payload, RestoreParams.restoreParams().idleTime(1000));
            long idle = jedis.objectIdletime("idle");
            assertTrue(idle >= 1000 && idle < 1010, "OBJECT IDLETIME after RESTORE ... IDLETIME 1000: " + idle);
            jedis.restore("fresh", 0, payload, RestoreParams.restoreParams().frequency(100));
            assertTrue(jedis.objectIdletime("fresh") < 10, "FREQ is ignored under LRU tracking");
        }
        KvSettings lfu = KvTestServer.settings(null, KvSettings.FsyncPolicy.NO);
        lfu = new KvSettings(lfu.appendOnly(), lfu.fsync(), lfu.dir(), lfu.rewriteMinBytes(), lfu.rewriteGrowthPercent(),
                lfu.aofMaxQueuedBytes(), lfu.input(), lfu.output(), lfu.maxConnections(), lfu.idleTimeout(),
                lfu.password(), lfu.protectedMode(), lfu.aofLoadTruncated(), lfu.aofLoadCorruptTail(), lfu.aofLoadMissing(),
                new KvSettings.MemoryLimits(0, KvSettings.EvictionPolicy.ALLKEYS_LFU, 5), lfu.pubsubOutput());
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, lfu); Jedis jedis = jedis(server)) {
            jedis.set("src", "v");
            byte[] payload = jedis.dump("src");
            jedis.restore("freq", 0, payload, RestoreParams.restoreParams().frequency(100));
            assertEquals(100, jedis.objectFreq("freq"));
            jedis.restore("idle", 0, payload, RestoreParams.restoreParams().idleTime(1000));
            assertEquals(5, jedis.objectFreq("idle"), "IDLETIME is ignored under LFU: Redis's initial counter");
        }
    }

    /** Values of every type, in the compact and the large encoding, written through {@code jedis}. */
    static void writeEveryType(Jedis jedis) {
        jedis.set("s-int", "12345");
        jedis.set("s-text", "hello");
        jedis.set("s-long", "x".repeat(5000));
        jedis.set("s-binary", "\u0000\u00ff\r\n");
        jedis.rpush("l-small", "a", "b", "123", "-5", "x".repeat(70));
        jedis.rpush("l-large", IntStream.range(0, 600).mapToObj(i -> "e" + i).toArray(String[]::new));
        jedis.rpush("l-large", "y".repeat(9000));
        jedis.sadd("set-ints", "1", "2", "-3", "70000", "5000000000");
        jedis.sadd("set-text", "a", "b", "1");
        jedis.sadd("set-large", IntStream.range(0, 600).mapToObj(i -> "m" + i).toArray(String[]::new));
        jedis.hset("h-small", Map.of("f1", "v1", "f2", "2"));
        Map<String, String> fields = new TreeMap<>();
        IntStream.range(0, 600).forEach(i -> fields.put("f" + i, "v" + i));
        jedis.hset("h-large", fields);
        jedis.zadd("z-small", Map.of("a", 1.0, "b", 2.5, "c", Double.NEGATIVE_INFINITY, "d", 100.0, "e", -0.125));
        Map<String, Double> members = new TreeMap<>();
        IntStream.range(0, 300).forEach(i -> members.put("m" + i, i * 0.1));
        jedis.zadd("z-large", members);
    }

    static final List<String> KEYS = List.of("s-int", "s-text", "s-long", "s-binary", "l-small", "l-large",
            "set-ints", "set-text", "set-large", "h-small", "h-large", "z-small", "z-large");

    /** A key's value in a form to compare: its type and elements (a set's sorted). */
    static Object value(Jedis jedis, String key) {
        return switch (jedis.type(key)) {
            case "string" -> "string " + jedis.get(key);
            case "list" -> jedis.lrange(key, 0, -1);
            case "set" -> new TreeSet<>(jedis.smembers(key));
            case "hash" -> new TreeMap<>(jedis.hgetAll(key));
            case "zset" -> jedis.zrangeWithScores(key, 0, -1).toString();
            case String other -> other;
        };
    }

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void everyTypeRoundTripsThroughDumpAndRestore(int shards) {
        try (Jedis jedis = jedis(server(shards))) {
            writeEveryType(jedis);
            for (String key : KEYS) {
                byte[] payload = jedis.dump(key);
                String copy = "copy-" + key; // with 2 shards, about half of them on the other shard
                assertEquals("OK", jedis.restore(copy, 0, payload));
                assertEquals(value(jedis, key), value(jedis, copy), key);
                assertEquals(jedis.objectEncoding(key), jedis.objectEncoding(copy), key + "'s encoding");
                assertEquals(-1, jedis.ttl(copy));
                if (key.startsWith("s-") || key.startsWith("l-")) { // a hashtable's order is its history's
                    assertArrayEquals(payload, jedis.dump(copy), "the same value dumps the same");
                }
            }
            assertNull(jedis.dump("missing"));
        }
    }

    @Test
    void restoreOptionsAndErrorsAsRedis() {
        try (Jedis jedis = jedis(server(2))) {
            jedis.set("k", "v");
            byte[] payload = jedis.dump("k");
            assertEquals("BUSYKEY Target key name already exists.", error(() -> jedis.restore("k", 0, payload)));
            assertEquals("OK", jedis.restore("k", 0, payload, RestoreParams.restoreParams().replace()));
            assertEquals("OK", jedis.restore("t", 100_000, payload));
            assertTrue(jedis.pttl("t") > 90_000 && jedis.pttl("t") <= 100_000);
            long at = System.currentTimeMillis() + 200_000;
            assertEquals("OK", jedis.restore("abs", at, payload, RestoreParams.restoreParams().absTtl()));
            assertEquals(at, jedis.pexpireTime("abs"));
            assertEquals("OK", jedis.restore("abs", 1000, payload, RestoreParams.restoreParams().absTtl().replace()),
                    "an absolute TTL in the past: OK, and the key is gone");
            assertFalse(jedis.exists("abs"));
            assertEquals("OK", jedis.restore("idle", 0, payload, RestoreParams.restoreParams().idleTime(10)));
            assertEquals("OK", jedis.restore("freq", 0, payload, RestoreParams.restoreParams().frequency(5)));

            byte[] corrupt = payload.clone();
            corrupt[1] ^= 1;
            assertEquals("ERR DUMP payload version or checksum are wrong", error(() -> jedis.restore("x", 0, corrupt)));
            byte[] later = payload.clone();
            later[later.length - 10] = 11; // RDB version 11: newer than 7.0's
            assertEquals("ERR DUMP payload version or checksum are wrong", error(() -> jedis.restore("x", 0, later)));
            assertEquals("ERR DUMP payload version or checksum are wrong", error(() -> jedis.restore("x", 0, new byte[3])));
            assertEquals("ERR Bad data format", error(() -> jedis.restore("x", 0, withFooter(new byte[] {9, 0}))),
                    "an RDB type that is no value");
            assertEquals("ERR Bad data format", error(() -> jedis.restore("x", 0, withFooter(new byte[] {0, 5, 'a'}))),
                    "a string cut short");
            assertEquals("ERR Bad data format", error(() -> jedis.restore("x", 0, withFooter(new byte[] {2, 0}))),
                    "an empty set");
            assertEquals("ERR Invalid TTL value, must be >= 0", error(() -> jedis.restore("x", -1, payload)));
            assertEquals("ERR value is not an integer or out of range", error(() -> raw(jedis, "RESTORE", "x", "1.5", "p")));
            assertEquals("ERR syntax error", error(() -> raw(jedis, "RESTORE", "x", "0", "p", "FOO")));
            assertEquals("ERR Invalid IDLETIME value, must be >= 0", error(() -> raw(jedis, "RESTORE", "x", "0", "p", "IDLETIME", "-1")));
            assertEquals("ERR Invalid FREQ value, must be >= 0 and <= 255", error(() -> raw(jedis, "RESTORE", "x", "0", "p", "FREQ", "256")));
            assertEquals("ERR syntax error", error(() -> raw(jedis, "RESTORE", "x", "0", "p", "IDLETIME", "1", "FREQ", "1")));
            assertEquals("ERR wrong number of arguments for 'restore' command", error(() -> raw(jedis, "RESTORE", "x", "0")));
            assertEquals("ERR wrong number of arguments for 'dump' command", error(() -> raw(jedis, "DUMP")));
            assertFalse(jedis.exists("x"), "nothing restored by a refused RESTORE");
        }
    }

    /** A payload of {@code body} with RDB version 10 and its CRC. */
    static byte[] withFooter(byte[] body) {
        byte[] payload = java.util.Arrays.copyOf(body, body.length + 10);
        payload[body.length] = 10;
        long crc = Crc64.update(0, payload, 0, body.length + 2);
        for (int k = 0; k < 8; k++) {
            payload[body.length + 2 + k] = (byte) (crc >>> (8 * k));
        }
        return payload;
    }

    static Object raw(Jedis jedis, String... args) {
        byte[][] rest = new byte[args.length - 1][];
        for (int i = 1; i < args.length; i++) {
            rest[i - 1] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return jedis.sendCommand(() -> args[0].getBytes(StandardCharsets.UTF_8), rest);
    }

    static String error(Runnable command) {
        return assertThrows(JedisDataException.class, command::run).getMessage();
    }

    /**
     * Payloads redis-server 7.0.15 wrote ({@code DUMP} of what the comment shows), restored with no
     * redis-server: integer, LZF and plain strings, a quicklist of one listpack node, an intset (its blob
     * LZF-compressed), a hashtable set, a listpack hash and a listpack sorted set with -inf and 2.5.
     */
    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void payloadsRedisWroteRestore(int shards) {
        try (Jedis jedis = jedis(server(shards))) {
            restore(jedis, "sint", "00c139300a009d94ea2793fc08b9"); // SET sint 12345
            assertEquals("12345", jedis.get("sint"));
            assertEquals("int", jedis.objectEncoding("sint"));
            restore(jedis, "sneg", "00c0f90a005e26d130d7a242ab"); // SET sneg -7
            assertEquals("-7", jedis.get("sneg"));
            restore(jedis, "slzf", "00c3094064016161e057000161610a00e8a3b507b06df271"); // SET slzf a*100
            assertEquals("a".repeat(100), jedis.get("slzf"));
            restore(jedis, "splain", "000568656c6c6f0a006372df766534200a"); // SET splain hello
            assertEquals("hello", jedis.get("splain"));
            // RPUSH l a b 123 -5 x*70
            restore(jedis, "l", "120102c31b405b135b00000005008161028162027b01dffb02e04678e03c000148ff0a002ef9e54d39309e4b");
            assertEquals(List.of("a", "b", "123", "-5", "x".repeat(70)), jedis.lrange("l", 0, -1));
            // SADD si 1 2 -3 70000 5000000000
            restore(jedis, "si", "0bc32630040800000005200301fdff80000001200b4000000240042000017011a01102f2052a200900000a003285f4458846a901");
            assertEquals(new TreeSet<>(List.of("1", "2", "-3", "70000", "5000000000")), new TreeSet<>(jedis.smembers("si")));
            assertEquals("intset", jedis.objectEncoding("si"));
            restore(jedis, "sh", "020301610162c0010a0023ff73bdb0f93526"); // SADD sh a b 1
            assertEquals(new TreeSet<>(List.of("a", "b", "1")), new TreeSet<>(jedis.smembers("sh")));
            assertEquals("hashtable", jedis.objectEncoding("sh"));
            restore(jedis, "h", "10151500000004008266310382763103826632030201ff0a005c5ea813feec1ff5"); // HSET h f1 v1 f2 2
            assertEquals(Map.of("f1", "v1", "f2", "2"), jedis.hgetAll("h"));
            assertEquals("listpack", jedis.objectEncoding("h"));
            // ZADD z 1 a 2.5 b -inf c 100 d
            restore(jedis, "z", "1122220000000800816302842d696e6605816102010181620283322e35048164026401ff0a005ade4eb4077dbc9c");
            assertEquals("[[c,-Infinity], [a,1.0], [b,2.5], [d,100.0]]", jedis.zrangeWithScores("z", 0, -1).toString());
            assertEquals("listpack", jedis.objectEncoding("z"));
        }
    }

    private static void restore(Jedis jedis, String key, String hex) {
        assertEquals("OK", jedis.restore(key, 0, HexFormat.of().parseHex(hex)));
    }

    @Test
    void aRestoredKeyIsLoggedAndKeptAcrossARestartWithAnotherShardCount() throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO);
        Map<String, Object> restored = new TreeMap<>();
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings);
             Jedis jedis = new Jedis(server.host, server.port())) {
            writeEveryType(jedis);
            for (String key : KEYS) {
                assertEquals("OK", jedis.restore("r-" + key, 500_000, jedis.dump(key)));
                restored.put("r-" + key, value(jedis, key));
                jedis.del(key);
            }
        }
        try (KvTestServer server = KvTestServer.start(3, DriverKind.AUTO, settings);
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals(KEYS.size(), jedis.dbSize(), "only the restored keys");
            for (Map.Entry<String, Object> e : restored.entrySet()) {
                assertEquals(e.getValue(), value(jedis, e.getKey()), e.getKey());
                assertTrue(jedis.ttl(e.getKey()) > 400, "its expiry kept");
            }
        }
    }

    /**
     * With redis-server: what it DUMPs (its own encodings, small and large) RESTOREs in Atoll to the same value
     * and encoding, and what Atoll DUMPs RESTOREs in redis-server to the same value and encoding; the errors of
     * RESTORE are the same text.
     */
    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void valuesTravelBothWaysWithRedisServer(int shards) throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedisServer(port);
        try {
            KvRedisComparisonTest.connect(port).close();
            try (Jedis theirs = new Jedis("127.0.0.1", port); Jedis ours = jedis(server(shards))) {
                theirs.flushAll();
                writeEveryType(theirs);
                writeEveryType(ours);
                for (String key : KEYS) {
                    assertEquals("OK", ours.restore("from-redis-" + key, 0, theirs.dump(key)));
                    assertEquals(value(theirs, key), value(ours, "from-redis-" + key), key + " from redis-server");
                    assertEquals(theirs.objectEncoding(key), ours.objectEncoding("from-redis-" + key), key);
                    assertEquals("OK", theirs.restore("from-atoll-" + key, 0, ours.dump(key)));
                    assertEquals(value(ours, key), value(theirs, "from-atoll-" + key), key + " from Atoll");
                    assertEquals(ours.objectEncoding(key), theirs.objectEncoding("from-atoll-" + key), key);
                }
                // a string's payload is redis-server's byte for byte: integers in 8, 16, 32 bits, LZF past 20 bytes
                for (String text : List.of("0", "-1", "127", "128", "-32769", "2147483647", "2147483648", "-0", "007",
                        "+5", "1 ", "12345678901", "x".repeat(20), "x".repeat(21), "abcdefghijklmnopqrstuvwxyz",
                        "0123456789".repeat(30), "spam and eggs ".repeat(100))) {
                    theirs.set("bytes", text);
                    ours.set("bytes", text);
                    assertArrayEquals(theirs.dump("bytes"), ours.dump("bytes"), "DUMP of \"" + text + "\"");
                }
                byte[] payload = ours.dump("s-text");
                byte[] corrupt = payload.clone();
                corrupt[2] ^= 1;
                for (Runnable[] both : List.<Runnable[]>of(
                        new Runnable[] {() -> theirs.restore("s-text", 0, payload), () -> ours.restore("s-text", 0, payload)},
                        new Runnable[] {() -> theirs.restore("n", 0, corrupt), () -> ours.restore("n", 0, corrupt)},
                        new Runnable[] {() -> theirs.restore("n", 0, withFooter(new byte[] {2, 0})),
                                () -> ours.restore("n", 0, withFooter(new byte[] {2, 0}))},
                        new Runnable[] {() -> raw(theirs, "RESTORE", "n", "0", "p", "IDLETIME", "1", "FREQ", "1"),
                                () -> raw(ours, "RESTORE", "n", "0", "p", "IDLETIME", "1", "FREQ", "1")})) {
                    assertEquals(error(both[0]), error(both[1]));
                }
            }
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
