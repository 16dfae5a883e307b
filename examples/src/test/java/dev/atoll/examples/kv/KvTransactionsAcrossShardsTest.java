package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.atoll.examples.kv.KvTransactionsTest.keyOn;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Commands of several keys on several shards inside MULTI/EXEC (RENAME, COPY, MSETNX, LCS, LMOVE,
 * SMOVE, the set and sorted-set algebra and their STOREs, BITOP, PFCOUNT, PFMERGE, LMPOP, ZMPOP and
 * the blocking pops as their non-blocking forms): a script of replies checked against the literal
 * answers of redis-server 7.0.15 with one and two shards, and against a running redis-server when
 * one is installed; each command sees the effects of those before it in the same EXEC.
 */
class KvTransactionsAcrossShardsTest {
    private static final int SHARDS = 2;

    /** A key of shard {@code shard} of two, named after {@code name}. */
    private static String k(int shard, String name) {
        return keyOn(shard, name + "-");
    }

    private static final String S0 = k(0, "s"), S1 = k(1, "s"), R0 = k(0, "r"), R1 = k(1, "r"), C0 = k(0, "c");
    private static final String M0 = k(0, "m"), M1 = k(1, "m"), SET0 = k(0, "set"), SET1 = k(1, "set");
    private static final String D0 = k(0, "d"), D1 = k(1, "d"), Z0 = k(0, "z"), Z1 = k(1, "z"), ZD0 = k(0, "zd");
    private static final String L0 = k(0, "l"), L1 = k(1, "l"), LX = k(0, "lx"), ZX = k(0, "zx");
    private static final String H0 = k(0, "h"), H1 = k(1, "h"), HM1 = k(1, "hm"), HASH1 = k(1, "hash");

    /** One command and the reply Redis 7.0.15 gives (as String.valueOf of RespClient's). */
    private record Step(String[] command, String expected) {
    }

    private static Step s(String expected, String... command) {
        return new Step(command, expected);
    }

