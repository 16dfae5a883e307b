package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Lists: every command with 1 and 2 shards, RESP2 and RESP3 shapes, WRONGTYPE and Redis's error
 * texts, LMOVE/RPOPLPUSH/LMPOP with keys on different shards, persistence across a restart with
 * another shard count, and a script compared reply by reply with redis-server when it is installed.
 */
class KvListsTest {
    /** Run against Atoll and redis-server alike; blocking commands time out at once (50 ms) where nothing serves them. */
    private static final String[][] SCRIPT = {
        {"rpush", "l", "a", "b", "c", "d", "e", "f"}, {"lrange", "l", "0", "-1"}, {"lrange", "l", "-100", "100"},
        {"lrange", "l", "2", "1"}, {"lrange", "l", "-3", "-2"}, {"lrange", "l", "5", "10"},
        {"lrange", "l", "x", "1"}, {"lindex", "l", "-1"}, {"lindex", "l", "0"}, {"lindex", "l", "x"},
        {"lset", "l", "-1", "F"}, {"lset", "l", "6", "x"}, {"lset", "l", "x", "y"},
        {"linsert", "l", "before", "c", "C"}, {"linsert", "l", "after", "F", "G"},
        {"linsert", "l", "middle", "c", "x"}, {"lrem", "l", "0", "zz"},
        {"rpush", "r", "a", "b", "a", "c", "a", "d", "a"}, {"lrem", "r", "2", "a"}, {"lrange", "r", "0", "-1"},
        {"lrem", "r", "-1", "a"}, {"lrange", "r", "0", "-1"}, {"lrem", "r", "0", "a"}, {"lrange", "r", "0", "-1"},
        {"lrem", "r", "x", "a"}, {"ltrim", "l", "1", "-2"}, {"lrange", "l", "0", "-1"}, {"ltrim", "l", "5", "1"},
        {"exists", "l"}, {"rpush", "p", "a", "b", "c", "1", "2", "3", "c", "c"}, {"lpos", "p", "c"},
        {"lpos", "p", "c", "rank", "2"}, {"lpos", "p", "c", "rank", "-1"}, {"lpos", "p", "c", "count", "0"},
        {"lpos", "p", "c", "count", "2", "rank", "-1"}, {"lpos", "p", "c", "maxlen", "3"},
        {"lpos", "p", "c", "rank", "0"}, {"lpos", "p", "c", "count", "-1"}, {"lpos", "p", "c", "maxlen", "-1"},
        {"lpos", "p", "c", "foo"}, {"lpos", "p", "c", "rank", "x"}, {"lpos", "p", "c", "count", "x"},
        {"rpop", "p", "2"}, {"rpop", "p"}, {"lpop", "p", "100"}, {"exists", "p"}, {"lpush", "q", "1", "2", "3"},
        {"lpushx", "q", "0"}, {"lpushx", "nope", "0"}, {"rpushx", "q", "4", "5"}, {"lrange", "q", "0", "-1"},
        {"lmove", "q", "q", "left", "right"}, {"lrange", "q", "0", "-1"}, {"lmove", "q", "q2", "right", "left"},
        {"rpoplpush", "q", "q2"}, {"lrange", "q2", "0", "-1"}, {"lmove", "q", "q2", "up", "left"},
        {"lmove", "q", "q2", "left", "down"}, {"llen", "q"}, {"llen", "nope"}, {"type", "q"},
        {"object", "encoding", "q"}, {"lpop", "q", "x"}, {"lpop", "q", "-1"}, {"lpop", "q", "1", "1"},
        {"lmpop", "1", "q", "right", "count", "2"}, {"lmpop", "2", "nope", "q", "left"},
        {"lmpop", "2", "nope", "nope2", "left"}, {"blpop", "q", "0.05"}, {"brpop", "nope", "q", "0.05"},
        {"blmove", "q2", "q", "right", "right", "0.05"}, {"brpoplpush", "q2", "q", "0.05"},
        {"blmpop", "0.05", "2", "nope", "q2", "left", "count", "5"}, {"set", "str", "x"}, {"lpush", "str", "a"},
        {"rpushx", "str", "a"}, {"lrange", "str", "0", "1"}, {"lindex", "str", "0"}, {"lset", "str", "0", "a"},
        {"linsert", "str", "before", "a", "b"}, {"lrem", "str", "0", "a"}, {"ltrim", "str", "0", "1"},
        {"lpos", "str", "a"}, {"lpop", "str"}, {"rpop", "str", "1"}, {"llen", "str"}, {"rpush", "x1", "a"},
        {"lmove", "x1", "str", "left", "left"}, {"lmove", "str", "x1", "left", "left"}, {"rpoplpush", "x1", "str"},
        {"lmpop", "2", "nope", "str", "left"}, {"lmpop", "2", "x1", "str", "left"}, {"blpop", "nope", "str", "0.05"},
        {"blmove", "str", "x1", "left", "left", "0.05"}, {"rpush", "x1", "z"},
        {"blmove", "x1", "str", "left", "left", "0.05"}, {"rpush", "single", "v"},
        {"lmove", "single", "single", "left", "right"}, {"lrange", "single", "0", "-1"},
    };

