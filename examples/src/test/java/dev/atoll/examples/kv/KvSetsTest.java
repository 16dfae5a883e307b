package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sets: every command on 1 and 2 shards, RESP2 and RESP3, Redis 7.0's encodings and where they
 * change, WRONGTYPE and the error texts (as redis-server 7.0.15 answers them), the multi-key
 * commands with keys on different shards, and the log across restarts with another shard count.
 */
class KvSetsTest {
    private static final String WRONGTYPE = KvShard.WRONGTYPE;
    private static KvTestServer one;
    private static KvTestServer two;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        one = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
        two = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    @AfterAll
    static void stop() {
        one.close();
        two.close();
    }

    /** A flushed client of the server of {@code shards} shards. */
    private static RespClient client(int shards) throws Exception {
        RespClient c = (shards == 1 ? one : two).client();
        assertEquals("OK", c.call("FLUSHALL"));
        return c;
    }

    private static RespClient.Error error(String text) {
        return new RespClient.Error(text);
    }

    /** A key named {@code prefix} and a number that shard {@code shard} of {@code shards} owns. */
    static String keyOn(int shard, int shards, String prefix) {
        for (int i = 0; ; i++) {
            byte[] key = (prefix + i).getBytes(StandardCharsets.UTF_8);
            if (KeySlots.owner(key, 0, key.length, shards) == shard) {
                return prefix + i;
            }
        }
    }

    /** The members of a reply (an array, or a RESP3 set) as a set. */
    private static Set<Object> members(Object reply) {
        List<?> list = reply instanceof RespClient.RespSet s ? s.elements() : (List<?>) reply;
        Set<Object> set = new HashSet<>(list);
        assertEquals(list.size(), set.size(), "no member twice: " + list);
        return set;
    }

    private static Set<Object> setOf(Object... members) {
        return new HashSet<>(Arrays.asList(members));
    }

