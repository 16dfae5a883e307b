package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.SetParams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.atoll.examples.kv.ReplicationProbes.await;
import static dev.atoll.examples.kv.ReplicationProbes.caughtUp;
import static dev.atoll.examples.kv.ReplicationProbes.infoField;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replication with Atoll as the master: a live redis-server 7.0.15 started with {@code --replicaof} an Atoll of 1
 * and 2 shards, with and without a log, holds every key written before its sync, during it (a writer racing the
 * snapshot's start on every shard) and after, with their TTLs; a key that expires on Atoll goes on the replica;
 * a killed replica connection comes back with a partial resync; WAIT counts the replica's acknowledgements.
 */
class KvReplicationTest {
    /**
     * The socket timeout of the connections that send WAIT or DEBUG DIGEST: above WAIT's own 10 s (Jedis's default of
     * 2 s gave up while a loaded machine's replicas were still acknowledging, in CI, and before a replica had digested
     * the millions of elements the writer leaves).
     */
    private static final int WAIT_CLIENT_TIMEOUT = 20_000;

    @TempDir
    Path dir;

    /** Settings with the RDB file (and the logs, with {@code appendOnly}) in {@code dir}. */
    static KvSettings settings(Path dir, boolean appendOnly) {
        return new KvSettings(appendOnly, KvSettings.FsyncPolicy.EVERYSEC, dir, 64L << 20, 100, 16L << 20,
                KvTestServer.INPUT, KvTestServer.OUTPUT, 10_000, Duration.ZERO, "", true);
    }

    private static String onPathOrSkip(String program) {
        String path = KvRedisComparisonTest.onPath(program);
        Assumptions.assumeTrue(path != null, program + " is not installed: the replication with Redis is skipped");
        return path;
    }

    /** redis-server on {@code port}, a replica of the Atoll on {@code masterPort}, its files and log in {@code dir}. */
    private static Process replica(Path dir, int port, int masterPort) throws IOException {
        Files.createDirectories(dir);
        return new ProcessBuilder(onPathOrSkip("redis-server"), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(),
                "--replicaof", "127.0.0.1", Integer.toString(masterPort), "--enable-debug-command", "yes")
                .redirectErrorStream(true).redirectOutput(dir.resolve("replica.log").toFile()).start();
    }

    private static void stop(Process redis) throws InterruptedException {
        redis.destroy();
        redis.waitFor(10, TimeUnit.SECONDS);
    }

    /** Every key's type and value (streams with their groups, consumers and PELs), as both sides answer them. */
    private static Map<String, Object> contents(Jedis jedis) {
        Map<String, Object> all = new TreeMap<>();
        for (String key : jedis.keys("*")) {
            all.put(key, jedis.type(key).equals("stream") ? KvRdbTest.stream(jedis, key) : KvDumpRestoreTest.value(jedis, key));
        }
        return all;
    }

    /** Equal contents, or a failure that names the keys that differ and how (values cut at 300 characters). */
    private static void assertSameContents(Map<String, Object> expected, Map<String, Object> actual, String what) {
        java.util.List<String> differences = new java.util.ArrayList<>();
        java.util.Set<String> keys = new java.util.TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String key : keys) {
            String ours = String.valueOf(expected.get(key));
            String theirs = String.valueOf(actual.get(key));
            if (!ours.equals(theirs)) {
                differences.add(key + ": Atoll " + cut(ours) + " / replica " + cut(theirs));
            }
        }
        assertTrue(differences.isEmpty(), what + ": " + differences.size() + " keys differ: " + differences);
    }

    private static String cut(String value) {
        return value.length() <= 300 ? value : value.substring(0, 150) + "..." + value.substring(value.length() - 150);
    }

    /**
     * Writes that are not idempotent (RPUSH, APPEND, SADD of new members, XADD) across every shard: a record
     * that reached the replica twice, or never, shows as a list, string or stream that differs.
     */
    private static void writeRound(Pipeline p, long round) {
        for (int k = 0; k < 8; k++) {
            p.rpush("during-list-" + k, Long.toString(round));
            p.append("during-append-" + k, round + ",");
            p.hset("during-hash-" + k, "f" + round, Long.toString(round));
            p.zadd("during-zset-" + k, round, "m" + round);
            p.sadd("during-set-" + k, "m" + round);
        }
        p.set("during-string-" + round, "v" + round);
        p.incr("during-counter");
        p.xadd("during-stream", new StreamEntryID(round, 0), Map.of("round", Long.toString(round)));
        if (round % 10 == 0) {
            p.del("during-string-" + (round - 5));
            p.mset("during-mset-a", Long.toString(round), "during-mset-b", Long.toString(round)); // across shards
        }
    }

    @ParameterizedTest(name = "{0} shard(s), appendonly {1}, repl-diskless-sync {2}")
    @CsvSource({"1, true, no", "2, true, no", "1, false, no", "2, false, no", "1, true, yes", "2, true, yes", "2, false, yes"})
    void aRedisReplicaHoldsEveryWriteBeforeDuringAndAfterItsSync(int shards, boolean appendOnly, String diskless) throws Exception {
        onPathOrSkip("redis-server");
        int replicaPort = KvRedisComparisonTest.freePort();
        int secondPort = KvRedisComparisonTest.freePort();
        try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO, settings(dir, appendOnly));
             Jedis jedis = new Jedis(server.host, server.port(), WAIT_CLIENT_TIMEOUT)) {
            assertEquals("OK", jedis.configSet("repl-diskless-sync", diskless));
            assertEquals("OK", jedis.configSet("repl-diskless-sync-delay", "1"));
            KvDumpRestoreTest.writeEveryType(jedis);
            jedis.set("ttl-string", "v", SetParams.setParams().px(500_000));
            jedis.rpush("ttl-list", "a", "b");
            jedis.pexpire("ttl-list", 600_000);
            jedis.hset("ttl-hash", "f", "v");
            jedis.expire("ttl-hash", 700);
            for (int i = 0; i < 2000; i++) {
                jedis.set("before-" + i, "v" + i);
            }
            // a writer racing the sync's start on every shard, bounded in rounds and time
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong rounds = new AtomicLong();
            AtomicReference<Throwable> writerFailed = new AtomicReference<>();
            Thread writer = Thread.ofPlatform().start(() -> {
                try (Jedis w = new Jedis(server.host, server.port())) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!stop.get() && rounds.get() < 100_000 && System.nanoTime() < deadline) {
                        Pipeline p = w.pipelined();
                        for (int i = 0; i < 20; i++) {
                            writeRound(p, rounds.incrementAndGet());
                        }
                        p.sync();
                    }
                } catch (Throwable e) {
                    writerFailed.set(e);
                }
            });
            await("the writer's first rounds", () -> rounds.get() > 100);
            Process first = replica(dir.resolve("replica"), replicaPort, server.port());
            Process second = null;
            try {
                KvRedisComparisonTest.connect(replicaPort).close();
                try (Jedis replica = new Jedis("127.0.0.1", replicaPort, WAIT_CLIENT_TIMEOUT)) {
                    await("the replica's link", () -> "up".equals(infoField(replica, "replication", "master_link_status")));
                    long atSync = rounds.get();
                    await("the writer's rounds after the sync", () -> rounds.get() > atSync + 200 || writerFailed.get() != null);
                    // a second replica's full sync while the stream already flows to the first: each shard's records
                    // before its part of the second snapshot are in that shard's part, those after it in the stream
                    second = replica(dir.resolve("second"), secondPort, server.port());
                    KvRedisComparisonTest.connect(secondPort).close();
                    try (Jedis other = new Jedis("127.0.0.1", secondPort, WAIT_CLIENT_TIMEOUT)) {
                        await("the second replica's link", () -> "up".equals(infoField(other, "replication", "master_link_status")));
                        long atSecond = rounds.get();
                        await("the writer's rounds after the second sync", () -> rounds.get() > atSecond + 200 || writerFailed.get() != null);
                        stop.set(true);
                        writer.join(30_000);
                        assertEquals(null, writerFailed.get(), "the writer");
                        // after the syncs: changes, deletions, a new TTL, a key that expires on Atoll
                        jedis.rpush("l-small", "after");
                        jedis.del("s-text");
                        jedis.expire("before-7", 900);
                        jedis.set("expires-soon", "v", SetParams.setParams().px(200));
                        // a consumer group read, claimed and acknowledged (Atoll logs XDELIVER; Redis's replicas get XCLAIMs)
                        jedis.sendCommand(Protocol.Command.XGROUP, "CREATE", "during-stream", "g", "0");
                        jedis.sendCommand(Protocol.Command.XREADGROUP, "GROUP", "g", "alice", "COUNT", "5", "STREAMS", "during-stream", ">");
                        jedis.sendCommand(Protocol.Command.XREADGROUP, "GROUP", "g", "bob", "COUNT", "3", "STREAMS", "during-stream", ">");
                        jedis.sendCommand(Protocol.Command.XCLAIM, "during-stream", "g", "bob", "0", "1-0", "2-0");
                        jedis.sendCommand(Protocol.Command.XACK, "during-stream", "g", "3-0");
                        jedis.sendCommand(Protocol.Command.XREADGROUP, "GROUP", "g", "carol", "NOACK", "COUNT", "2", "STREAMS", "during-stream", ">");
                        assertEquals(2L, jedis.waitReplicas(2, 10_000), "WAIT 2 after writes with the replicas up");
                        await("the key's expiry on Atoll", () -> jedis.exists("expires-soon") == false);
                        Map<String, Object> expected = contents(jedis);
                        for (Jedis r : List.of(replica, other)) {
                            String which = r == replica ? "the first replica" : "the second replica";
                            caughtUp(jedis, r);
                            assertSameContents(expected, contents(r), "every key on " + which);
                            KvRdbTest.assertSameExpiries(KvRdbTest.expiries(jedis), KvRdbTest.expiries(r));
                            // DBSIZE counts keys a replica holds expired, which only the master's DEL removes
                            assertEquals(jedis.dbSize(), r.dbSize(), "keys on the replica (the expired one deleted)");
                            assertEquals(digest(jedis), digest(r), "DEBUG DIGEST, Redis's own digest of every key and value, on "
                                    + which);
                        }
                    }

                    // the replicas' connections killed: they continue from the backlog, and miss nothing
                    String replicaClients = jedis.clientList(redis.clients.jedis.args.ClientType.REPLICA);
                    assertEquals(2L, (Long) jedis.sendCommand(Protocol.Command.CLIENT, "KILL", "TYPE", "replica"),
                            "the replicas' connections: " + replicaClients);
                    for (int i = 0; i < 100; i++) {
                        jedis.rpush("after-kill", Integer.toString(i));
                    }
                    await("the partial resyncs", () -> "2".equals(infoField(jedis, "stats", "sync_partial_ok")));
                    caughtUp(jedis, replica);
                    assertEquals("2", infoField(jedis, "stats", "sync_full"), "a full sync per replica only");
                    String log = Files.readString(dir.resolve("replica").resolve("replica.log"));
                    assertTrue(log.contains("Successful partial resynchronization with master"), "the replica's log");
                    assertTrue(log.contains(diskless.equals("yes") ? "receiving streamed RDB from master with EOF"
                            : "MASTER <-> REPLICA sync: receiving "), "the sync's form in the replica's log: " + log);
                    assertEquals(diskless.equals("yes") ? "0" : "2", infoField(jedis, "persistence", "rdb_saves"),
                            "a diskless sync writes no file");
                    assertSameContents(contents(jedis), contents(replica), "every key on the replica after the partial resync");
                }
            } finally {
                stop.set(true);
                writer.join(30_000);
                stop(first);
                if (second != null) {
                    stop(second);
                }
            }
        }
    }

    /** DEBUG DIGEST's 40 hex digits. */
    private static String digest(Jedis jedis) {
        return text(jedis.sendCommand(() -> redis.clients.jedis.util.SafeEncoder.encode("DEBUG"), "DIGEST"));
    }

    private static String text(Object bulk) {
        return new String((byte[]) bulk, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * FLUSHALL on several shards: each shard flushes on its own, so a key written on one shard right after its flush
     * must not be removed on the replica by another shard's flush arriving later (the replicas get each shard's keys
     * deleted, not FLUSHALL).
     */
    @Test
    void aFlushallAcrossShardsKeepsTheWritesThatFollowIt() throws Exception {
        onPathOrSkip("redis-server");
        int replicaPort = KvRedisComparisonTest.freePort();
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir, false));
             Jedis jedis = new Jedis(server.host, server.port(), WAIT_CLIENT_TIMEOUT)) {
            Process redis = replica(dir.resolve("replica"), replicaPort, server.port());
            try {
                KvRedisComparisonTest.connect(replicaPort).close();
                try (Jedis replica = new Jedis("127.0.0.1", replicaPort)) {
                    await("the replica's link", () -> "up".equals(infoField(replica, "replication", "master_link_status")));
                    // a writer on both shards while FLUSHALLs run: what it writes on a shard after that shard's flush stays
                    AtomicBoolean stop = new AtomicBoolean();
                    AtomicReference<Throwable> writerFailed = new AtomicReference<>();
                    Thread writer = Thread.ofPlatform().start(() -> {
                        try (Jedis w = new Jedis(server.host, server.port())) {
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                            for (int n = 0; !stop.get() && n < 1_000_000 && System.nanoTime() < deadline; n += 50) {
                                Pipeline p = w.pipelined();
                                for (int i = 0; i < 50; i++) {
                                    p.set("w-" + (n + i), "v");
                                }
                                p.sync();
                            }
                        } catch (Throwable e) {
                            writerFailed.set(e);
                        }
                    });
                    try {
                        for (int round = 0; round < 50; round++) {
                            jedis.flushAll();
                            Thread.sleep(5);
                        }
                    } finally {
                        stop.set(true);
                        writer.join(30_000);
                    }
                    assertEquals(null, writerFailed.get(), "the writer");
                    assertEquals(1L, jedis.waitReplicas(1, 10_000));
                    caughtUp(jedis, replica);
                    assertSameContents(contents(jedis), contents(replica), "every key on the replica");
                }
            } finally {
                stop(redis);
            }
        }
    }

    @Test
    void waitCountsTheReplicaWhileItIsUpAndTimesOutOnceItStopped() throws Exception {
        onPathOrSkip("redis-server");
        int replicaPort = KvRedisComparisonTest.freePort();
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir, false));
             Jedis jedis = new Jedis(server.host, server.port(), WAIT_CLIENT_TIMEOUT)) {
            assertEquals(0L, jedis.waitReplicas(1, 100), "no replica yet");
            Process redis = replica(dir.resolve("replica"), replicaPort, server.port());
            try {
                KvRedisComparisonTest.connect(replicaPort).close();
                try (Jedis replica = new Jedis("127.0.0.1", replicaPort)) {
                    await("the replica's link", () -> "up".equals(infoField(replica, "replication", "master_link_status")));
                    for (int i = 0; i < 50; i++) {
                        jedis.set("k" + i, "v" + i);
                        assertEquals(1L, jedis.waitReplicas(1, 10_000), "WAIT 1 after a write, the replica up");
                        assertEquals("v" + i, replica.get("k" + i), "acknowledged, so on the replica");
                    }
                    java.util.List<?> role = (java.util.List<?>) jedis.sendCommand(Protocol.Command.ROLE);
                    assertEquals("master", text(role.get(0)));
                    java.util.List<?> replicas = (java.util.List<?>) role.get(2);
                    assertEquals(1, replicas.size(), "ROLE's replicas");
                    java.util.List<?> one = (java.util.List<?>) replicas.get(0);
                    assertEquals("127.0.0.1", text(one.get(0)));
                    assertEquals(Integer.toString(replicaPort), text(one.get(1)), "the port it listens on (REPLCONF listening-port)");
                    assertTrue(Long.parseLong(text(one.get(2))) > 0, "its acknowledged offset");
                }
            } finally {
                stop(redis);
            }
            await("the replica's end", () -> "0".equals(infoField(jedis, "replication", "connected_slaves")));
            jedis.set("after-stop", "v");
            long started = System.nanoTime();
            assertEquals(0L, jedis.waitReplicas(1, 500), "WAIT 1 with the replica stopped");
            assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(450), "WAIT waited for its timeout");
        }
    }
}
