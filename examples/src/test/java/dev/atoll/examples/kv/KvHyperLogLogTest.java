package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * PFADD, PFCOUNT and PFMERGE (issue 18) against what redis-server 7.0.15 answered: a script of
 * adds, counts, unions, merges (sparse and dense, into new and existing keys), expiry kept, every
 * error (arity, WRONGTYPE of another type, a string that is not a HyperLogLog, corrupt sparse
 * opcodes), PFDEBUG's subcommands, on 1 and 2 shards, in RESP2 and RESP3 ({@code kv/hll-replies.txt}); then the bytes each
 * key holds ({@code kv/hll-bytes.txt}: GET, byte for byte). On 2 shards the keys {@code a}..{@code d}
 * are on both, so PFCOUNT and PFMERGE of them go across shards. Both recordings are checked against
 * a fresh redis-server when one is installed ({@code -Drecord=FILE}, {@code -Drecord.bytes=FILE}).
 */
class KvHyperLogLogTest {
    private static final List<String> BIG = elements("e", 3000);
    private static final RecordedScript SCRIPT = new RecordedScript("/kv/hll-replies.txt", steps());
    private static final List<String> KEYS = List.of("h", "a", "b", "c", "d", "m", "new", "big", "m2", "m3", "t", "x");

    private static List<List<String>> steps() {
        List<List<String>> s = new ArrayList<>(List.of(
                List.of("PFADD", "h"),
                List.of("STRLEN", "h"),
                List.of("PFADD", "h", "a", "b", "c"),
                List.of("PFADD", "h", "a"),
                List.of("PFCOUNT", "h"),
                List.of("PFCOUNT", "h"),
                List.of("STRLEN", "h"),
                List.of("PFADD", "a", "1", "2", "3", "4", "5"),
                List.of("PFADD", "b", "4", "5", "6", "7"),
                List.of("PFADD", "c", "x"),
                List.of("PFCOUNT", "a", "b"),
                List.of("PFCOUNT", "a", "b", "c", "d"),
                List.of("PFCOUNT", "d", "a"),
                List.of("PFMERGE", "m", "a", "b"),
                List.of("PFCOUNT", "m"),
                List.of("PFMERGE", "c", "a", "b", "d"),
                List.of("PFCOUNT", "c"),
                List.of("PFMERGE", "d", "a"),
                List.of("PFCOUNT", "d"),
                List.of("PFMERGE", "new"),
                List.of("EXISTS", "new"),
                List.of("STRLEN", "new"),
                List.of("PFMERGE", "m"),
                List.of("PFCOUNT", "missing"),
                List.of("PFCOUNT", "missing", "missing2"),
                List.of("EXISTS", "missing"),
                List.of("PFADD", "t", "a"),
                List.of("PEXPIRE", "t", "100000"),
                List.of("PFADD", "t", "b"),
                List.of("TTL", "t"),
                List.of("PFCOUNT", "t"),
                List.of("TTL", "t"),
                List.of("PFMERGE", "t", "a"),
                List.of("TTL", "t"),
                List.of("SET", "s", "hello"),
                List.of("PFADD", "s", "a"),
                List.of("PFCOUNT", "s"),
                List.of("PFCOUNT", "h", "s"),
                List.of("PFMERGE", "m", "s"),
                List.of("PFMERGE", "s", "h"),
                List.of("PFMERGE", "s"),
                List.of("LPUSH", "l", "x"),
                List.of("PFADD", "l", "a"),
                List.of("PFCOUNT", "l"),
                List.of("PFCOUNT", "h", "l"),
                List.of("PFMERGE", "m", "l"),
                List.of("PFMERGE", "l", "h"),
                List.of("PFCOUNT", "l", "s"),
                List.of("SET", "bad", "HYLL\u0001\0\0\0\0\0\0\0\0\0\0\u0080\0"),
                List.of("PFCOUNT", "bad"),
                List.of("PFADD", "bad", "a"),
                List.of("PFCOUNT", "h", "bad"),
                List.of("PFMERGE", "m", "bad"),
                List.of("SET", "notdense", "HYLL\0\0\0\0\0\0\0\0\0\0\0\0"),
                List.of("PFCOUNT", "notdense"),
                List.of("SET", "short", "HYLL\u0001"),
                List.of("PFADD", "short", "a"),
                List.of("SET", "enc", "HYLL\u0002\0\0\0\0\0\0\0\0\0\0\0\u007f\u007f"),
                List.of("PFCOUNT", "enc"),
                List.of("SET", "n", "12345678901234567"),
                List.of("PFADD", "n", "a"),
                List.of("PFADD", "PFADD"),
                List.of("PFADD"),
                List.of("PFCOUNT"),
                List.of("PFMERGE")));
        List<String> big = new ArrayList<>(List.of("PFADD", "big"));
        big.addAll(BIG);
        s.add(big);
        s.addAll(List.of(
                List.of("STRLEN", "big"),
                List.of("PFCOUNT", "big"),
                List.of("PFCOUNT", "big", "h", "a"),
                List.of("PFMERGE", "m2", "h", "big"),
                List.of("STRLEN", "m2"),
                List.of("PFCOUNT", "m2"),
                List.of("PFMERGE", "m3", "h", "a", "b"),
                List.of("STRLEN", "m3"),
                List.of("PFCOUNT", "m3"),
                List.of("PFMERGE", "a", "big"),
                List.of("STRLEN", "a"),
                List.of("PFCOUNT", "a"),
                List.of("PFADD", "x", "1"),
                List.of("APPEND", "x", "x"),
                List.of("PFCOUNT", "x"),
                List.of("OBJECT", "ENCODING", "h"),
                List.of("TYPE", "h"),
                List.of("PFDEBUG", "ENCODING", "h"),
                List.of("PFDEBUG", "DECODE", "h"),
                List.of("PFDEBUG", "decode", "m3"),
                List.of("PFDEBUG", "ENCODING", "big"),
                List.of("PFDEBUG", "DECODE", "big"),
                List.of("PFDEBUG", "ENCODING", "nokey"),
                List.of("PFDEBUG", "FOO", "h"),
                List.of("PFDEBUG", "FOO", "nokey"),
                List.of("PFDEBUG", "ENCODING", "s"),
                List.of("PFDEBUG", "ENCODING", "l"),
                List.of("PFDEBUG", "DECODE", "bad"),
                List.of("PFDEBUG", "TODENSE", "bad"),
                List.of("PFDEBUG", "TODENSE", "h"),
                List.of("PFDEBUG", "TODENSE", "h"),
                List.of("STRLEN", "h"),
                List.of("PFCOUNT", "h"),
                List.of("PFDEBUG", "GETREG", "m3"),
                List.of("PFDEBUG", "ENCODING", "m3"),
                List.of("PFDEBUG", "GETREG", "big"),
                List.of("PFDEBUG", "ENCODING"),
                List.of("PFDEBUG", "GETREG", "h", "x"),
                List.of("PFADD", "a", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9"),
                List.of("PFADD", "a", "e1", "1"),
                List.of("PFCOUNT", "a"),
                List.of("PFADD", "a", "n10"),
                List.of("STRLEN", "a"),
                List.of("PFCOUNT", "a")));
        return s;
    }

    private static List<String> elements(String prefix, int n) {
        List<String> e = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            e.add(prefix + i);
        }
        return e;
    }

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void answersAndBytesAsRedis(int shards) throws Exception {
        try (KvTestServer kv = KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client()) {
            assertEquals(List.of(), SCRIPT.differences(c));
            assertEquals(recordedBytes(), bytes(kv.port()));
        }
    }

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void answersAsRedisInResp3(int shards) throws Exception {
        try (KvTestServer kv = KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client()) {
            c.call("HELLO", "3");
            assertEquals(List.of(), SCRIPT.differences(c));
        }
    }

