package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** INFO's sections in Redis's format and order: the ones a default INFO gives, and commandstats when asked for; ROLE. */
class KvInfoTest {
    @Test
    void infoHasRedisSectionsAndCommandstatsCountsCallsOverTheShards() throws Exception {
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = server.client()) {
            for (int i = 0; i < 10; i++) {
                c.call("SET", "k" + i, "v");
            }
            c.call("GET", "k1");
            String info = (String) c.call("INFO");
            // Redis 7.0's default sections in its order (redis-server 7.0.15's INFO), Atoll's Shards before the keyspace.
            assertEquals(List.of("# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication", "# CPU",
                    "# Modules", "# Errorstats", "# Cluster", "# Shards", "# Keyspace"),
                    info.lines().filter(line -> line.startsWith("# ")).toList());
            String replication = (String) c.call("INFO", "replication");
            assertTrue(replication.matches("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"
                    + "master_failover_state:no-failover\r\nmaster_replid:[0-9a-f]{40}\r\n(?s).*"), replication);
            assertEquals(List.of("master", 0L, List.of()), c.call("ROLE"));
            long lastSave = (Long) c.call("LASTSAVE"); // no snapshot ever: the start, as a Redis that never saved
            assertTrue(lastSave <= System.currentTimeMillis() / 1000 && lastSave > System.currentTimeMillis() / 1000 - 600, "" + lastSave);
            assertTrue(info.matches("(?s).*\r\nused_cpu_user:\\d+\\.\\d{6}\r\n.*"), info);
            assertTrue(info.matches("(?s).*\r\nused_memory:\\d+\r\n.*"), info);
            assertFalse(info.contains("# Commandstats"), "not in the default sections, as in Redis");
            String stats = (String) c.call("INFO", "commandstats");
            assertTrue(stats.startsWith("# Commandstats\r\n"), stats);
            assertTrue(stats.matches("(?s).*\r\ncmdstat_set:calls=10,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=0,"
                    + "failed_calls=0\r\n.*"), stats);
            assertTrue(stats.contains("cmdstat_get:calls=1,"), stats);
            assertTrue(((String) c.call("INFO", "cpu")).startsWith("# CPU\r\nused_cpu_sys:"));
        }
    }

    /**
     * MEMORY USAGE answers what maxmemory counts for a key: over every key of both shards the answers add up
     * to INFO's used_memory; a larger value is more, a missing key nil; options and subcommands as Redis 7.0.
     */
    @Test
    void memoryUsageAddsUpToUsedMemory() throws Exception {
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = server.client()) {
            for (int i = 0; i < 50; i++) {
                c.call("SET", "s" + i, "v".repeat(i));
                c.call("HSET", "h" + i, "f", "x".repeat(i), "g", "y");
            }
            long sum = 0;
            for (int i = 0; i < 50; i++) {
                sum += (Long) c.call("MEMORY", "USAGE", "s" + i);
                sum += (Long) c.call("MEMORY", "USAGE", "h" + i, "SAMPLES", "0");
            }
            String memory = (String) c.call("INFO", "memory");
            long used = Long.parseLong(memory.replaceAll("(?s).*\r\nused_memory:(\\d+)\r\n.*", "$1"));
            assertEquals(used, sum, memory);
            assertTrue((Long) c.call("MEMORY", "USAGE", "s49") > (Long) c.call("MEMORY", "USAGE", "s0"));
            assertEquals(null, c.call("MEMORY", "USAGE", "missing"));
            assertEquals(new RespClient.Error("ERR syntax error"), c.call("MEMORY", "USAGE", "s1", "bar", "1"));
            assertEquals(new RespClient.Error("ERR value is not an integer or out of range"),
                    c.call("MEMORY", "USAGE", "s1", "SAMPLES", "x"));
            assertEquals(new RespClient.Error("ERR wrong number of arguments for 'memory|usage' command"),
                    c.call("MEMORY", "USAGE"));
            assertEquals(new RespClient.Error("ERR unknown subcommand 'foo'. Try MEMORY HELP."), c.call("MEMORY", "foo"));
            assertEquals("OK", c.call("MEMORY", "PURGE"));
        }
    }

    @Test
    void avgTtlEstimatesTheKeysTimeToLiveAsRedisDoes() throws Exception {
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = server.client()) {
            for (int i = 0; i < 100; i++) {
                c.call("SET", "k" + i, "v", "EX", "1000");
                c.call("SET", "forever" + i, "v");
            }
            long deadline = System.nanoTime() + 10_000_000_000L; // the active expiry cycle samples ten times a second
            long avgTtl;
            do {
                String keyspace = (String) c.call("INFO", "keyspace");
                avgTtl = Long.parseLong(keyspace.replaceAll("(?s).*,avg_ttl=(\\d+)\r\n.*", "$1"));
                assertTrue(keyspace.contains("db0:keys=200,expires=100,"), keyspace);
            } while (avgTtl == 0 && System.nanoTime() < deadline);
            assertTrue(avgTtl > 900_000 && avgTtl <= 1_000_000, "avg_ttl " + avgTtl + " ms for keys of 1000 s");
            c.call("FLUSHALL");
            c.call("SET", "k", "v");
            assertTrue(((String) c.call("INFO", "keyspace")).contains("db0:keys=1,expires=0,avg_ttl=0\r\n"));
        }
    }

    /**
     * Every field of redis-server 7.0.15's default INFO is in Atoll's, in the same section and in the same order
     * (Atoll adds its own between them), but {@code config_file}: the kv's settings come from layered sources,
     * not one file (docs/kv.md, "INFO").
     */
    @Test
    void infoHasEveryFieldOfRedisInItsSectionAndOrder() throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedisServer(port);
        try (RespClient r = KvRedisComparisonTest.connect(port);
             KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient a = server.client()) {
            java.util.Map<String, List<String>> redisFields = fields((String) r.call("INFO"));
            java.util.Map<String, List<String>> atollFields = fields((String) a.call("INFO"));
            redisFields.get("# Server").remove("config_file");
            for (var section : redisFields.entrySet()) {
                List<String> atoll = atollFields.get(section.getKey());
                assertTrue(atoll != null, "Atoll's INFO has no " + section.getKey());
                List<String> inRedisOrder = atoll.stream().filter(section.getValue()::contains).toList();
                assertEquals(section.getValue(), inRedisOrder, section.getKey());
            }
            // MEMORY STATS: the same names in the same order (with a key, so that db.0's entry is there)
            r.call("SET", "k", "v");
            a.call("SET", "k", "v");
            assertEquals(names(r.call("MEMORY", "STATS")), names(a.call("MEMORY", "STATS")));
        } finally {
            redis.destroy();
            redis.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** The names of a flat RESP2 map (every other element), and of the maps inside it. */
    private static List<Object> names(Object flatMap) {
        List<?> items = (List<?>) flatMap;
        List<Object> names = new java.util.ArrayList<>();
        for (int i = 0; i < items.size(); i += 2) {
            names.add(items.get(i));
            if (items.get(i + 1) instanceof List<?> inner) {
                names.add(names(inner));
            }
        }
        return names;
    }

    /** Each section's field names, in order ({@code db0}'s line as its name). */
    private static java.util.Map<String, List<String>> fields(String info) {
        java.util.Map<String, List<String>> sections = new java.util.LinkedHashMap<>();
        List<String> current = null;
        for (String line : info.split("\r\n")) {
            if (line.startsWith("# ")) {
                current = new java.util.ArrayList<>();
                sections.put(line, current);
            } else if (!line.isEmpty() && current != null) {
                current.add(line.substring(0, line.indexOf(':')));
            }
        }
        return sections;
    }

    /**
     * total_net_input_bytes and total_net_output_bytes count every byte of the connections, total_reads_processed
     * and total_writes_processed their reads and writes, and instantaneous_ops_per_sec is the rate of the last
     * commands (Redis's 16 samples of 100 ms): non-zero while they run, zero once the server has been idle 1.6 s.
     */
    @Test
    void infoCountsTheNetworkBytesAndTheRateOfCommands() throws Exception {
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = server.client()) {
            java.util.Map<String, Long> before = stats(c);
            byte[] set = RespClient.encode("SET", "key", "value");
            for (int i = 0; i < 100; i++) {
                c.sendRaw(set);
                assertEquals("OK", c.read());
            }
            java.util.Map<String, Long> after = stats(c);
            // the INFO that read "before" and 100 SETs came in; its reply and 100 "+OK\r\n" went out
            String infoRequest = new String(RespClient.encode("INFO", "stats"), java.nio.charset.StandardCharsets.US_ASCII);
            assertEquals(infoRequest.length() + 100L * set.length,
                    after.get("total_net_input_bytes") - before.get("total_net_input_bytes"));
            assertTrue(after.get("total_net_output_bytes") - before.get("total_net_output_bytes") >= 100L * 5 + 100,
                    before + " " + after);
            assertTrue(after.get("total_reads_processed") - before.get("total_reads_processed") >= 101, "" + after);
            assertTrue(after.get("total_writes_processed") - before.get("total_writes_processed") >= 101, "" + after);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            long rate = 0;
            while (rate == 0 && System.nanoTime() < deadline) { // the 100 ms samples take the commands up
                for (int i = 0; i < 100; i++) {
                    c.sendRaw(set);
                    assertEquals("OK", c.read());
                }
                rate = stats(c).get("instantaneous_ops_per_sec");
            }
            assertTrue(rate > 0, "no rate while commands ran");
            for (int tries = 0; tries < 5 && rate > 0; tries++) {
                // the condition is idleness itself: no command for more than the 16 samples' 1.6 s, then one INFO
                Thread.sleep(2000);
                rate = stats(c).get("instantaneous_ops_per_sec");
            }
            assertEquals(0, rate, "the rate stays up on an idle server");
        }
    }

    private static java.util.Map<String, Long> stats(RespClient c) throws Exception {
        java.util.Map<String, Long> values = new java.util.HashMap<>();
        for (String line : ((String) c.call("INFO", "stats")).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(colon + 1).matches("\\d+")) {
                values.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 1)));
            }
        }
        return values;
    }
}