    private static final List<Step> SCRIPT = List.of(
            s("OK", "MSET", S0, "ohmytext", S1, "mynewtext"),
            s("6", "SADD", SET0, "1", "2", "3", "4", "5", "6"), s("3", "SADD", SET1, "4", "5", "6"),
            s("2", "ZADD", Z0, "1", "a", "2", "b"), s("2", "ZADD", Z1, "3", "b", "4", "c"),
            s("4", "RPUSH", L0, "w", "x", "y", "z"), s("1", "PFADD", H0, "a", "b", "c"), s("1", "PFADD", H1, "c", "d", "e"),
            s("1", "HSET", HASH1, "f", "v"),
            // keys and strings
            s("OK", "MULTI"), s("QUEUED", "RENAME", S0, R1), s("QUEUED", "GET", R1), s("QUEUED", "EXISTS", S0),
            s("QUEUED", "RENAMENX", R1, S1), s("QUEUED", "RENAMENX", R1, R0), s("QUEUED", "COPY", R0, C0),
            s("QUEUED", "COPY", S1, C0), s("QUEUED", "COPY", S1, C0, "REPLACE"), s("QUEUED", "MGET", R0, R1, C0),
            s("QUEUED", "RENAME", "nokey", R1), s("QUEUED", "COPY", "nokey", R1), s("QUEUED", "COPY", S1, C0, "BAD"),
            s("QUEUED", "MSETNX", M0, "1", M1, "2"), s("QUEUED", "MSETNX", M0, "x", k(1, "q"), "y"), s("QUEUED", "MGET", M0, M1),
            s("QUEUED", "LCS", R0, S1), s("QUEUED", "LCS", R0, S1, "LEN"), s("QUEUED", "LCS", R0, HASH1),
            s("QUEUED", "BITOP", "OR", D1, R0, S1), s("QUEUED", "STRLEN", D1), s("QUEUED", "BITOP", "AND", D1, R0, HASH1),
            s("QUEUED", "PFCOUNT", H0, H1), s("QUEUED", "PFMERGE", HM1, H0, H1), s("QUEUED", "PFCOUNT", HM1),
            s("[OK, ohmytext, 0, 0, 1, 1, 0, 1, [ohmytext, null, mynewtext], "
                    + "Error[text=ERR no such key], 0, Error[text=ERR syntax error], 1, 0, [1, 2], mytext, "
                    + "6, Error[text=ERR The specified keys must contain string values], 9, 9, "
                    + "Error[text=WRONGTYPE Operation against a key holding the wrong kind of value], 5, "
                    + "OK, 5]",
                    "EXEC"),
            // sets
            s("OK", "MULTI"), s("QUEUED", "SMOVE", SET0, SET1, "1"), s("QUEUED", "SMOVE", SET0, SET1, "9"),
            s("QUEUED", "SMOVE", SET0, HASH1, "2"), s("QUEUED", "SMOVE", "nokey", HASH1, "2"), s("QUEUED", "SISMEMBER", SET1, "1"),
            s("QUEUED", "SINTER", SET0, SET1), s("QUEUED", "SUNION", SET0, SET1), s("QUEUED", "SDIFF", SET0, SET1),
            s("QUEUED", "SINTERCARD", "2", SET0, SET1), s("QUEUED", "SINTERCARD", "2", SET0, SET1, "LIMIT", "1"),
            s("QUEUED", "SINTERCARD", "0", SET0, SET1),
            s("QUEUED", "SUNIONSTORE", D0, SET0, SET1), s("QUEUED", "SCARD", D0), s("QUEUED", "SINTERSTORE", D1, SET0, SET1),
            s("QUEUED", "SMEMBERS", D1), s("QUEUED", "SDIFFSTORE", D0, SET1, SET0), s("QUEUED", "SMEMBERS", D0),
            s("QUEUED", "SINTER", SET0, HASH1),
            s("[1, 0, "
                    + "Error[text=WRONGTYPE Operation against a key holding the wrong kind of value], 0, 1, "
                    + "[4, 5, 6], [1, 2, 3, 4, 5, 6], [2, 3], 3, 1, "
                    + "Error[text=ERR numkeys should be greater than 0], 6, 6, 3, [4, 5, 6], 1, [1], "
                    + "Error[text=WRONGTYPE Operation against a key holding the wrong kind of value]]",
                    "EXEC"),
            // sorted sets
            s("OK", "MULTI"), s("QUEUED", "ZUNIONSTORE", ZD0, "2", Z0, Z1), s("QUEUED", "ZRANGE", ZD0, "0", "-1", "WITHSCORES"),
            s("QUEUED", "ZINTER", "2", Z0, Z1, "WITHSCORES"), s("QUEUED", "ZUNION", "2", Z0, Z1, "AGGREGATE", "MAX"),
            s("QUEUED", "ZDIFF", "2", Z0, Z1), s("QUEUED", "ZINTERCARD", "2", Z0, Z1), s("QUEUED", "ZINTERSTORE", D1, "2", Z0, SET1),
            s("QUEUED", "ZDIFFSTORE", D1, "2", Z0, Z1), s("QUEUED", "ZRANGE", D1, "0", "-1"),
            s("QUEUED", "ZRANGESTORE", D1, ZD0, "1", "2"), s("QUEUED", "ZRANGE", D1, "0", "-1"),
            s("QUEUED", "ZUNIONSTORE", D1, "0", Z0), s("QUEUED", "ZUNION", "2", Z0, HASH1),
            s("QUEUED", "ZMPOP", "2", ZX, Z1, "MIN"), s("QUEUED", "ZMPOP", "2", ZX, HASH1, "MAX"),
            s("QUEUED", "BZPOPMIN", ZX, Z1, "0"), s("QUEUED", "BZPOPMAX", ZX, Z0, "0"), s("QUEUED", "BZMPOP", "0", "2", ZX, ZD0, "MAX", "COUNT", "2"),
            s("QUEUED", "BZPOPMIN", ZX, Z1, "0"), s("QUEUED", "BZMPOP", "0", "1", ZX, "MIN"),
            s("[3, [a, 1, c, 4, b, 5], [b, 5], [a, b, c], [a], 1, 0, 1, [a], 2, [c, b], "
                    + "Error[text=ERR at least 1 input key is needed for 'zunionstore' command], "
                    + "Error[text=WRONGTYPE Operation against a key holding the wrong kind of value], [" + Z1 + ", "
                    + "[[b, 3]]], "
                    + "Error[text=WRONGTYPE Operation against a key holding the wrong kind of value], [" + Z1 + ", "
                    + "c, 4], [" + Z0 + ", b, 2], [" + ZD0 + ", [[b, 5], [c, 4]]], null, null]",
                    "EXEC"),
            // lists
            s("OK", "MULTI"), s("QUEUED", "LMOVE", L0, L1, "LEFT", "RIGHT"), s("QUEUED", "RPOPLPUSH", L0, L1),
            s("QUEUED", "LRANGE", L1, "0", "-1"), s("QUEUED", "LRANGE", L0, "0", "-1"), s("QUEUED", "LMOVE", L0, HASH1, "LEFT", "LEFT"),
            s("QUEUED", "LMOVE", "nokey", HASH1, "LEFT", "LEFT"), s("QUEUED", "LMOVE", L0, L1, "UP", "LEFT"),
            s("QUEUED", "BLMOVE", L1, L0, "RIGHT", "LEFT", "0"), s("QUEUED", "BRPOPLPUSH", L1, L0, "0"),
            s("QUEUED", "LMPOP", "2", LX, L1, "LEFT", "COUNT", "2"), s("QUEUED", "BLPOP", LX, L0, "0"),
            s("QUEUED", "BRPOP", LX, L0, "0"), s("QUEUED", "BLMPOP", "0", "2", LX, L1, "RIGHT"),
            s("QUEUED", "LMPOP", "2", LX, HASH1, "LEFT"), s("QUEUED", "BLPOP", LX, L0, "-1"),
            s("QUEUED", "BLPOP", LX, L0, "0"), s("QUEUED", "BLMOVE", LX, L1, "LEFT", "LEFT", "0"), s("QUEUED", "BLMPOP", "0", "1", LX, "LEFT"),
            s("QUEUED", "LRANGE", L1, "0", "-1"),
            s("[w, z, [z, w], [x, y], "
                    + "Error[text=WRONGTYPE Operation against a key holding the wrong kind of value], null, "
                    + "Error[text=ERR syntax error], w, z, null, [" + L0 + ", z], [" + L0 + ", y], null, "
                    + "Error[text=WRONGTYPE Operation against a key holding the wrong kind of value], "
                    + "Error[text=ERR timeout is negative], [" + L0 + ", w], null, null, []]",
                    "EXEC"),
            s("[ohmytext, null, mynewtext, null, mynewtext, 1, 2, null]",
                    "MGET", R0, R1, C0, S0, S1, M0, M1, D1));

