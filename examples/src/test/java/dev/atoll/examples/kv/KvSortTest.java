package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SORT and SORT_RO (issue 18): a script of every option — numbers and ALPHA, DESC, LIMIT's edges, BY
 * a string or a hash field, BY nosort on lists, sets and sorted sets, GET patterns, STORE (a set
 * stored sorted, missing GET values stored empty, an empty result deleting the destination), the
 * errors — whose replies must be, on 1 and 2 shards, what redis-server 7.0.15 answered (recorded in
 * {@code kv/sort-replies.txt}; {@link #theRecordingIsRedisSOwn} checks it against a fresh redis-server
 * when one is installed). The keys share the hash tag {@code {s}}, so on 2 shards they are on one.
 * The steps with an out-of-range number come last: redis-server 7.0 reads {@code errno} after
 * {@code strtod} without clearing it, so on the same connection its next numeric SORTs would fail too.
 */
class KvSortTest {
    private static final RecordedScript SCRIPT = new RecordedScript("/kv/sort-replies.txt", List.of(
            List.of("RPUSH", "{s}l", "3", "1", "2", "10", "-1", "1.5", "inf"),
            List.of("SORT", "{s}l"),
            List.of("SORT", "{s}l", "DESC"),
            List.of("SORT", "{s}l", "LIMIT", "1", "3"),
            List.of("SORT", "{s}l", "LIMIT", "5", "10"),
            List.of("SORT", "{s}l", "LIMIT", "-2", "2"),
            List.of("SORT", "{s}l", "LIMIT", "2", "0"),
            List.of("SORT", "{s}l", "LIMIT", "0", "-1"),
            List.of("SORT", "{s}l", "LIMIT", "a", "1"),
            List.of("SORT", "{s}l", "LIMIT", "1"),
            List.of("SORT", "{s}l", "ALPHA"),
            List.of("SORT", "{s}l", "ALPHA", "DESC", "LIMIT", "0", "3"),
            List.of("SORT", "{s}l", "BY", "nosort"),
            List.of("SORT", "{s}l", "BY", "nosort", "DESC"),
            List.of("SORT", "{s}l", "BY", "nosort", "LIMIT", "2", "3"),
            List.of("SORT", "{s}l", "BY", "nosort", "DESC", "LIMIT", "2", "3"),
            List.of("SORT", "{s}l", "FOO"),
            List.of("SORT", "{s}l", "BY"),
            List.of("SORT", "{s}missing"),
            List.of("SORT", "{s}missing", "STORE", "{s}dst"),
            List.of("RPUSH", "{s}w", "10", "x", "3"),
            List.of("SORT", "{s}w"),
            List.of("SORT", "{s}w", "ALPHA"),
            List.of("MSET", "{s}w_3", "30", "{s}w_1", "10", "{s}w_2", "-20", "{s}w_10", "5", "{s}w_-1", "0", "{s}w_1.5", "100", "{s}w_inf", "7"),
            List.of("SORT", "{s}l", "BY", "{s}w_*"),
            List.of("SORT", "{s}l", "BY", "{s}w_*", "DESC"),
            List.of("SORT", "{s}l", "BY", "{s}w_*", "LIMIT", "0", "2"),
            List.of("SORT", "{s}l", "BY", "{s}w_*", "ALPHA"),
            List.of("SORT", "{s}l", "BY", "{s}w_*", "GET", "#", "GET", "{s}w_*"),
            List.of("SORT", "{s}l", "BY", "{s}nokey_*", "GET", "#", "GET", "{s}nokey_*"),
            List.of("SORT", "{s}l", "GET", "{s}w_*", "GET", "#", "LIMIT", "0", "3"),
            List.of("SORT", "{s}l", "GET", "{s}w_"),
            List.of("HSET", "{s}h_3", "f", "a"),
            List.of("HSET", "{s}h_1", "f", "c"),
            List.of("HSET", "{s}h_2", "f", "b"),
            List.of("SADD", "{s}set", "3", "1", "2"),
            List.of("SORT", "{s}set", "BY", "{s}h_*->f", "ALPHA"),
            List.of("SORT", "{s}set", "BY", "{s}h_*->f", "ALPHA", "GET", "{s}h_*->f", "GET", "#"),
            List.of("SORT", "{s}set", "GET", "{s}h_*->g"),
            List.of("SORT", "{s}set", "GET", "{s}h_*->"),
            List.of("SORT", "{s}set", "BY", "{s}h_*->f"),
            List.of("SORT", "{s}set", "DESC"),
            List.of("SORT", "{s}set", "STORE", "{s}dst"),
            List.of("LRANGE", "{s}dst", "0", "-1"),
            List.of("SORT", "{s}set", "BY", "nosort", "STORE", "{s}dst"),
            List.of("LRANGE", "{s}dst", "0", "-1"),
            List.of("SORT", "{s}l", "GET", "{s}w_*", "STORE", "{s}dst"),
            List.of("LRANGE", "{s}dst", "0", "-1"),
            List.of("SORT", "{s}l", "BY", "{s}w_*", "GET", "{s}nokey_*", "STORE", "{s}dst"),
            List.of("LRANGE", "{s}dst", "0", "-1"),
            List.of("SORT", "{s}missing", "STORE", "{s}dst"),
            List.of("EXISTS", "{s}dst"),
            List.of("ZADD", "{s}z", "1", "c", "2", "b", "3", "a"),
            List.of("SORT", "{s}z", "ALPHA"),
            List.of("SORT", "{s}z", "BY", "nosort"),
            List.of("SORT", "{s}z", "BY", "nosort", "DESC"),
            List.of("SORT", "{s}z", "BY", "nosort", "LIMIT", "1", "1"),
            List.of("SORT", "{s}z", "BY", "nosort", "DESC", "LIMIT", "1", "5"),
            List.of("SORT", "{s}z"),
            List.of("SET", "{s}str", "x"),
            List.of("SORT", "{s}str"),
            List.of("HSET", "{s}hash", "a", "1"),
            List.of("SORT", "{s}hash"),
            List.of("SORT_RO", "{s}l"),
            List.of("SORT_RO", "{s}l", "STORE", "{s}dst"),
            List.of("SORT_RO", "{s}l", "BY", "{s}w_*", "GET", "#"),
            List.of("SORT", "{s}l", "STORE", "{s}str"),
            List.of("TYPE", "{s}str"),
            List.of("LRANGE", "{s}str", "0", "-1"),
            List.of("RPUSH", "{s}n", "2", "-0", "0", "0.0"),
            List.of("SORT", "{s}n"),
            List.of("SORT", "{s}l", "BY", "nosort", "BY", "{s}w_*"),
            List.of("SORT", "{s}l", "BY", "{s}w_*", "BY", "nosort"),
            List.of("SORT", "{s}l", "ASC", "DESC", "ASC"),
            List.of("RPUSH", "{s}e", "", " 2", "1e400"),
            List.of("SORT", "{s}e"),
            List.of("LPOP", "{s}e"),
            List.of("SORT", "{s}e")
    ));

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void sortAnswersAsRedis(int shards) throws Exception {
        assertEquals(List.of(), SCRIPT.differencesOnAtoll(shards));
    }

    /** The recording is redis-server's own (skipped when it is not installed). */
    @Test
    void theRecordingIsRedisSOwn() throws Exception {
        assertEquals(List.of(), SCRIPT.checkAgainstRedis());
    }

    /**
     * With keys on two shards: a BY or GET pattern that forms a key of another shard is refused with
     * CROSSSHARD and changes nothing (Redis Cluster refuses BY and GET patterns altogether); a STORE
     * into another shard runs as a transaction across the two (the sorted key's owner sorts, the
     * destination's stores), alone and inside MULTI.
     */
    @Test
    void patternsAndStoreStayOnTheSortedKeysShard() throws Exception {
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client()) {
            String list = "list";
            String other = keyOnOtherShard(list, "dst");
            assertEquals(3L, c.call("RPUSH", list, "2", "1", "3"));
            assertEquals("OK", c.call("SET", other, "kept"));
            assertEquals(3L, c.call("SORT", list, "STORE", other));
            assertEquals(List.of("1", "2", "3"), c.call("LRANGE", other, "0", "-1"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SORT", list, "DESC", "LIMIT", "0", "2", "STORE", other));
            assertEquals("QUEUED", c.call("LRANGE", other, "0", "-1"));
            assertEquals("QUEUED", c.call("SORT", list, "BY", "nosort", "BAD", "STORE", other));
            assertEquals(List.of(2L, List.of("3", "2"), new RespClient.Error(KvShard.SYNTAX)), c.call("EXEC"));
            assertEquals("OK", c.call("SET", other, "kept"));
            String weightPrefix = keyOnOtherShard(list, "w_");   // "w_<n>1": the key the pattern forms for element 1
            String pattern = weightPrefix.substring(0, weightPrefix.length() - 1) + "*";
            Object byRefused = c.call("SORT", list, "BY", pattern);
            assertInstanceOf(RespClient.Error.class, byRefused);
            assertTrue(((RespClient.Error) byRefused).text().contains("CROSSSHARD"), byRefused.toString());
            assertInstanceOf(RespClient.Error.class, c.call("SORT", list, "GET", pattern));
            assertEquals(List.of("1", "2", "3"), c.call("SORT", list, "GET", "#"));
            String local = keyOnSameShard(list, "here");
            assertEquals(3L, c.call("SORT", list, "DESC", "STORE", local));
            assertEquals(List.of("3", "2", "1"), c.call("LRANGE", local, "0", "-1"));
        }
    }

    /** A list SORT ... STORE creates serves a client blocked on it, as Redis's STORE does (BLPOP on another connection). */
    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void aStoredListServesAClientBlockedOnIt(int shards) throws Exception {
        try (KvTestServer kv = KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client(); RespClient blocked = kv.client()) {
            assertEquals(3L, c.call("RPUSH", "{t}src", "b", "c", "a"));
            blocked.send("BLPOP", "{t}dst", "10");
            awaitBlocked(c);
            assertEquals(3L, c.call("SORT", "{t}src", "ALPHA", "STORE", "{t}dst"));
            assertEquals(List.of("{t}dst", "a"), blocked.read());
            assertEquals(List.of("b", "c"), c.call("LRANGE", "{t}dst", "0", "-1"));
        }
    }

    /** WATCH sees SORT ... STORE change its destination: the transaction is aborted. */
    @Test
    void aStoreIsAChangeToAWatchedDestination() throws Exception {
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client(); RespClient other = kv.client()) {
            assertEquals(2L, c.call("RPUSH", "{w}src", "2", "1"));
            assertEquals("OK", c.call("WATCH", "{w}dst"));
            assertEquals(2L, other.call("SORT", "{w}src", "STORE", "{w}dst"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("GET", "{w}x"));
            assertEquals(null, c.call("EXEC"));
        }
    }

    /** A stored result is logged: it is there after a restart, also with another shard count. */
    @Test
    void aStoredResultSurvivesARestart(@TempDir Path dir) throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC);
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = kv.client()) {
            assertEquals(3L, c.call("SADD", "{p}set", "10", "9", "100"));
            assertEquals(3L, c.call("SORT", "{p}set", "STORE", "{p}dst"));
        }
        try (KvTestServer kv = KvTestServer.start(3, DriverKind.AUTO, settings); RespClient c = kv.client()) {
            assertEquals(List.of("9", "10", "100"), c.call("LRANGE", "{p}dst", "0", "-1"));
        }
    }

    private static void awaitBlocked(RespClient c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!String.valueOf(c.call("INFO", "clients")).contains("blocked_clients:1")) {
            assertTrue(System.nanoTime() < deadline, "the client never blocked");
            Thread.onSpinWait();
        }
    }

    private static String keyOnOtherShard(String key, String prefix) {
        return keyWhere(key, prefix, false);
    }

    private static String keyOnSameShard(String key, String prefix) {
        return keyWhere(key, prefix, true);
    }

    /** A key starting with {@code prefix} (and, for patterns, ending with the element) on the same or the other of two shards as {@code key}. */
    private static String keyWhere(String key, String prefix, boolean same) {
        int owner = KeySlots.owner(key.getBytes(StandardCharsets.UTF_8), 0, key.length(), 2);
        for (int i = 0; ; i++) {
            String candidate = prefix + i + (prefix.equals("w_") ? "1" : "");
            boolean together = KeySlots.owner(candidate.getBytes(StandardCharsets.UTF_8), 0, candidate.length(), 2) == owner;
            if (together == same) {
                assertNotEquals(key, candidate);
                return candidate;
            }
        }
    }
}
