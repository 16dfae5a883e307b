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
}
