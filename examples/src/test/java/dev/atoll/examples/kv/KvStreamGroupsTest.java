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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams' consumer groups (issue 18) against what redis-server 7.0.15 answered
 * ({@code kv/stream-group-replies.txt}): XGROUP's subcommands and every error in Redis's order,
 * XREADGROUP with {@code >}, history IDs, COUNT and NOACK, XACK, XPENDING's summary, XINFO GROUPS with
 * entries-read and lag (also nil, after deletions), XDEL keeping pending entries, XCLAIM and XAUTOCLAIM;
 * on 1 and 2 shards, in RESP2 and RESP3. Time-dependent fields (idle, delivery and seen times) are
 * checked apart, within a tolerance; XREADGROUP BLOCK woken from another shard; persistence across
 * restarts with another shard count and a rewrite; what a read and its acknowledgement allocate.
 */
class KvStreamGroupsTest extends RecordedScriptTest {
    /** Two keys on one shard of 2, for XREADGROUP of several streams. */
    private static final String S = KvListsTest.keyOn(0, 2, "s");
    private static final String T = KvListsTest.keyOn(0, 2, "t");
    private static final RecordedScript SCRIPT = new RecordedScript("/kv/stream-group-replies.txt", steps());

    @Override
    RecordedScript script() {
        return SCRIPT;
    }

