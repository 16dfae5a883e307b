package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sorted sets: every command on 1 and 2 shards (keys on two shards for the commands of several
 * keys), RESP2 and RESP3 shapes, the listpack to skiplist conversion, scores' text, persistence
 * across a restart with another shard count, and the replies of redis-server 7.0 for a script of
 * commands when it is installed (skipped otherwise).
 */
class KvSortedSetsTest {
    @TempDir
    Path dir;

    private static List<Object> list(Object... items) {
        return Arrays.asList(items);
    }

    private static RespClient.Error error(String text) {
        return new RespClient.Error(text);
    }

    private static RespClient.Resp3Double d(String text) {
        return new RespClient.Resp3Double(text);
    }

    /** Two key names that {@code shards} shards place on different shards (any, with one shard). */
    private static String[] onTwoShards(String prefix, int shards) {
        String first = prefix + "0";
        int owner = owner(first, shards);
        for (int i = 1; ; i++) {
            if (shards == 1 || owner(prefix + i, shards) != owner) {
                return new String[] {first, prefix + i};
            }
        }
    }

    private static int owner(String key, int shards) {
        byte[] b = key.getBytes(StandardCharsets.UTF_8);
        return KeySlots.owner(b, 0, b.length, shards);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void addScoreRankAndRanges(int shards) throws Exception {
        try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = server.client()) {
            assertEquals(4L, c.call("ZADD", "z", "1", "a", "2", "b", "3", "c", "1.5", "d"));
            assertEquals(4L, c.call("ZCARD", "z"));
            assertEquals(list("a", "d", "b", "c"), c.call("ZRANGE", "z", "0", "-1"));
            assertEquals(list("c", "b", "d", "a"), c.call("ZREVRANGE", "z", "0", "-1"));
            assertEquals(list("a", "1", "d", "1.5"), c.call("ZRANGE", "z", "0", "1", "WITHSCORES"));
            assertEquals("1.5", c.call("ZSCORE", "z", "d"));
            assertNull(c.call("ZSCORE", "z", "nope"));
            assertEquals(list("1", null, "3"), c.call("ZMSCORE", "z", "a", "x", "c"));
            assertEquals(1L, c.call("ZRANK", "z", "d"));
            assertEquals(2L, c.call("ZREVRANK", "z", "d"));
            assertNull(c.call("ZRANK", "z", "nope"));
            assertEquals(3L, c.call("ZCOUNT", "z", "1", "2"));
            assertEquals(1L, c.call("ZCOUNT", "z", "(1", "(2"));
            assertEquals(list("d", "b"), c.call("ZRANGEBYSCORE", "z", "(1", "2"));
            assertEquals(list("c", "b"), c.call("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "0", "2"));
            assertEquals(list("b", "d"), c.call("ZRANGE", "z", "2", "(1", "BYSCORE", "REV"));
            // flags
            assertEquals(0L, c.call("ZADD", "z", "NX", "9", "a"));
            assertEquals("1", c.call("ZSCORE", "z", "a"));
            assertEquals(0L, c.call("ZADD", "z", "XX", "9", "new"));
            assertNull(c.call("ZSCORE", "z", "new"));
            assertEquals(1L, c.call("ZADD", "z", "GT", "CH", "0", "a", "5", "b"));
            assertEquals("5", c.call("ZSCORE", "z", "b"));
            assertEquals(0L, c.call("ZADD", "z", "LT", "CH", "9", "a"));
            assertEquals("3", c.call("ZADD", "z", "INCR", "2", "a"));
            assertNull(c.call("ZADD", "z", "NX", "INCR", "2", "a"));
            assertEquals("4.5", c.call("ZINCRBY", "z", "1.5", "a"));
            assertEquals(error("ERR XX and NX options at the same time are not compatible"),
                    c.call("ZADD", "z", "NX", "XX", "1", "a"));
            assertEquals(error("ERR GT, LT, and/or NX options at the same time are not compatible"),
                    c.call("ZADD", "z", "GT", "LT", "1", "a"));
            assertEquals(error("ERR INCR option supports a single increment-element pair"),
                    c.call("ZADD", "z", "INCR", "1", "a", "2", "b"));
            assertEquals(error("ERR value is not a valid float"), c.call("ZADD", "z", "nan", "a"));
            assertEquals(error("ERR syntax error"), c.call("ZADD", "z", "1", "a", "2"));
            assertEquals(error("ERR wrong number of arguments for 'zadd' command"), c.call("ZADD", "z", "1"));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void resp3ShapesWrongTypeAndArity(int shards) throws Exception {
        try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = server.client()) {
            String[] keys = onTwoShards("k", shards);
            assertEquals(3L, c.call("ZADD", keys[0], "1", "a", "2.5", "b", "inf", "c"));
            assertEquals(1L, c.call("ZADD", keys[1], "7", "x"));
            assertEquals(list("a", "1", "b", "2.5"), c.call("ZPOPMIN", keys[0], "2")); // RESP2: flat
            assertEquals(3L, c.call("ZADD", keys[0], "1", "a", "2.5", "b", "-0", "z"));
            assertEquals(list(keys[0], list(list("z", "0"))), c.call("ZMPOP", "2", keys[0], keys[1], "MIN"));
            c.call("HELLO", "3");
            assertEquals(d("2.5"), c.call("ZSCORE", keys[0], "b"));
            assertEquals(d("inf"), c.call("ZSCORE", keys[0], "c"));
            assertEquals(RespClient.RESP3_NULL, c.call("ZSCORE", keys[0], "nope"));
            assertEquals(list(d("1"), RespClient.RESP3_NULL), c.call("ZMSCORE", keys[0], "a", "nope"));
            assertEquals(list(list("a", d("1")), list("b", d("2.5"))), c.call("ZRANGE", keys[0], "0", "1", "WITHSCORES"));
            assertEquals(list(list("x", d("0")), list("a", d("1")), list("b", d("2.5")), list("c", d("inf"))),
                    c.call("ZUNION", "2", keys[0], keys[1], "WITHSCORES", "WEIGHTS", "1", "0", "AGGREGATE", "MAX"));
            assertEquals(list("a", d("1")), c.call("ZPOPMIN", keys[0])); // no count: flat, as Redis 7.0
            assertEquals(list(list("c", d("inf"))), c.call("ZPOPMAX", keys[0], "1")); // a count: pairs
            assertEquals(d("3.5"), c.call("ZINCRBY", keys[0], "1", "b"));
            assertEquals(d("4"), c.call("ZADD", keys[0], "INCR", "0.5", "b"));
            assertEquals(list(keys[1], list(list("x", d("7")))), c.call("ZMPOP", "2", "nokey", keys[1], "MAX"));
            assertEquals(RespClient.RESP3_NULL, c.call("ZMPOP", "2", "nokey", keys[1], "MAX"));
            assertEquals(list(list("b", d("4"))), c.call("ZRANDMEMBER", keys[0], "-1", "WITHSCORES"));
            c.call("HELLO", "2");
            assertEquals("OK", c.call("SET", "str", "v"));
            String wrong = "WRONGTYPE Operation against a key holding the wrong kind of value";
            for (String[] command : new String[][] {{"ZADD", "str", "1", "a"}, {"ZCARD", "str"}, {"ZRANGE", "str", "0", "-1"},
                    {"ZPOPMIN", "str"}, {"ZSCAN", "str", "0"}, {"ZUNIONSTORE", "d", "2", keys[0], "str"},
                    {"ZRANGESTORE", "d", "str", "0", "-1"}, {"ZINTERCARD", "1", "str"}, {"ZMPOP", "1", "str", "MIN"}}) {
                assertEquals(error(wrong), c.call(command), String.join(" ", command));
            }
            assertEquals(error(wrong), c.call("GET", keys[0]));
            assertEquals("zset", c.call("TYPE", keys[0]));
            assertEquals(error("ERR wrong number of arguments for 'zadd' command"), c.call("ZADD", "z", "1"));
            assertEquals(error("ERR wrong number of arguments for 'zunionstore' command"), c.call("ZUNIONSTORE", "d", "1"));
            assertEquals(error("ERR wrong number of arguments for 'zrangestore' command"), c.call("ZRANGESTORE", "d", "s", "0"));
            assertEquals(error("ERR at least 1 input key is needed for 'zunionstore' command"), c.call("ZUNIONSTORE", "d", "0", "a"));
            assertEquals(list(list("zunionstore", -4L, list("write", "denyoom", "movablekeys"), 1L, 1L, 1L, list("@write", "@sortedset", "@slow"),
                    list(), list( // redis-server 7.0.15's key specs: the destination, then numkeys' sources
                            list("flags", list("OW", "update"), "begin_search", list("type", "index", "spec", list("index", 1L)),
                                    "find_keys", list("type", "range", "spec", list("lastkey", 0L, "keystep", 1L, "limit", 0L))),
                            list("flags", list("RO", "access"), "begin_search", list("type", "index", "spec", list("index", 2L)),
                                    "find_keys", list("type", "keynum", "spec", list("keynumidx", 0L, "firstkey", 1L, "keystep", 1L)))),
                    list())), c.call("COMMAND", "INFO", "zunionstore"));
        }
    }

    @Test
    void aListpackBecomesASkiplistAtRedisBoundsAndStaysOne() throws Exception {
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = server.client()) {
            for (int i = 0; i < 128; i++) {
                c.call("ZADD", "z", Integer.toString(i), "m" + i);
            }
            assertEquals("listpack", c.call("OBJECT", "ENCODING", "z")); // zset-max-listpack-entries 128
            assertEquals(0L, c.call("ZADD", "z", "1000", "m0")); // an update is no new entry
            assertEquals("listpack", c.call("OBJECT", "ENCODING", "z"));
            assertEquals(1L, c.call("ZADD", "z", "500", "m128"));
            assertEquals("skiplist", c.call("OBJECT", "ENCODING", "z"));
            assertEquals(list("m1", "m2"), c.call("ZRANGE", "z", "0", "1"));
            assertEquals(list("m128", "m0"), c.call("ZRANGE", "z", "-2", "-1"));
            assertEquals(127L, c.call("ZRANK", "z", "m128"));
            assertEquals(125L, c.call("ZREMRANGEBYRANK", "z", "0", "124"));
            assertEquals("skiplist", c.call("OBJECT", "ENCODING", "z")); // it stays one, as in Redis
            assertEquals(list("m126", "126", "m127", "127", "m128", "500", "m0", "1000"), c.call("ZRANGE", "z", "0", "-1", "WITHSCORES"));
            assertEquals(4L, c.call("ZUNIONSTORE", "copy", "1", "z"));
            assertEquals("listpack", c.call("OBJECT", "ENCODING", "copy")); // a computed result: by its size
            assertEquals(1L, c.call("COPY", "z", "z2"));
            assertEquals("skiplist", c.call("OBJECT", "ENCODING", "z2"));
            assertEquals(1L, c.call("ZADD", "v", "1", "x".repeat(64)));
            assertEquals("listpack", c.call("OBJECT", "ENCODING", "v")); // zset-max-listpack-value 64
            assertEquals(1L, c.call("ZADD", "v", "2", "y".repeat(65)));
            assertEquals("skiplist", c.call("OBJECT", "ENCODING", "v"));
            assertEquals(list("x".repeat(64), "y".repeat(65)), c.call("ZRANGE", "v", "0", "-1"));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void commandsOfSeveralKeysWorkAcrossShards(int shards) throws Exception {
        try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = server.client()) {
            String[] src = onTwoShards("src", shards);
            String[] dst = onTwoShards("dst", shards);
            String target = owner(dst[0], shards) != owner(src[0], shards) ? dst[0] : dst[1];
            assertTrue(owner(src[0], shards) != owner(src[1], shards));
            assertEquals(3L, c.call("ZADD", src[0], "1", "a", "2", "b", "3", "c"));
            assertEquals(2L, c.call("ZADD", src[1], "10", "b", "20", "d"));
            assertEquals("OK", c.call("SET", target, "a string, replaced"));
            assertEquals(1L, c.call("EXPIRE", target, "1000"));
            assertEquals(4L, c.call("ZUNIONSTORE", target, "2", src[0], src[1], "WEIGHTS", "1", "2"));
            assertEquals(list("a", "1", "c", "3", "b", "22", "d", "40"), c.call("ZRANGE", target, "0", "-1", "WITHSCORES"));
            assertEquals(-1L, c.call("TTL", target)); // a stored result has no expiry
            assertEquals(1L, c.call("ZINTERSTORE", target, "2", src[0], src[1], "AGGREGATE", "MAX"));
            assertEquals(list("b", "10"), c.call("ZRANGE", target, "0", "-1", "WITHSCORES"));
            assertEquals(2L, c.call("ZDIFFSTORE", target, "2", src[0], src[1]));
            assertEquals(list("a", "c"), c.call("ZRANGE", target, "0", "-1"));
            assertEquals(0L, c.call("ZINTERSTORE", target, "2", src[0], "nokey"));
            assertEquals(0L, c.call("EXISTS", target)); // an empty result deletes the destination
            assertEquals(2L, c.call("ZRANGESTORE", target, src[1], "0", "-1"));
            assertEquals(list("b", "10", "d", "20"), c.call("ZRANGE", target, "0", "-1", "WITHSCORES"));
            assertEquals(list("a", "1", "c", "3", "b", "22", "d", "40"),
                    c.call("ZUNION", "2", src[0], src[1], "WEIGHTS", "1", "2", "WITHSCORES"));
            assertEquals(1L, c.call("ZINTERCARD", "2", src[0], src[1]));
            assertEquals(list("a", "c"), c.call("ZDIFF", "2", src[0], src[1]));
            assertEquals(list(src[1], list(list("d", "20"), list("b", "10"))),
                    c.call("ZMPOP", "3", "nokey", src[1], src[0], "MAX", "COUNT", "5"));
            assertEquals(0L, c.call("EXISTS", src[1])); // popped empty: gone
            assertEquals(list(src[0], list(list("a", "1"))), c.call("ZMPOP", "2", src[1], src[0], "MIN"));
            assertEquals("OK", c.call("SET", src[1], "x"));
            assertEquals(error("WRONGTYPE Operation against a key holding the wrong kind of value"),
                    c.call("ZUNIONSTORE", target, "2", src[0], src[1]));
            assertEquals(error("ERR weight value is not a float"),
                    c.call("ZUNION", "2", src[0], "nokey", "WEIGHTS", "1", "x"));
            // The next command of the connection, sent in the same write, sees the stored result.
            assertEquals(1L, c.call("DEL", src[1]));
            assertEquals(1L, c.call("ZADD", src[1], "5", "p"));
            c.output().write(RespClient.encode("ZUNIONSTORE", target, "2", src[0], src[1]));
            c.output().write(RespClient.encode("ZRANGE", target, "0", "-1"));
            c.output().write(RespClient.encode("ZADD", src[0], "0", "first"));
            c.output().write(RespClient.encode("ZINTER", "1", src[0]));
            c.output().flush();
            assertEquals(3L, c.read());
            assertEquals(list("b", "c", "p"), c.read());
            assertEquals(1L, c.read());
            assertEquals(list("first", "b", "c"), c.read());
        }
    }

    /** Under appendfsync always the commands of several keys across shards answer after their syncs, and their results replay. */
    @Test
    void acrossShardsUnderAppendfsyncAlwaysTheResultsReplay() throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.ALWAYS);
        String[] src = onTwoShards("src", 2);
        String[] dst = onTwoShards("dst", 2);
        String target = owner(dst[0], 2) != owner(src[0], 2) ? dst[0] : dst[1];
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals(2L, c.call("ZADD", src[0], "1", "a", "2", "b"));
            assertEquals(1L, c.call("ZADD", src[1], "0.1", "b"));
            assertEquals(2L, c.call("ZUNIONSTORE", target, "2", src[0], src[1]));
            assertEquals(list(src[1], list(list("b", "0.10000000000000001"))), c.call("ZMPOP", "2", src[1], src[0], "MIN"));
            assertEquals(1L, c.call("ZRANGESTORE", src[1], target, "-1", "-1"));
        }
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals(list("a", "1", "b", "2.1000000000000001"), c.call("ZRANGE", target, "0", "-1", "WITHSCORES"));
            assertEquals(list("b", "2.1000000000000001"), c.call("ZRANGE", src[1], "0", "-1", "WITHSCORES"));
            assertEquals(list("a", "1", "b", "2"), c.call("ZRANGE", src[0], "0", "-1", "WITHSCORES"));
        }
    }

    /** Every key's members and scores' text (17 digits: equal text, equal double) and encoding. */
    private static Map<String, Object> state(RespClient c, List<String> keys) throws Exception {
        Map<String, Object> state = new TreeMap<>();
        for (String key : keys) {
            state.put(key, list(c.call("ZRANGE", key, "0", "-1", "WITHSCORES"), c.call("OBJECT", "ENCODING", key),
                    c.call("TTL", key) instanceof Long ttl && ttl > 0 ? "expires" : "persists"));
        }
        return state;
    }

    @Test
    void everyChangeSurvivesARestartWithAnotherShardCountAndARewrite() throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO);
        List<String> keys = List.of("exact", "big", "incr", "popped", "ranged", "union", "ranges", "expiring", "gone", "mpop1", "mpop2");
        Map<String, Object> before;
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = server.client()) {
            c.call("ZADD", "exact", "0.1", "a", "5e-324", "b", "1.2345678901234568e17", "c", "-inf", "d", "inf", "e",
                    "0x1.fffffffffffffp1023", "f", "-0", "g", "0.3", "h");
            for (int i = 0; i < 300; i++) {
                c.call("ZADD", "big", Double.toString(i / 7.0), "m" + i);
            }
            c.call("ZADD", "big", "-0", "negzero");
            c.call("ZINCRBY", "big", "-0", "incrzero");
            c.call("ZREM", "big", "m3", "m4", "nope");
            c.call("ZADD", "big", "GT", "CH", "1000", "m5", "-1", "m6");
            for (int i = 0; i < 10; i++) {
                c.call("ZINCRBY", "incr", "0.1", "x"); // 0.1 ten times: 0.99999999999999989
                c.call("ZADD", "incr", "INCR", "1e-17", "y");
            }
            c.call("ZADD", "popped", "1", "a", "2", "b", "3", "c", "4", "d");
            c.call("ZPOPMIN", "popped");
            c.call("ZPOPMAX", "popped", "2");
            c.call("ZADD", "ranged", "1", "a", "2", "b", "3", "c", "4", "d", "0", "p", "0", "q", "0", "r");
            c.call("ZREMRANGEBYSCORE", "ranged", "(3", "4");
            c.call("ZREMRANGEBYRANK", "ranged", "0", "0");
            c.call("ZREMRANGEBYLEX", "ranged", "[q", "[q");
            c.call("ZUNIONSTORE", "union", "2", "exact", "ranged", "WEIGHTS", "3", "1");
            c.call("ZRANGESTORE", "ranges", "big", "10", "20");
            c.call("ZADD", "expiring", "1", "a");
            c.call("EXPIRE", "expiring", "100000");
            c.call("ZADD", "gone", "1", "a");
            c.call("ZPOPMIN", "gone");
            c.call("ZADD", "mpop1", "1", "a");
            c.call("ZADD", "mpop2", "1", "a", "2", "b");
            assertEquals(list("mpop2", list(list("b", "2"))), c.call("ZMPOP", "3", "nokey", "mpop2", "mpop1", "MAX"));
            assertEquals("0.99999999999999989", c.call("ZSCORE", "incr", "x"));
            assertEquals("-0", c.call("ZSCORE", "big", "negzero"));
            before = state(c, keys);
        }
        try (KvTestServer server = KvTestServer.start(3, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals(before, state(c, keys), "replayed on 3 shards");
            assertTrue(((String) c.call("BGREWRITEAOF")).startsWith("Background append only file rewriting"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String info;
            do {
                Thread.sleep(20);
                info = (String) c.call("INFO", "persistence");
            } while (info.contains("aof_rewrite_in_progress:1") && System.nanoTime() < deadline);
        }
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals(before, state(c, keys), "rewritten, then replayed on 1 shard");
        }
    }

    private static final String[][] C_PRINTF_G17 = {
        {"0.1", "0.10000000000000001"}, {"1.1", "1.1000000000000001"}, {"1e-5", "1.0000000000000001e-05"},
        {"1e16", "10000000000000000"}, {"1e17", "1e+17"}, {"123456789012345678", "1.2345678901234568e+17"},
        {"5e-324", "4.9406564584124654e-324"}, {"2.2250738585072014e-308", "2.2250738585072014e-308"},
        {"1.7976931348623157e308", "1.7976931348623157e+308"}, {"-2.5e-7", "-2.4999999999999999e-07"},
        {"0.0001", "0.0001"}, {"0.00001", "1.0000000000000001e-05"}, {"100", "100"}, {"3.0", "3"}, {"1e21", "1e+21"},
        {"-1.5", "-1.5"}, {"99999999999999999", "1e+17"}, {"0.3", "0.29999999999999999"}, {"12345.678", "12345.678"},
        {"1e-300", "1e-300"}, {"-0", "-0"}, {"inf", "inf"}, {"-inf", "-inf"},
    };

    /** Scores in C's %.17g (the table from C's printf), and read back bit for bit. */
    @Test
    void scoresAreWrittenAsRedisWritesThemAndReadBackExactly() {
        for (String[] row : C_PRINTF_G17) {
            byte[] text = row[0].getBytes(StandardCharsets.US_ASCII);
            assertEquals(row[1], new String(Score.format(Score.parse(text, 0, text.length)), StandardCharsets.US_ASCII), row[0]);
        }
        Random random = new Random(18);
        for (int i = 0; i < 100_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (Double.isNaN(d)) {
                continue;
            }
            byte[] text = Score.format(d);
            assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits(Score.parse(text, 0, text.length)),
                    new String(text, StandardCharsets.US_ASCII));
        }
        for (String bad : new String[] {"", " 1", "1 ", "nan", "1e", "0x", "1e400", "1e-400", "abc", "1.2.3", "--1", "inf1"}) {
            byte[] text = bad.getBytes(StandardCharsets.US_ASCII);
            assertTrue(Double.isNaN(Score.parse(text, 0, text.length)), bad);
        }
    }

    /**
     * Short decimals (Score's allocation-free path: up to 15 digits, a point, no exponent) read as Java's
     * correctly rounded parser reads them; integers below 1e15 written as %.17g writes them.
     */
    @Test
    void shortDecimalScoresAreReadExactly() {
        Random random = new Random(15);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder s = new StringBuilder(random.nextInt(3) == 0 ? "-" : random.nextInt(2) == 0 ? "+" : "");
            int digits = 1 + random.nextInt(16);
            int point = random.nextInt(digits + 2) - 1; // -1: none
            for (int d = 0; d < digits; d++) {
                if (d == point) {
                    s.append('.');
                }
                s.append((char) ('0' + random.nextInt(10)));
            }
            String text = s.toString();
            byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(text)),
                    Double.doubleToRawLongBits(Score.parse(bytes, 0, bytes.length)), text);
        }
        for (String text : new String[] {"1.", ".5", "-.5", "+0", "-0", "-0.0", "000000012345", "999999999999999", "0.000000000000001"}) {
            byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(text)),
                    Double.doubleToRawLongBits(Score.parse(bytes, 0, bytes.length)), text);
        }
        for (int i = 0; i < 100_000; i++) { // integers written without BigDecimal, as %.17g writes them
            double d = (double) (random.nextLong() % (1L << (1 + random.nextInt(53))));
            assertEquals(d == 0 ? "0" : Score.text(d), new String(Score.format(d), StandardCharsets.US_ASCII));
        }
        assertEquals("-0", new String(Score.format(-0.0), StandardCharsets.US_ASCII));
        assertEquals("1000000000000000", new String(Score.format(1e15), StandardCharsets.US_ASCII)); // past the fast path
        for (String bad : new String[] {".", "-", "+", "-.", "1..2", "1-2"}) {
            byte[] bytes = bad.getBytes(StandardCharsets.US_ASCII);
            assertTrue(Double.isNaN(Score.parse(bytes, 0, bytes.length)), bad);
        }
    }

    /** Ranks, bounds and order of both encodings against a sorted model, over random changes. */
    @Test
    void bothEncodingsKeepTheOrderAndRanksOfAModel() {
        Random random = new Random(7);
        for (int members : new int[] {100, 2000}) {
            ZSetValue z = new ZSetValue();
            TreeMap<String, Double> scores = new TreeMap<>();
            for (int step = 0; step < 20 * members; step++) {
                String member = "m" + random.nextInt(members);
                byte[] b = member.getBytes(StandardCharsets.US_ASCII);
                if (random.nextInt(3) == 0) {
                    assertEquals(scores.remove(member) != null, z.remove(b, 0, b.length));
                } else {
                    double score = random.nextInt(50);
                    assertEquals(scores.put(member, score) == null, z.put(b, score));
                }
            }
            List<String> order = new ArrayList<>(scores.keySet());
            order.sort((x, y) -> ZTree.compare(scores.get(x), x.getBytes(StandardCharsets.US_ASCII), scores.get(y),
                    y.getBytes(StandardCharsets.US_ASCII)));
            assertEquals(order.size(), z.size());
            assertEquals(members > 128 ? "skiplist" : "listpack", z.encoding());
            List<String> visited = new ArrayList<>();
            z.forEach((member, score) -> visited.add(new String(member, StandardCharsets.US_ASCII)));
            assertEquals(order, visited);
            for (int rank = 0; rank < order.size(); rank++) {
                byte[] b = order.get(rank).getBytes(StandardCharsets.US_ASCII);
                assertEquals(rank, z.rank(b, 0, b.length));
                int expected = rank;
                z.visit(rank, 1, false, (member, score) -> assertEquals(order.get(expected), new String(member, StandardCharsets.US_ASCII)));
            }
            for (int bound = -1; bound <= 50; bound++) {
                double limit = bound;
                long below = scores.values().stream().filter(v -> v < limit).count();
                assertEquals(below, z.countBefore((score, member) -> score < limit));
            }
            List<String> reversed = new ArrayList<>();
            z.visit(z.size() - 1, z.size(), true, (member, score) -> reversed.add(new String(member, StandardCharsets.US_ASCII)));
            java.util.Collections.reverse(reversed);
            assertEquals(order, reversed);
        }
    }

    /** A set of {@code members} as the set type holds one: ZUNION & co. read it through {@link SetMembers}. */
    private static SetValue set(String... members) {
        SetValue set = new SetValue();
        for (String m : members) {
            set.add(m.getBytes(StandardCharsets.UTF_8), new Request());
        }
        return set;
    }

    private static String combined(Object[] inputs, String... args) {
        StringBuilder all = new StringBuilder();
        Request r = new Request();
        for (String arg : args) {
            all.append(arg);
        }
        r.reset(all.toString().getBytes(StandardCharsets.UTF_8));
        int at = 0;
        for (String arg : args) {
            r.add(at, arg.length());
            at += arg.length();
        }
        Command command = Command.valueOf(args[0]);
        ReplyWriter out = new ReplyWriter(64);
        ZSetAlgebra.Outcome outcome = ZSetAlgebra.combine(command, r, inputs, out);
        if (outcome != null && command == Command.ZINTERCARD) {
            out.integer(outcome.cardinality());
        } else if (outcome != null) {
            ZSetAlgebra.members(outcome.result(), 0, outcome.result().size(), false, outcome.withScores(), out);
        }
        return new String(out.bytes(), 0, out.size(), StandardCharsets.UTF_8).replace("\r\n", " ").trim();
    }

    /** Sets in ZUNION, ZINTER, ZDIFF and ZINTERCARD count as members of score 1, as in Redis. */
    @Test
    void setsCountAsMembersOfScoreOne() {
        ZSetValue z = new ZSetValue();
        z.put("a".getBytes(StandardCharsets.UTF_8), 2);
        z.put("b".getBytes(StandardCharsets.UTF_8), 3);
        Object[] inputs = {z, set("b", "c")};
        assertEquals("*6 $1 c $1 1 $1 a $1 2 $1 b $1 4", combined(inputs, "ZUNION", "2", "z", "s", "WITHSCORES"));
        assertEquals("*2 $1 b $2 13", combined(inputs, "ZINTER", "2", "z", "s", "WEIGHTS", "1", "10", "WITHSCORES"));
        assertEquals("*1 $1 a", combined(inputs, "ZDIFF", "2", "z", "s"));
        assertEquals("*1 $1 c", combined(new Object[] {inputs[1], z}, "ZDIFF", "2", "s", "z"));
        assertEquals(":1", combined(inputs, "ZINTERCARD", "2", "z", "s"));
        assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value",
                combined(new Object[] {z, ZSetAlgebra.WRONG_TYPE}, "ZUNION", "2", "z", "s"));
    }

    /** Commands whose replies redis-server 7.0 gives the same on every run (no random choice, no big ZSCAN cursor). */
    private static final String[][] SCRIPT = {
        {"ZADD", "z", "1", "a", "2", "b", "3", "c", "1.1", "d", "-0", "e", "1e-5", "f", "123456789012345678", "g"},
        {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZADD", "z", "0x10", "h", "-inf", "i", "+inf", "j", "4e-320", "k"},
        {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZADD", "z", "1e400", "q"}, {"ZADD", "z", "1e-400", "q"},
        {"ZADD", "z", " 1", "q"}, {"ZADD", "z", "1 ", "q"}, {"ZADD", "z", "", "q"}, {"ZADD", "z", "1e", "q"},
        {"ZADD", "z", "inF", "q"}, {"ZADD", "z", "-Infinity", "q2"}, {"ZADD", "z", "nan", "q"}, {"ZADD", "z", ".5", "q3"},
        {"ZADD", "z", "5.", "q4"}, {"ZADD", "z", "0x1p-2", "q5"}, {"ZADD", "z", "1.7976931348623157e308", "q6"},
        {"ZADD", "z", "0.1", "q7"}, {"ZADD", "z", "100", "q8"}, {"ZADD", "z", "1e16", "q9"}, {"ZADD", "z", "1e17", "q10"},
        {"ZADD", "z", "0.0001", "q11"}, {"ZADD", "z", "0.00001", "q12"}, {"ZADD", "z", "-2.5e-7", "q13"},
        {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZSCAN", "z", "0"}, {"ZCARD", "z"}, {"OBJECT", "ENCODING", "z"},
        {"ZINCRBY", "z", "-inf", "j"}, {"ZINCRBY", "z", "1", "nokeymember"}, {"ZINCRBY", "z", "x", "a"},
        {"ZINCRBY", "z", "0.2", "a"}, {"ZINCRBY", "z", "0.1", "a"}, {"ZADD", "z", "INCR", "1", "a", "2", "b"},
        {"ZADD", "z", "XX", "INCR", "1", "zz"}, {"ZADD", "z", "GT", "INCR", "-1", "a"}, {"ZADD", "z", "LT", "CH", "0", "a", "9", "b"},
        {"ZADD", "z", "NX", "XX", "1", "a"}, {"ZADD", "z", "NX", "GT", "1", "a"}, {"ZADD", "z", "CH", "GT", "10", "a", "11", "new"},
        {"ZADD", "z", "1"}, {"ZADD", "z", "1", "a", "2"}, {"ZADD", "z", "foo", "1", "a"}, {"ZADD", "absent", "XX", "1", "a"},
        {"ZADD", "absent", "XX", "INCR", "1", "a"}, {"EXISTS", "absent"}, {"ZADD", "z", "0", "e"}, {"ZSCORE", "z", "e"},
        {"ZSCORE", "z", "a"}, {"ZSCORE", "z", "none"}, {"ZSCORE", "none", "a"}, {"ZMSCORE", "z", "a", "none", "b"},
        {"ZMSCORE", "none", "a"}, {"ZRANK", "z", "a"}, {"ZREVRANK", "z", "a"}, {"ZRANK", "z", "none"}, {"ZRANK", "none", "a"},
        {"ZCOUNT", "z", "-inf", "+inf"}, {"ZCOUNT", "z", "(1", "3"}, {"ZCOUNT", "z", "1", "(1"}, {"ZCOUNT", "z", "x", "1"},
        {"ZCOUNT", "z", "", ""}, {"ZCOUNT", "z", " 1", "("}, {"ZCOUNT", "z", "(", "1e400"}, {"ZCOUNT", "none", "0", "1"},
        {"ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES", "LIMIT", "2", "3"}, {"ZRANGEBYSCORE", "z", "1", "3", "LIMIT", "-1", "3"},
        {"ZRANGEBYSCORE", "z", "1", "3", "LIMIT", "1", "-1"}, {"ZRANGEBYSCORE", "z", "1", "3", "LIMIT", "100", "1"},
        {"ZRANGEBYSCORE", "z", "1", "3", "LIMIT", "0"}, {"ZRANGEBYSCORE", "z", "1", "3", "FOO"}, {"ZRANGEBYSCORE", "z", "3", "1"},
        {"ZREVRANGEBYSCORE", "z", "3", "1", "WITHSCORES"}, {"ZREVRANGEBYSCORE", "z", "(3", "(1", "LIMIT", "1", "2"},
        {"ZRANGE", "z", "0", "2"}, {"ZRANGE", "z", "-3", "-1"}, {"ZRANGE", "z", "5", "2"}, {"ZRANGE", "z", "-100", "100"},
        {"ZRANGE", "z", "0", "-1", "REV"}, {"ZRANGE", "z", "1", "3", "REV", "WITHSCORES"}, {"ZRANGE", "z", "x", "1"},
        {"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"}, {"ZRANGE", "z", "0", "1", "LIMIT", "5", "-1"},
        {"ZRANGE", "z", "(1", "+inf", "BYSCORE", "LIMIT", "1", "2", "WITHSCORES"}, {"ZRANGE", "z", "+inf", "(1", "BYSCORE", "REV"},
        {"ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"}, {"ZRANGE", "z", "0", "1", "REV", "REV"}, {"ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"},
        {"ZRANGE", "z", "x", "y", "BYSCORE"}, {"ZRANGE", "z", "a", "b", "BYLEX"}, {"ZREVRANGE", "z", "0", "1", "REV"},
        {"ZREVRANGE", "z", "0", "1", "WITHSCORES"}, {"ZRANGE", "none", "0", "-1"}, {"ZRANGE", "none", "0", "-1", "FOO"},
        {"ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "f", "0", "g"},
        {"ZRANGEBYLEX", "lex", "-", "+"}, {"ZRANGEBYLEX", "lex", "[b", "(e"}, {"ZRANGEBYLEX", "lex", "(b", "[e", "LIMIT", "1", "2"},
        {"ZREVRANGEBYLEX", "lex", "+", "-"}, {"ZREVRANGEBYLEX", "lex", "[e", "(b"}, {"ZRANGEBYLEX", "lex", "+", "-"},
        {"ZRANGEBYLEX", "lex", "b", "e"}, {"ZRANGEBYLEX", "lex", "[b", "[b"}, {"ZRANGEBYLEX", "lex", "(b", "(b"},
        {"ZRANGEBYLEX", "lex", "-", "+", "WITHSCORES"}, {"ZRANGE", "lex", "[f", "[c", "BYLEX", "REV", "LIMIT", "0", "2"},
        {"ZLEXCOUNT", "lex", "-", "+"}, {"ZLEXCOUNT", "lex", "[c", "+"}, {"ZLEXCOUNT", "lex", "(c", "(d"}, {"ZLEXCOUNT", "lex", "c", "d"},
        {"ZLEXCOUNT", "lex", "", "+"}, {"ZREMRANGEBYLEX", "lex", "[f", "+"}, {"ZREMRANGEBYLEX", "lex", "x", "+"}, {"ZRANGE", "lex", "0", "-1"},
        {"ZREMRANGEBYRANK", "lex", "0", "1"}, {"ZREMRANGEBYRANK", "lex", "5", "1"}, {"ZREMRANGEBYRANK", "lex", "x", "1"},
        {"ZREMRANGEBYRANK", "lex", "-1", "-1"}, {"ZRANGE", "lex", "0", "-1"}, {"ZREMRANGEBYRANK", "lex", "0", "-1"}, {"EXISTS", "lex"},
        {"ZREMRANGEBYSCORE", "z", "(1", "2"}, {"ZREMRANGEBYSCORE", "z", "a", "2"}, {"ZREMRANGEBYSCORE", "none", "1", "2"},
        {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZREM", "z", "a", "none", "b"}, {"ZREM", "none", "a"}, {"ZREM", "z"},
        {"ZPOPMIN", "z"}, {"ZPOPMAX", "z", "2"}, {"ZPOPMIN", "z", "0"}, {"ZPOPMIN", "z", "-1"}, {"ZPOPMIN", "z", "x"},
        {"ZPOPMIN", "z", "1", "2"}, {"ZPOPMIN", "none"}, {"ZPOPMAX", "none", "3"},
        {"ZADD", "p1", "1", "a", "2", "b"}, {"ZADD", "p2", "3", "c"}, {"ZMPOP", "2", "none", "p1", "MIN"},
        {"ZMPOP", "2", "p1", "p2", "MAX", "COUNT", "5"}, {"ZMPOP", "2", "p1", "p2", "MIN", "COUNT", "5"}, {"ZMPOP", "2", "p1", "p2", "MIN"},
        {"ZMPOP", "0", "p1", "MIN"}, {"ZMPOP", "x", "p1", "MIN"}, {"ZMPOP", "1", "p1", "FOO"}, {"ZMPOP", "1", "p1", "MIN", "COUNT", "0"},
        {"ZMPOP", "1", "p1", "MIN", "COUNT"}, {"ZMPOP", "3", "p1", "MIN"}, {"ZMPOP", "1", "p1", "MIN", "COUNT", "1", "COUNT", "1"},
        {"SET", "str", "x"}, {"ZMPOP", "2", "none", "str", "MIN"}, {"ZADD", "str", "1", "a"}, {"ZSCORE", "str", "a"}, {"ZRANGE", "str", "0", "1"},
        {"ZCARD", "str"}, {"ZRANGE", "str", "x", "1"}, {"ZCOUNT", "str", "x", "1"}, {"ZCOUNT", "str", "0", "1"}, {"ZPOPMIN", "str"},
        {"ZRANDMEMBER", "str"}, {"ZSCAN", "str", "0"}, {"ZINCRBY", "str", "1", "a"}, {"ZREM", "str", "a"}, {"ZINCRBY", "str", "x", "a"},
        {"ZADD", "u1", "1", "a", "2", "b", "3", "c"}, {"ZADD", "u2", "10", "b", "20", "c", "30", "d"}, {"ZADD", "u3", "0.1", "c"},
        {"ZUNION", "2", "u1", "u2"}, {"ZUNION", "2", "u1", "u2", "WITHSCORES"}, {"ZINTER", "2", "u1", "u2", "WITHSCORES"},
        {"ZDIFF", "2", "u1", "u2", "WITHSCORES"}, {"ZDIFF", "2", "u2", "u1"}, {"ZUNION", "3", "u1", "u2", "u3", "WEIGHTS", "2", "0.5", "10", "WITHSCORES"},
        {"ZUNION", "2", "u1", "u2", "AGGREGATE", "MIN", "WITHSCORES"}, {"ZUNION", "2", "u1", "u2", "AGGREGATE", "MAX", "WITHSCORES"},
        {"ZINTER", "3", "u1", "u2", "u3", "AGGREGATE", "MAX", "WITHSCORES"}, {"ZINTER", "2", "u1", "none"}, {"ZUNION", "2", "none", "none2"},
        {"ZUNION", "2", "u1", "u2", "WEIGHTS", "1"}, {"ZUNION", "2", "u1", "u2", "WEIGHTS", "1", "x"}, {"ZUNION", "2", "u1", "u2", "AGGREGATE", "AVG"},
        {"ZDIFF", "2", "u1", "u2", "WEIGHTS", "1", "1"}, {"ZUNION", "0", "u1"}, {"ZUNION", "3", "u1", "u2"}, {"ZUNION", "x", "u1"},
        {"ZUNION", "2", "u1", "str"}, {"ZUNION", "2", "u1", "str", "FOO"}, {"ZUNION", "2", "u1", "u2", "FOO"},
        {"ZUNIONSTORE", "dst", "2", "u1", "u2"}, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"}, {"ZUNIONSTORE", "dst", "2", "u1", "u2", "WITHSCORES"},
        {"ZINTERSTORE", "dst", "2", "u1", "u2", "WEIGHTS", "-1", "2"}, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
        {"ZDIFFSTORE", "dst", "2", "u1", "u2"}, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"}, {"ZINTERSTORE", "dst", "2", "u1", "none"},
        {"EXISTS", "dst"}, {"ZUNIONSTORE", "str", "1", "u1"}, {"TYPE", "str"}, {"ZUNIONSTORE", "dst", "0", "u1"},
        {"ZADD", "inf1", "inf", "a", "-inf", "b"}, {"ZADD", "inf2", "-inf", "a", "inf", "b"},
        {"ZUNION", "2", "inf1", "inf2", "WITHSCORES"}, {"ZUNION", "2", "inf1", "inf2", "WEIGHTS", "0", "0", "WITHSCORES"},
        {"ZINTER", "2", "inf1", "inf2", "WITHSCORES"},
        {"ZINTERCARD", "2", "u1", "u2"}, {"ZINTERCARD", "2", "u1", "u2", "LIMIT", "1"}, {"ZINTERCARD", "2", "u1", "u2", "LIMIT", "-1"},
        {"ZINTERCARD", "0", "u1"}, {"ZINTERCARD", "1", "u1", "WITHSCORES"}, {"ZINTERCARD", "2", "u1", "str"},
        {"ZRANGESTORE", "rs", "u2", "0", "1"}, {"ZRANGE", "rs", "0", "-1", "WITHSCORES"}, {"ZRANGESTORE", "rs", "u2", "(10", "+inf", "BYSCORE", "LIMIT", "0", "1"},
        {"ZRANGE", "rs", "0", "-1", "WITHSCORES"}, {"ZRANGESTORE", "rs", "u2", "0", "1", "WITHSCORES"}, {"ZRANGESTORE", "rs", "none", "0", "1"},
        {"EXISTS", "rs"}, {"ZRANGESTORE", "rs", "str", "0", "1"}, {"ZRANGESTORE", "rs", "u2", "[a", "+", "BYLEX", "REV"},
        {"ZRANDMEMBER", "u1", "10"}, {"ZRANDMEMBER", "u1", "10", "WITHSCORES"}, {"ZRANDMEMBER", "u1", "0"}, {"ZRANDMEMBER", "none"},
        {"ZRANDMEMBER", "none", "5"}, {"ZRANDMEMBER", "u1", "x"}, {"ZRANDMEMBER", "u1", "1", "FOO"}, {"ZRANDMEMBER", "u1", "-9223372036854775808"},
        {"ZRANDMEMBER", "u1", "-9223372036854770000", "WITHSCORES"}, {"ZADD", "one", "5", "only"}, {"ZRANDMEMBER", "one"},
        {"ZRANDMEMBER", "one", "-2", "WITHSCORES"},
        {"ZSCAN", "u1", "0"}, {"ZSCAN", "u1", "0", "MATCH", "b*"}, {"ZSCAN", "u1", "x"}, {"ZSCAN", "none", "0"}, {"ZSCAN", "u1", "0", "COUNT", "0"},
        {"TYPE", "u1"}, {"OBJECT", "ENCODING", "u1"},
    };

    /** Commands on sets past the listpack's bounds (skiplists), added to {@link #SCRIPT}. */
    private static String[][] skiplistScript() {
        List<String> add = new ArrayList<>(List.of("ZADD", "big"));
        for (int i = 0; i < 150; i++) {
            add.add(Double.toString(i * 1.5));
            add.add("m" + i);
        }
        add.addAll(List.of("-0", "negzero", "1.2345678901234568e17", "huge"));
        List<String> full = new ArrayList<>(List.of("ZADD", "full"));
        for (int i = 0; i < 128; i++) {
            full.add(Integer.toString(i));
            full.add("f" + i);
        }
        return new String[][] {
            add.toArray(String[]::new), {"OBJECT", "ENCODING", "big"}, {"ZSCORE", "big", "negzero"}, {"ZRANGE", "big", "0", "3", "WITHSCORES"},
            {"ZRANK", "big", "m77"}, {"ZREVRANK", "big", "m77"}, {"ZRANGEBYSCORE", "big", "(100", "+inf", "LIMIT", "2", "3", "WITHSCORES"},
            {"ZREVRANGE", "big", "0", "2", "WITHSCORES"}, {"ZCOUNT", "big", "10", "(40"}, {"ZINCRBY", "big", "-0", "newzero"},
            {"ZSCORE", "big", "newzero"}, {"ZSCAN", "big", "0", "MATCH", "huge", "COUNT", "1000"},
            {"ZSCAN", "big", "0", "MATCH", "negzero", "COUNT", "1000"}, {"ZREMRANGEBYRANK", "big", "0", "9"}, {"ZPOPMAX", "big", "3"},
            {"ZRANGE", "big", "-2", "-1", "WITHSCORES"}, {"ZRANGESTORE", "bigdst", "big", "0", "199"}, {"OBJECT", "ENCODING", "bigdst"},
            {"ZRANGESTORE", "smalldst", "big", "0", "127"}, {"OBJECT", "ENCODING", "smalldst"}, {"ZRANGESTORE", "smalldst", "big", "0", "128"},
            {"OBJECT", "ENCODING", "smalldst"}, {"ZUNIONSTORE", "ub", "2", "big", "u1", "WEIGHTS", "2", "3"}, {"ZCARD", "ub"},
            {"ZRANGE", "ub", "0", "4", "WITHSCORES"}, {"OBJECT", "ENCODING", "ub"}, {"ZINTER", "2", "big", "smalldst", "AGGREGATE", "MIN"},
            {"ZREMRANGEBYSCORE", "big", "-inf", "100"}, {"ZCARD", "big"}, {"OBJECT", "ENCODING", "big"}, {"ZRANDMEMBER", "big", "500"},
            {"ZADD", "long", "1", "x".repeat(65)}, {"OBJECT", "ENCODING", "long"}, {"ZADD", "edge", "1", "x".repeat(64)},
            {"OBJECT", "ENCODING", "edge"}, {"ZMPOP", "2", "big", "long", "MAX", "COUNT", "2"},
            full.toArray(String[]::new), {"OBJECT", "ENCODING", "full"}, {"ZADD", "full", "-0", "f0"}, {"ZSCORE", "full", "f0"},
            {"ZADD", "full", "-0", "the129th"}, {"OBJECT", "ENCODING", "full"}, {"ZSCORE", "full", "the129th"}, {"ZSCORE", "full", "f0"},
        };
    }

    /** The script's replies from redis-server and from Atoll on 1 and 2 shards, in RESP2 then RESP3: all the same. */
    @Test
    void everyReplyIsRedisSOwn() throws Exception {
        String redisServer = KvRedisComparisonTest.onPath("redis-server");
        Assumptions.assumeTrue(redisServer != null, "redis-server is not installed: the comparison with Redis is skipped");
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedis(redisServer, port);
        try (KvTestServer one = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             KvTestServer two = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient a1 = one.client();
             RespClient a2 = two.client();
             RespClient r = KvRedisComparisonTest.connect(port)) {
            List<String> differences = new ArrayList<>();
            for (String protocol : new String[] {"2", "3"}) {
                for (RespClient client : List.of(r, a1, a2)) {
                    client.call("HELLO", protocol);
                    client.call("FLUSHALL");
                }
                for (String[] command : java.util.stream.Stream.concat(Arrays.stream(SCRIPT), Arrays.stream(skiplistScript()))
                        .toList()) {
                    Object expected = r.call(command);
                    for (RespClient atoll : List.of(a1, a2)) {
                        Object actual = atoll.call(command);
                        if (!String.valueOf(expected).equals(String.valueOf(actual))) {
                            differences.add("RESP" + protocol + (atoll == a1 ? ", 1 shard: " : ", 2 shards: ")
                                    + String.join(" ", command) + ": redis " + expected + ", atoll " + actual);
                        }
                    }
                }
            }
            r.call("HELLO", "2");
            a2.call("HELLO", "2");
            for (Command command : Command.values()) { // COMMAND INFO: name, arity, flags, first key, last key, step
                if (command.name().startsWith("Z")) {
                    List<?> expected = (List<?>) ((List<?>) r.call("COMMAND", "INFO", command.lowerName)).get(0);
                    List<?> actual = (List<?>) ((List<?>) a2.call("COMMAND", "INFO", command.lowerName)).get(0);
                    if (!expected.subList(0, 6).equals(actual.subList(0, 6))) {
                        differences.add("COMMAND INFO " + command.lowerName + ": redis " + expected.subList(0, 6)
                                + ", atoll " + actual.subList(0, 6));
                    }
                }
            }
            assertEquals(List.of(), differences);
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
