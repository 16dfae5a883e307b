package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same script of string, bitmap, key and hash commands sent to Atoll (one shard) and to a
 * redis-server this test starts on a loopback port: every reply must be the same (so the script
 * uses no relative expiry, random choice or clock reading, whose replies would differ). Skipped, saying
 * so, when redis-server is not installed (CI has none; the other tests do not need it).
 */
class KvRedisComparisonTest {
    private static final String[][] SCRIPT = {
        {"SET", "s", "hello"}, {"MOVE", "s", "0"}, {"MOVE", "s", "x"}, {"MOVE", "s", "16"}, {"SWAPDB", "0", "0"},
        {"SWAPDB", "a", "0"}, {"SWAPDB", "0", "b"}, {"SWAPDB", "0", "16"}, {"SETEX", "x", "-1", "v"}, {"SETEX", "x", "abc", "v"}, {"PSETEX", "x", "0", "v"},
        {"GETSET", "s", "world"}, {"GETSET", "nokey", "v"}, {"GETEX", "s"}, {"GETEX", "s", "PERSIST"},
        {"GETEX", "s", "EX"}, {"GETEX", "s", "EX", "0"}, {"GETEX", "s", "EX", "10", "PX", "10"}, {"GETEX", "s", "FOO"},
        {"GETEX", "missing", "EX", "abc"}, {"GETEX", "s", "EX", "abc"}, {"TTL", "s"},
        {"SETRANGE", "s", "-1", "x"}, {"SETRANGE", "s", "abc", "x"}, {"SETRANGE", "s", "2", ""}, {"SETRANGE", "new", "0", ""},
        {"SETRANGE", "s", "8", "yy"}, {"GET", "s"}, {"STRLEN", "s"},
        {"GETRANGE", "s", "0", "-1"}, {"GETRANGE", "s", "-3", "-1"}, {"GETRANGE", "s", "5", "1"}, {"GETRANGE", "s", "-1", "-5"},
        {"GETRANGE", "s", "-100", "100"}, {"GETRANGE", "nokey", "0", "1"}, {"GETRANGE", "s", "x", "1"}, {"SUBSTR", "s", "1", "2"},
        {"INCRBYFLOAT", "f", "10.5"}, {"INCRBYFLOAT", "f", "0.1"}, {"INCRBYFLOAT", "f", "-5.0e3"}, {"INCRBYFLOAT", "f", "1e2"},
        {"INCRBYFLOAT", "f", "abc"}, {"INCRBYFLOAT", "f", "inf"}, {"INCRBYFLOAT", "f", "nan"}, {"INCRBYFLOAT", "f", " 1"},
        {"INCRBYFLOAT", "f", ".5"}, {"INCRBYFLOAT", "f", "5."}, {"INCRBYFLOAT", "f", "+1.25"}, {"GET", "f"},
        {"INCRBYFLOAT", "g", "3.0"}, {"INCRBYFLOAT", "g", "0.1"}, {"INCRBYFLOAT", "g", "0.2"}, {"INCRBYFLOAT", "g", "-3.3"},
        {"INCRBYFLOAT", "h1", "1"}, {"OBJECT", "ENCODING", "h1"}, {"INCR", "h1"}, {"OBJECT", "ENCODING", "h1"},
        {"MSETNX", "m1", "a", "m2", "b"}, {"MSETNX", "m1", "a", "m3", "b"}, {"MGET", "m1", "m2", "m3"}, {"MSETNX", "m1"},
        {"SET", "v1", "ohmytext"}, {"SET", "v2", "mynewtext"}, {"LCS", "v1", "v2"}, {"LCS", "v1", "v2", "LEN"},
        {"LCS", "v1", "v2", "IDX"}, {"LCS", "v1", "v2", "IDX", "WITHMATCHLEN"}, {"LCS", "v1", "v2", "IDX", "MINMATCHLEN", "3"},
        {"LCS", "v1", "v2", "IDX", "LEN"}, {"LCS", "v1", "v2", "MINMATCHLEN"}, {"LCS", "v1", "v2", "MINMATCHLEN", "x"},
        {"LCS", "v1", "nokey"}, {"LCS", "nokey", "nokey2"},
        {"SETBIT", "b", "7", "1"}, {"SETBIT", "b", "7", "1"}, {"SETBIT", "b", "100", "1"}, {"SETBIT", "b", "-1", "1"},
        {"SETBIT", "b", "1", "2"}, {"SETBIT", "b", "x", "1"}, {"GETBIT", "b", "7"}, {"GETBIT", "b", "100"}, {"GETBIT", "b", "99999"},
        {"BITCOUNT", "b"}, {"BITCOUNT", "b", "0", "0"}, {"BITCOUNT", "b", "0", "-1", "BIT"}, {"BITCOUNT", "b", "1", "5", "BIT"},
        {"BITCOUNT", "b", "-2", "-1"}, {"BITCOUNT", "b", "0"}, {"BITCOUNT", "b", "0", "1", "X"}, {"BITCOUNT", "nokey", "0"},
        {"SET", "foobar", "foobar"}, {"BITCOUNT", "foobar", "5", "30", "BIT"}, {"BITCOUNT", "foobar", "1", "1"},
        {"BITPOS", "b", "1"}, {"BITPOS", "b", "0"}, {"BITPOS", "b", "1", "1"}, {"BITPOS", "b", "1", "1", "-1"},
        {"BITPOS", "b", "0", "2", "-1", "BIT"}, {"BITPOS", "b", "1", "8", "99", "BIT"}, {"BITPOS", "b", "2"},
        {"BITPOS", "b", "1", "0", "-1", "FOO"}, {"BITPOS", "nokey", "0"}, {"BITPOS", "nokey", "1"}, {"BITPOS", "b", "x"},
        {"SET", "ones", "\u007f\u007f"}, {"BITPOS", "ones", "0"}, {"BITPOS", "ones", "0", "1"}, {"BITPOS", "ones", "0", "1", "1"},
        {"BITPOS", "ones", "1", "3", "9", "BIT"}, {"BITPOS", "ones", "0", "1", "7", "BIT"}, {"BITPOS", "ones", "0", "9", "15", "BIT"},
        {"SET", "r1", "v"}, {"PEXPIREAT", "r1", "99999999999000"}, {"RENAME", "r1", "r2"}, {"PEXPIRETIME", "r2"}, {"RENAME", "r1", "r2"},
        {"RENAME", "r2", "r2"}, {"RENAMENX", "r2", "r2"}, {"SET", "r3", "x"}, {"RENAMENX", "r2", "r3"}, {"RENAMENX", "r2", "r4"},
        {"COPY", "r4", "r5"}, {"COPY", "r4", "r5"}, {"COPY", "r4", "r5", "REPLACE"}, {"COPY", "r4", "r4"},
        {"COPY", "r4", "r6", "DB", "x"}, {"COPY", "r4", "r6", "FOO"}, {"COPY", "nokey", "r6"},
        {"COPY", "r4", "r6", "DB"}, {"TOUCH", "r4", "r5", "nokey"}, {"EXPIRETIME", "nokey"}, {"PEXPIRETIME", "r4"},
        {"PERSIST", "r4"}, {"PEXPIREAT", "r4", "99999999999999"}, {"PEXPIRETIME", "r4"}, {"EXPIRETIME", "r4"},
        {"SET", "int", "12345"}, {"SET", "small", "100"}, {"SET", "emb", "hello"}, {"SET", "raw", "x".repeat(45)},
        {"SET", "neg", "-5"}, {"SET", "lead", "007"}, {"OBJECT", "ENCODING", "int"}, {"OBJECT", "ENCODING", "small"},
        {"OBJECT", "ENCODING", "emb"}, {"OBJECT", "ENCODING", "raw"}, {"OBJECT", "ENCODING", "neg"}, {"OBJECT", "ENCODING", "lead"},
        {"OBJECT", "ENCODING", "b"}, {"APPEND", "emb", "!"}, {"OBJECT", "ENCODING", "emb"}, {"OBJECT", "REFCOUNT", "small"},
        {"OBJECT", "REFCOUNT", "int"}, {"OBJECT", "REFCOUNT", "emb"}, {"OBJECT", "FREQ", "emb"}, {"OBJECT", "ENCODING", "nokey"},
        {"OBJECT", "FOO", "emb"}, {"OBJECT", "ENCODING"}, {"OBJECT"}, {"OBJECT", "IDLETIME", "absent"},
        {"WAIT", "0", "0"}, {"WAIT", "0", "-1"}, {"WAIT", "x", "0"}, {"WAIT", "0", "x"},
        {"HSET", "h", "a", "1", "b", "2"}, {"HSET", "h", "a", "3"}, {"HSET", "h", "a"}, {"HMSET", "h", "c", "3"},
        {"HSETNX", "h", "a", "9"}, {"HSETNX", "h", "d", "4"}, {"HGET", "h", "a"}, {"HGET", "h", "zz"}, {"HMGET", "h", "a", "zz", "d"},
        {"HGETALL", "h"}, {"HKEYS", "h"}, {"HVALS", "h"}, {"HLEN", "h"}, {"HEXISTS", "h", "a"}, {"HSTRLEN", "h", "a"},
        {"HDEL", "h", "a", "zz"}, {"HGETALL", "h"}, {"OBJECT", "ENCODING", "h"}, {"TYPE", "h"},
        {"HINCRBY", "h", "n", "5"}, {"HINCRBY", "h", "n", "x"}, {"HINCRBY", "h", "b", "9223372036854775807"},
        {"HINCRBYFLOAT", "h", "fl", "1.5"}, {"HINCRBYFLOAT", "h", "fl", "inf"}, {"HINCRBYFLOAT", "h", "fl", "x"},
        {"HSET", "h", "sp", " 1"}, {"HINCRBY", "h", "sp", "1"}, {"HINCRBYFLOAT", "h", "sp", "1"},
        {"GET", "h"}, {"APPEND", "h", "x"}, {"SETRANGE", "h", "0", "x"}, {"GETRANGE", "h", "0", "1"}, {"INCRBYFLOAT", "h", "1"},
        {"GETEX", "h"}, {"GETSET", "h", "x"}, {"SETBIT", "h", "0", "1"}, {"BITCOUNT", "h"}, {"BITPOS", "h", "1"},
        {"HGET", "s", "a"}, {"HSET", "s", "a", "1"}, {"HGETALL", "s"}, {"HINCRBY", "s", "a", "x"}, {"HSCAN", "s", "0"},
        {"HRANDFIELD", "s"}, {"HRANDFIELD", "nokey"}, {"HRANDFIELD", "nokey", "3"}, {"HRANDFIELD", "h", "0"},
        {"HRANDFIELD", "h", "-9223372036854775808"}, {"HRANDFIELD", "h", "5", "FOO"}, {"HRANDFIELD", "h", "x"},
        {"HRANDFIELD", "h", "-9223372036854770000", "WITHVALUES"},
        {"HSCAN", "h", "0"}, {"HSCAN", "h", "0", "MATCH", "n*"}, {"HSCAN", "h", "x"}, {"HSCAN", "h", "0", "COUNT", "0"},
        {"HSCAN", "nokey", "0"}, {"HSCAN", "h", "0", "FOO", "1"}, {"HDEL", "h", "b", "c", "d", "n", "fl", "sp"}, {"EXISTS", "h"},
        {"SET", "h2", "v"}, {"TYPE", "h2"},
        {"INCRBYFLOAT", "q", "0.1"}, {"INCRBYFLOAT", "q", "0.2"}, {"INCRBYFLOAT", "q", "1e15"}, {"INCRBYFLOAT", "q", "-1e15"},
        {"INCRBYFLOAT", "q", "123456789.123456789"}, {"INCRBYFLOAT", "q", "1e300"}, {"INCRBYFLOAT", "q", "-1e300"},
        {"INCRBYFLOAT", "q", "1.7976931348623157e308"}, {"INCRBYFLOAT", "q", "1e4933"}, {"INCRBYFLOAT", "t", "1e-20"},
        {"HINCRBYFLOAT", "hf", "x", "10.5"}, {"HINCRBYFLOAT", "hf", "x", "0.1"}, {"HINCRBYFLOAT", "hf", "x", "-5000"},
        {"MODULE", "LIST"}, {"MODULE", "list", "x"}, {"MODULE", "HELP"}, {"MODULE", "LOAD", "/nonexistent.so"},
        {"MODULE", "LOAD"}, {"MODULE", "LOADEX", "/x.so", "CONFIG", "a", "b", "ARGS", "c"}, {"MODULE", "UNLOAD", "foo"},
        {"MODULE", "UNLOAD"}, {"MODULE", "UNLOAD", "a", "b"}, {"MODULE", "FOO"}, {"MODULE"},
    };

