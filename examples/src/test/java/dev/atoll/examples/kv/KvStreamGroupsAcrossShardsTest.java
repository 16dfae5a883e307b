package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * XREADGROUP with its keys on several shards (issue 18): on 2 shards keys A and C live on shard 0, B
 * and S on shard 1 (on 1 shard all on one). Replies, errors in Redis's order and the groups' state
 * after them against what redis-server 7.0.15 answered ({@code kv/stream-group-across-replies.txt};
 * RESP3 against a live redis-server when one is installed); BLOCK woken by an XADD on either owner,
 * delivering from exactly one wake (what the owners put in the PELs is what the reply carries);
 * the timeout; a restart with another shard count.
 */
class KvStreamGroupsAcrossShardsTest extends RecordedScriptTest {
    private static final String A = KvListsTest.keyOn(0, 2, "a");
    private static final String B = KvListsTest.keyOn(1, 2, "b");
    private static final String C = KvListsTest.keyOn(0, 2, "c");
    private static final String S = KvListsTest.keyOn(1, 2, "str");
    private static final String NOKEY = KvListsTest.keyOn(1, 2, "nokey");
    private static final RecordedScript SCRIPT = new RecordedScript("/kv/stream-group-across-replies.txt", steps());

    @Override
    RecordedScript script() {
        return SCRIPT;
    }