    private static String[] command(String name, String key, IntStream members) {
        return Stream.concat(Stream.of(name, key), members.mapToObj(Integer::toString)).toArray(String[]::new);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void singleKeyCommandsAsRedis(int shards) throws Exception {
        try (RespClient c = client(shards)) {
            assertEquals(3L, c.call("SADD", "s", "3", "1", "2"));
            assertEquals(1L, c.call("SADD", "s", "1", "4"));
            assertEquals(List.of("1", "2", "3", "4"), c.call("SMEMBERS", "s")); // an intset: ascending
            assertEquals(4L, c.call("SCARD", "s"));
            assertEquals(0L, c.call("SCARD", "nokey"));
            assertEquals(1L, c.call("SISMEMBER", "s", "3"));
            assertEquals(0L, c.call("SISMEMBER", "s", "03"));
            assertEquals(0L, c.call("SISMEMBER", "nokey", "3"));
            assertEquals(List.of(1L, 0L, 1L), c.call("SMISMEMBER", "s", "1", "x", "4"));
            assertEquals(List.of(0L, 0L), c.call("SMISMEMBER", "nokey", "1", "2"));
            assertEquals(List.of(), c.call("SMEMBERS", "nokey"));
            assertEquals(2L, c.call("SREM", "s", "1", "2", "x"));
            assertEquals(0L, c.call("SREM", "nokey", "1"));
            assertEquals(2L, c.call("SREM", "s", "3", "4"));
            assertEquals(0L, c.call("EXISTS", "s")); // the last member takes the key with it
            assertEquals(3L, c.call("SADD", "t", "a", "b", "c"));
            assertEquals("set", c.call("TYPE", "t"));
            assertEquals(setOf("a", "b", "c"), members(c.call("SMEMBERS", "t")));
            c.call("SET", "str", "x");
            List<Object> found = new ArrayList<>();
            String cursor = "0";
            do { // SCAN ... TYPE set finds sets only, on every shard
                List<?> page = (List<?>) c.call("SCAN", cursor, "TYPE", "set");
                cursor = (String) page.get(0);
                found.addAll((List<?>) page.get(1));
            } while (!cursor.equals("0"));
            assertEquals(List.of("t"), found);

            assertNull(c.call("SPOP", "nokey"));
            assertEquals(List.of(), c.call("SPOP", "nokey", "3"));
            assertEquals(List.of(), c.call("SPOP", "t", "0"));
            assertTrue(setOf("a", "b", "c").contains(c.call("SPOP", "t")));
            assertEquals(2L, c.call("SCARD", "t"));
            assertEquals(2, members(c.call("SPOP", "t", "5")).size()); // more than it holds: all, and the key goes
            assertEquals(0L, c.call("EXISTS", "t"));
            c.call(command("SADD", "n", IntStream.range(0, 100)));
            Set<Object> popped = members(c.call("SPOP", "n", "30"));
            assertEquals(30, popped.size());
            assertEquals(70L, c.call("SCARD", "n"));
            for (Object member : popped) {
                assertEquals(0L, c.call("SISMEMBER", "n", (String) member));
            }
            Set<Object> rest = members(c.call("SPOP", "n", "69")); // most of it: the rest is rebuilt
            assertEquals(69, rest.size());
            assertEquals(1L, c.call("SCARD", "n"));

            assertNull(c.call("SRANDMEMBER", "nokey"));
            assertEquals(List.of(), c.call("SRANDMEMBER", "nokey", "3"));
            c.call("SADD", "r", "a", "b", "c", "d", "e");
            Set<Object> all = setOf("a", "b", "c", "d", "e");
            assertTrue(all.contains(c.call("SRANDMEMBER", "r")));
            assertEquals(List.of(), c.call("SRANDMEMBER", "r", "0"));
            assertEquals(all, members(c.call("SRANDMEMBER", "r", "10")));
            Set<Object> three = members(c.call("SRANDMEMBER", "r", "3"));
            assertEquals(3, three.size());
            assertTrue(all.containsAll(three));
            List<?> repeats = (List<?>) c.call("SRANDMEMBER", "r", "-20");
            assertEquals(20, repeats.size());
            assertTrue(all.containsAll(repeats));
            assertEquals(5L, c.call("SCARD", "r")); // SRANDMEMBER takes nothing
            c.call(command("SADD", "big", IntStream.range(0, 1000)));
            Set<Object> some = members(c.call("SRANDMEMBER", "big", "10")); // few of a hashtable: picked one by one
            assertEquals(10, some.size());
            assertEquals(300, members(c.call("SRANDMEMBER", "big", "300")).size()); // a third or more: shuffled
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void errorsAsRedis(int shards) throws Exception {
        try (RespClient c = client(shards)) {
            c.call("SET", "str", "x");
            c.call("SADD", "a", "1");
            for (String[] command : new String[][] {{"SADD", "str", "a"}, {"SREM", "str", "a"}, {"SCARD", "str"},
                    {"SISMEMBER", "str", "a"}, {"SMISMEMBER", "str", "a"}, {"SMEMBERS", "str"}, {"SRANDMEMBER", "str"},
                    {"SRANDMEMBER", "str", "2"}, {"SPOP", "str"}, {"SPOP", "str", "2"}, {"SSCAN", "str", "0"},
                    {"SINTER", "nokey", "str"}, {"SINTER", "str", "nokey"}, {"SUNION", "a", "str"}, {"SDIFF", "a", "str"},
                    {"SINTERSTORE", "d", "nokey", "str"}, {"SUNIONSTORE", "d", "str"}, {"SDIFFSTORE", "d", "a", "str"},
                    {"SINTERCARD", "2", "nokey", "str"}, {"SMOVE", "a", "str", "1"}, {"SMOVE", "str", "a", "1"}}) {
                assertEquals(error(WRONGTYPE), c.call(command), String.join(" ", command));
            }
            assertEquals(0L, c.call("SMOVE", "nokey", "str", "1")); // an absent source first
            assertEquals("x", c.call("GET", "str"));
            assertEquals(error(WRONGTYPE), c.call("GET", "a"));
            String positive = "ERR value is out of range, must be positive";
            assertEquals(error(positive), c.call("SPOP", "a", "x"));
            assertEquals(error(positive), c.call("SPOP", "a", "-1"));
            assertEquals(error(positive), c.call("SPOP", "str", "x")); // the count before the type
            assertEquals(error("ERR syntax error"), c.call("SPOP", "a", "1", "2"));
            assertEquals(error(KvShard.NOT_INTEGER), c.call("SRANDMEMBER", "a", "x"));
            assertEquals(error(KvShard.NOT_INTEGER), c.call("SRANDMEMBER", "str", "x"));
            assertEquals(error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"),
                    c.call("SRANDMEMBER", "a", "-9223372036854775808"));
            assertEquals(error("ERR syntax error"), c.call("SRANDMEMBER", "a", "1", "2"));
            assertEquals(error("ERR numkeys should be greater than 0"), c.call("SINTERCARD", "0", "a"));
            assertEquals(error("ERR numkeys should be greater than 0"), c.call("SINTERCARD", "x", "a"));
            assertEquals(error("ERR Number of keys can't be greater than number of args"), c.call("SINTERCARD", "2", "a"));
            assertEquals(error("ERR syntax error"), c.call("SINTERCARD", "1", "a", "LIMIT"));
            assertEquals(error("ERR LIMIT can't be negative"), c.call("SINTERCARD", "1", "a", "LIMIT", "-1"));
            assertEquals(error("ERR LIMIT can't be negative"), c.call("SINTERCARD", "1", "a", "LIMIT", "x"));
            assertEquals(error("ERR syntax error"), c.call("SINTERCARD", "1", "a", "FOO", "1"));
            assertEquals(error("ERR invalid cursor"), c.call("SSCAN", "a", "x"));
            assertEquals(error("ERR invalid cursor"), c.call("SSCAN", "str", "x")); // the cursor before the type
            assertEquals(error("ERR invalid cursor"), c.call("SSCAN", "a", " 1"));
            assertEquals(error("ERR invalid cursor"), c.call("SSCAN", "a", "18446744073709551616"));
            assertEquals(List.of("0", List.of("1")), c.call("SSCAN", "a", "-1")); // strtoul's reading
            assertEquals(error("ERR syntax error"), c.call("SSCAN", "a", "0", "COUNT", "0"));
            assertEquals(error("ERR syntax error"), c.call("SSCAN", "a", "0", "MATCH"));
            assertEquals(List.of("0", List.of()), c.call("SSCAN", "nokey", "0", "COUNT", "0")); // absent: before the options
            for (String[] command : new String[][] {{"SADD", "a"}, {"SREM", "a"}, {"SCARD"}, {"SISMEMBER", "a"},
                    {"SMISMEMBER", "a"}, {"SMEMBERS"}, {"SRANDMEMBER"}, {"SPOP"}, {"SSCAN", "a"}, {"SMOVE", "a", "b"},
                    {"SINTER"}, {"SINTERCARD", "1"}, {"SUNION"}, {"SDIFF"}, {"SINTERSTORE", "d"}, {"SUNIONSTORE", "d"},
                    {"SDIFFSTORE", "d"}}) {
                assertEquals(error("ERR wrong number of arguments for '" + command[0].toLowerCase() + "' command"),
                        c.call(command), String.join(" ", command));
            }
        }
    }

    @Test
    void encodingsChangeWhereRedisChangesThem() throws Exception {
        try (RespClient c = client(2)) {
            c.call(command("SADD", "i", IntStream.range(0, 512)));
            assertEquals("intset", c.call("OBJECT", "ENCODING", "i")); // set-max-intset-entries 512
            c.call("SADD", "i", "512");
            assertEquals("hashtable", c.call("OBJECT", "ENCODING", "i")); // the 513th
            c.call(command("SREM", "i", IntStream.range(0, 100)));
            assertEquals("hashtable", c.call("OBJECT", "ENCODING", "i")); // and stays one
            for (String member : new String[] {"9223372036854775807", "-9223372036854775808", "0", "-1"}) {
                c.call("DEL", "t");
                c.call("SADD", "t", member);
                assertEquals("intset", c.call("OBJECT", "ENCODING", "t"), member);
            }
            for (String member : new String[] {"01", "+1", "-0", "1 ", " 1", "9223372036854775808", "-9223372036854775809",
                    "1.0", "", "a"}) {
                c.call("DEL", "t");
                c.call("SADD", "t", member);
                assertEquals("hashtable", c.call("OBJECT", "ENCODING", "t"), "'" + member + "'");
            }
            c.call("SADD", "mixed", "1", "2");
            c.call("SADD", "mixed", "a");
            assertEquals("hashtable", c.call("OBJECT", "ENCODING", "mixed"));
            c.call(command("SADD", "many", IntStream.range(0, 600)));
            assertEquals("hashtable", c.call("OBJECT", "ENCODING", "many"));
            // SPOP of most of a set rebuilds it from what stays (Redis's SPOP_MOVE_STRATEGY_MUL 5): an intset again
            c.call("SPOP", "many", "500");
            assertEquals(100L, c.call("SCARD", "many"));
            assertEquals("intset", c.call("OBJECT", "ENCODING", "many"));
            c.call(command("SADD", "few", IntStream.range(0, 600)));
            c.call("SPOP", "few", "499"); // 101 stay: 505 > 499, popped one by one
            assertEquals("hashtable", c.call("OBJECT", "ENCODING", "few"));
            // A stored result is an intset when its members allow; SMOVE makes its destination from the member.
            c.call("SADD", "h", "a", "1", "2", "3");
            c.call("SUNIONSTORE", "u", "h");
            assertEquals("hashtable", c.call("OBJECT", "ENCODING", "u"));
            c.call("SREM", "h", "a");
            c.call("SUNIONSTORE", "u", "h");
            assertEquals("intset", c.call("OBJECT", "ENCODING", "u"));
            assertEquals(List.of("1", "2", "3"), c.call("SMEMBERS", "u"));
            c.call("SDIFFSTORE", "dd", "h", "nokey");
            assertEquals("intset", c.call("OBJECT", "ENCODING", "dd"));
            c.call("SMOVE", "h", "moved", "2");
            assertEquals("intset", c.call("OBJECT", "ENCODING", "moved"));
            assertEquals("hashtable", c.call("OBJECT", "ENCODING", "h"));
            c.call("COPY", "i", "icopy");
            assertEquals("hashtable", c.call("OBJECT", "ENCODING", "icopy")); // a copy keeps the encoding
            assertEquals(c.call("SCARD", "i"), c.call("SCARD", "icopy"));
        }
    }

    @Test
    void resp3RepliesAreSetsWhereRedisUsesThem() throws Exception {
        for (int shards : new int[] {1, 2}) {
            try (RespClient c = client(shards)) {
                c.call("HELLO", "3");
                c.call("SADD", "s", "3", "1", "2");
                c.call("SADD", "t", "2", "3", "4");
                assertEquals(new RespClient.RespSet(List.of("1", "2", "3")), c.call("SMEMBERS", "s"));
                assertEquals(new RespClient.RespSet(List.of()), c.call("SMEMBERS", "nokey"));
                assertEquals(new RespClient.RespSet(List.of("2", "3")), c.call("SINTER", "s", "t"));
                assertEquals(new RespClient.RespSet(List.of()), c.call("SINTER", "s", "nokey"));
                assertEquals(new RespClient.RespSet(List.of("1", "2", "3", "4")), c.call("SUNION", "s", "t"));
                assertEquals(new RespClient.RespSet(List.of("1")), c.call("SDIFF", "s", "t"));
                assertEquals(2L, c.call("SINTERCARD", "2", "s", "t", "LIMIT", "0"));
                assertEquals(new RespClient.RespSet(List.of()), c.call("SPOP", "nokey", "2"));
                assertEquals(new RespClient.RespSet(List.of()), c.call("SPOP", "s", "0"));
                assertInstanceOf(RespClient.RespSet.class, c.call("SPOP", "s", "1"));
                assertInstanceOf(List.class, c.call("SRANDMEMBER", "t", "2")); // arrays, as in Redis 7.0
                assertInstanceOf(List.class, c.call("SRANDMEMBER", "t", "-2"));
                assertEquals(List.of(), c.call("SRANDMEMBER", "nokey", "2"));
                assertEquals(RespClient.RESP3_NULL, c.call("SRANDMEMBER", "nokey"));
                assertEquals(RespClient.RESP3_NULL, c.call("SPOP", "nokey"));
                assertEquals(List.of(1L, 0L), c.call("SMISMEMBER", "t", "2", "9"));
                assertEquals(List.of("0", List.of("2", "3", "4")), c.call("SSCAN", "t", "0"));
            }
        }
    }

    @Test
    void combiningAsRedisOnOneShardAndAcross() throws Exception {
        for (int shards : new int[] {1, 2}) {
            try (RespClient c = client(shards)) {
                String a = keyOn(0, shards, "a");
                String b = keyOn(shards - 1, shards, "b");
                String d = keyOn(shards - 1, shards, "d");
                String e = keyOn(0, shards, "e");
                c.call("SADD", a, "1", "2", "3", "x", "y");
                c.call("SADD", b, "2", "3", "4", "y", "z");
                assertEquals(setOf("2", "3", "y"), members(c.call("SINTER", a, b)));
                assertEquals(setOf("1", "2", "3", "4", "x", "y", "z"), members(c.call("SUNION", a, b)));
                assertEquals(setOf("1", "x"), members(c.call("SDIFF", a, b)));
                assertEquals(setOf("4", "z"), members(c.call("SDIFF", b, a, "nokey")));
                assertEquals(List.of(), c.call("SINTER", a, b, "nokey"));
                assertEquals(List.of(), c.call("SDIFF", "nokey", a));
                assertEquals(3L, c.call("SINTERCARD", "2", a, b));
                assertEquals(2L, c.call("SINTERCARD", "2", a, b, "LIMIT", "2"));
                assertEquals(3L, c.call("SINTERCARD", "2", a, b, "LIMIT", "0"));
                assertEquals(0L, c.call("SINTERCARD", "3", a, b, "nokey"));
                assertEquals(error("ERR LIMIT can't be negative"), c.call("SINTERCARD", "2", a, b, "LIMIT", "-1"));

                c.call("SET", d, "a string with a TTL", "EX", "100");
                assertEquals(3L, c.call("SINTERSTORE", d, a, b)); // replaces any type, drops the expiry
                assertEquals(setOf("2", "3", "y"), members(c.call("SMEMBERS", d)));
                assertEquals(-1L, c.call("TTL", d));
                assertEquals(7L, c.call("SUNIONSTORE", e, a, b));
                assertEquals(2L, c.call("SDIFFSTORE", e, a, b, "nokey"));
                assertEquals(setOf("1", "x"), members(c.call("SMEMBERS", e)));
                assertEquals(2L, c.call("SDIFFSTORE", a, a, b)); // the destination among the sources
                assertEquals(setOf("1", "x"), members(c.call("SMEMBERS", a)));
                assertEquals(0L, c.call("SINTERSTORE", d, a, "nokey")); // empty: the destination goes
                assertEquals(0L, c.call("EXISTS", d));
                String str = keyOn(shards - 1, shards, "str");
                c.call("SET", str, "v");
                assertEquals(error(WRONGTYPE), c.call("SUNIONSTORE", e, a, str));
                assertEquals(error(WRONGTYPE), c.call("SINTER", "nokey", str));
                assertEquals(setOf("1", "x"), members(c.call("SMEMBERS", e))); // unchanged

                // The next command of the connection, pipelined right behind, sees the store done.
                c.send("SUNIONSTORE", d, a, b);
                c.send("SCARD", d);
                assertEquals(7L, c.read());
                assertEquals(7L, c.read());
            }
        }
    }

    @Test
    void smoveAcrossShards() throws Exception {
        try (RespClient c = client(2)) {
            String src = keyOn(0, 2, "src");
            String dst = keyOn(1, 2, "dst");
            String str = keyOn(1, 2, "str");
            c.call("SADD", src, "a", "b");
            c.call("SET", str, "v");
            assertEquals(0L, c.call("SMOVE", "nokey" + keyOn(0, 2, "n"), str, "a")); // an absent source first
            assertEquals(error(WRONGTYPE), c.call("SMOVE", src, str, "a"));
            assertEquals(error(WRONGTYPE), c.call("SMOVE", str, src, "a"));
            assertEquals(error(WRONGTYPE), c.call("SMOVE", src, str, "zz")); // the type before the member
            assertEquals(0L, c.call("SMOVE", src, dst, "zz"));
            assertEquals(0L, c.call("EXISTS", dst));
            assertEquals(1L, c.call("SMOVE", src, dst, "a"));
            assertEquals(List.of("b"), c.call("SMEMBERS", src));
            assertEquals(List.of("a"), c.call("SMEMBERS", dst));
            c.call("SADD", dst, "b");
            assertEquals(1L, c.call("SMOVE", src, dst, "b")); // already there: only the source changes
            assertEquals(0L, c.call("EXISTS", src)); // its last member went
            assertEquals(setOf("a", "b"), members(c.call("SMEMBERS", dst)));
            c.call("SADD", dst, "7");
            assertEquals(1L, c.call("SMOVE", dst, src, "7"));
            assertEquals("intset", c.call("OBJECT", "ENCODING", src)); // made from its first member, as SADD would
            // Pipelined: each command after a move sees it done.
            c.send("SMOVE", src, dst, "7");
            c.send("SISMEMBER", dst, "7");
            c.send("EXISTS", src);
            assertEquals(1L, c.read());
            assertEquals(1L, c.read());
            assertEquals(0L, c.read());
        }
    }

    @Test
    void opposedSmovesAcrossShardsNeverLoseTheMember() throws Exception {
        String a = keyOn(0, 2, "a");
        String b = keyOn(1, 2, "b");
        try (RespClient c = client(2)) {
            c.call("SADD", a, "m", "other");
            c.call("SADD", b, "other");
            java.util.concurrent.CompletableFuture<?>[] movers = new java.util.concurrent.CompletableFuture<?>[2];
            for (int k = 0; k < 2; k++) {
                String from = k == 0 ? a : b;
                String to = k == 0 ? b : a;
                movers[k] = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try (RespClient mover = two.client()) {
                        for (int i = 0; i < 300; i++) {
                            mover.call("SMOVE", from, to, "m");
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, KvTestServer.THREADS);
            }
            java.util.concurrent.CompletableFuture.allOf(movers).get(60, TimeUnit.SECONDS);
            // Two moves in flight at once: each one's step 3 takes the member from its source only if that set did
            // not change since its step 1, so the member may stay in both sets, never in neither.
            long where = (Long) c.call("SISMEMBER", a, "m") + (Long) c.call("SISMEMBER", b, "m");
            assertTrue(where >= 1, "the member was lost");
        }
    }

    @Test
    void sscanSeesEveryMemberPresentThroughout() throws Exception {
        try (RespClient c = client(1)) {
            c.call("SADD", "small", "1", "2", "3", "10");
            assertEquals(List.of("0", List.of("1", "2", "3", "10")), c.call("SSCAN", "small", "0")); // an intset: whole
            assertEquals(List.of("0", List.of("1", "10")), c.call("SSCAN", "small", "0", "MATCH", "1*"));
            Set<String> kept = new TreeSet<>();
            for (int i = 0; i < 2000; i++) {
                kept.add("m" + i);
            }
            c.call(Stream.concat(Stream.of("SADD", "big"), kept.stream()).toArray(String[]::new));
            Set<Object> seen = new HashSet<>();
            String cursor = "0";
            int calls = 0;
            int added = 0;
            do {
                List<?> page = (List<?>) c.call("SSCAN", "big", cursor, "COUNT", "50");
                cursor = (String) page.get(0);
                seen.addAll((List<?>) page.get(1));
                // Members come and go meanwhile, the table grows and shrinks: those present throughout are all seen.
                for (int k = 0; k < 60; k++) {
                    c.call("SADD", "big", "extra" + added++);
                }
                if (calls % 3 == 2) {
                    c.call(Stream.concat(Stream.of("SREM", "big"), IntStream.range(added - 150, added)
                            .mapToObj(k -> "extra" + k)).toArray(String[]::new));
                }
                calls++;
            } while (!cursor.equals("0"));
            assertTrue(seen.containsAll(kept), "missing: " + kept.stream().filter(m -> !seen.contains(m)).limit(5).toList());
            assertTrue(calls > 10, "a hashtable is walked in steps: " + calls);
            List<?> matched = (List<?>) ((List<?>) c.call("SSCAN", "big", "0", "MATCH", "m1999", "COUNT", "100000")).get(1);
            assertEquals(List.of("m1999"), matched);
        }
    }

    @Test
    void everySetSurvivesARestartWithAnotherShardCount() throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC);
        Set<Object> popped;
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = server.client()) {
            for (int i = 0; i < 50; i++) {
                c.call("SADD", "set" + i, "a", "b", Integer.toString(i));
            }
            c.call(command("SADD", "ints", IntStream.range(0, 600)));
            c.call("SREM", "ints", "5", "6");
            c.call("SADD", "pop", "p1", "p2", "p3", "p4");
            popped = members(c.call("SPOP", "pop", "2"));
            c.call("SPOP", "pop");
            c.call("SADD", "gone", "x");
            c.call("SPOP", "gone", "5");
            String src = keyOn(0, 2, "msrc");
            String dst = keyOn(1, 2, "mdst");
            c.call("SADD", src, "m", "n");
            assertEquals(1L, c.call("SMOVE", src, dst, "m"));
            String store = keyOn(1, 2, "store");
            c.call("SADD", keyOn(0, 2, "i"), "a", "b", "c");
            c.call("SADD", keyOn(0, 2, "j"), "a", "b", "d");
            assertEquals(2L, c.call("SINTERSTORE", store, keyOn(0, 2, "i"), keyOn(0, 2, "j"))); // across shards
            c.call("SADD", "ttl", "v");
            c.call("PEXPIREAT", "ttl", "99999999999999");
            c.call("RENAME", "set3", "renamed");
        }
        for (int shards : new int[] {1, 3, 2}) {
            try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO, settings); RespClient c = server.client()) {
                String with = " with " + shards + " shards";
                assertEquals(setOf("a", "b", "7"), members(c.call("SMEMBERS", "set7")), with);
                assertEquals(598L, c.call("SCARD", "ints"), with);
                assertEquals(0L, c.call("SISMEMBER", "ints", "5"), with);
                assertEquals("hashtable", c.call("OBJECT", "ENCODING", "ints"), with);
                assertEquals(1L, c.call("SCARD", "pop"), with);
                for (Object member : popped) {
                    assertEquals(0L, c.call("SISMEMBER", "pop", (String) member), with);
                }
                assertEquals(0L, c.call("EXISTS", "gone"), with);
                assertEquals(List.of("n"), c.call("SMEMBERS", keyOn(0, 2, "msrc")), with);
                assertEquals(List.of("m"), c.call("SMEMBERS", keyOn(1, 2, "mdst")), with);
                assertEquals(setOf("a", "b"), members(c.call("SMEMBERS", keyOn(1, 2, "store"))), with);
                assertEquals(99999999999999L, c.call("PEXPIRETIME", "ttl"), with);
                assertEquals(setOf("a", "b", "3"), members(c.call("SMEMBERS", "renamed")), with);
                assertEquals(0L, c.call("EXISTS", "set3"), with);
                if (shards == 3) {
                    assertTrue(((String) c.call("BGREWRITEAOF")).startsWith("Background append only file rewriting"));
                }
            }
        }
    }

    @Test
    void acrossShardsUnderAppendfsyncAlways() throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.ALWAYS);
        String a = keyOn(0, 2, "a");
        String b = keyOn(1, 2, "b");
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = server.client()) {
            c.call("SADD", a, "1", "2", "3");
            c.call("SADD", b, "2", "3", "4");
            assertEquals(List.of("2", "3"), c.call("SINTER", a, b));
            assertEquals(4L, c.call("SUNIONSTORE", b, a, b));
            assertEquals(1L, c.call("SMOVE", a, b, "1"));
            assertEquals(0L, c.call("SMOVE", a, keyOn(1, 2, "nothing"), "9")); // not in the source
        }
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals(List.of("2", "3"), c.call("SMEMBERS", a));
            assertEquals(List.of("1", "2", "3", "4"), c.call("SMEMBERS", b));
        }
    }

    /**
     * The script of {@link #everyReplyIsRedisSOwn}: a command whose name starts with '~' is compared as
     * a set of members (a hashtable's order is its own), with '!' not compared at all (random choices).
     */
    private static List<String[]> script() {
        List<String[]> script = new ArrayList<>();
        for (String line : new String[] {
            "SADD s 3 1 2", "SADD s 1 4", "SMEMBERS s", "SCARD s", "SCARD nokey", "SISMEMBER s 3", "SISMEMBER s 03",
            "SMISMEMBER s 1 x 4", "SMISMEMBER nokey 1", "SMEMBERS nokey", "SREM s 1 x", "SREM nokey a", "SADD h a b c 1",
            "~SMEMBERS h", "OBJECT ENCODING s", "OBJECT ENCODING h", "TYPE h", "SADD t 2 3 5", "SINTER s t", "SUNION s t",
            "SDIFF s t", "SDIFF t s nokey", "SINTER s nokey", "~SUNION s h", "~SDIFF h s", "SINTER h s",
            "SINTERCARD 2 s t", "SINTERCARD 2 s t LIMIT 1", "SINTERCARD 0 s", "SINTERCARD x s", "SINTERCARD 3 s t",
            "SINTERCARD 1 s LIMIT", "SINTERCARD 1 s LIMIT -1", "SINTERCARD 1 s LIMIT x", "SINTERCARD 1 s FOO 1",
            "SINTERCARD 2 nokey s", "SINTERSTORE d s t", "SMEMBERS d", "OBJECT ENCODING d", "SUNIONSTORE d s t h",
            "~SMEMBERS d", "OBJECT ENCODING d", "SDIFFSTORE d s t", "SMEMBERS d", "OBJECT ENCODING d",
            "SINTERSTORE d s nokey", "EXISTS d", "SET str x", "SADD str a", "SCARD str", "SMEMBERS str", "SINTER nokey str",
            "SINTERSTORE d nokey str", "SUNIONSTORE d nokey", "SMOVE nokey str 1", "SMOVE s str 2", "SMOVE str s 1",
            "SMOVE s s 2", "SMOVE s s 9", "SMOVE s t 4", "SMOVE s t 99", "SMOVE s newdst 2", "OBJECT ENCODING newdst",
            "SMEMBERS s", "SMEMBERS t", "SPOP nokey", "SPOP nokey 2", "SPOP s 0", "SPOP s x", "SPOP s -1", "SPOP s 1 2",
            "SPOP str x", "SRANDMEMBER nokey", "SRANDMEMBER nokey 3", "SRANDMEMBER s 0", "SRANDMEMBER s x",
            "SRANDMEMBER s -9223372036854775808", "SRANDMEMBER s 1 2", "SRANDMEMBER str x", "SRANDMEMBER t 100",
            "SSCAN t 0", "SSCAN t x", "SSCAN str x", "SSCAN str 0", "SSCAN nokey 0", "SSCAN t 0 COUNT 0", "SSCAN t 0 MATCH",
            "SSCAN t -1", "SSCAN t 0 MATCH 2*", "SSCAN t 0 FOO 1", "SPOP t 100", "EXISTS t",
            "SADD e 9223372036854775807 -9223372036854775808 0 -1", "SMEMBERS e", "OBJECT ENCODING e", "SADD e 01",
            "OBJECT ENCODING e", "~SMEMBERS e", "SISMEMBER e 01", "SISMEMBER e 1", "SREM e 01 0", "~SMEMBERS e",
            "SADD", "SADD s", "SCARD", "SINTERCARD 1", "SMOVE a b", "SSCAN s", "SINTERSTORE d", "SPOP", "SMISMEMBER s"}) {
            script.add(line.split(" "));
        }
        script.add(command("SADD", "big", IntStream.range(0, 512)));
        script.add("OBJECT ENCODING big".split(" "));
        script.add("SSCAN big 0".split(" "));
        script.add("SADD big 512".split(" "));
        script.add("OBJECT ENCODING big".split(" "));
        script.add("SCARD big".split(" "));
        script.add(command("SADD", "many", IntStream.range(0, 600)));
        script.add("!SPOP many 500".split(" "));
        script.add("SCARD many".split(" "));
        script.add("OBJECT ENCODING many".split(" "));
        script.add("SUNIONSTORE u many".split(" "));
        script.add("OBJECT ENCODING u".split(" "));
        return script;
    }

    /** The script to Atoll (two shards: some commands cross them) and to a redis-server, in RESP2 then RESP3. */
    @Test
    void everyReplyIsRedisSOwn() throws Exception {
        String redisServer = KvRedisComparisonTest.onPath("redis-server");
        Assumptions.assumeTrue(redisServer != null, "redis-server is not installed: the comparison with Redis is skipped");
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedis(redisServer, port);
        try (RespClient a = client(2); RespClient r = KvRedisComparisonTest.connect(port)) {
            List<String> differences = new ArrayList<>();
            for (String protocol : new String[] {"2", "3"}) {
                for (RespClient c : List.of(a, r)) {
                    c.call("HELLO", protocol);
                    c.call("FLUSHALL");
                }
                for (String[] line : script()) {
                    boolean unordered = line[0].startsWith("~");
                    boolean compared = !line[0].startsWith("!");
                    String[] command = line.clone();
                    command[0] = line[0].replaceFirst("^[~!]", "");
                    Object expected = r.call(command);
                    Object actual = a.call(command);
                    if (unordered) {
                        expected = normalized(expected);
                        actual = normalized(actual);
                    }
                    if (compared && !String.valueOf(expected).equals(String.valueOf(actual))) {
                        differences.add("RESP" + protocol + " " + String.join(" ", command) + ": redis " + expected
                                + ", atoll " + actual);
                    }
                }
            }
            for (Command command : Command.values()) {
                if (command.group.equals("set")) { // name, arity, flags, first key, last key, step
                    Object expected = ((List<?>) ((List<?>) r.call("COMMAND", "INFO", command.lowerName)).get(0)).subList(0, 6);
                    Object actual = ((List<?>) ((List<?>) a.call("COMMAND", "INFO", command.lowerName)).get(0)).subList(0, 6);
                    if (!expected.equals(actual)) {
                        differences.add("COMMAND INFO " + command.lowerName + ": redis " + expected + ", atoll " + actual);
                    }
                }
            }
            assertEquals(List.of(), differences);
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A reply of members, sorted: RESP3's set or an array, the kind kept. */
    private static Object normalized(Object reply) {
        if (reply instanceof RespClient.RespSet set) {
            return new RespClient.RespSet(set.elements().stream().map(String::valueOf).sorted().map(m -> (Object) m).toList());
        }
        return reply instanceof List<?> list ? list.stream().map(String::valueOf).sorted().toList() : reply;
    }
}