    /** Under HELLO 3: the null shapes of RESP3. */
    private static final String[][] RESP3_SCRIPT = {
        {"hello", "3"}, {"lpop", "nope"}, {"lpop", "nope", "2"}, {"rpush", "k", "a", "b", "c"}, {"lpop", "k", "0"},
        {"lpos", "k", "z"}, {"lpos", "k", "z", "count", "0"}, {"lmpop", "2", "nope", "k", "right", "count", "2"},
        {"lmpop", "1", "nope", "left"}, {"blpop", "nope", "0.02"}, {"blmove", "nope", "k", "left", "left", "0.02"},
        {"blmpop", "0.02", "1", "nope", "left"}, {"lmove", "nope", "k", "left", "left"}, {"rpoplpush", "k", "k2"},
        {"rpush", "k", "z"}, {"brpop", "nope", "k", "0"}, {"lrange", "k2", "0", "-1"}, {"lrange", "k", "0", "-1"},
    };

    private Path dir;

    @BeforeEach
    void makeDir() throws IOException {
        dir = Files.createTempDirectory("kv-lists");
    }

    @AfterEach
    void removeDir() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static String keyOn(int shard, int shards, String prefix) {
        for (int i = 0; ; i++) {
            byte[] key = (prefix + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            if (KeySlots.owner(key, 0, key.length, shards) == shard) {
                return prefix + i;
            }
        }
    }

    private static KvTestServer server(int shards) throws Exception {
        return KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void commandsRepliesAndErrors(int shards) throws Exception {
        try (KvTestServer server = server(shards); RespClient c = server.client()) {
            assertEquals(6L, c.call("RPUSH", "l", "a", "b", "c", "d", "e", "f"));
            assertEquals(8L, c.call("LPUSH", "l", "y", "z"));
            assertEquals(List.of("z", "y", "a", "b", "c", "d", "e", "f"), c.call("LRANGE", "l", "0", "-1"));
            assertEquals(List.of("e", "f"), c.call("LRANGE", "l", "-2", "100"));
            assertEquals(List.of(), c.call("LRANGE", "l", "5", "2"));
            assertEquals("quicklist", c.call("OBJECT", "ENCODING", "l"));
            assertEquals("list", c.call("TYPE", "l"));
            assertEquals("z", c.call("LPOP", "l"));
            assertEquals(List.of("f", "e"), c.call("RPOP", "l", "2"));
            assertEquals(List.of(), c.call("LPOP", "l", "0"));
            assertNull(c.call("LPOP", "nokey"));
            assertNull(c.call("LPOP", "nokey", "3"));
            assertEquals(new RespClient.Error("ERR value is out of range, must be positive"), c.call("LPOP", "l", "-1"));
            assertEquals(new RespClient.Error("ERR wrong number of arguments for 'lpop' command"), c.call("LPOP", "l", "1", "2"));
            assertEquals(5L, c.call("LLEN", "l"));
            assertEquals("a", c.call("LINDEX", "l", "1"));
            assertEquals("d", c.call("LINDEX", "l", "-1"));
            assertNull(c.call("LINDEX", "l", "5"));
            assertEquals("OK", c.call("LSET", "l", "0", "Y"));
            assertEquals(new RespClient.Error("ERR index out of range"), c.call("LSET", "l", "5", "x"));
            assertEquals(new RespClient.Error("ERR no such key"), c.call("LSET", "nokey", "0", "x"));
            assertEquals(6L, c.call("LINSERT", "l", "AFTER", "a", "a2"));
            assertEquals(7L, c.call("LINSERT", "l", "before", "Y", "X"));
            assertEquals(-1L, c.call("LINSERT", "l", "before", "zz", "X"));
            assertEquals(0L, c.call("LINSERT", "nokey", "before", "a", "X"));
            assertEquals(List.of("X", "Y", "a", "a2", "b", "c", "d"), c.call("LRANGE", "l", "0", "-1"));
            assertEquals(1L, c.call("LREM", "l", "0", "a2"));
            assertEquals("OK", c.call("LTRIM", "l", "1", "-2"));
            assertEquals(List.of("Y", "a", "b", "c"), c.call("LRANGE", "l", "0", "-1"));
            assertEquals(2L, c.call("LPOS", "l", "b"));
            assertEquals(List.of(1L), c.call("LPOS", "l", "a", "COUNT", "0"));
            assertEquals(0L, c.call("LPUSHX", "nokey", "a"));
            assertEquals(5L, c.call("RPUSHX", "l", "e"));
            assertEquals("OK", c.call("LTRIM", "l", "9", "1"));
            assertEquals(0L, c.call("EXISTS", "l")); // an emptied list is no key
            assertEquals("OK", c.call("SET", "s", "x"));
            for (String[] command : new String[][] {{"LPUSH", "s", "a"}, {"RPUSHX", "s", "a"}, {"LPOP", "s"}, {"LLEN", "s"},
                    {"LRANGE", "s", "0", "1"}, {"LINDEX", "s", "0"}, {"LSET", "s", "0", "a"}, {"LREM", "s", "0", "a"},
                    {"LTRIM", "s", "0", "1"}, {"LPOS", "s", "a"}, {"LINSERT", "s", "before", "a", "b"}, {"GET", "q"}}) {
                if (!command[0].equals("GET")) {
                    assertEquals(new RespClient.Error(KvShard.WRONGTYPE), c.call(command), String.join(" ", command));
                }
            }
            c.call("RPUSH", "q", "1");
            assertEquals(new RespClient.Error(KvShard.WRONGTYPE), c.call("GET", "q"));
            assertEquals(new RespClient.Error("ERR wrong number of arguments for 'lpush' command"), c.call("LPUSH", "q"));
            assertEquals(new RespClient.Error("ERR wrong number of arguments for 'blpop' command"), c.call("BLPOP", "q"));
            assertEquals(new RespClient.Error("ERR timeout is negative"), c.call("BLPOP", "q", "-1"));
            assertEquals(new RespClient.Error("ERR timeout is not a float or out of range"), c.call("BLPOP", "q", "x"));
            assertEquals(new RespClient.Error("ERR numkeys should be greater than 0"), c.call("LMPOP", "0", "q", "left"));
            assertEquals(new RespClient.Error("ERR count should be greater than 0"),
                    c.call("LMPOP", "1", "q", "left", "count", "0"));
            assertEquals(new RespClient.Error("ERR syntax error"), c.call("LMPOP", "2", "q", "left"));
            assertEquals(List.of("q", List.of("1")), c.call("BLMPOP", "0", "1", "q", "left", "COUNT", "9"));
        }
    }

    @Test
    void resp3NullShapes() throws Exception {
        try (KvTestServer server = server(2); RespClient c = server.client()) {
            c.call("HELLO", "3");
            assertEquals(RespClient.RESP3_NULL, c.call("LPOP", "nokey"));
            assertEquals(RespClient.RESP3_NULL, c.call("LPOP", "nokey", "2"));
            assertEquals(RespClient.RESP3_NULL, c.call("LMPOP", "1", "nokey", "left"));
            assertEquals(RespClient.RESP3_NULL, c.call("BLPOP", "nokey", "0.01"));
            assertEquals(RespClient.RESP3_NULL, c.call("LMOVE", "nokey", "other", "left", "left"));
        }
    }

    @Test
    void movesAndMultiPopsAcrossShards() throws Exception {
        String a = keyOn(0, 2, "a");
        String b = keyOn(1, 2, "b");
        String b2 = keyOn(1, 2, "b2");
        try (KvTestServer server = server(2); RespClient c = server.client()) {
            c.call("RPUSH", a, "1", "2", "3");
            assertEquals("1", c.call("LMOVE", a, b, "LEFT", "RIGHT"));
            assertEquals("3", c.call("RPOPLPUSH", a, b));
            assertEquals(List.of("3", "1"), c.call("LRANGE", b, "0", "-1"));
            assertEquals(List.of("2"), c.call("LRANGE", a, "0", "-1"));
            c.call("SET", b2, "string");
            assertEquals(new RespClient.Error(KvShard.WRONGTYPE), c.call("LMOVE", a, b2, "LEFT", "LEFT"));
            assertEquals(List.of("2"), c.call("LRANGE", a, "0", "-1")); // the destination's type is checked first
            assertEquals(new RespClient.Error(KvShard.WRONGTYPE), c.call("RPOPLPUSH", b2, a));
            assertNull(c.call("LMOVE", "nokey", b, "LEFT", "LEFT"));
            assertEquals("2", c.call("LMOVE", a, b, "LEFT", "LEFT"));
            assertEquals(0L, c.call("EXISTS", a));
            assertEquals(List.of("2", "3", "1"), c.call("LRANGE", b, "0", "-1"));
            // LMPOP: the first key that has elements, in the command's order, whichever shard owns it
            assertEquals(List.of(b, List.of("2", "3")), c.call("LMPOP", "3", a, b, b2, "LEFT", "COUNT", "2"));
            c.call("RPUSH", a, "x");
            assertEquals(List.of(a, List.of("x")), c.call("LMPOP", "2", a, b, "RIGHT"));
            assertEquals(new RespClient.Error(KvShard.WRONGTYPE), c.call("LMPOP", "2", a, b2, "RIGHT"));
            assertEquals(List.of(b, List.of("1")), c.call("LMPOP", "3", a, b, b2, "RIGHT"));
            assertNull(c.call("LMPOP", "2", a, b, "RIGHT"));
            // pipelined: the commands after a move see it done
            c.call("RPUSH", a, "p");
            c.send("LMOVE", a, b, "LEFT", "LEFT");
            c.send("LRANGE", b, "0", "-1");
            c.send("EXISTS", a);
            assertEquals("p", c.read());
            assertEquals(List.of("p"), c.read());
            assertEquals(0L, c.read());
        }
    }

    @Test
    void listsSurviveARestartWithAnotherShardCount() throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC);
        List<Object> expected = new ArrayList<>();
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = server.client()) {
            for (int i = 0; i < 20; i++) {
                c.call("RPUSH", "l" + i, "a", "b", "c", "d", "e", "f");
                c.call("LPUSH", "l" + i, "z" + i);
                c.call("LPOP", "l" + i);
                c.call("RPOP", "l" + i, "2");
                c.call("LSET", "l" + i, "1", "B");
                c.call("LINSERT", "l" + i, "AFTER", "c", "c2");
                c.call("LREM", "l" + i, "1", "a");
                c.call("LTRIM", "l" + i, "0", "3");
                c.call("LMOVE", "l" + i, "m" + i, "RIGHT", "LEFT");
                c.call("LMPOP", "1", "m" + i, "LEFT");
                c.call("RPUSH", "m" + i, "kept");
            }
            c.call("RPUSH", "gone", "x");
            c.call("RPOP", "gone");
            c.call("BLPOP", "l0", "0");
            for (int i = 0; i < 20; i++) {
                expected.add(c.call("LRANGE", "l" + i, "0", "-1"));
                expected.add(c.call("LRANGE", "m" + i, "0", "-1"));
            }
            assertEquals(List.of("c", "c2"), expected.get(0));
            assertEquals(List.of("B", "c", "c2"), expected.get(2));
        }
        for (int shards : new int[] {3, 1}) {
            try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO, settings); RespClient c = server.client()) {
                List<Object> actual = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    actual.add(c.call("LRANGE", "l" + i, "0", "-1"));
                    actual.add(c.call("LRANGE", "m" + i, "0", "-1"));
                }
                assertEquals(expected, actual, "with " + shards + " shards");
                assertEquals(0L, c.call("EXISTS", "gone"));
                assertEquals(40L, c.call("DBSIZE"));
                assertEquals("OK", c.call("BGREWRITEAOF").toString().startsWith("Background") ? "OK" : "?");
            }
        }
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = server.client()) {
            List<Object> actual = new ArrayList<>(); // after the rewrite: the lists' RPUSH records
            for (int i = 0; i < 20; i++) {
                actual.add(c.call("LRANGE", "l" + i, "0", "-1"));
                actual.add(c.call("LRANGE", "m" + i, "0", "-1"));
            }
            assertEquals(expected, actual);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void everyReplyIsRedisSOwn(int shards) throws Exception {
        String redisServer = KvRedisComparisonTest.onPath("redis-server");
        Assumptions.assumeTrue(redisServer != null, "redis-server is not installed: the comparison with Redis is skipped");
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Process redis = new ProcessBuilder(redisServer, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (KvTestServer atoll = server(shards); RespClient a = atoll.client(); RespClient r = KvRedisComparisonTest.connect(port);
             RespClient a3 = atoll.client(); RespClient r3 = KvRedisComparisonTest.connect(port)) {
            List<String> differences = new ArrayList<>();
            compare(SCRIPT, r, a, differences);
            r.call("FLUSHALL");
            a.call("FLUSHALL");
            compare(RESP3_SCRIPT, r3, a3, differences);
            assertEquals(List.of(), differences);
            try (RespClient rw1 = KvRedisComparisonTest.connect(port); RespClient rw2 = KvRedisComparisonTest.connect(port); RespClient aw1 = atoll.client();
                 RespClient aw2 = atoll.client()) {
                assertEquals(woken(rw1, rw2, r), woken(aw1, aw2, a));
            }
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Two clients blocked, served by one push in the order they blocked; a served BRPOPLPUSH onto a string. */
    private static List<Object> woken(RespClient waiter1, RespClient waiter2, RespClient pusher) throws Exception {
        List<Object> replies = new ArrayList<>();
        waiter1.send("BLPOP", "w1", "w2", "0");
        KvBlockingTest.awaitBlocked(pusher, 1);
        waiter2.send("BLMPOP", "0", "2", "w2", "w1", "RIGHT", "COUNT", "2");
        KvBlockingTest.awaitBlocked(pusher, 2);
        replies.add(pusher.call("RPUSH", "w2", "a", "b", "c", "d"));
        replies.add(waiter1.read());
        replies.add(waiter2.read());
        replies.add(pusher.call("LRANGE", "w2", "0", "-1"));
        waiter1.send("BRPOPLPUSH", "w3", "w1", "0");
        KvBlockingTest.awaitBlocked(pusher, 1);
        replies.add(pusher.call("SET", "w1", "string"));
        replies.add(pusher.call("LPUSH", "w3", "z"));
        replies.add(waiter1.read());
        replies.add(pusher.call("LRANGE", "w3", "0", "-1"));
        replies.add(KvBlockingTest.blocked(pusher));
        return replies;
    }

    private static void compare(String[][] script, RespClient redis, RespClient atoll, List<String> differences)
            throws IOException {
        for (String[] command : script) {
            Object expected = redis.call(command);
            Object actual = atoll.call(command);
            if (command[0].equals("hello")) {
                continue; // the server's name and version differ
            }
            if (!String.valueOf(expected).equals(String.valueOf(actual))) {
                differences.add(String.join(" ", command) + ": redis " + expected + ", atoll " + actual);
            }
        }
    }
}