    static List<List<String>> steps() {
        return List.of(
                step("XADD", A, "1-1", "f", "a1"), step("XADD", A, "2-1", "f", "a2"),
                step("XADD", B, "1-2", "f", "b1"), step("XADD", B, "2-2", "f", "b2"), step("XADD", B, "3-2", "f", "b3"),
                step("XADD", C, "1-3", "f", "c1"),
                step("XGROUP", "CREATE", A, "g", "0"), step("XGROUP", "CREATE", B, "g", "0"), step("XGROUP", "CREATE", C, "g", "$"),
                step("XGROUP", "CREATE", B, "h", "0"), step("SET", S, "x"),
                // errors, in key order: a key's type, its group, then its ID; nothing delivered by any
                step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", A, S, ">", ">"),
                step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", A, NOKEY, ">", ">"),
                step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", NOKEY, A, ">", "x"),
                step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", A, NOKEY, "x", ">"),
                step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", A, B, ">", "$"),
                step("XREADGROUP", "GROUP", "h", "alice", "STREAMS", A, B, ">", ">"),
                step("XREADGROUP", "GROUP", "h", "alice", "STREAMS", B, A, ">", ">"),
                step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", A, B, ">"),
                step("XREADGROUP", "GROUP", "g", "alice", "COUNT", "x", "STREAMS", A, B, ">", ">"),
                step("XREADGROUP", "COUNT", "1", "STREAMS", A, B, ">", ">"),
                step("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "-1", "STREAMS", A, B, ">", ">"),
                step("XPENDING", A, "g"), step("XPENDING", B, "g"), step("XINFO", "GROUPS", A), step("XINFO", "GROUPS", B),
                // reads: every stream with entries, in key order
                step("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", A, B, C, ">", ">", ">"),
                step("XREADGROUP", "GROUP", "g", "bob", "STREAMS", B, C, A, ">", ">", ">"),
                step("XREADGROUP", "GROUP", "g", "bob", "STREAMS", A, B, ">", ">"),
                step("XADD", B, "4-2", "f", "b4"),
                step("XREADGROUP", "GROUP", "g", "carol", "STREAMS", A, B, ">", ">"),
                step("XREADGROUP", "GROUP", "g", "alice", "STREAMS", A, B, "0", "0"),
                step("XREADGROUP", "GROUP", "g", "bob", "STREAMS", A, B, "0", ">"),
                step("XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", B, A, "2-2", "0"),
                step("XADD", A, "3-1", "f", "a3"), step("XADD", C, "2-3", "f", "c2"),
                step("XREADGROUP", "GROUP", "g", "dave", "NOACK", "STREAMS", A, B, C, ">", ">", ">"),
                step("XADD", A, "4-1", "f", "a4"), step("XADD", B, "5-2", "f", "b5"),
                step("XREADGROUP", "GROUP", "g", "erin", "BLOCK", "100", "STREAMS", A, B, ">", ">"),
                step("XREADGROUP", "GROUP", "g", "erin", "BLOCK", "10", "STREAMS", A, B, ">", ">"),
                step("XREADGROUP", "GROUP", "g", "erin", "BLOCK", "10", "STREAMS", C, B, "0", ">"),
                step("XPENDING", A, "g"), step("XPENDING", B, "g"), step("XPENDING", C, "g"),
                step("XINFO", "GROUPS", A), step("XINFO", "GROUPS", B), step("XINFO", "GROUPS", C));
    }

    private static KvTestServer server(int shards) throws Exception {
        return KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    /**
     * Blocked on A (shard 0) and B (shard 1) from a connection on a third shard, woken by XADDs on both
     * owners at once (pipelined, so both owners serve their key at the same time): the reply carries
     * one stream's entry, and exactly that entry is in the consumer's PEL; the other XADD's entry is
     * still new for the group (the next read gets it). Many rounds, since the two wakes race.
     */
    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void aWakeOnEitherOwnerDeliversOnceAndLosesNothing(int protocol) throws Exception {
        List<RespClient> spare = new ArrayList<>();
        try (KvTestServer server = server(3)) {
            String a = KvListsTest.keyOn(0, 3, "wa");
            String b = KvListsTest.keyOn(1, 3, "wb");
            RespClient waiter = KvBlockingTest.clientOn(server, 2, spare);
            RespClient writer = KvBlockingTest.clientOn(server, 0, spare);
            if (protocol == 3) {
                waiter.call("HELLO", "3");
            }
            for (String key : List.of(a, b)) {
                assertEquals("OK", writer.call("XGROUP", "CREATE", key, "g", "$", "MKSTREAM"));
            }
            int rounds = 100;
            for (int i = 1; i <= rounds; i++) {
                String consumer = "c" + i;
                waiter.send("XREADGROUP", "GROUP", "g", consumer, "BLOCK", "0", "STREAMS", a, b, ">", ">");
                KvBlockingTest.awaitBlocked(writer, 1);
                assertFalse(waiter.replied());
                writer.send("XADD", a, i + "-1", "f", "a");
                writer.send("XADD", b, i + "-1", "f", "b");
                assertEquals(i + "-1", writer.read());
                assertEquals(i + "-1", writer.read());
                Object reply = KvBlockingTest.readLater(waiter).get(10, TimeUnit.SECONDS);
                Map<String, List<?>> got = streams(reply);
                assertEquals(1, got.size(), "round " + i + ": one stream per wake: " + reply);
                String served = got.keySet().iterator().next();
                String other = served.equals(a) ? b : a;
                assertEquals(List.of(List.of(i + "-1", List.of("f", served.equals(a) ? "a" : "b"))), got.get(served));
                assertEquals(List.of(List.of(i + "-1", consumer)), pendingOf(writer, served, consumer), "round " + i);
                assertEquals(List.of(), pendingOf(writer, other, consumer),
                        "round " + i + ": " + other + "'s entry was delivered to " + consumer + " but not replied");
                // the other entry is still new for the group: the next read gets it
                Object next = writer.call("XREADGROUP", "GROUP", "g", "sweeper", "STREAMS", other, ">");
                assertEquals(List.of(List.of(other, List.of(List.of(i + "-1", List.of("f", other.equals(a) ? "a" : "b"))))), next,
                        "round " + i);
                KvBlockingTest.awaitBlocked(writer, 0);
            }
        } finally {
            for (RespClient c : spare) {
                c.close();
            }
        }
    }

    /** Blocked across shards: a timeout answers null and delivers nothing; with entries already there it answers at once, both streams. */
    @Test
    void blockAcrossShardsTimesOutOrAnswersAtOnce() throws Exception {
        try (KvTestServer server = server(2); RespClient c = server.client()) {
            for (String key : List.of(A, B)) {
                assertEquals("OK", c.call("XGROUP", "CREATE", key, "g", "$", "MKSTREAM"));
            }
            long start = System.nanoTime();
            assertNull(c.call("XREADGROUP", "GROUP", "g", "x", "BLOCK", "50", "STREAMS", A, B, ">", ">"));
            assertFalse(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(50));
            c.call("XADD", A, "1-1", "f", "1");
            c.call("XADD", B, "1-1", "f", "2");
            assertEquals(List.of(List.of(A, List.of(List.of("1-1", List.of("f", "1")))), List.of(B, List.of(List.of("1-1", List.of("f", "2"))))),
                    c.call("XREADGROUP", "GROUP", "g", "x", "BLOCK", "0", "STREAMS", A, B, ">", ">"));
            assertEquals(List.of(1L, "1-1", "1-1", List.of(List.of("x", "1"))), c.call("XPENDING", B, "g"));
            assertEquals(0L, KvBlockingTest.blocked(c));
        }
    }

    /** Each owner logs what it delivered (XDELIVER): the groups and PELs after restarts with 1 and 3 shards. */
    @Test
    void deliveriesAcrossShardsSurviveARestart(@TempDir Path dir) throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.ALWAYS);
        List<Object> expected;
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = kv.client()) {
            for (String key : List.of(A, B, C)) {
                for (int i = 1; i <= 5; i++) {
                    c.call("XADD", key, i + "-1", "f", key + i);
                }
                c.call("XGROUP", "CREATE", key, "g", "0");
            }
            c.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", A, B, C, ">", ">", ">");
            c.call("XREADGROUP", "GROUP", "g", "bob", "STREAMS", B, A, ">", ">");
            c.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", A, B, "0", "0");
            c.call("XREADGROUP", "GROUP", "g", "noack", "NOACK", "STREAMS", C, B, ">", ">");
            expected = state(c);
        }
        for (int shards : new int[] {1, 3}) {
            try (KvTestServer kv = KvTestServer.start(shards, DriverKind.AUTO, settings); RespClient c = kv.client()) {
                assertEquals(expected, state(c), "with " + shards + " shards");
            }
        }
    }

    private static List<Object> state(RespClient c) throws Exception {
        List<Object> state = new ArrayList<>();
        for (String key : List.of(A, B, C)) {
            state.add(c.call("XINFO", "GROUPS", key));
            state.add(c.call("XPENDING", key, "g", "-", "+", "100"));
        }
        return withoutIdleTimes(state);
    }

    /** XPENDING's extended form without its idle times (the third field of each entry). */
    private static List<Object> withoutIdleTimes(List<Object> state) {
        List<Object> out = new ArrayList<>();
        for (Object o : state) {
            if (o instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof List<?> first && first.size() == 4
                    && first.get(0) instanceof String) {
                List<Object> entries = new ArrayList<>();
                for (Object e : list) {
                    List<?> p = (List<?>) e;
                    entries.add(List.of(p.get(0), p.get(1), p.get(3)));
                }
                out.add(entries);
            } else {
                out.add(o);
            }
        }
        return out;
    }

    private static List<?> pendingOf(RespClient c, String key, String consumer) throws Exception {
        List<Object> out = new ArrayList<>();
        for (Object e : (List<?>) c.call("XPENDING", key, "g", "-", "+", "10", consumer)) {
            List<?> p = (List<?>) e;
            out.add(List.of(p.get(0), p.get(1)));
        }
        return out;
    }

    /** An XREADGROUP reply (RESP2's array of pairs or RESP3's map) as a map of stream to entries. */
    private static Map<String, List<?>> streams(Object reply) {
        Map<String, List<?>> out = new java.util.LinkedHashMap<>();
        if (reply instanceof Map<?, ?> map) {
            map.forEach((k, v) -> out.put((String) k, (List<?>) v));
        } else {
            for (Object pair : (List<?>) reply) {
                out.put((String) ((List<?>) pair).get(0), (List<?>) ((List<?>) pair).get(1));
            }
        }
        return out;
    }
}