    private static List<String> run(RespClient c, List<String> replies) throws Exception {
        List<String> differences = new ArrayList<>();
        for (Step step : SCRIPT) {
            String actual = String.valueOf(c.call(step.command));
            replies.add(actual);
            if (!actual.equals(step.expected)) {
                differences.add(String.join(" ", step.command) + ": expected " + step.expected + ", got " + actual);
            }
        }
        return differences;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void repliesAreRedisSOwn(int shards) throws Exception {
        try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO,
                KvTestServer.settings(null, KvSettings.FsyncPolicy.NO)); RespClient c = server.client()) {
            assertEquals(List.of(), run(c, new ArrayList<>()));
        }
    }

    @Test
    void theScriptIsWhatRedisServerAnswers() throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedisServer(port);
        try (RespClient c = KvRedisComparisonTest.connect(port)) {
            List<String> replies = new ArrayList<>();
            run(c, replies);
            List<String> differences = new ArrayList<>();
            for (int i = 0; i < SCRIPT.size(); i++) {
                if (!replies.get(i).equals(SCRIPT.get(i).expected)) {
                    differences.add(String.join(" ", SCRIPT.get(i).command) + ": script says " + SCRIPT.get(i).expected
                            + ", redis " + replies.get(i));
                }
            }
            assertEquals(List.of(), differences);
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