    /** The script's cross-shard steps really are: on 2 shards a and b are owned by different shards, and d by b's other. */
    @Test
    void theKeysAreOnBothShards() {
        int a = KeySlots.owner("a".getBytes(StandardCharsets.UTF_8), 0, 1, 2);
        assertNotEquals(a, KeySlots.owner("b".getBytes(StandardCharsets.UTF_8), 0, 1, 2));
        assertNotEquals(KeySlots.owner("c".getBytes(StandardCharsets.UTF_8), 0, 1, 2),
                KeySlots.owner("d".getBytes(StandardCharsets.UTF_8), 0, 1, 2));
    }

    @Test
    void theRecordingIsRedisSOwn() throws Exception {
        assertEquals(List.of(), SCRIPT.checkAgainstRedis());
        assertEquals(recordedBytes(), HyperLogLogTest.fromFreshRedis("record.bytes", (c, port) -> {
            SCRIPT.replies(c);
            return bytes(port);
        }));
    }

    /** PFADD, PFMERGE (across shards) and PFCOUNT's cached cardinality are logged: the same bytes after a restart on 3 shards. */
    @Test
    void writesSurviveARestartWithAnotherShardCount(@TempDir Path dir) throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC);
        List<byte[]> before = new ArrayList<>();
        List<String> keys = List.of("a", "b", "m", "big", "t");
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = kv.client()) {
            assertEquals(1L, c.call("PFADD", "a", "1", "2", "3"));
            assertEquals(1L, c.call("PFADD", "b", "3", "4"));
            List<String> big = new ArrayList<>(List.of("PFADD", "big"));
            big.addAll(BIG);
            assertEquals(1L, c.call(big.toArray(String[]::new)));
            assertEquals("OK", c.call("PFMERGE", "m", "a", "b", "big"));
            assertEquals(3L, c.call("PFCOUNT", "a")); // writes the cache
            assertEquals(1L, c.call("PFADD", "t", "x"));
            assertEquals(1L, c.call("PEXPIRE", "t", "1000000"));
            assertEquals(1L, c.call("PFADD", "t", "y"));
            assertEquals(1L, c.call("PFADD", "big", "x1", "x2", "x3")); // dense: in place, logged as SETRANGEs
            assertEquals(1L, c.call("PFADD", "m", "x4"));
            for (String k : keys) {
                before.add(HyperLogLogTest.rawGet(kv.port(), k));
            }
        }
        try (KvTestServer kv = KvTestServer.start(3, DriverKind.AUTO, settings); RespClient c = kv.client()) {
            for (int i = 0; i < keys.size(); i++) {
                assertArrayEquals(before.get(i), HyperLogLogTest.rawGet(kv.port(), keys.get(i)), keys.get(i));
            }
            assertEquals(3L, c.call("PFCOUNT", "a"));
            assertEquals(4L, c.call("PFCOUNT", "a", "b"));
            assertEquals(2L, c.call("PFCOUNT", "t"));
            long ttl = (Long) c.call("TTL", "t");
            assertEquals(true, ttl > 900 && ttl <= 1000, "TTL " + ttl); // kept by the PFADD after PEXPIRE, and by the log
        }
    }

    /** Inside MULTI, PFCOUNT and PFMERGE run in the transaction, with keys on one shard or across shards (as other multi-key commands). */
    @Test
    void insideMultiAsOtherMultiKeyCommands() throws Exception {
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client()) {
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("PFADD", "{t}a", "1", "2"));
            assertEquals("QUEUED", c.call("PFADD", "{t}b", "2", "3"));
            assertEquals("QUEUED", c.call("PFMERGE", "{t}m", "{t}a", "{t}b"));
            assertEquals("QUEUED", c.call("PFCOUNT", "{t}m"));
            assertEquals("QUEUED", c.call("PFCOUNT", "{t}a", "{t}b"));
            assertEquals("QUEUED", c.call("PFCOUNT", "a", "b"));
            List<?> replies = (List<?>) c.call("EXEC");
            assertEquals(List.of(1L, 1L, "OK", 3L, 3L), replies.subList(0, 5));
            assertEquals(0L, replies.get(5), "across shards: runs inside the transaction too");
        }
    }

    /** PFCOUNT that refreshes a stale cached count changes the value: a WATCH sees it (redis-server 7.0.15 too); one that reads the cache does not. */
    @Test
    void aRefreshedCountIsAChangeToAWatchedKey() throws Exception {
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client(); RespClient other = kv.client()) {
            assertEquals(1L, c.call("PFADD", "w", "a", "b"));
            assertEquals("OK", c.call("WATCH", "w"));
            assertEquals(2L, other.call("PFCOUNT", "w"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("GET", "nothing"));
            assertNull(c.call("EXEC"));
            assertEquals("OK", c.call("WATCH", "w"));
            assertEquals(2L, other.call("PFCOUNT", "w"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("GET", "nothing"));
            assertEquals(java.util.Collections.singletonList(null), c.call("EXEC"));
        }
    }

    /** PFADD to a dense value changes it in place: a WATCH sees it; one that changes no register does not. */
    @Test
    void anAddInPlaceIsAChangeToAWatchedKey() throws Exception {
        try (KvTestServer kv = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client(); RespClient other = kv.client()) {
            List<String> big = new ArrayList<>(List.of("PFADD", "d"));
            big.addAll(BIG);
            assertEquals(1L, c.call(big.toArray(String[]::new)));
            assertEquals("dense", c.call("PFDEBUG", "ENCODING", "d"));
            assertEquals("OK", c.call("WATCH", "d"));
            assertEquals(0L, other.call("PFADD", "d", "e1"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("GET", "nothing"));
            assertEquals(java.util.Collections.singletonList(null), c.call("EXEC"));
            assertEquals("OK", c.call("WATCH", "d"));
            assertEquals(1L, other.call("PFADD", "d", "new1", "new2", "new3", "new4", "new5", "new6", "new7", "new8"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("GET", "nothing"));
            assertNull(c.call("EXEC"));
        }
    }

    private static List<String> bytes(int port) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String key : KEYS) {
            byte[] v = HyperLogLogTest.rawGet(port, key);
            lines.add(key + " " + (v == null ? "nil" : v.length <= 128 ? HexFormat.of().formatHex(v)
                    : v.length + " " + HyperLogLogTest.sha256(v, v.length)));
        }
        return lines;
    }

    private static List<String> recordedBytes() throws IOException {
        try (InputStream in = KvHyperLogLogTest.class.getResourceAsStream("/kv/hll-bytes.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
