package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.atoll.examples.kv.ReplicationProbes.await;
import static dev.atoll.examples.kv.ReplicationProbes.caughtUp;
import static dev.atoll.examples.kv.ReplicationProbes.infoField;
import static dev.atoll.examples.kv.ReplicationProbes.infoLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An Atoll master told {@code REPLICAOF host port} offers its own history ({@code PSYNC <master_replid>
 * <master_repl_offset + 1>}, Redis's replicationCacheMasterUsingMyself): the usual manual failover — its replica
 * promoted with {@code REPLICAOF NO ONE}, then the old master pointed at it — continues with a partial resync, against
 * a live redis-server 7.0.15 and against another Atoll; a write on the old master after the promotion means a full
 * sync. Under load, the offset offered holds every write Atoll acknowledged and none after (each shard's records
 * handed to the stream before the switch): the new master ends with every key equal.
 */
class KvDemotionTest {
    private static final String READONLY = "READONLY You can't write against a read only replica.";

    @TempDir
    Path dir;

    private interface Body {
        void run(KvTestServer atoll, Jedis a, int redisPort, Jedis r) throws Exception;
    }

    /**
     * An Atoll master of {@code shards} shards (appendonly yes) with every type and some counted writes, and a
     * redis-server replica of it caught up.
     */
    private void withAtollMasterAndRedisReplica(int shards, Body body) throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvPromotionTest.redisServer(dir.resolve("redis"), port, dir.resolve("redis.log"));
        try (KvTestServer atoll = KvTestServer.start(shards, DriverKind.AUTO,
                KvReplicationTest.settings(Files.createDirectories(dir.resolve("atoll")), true));
             Jedis a = new Jedis(atoll.host, atoll.port(), 10_000);
             Jedis r = new Jedis("127.0.0.1", port, 10_000)) {
            followed(a, r, atoll.host, atoll.port());
            body.run(atoll, a, port, r);
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** {@code master} (at {@code host}:{@code port}) with every type and counted writes, {@code replica} caught up with it. */
    private static void followed(Jedis master, Jedis replica, String host, int port) throws InterruptedException {
        assertEquals("OK", master.configSet("repl-diskless-sync-delay", "0"));
        KvDumpRestoreTest.writeEveryType(master);
        assertEquals("OK", replica.replicaof(host, port));
        caughtUp(master, replica);
        KvPromotionTest.counted(master, "before", 200);
        caughtUp(master, replica);
    }

    /**
     * The manual failover: redis-server, Atoll's replica, promoted; Atoll told {@code REPLICAOF} it continues (redis's
     * sync_partial_ok + 1, no full sync), its history the second id up to its offset + 1, its next write refused as a
     * replica's, a client blocked in BLPOP unblocked with Redis's error; then the new master's writes reach Atoll, every key equal.
     */
    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void aMasterFollowsItsPromotedRedisReplicaAndContinues(int shards) throws Exception {
        withAtollMasterAndRedisReplica(shards, (atoll, a, port, r) -> {
            String ownReplid = infoField(a, "replication", "master_replid");
            long ownOffset = infoLong(a, "replication", "master_repl_offset");
            assertEquals("OK", r.replicaofNoOne());
            long full = infoLong(r, "stats", "sync_full");
            long partial = infoLong(r, "stats", "sync_partial_ok");
            CompletableFuture<String> blocked = CompletableFuture.supplyAsync(() -> {
                try (Jedis popper = new Jedis(atoll.host, atoll.port(), 10_000)) {
                    return String.valueOf(popper.blpop(0, "nothing-here"));
                } catch (JedisDataException e) {
                    return e.getMessage();
                }
            }, KvTestServer.THREADS);
            await("the BLPOP to block", () -> infoLong(a, "clients", "blocked_clients") == 1);
            assertEquals("OK", a.replicaof("127.0.0.1", port));
            assertEquals("UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)",
                    blocked.get(10, TimeUnit.SECONDS), "a blocked client is unblocked by the switch, as Redis's");
            JedisDataException refused = assertThrows(JedisDataException.class, () -> a.set("after-switch", "x"));
            assertEquals(READONLY, refused.getMessage(), "a write after REPLICAOF waits for the switch, then is refused");
            await("Atoll to follow redis-server", () -> "up".equals(infoField(a, "replication", "master_link_status")));
            assertEquals(partial + 1, infoLong(r, "stats", "sync_partial_ok"), "Atoll continued its own history");
            assertEquals(full, infoLong(r, "stats", "sync_full"), "no full sync");
            assertEquals(infoField(r, "replication", "master_replid"), infoField(a, "replication", "master_replid"));
            assertEquals(ownReplid, infoField(a, "replication", "master_replid2"));
            assertEquals(ownOffset + 1, infoLong(a, "replication", "second_repl_offset"));
            KvPromotionTest.counted(r, "after", 200);
            caughtUp(r, a);
            assertEquals(KvRdbTest.contents(r), KvRdbTest.contents(a), "every key after the switch");
        });
    }

    /**
     * A write on Atoll after its replica's promotion: Atoll's offset is past the end of the history the new master
     * shares (its second_repl_offset - 1), so the new master refuses to continue and syncs Atoll in full; Atoll ends
     * equal to it (the write gone), as a Redis master would.
     */
    @Test
    void aWriteAfterThePromotionMeansAFullSync() throws Exception {
        withAtollMasterAndRedisReplica(2, (atoll, a, port, r) -> {
            assertEquals("OK", r.replicaofNoOne());
            assertEquals("OK", a.set("diverged", "only on Atoll"));
            assertTrue(infoLong(a, "replication", "master_repl_offset") > infoLong(r, "replication", "second_repl_offset") - 1);
            long full = infoLong(r, "stats", "sync_full");
            long partial = infoLong(r, "stats", "sync_partial_ok");
            long refusedPartial = infoLong(r, "stats", "sync_partial_err");
            assertEquals("OK", a.replicaof("127.0.0.1", port));
            await("Atoll to follow redis-server", () -> "up".equals(infoField(a, "replication", "master_link_status")));
            assertEquals(full + 1, infoLong(r, "stats", "sync_full"), "a full sync");
            assertEquals(partial, infoLong(r, "stats", "sync_partial_ok"));
            assertEquals(refusedPartial + 1, infoLong(r, "stats", "sync_partial_err"), "Atoll's offer refused");
            assertNull(a.get("diverged"));
            caughtUp(r, a);
            assertEquals(KvRdbTest.contents(r), KvRdbTest.contents(a), "every key after the full sync");
        });
    }

    /**
     * {@code REPLICAOF host port} then {@code REPLICAOF NO ONE} in one write, a write behind them: the switch, which
     * waits for the offset to be final, does not happen; the write waits for it, then is taken by a master.
     */
    @Test
    void replicaOfNoOneBeforeTheSwitchKeepsAMaster() throws Exception {
        try (KvTestServer atoll = KvTestServer.start(2, DriverKind.AUTO,
                KvReplicationTest.settings(Files.createDirectories(dir.resolve("atoll")), true));
             Jedis a = new Jedis(atoll.host, atoll.port(), 10_000)) {
            String replid = infoField(a, "replication", "master_replid");
            int nowhere = KvRedisComparisonTest.freePort();
            String port = Integer.toString(nowhere);
            List<String> replies = KvPromotionTest.pipeline(atoll.port(),
                    "*3\r\n$9\r\nREPLICAOF\r\n$9\r\n127.0.0.1\r\n$" + port.length() + "\r\n" + port + "\r\n"
                            + "*3\r\n$9\r\nREPLICAOF\r\n$2\r\nNO\r\n$3\r\nONE\r\n"
                            + "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", 3);
            assertEquals(List.of("+OK", "+OK", "+OK"), replies);
            assertEquals("master", a.role().get(0));
            assertEquals(replid, infoField(a, "replication", "master_replid"), "the history goes on");
            assertEquals("v", a.get("k"));
        }
    }

    /**
     * Writers pipelining (transactions across shards among their writes) on Atoll's two shards until {@code REPLICAOF} (to an address where nothing listens) refuses
     * them: the offset Atoll offers holds every write it acknowledged, and its redis-server replica, given that stream
     * and then promoted, continues Atoll's history with every key equal — each writer's acknowledged count its counter.
     */
    @Test
    void theOffsetOfferedHoldsEveryAcknowledgedWriteUnderLoad() throws Exception {
        withAtollMasterAndRedisReplica(2, (atoll, a, port, r) -> {
            int writers = 8; // the odd ones with transactions: each kind of write in flight at the switch
            AtomicLong started = new AtomicLong();
            List<CompletableFuture<long[]>> acknowledged = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                acknowledged.add(CompletableFuture.supplyAsync(() -> writeUntilRefused(atoll, writer, writer % 2 == 1, started),
                        KvTestServer.THREADS));
            }
            await("the writers to write", () -> started.get() >= 2000);
            assertEquals("OK", a.replicaof("127.0.0.1", KvRedisComparisonTest.freePort())); // nothing listens there
            long[][] counts = new long[writers][];
            for (int w = 0; w < writers; w++) {
                counts[w] = acknowledged.get(w).get(30, TimeUnit.SECONDS);
            }
            caughtUp(a, r); // the replica has Atoll's stream up to the offset it offers
            assertEquals("OK", r.replicaofNoOne());
            assertEquals("OK", a.replicaof("127.0.0.1", port));
            await("Atoll to follow redis-server", () -> "up".equals(infoField(a, "replication", "master_link_status")));
            assertEquals(1, infoLong(r, "stats", "sync_partial_ok"), "Atoll continued its own history");
            assertEquals(0, infoLong(r, "stats", "sync_full"));
            for (int w = 0; w < writers; w++) {
                assertEquals(Long.toString(counts[w][0]), r.get("load-counter-" + w), "writer " + w + "'s acknowledged INCRs");
                for (String k : List.of("a", "b", "c")) {
                    assertEquals(counts[w][1] == 0 ? null : Long.toString(counts[w][1]), r.get("load-tx-" + w + "-" + k),
                            "writer " + w + "'s acknowledged transactions");
                }
            }
            caughtUp(r, a);
            assertEquals(KvRdbTest.contents(a), KvRdbTest.contents(r), "every key after the switch under load");
        });
    }

    /**
     * Pipelines of INCR, RPUSH and APPEND over keys of both shards, with {@code transactions} also transactions of three
     * INCRs across them (a command still running on the shards when the pause comes), until a write is refused (READONLY); returns the
     * INCRs of its counter and the transactions acknowledged. Bounded: 20 s, 100 000 rounds.
     */
    private static long[] writeUntilRefused(KvTestServer atoll, int writer, boolean transactions, AtomicLong started) {
        long counted = 0;
        long committed = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try (Jedis j = new Jedis(atoll.host, atoll.port(), 10_000)) {
            for (int round = 0; round < 100_000 && System.nanoTime() < deadline; round++) {
                Pipeline p = j.pipelined();
                List<Response<?>> replies = new ArrayList<>(); // the INCRs, the transactions' INCRs and EXECs, in order
                List<Response<?>> execs = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    replies.add(p.incr("load-counter-" + writer));
                    p.rpush("load-list-" + writer + "-" + (i % 8), Integer.toString(round));
                    p.append("load-text-" + writer + "-" + (i % 4), round + ",");
                    if (transactions && i % 2 == 0) {
                        p.sendCommand(Protocol.Command.MULTI, new String[0]);
                        for (String k : List.of("a", "b", "c")) {
                            replies.add(p.sendCommand(Protocol.Command.INCR, "load-tx-" + writer + "-" + k));
                        }
                        Response<Object> exec = p.sendCommand(Protocol.Command.EXEC, new String[0]);
                        replies.add(exec);
                        execs.add(exec);
                    }
                }
                p.sync();
                for (Response<?> reply : replies) {
                    if (refused(reply)) {
                        return new long[] {counted, committed};
                    }
                    if (execs.contains(reply)) {
                        committed++;
                    } else if (reply.get() instanceof Long) {
                        counted++;
                    }
                }
                started.addAndGet(replies.size());
            }
        }
        throw new AssertionError("writer " + writer + " was never refused");
    }

    /** Whether {@code reply} is the refusal of a replica's write (an INCR's READONLY, the EXEC's abort after one). */
    private static boolean refused(Response<?> reply) {
        try {
            reply.get();
            return false;
        } catch (JedisDataException e) {
            assertTrue(e.getMessage().equals(READONLY) || e.getMessage().startsWith("EXECABORT"), e.getMessage());
            return true;
        }
    }

    /**
     * Atoll to Atoll (two servers in this JVM): B a replica of A, B promoted, A told {@code REPLICAOF B} continues
     * ({@code +CONTINUE}: B's sync_partial_ok + 1, no full sync) although a client of A waits in a WAIT that nothing
     * answers (the switch does not wait for it); B's writes then reach A, every key equal.
     */
    @Test
    void atollFollowsItsPromotedAtollReplica() throws Exception {
        try (KvTestServer first = KvTestServer.start(2, DriverKind.AUTO, KvReplicationTest.settings(Files.createDirectories(dir.resolve("a")), true));
             KvTestServer second = KvTestServer.start(2, DriverKind.AUTO, KvReplicationTest.settings(Files.createDirectories(dir.resolve("b")), false));
             Jedis a = new Jedis(first.host, first.port(), 10_000);
             Jedis b = new Jedis(second.host, second.port(), 10_000);
             Jedis waiting = new Jedis(first.host, first.port(), 60_000)) {
            followed(a, b, first.host, first.port());
            String ownReplid = infoField(a, "replication", "master_replid");
            assertEquals("OK", b.replicaofNoOne());
            await("B's promotion", () -> "master".equals(b.role().get(0)));
            CompletableFuture.runAsync(() -> waiting.waitReplicas(5, 0), KvTestServer.THREADS); // never answered
            await("the WAIT to be under way", () -> a.clientList().contains("cmd=wait"));
            assertEquals("OK", a.replicaof(second.host, second.port()));
            await("A to follow B", () -> "up".equals(infoField(a, "replication", "master_link_status")));
            assertEquals(1, infoLong(b, "stats", "sync_partial_ok"), "A continued its history on B");
            assertEquals(0, infoLong(b, "stats", "sync_full"));
            assertEquals(ownReplid, infoField(a, "replication", "master_replid2"));
            assertEquals(infoField(b, "replication", "master_replid"), infoField(a, "replication", "master_replid"));
            KvPromotionTest.counted(b, "on-b", 200);
            caughtUp(b, a);
            assertEquals(KvRdbTest.contents(b), KvRdbTest.contents(a), "B's writes, each once");
        }
    }
}