    /** The executable {@code program} on the PATH, or null (KvDifferentialTest too). */
    static String onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    @Test
    void everyReplyIsRedisSOwn() throws Exception {
        assertSameReplies(List.of(SCRIPT));
    }

    /**
     * A hash's listpack becomes a hashtable where Redis 7.0.15's does (more than 512 fields, a field or a
     * value over 64 bytes, by HSET, HSETNX or HINCRBYFLOAT's result) and stays one; in between, the
     * listpack keeps Redis's order through deletes and replaces.
     */
    @Test
    void hashEncodingsConvertWhereRedisSDo() throws Exception {
        List<String[]> script = new ArrayList<>();
        List<String> fields = new ArrayList<>(List.of("HSET", "entries"));
        for (int i = 0; i < 512; i++) {
            fields.add("f" + i);
            fields.add("v" + i);
        }
        script.add(fields.toArray(String[]::new));
        script.add(new String[] {"OBJECT", "ENCODING", "entries"});
        script.add(new String[] {"HSET", "entries", "f0", "replaced"});
        script.add(new String[] {"OBJECT", "ENCODING", "entries"});
        script.add(new String[] {"HSET", "entries", "f512", "v"});
        script.add(new String[] {"OBJECT", "ENCODING", "entries"});
        script.add(new String[] {"HDEL", "entries", "f512", "f1", "f2"});
        script.add(new String[] {"OBJECT", "ENCODING", "entries"});
        String at64 = "x".repeat(64);
        String at65 = "x".repeat(65);
        String[][] edges = {
            {"HSET", "value", "a", "1", "b", at64}, {"OBJECT", "ENCODING", "value"}, {"HSET", "value", "a", at65},
            {"OBJECT", "ENCODING", "value"}, {"HDEL", "value", "a"}, {"OBJECT", "ENCODING", "value"},
            {"HSET", "field", at64, "1"}, {"OBJECT", "ENCODING", "field"}, {"HSET", "field", at65, "1"}, {"OBJECT", "ENCODING", "field"},
            {"HSETNX", "nx", "a", "1"}, {"HSETNX", "nx", "b", at65}, {"OBJECT", "ENCODING", "nx"},
            {"HSET", "float", "a", "1"}, {"HINCRBYFLOAT", "float", "a", "1e100"}, {"OBJECT", "ENCODING", "float"},
            {"HSET", "order", "a", "1", "b", "2", "c", "3", "d", "4"}, {"HDEL", "order", "b"}, {"HSET", "order", "b", "5"},
            {"HSET", "order", "a", "a much longer value than before"}, {"HSET", "order", "c", ""}, {"HGETALL", "order"},
            {"HKEYS", "order"}, {"HVALS", "order"}, {"HSTRLEN", "order", "a"}, {"HSTRLEN", "order", "c"}, {"OBJECT", "ENCODING", "order"},
        };
        script.addAll(List.of(edges));
        assertSameReplies(script);
    }

