package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.atoll.examples.kv.ReplicationProbes.await;
import static dev.atoll.examples.kv.ReplicationProbes.caughtUp;
import static dev.atoll.examples.kv.ReplicationProbes.infoField;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * FAILOVER with Atoll as the master: to a live redis-server 7.0.15 replica (Atoll becomes its replica, the data
 * equal, the new master's writes reach Atoll), to an Atoll replica in the same JVM (which promotes itself on
 * {@code PSYNC ... FAILOVER}), the pause of writes while waiting and a TIMEOUT that aborts, and the errors, each
 * compared with redis-server's.
 */
class KvFailoverTest {
    @TempDir
    Path dir;

    /** redis-server on a free loopback port, without persistence. */
    private Process redisServer(int port) throws Exception {
        String program = KvRedisComparisonTest.onPath("redis-server");
        Assumptions.assumeTrue(program != null, "redis-server is not installed: the failover test is skipped");
        Process p = new ProcessBuilder(program, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--daemonize", "no", "--enable-debug-command", "local", "--dir", dir.toString(), "--dbfilename", "redis-" + port + ".rdb")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        KvRedisComparisonTest.connect(port).close();
        return p;
    }

    /** A new directory for a server's files in the test's. */
    private Path directory(String name) throws java.io.IOException {
        return java.nio.file.Files.createDirectories(dir.resolve(name));
    }

    /** A test's part with an Atoll server and a redis-server (on {@code redisPort}) running. */
    private interface Body {
        void run(KvTestServer server, int redisPort) throws Exception;
    }

    /** Runs {@code body} with an Atoll server of {@code shards} shards and a redis-server, both stopped after it. */
    private void withServers(int shards, Body body) throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = redisServer(port);
        try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO, KvReplicationTest.settings(directory("atoll"), false))) {
            body.run(server, port);
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Object send(Jedis jedis, String... words) {
        String[] args = java.util.Arrays.copyOfRange(words, 1, words.length);
        try {
            Object reply = jedis.sendCommand(() -> SafeEncoder.encode(words[0]), args);
            return reply instanceof byte[] b ? SafeEncoder.encode(b) : reply;
        } catch (JedisDataException e) {
            return "-" + e.getMessage();
        }
    }

    /** FAILOVER's errors on a master without replicas, and PSYNC ... FAILOVER sent to a master: as redis-server's. */
    @Test
    void errorsAsRedis() throws Exception {
        withServers(2, (server, port) -> {
            try (Jedis atoll = new Jedis(server.host, server.port());
                 Jedis reference = new Jedis("127.0.0.1", port)) {
                List<String[]> commands = List.of(new String[] {"FAILOVER"}, new String[] {"FAILOVER", "ABORT"},
                        new String[] {"FAILOVER", "TIMEOUT", "0"}, new String[] {"FAILOVER", "TIMEOUT", "x"},
                        new String[] {"FAILOVER", "bogus"}, new String[] {"FAILOVER", "ABORT", "FORCE"},
                        new String[] {"FAILOVER", "TO", "127.0.0.1", "1"}, new String[] {"FAILOVER", "FORCE"},
                        new String[] {"FAILOVER", "TO", "h"}, new String[] {"FAILOVER", "TO", "h", "p"});
                for (String[] command : commands) {
                    assertEquals(send(reference, command), send(atoll, command), String.join(" ", command));
                }
                assertEquals("no-failover", infoField(atoll, "replication", "master_failover_state"));
            }
        });
    }

    /**
     * Atoll (1 and 2 shards) with a redis-server replica: FAILOVER's errors with a replica, then FAILOVER TO it; the
     * replica promotes itself and continues Atoll's history (a partial resync, as between two redis-servers), Atoll
     * is its replica with equal data, and the new master's writes reach Atoll.
     */
    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void toALiveRedisReplica(int shards) throws Exception {
        withServers(shards, (server, port) -> {
            try (Jedis atoll = new Jedis(server.host, server.port());
                 Jedis replica = new Jedis("127.0.0.1", port)) {
                KvDumpRestoreTest.writeEveryType(atoll);
                assertEquals("OK", replica.replicaof(server.host, server.port()));
                caughtUp(atoll, replica);
                atoll.set("after-sync", "streamed");
                caughtUp(atoll, replica);

                assertEquals("-ERR FAILOVER target HOST and PORT is not a replica.", send(atoll, "FAILOVER", "TO", "127.0.0.1", "1"));
                assertEquals("-ERR FAILOVER with force option requires both a timeout and target HOST and IP.",
                        send(atoll, "FAILOVER", "TO", "127.0.0.1", Integer.toString(port), "FORCE"));
                assertEquals("OK", send(atoll, "FAILOVER", "TO", "127.0.0.1", Integer.toString(port)));

                await("redis-server to be the master and Atoll its replica", () -> "master".equals(replica.role().get(0))
                        && "up".equals(infoField(atoll, "replication", "master_link_status")));
                await("the failover's end", () -> "no-failover".equals(infoField(atoll, "replication", "master_failover_state")));
                assertEquals(List.of("slave", "127.0.0.1", (long) port), atoll.role().subList(0, 3));
                assertEquals("1", infoField(replica, "stats", "sync_partial_ok"), "the target continued Atoll's history");
                assertEquals(KvRdbTest.contents(replica), KvRdbTest.contents(atoll), "the data after the failover");

                replica.set("written-on-the-new-master", "x");
                replica.lpush("l-small", "new");
                caughtUp(replica, atoll);
                assertEquals(KvRdbTest.contents(replica), KvRdbTest.contents(atoll), "the new master's writes on Atoll");
                JedisDataException refused = assertThrows(JedisDataException.class, () -> atoll.set("x", "y"));
                assertEquals("READONLY You can't write against a read only replica.", refused.getMessage());
            }
        });
    }

    /**
     * A replica that does not acknowledge (redis-server in DEBUG SLEEP): FAILOVER TIMEOUT waits with writes paused
     * (a client's SET is held, a read is served), then aborts: Atoll a master again, the SET done.
     */
    @Test
    void aTimeoutAbortsAndWritesWaitMeanwhile() throws Exception {
        withServers(2, (server, port) -> {
            try (Jedis atoll = new Jedis(server.host, server.port());
                 Jedis writer = new Jedis(server.host, server.port());
                 Jedis replica = new Jedis("127.0.0.1", port);
                 Jedis sleeper = new Jedis("127.0.0.1", port, 10_000)) {
                assertEquals("OK", replica.replicaof(server.host, server.port()));
                caughtUp(atoll, replica);
                CompletableFuture<Object> sleep = CompletableFuture.supplyAsync(() -> send(sleeper, "DEBUG", "SLEEP", "3"), KvTestServer.THREADS);
                Thread.sleep(200); // the sleep has begun: the replica reads nothing
                atoll.set("unacknowledged", "1");
                assertEquals("OK", send(atoll, "FAILOVER", "TIMEOUT", "1500"));
                assertEquals("waiting-for-sync", infoField(atoll, "replication", "master_failover_state"));
                assertEquals("-ERR FAILOVER already in progress.", send(atoll, "FAILOVER"));
                assertEquals("-ERR REPLICAOF not allowed while failing over.", send(atoll, "REPLICAOF", "127.0.0.1", "1"));
                CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> writer.set("held", "by the pause"), KvTestServer.THREADS);
                assertEquals("1", atoll.get("unacknowledged"), "reads are served");
                Thread.sleep(300);
                assertFalse(held.isDone(), "a write waits while the failover waits for its replica");
                await("the timeout's abort", () -> "no-failover".equals(infoField(atoll, "replication", "master_failover_state")));
                assertEquals("OK", held.get(10, TimeUnit.SECONDS));
                assertEquals("master", atoll.role().get(0));
                assertEquals("by the pause", atoll.get("held"));
                sleep.get(10, TimeUnit.SECONDS);
            }
        });
    }

    /**
     * Atoll to Atoll, two servers in this JVM: FAILOVER on the master; the Atoll replica promotes itself on
     * {@code PSYNC <replid> <offset> FAILOVER} and, keeping its master's stream in its backlog, continues the old
     * master's history ({@code +CONTINUE}: a partial resync, no full sync). Then back: FAILOVER on the new master to the
     * first, whose shards' feeds ran while it was a replica (it had served a full sync): its stream after the promotion
     * is its clients' writes only, each once. Also a PSYNC FAILOVER whose replid is not the replica's master's is
     * refused, as Redis refuses it.
     */
    @Test
    void atollToAtollAndBack() throws Exception {
        try (KvTestServer first = KvTestServer.start(2, DriverKind.AUTO, KvReplicationTest.settings(directory("first"), true));
             KvTestServer second = KvTestServer.start(2, DriverKind.AUTO, KvReplicationTest.settings(directory("second"), false));
             Jedis master = new Jedis(first.host, first.port());
             Jedis replica = new Jedis(second.host, second.port())) {
            KvDumpRestoreTest.writeEveryType(master);
            assertEquals("OK", replica.replicaof(first.host, first.port()));
            caughtUp(master, replica);
            KvPromotionTest.counted(master, "before", 200);
            caughtUp(master, replica);
            try (Jedis other = new Jedis(second.host, second.port())) {
                assertEquals("-ERR PSYNC FAILOVER replid must match my replid.",
                        send(other, "PSYNC", "0000000000000000000000000000000000000000", "1", "FAILOVER"));
            }
            assertEquals("OK", send(master, "FAILOVER"));
            await("the Atoll replica to be the master and the old master its replica", () -> "master".equals(replica.role().get(0))
                    && "up".equals(infoField(master, "replication", "master_link_status")));
            assertEquals("no-failover", infoField(master, "replication", "master_failover_state"));
            assertEquals("1", infoField(replica, "stats", "sync_partial_ok"), "the old master continued");
            assertEquals("0", infoField(replica, "stats", "sync_full"));
            caughtUp(replica, master);
            assertEquals(KvRdbTest.contents(replica), KvRdbTest.contents(master), "the data after the failover");
            KvPromotionTest.counted(replica, "on-the-second", 200);
            caughtUp(replica, master);
            assertEquals(KvRdbTest.contents(replica), KvRdbTest.contents(master), "the new master's writes, each once");

            assertEquals("OK", send(replica, "FAILOVER"));
            await("the first to be the master again", () -> "master".equals(master.role().get(0))
                    && "up".equals(infoField(replica, "replication", "master_link_status")));
            assertEquals("1", infoField(master, "stats", "sync_partial_ok"), "the second continued the first's history");
            assertEquals("1", infoField(master, "stats", "sync_full"), "the first sync only");
            KvPromotionTest.counted(master, "back-on-the-first", 200);
            caughtUp(master, replica);
            assertEquals(KvRdbTest.contents(master), KvRdbTest.contents(replica), "the first's writes after its promotion, each once");
        }
    }
}
