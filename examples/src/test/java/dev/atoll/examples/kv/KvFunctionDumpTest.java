package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.FunctionRestorePolicy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import static dev.atoll.examples.kv.KvDumpRestoreTest.error;
import static dev.atoll.examples.kv.KvDumpRestoreTest.raw;
import static dev.atoll.examples.kv.KvDumpRestoreTest.withFooter;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * FUNCTION DUMP and FUNCTION RESTORE with a running redis-server 7.0.15 (skipped when none is
 * installed), on 1 and 2 shards: the libraries travel both ways (a long one Redis LZF-compresses
 * included) and run there, a library dumps to Redis's bytes (plain or LZF-compressed), each restore policy does
 * what Redis's does, every error (bad payloads, policies, collisions, a library that does not load)
 * is Redis's text and changes nothing; and restored libraries survive a restart.
 */
class KvFunctionDumpTest extends KvOneAndTwoShards {
    private static final String SMALL = "#!lua name=small\nredis.register_function('small_f', function() return 'small' end)\n";
    private static final String LONG = "#!lua name=long\n-- " + "a comment Redis compresses ".repeat(20) + "\n"
            + "redis.register_function('long_f', function(keys, args) return cjson.encode({args[1]}) end)\n"
            + "redis.register_function{function_name='long_ro', callback=function() return 1 end, flags={'no-writes'}}\n";
    private static final String OTHER = "#!lua name=other\nredis.register_function('other_f', function() return 'other' end)\n";
    /** Takes small_f, which another library named "small" holds. */
    private static final String THIEF = "#!lua name=thief\nredis.register_function('small_f', function() return 'thief' end)\n";

    /** 3 KB of code, its lines alike but not the same: LZF's hashing decides which matches it finds. */
    private static final String MANY = "#!lua name=many\n" + java.util.stream.IntStream.range(0, 40)
            .mapToObj(i -> "redis.register_function('many_" + i + "', function(keys, args) return redis.call('incrby', keys[1], "
                    + (i * 7919 % 1000) + ") end)\n")
            .collect(java.util.stream.Collectors.joining());

    @TempDir
    Path dir;

    private static Jedis jedis(KvTestServer server) {
        Jedis jedis = new Jedis(server.host, server.port());
        jedis.functionFlush();
        return jedis;
    }

    /** Library name to code, as FUNCTION LIST WITHCODE shows them. */
    private static Map<String, String> libraries(Jedis jedis) {
        Map<String, String> codes = new TreeMap<>();
        jedis.functionListWithCode().forEach(library -> codes.put(library.getLibraryName(), library.getLibraryCode()));
        return codes;
    }