    static List<List<String>> steps() {
        return List.of(
                // XGROUP
                step("XGROUP", "HELP"), step("XGROUP", "CREATE", S, "g", "0"), step("XADD", S, "1-1", "a", "1"),
                step("XADD", S, "2-1", "b", "2"), step("XADD", S, "3-1", "c", "3"), step("XGROUP", "CREATE", S, "g", "0"),
                step("XGROUP", "create", S, "g", "0"), step("XGROUP", "CREATE", S, "dollar", "$"),
                step("XGROUP", "CREATE", S, "er", "1-1", "ENTRIESREAD", "1"), step("XGROUP", "CREATE", S, "x", "0", "ENTRIESREAD", "-2"),
                step("XGROUP", "CREATE", S, "x", "0", "ENTRIESREAD", "y"), step("XGROUP", "CREATE", S, "x", "0", "ENTRIESREAD"),
                step("XGROUP", "CREATE", S, "x", "0", "foo"), step("XGROUP", "CREATE", S, "x", "0", "MKSTREAM", "MKSTREAM", "MKSTREAM", "MKSTREAM"),
                step("XGROUP", "CREATE", S, "x", "-"), step("XGROUP", "CREATE", S, "x", "(1"), step("XGROUP", "CREATE", S, "x", "y"),
                step("XGROUP", "CREATE", "nokey", "x", "0"), step("XGROUP", "CREATE", "nokey", "x", "y"),
                step("XGROUP", "CREATE", "nokey", "x", "0", "ENTRIESREAD", "y"), step("XGROUP", "CREATE", "mk", "g", "$", "MKSTREAM"),
                step("XINFO", "STREAM", "mk"), step("XINFO", "GROUPS", "mk"), step("TYPE", "mk"),
                step("SET", "str", "x"), step("XGROUP", "CREATE", "str", "g", "0"), step("XGROUP", "CREATE", "str", "g", "0", "MKSTREAM"),
                step("XGROUP", "DESTROY", "str", "g"), step("XGROUP", "CREATECONSUMER", "str", "g", "c"),
                step("XGROUP"), step("XGROUP", "CREATE", S), step("XGROUP", "CREATE", S, "g"), step("XGROUP", "foo", S, "g"),
                step("XGROUP", "HELP", "x"), step("XGROUP", "DESTROY", S), step("XGROUP", "DESTROY", S, "g", "x"),
                step("XGROUP", "SETID", S, "g", "0", "x"), step("XGROUP", "setid", S, "nog", "0", "x"),
                step("XGROUP", "SETID", S, "g", "0", "ENTRIESREAD", "x"), step("XGROUP", "SETID", S, "g", "0", "ENTRIESREAD", "-5"),
                step("XGROUP", "SETID", S, "g", "0", "FOO", "1"), step("XGROUP", "SETID", "nokey", "g", "0"),
                step("XGROUP", "SETID", S, "nog", "0"), step("XGROUP", "SETID", S, "nog", "x"), step("XGROUP", "SETID", S, "g", "x"),
                step("XGROUP", "SETID", S, "dollar", "-"), step("XGROUP", "SETID", S, "er", "+"),
                step("XGROUP", "SETID", S, "x9", "$", "ENTRIESREAD", "3"), step("XINFO", "GROUPS", S),
                step("XGROUP", "SETID", S, "er", "$", "ENTRIESREAD", "3"), step("XGROUP", "SETID", S, "dollar", "0"),
                step("XINFO", "GROUPS", S),
                step("XGROUP", "CREATECONSUMER", S, "nog", "c"), step("XGROUP", "CREATECONSUMER", "nokey", "g", "c"),
                step("XGROUP", "CREATECONSUMER", S, "g", "c1"), step("XGROUP", "CREATECONSUMER", S, "g", "c1"),
                step("XGROUP", "CREATECONSUMER", S, "g"), step("XGROUP", "DELCONSUMER", S, "g", "nope"),
                step("XGROUP", "DELCONSUMER", S, "nog", "c"), step("XGROUP", "DELCONSUMER", S, "g", "c1"),
                step("XGROUP", "DESTROY", S, "nog"), step("XGROUP", "DESTROY", "nokey", "g"), step("XGROUP", "DESTROY", S, "dollar"),
                step("XINFO", "STREAM", S),
                // XREADGROUP
                step("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", S, ">"),
                step("XREADGROUP", "GROUP", "g", "bob", "STREAMS", S, ">"),
                step("XREADGROUP", "GROUP", "g", "bob", "STREAMS", S, ">"),
                step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", S, "0"),
                step("XREADGROUP", "GROUP", "g", "bob", "STREAMS", S, "0"),
                step("XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", S, "2-1"),
                step("XREADGROUP", "GROUP", "g", "carol", "STREAMS", S, "0"),
                step("XINFO", "GROUPS", S), step("XPENDING", S, "g"),
                step("XADD", T, "5-5", "t", "1"), step("XGROUP", "CREATE", T, "g", "0"),
                step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", S, T, ">", ">"),
                step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", S, T, "0", ">"),
                step("XREADGROUP", "GROUP", "g", "alice", "NOACK", "STREAMS", T, ">"),
                step("XADD", T, "6-6", "t", "2"), step("XREADGROUP", "GROUP", "g", "dave", "NOACK", "STREAMS", T, ">"),
                step("XPENDING", T, "g"), step("XINFO", "GROUPS", T),
                step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", S, "$"), step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", S, "x"),
                step("XREADGROUP", "GROUP", "nog", "alice", "STREAMS", S, ">"), step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "nokey", ">"),
                step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "str", ">"), step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", S),
                step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", S, T, ">"), step("XREADGROUP", "STREAMS", S, ">"),
                step("XREADGROUP", "GROUP", "g", "alice", "COUNT", "x", "STREAMS", S, ">"),
                step("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "x", "STREAMS", S, ">"),
                step("XREADGROUP", "GROUP", "g", "alice", "foo", "STREAMS", S, ">"), step("XREADGROUP", "GROUP", "g", "STREAMS", S, ">"),
                step("XREADGROUP", "GROUP", "g", "alice", "COUNT", "-3", "STREAMS", S, "0"),
                step("XREAD", "GROUP", "g", "alice", "STREAMS", S, ">"), step("XREAD", "NOACK", "STREAMS", S, ">"),
                // XDEL keeps pending entries; history shows them with a null
                step("XDEL", S, "2-1"), step("XREADGROUP", "GROUP", "g", "bob", "STREAMS", S, "0"), step("XPENDING", S, "g"),
                step("XINFO", "GROUPS", S),
                // XACK
                step("XACK", S, "g", "1-1", "2-1", "9-9"), step("XACK", S, "g", "1-1"), step("XACK", S, "g", "x"),
                step("XACK", S, "g", "3-1", "x"), step("XACK", S, "nog", "3-1"), step("XACK", "nokey", "g", "3-1"),
                step("XACK", "str", "g", "1"), step("XACK", S, "g"), step("XPENDING", S, "g"),
                step("XACK", S, "g", "3-1"), step("XPENDING", S, "g"),
                // XPENDING's errors and empty forms
                step("XPENDING", S, "nog"), step("XPENDING", "nokey", "g"), step("XPENDING", "str", "g"),
                step("XPENDING", S, "g", "-", "+"), step("XPENDING", S, "g", "-", "+", "x"),
                step("XPENDING", S, "g", "IDLE", "x", "-", "+", "1"), step("XPENDING", S, "g", "IDLE", "10", "-", "+"),
                step("XPENDING", S, "g", "x", "+", "1"), step("XPENDING", S, "g", "(-", "+", "1"),
                step("XPENDING", S, "g", "-", "+", "10"), step("XPENDING", S, "g", "-", "+", "10", "nobody"),
                step("XPENDING", S, "g", "-", "+", "1", "a", "b", "c", "d"), step("XPENDING", "nokey", "g", "x", "+", "1"),
                step("XPENDING", S, "g", "IDLE", "99999999", "-", "+", "10", "bob"),
                step("XPENDING", T, "g", "IDLE", "99999999", "-", "+", "10"),
                // lag: deletions make it unknowable; a trim past them known again
                step("XADD", "lag", "1-0", "f", "v"), step("XADD", "lag", "2-0", "f", "v"), step("XADD", "lag", "3-0", "f", "v"),
                step("XADD", "lag", "4-0", "f", "v"), step("XGROUP", "CREATE", "lag", "g", "0"), step("XGROUP", "CREATE", "lag", "h", "$"),
                step("XINFO", "GROUPS", "lag"), step("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "lag", ">"),
                step("XINFO", "GROUPS", "lag"), step("XDEL", "lag", "3-0"), step("XINFO", "GROUPS", "lag"),
                step("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "lag", ">"), step("XINFO", "GROUPS", "lag"),
                step("XREADGROUP", "GROUP", "g", "c", "STREAMS", "lag", ">"), step("XINFO", "GROUPS", "lag"),
                step("XADD", "lag", "5-0", "f", "v"), step("XINFO", "GROUPS", "lag"), step("XTRIM", "lag", "MAXLEN", "1"),
                step("XINFO", "GROUPS", "lag"), step("XGROUP", "SETID", "lag", "g", "0"), step("XINFO", "GROUPS", "lag"),
                step("XGROUP", "SETID", "lag", "g", "9-0"), step("XINFO", "GROUPS", "lag"),
                step("XGROUP", "CREATE", "lag", "first", "1-0"), step("XINFO", "GROUPS", "lag"),
                step("XDEL", "lag", "5-0"), step("XINFO", "GROUPS", "lag"), step("XREADGROUP", "GROUP", "g", "c", "STREAMS", "lag", "0"),
                // XINFO CONSUMERS' errors, a destroyed group's pending entries, DEL drops the groups
                step("XINFO", "CONSUMERS", S, "nog"), step("XINFO", "CONSUMERS", "nokey", "g"), step("XINFO", "CONSUMERS", S),
                step("XGROUP", "DELCONSUMER", T, "g", "alice"), step("XPENDING", T, "g"),
                step("XGROUP", "DESTROY", T, "g"), step("XINFO", "GROUPS", T), step("DEL", S), step("XADD", S, "1-1", "a", "1"),
                step("XINFO", "GROUPS", S),
                // XCLAIM and XAUTOCLAIM: idle times of 0 or far beyond the script's, so no reply depends on the clock
                step("XADD", "cl", "1-0", "a", "1"), step("XADD", "cl", "2-0", "b", "2"), step("XADD", "cl", "3-0", "c", "3"),
                step("XADD", "cl", "4-0", "d", "4"), step("XGROUP", "CREATE", "cl", "g", "0"),
                step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "cl", ">"),
                step("XCLAIM", "cl", "g", "bob", "0", "1-0", "2-0"), step("XPENDING", "cl", "g"),
                step("XCLAIM", "cl", "g", "bob", "99999999", "3-0"), step("XCLAIM", "cl", "g", "bob", "0", "3-0", "JUSTID"),
                step("XCLAIM", "cl", "g", "carol", "0", "4-0", "RETRYCOUNT", "7", "IDLE", "100"),
                step("XCLAIM", "cl", "g", "carol", "0", "9-0"), step("XCLAIM", "cl", "g", "carol", "0", "9-0", "FORCE"),
                step("XADD", "cl", "5-0", "e", "5"), step("XCLAIM", "cl", "g", "carol", "0", "5-0", "FORCE", "JUSTID"),
                step("XCLAIM", "cl", "g", "dave", "0", "5-0", "LASTID", "7-0"), step("XINFO", "GROUPS", "cl"),
                step("XCLAIM", "cl", "g", "dave", "0", "1-0", "LASTID", "3-0"), step("XCLAIM", "cl", "g", "dave", "0", "LASTID", "8-0"),
                step("XINFO", "GROUPS", "cl"), step("XPENDING", "cl", "g"),
                step("XCLAIM", "cl", "g", "dave", "x", "1-0"), step("XCLAIM", "cl", "g", "dave", "0", "1-0", "IDLE", "x"),
                step("XCLAIM", "cl", "g", "dave", "0", "1-0", "TIME", "x"), step("XCLAIM", "cl", "g", "dave", "0", "1-0", "RETRYCOUNT", "x"),
                step("XCLAIM", "cl", "g", "dave", "0", "1-0", "LASTID", "x"), step("XCLAIM", "cl", "g", "dave", "0", "1-0", "foo"),
                step("XCLAIM", "cl", "g", "dave", "0", "1-0", "IDLE"), step("XCLAIM", "cl", "nog", "dave", "x", "1-0"),
                step("XCLAIM", "nokey", "g", "dave", "0", "1-0"), step("XCLAIM", "str", "g", "dave", "0", "1-0"),
                step("XCLAIM", "cl", "g", "dave", "0"), step("XDEL", "cl", "2-0"),
                step("XCLAIM", "cl", "g", "erin", "0", "2-0", "1-0"), step("XPENDING", "cl", "g"),
                step("XAUTOCLAIM", "cl", "g", "fred", "0", "0", "COUNT", "2"), step("XAUTOCLAIM", "cl", "g", "fred", "0", "3-0", "JUSTID"),
                step("XAUTOCLAIM", "cl", "g", "fred", "99999999", "0"), step("XDEL", "cl", "3-0", "4-0"),
                step("XAUTOCLAIM", "cl", "g", "gina", "0", "-", "COUNT", "1"), step("XAUTOCLAIM", "cl", "g", "gina", "0", "(1-0"),
                step("XPENDING", "cl", "g"), step("XAUTOCLAIM", "cl", "g", "gina", "x", "0"),
                step("XAUTOCLAIM", "cl", "g", "gina", "0", "x"), step("XAUTOCLAIM", "cl", "g", "gina", "0", "0", "COUNT", "0"),
                step("XAUTOCLAIM", "cl", "g", "gina", "0", "0", "COUNT", "x"), step("XAUTOCLAIM", "cl", "g", "gina", "0", "0", "foo"),
                step("XAUTOCLAIM", "cl", "nog", "gina", "0", "0"), step("XAUTOCLAIM", "nokey", "g", "gina", "x", "0"),
                step("XAUTOCLAIM", "str", "g", "gina", "0", "0"), step("XAUTOCLAIM", "cl", "g", "gina", "0"),
                step("XAUTOCLAIM", "cl", "g", "gina", "0", "(18446744073709551615-18446744073709551615"));
    }

    private static KvTestServer server(int shards) throws Exception {
        return KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    /**
     * XREADGROUP BLOCK on a key of another shard than its connection's, woken by an XADD from a connection
     * on a third: the new entry is delivered to the consumer's PEL; a timeout answers null; a group
     * destroyed while blocked answers Redis's NOGROUP; a history ID answers at once; RESP3's map.
     */
    @Test
    void anXaddOnAnotherShardWakesBlockedGroupReads() throws Exception {
        List<RespClient> spare = new ArrayList<>();
        try (KvTestServer server = server(3)) {
            RespClient waiter = KvBlockingTest.clientOn(server, 0, spare);
            RespClient writer = KvBlockingTest.clientOn(server, 2, spare);
            String key = KvListsTest.keyOn(1, 3, "s");
            assertEquals("OK", writer.call("XGROUP", "CREATE", key, "g", "$", "MKSTREAM"));
            waiter.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", key, ">");
            KvBlockingTest.awaitBlocked(writer, 1);
            assertFalse(waiter.replied());
            assertEquals("1-1", writer.call("XADD", key, "1-1", "a", "1"));
            assertEquals(List.of(List.of(key, List.of(List.of("1-1", List.of("a", "1"))))),
                    KvBlockingTest.readLater(waiter).get(10, TimeUnit.SECONDS));
            assertEquals(List.of(1L, "1-1", "1-1", List.of(List.of("alice", "1"))), writer.call("XPENDING", key, "g"));
            assertEquals(0L, KvBlockingTest.blocked(writer));
            // a timeout, then the connection answers again
            long start = System.nanoTime();
            assertNull(waiter.call("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "50", "STREAMS", key, ">"));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
            // history answers at once, BLOCK or not
            assertEquals(List.of(List.of(key, List.of(List.of("1-1", List.of("a", "1"))))),
                    waiter.call("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", key, "0"));
            // the group destroyed while blocked
            waiter.send("XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", key, ">");
            KvBlockingTest.awaitBlocked(writer, 1);
            assertEquals(1L, writer.call("XGROUP", "DESTROY", key, "g"));
            assertEquals(new RespClient.Error("NOGROUP the consumer group this client was blocked on no longer exists"),
                    KvBlockingTest.readLater(waiter).get(10, TimeUnit.SECONDS));
            assertEquals(new RespClient.Error("NOGROUP No such key '" + key + "' or consumer group 'g' in XREADGROUP with GROUP option"),
                    waiter.call("XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", key, ">"));
            // RESP3: a map of the one stream
            assertEquals("OK", writer.call("XGROUP", "CREATE", key, "g", "$"));
            waiter.call("HELLO", "3");
            waiter.send("XREADGROUP", "GROUP", "g", "carol", "COUNT", "1", "BLOCK", "0", "STREAMS", key, ">");
            KvBlockingTest.awaitBlocked(writer, 1);
            assertEquals("5-5", writer.call("XADD", key, "5-5", "b", "2"));
            assertEquals(java.util.Map.of(key, List.of(List.of("5-5", List.of("b", "2")))),
                    KvBlockingTest.readLater(waiter).get(10, TimeUnit.SECONDS));
            assertEquals("PONG", waiter.call("PING"));
        } finally {
            for (RespClient c : spare) {
                c.close();
            }
        }
    }

    /**
     * What XREADGROUP and XACK allocate on the shard thread (its per-thread counter, logged, 1 shard): an
     * XADD, an XREADGROUP of that one entry and its XACK, pipelined; the figures printed, a loose bound
     * kept (the names' copies, a PEL entry and its two tree nodes, a log record's writer, an XACK's probe).
     */
    @Test
    void readAndAckAllocateLittle(@TempDir Path dir) throws Exception {
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC),
                "atoll.io.buffers.debug = false"); RespClient c = server.client()) {
            c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
            long[] next = {1};
            java.util.function.IntFunction<byte[]> triple = i -> switch (i % 3) {
                case 0 -> RespClient.encode("XADD", "s", "MAXLEN", "~", "1000", ++next[0] + "-1", "f", "v");
                case 1 -> RespClient.encode("XREADGROUP", "GROUP", "g", "consumer", "COUNT", "1", "STREAMS", "s", ">");
                default -> RespClient.encode("XACK", "s", "g", next[0] + "-1");
            };
            for (int warmUp = 0; warmUp < 5; warmUp++) {
                KvPopAndZaddAllocationTest.allocatedPer(c, triple);
            }
            long least = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                least = Math.min(least, KvPopAndZaddAllocationTest.allocatedPer(c, triple));
            }
            // every read acknowledged but the last of each round (a round of 32000 commands ends inside a triple)
            assertTrue((Long) ((List<?>) c.call("XPENDING", "s", "g")).get(0) <= 8);
            String figures = "bytes allocated on the shard thread per XADD + XREADGROUP + XACK: " + 3 * least;
            System.out.println(figures);
            assertTrue(3 * least < 1000, figures);
        }
    }

    /** The time-dependent replies (idle times, delivery and seen times) as redis-server 7.0.15 shapes them, their values within a tolerance. */
    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void timedFieldsHaveRedisSShapes(int shards) throws Exception {
        List<List<String>> timed = List.of(
                step("XADD", S, "1-1", "a", "1"), step("XADD", S, "2-1", "b", "2"), step("XGROUP", "CREATE", S, "g", "0"),
                step("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", S, ">"),
                step("XREADGROUP", "GROUP", "g", "bob", "STREAMS", S, ">"), step("XGROUP", "CREATECONSUMER", S, "g", "carol"),
                step("XPENDING", S, "g", "-", "+", "10"), step("XPENDING", S, "g", "IDLE", "0", "-", "+", "10", "bob"),
                step("XPENDING", S, "g", "(1-1", "+", "1"), step("XINFO", "CONSUMERS", S, "g"),
                step("XINFO", "STREAM", S, "FULL"), step("XINFO", "STREAM", S, "FULL", "COUNT", "1"));
        List<Object> fromAtoll;
        try (KvTestServer kv = server(shards); RespClient c = kv.client()) {
            fromAtoll = timedReplies(c, timed);
        }
        assertTrue(fromAtoll.toString().contains("[1-1, alice, T, 1]"), fromAtoll.toString());
        assertEquals(RecordedScript.withRedis(port -> {
            try (RespClient r = KvRedisComparisonTest.connect(port)) {
                return timedReplies(r, timed);
            }
        }), fromAtoll);
    }

    /** The replies to {@code steps}, each time in them checked (an idle time under 10 s, a Unix time in ms within a minute of now) and replaced by T. */
    private static List<Object> timedReplies(RespClient c, List<List<String>> steps) throws Exception {
        List<Object> replies = new ArrayList<>();
        for (List<String> step : steps) {
            replies.add(masked(c.call(step.toArray(String[]::new))));
        }
        return replies;
    }

    private static Object masked(Object reply) {
        if (!(reply instanceof List<?> list)) {
            return reply;
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            boolean afterTimeName = i > 0 && ("idle".equals(list.get(i - 1)) || "seen-time".equals(list.get(i - 1)));
            boolean pendingTime = (list.size() == 4 && i == 2 || list.size() == 3 && i == 1)
                    && list.get(0) instanceof String id && id.matches("[0-9]+-[0-9]+") && item instanceof Long;
            out.add(afterTimeName || pendingTime ? time((Long) item) : masked(item));
        }
        return out;
    }

    private static String time(long value) {
        long now = System.currentTimeMillis();
        assertTrue(value >= 0 && value < 10_000 || Math.abs(value - now) < 60_000, value + " is no idle time or time of now");
        return "T";
    }

    /**
     * Every group change is logged (XGROUP, XREADGROUP, XACK, XCLAIM, XAUTOCLAIM): groups, consumers and
     * PELs (delivery times and counts exact) after restarts with 3 and 1 shards, then after a rewrite.
     */
    @Test
    void groupsSurviveARestartWithAnotherShardCount(@TempDir Path dir) throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC);
        List<Object> expected;
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = kv.client()) {
            for (int k = 0; k < 8; k++) {
                String key = "st" + k;
                for (int i = 1; i <= 30; i++) {
                    c.call("XADD", key, i + "-" + k, "f", "v" + i);
                }
                c.call("XGROUP", "CREATE", key, "g", "0");
                c.call("XGROUP", "CREATE", key, "h", "$", "ENTRIESREAD", "30");
                c.call("XGROUP", "CREATE", key, "gone", "0");
                c.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "5", "STREAMS", key, ">");
                c.call("XREADGROUP", "GROUP", "g", "bob", "COUNT", "7", "STREAMS", key, ">");
                c.call("XREADGROUP", "GROUP", "g", "bob", "STREAMS", key, "0");          // bob's history: counts 2
                c.call("XREADGROUP", "GROUP", "g", "noack", "NOACK", "COUNT", "3", "STREAMS", key, ">");
                c.call("XACK", key, "g", "2-" + k, "6-" + k, "99-" + k);
                c.call("XGROUP", "CREATECONSUMER", key, "g", "carol");
                c.call("XGROUP", "CREATECONSUMER", key, "g", "dropped");
                c.call("XREADGROUP", "GROUP", "g", "dropped", "COUNT", "2", "STREAMS", key, ">");
                c.call("XGROUP", "DELCONSUMER", key, "g", "dropped");
                c.call("XGROUP", "DESTROY", key, "gone");
                c.call("XGROUP", "SETID", key, "h", "20-" + k, "ENTRIESREAD", "20");
                c.call("XREADGROUP", "GROUP", "h", "zed", "COUNT", "2", "STREAMS", key, ">");
                c.call("XCLAIM", key, "g", "carol", "0", "3-" + k, "4-" + k, "TIME", "1700000000000", "RETRYCOUNT", "5");
                c.call("XCLAIM", key, "g", "carol", "0", "25-" + k, "FORCE");                 // not pending: made so
                c.call("XAUTOCLAIM", key, "g", "erin", "0", "0", "COUNT", "2");
                c.call("XCLAIM", key, "h", "x", "0", "LASTID", "25-" + k);                   // moves h on, claims nothing
                c.call("XDEL", key, "8-" + k, "9-" + k);                                      // pending, deleted
                c.call("XAUTOCLAIM", key, "g", "fred", "0", "7-" + k, "COUNT", "2");         // drops 8 from the PEL
            }
            c.call("XGROUP", "CREATE", "made", "g", "$", "MKSTREAM");
            expected = groupState(c);
        }
        for (int shards : new int[] {3, 1}) {
            try (KvTestServer kv = KvTestServer.start(shards, DriverKind.AUTO, settings); RespClient c = kv.client()) {
                assertEquals(expected, groupState(c), "with " + shards + " shards");
                if (shards == 1) {
                    assertTrue(c.call("BGREWRITEAOF").toString().startsWith("Background"));
                    KvStreamsTest.awaitRewrite(c);
                }
            }
        }
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = kv.client()) {
            assertEquals(expected, groupState(c), "after the rewrite");
        }
    }

    /** What a restart keeps: XINFO STREAM FULL (delivery times exact; seen times apart: a read that changed nothing is not logged) and XPENDING. */
    private static List<Object> groupState(RespClient c) throws Exception {
        List<Object> state = new ArrayList<>();
        for (String key : List.of("st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7", "made")) {
            Object full = c.call("XINFO", "STREAM", key, "FULL");
            assertTrue(full instanceof List, key + ": " + full);
            state.add(withoutSeenTimes(full));
            state.add(c.call("XINFO", "GROUPS", key));
            state.add(c.call("XPENDING", key, "g"));
        }
        state.add(c.call("DBSIZE"));
        return state;
    }

    private static Object withoutSeenTimes(Object reply) {
        if (!(reply instanceof List<?> list)) {
            return reply;
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            boolean seen = i > 0 && "seen-time".equals(list.get(i - 1));
            out.add(seen ? "T" : withoutSeenTimes(list.get(i)));
        }
        return out;
    }
}