    /** Sends {@code script} to a redis-server and to Atoll (1 shard) and expects the same replies. */
    private static void assertSameReplies(List<String[]> script) throws Exception {
        int port = freePort();
        Process redis = startRedisServer(port);
        try (KvTestServer atoll = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient a = atoll.client();
             RespClient r = connect(port)) {
            List<String> differences = new ArrayList<>();
            for (String[] command : script) {
                Object expected = r.call(command);
                Object actual = a.call(command);
                if (!String.valueOf(expected).equals(String.valueOf(actual))) {
                    differences.add(String.join(" ", command) + ": redis " + expected + ", atoll " + actual);
                }
            }
            assertEquals(List.of(), differences);
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A loopback port free now. */
    static int freePort() throws java.io.IOException {
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return free.getLocalPort();
        }
    }

    /**
     * Starts redis-server on loopback port {@code port}, without persistence, with {@code options} ({@code --name value}
     * ...); skips the test, saying so, when it is not installed.
     */
    static Process startRedisServer(int port, String... options) throws java.io.IOException {
        String redisServer = onPath("redis-server");
        Assumptions.assumeTrue(redisServer != null, "redis-server is not installed: the comparison with Redis is skipped");
        return startRedis(redisServer, port, options);
    }

    /** {@code redisServer} started on the loopback port {@code port}, without persistence, with {@code options}. */
    static Process startRedis(String redisServer, int port, String... options) throws java.io.IOException {
        List<String> command = new ArrayList<>(List.of(redisServer, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no"));
        command.addAll(List.of(options));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** A client of the redis-server just started, once it accepts (bounded: 10 s). */
    static RespClient connect(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return new RespClient(port);
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