    /** A payload of {@code codes}, each after the opcode {@code type}, built here. */
    private static byte[] payload(int type, String... codes) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (String code : codes) {
            byte[] bytes = code.getBytes(StandardCharsets.UTF_8);
            body.write(type);
            body.write(0x80);
            body.writeBytes(new byte[] {0, 0, (byte) (bytes.length >>> 8), (byte) bytes.length});
            body.writeBytes(bytes);
        }
        return withFooter(body.toByteArray());
    }

    /** A payload of Redis 7.0's release candidates: the library's name, its engine, no description, its code. */
    private static byte[] preGa(String name, String engine, String code) {
        byte[] strings = payload(0, name, engine, code);
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.write(246);
        int nameEnd = 6 + name.length();
        body.write(strings, 1, nameEnd - 1);        // the name (after payload()'s opcode)
        body.write(strings, nameEnd + 1, 5 + engine.length()); // the engine
        body.write(0);                              // no description
        int codeAt = nameEnd + 1 + 5 + engine.length() + 1;
        body.write(strings, codeAt, 5 + code.length());
        return withFooter(body.toByteArray());
    }

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void librariesTravelBothWaysWithRedisServer(int shards) throws Exception {
        RecordedScript.withRedis(port -> {
            try (Jedis theirs = new Jedis("127.0.0.1", port); Jedis ours = jedis(server(shards))) {
                assertEquals("small", theirs.functionLoad(SMALL));
                assertEquals("long", theirs.functionLoad(LONG));
                byte[] fromRedis = theirs.functionDump();
                assertEquals("OK", ours.functionRestore(fromRedis));
                assertEquals(libraries(theirs), libraries(ours));
                for (int i = 0; i < 8; i++) { // keys of every shard: each compiles the restored library
                    assertEquals("[\"x\"]", text(ours.fcall("long_f", List.of("k" + i), List.of("x"))));
                }
                assertEquals("small", text(ours.fcall("small_f", List.of(), List.of())));

                ours.functionFlush();
                assertEquals("other", ours.functionLoad(OTHER));
                assertEquals("OK", theirs.functionRestore(ours.functionDump(), FunctionRestorePolicy.FLUSH));
                assertEquals(Map.of("other", OTHER), libraries(theirs));
                assertEquals("other", text(theirs.fcall("other_f", List.of(), List.of())));

                theirs.functionFlush();
                ours.functionFlush();
                assertArrayEquals(theirs.functionDump(), ours.functionDump(), "no library");
                String tiny = "#!lua name=tiny\nredis.register_function(\"f1\", function() return 1 end)";
                for (String code : List.of(tiny, SMALL, LONG, OTHER, MANY)) { // plain, and LZF-compressed as Redis compresses them
                    theirs.functionFlush();
                    ours.functionFlush();
                    theirs.functionLoad(code);
                    ours.functionLoad(code);
                    assertArrayEquals(theirs.functionDump(), ours.functionDump(), code);
                }
            }
            return null;
        });
    }

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void policiesAndErrorsAreRedisS(int shards) throws Exception {
        RecordedScript.withRedis(port -> {
            try (Jedis theirs = new Jedis("127.0.0.1", port); Jedis ours = jedis(server(shards))) {
                byte[] small = payload(245, SMALL);
                byte[] corrupt = small.clone();
                corrupt[3] ^= 1;
                byte[] later = small.clone();
                later[later.length - 10] = 11; // a later RDB version
                byte[] truncated = withFooter(new byte[] {(byte) 245, 0x3c, '#', '!'});
                List<Function<Jedis, Object>> steps = List.of(
                        j -> j.functionRestore(corrupt),
                        j -> j.functionRestore(later),
                        j -> j.functionRestore(new byte[3]),
                        j -> raw(j, "FUNCTION", "RESTORE", "x", "bad"),
                        j -> raw(j, "FUNCTION", "RESTORE", "x", "FLUSH", "more"),
                        j -> raw(j, "FUNCTION", "RESTORE"),
                        j -> raw(j, "FUNCTION", "DUMP", "x"),
                        j -> j.functionRestore(withFooter(new byte[] {7, 1, 'x'})),
                        j -> j.functionRestore(payload(246, SMALL)),
                        j -> j.functionRestore(payload(246, "small", "LUA")),
                        j -> j.functionRestore(preGa("old", "LUA", "redis.register_function('old_f', function() return 'old' end)")),
                        j -> j.fcall("old_f", List.of(), List.of()),
                        j -> j.functionRestore(truncated),
                        j -> j.functionRestore(payload(245, "return 1")),
                        j -> j.functionRestore(payload(245, "#!lua name=bad\nreturn 1")),
                        j -> j.functionRestore(payload(245, SMALL, SMALL)),
                        j -> j.functionRestore(payload(245, SMALL, THIEF)),
                        j -> j.functionRestore(small),
                        j -> j.functionRestore(small),
                        j -> j.functionRestore(small, FunctionRestorePolicy.APPEND),
                        j -> j.functionRestore(payload(245, THIEF), FunctionRestorePolicy.REPLACE),
                        j -> j.functionRestore(payload(245, OTHER, SMALL.replace("'small'", "'again'")), FunctionRestorePolicy.REPLACE),
                        j -> j.fcall("small_f", List.of(), List.of()),
                        j -> j.functionRestore(payload(245, LONG), FunctionRestorePolicy.FLUSH),
                        j -> j.functionList().size(),
                        j -> j.functionRestore(payload(245, SMALL), FunctionRestorePolicy.APPEND),
                        j -> j.functionList().size());
                List<String> differences = new ArrayList<>();
                for (int i = 0; i < steps.size(); i++) {
                    String expected = outcome(steps.get(i), theirs);
                    String actual = outcome(steps.get(i), ours);
                    if (!expected.equals(actual)) {
                        differences.add("step " + i + ": redis " + expected + ", atoll " + actual);
                    }
                }
                assertEquals(List.of(), differences);
                assertEquals(libraries(theirs), libraries(ours));
            }
            return null;
        });
    }

    private static String text(Object reply) {
        return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    private static String outcome(Function<Jedis, Object> step, Jedis jedis) {
        try {
            return text(step.apply(jedis));
        } catch (redis.clients.jedis.exceptions.JedisDataException e) {
            return "error " + e.getMessage();
        }
    }

    /** Restored libraries are logged as loaded ones are: they survive a restart, with another shard count too. */
    @Test
    void restoredLibrariesSurviveARestart() throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.ALWAYS);
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings); Jedis j = new Jedis(server.host, server.port())) {
            assertEquals("OK", j.functionRestore(payload(245, SMALL, OTHER)));
            assertEquals("OK", j.functionRestore(payload(245, LONG), FunctionRestorePolicy.REPLACE));
        }
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings); Jedis j = new Jedis(server.host, server.port())) {
            assertEquals(Map.of("small", SMALL, "other", OTHER, "long", LONG), libraries(j));
            assertEquals("other", text(j.fcall("other_f", List.of(), List.of())));
        }
    }
}
