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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Commands of several keys on several shards inside MULTI/EXEC (RENAME, COPY, MSETNX, LCS, LMOVE,
 * SMOVE, the set and sorted-set algebra and their STOREs, BITOP, PFCOUNT, PFMERGE, SORT ... STORE,
 * LMPOP, ZMPOP and the blocking pops as their non-blocking forms): a script of replies checked against the literal
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
            s("QUEUED", "LRANGE", L1, "0", "-1"), s("QUEUED", "RPUSH", L1, "3", "1", "2"),
            s("QUEUED", "SORT", L1, "STORE", D0), s("QUEUED", "LRANGE", D0, "0", "-1"),
            s("QUEUED", "SORT", L1, "DESC", "LIMIT", "0", "1", "STORE", D0), s("QUEUED", "LRANGE", D0, "0", "-1"),
            s("QUEUED", "SORT", HASH1, "STORE", D0), s("QUEUED", "SORT", L1, "ASC", "BAD", "STORE", D0),
            s("[w, z, [z, w], [x, y], "
                    + "Error[text=WRONGTYPE Operation against a key holding the wrong kind of value], null, "
                    + "Error[text=ERR syntax error], w, z, null, [" + L0 + ", z], [" + L0 + ", y], null, "
                    + "Error[text=WRONGTYPE Operation against a key holding the wrong kind of value], "
                    + "Error[text=ERR timeout is negative], [" + L0 + ", w], null, null, [], 3, 3, [1, 2, 3], 1, [3], "
                    + "Error[text=WRONGTYPE Operation against a key holding the wrong kind of value], "
                    + "Error[text=ERR syntax error]]",
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

    /** A write across shards (alone or inside another EXEC) to a watched key is a change: the watcher's EXEC aborts. */
    @Test
    void aWriteAcrossShardsAbortsAWatchersExec() throws Exception {
        try (KvTestServer server = KvTestServer.start(SHARDS, DriverKind.AUTO,
                KvTestServer.settings(null, KvSettings.FsyncPolicy.NO)); RespClient c = server.client();
             RespClient other = server.client()) {
            other.call("SADD", SET0, "1", "2");
            other.call("SADD", SET1, "3");
            other.call("RPUSH", L0, "e");
            String[][] writes = {{"SUNIONSTORE", D0, SET0, SET1}, {"SMOVE", SET1, SET0, "3"}, {"LMOVE", L0, L1, "LEFT", "LEFT"},
                {"ZUNIONSTORE", ZD0, "1", SET1}, {"RENAME", L1, L0}};
            String[] watched = {D0, SET0, L1, ZD0, L0};
            for (int i = 0; i < writes.length; i++) {
                assertEquals("OK", c.call("WATCH", watched[i]));
                if (i % 2 == 0) {
                    other.call(writes[i]);
                } else {
                    exec(other, writes[i]);
                }
                assertEquals("OK", c.call("MULTI"));
                assertEquals("QUEUED", c.call("PING"));
                assertEquals("null", String.valueOf(c.call("EXEC")), String.join(" ", writes[i]));
            }
        }
    }

    /** RESP3 (HELLO 3): the shapes of the replies inside EXEC (a set, doubles, null) as redis-server 7.0.15 gives them. */
    @Test
    void resp3Shapes() throws Exception {
        String expected = "[RespSet[elements=[2, 3]], [[a, Resp3Double[text=3]], [b, Resp3Double[text=3]]], [" + Z0
                + ", [[a, Resp3Double[text=1]]]], [" + Z1 + ", a, Resp3Double[text=2]], RESP3_NULL]";
        try (KvTestServer server = KvTestServer.start(SHARDS, DriverKind.AUTO,
                KvTestServer.settings(null, KvSettings.FsyncPolicy.NO)); RespClient c = server.client()) {
            assertEquals(expected, resp3Script(c));
        }
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedisServer(port);
        try (RespClient c = KvRedisComparisonTest.connect(port)) {
            assertEquals(expected, resp3Script(c));
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String resp3Script(RespClient c) throws Exception {
        c.call("HELLO", "3");
        c.call("SADD", SET0, "1", "2", "3");
        c.call("SADD", SET1, "2", "3", "4");
        c.call("ZADD", Z0, "1", "a");
        c.call("ZADD", Z1, "2", "a", "3", "b");
        return String.valueOf(exec(c, new String[] {"SINTER", SET0, SET1}, new String[] {"ZUNION", "2", Z0, Z1, "WITHSCORES"},
                new String[] {"ZMPOP", "2", Z0, Z1, "MAX"}, new String[] {"BZPOPMIN", ZX, Z1, "0"},
                new String[] {"LMPOP", "1", LX, "LEFT"})).replace(String.valueOf(RespClient.RESP3_NULL), "RESP3_NULL");
    }

    /**
     * Moves between two shards inside MULTI — SMOVE, LMOVE and RENAME, from four clients in both
     * directions, with some moves alone too — while readers check, each with one atomic read across
     * the shards, that nothing is lost, duplicated or seen half moved: the two sets always hold the
     * same 20 members between them and share none, the two lists 10 elements, and exactly one of the
     * two names exists.
     */
    @Test
    void movesAcrossShardsAreNeverSeenHalfDone() throws Exception {
        String key0 = k(0, "key"), key1 = k(1, "key");
        try (KvTestServer server = KvTestServer.start(SHARDS, DriverKind.AUTO,
                KvTestServer.settings(null, KvSettings.FsyncPolicy.NO)); RespClient setup = server.client()) {
            for (int i = 0; i < 20; i++) {
                setup.call("SADD", i % 2 == 0 ? SET0 : SET1, "m" + i);
            }
            for (int i = 0; i < 10; i++) {
                setup.call("RPUSH", i % 2 == 0 ? L0 : L1, "e" + i);
            }
            setup.call("SET", key0, "v");
            java.util.concurrent.ConcurrentLinkedQueue<String> problems = new java.util.concurrent.ConcurrentLinkedQueue<>();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            List<Thread> movers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                movers.add(Thread.ofPlatform().start(() -> work(server, problems, c -> {
                    java.util.Random random = new java.util.Random(seed);
                    for (int i = 0; i < 1500 && System.nanoTime() < deadline; i++) {
                        boolean right = random.nextBoolean();
                        String member = "m" + random.nextInt(20);
                        String[] smove = {"SMOVE", right ? SET0 : SET1, right ? SET1 : SET0, member};
                        String[] lmove = {"LMOVE", right ? L0 : L1, right ? L1 : L0, "LEFT", "RIGHT"};
                        String[] rename = {"RENAME", right ? key0 : key1, right ? key1 : key0};
                        if (i % 5 == 4) {
                            c.call(smove);
                            c.call(lmove);
                        } else {
                            exec(c, smove, lmove, rename);
                        }
                    }
                })));
            }
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                readers.add(Thread.ofPlatform().start(() -> work(server, problems, c -> {
                    while (!stop.get() && reads.get() < 200_000) {
                        List<?> r = exec(c, new String[] {"SCARD", SET0}, new String[] {"SCARD", SET1},
                                new String[] {"LLEN", L0}, new String[] {"LLEN", L1}, new String[] {"EXISTS", key0, key1});
                        long sets = (Long) r.get(0) + (Long) r.get(1);
                        long lists = (Long) r.get(2) + (Long) r.get(3);
                        if (sets != 20 || lists != 10 || (Long) r.get(4) != 1) {
                            problems.add("EXEC read " + r);
                        }
                        Object common = c.call("SINTERCARD", "2", SET0, SET1);
                        List<?> union = (List<?>) c.call("SUNION", SET0, SET1);
                        if (!Long.valueOf(0).equals(common) || union.size() != 20) {
                            problems.add("SINTERCARD " + common + ", SUNION of " + union.size());
                        }
                        reads.incrementAndGet();
                    }
                })));
            }
            for (Thread t : movers) {
                t.join(60_000);
            }
            stop.set(true);
            for (Thread t : readers) {
                t.join(60_000);
            }
            assertTrue(reads.get() > 50, "readers read " + reads.get() + " times");
            assertEquals(List.of(), List.copyOf(problems).subList(0, Math.min(5, problems.size())), "seen half moved");
            assertEquals(20L, (Long) setup.call("SCARD", SET0) + (Long) setup.call("SCARD", SET1));
            assertEquals(10L, (Long) setup.call("LLEN", L0) + (Long) setup.call("LLEN", L1));
            assertEquals(1L, setup.call("EXISTS", key0, key1));
            assertEquals("0,0", lockedKeys(setup), "no lock is left");
        }
    }

    /**
     * A client blocked on a list that a transaction pushes to across shards is served once the whole
     * EXEC ran, as in Redis: the transaction's next command still sees the element.
     */
    @Test
    void aBlockedClientIsServedAfterTheTransaction() throws Exception {
        try (KvTestServer server = KvTestServer.start(SHARDS, DriverKind.AUTO,
                KvTestServer.settings(null, KvSettings.FsyncPolicy.NO)); RespClient c = server.client();
             RespClient blocked = server.client()) {
            c.call("RPUSH", L0, "e");
            blocked.send("BLPOP", L1, "10");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!((String) c.call("INFO", "clients")).contains("blocked_clients:1")) {
                assertTrue(System.nanoTime() < deadline, "the BLPOP never blocked");
                Thread.sleep(5);
            }
            assertEquals(List.of("e", 1L, List.of("e")), exec(c, new String[] {"LMOVE", L0, L1, "LEFT", "RIGHT"},
                    new String[] {"LLEN", L1}, new String[] {"LRANGE", L1, "0", "-1"}));
            assertEquals(List.of(L1, "e"), blocked.read());
            assertEquals(0L, c.call("LLEN", L1));
        }
    }

    /**
     * Under {@code appendfsync always}, what cross-shard commands did inside MULTI is in the logs:
     * after a restart with one shard, and with two, the keys are as they were.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aRestartReplaysThem(int shardsAfter, @TempDir Path dir) throws Exception {
        List<String[]> reads = List.of(new String[] {"MGET", R1, S0, C0, M0, M1, D1},
                new String[] {"SMEMBERS", SET1}, new String[] {"SMEMBERS", D0}, new String[] {"ZRANGE", ZD0, "0", "-1", "WITHSCORES"},
                new String[] {"LRANGE", L1, "0", "-1"}, new String[] {"LRANGE", L0, "0", "-1"}, new String[] {"PFCOUNT", HM1},
                new String[] {"ZRANGE", Z1, "0", "-1"}, new String[] {"TTL", R1});
        List<Object> before = new ArrayList<>();
        try (KvTestServer server = KvTestServer.start(SHARDS, DriverKind.AUTO,
                KvTestServer.settings(dir, KvSettings.FsyncPolicy.ALWAYS)); RespClient c = server.client()) {
            c.call("MSET", S0, "ohmytext", S1, "mynewtext");
            c.call("EXPIRE", S0, "1000");
            c.call("SADD", SET0, "1", "2", "3");
            c.call("SADD", SET1, "3", "4");
            c.call("ZADD", Z0, "1", "a", "2", "b");
            c.call("ZADD", Z1, "3", "b", "4", "c");
            c.call("RPUSH", L0, "w", "x", "y");
            c.call("PFADD", H0, "a", "b");
            c.call("PFADD", H1, "c");
            List<?> replies = exec(c, new String[] {"RENAME", S0, R1}, new String[] {"COPY", S1, C0},
                    new String[] {"MSETNX", M0, "1", M1, "2"}, new String[] {"BITOP", "OR", D1, R1, S1},
                    new String[] {"SMOVE", SET0, SET1, "1"}, new String[] {"SUNIONSTORE", D0, SET0, SET1},
                    new String[] {"ZUNIONSTORE", ZD0, "2", Z0, Z1}, new String[] {"LMOVE", L0, L1, "LEFT", "LEFT"},
                    new String[] {"BLMOVE", L0, L1, "LEFT", "LEFT", "0"}, new String[] {"PFMERGE", HM1, H0, H1},
                    new String[] {"ZMPOP", "2", ZX, Z1, "MIN"}, new String[] {"LMPOP", "2", LX, L0, "RIGHT"});
            assertEquals("[OK, 1, 1, 9, 1, 4, 3, w, x, OK, [" + Z1 + ", [[b, 3]]], [" + L0 + ", [y]]]", String.valueOf(replies));
            for (String[] read : reads) {
                before.add(c.call(read));
            }
        }
        try (KvTestServer server = KvTestServer.start(shardsAfter, DriverKind.AUTO,
                KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO)); RespClient c = server.client()) {
            List<Object> after = new ArrayList<>();
            for (String[] read : reads) {
                after.add(c.call(read));
            }
            long ttlBefore = (Long) before.remove(before.size() - 1);
            long ttlAfter = (Long) after.remove(after.size() - 1);
            assertEquals(before, after);
            assertTrue(ttlBefore > 900 && ttlAfter > 900 && ttlAfter <= ttlBefore, ttlBefore + " then " + ttlAfter);
        }
    }

    /** Every shard's count of locked keys (INFO shards), joined by commas. */
    private static String lockedKeys(RespClient c) throws Exception {
        List<String> values = new ArrayList<>();
        for (String line : ((String) c.call("INFO", "shards")).split("\r\n")) {
            int at = line.indexOf(",locked_keys=");
            if (at >= 0) {
                int end = line.indexOf(',', at + 1);
                values.add(line.substring(at + 13, end < 0 ? line.length() : end));
            }
        }
        return String.join(",", values);
    }

    /** Pipelines MULTI, {@code commands} and EXEC, checks every command was queued, and returns EXEC's reply. */
    private static List<?> exec(RespClient c, String[]... commands) throws Exception {
        c.send("MULTI");
        for (String[] command : commands) {
            c.send(command);
        }
        c.send("EXEC");
        assertEquals("OK", c.read());
        for (int k = 0; k < commands.length; k++) {
            assertEquals("QUEUED", c.read());
        }
        return (List<?>) c.read();
    }

    private interface ClientWork {
        void run(RespClient c) throws Exception;
    }

    private static void work(KvTestServer server, java.util.Queue<String> problems, ClientWork work) {
        try (RespClient c = server.client()) {
            work.run(c);
        } catch (Throwable e) {
            problems.add(String.valueOf(e));
        }
    }
}
