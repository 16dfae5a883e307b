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
 * Streams (issue 18) against what redis-server 7.0.15 answered ({@code kv/stream-replies.txt}): XADD's
 * IDs and options (MAXLEN/MINID, = and ~, LIMIT, NOMKSTREAM), XLEN, XRANGE/XREVRANGE with exclusive
 * bounds and COUNT, XDEL, XTRIM over streams of several nodes (so {@code ~} removes whole nodes as
 * Redis's do), XSETID with ENTRIESADDED and MAXDELETEDID, XINFO STREAM [FULL] with its 7.0
 * bookkeeping and radix-tree figures, TYPE, OBJECT ENCODING, WRONGTYPE and every error text, on 1 and
 * 2 shards; RESP3's shapes recorded from {@code redis-cli -3}; persistence across restarts with another
 * shard count and a rewrite; and the same scripts against a running redis-server when one is installed.
 */
class KvStreamsTest extends RecordedScriptTest {
    private static final RecordedScript SCRIPT = new RecordedScript("/kv/stream-replies.txt", steps());

    @Override
    RecordedScript script() {
        return SCRIPT;
    }

    static List<List<String>> steps() {
        List<List<String>> s = new ArrayList<>(List.of(
                step("XADD", "s", "1-1", "a", "1"), step("XADD", "s", "1-1", "a", "1"), step("XADD", "s", "0-0", "a", "1"),
                step("XADD", "t", "0-0", "a", "1"), step("EXISTS", "t"), step("XADD", "s", "1-*", "b", "2"),
                step("XADD", "s", "1", "c", "3"), step("XADD", "s", "0-*", "c", "3"), step("XADD", "s", "x", "a", "1"),
                step("XADD", "s", "2-x", "a", "1"), step("XADD", "s", "*", "a"), step("XADD", "s", "MAXLEN", "-1", "*", "a", "1"),
                step("XADD", "s", "maxlen", "x", "*", "a", "1"), step("XADD", "s", "limit", "10", "*", "a", "1"),
                step("XADD", "s", "maxlen", "1", "minid", "1", "*", "a", "1"),
                step("XADD", "s", "maxlen", "~", "1", "limit", "-1", "*", "a", "1"),
                step("XADD", "s", "minid", "x", "*", "a", "1"), step("XADD", "s", "nomkstream"),
                step("XADD", "s", "minid", "1", "limit", "0", "*", "a", "1"),
                step("XADD", "s", "maxlen", "0", "limit", "0", "*", "a", "1"), step("XADD", "s", "+", "a", "1"),
                step("XADD", "s", "-", "a", "1"), step("XADD", "s", "-1", "a", "1"), step("XADD", "s", "$", "a", "1"),
                step("XADD", "s", "18446744073709551616", "a", "1"), step("XADD", "s", "1-+5", "a", "1"),
                step("XADD", "s", "2-1", "f1", "v1", "f2", "v2"), step("XADD", "s", "3", "a", "1"),
                step("XADD", "s", "3-*", "a", "2"), step("XLEN", "s"), step("XLEN", "nokey"),
                step("XRANGE", "s", "-", "+"), step("XRANGE", "s", "-", "+", "COUNT", "2"), step("XRANGE", "s", "(1-1", "+"),
                step("XRANGE", "s", "-", "(2-1"), step("XRANGE", "s", "(-", "+"), step("XRANGE", "s", "-", "(+"),
                step("XRANGE", "s", "2", "2"), step("XRANGE", "s", "1", "1-1"), step("XRANGE", "s", "-", "+", "count", "0"),
                step("XRANGE", "s", "-", "+", "count", "-1"), step("XRANGE", "s", "-", "+", "count", "x"),
                step("XRANGE", "s", "-", "+", "foo"), step("XRANGE", "s", "-", "+", "count"),
                step("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"), step("XRANGE", "s", "-", "(0-0"),
                step("XRANGE", "s", "3", "1"), step("XRANGE", "nokey", "-", "+"), step("XRANGE", "nokey", "-", "+", "foo"),
                step("XRANGE", "s", "-", "+", "COUNT", "1", "COUNT", "3"), step("XREVRANGE", "s", "+", "-"),
                step("XREVRANGE", "s", "+", "-", "COUNT", "1"), step("XREVRANGE", "s", "(2-1", "-"),
                step("XREVRANGE", "s", "3", "(1-2"), step("XREVRANGE", "s", "1", "3"), step("XRANGE", "s", "x", "+"),
                step("XRANGE", "s", " 1", "+"), step("XRANGE", "s", "+1", "+"), step("XRANGE", "s", "1--0", "+"),
                step("XRANGE", "s", "1-18446744073709551615", "+"), step("XRANGE", "s", "1-18446744073709551616", "+"),
                step("XRANGE", "s", "-", "2-"), step("XRANGE", "s", "(3-0", "(3-1"),
                step("TYPE", "s"), step("OBJECT", "ENCODING", "s"), step("XINFO", "STREAM", "s"),
                step("XDEL", "s", "1-1", "9-9"), step("XDEL", "s", "x"), step("XDEL", "nokey", "1"), step("XDEL", "nokey", "x"),
                step("XINFO", "STREAM", "s"), step("XDEL", "s", "2-1", "3-0"), step("XINFO", "STREAM", "s"),
                step("XDEL", "s", "1-2", "3-1"), step("XLEN", "s"), step("EXISTS", "s"), step("XINFO", "STREAM", "s"),
                step("XINFO", "STREAM", "s", "FULL"), step("XRANGE", "s", "-", "+"), step("XADD", "s", "3-1", "a", "1"),
                step("XSETID", "s", "3-0"), step("XSETID", "s", "5-5"), step("XSETID", "s", "1-1"),
                step("XADD", "s", "2-0", "a", "1"), step("XSETID", "s", "1-1"), step("XSETID", "s", "2-0", "ENTRIESADDED", "0"),
                step("XSETID", "s", "3-0", "entriesadded", "5", "maxdeletedid", "4-0"),
                step("XSETID", "s", "3-0", "ENTRIESADDED", "-1"), step("XSETID", "s", "3-0", "ENTRIESADDED", "x"),
                step("XSETID", "s", "3-0", "MAXDELETEDID", "x"), step("XSETID", "s", "4-0", "ENTRIESADDED", "9", "MAXDELETEDID", "3-5"),
                step("XINFO", "STREAM", "s"), step("XSETID", "s", "3-6"), step("XSETID", "s", "3-0", "foo"),
                step("XSETID", "s", "3-0", "ENTRIESADDED"), step("XSETID", "nokey", "1-1"), step("XSETID", "nokey", "x"),
                step("XSETID", "s", "x"), step("XSETID", "s", "-"), step("XSETID", "s"),
                step("XADD", "n", "NOMKSTREAM", "*", "a", "1"), step("EXISTS", "n"), step("XADD", "n", "NOMKSTREAM", "5-5", "a", "1"),
                step("XTRIM", "s"), step("XTRIM", "s", "MAXLEN"), step("XTRIM", "s", "MAXLEN", "0", "foo"),
                step("XTRIM", "s", "foo", "1"), step("XTRIM", "nokey", "MAXLEN", "0"), step("XTRIM", "nokey", "foo", "1"),
                step("XTRIM", "s", "MAXLEN", "5", "LIMIT", "5"), step("XTRIM", "s", "MAXLEN", "~", "x"),
                step("XTRIM", "s", "MAXLEN", "=", "-5"), step("XTRIM", "s", "MINID", "6", "LIMIT"),
                step("XTRIM", "s", "LIMIT", "5", "MAXLEN", "~", "0"), step("XTRIM", "s", "MAXLEN", "=", "0"),
                step("XLEN", "s"), step("EXISTS", "s"), step("XINFO", "STREAM", "s"),
                step("SET", "str", "x"), step("XADD", "str", "*", "a", "1"), step("XADD", "str", "x", "a", "1"),
                step("XLEN", "str"), step("XRANGE", "str", "-", "+"), step("XRANGE", "str", "x", "+"),
                step("XREVRANGE", "str", "+", "-"), step("XDEL", "str", "x"), step("XTRIM", "str", "MAXLEN", "1"),
                step("XTRIM", "str", "foo", "1"), step("XSETID", "str", "1"), step("XSETID", "str", "1", "foo"),
                step("XINFO", "STREAM", "str"), step("GET", "s"), step("LPUSH", "s", "x"), step("HSET", "s", "f", "v"),
                step("XINFO"), step("XINFO", "STREAM"), step("XINFO", "STREAM", "nokey"), step("XINFO", "foo", "s"),
                step("XINFO", "HELP"), step("XINFO", "STREAM", "s", "foo"), step("XINFO", "STREAM", "s", "FULL", "COUNT", "x"),
                step("XINFO", "GROUPS", "s"), step("XLEN"), step("XRANGE", "s", "-"), step("XDEL", "s"), step("XSETID", "s")));
        // A stream of several nodes: XINFO's radix figures, and trims that remove whole nodes (~) or entries (=).
        for (int i = 1; i <= 250; i++) {
            s.add(step("XADD", "big", i * 1000 + "-" + (i % 3), "field", "value" + i));
        }
        s.addAll(List.of(
                step("XINFO", "STREAM", "big"), step("XINFO", "STREAM", "big", "FULL", "COUNT", "2"),
                step("XTRIM", "big", "MAXLEN", "~", "240"), step("XTRIM", "big", "MAXLEN", "~", "150"),
                step("XINFO", "STREAM", "big"), step("XTRIM", "big", "MAXLEN", "~", "10", "LIMIT", "99"),
                step("XTRIM", "big", "MAXLEN", "~", "10", "LIMIT", "100"), step("XLEN", "big"),
                step("XTRIM", "big", "MINID", "~", "220000"), step("XTRIM", "big", "MINID", "=", "220000"),
                step("XLEN", "big"), step("XRANGE", "big", "-", "+", "COUNT", "2"), step("XINFO", "STREAM", "big"),
                step("XADD", "big", "MAXLEN", "5", "300000-0", "f", "v"), step("XINFO", "STREAM", "big"),
                step("XRANGE", "big", "-", "+"), step("XREVRANGE", "big", "+", "-", "COUNT", "2")));
        for (int i = 1; i <= 230; i++) {
            s.add(step("XADD", "holes", "5-" + i, "f", "v"));
        }
        List<String> del = new ArrayList<>(List.of("XDEL", "holes"));
        for (int i = 101; i <= 200; i++) {
            del.add("5-" + i);
        }
        s.add(del);
        s.addAll(List.of(
                step("XINFO", "STREAM", "holes"), step("XDEL", "holes", "5-1", "5-50"), step("XINFO", "STREAM", "holes"),
                step("XRANGE", "holes", "5-99", "5-202"), step("XREVRANGE", "holes", "5-202", "5-99"),
                step("XTRIM", "holes", "MAXLEN", "~", "30"), step("XTRIM", "holes", "MAXLEN", "28"),
                step("XINFO", "STREAM", "holes"), step("XADD", "holes", "MINID", "~", "5-230", "6-0", "f", "v"),
                step("XADD", "holes", "MINID", "5-230", "7-0", "f", "v"), step("XINFO", "STREAM", "holes", "FULL")));
        // XREAD: "a" and "b" are on different shards of 2.
        s.addAll(List.of(
                step("XADD", "a", "1-1", "f", "1"), step("XADD", "a", "1-2", "f", "2"), step("XADD", "b", "2-1", "g", "2"),
                step("XREAD", "STREAMS", "a", "b", "0", "0"), step("XREAD", "COUNT", "1", "STREAMS", "a", "b", "0-0", "1-5"),
                step("XREAD", "STREAMS", "a", "b", "$", "$"), step("XREAD", "STREAMS", "a", "b", "1-1", "2-1"),
                step("XREAD", "STREAMS", "b", "a", "2-0", "1-1"), step("XREAD", "STREAMS", "nokey", "b", "0", "1"),
                step("XREAD", "STREAMS", "str", "a", "x", "0"), step("XREAD", "STREAMS", "a", "str", "x", "0"),
                step("XREAD", "STREAMS", "a", "str", "0", "x"), step("XREAD", "STREAMS", "b", "str", "0", "0"),
                step("XREAD", "STREAMS", "nokey", "a", "0", "1-1"), step("XREAD", "STREAMS", "a"),
                step("XREAD", "STREAMS", "a", "b", "0"), step("XREAD", "COUNT", "x", "STREAMS", "a", "0"),
                step("XREAD", "COUNT", "-1", "STREAMS", "a", "0"), step("XREAD", "COUNT", "0", "STREAMS", "a", "0"),
                step("XREAD", "BLOCK", "x", "STREAMS", "a", "0"), step("XREAD", "BLOCK", "-1", "STREAMS", "a", "0"),
                step("XREAD", "foo", "STREAMS", "a", "0"), step("XREAD", "COUNT", "1"), step("XREAD", "STREAMS"),
                step("XREAD", "COUNT", "1", "BLOCK", "5", "x"), step("XREAD", "STREAMS", "a", ">"),
                step("XREAD", "STREAMS", "a", "+"), step("XREAD", "STREAMS", "a", "(0"),
                step("XREAD", "BLOCK", "10", "STREAMS", "a", "b", "$", "$"), step("XREAD", "BLOCK", "10", "STREAMS", "a", "b", "9", "2-1"),
                step("XREAD", "BLOCK", "0", "STREAMS", "b", "a", "0", "0"), step("XREAD", "BLOCK", "10", "STREAMS", "str", "0"),
                step("XREAD", "BLOCK", "10", "COUNT", "1", "STREAMS", "nokey", "a", "0", "1-0"),
                step("XDEL", "a", "1-2"), step("XREAD", "STREAMS", "a", "1-1"), step("XREAD", "BLOCK", "10", "STREAMS", "a", "1-1")));
        return s;
    }

    private static KvTestServer server(int shards) throws Exception {
        return KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    /** RESP3's shapes of the stream replies, as {@code redis-cli -3} showed them from redis-server 7.0.15. */
    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void resp3Shapes(int shards) throws Exception {
        try (KvTestServer kv = server(shards); RespClient c = kv.client()) {
            c.call("HELLO", "3");
            assertEquals("5-1", c.call("XADD", "s", "5-1", "a", "1"));
            assertEquals(RespClient.RESP3_NULL, c.call("XADD", "n", "NOMKSTREAM", "*", "a", "1"));
            assertEquals(RespClient.RESP3_NULL, c.call("XRANGE", "s", "-", "+", "COUNT", "0"));
            assertEquals(List.of(), c.call("XRANGE", "nokey", "-", "+"));
            assertEquals(List.of(List.of("5-1", List.of("a", "1"))), c.call("XRANGE", "s", "-", "+"));
            Object info = c.call("XINFO", "STREAM", "s");
            assertEquals("{length=1, radix-tree-keys=1, radix-tree-nodes=2, last-generated-id=5-1, max-deleted-entry-id=0-0, "
                    + "entries-added=1, recorded-first-entry-id=5-1, groups=0, first-entry=[5-1, [a, 1]], last-entry=[5-1, [a, 1]]}",
                    String.valueOf(info));
            assertEquals(1L, c.call("XDEL", "s", "5-1"));
            assertEquals("{length=0, radix-tree-keys=0, radix-tree-nodes=1, last-generated-id=5-1, max-deleted-entry-id=5-1, "
                    + "entries-added=1, recorded-first-entry-id=0-0, groups=0, first-entry=" + RespClient.RESP3_NULL
                    + ", last-entry=" + RespClient.RESP3_NULL + "}", String.valueOf(c.call("XINFO", "STREAM", "s")));
            assertEquals("{length=0, radix-tree-keys=0, radix-tree-nodes=1, last-generated-id=5-1, max-deleted-entry-id=5-1, "
                    + "entries-added=1, recorded-first-entry-id=0-0, entries=[], groups=[]}",
                    String.valueOf(c.call("XINFO", "STREAM", "s", "FULL")));
        }
    }

    /** IDs XADD makes itself: the time in ms, or the last ID's next when the clock is behind it. */
    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void automaticIds(int shards) throws Exception {
        try (KvTestServer kv = server(shards); RespClient c = kv.client()) {
            long before = System.currentTimeMillis();
            String id = (String) c.call("XADD", "s", "*", "a", "1");
            long ms = Long.parseLong(id.substring(0, id.indexOf('-')));
            assertTrue(ms >= before && ms <= System.currentTimeMillis(), id);
            assertEquals(ms + "-0", id);
            String future = (ms + 1_000_000) + "-5";
            assertEquals(future, c.call("XADD", "s", future, "a", "1"));
            assertEquals((ms + 1_000_000) + "-6", c.call("XADD", "s", "*", "a", "1")); // the clock is behind: the next sequence
            assertEquals((ms + 1_000_000) + "-7", c.call("XADD", "s", (ms + 1_000_000) + "-*", "a", "1"));
            assertEquals((ms + 2_000_000) + "-0", c.call("XADD", "s", (ms + 2_000_000) + "-*", "a", "1"));
            assertEquals("18446744073709551615-18446744073709551614",
                    c.call("XADD", "m", "18446744073709551615-18446744073709551614", "a", "1"));
            assertEquals("18446744073709551615-18446744073709551615", c.call("XADD", "m", "*", "a", "1"));
            assertEquals(new RespClient.Error("ERR The stream has exhausted the last possible ID, unable to add more items"),
                    c.call("XADD", "m", "*", "a", "1"));
            assertEquals("1-18446744073709551615", c.call("XADD", "q", "1-18446744073709551615", "a", "1"));
            assertEquals(new RespClient.Error("ERR Elements are too large to be stored"), c.call("XADD", "q", "1-*", "a", "1"));
        }
    }

    /**
     * XREAD BLOCK on keys of two shards, from a connection on a third, woken by an XADD from a connection
     * on yet another shard: both waiters get that one stream's new entry; a timeout answers null and BLOCK 0 waits until served.
     */
    @Test
    void anXaddOnAnotherShardWakesBlockedReads() throws Exception {
        List<RespClient> spare = new ArrayList<>();
        try (KvTestServer server = server(3)) {
            RespClient first = KvBlockingTest.clientOn(server, 0, spare);
            RespClient second = KvBlockingTest.clientOn(server, 0, spare);
            RespClient writer = KvBlockingTest.clientOn(server, 2, spare);
            String onOne = KvListsTest.keyOn(1, 3, "s");   // neither the waiters' shard nor the writer's
            String onTwo = KvListsTest.keyOn(2, 3, "t");
            assertEquals("1-1", writer.call("XADD", onOne, "1-1", "a", "1"));
            first.send("XREAD", "BLOCK", "0", "STREAMS", onTwo, onOne, "$", "$");
            KvBlockingTest.awaitBlocked(writer, 1);
            second.send("XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", onOne, "1-1");
            KvBlockingTest.awaitBlocked(writer, 2);
            assertFalse(first.replied() || second.replied());
            assertEquals(List.of(), writer.call("XRANGE", onTwo, "-", "+")); // no stream there yet
            assertEquals("2-1", writer.call("XADD", onOne, "2-1", "b", "2"));
            assertEquals(List.of(List.of(onOne, List.of(List.of("2-1", List.of("b", "2"))))),
                    KvBlockingTest.readLater(first).get(10, TimeUnit.SECONDS));
            assertEquals(List.of(List.of(onOne, List.of(List.of("2-1", List.of("b", "2"))))),
                    KvBlockingTest.readLater(second).get(10, TimeUnit.SECONDS));
            assertEquals(0L, KvBlockingTest.blocked(writer));
            // a timeout, and the connection answers again after it
            long start = System.nanoTime();
            assertNull(first.call("XREAD", "BLOCK", "50", "STREAMS", onTwo, onOne, "$", "$"));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
            assertEquals("PONG", first.call("PING"));
            // a stream made by the XADD that wakes the waiter
            first.send("XREAD", "BLOCK", "0", "STREAMS", onTwo, "$");
            KvBlockingTest.awaitBlocked(writer, 1);
            assertEquals("7-7", writer.call("XADD", onTwo, "7-7", "c", "3"));
            assertEquals(List.of(List.of(onTwo, List.of(List.of("7-7", List.of("c", "3"))))),
                    KvBlockingTest.readLater(first).get(10, TimeUnit.SECONDS));
        } finally {
            for (RespClient c : spare) {
                c.close();
            }
        }
    }

    /**
     * A stream moved between shards (RENAME, COPY) keeps its entries and bookkeeping and shares nothing
     * with its copy; a RENAME onto a key a read blocks on serves it, as in Redis; an XADD is a change
     * to a watched key; a closed waiter is dropped.
     */
    @Test
    void movesCopiesWatchesAndClosedWaiters() throws Exception {
        String a = KvListsTest.keyOn(0, 2, "a");
        String b = KvListsTest.keyOn(1, 2, "b");
        String c2 = KvListsTest.keyOn(1, 2, "c");
        try (KvTestServer server = server(2); RespClient c = server.client(); RespClient waiter = server.client()) {
            c.call("XADD", a, "1-1", "f", "1");
            c.call("XADD", a, "2-2", "f", "2");
            c.call("XDEL", a, "1-1");
            Object info = c.call("XINFO", "STREAM", a);
            assertEquals(1L, c.call("COPY", a, c2));
            assertEquals(info, c.call("XINFO", "STREAM", c2));
            assertEquals("3-3", c.call("XADD", c2, "3-3", "f", "3"));
            assertEquals(1L, c.call("XLEN", a)); // the copy shares nothing
            waiter.send("XREAD", "BLOCK", "0", "STREAMS", b, "$");
            KvBlockingTest.awaitBlocked(c, 1);
            assertEquals("OK", c.call("RENAME", a, b)); // across shards, onto the key the read blocks on
            assertEquals(List.of(List.of(b, List.of(List.of("2-2", List.of("f", "2"))))),
                    KvBlockingTest.readLater(waiter).get(10, TimeUnit.SECONDS));
            assertEquals(info, c.call("XINFO", "STREAM", b));
            assertEquals(0L, c.call("EXISTS", a));
            // WATCH: an XADD by another connection fails the transaction
            assertEquals("OK", c.call("WATCH", b));
            waiter.call("XADD", b, "4-4", "f", "4");
            c.call("MULTI");
            c.call("XLEN", b);
            assertNull(c.call("EXEC"));
            // a waiter whose connection closes is dropped; the next XADD serves nobody
            RespClient closing = server.client();
            closing.send("XREAD", "BLOCK", "0", "STREAMS", b, "$");
            KvBlockingTest.awaitBlocked(c, 1);
            closing.close();
            KvBlockingTest.awaitBlocked(c, 0);
            assertEquals("5-5", c.call("XADD", b, "5-5", "f", "5"));
            assertEquals(3L, c.call("XLEN", b));
            // an emptied stream is a key that moves as one
            assertEquals(3L, c.call("XDEL", b, "2-2", "4-4", "5-5"));
            Object empty = c.call("XINFO", "STREAM", b);
            assertEquals("OK", c.call("RENAME", b, a));
            assertEquals(empty, c.call("XINFO", "STREAM", a));
        }
    }

    /**
     * maxmemory counts a stream as it grows: MEMORY USAGE follows its entries; over the limit under
     * noeviction an XADD gets Redis's OOM error while reads and XDEL go on; under allkeys-lru the
     * stream is evicted to make room.
     */
    @Test
    void maxmemoryCountsStreams() throws Exception {
        String value = "v".repeat(100);
        try (KvTestServer server = server(1); RespClient c = server.client()) {
            for (int i = 1; i <= 2_000; i++) {
                c.call("XADD", "big", i + "-0", "f", value);
            }
            long usage = (Long) c.call("MEMORY", "USAGE", "big");
            assertTrue(usage > 2_000 * 100 && usage < 2_000 * 200, "MEMORY USAGE " + usage + " for 2000 entries of 100 bytes");
            assertEquals("OK", c.call("CONFIG", "SET", "maxmemory", "100kb", "maxmemory-policy", "noeviction"));
            assertEquals(new RespClient.Error(Eviction.OOM), c.call("XADD", "big", "*", "f", value));
            assertEquals(new RespClient.Error(Eviction.OOM), c.call("XADD", "other", "*", "f", value));
            assertEquals(2_000L, c.call("XLEN", "big"));
            assertEquals(List.of(List.of("1-0", List.of("f", value))), c.call("XRANGE", "big", "-", "+", "COUNT", "1"));
            assertEquals(1L, c.call("XDEL", "big", "1-0"));
            assertEquals("OK", c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"));
            assertEquals("1-1", c.call("XADD", "other", "1-1", "f", value));
            assertEquals(0L, c.call("EXISTS", "big")); // evicted for the new stream
        }
    }

    /** In RESP3 a woken read is a map of its one stream; a timed-out one a RESP3 null. */
    @Test
    void blockedReadsInResp3() throws Exception {
        try (KvTestServer server = server(2); RespClient waiter = server.client(); RespClient writer = server.client()) {
            waiter.call("HELLO", "3");
            assertEquals(RespClient.RESP3_NULL, waiter.call("XREAD", "BLOCK", "10", "STREAMS", "a", "b", "$", "$"));
            waiter.send("XREAD", "BLOCK", "0", "STREAMS", "a", "b", "$", "$");
            KvBlockingTest.awaitBlocked(writer, 1);
            writer.call("XADD", "b", "1-1", "f", "v");
            assertEquals("{b=[[1-1, [f, v]]]}", String.valueOf(KvBlockingTest.readLater(waiter).get(10, TimeUnit.SECONDS)));
        }
    }

    /**
     * What an XADD allocates on the shard thread, logged and trimmed to about 1000 entries: its entry's
     * packed bytes and ID (kept: a node of 100 entries of one short field is about 2.8 KB), the I/O
     * path's 8-10, and no object per entry.
     */
    @Test
    void anXaddAllocatesAboutWhatItKeeps(@TempDir Path dir) throws Exception {
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC),
                "atoll.io.buffers.debug = false"); RespClient c = server.client()) {
            // kept at about 1000 entries (whole nodes trimmed): a rewrite of the log, which a long stream's growth
            // would start every round, stays small
            java.util.function.IntFunction<byte[]> xadd = i -> RespClient.encode("XADD", "s", "MAXLEN", "~", "1000", "*", "f", "v");
            for (int warmUp = 0; warmUp < 5; warmUp++) {
                KvPopAndZaddAllocationTest.allocatedPer(c, xadd);
            }
            long least = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                least = Math.min(least, KvPopAndZaddAllocationTest.allocatedPer(c, xadd));
            }
            Object memory = c.call("MEMORY", "USAGE", "s");
            long length = (Long) c.call("XLEN", "s");
            String figures = "bytes allocated on the shard thread per XADD: " + least + "; MEMORY USAGE " + memory
                    + " for " + length + " entries";
            System.out.println(figures);
            assertTrue(least < 60, figures);
        }
    }

    /** Every write is logged: the same entries, IDs and bookkeeping after restarts with 3 and 1 shards, then after a rewrite. */
    @Test
    void streamsSurviveARestartWithAnotherShardCount(@TempDir Path dir) throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC);
        List<Object> expected;
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = kv.client()) {
            for (int k = 0; k < 12; k++) {
                String key = "st" + k;
                for (int i = 1; i <= 130; i++) {
                    c.call("XADD", key, i + "-" + k, "f", "v" + i, "g", "w");
                }
                c.call("XDEL", key, "5-" + k, "120-" + k);
                c.call("XTRIM", key, "MAXLEN", "~", "20");          // whole nodes: a record of the length left
                c.call("XADD", key, "MAXLEN", "=", "25", "*", "x", "y");   // an automatic ID, logged as given
                c.call("XSETID", key, "9999999999999-0", "ENTRIESADDED", "500", "MAXDELETEDID", "200-0");
            }
            c.call("XADD", "emptied", "1-1", "a", "b");
            c.call("XDEL", "emptied", "1-1");
            c.call("XADD", "trimmed", "MAXLEN", "0", "7-7", "a", "b");
            expected = state(c);
        }
        for (int shards : new int[] {3, 1}) {
            try (KvTestServer kv = KvTestServer.start(shards, DriverKind.AUTO, settings); RespClient c = kv.client()) {
                assertEquals(expected, state(c), "with " + shards + " shards");
                if (shards == 1) {
                    assertTrue(c.call("BGREWRITEAOF").toString().startsWith("Background"));
                    awaitRewrite(c);
                }
            }
        }
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = kv.client()) {
            assertEquals(expected, state(c), "after the rewrite");
        }
    }

    /** Waits (bounded: 20 s) until the rewrite asked for is done. */
    static void awaitRewrite(RespClient c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String info = (String) c.call("INFO", "persistence");
        while (!(info.contains("aof_rewrite_in_progress:0") && !info.contains("aof_rewrites:0")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            info = (String) c.call("INFO", "persistence");
        }
        assertTrue(info.contains("aof_rewrite_in_progress:0") && !info.contains("aof_rewrites:0"), info);
    }

    /** What a restart must keep: each stream's entries and XINFO's bookkeeping (its radix figures and first ID apart: a rewrite packs the nodes anew). */
    private static List<Object> state(RespClient c) throws Exception {
        List<Object> state = new ArrayList<>();
        for (String key : List.of("st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7", "st8", "st9", "st10", "st11",
                "emptied", "trimmed")) {
            state.add(c.call("XRANGE", key, "-", "+"));
            Object reply = c.call("XINFO", "STREAM", key);
            assertTrue(reply instanceof List, key + ": " + reply);
            List<?> info = new ArrayList<>((List<?>) reply);
            info.subList(2, 6).clear(); // radix-tree-keys and radix-tree-nodes
            state.add(info);
        }
        state.add(c.call("DBSIZE"));
        return state;
    }
}
