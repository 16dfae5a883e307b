package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * INFO's error counts as Redis 7.0 keeps them: {@code # Errorstats} ({@code errorstat_<code>:count=N}),
 * {@code total_error_replies} in {@code # Stats}, {@code rejected_calls} and {@code failed_calls} in
 * {@code # Commandstats}; summed over the shards, each error once even when it crossed the mesh, cleared
 * by CONFIG RESETSTAT; and the same counts as redis-server's for the same commands, when it is installed.
 */
class KvErrorStatsTest extends KvOneAndTwoShards {

    /** Commands with errors of every way: refused (arity, unknown), failed (WRONGTYPE, not an integer, no such key), in MULTI. */
    private static final String[][] SCRIPT = {
        {"SET", "s", "v"}, {"LPUSH", "s", "x"}, {"GET"}, {"FOO"}, {"INCR", "s"}, {"INCR", "s"},
        {"MULTI"}, {"INCR", "s"}, {"SET", "a", "1"}, {"EXEC"},
        {"MULTI"}, {"GET"}, {"SET", "a", "2"}, {"EXEC"},
        {"RENAME", "nokey", "newkey"}, {"RPUSH", "l", "a"}, {"LMOVE", "l", "s", "LEFT", "LEFT"}, {"LRANGE", "l", "0", "-1"},
        {"SADD", "set2", "m"}, {"SINTER", "set2", "s"}, {"ZADD", "z", "1", "m"}, {"ZADD", "other", "1", "m"}, {"ZUNIONSTORE", "zd", "2", "other", "s"},
        {"ZADD", "z", "x", "m"}, {"HGET", "s", "f"}, {"EXPIRE", "s", "x"}, {"SET", "s", "v", "EX", "0"},
        {"GET", "s"}, {"EXEC"}, {"DISCARD"}, {"WATCH"}, {"ECHO", "a", "b"},
        // Containers count per subcommand (cmdstat_client|getname); an unknown subcommand counts nowhere.
        {"SET", "k", "v"}, {"OBJECT", "ENCODING", "k"}, {"OBJECT", "FREQ", "k"}, {"CLIENT", "GETNAME"}, {"CLIENT", "FOO"},
        {"CONFIG", "GET", "maxclients"}, {"COMMAND", "COUNT"}, {"PUBSUB", "NUMPAT"},
    };

    /** Runs the script on a fresh state: FLUSHALL and CONFIG RESETSTAT first. */
    private static void runScript(RespClient c) throws Exception {
        assertEquals("OK", c.call("FLUSHALL"));
        assertEquals("OK", c.call("CONFIG", "RESETSTAT"));
        for (String[] command : SCRIPT) {
            c.call(command);
        }
    }

    /** The lines of section {@code name} of {@code info}, without the header. */
    private static Map<String, String> section(String info, String name) {
        Map<String, String> lines = new TreeMap<>();
        Matcher m = Pattern.compile("# " + name + "\r\n((?:[^#\r][^\r]*\r\n)*)").matcher(info);
        assertTrue(m.find(), name + " in:\n" + info);
        for (String line : m.group(1).split("\r\n")) {
            if (!line.isEmpty()) {
                int colon = line.indexOf(':');
                lines.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return lines;
    }

    /** The command stats of {@code commands} without their times: calls, rejected_calls, failed_calls. */
    private static Map<String, String> counts(String commandstats, String... commands) {
        Map<String, String> all = section(commandstats, "Commandstats");
        Map<String, String> counts = new TreeMap<>();
        for (String command : commands) {
            String line = all.getOrDefault("cmdstat_" + command, "");
            counts.put(command, line.replaceAll("usec=\\d+,usec_per_call=[\\d.]+,", ""));
        }
        return counts;
    }

    private static final String[] COUNTED = {"set", "lpush", "get", "incr", "multi", "exec", "rename", "rpush", "lmove",
        "lrange", "sadd", "sinter", "zadd", "zunionstore", "hget", "expire", "discard", "watch", "echo", "object|encoding",
        "object|freq", "client|getname", "client", "config|get", "command|count", "pubsub|numpat"};

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void errorsAreCountedPerCodeAndCommandOverTheShards(int shards) throws Exception {
        try (RespClient c = server(shards).client()) {
            runScript(c);
            String info = (String) c.call("INFO");
            assertEquals(Map.of("errorstat_ERR", "count=16", "errorstat_EXECABORT", "count=1",
                    "errorstat_WRONGTYPE", "count=5"), section(info, "Errorstats"));
            assertEquals("22", section(info, "Stats").get("total_error_replies"));
            Map<String, String> counts = counts((String) c.call("INFO", "commandstats"), COUNTED);
            assertEquals("calls=1,rejected_calls=2,failed_calls=0", counts.get("get"));
            assertEquals("calls=3,rejected_calls=0,failed_calls=3", counts.get("incr"));
            assertEquals("calls=1,rejected_calls=0,failed_calls=1", counts.get("lpush"));
            assertEquals("calls=3,rejected_calls=0,failed_calls=2", counts.get("exec"));
            assertEquals("calls=1,rejected_calls=0,failed_calls=1", counts.get("rename"), "RENAME of a missing key, "
                    + "across shards with 2: one error, counted once");
            assertEquals("calls=1,rejected_calls=0,failed_calls=1", counts.get("lmove"));
            assertEquals("calls=1,rejected_calls=0,failed_calls=1", counts.get("sinter"));
            assertEquals("calls=1,rejected_calls=0,failed_calls=1", counts.get("zunionstore"));
            assertEquals("calls=0,rejected_calls=1,failed_calls=0", counts.get("watch"));
            assertEquals("calls=0,rejected_calls=1,failed_calls=0", counts.get("echo"));
            assertEquals("calls=1,rejected_calls=0,failed_calls=0", counts.get("object|encoding"));
            assertEquals("calls=1,rejected_calls=0,failed_calls=1", counts.get("object|freq"), "under LRU: an error");
            assertEquals("calls=1,rejected_calls=0,failed_calls=0", counts.get("client|getname"));
            assertEquals("", counts.get("client"), "CLIENT FOO counts in no row, as in Redis");
            assertEquals("calls=1,rejected_calls=0,failed_calls=0", counts.get("config|get"));

            assertEquals("OK", c.call("CONFIG", "RESETSTAT"));
            String reset = (String) c.call("INFO", "everything");
            assertEquals(Map.of(), section(reset, "Errorstats"));
            assertEquals("0", section(reset, "Stats").get("total_error_replies"));
            assertEquals(Map.of("cmdstat_info", section(reset, "Commandstats").get("cmdstat_info")),
                    section(reset, "Commandstats"), "RESETSTAT clears the command stats too");
        }
    }

    /** Redis's own counts for the same script: the sections' keys and values (times aside) must be equal. */
    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void sameCountsAsRedisServer(int shards) throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedisServer(port);
        try (RespClient theirs = KvRedisComparisonTest.connect(port); RespClient ours = server(shards).client()) {
            runScript(theirs);
            runScript(ours);
            String redisInfo = (String) theirs.call("INFO", "everything");
            String atollInfo = (String) ours.call("INFO", "everything");
            assertEquals(section(redisInfo, "Errorstats"), section(atollInfo, "Errorstats"));
            assertEquals(section(redisInfo, "Stats").get("total_error_replies"),
                    section(atollInfo, "Stats").get("total_error_replies"));
            assertEquals(counts(redisInfo, COUNTED), counts(atollInfo, COUNTED));
            String line = section(atollInfo, "Commandstats").get("cmdstat_get");
            assertTrue(line.matches("calls=\\d+,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=\\d+,failed_calls=\\d+"),
                    "Redis 7.0's format: " + line);
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theScriptsMultiKeyErrorsCrossShards() {
        for (String[] pair : new String[][] {{"nokey", "newkey"}, {"l", "s"}, {"set2", "s"}, {"other", "s"}}) {
            byte[] a = pair[0].getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] b = pair[1].getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(KeySlots.owner(a, 0, a.length, 2) != KeySlots.owner(b, 0, b.length, 2),
                    "with 2 shards, " + pair[0] + " and " + pair[1] + " are on different shards: the error crosses the mesh");
        }
    }

    @Test
    void errorsOfOneCodeBeyondTheFirstWordAndWithoutASpace() {
        ErrorStats stats = new ErrorStats();
        stats.count("WRONGTYPE Operation against a key holding the wrong kind of value");
        stats.count("NOSPACE");
        stats.count("ERR x");
        stats.count("A".repeat(40) + " long code");
        assertEquals(Map.of("WRONGTYPE", 1L, "ERR", 3L), stats.codes(), "no space within 32 characters: ERR, as Redis");
        assertEquals(4, stats.total);
    }
}
