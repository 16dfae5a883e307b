package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.atoll.examples.kv.KvBatchingTest.keyOf;
import static dev.atoll.examples.kv.KvBatchingTest.shardCounter;
import static dev.atoll.examples.kv.KvBatchingTest.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keys belong to shards by Redis Cluster's hash slots ({@link KeySlots}), and with {@code kv.shard-ports}
 * each shard has a port of its own and the server describes itself as a cluster whose nodes are the
 * shards ({@link ClusterCommands}): a cluster-aware client's commands then never cross cores.
 */
class KvShardPortsTest {
    private static KvSettings noLog() {
        return KvTestServer.settings(null, KvSettings.FsyncPolicy.NO);
    }

    private static int slot(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        return KeySlots.slot(bytes, 0, bytes.length);
    }

    @Test
    void slotsAreRedisClusters() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x31C3, KeySlots.crc16(check, 0, check.length));   // CRC16/XMODEM's check value
        assertEquals(12182, slot("foo"));   // as Redis Cluster's CLUSTER KEYSLOT answers
        assertEquals(5061, slot("bar"));
        assertEquals(slot("{user1000}.following"), slot("{user1000}.followers"));
        assertEquals(slot("bar"), slot("foo{bar}{zap}"));   // the first tag only
        assertEquals(slot("{bar"), slot("foo{{bar}}zap"));   // from the first '{' to the next '}'
        byte[] empty = "foo{}{bar}".getBytes(StandardCharsets.US_ASCII);
        assertEquals(KeySlots.crc16(empty, 0, empty.length) & 16383, slot("foo{}{bar}"));   // "{}": the whole key
        assertEquals(slot("a{b"), KeySlots.crc16("a{b".getBytes(StandardCharsets.US_ASCII), 0, 3) & 16383);
    }

    @Test
    void theShardsOwnContiguousRangesThatCoverEverySlot() {
        for (int shards = 1; shards <= 7; shards++) {
            int next = 0;
            for (int shard = 0; shard < shards; shard++) {
                assertEquals(next, KeySlots.firstSlot(shard, shards));
                for (int slot = KeySlots.firstSlot(shard, shards); slot <= KeySlots.lastSlot(shard, shards); slot++) {
                    assertEquals(shard, KeySlots.owner(slot, shards), "slot " + slot + " of " + shards + " shards");
                }
                next = KeySlots.lastSlot(shard, shards) + 1;
            }
            assertEquals(KeySlots.SLOTS, next);
        }
    }

    @Test
    void shardPortsAreReadAsOffOrTheFirstPort() {
        assertFalse(ShardPorts.from(dev.atoll.config.AtollConfig.parse("", "test").reader(), "127.0.0.1").enabled());
        assertTrue(ShardPorts.from(dev.atoll.config.AtollConfig.parse("kv.shard-ports = 7000", "test").reader(), "127.0.0.1")
                .enabled());
        dev.atoll.config.InvalidConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.atoll.config.InvalidConfigException.class,
                () -> ShardPorts.from(dev.atoll.config.AtollConfig.parse("kv.shard-ports = on", "test").reader(), "h"));
        assertTrue(e.getMessage().contains("kv.shard-ports") && e.getMessage().contains("on")
                && e.getMessage().contains("test"), e.getMessage());
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(dev.atoll.config.InvalidConfigException.class,
                () -> ShardPorts.from(dev.atoll.config.AtollConfig.parse("kv.shard-ports = 70000", "test").reader(), "h"))
                .getMessage().contains("70000"));
    }

    @Test
    void withoutShardPortsClusterCommandsAreRefusedAsByRedis() throws Exception {
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, noLog()); RespClient c = server.client()) {
            assertEquals(new RespClient.Error(ClusterCommands.DISABLED), c.call("CLUSTER", "SLOTS"));
            assertEquals(new RespClient.Error(ClusterCommands.DISABLED), c.call("READONLY"));
            assertTrue(((String) c.call("INFO", "cluster")).contains("cluster_enabled:0"));
        }
    }

    @Test
    void theShardsAreDescribedAsClusterNodes() throws Exception {
        try (KvTestServer server = KvTestServer.withShardPorts(2, DriverKind.AUTO, noLog());
             RespClient main = server.client();
             RespClient second = new RespClient(server.shardPorts.port(1))) {
            int port0 = server.shardPorts.port(0);
            int port1 = server.shardPorts.port(1);
            assertTrue(port0 != port1 && port0 != server.port() && port1 != server.port());
            List<?> slots = (List<?>) main.call("CLUSTER", "SLOTS");
            assertEquals(List.of(
                    List.of(0L, 8191L, List.of("127.0.0.1", (long) port0, nodeId(main, 0), List.of())),
                    List.of(8192L, 16383L, List.of("127.0.0.1", (long) port1, nodeId(main, 1), List.of()))), slots);
            assertEquals(nodeId(main, 1), second.call("CLUSTER", "MYID"));
            String nodes = (String) second.call("CLUSTER", "NODES");
            String[] lines = nodes.split("\n");
            assertEquals(2, lines.length, nodes);
            assertTrue(lines[0].startsWith(nodeId(main, 0) + " ") && lines[1].startsWith(nodeId(main, 1) + " "), nodes);
            assertTrue(lines[0].matches("[0-9a-f]{40} 127\\.0\\.0\\.1:" + port0 + "@\\d+ master - 0 0 1 connected 0-8191"), nodes);
            assertTrue(lines[1].matches("[0-9a-f]{40} 127\\.0\\.0\\.1:" + port1 + "@\\d+ myself,master - 0 0 2 connected 8192-16383"), nodes);
            assertFalse(((String) main.call("CLUSTER", "NODES")).contains("myself"), "the server's own port is no node's");
            assertTrue(((String) main.call("CLUSTER", "INFO")).contains("cluster_state:ok\r\ncluster_slots_assigned:16384"));
            assertEquals(12182L, main.call("CLUSTER", "KEYSLOT", "foo"));
            assertEquals("OK", main.call("READONLY"));
            assertEquals("OK", main.call("ASKING"));
            assertTrue(((String) main.call("INFO", "cluster")).contains("cluster_enabled:1"));
            assertTrue(main.call("CLUSTER", "NOPE") instanceof RespClient.Error);
        }
    }

    /** Shard {@code shard}'s id from the SLOTS reply, the one place a client learns it without NODES. */
    private static String nodeId(RespClient c, int shard) throws IOException {
        List<?> ranges = (List<?>) c.call("CLUSTER", "SLOTS");
        return (String) ((List<?>) ((List<?>) ranges.get(shard)).get(2)).get(2);
    }

    @Test
    void aShardsOwnPortServesItsKeysWithoutAHopAndOthersKeysStill() throws Exception {
        try (KvTestServer server = KvTestServer.withShardPorts(2, DriverKind.AUTO, noLog());
             RespClient admin = server.client()) {
            for (int shard = 0; shard < 2; shard++) {
                try (RespClient c = new RespClient(server.shardPorts.port(shard))) {
                    long remoteBefore = sum(shardCounter(admin, "remote_commands"));
                    for (int i = 0; i < 200; i++) {
                        String key = "{" + keyOf(shard, 2) + "}:" + i;   // a hash tag: every key on that shard
                        assertEquals("OK", c.call("SET", key, "v" + i));
                        assertEquals("v" + i, c.call("GET", key));
                    }
                    assertEquals(remoteBefore, sum(shardCounter(admin, "remote_commands")),
                            "a shard's own port sent its keys' commands to another shard");
                    String other = keyOf(1 - shard, 2);
                    assertEquals("OK", c.call("SET", other, "elsewhere"));   // served, not redirected
                    assertEquals("elsewhere", c.call("GET", other));
                    assertTrue(sum(shardCounter(admin, "remote_commands")) >= remoteBefore + 2);
                }
            }
        }
    }

    /** Jedis's cluster client reads CLUSTER SLOTS and sends every key to the shard that owns it. */
    @Test
    void jedisClusterSendsEveryKeyToItsShard() throws Exception {
        try (KvTestServer server = KvTestServer.withShardPorts(2, DriverKind.AUTO, noLog());
             RespClient admin = server.client();
             redis.clients.jedis.RedisClusterClient cluster = redis.clients.jedis.RedisClusterClient.create(
                     new redis.clients.jedis.HostAndPort("127.0.0.1", server.shardPorts.port(0)))) {
            long remoteBefore = sum(shardCounter(admin, "remote_commands"));
            for (int i = 0; i < 500; i++) {
                assertEquals("OK", cluster.set("key:" + i, "v" + i));
            }
            for (int i = 0; i < 500; i++) {
                assertEquals("v" + i, cluster.get("key:" + i));
            }
            assertEquals("OK", cluster.mset("{user:7}:a", "x", "{user:7}:b", "y"));   // one slot: one shard
            assertEquals(List.of("x", "y"), cluster.mget("{user:7}:a", "{user:7}:b"));
            long[] keys = shardCounter(admin, "keys");
            assertTrue(keys[0] > 200 && keys[1] > 200, "the keys spread over both shards: " + java.util.Arrays.toString(keys));
            assertEquals(remoteBefore, sum(shardCounter(admin, "remote_commands")),
                    "a command of Jedis's cluster client crossed shards");
        }
    }

    /** A stock cluster client: redis-benchmark --cluster reads CLUSTER NODES and routes every key itself. */
    @Test
    void redisBenchmarkInClusterModeSendsEveryCommandToItsShard() throws Exception {
        Assumptions.assumeTrue(KvRedisComparisonTest.onPath("redis-benchmark") != null,
                "redis-benchmark is not installed (Debian: redis-tools)");
        try (KvTestServer server = KvTestServer.withShardPorts(2, DriverKind.AUTO, noLog());
             RespClient admin = server.client()) {
            long remoteBefore = sum(shardCounter(admin, "remote_commands"));
            long commandsBefore = sum(shardCounter(admin, "commands"));
            Process p = new ProcessBuilder("redis-benchmark", "-h", "127.0.0.1", "-p", Integer.toString(server.port()),
                    "--cluster", "-c", "4", "-n", "2000", "-r", "1000", "-t", "set,get", "-q")
                    .redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "redis-benchmark did not finish in 60 s");
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), output);
            assertTrue(output.contains("SET:") && output.contains("GET:"), output);
            long commands = sum(shardCounter(admin, "commands")) - commandsBefore;
            assertTrue(commands >= 4000, commands + " commands: " + output);
            assertEquals(remoteBefore, sum(shardCounter(admin, "remote_commands")),
                    "a command of redis-benchmark --cluster crossed shards: " + output);
        }
    }

    /**
     * Logs of the same shard count that a build placing keys by another function wrote: each key is
     * found again, on the shard that owns its slot, and the logs are rewritten so.
     */
    @Test
    void keysLoggedOnAnotherShardThanTheirSlotsAreFoundAfterARestart(@TempDir Path dir) throws Exception {
        String onOne = keyOf(1, 2);
        Files.write(dir.resolve("appendonly-0-of-2.aof"), RespClient.encode("SET", onOne, "kept"));
        Files.write(dir.resolve("appendonly-1-of-2.aof"), new byte[0]);
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.ALWAYS);
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals("kept", c.call("GET", onOne));
        }
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals("kept", c.call("GET", onOne), "the rewritten logs lost the key");
        }
    }
}
