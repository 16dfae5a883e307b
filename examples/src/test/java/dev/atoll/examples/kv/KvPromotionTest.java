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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.atoll.examples.kv.ReplicationProbes.await;
import static dev.atoll.examples.kv.ReplicationProbes.caughtUp;
import static dev.atoll.examples.kv.ReplicationProbes.infoField;
import static dev.atoll.examples.kv.ReplicationProbes.infoLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An Atoll replica keeps its master's stream (the backlog, as a Redis replica's) and, promoted, continues that
 * history (Redis's shiftReplicationId): a redis-server 7.0.15 master that fails over to it, or that follows it after
 * {@code REPLICAOF NO ONE}, continues with a partial resync, and every write taken by Atoll after the switch reaches
 * it once. Also PSYNC outside the history (a wrong id, an offset past the second id's end or before the backlog)
 * gets a full sync, and a redis-server replica of the same master continues through the Atoll replica.
 */
class KvPromotionTest {
    @TempDir
    Path dir;

    /** redis-server on {@code port}, without persistence, its log in {@code log}; no PING in its stream for an hour. */
    static Process redisServer(Path dir, int port, Path log) throws Exception {
        String program = KvRedisComparisonTest.onPath("redis-server");
        Assumptions.assumeTrue(program != null, "redis-server is not installed: the promotion test is skipped");
        Files.createDirectories(dir);
        Process p = new ProcessBuilder(program, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(), "--repl-diskless-sync-delay", "0",
                "--repl-ping-replica-period", "3600")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        KvRedisComparisonTest.connect(port).close();
        return p;
    }

    private interface Body {
        void run(int redisPort, Jedis redis, KvTestServer atoll, Jedis a) throws Exception;
    }

    /** A redis-server master with every type written and an Atoll replica of {@code shards} shards (appendonly yes) caught up with it. */
    private void withRedisMasterAndAtollReplica(int shards, Body body) throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = redisServer(dir.resolve("redis"), port, redisLog());
        try (KvTestServer atoll = KvTestServer.start(shards, DriverKind.AUTO,
                KvReplicationTest.settings(Files.createDirectories(dir.resolve("atoll")), true));
             Jedis master = new Jedis("127.0.0.1", port, 10_000);
             Jedis a = new Jedis(atoll.host, atoll.port(), 10_000)) {
            KvDumpRestoreTest.writeEveryType(master);
            assertEquals("OK", a.replicaof("127.0.0.1", port));
            caughtUp(master, a);
            counted(master, "before", 100);
            caughtUp(master, a);
            body.run(port, master, atoll, a);
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Path redisLog() {
        return dir.resolve("redis.log");
    }

    /**
     * {@code REPLICAOF NO ONE} on a 2-shard Atoll while its master streams transactions across both shards: the new
     * master's stream after the promotion holds {@code SELECT 0} and its clients' writes only — no record of a master's
     * command still running on a shard when the promotion came (the promotion waits for them).
     */
    @Test
    void aPromotionMidStreamStreamsNothingOfTheMaster() throws Exception {
        withRedisMasterAndAtollReplica(2, (port, redis, atoll, a) -> {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 20; i++) {
                        transactionsJustBefore(port);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, KvTestServer.THREADS);
            await("the stream of transactions on Atoll", () -> a.get("tx-counter-3") != null);
            assertEquals("OK", a.replicaofNoOne());
            writer.get(30, TimeUnit.SECONDS);
            assertEquals("OK", a.set("probe", "1")); // waits for the promotion's end
            assertEquals(0L, a.waitReplicas(0, 0)); // its record is in the stream
            long history = infoLong(a, "replication", "second_repl_offset") - 1;
            long select = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n".length();
            long probe = "*3\r\n$3\r\nSET\r\n$5\r\nprobe\r\n$1\r\n1\r\n".length();
            assertEquals(history + select + probe, infoLong(a, "replication", "master_repl_offset"),
                    "the stream after the promotion: SELECT 0 and the probe's SET only");
        });
    }

    /**
     * A new redis-server replica of the Atoll replica (2 shards) gets a full sync from it while the master streams
     * transactions across both shards: its data set and the stream after it are at one offset of the master's stream
     * (the Atoll replica holds the stream while its shards' parts begin), so it ends equal to the master, key by key.
     */
    @Test
    void aReplicaOfAtollsReplicaSyncsInFullWhileTheMasterWrites() throws Exception {
        withRedisMasterAndAtollReplica(2, (port, redis, atoll, a) -> withChainedReplica(r -> {
            assertEquals("OK", a.configSet("repl-diskless-sync-delay", "0"));
            java.util.concurrent.atomic.AtomicBoolean synced = new java.util.concurrent.atomic.AtomicBoolean();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    for (int i = 0; i < 1000 && !synced.get() && System.nanoTime() < deadline; i++) {
                        transactionsJustBefore(port);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, KvTestServer.THREADS);
            await("the stream of transactions on Atoll", () -> a.get("tx-counter-3") != null);
            assertEquals("OK", r.replicaof(atoll.host, atoll.port()));
            await("the chained replica's link", () -> "up".equals(infoField(r, "replication", "master_link_status")));
            synced.set(true); // the writer wrote during the sync
            writer.get(60, TimeUnit.SECONDS);
            assertEquals("1", infoField(a, "stats", "sync_full"));
            chainedCaughtUp(redis, a, r, "the master's data through Atoll's full sync");
        }));
    }

    /** A test's part with a redis-server running, to be a replica of the Atoll replica. */
    private interface ChainedBody {
        void run(Jedis chained) throws Exception;
    }

    /** Runs {@code body} with a new redis-server (its log in the test's directory), stopped after it. */
    private void withChainedReplica(ChainedBody body) throws Exception {
        int chainedPort = KvRedisComparisonTest.freePort();
        Process chained = redisServer(dir.resolve("chained"), chainedPort, dir.resolve("chained.log"));
        try (Jedis r = new Jedis("127.0.0.1", chainedPort, 10_000)) {
            body.run(r);
        } finally {
            chained.destroy();
            chained.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The chained replica {@code r} applied the master's whole stream through Atoll, every key equal to the master's. */
    private static void chainedCaughtUp(Jedis redis, Jedis a, Jedis r, String what) throws InterruptedException {
        caughtUp(redis, a);
        await("the chained replica's offset", () -> infoField(redis, "replication", "master_repl_offset")
                .equals(infoField(r, "replication", "master_repl_offset")));
        assertEquals(KvRdbTest.contents(redis), KvRdbTest.contents(r), what);
    }

    /** 100 MULTI/EXEC blocks in one write to {@code port}, each INCRementing keys that are on both shards of a 2-shard Atoll. */
    private static void transactionsJustBefore(int port) throws IOException {
        StringBuilder commands = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            commands.append("*1\r\n$5\r\nMULTI\r\n");
            for (int k = 0; k < 4; k++) {
                commands.append("*2\r\n$4\r\nINCR\r\n$12\r\ntx-counter-").append(k).append("\r\n");
            }
            commands.append("*1\r\n$4\r\nEXEC\r\n");
        }
        List<String> replies = pipeline(port, commands.toString(), 100 * 10); // +OK, 4 +QUEUED, *4 and 4 integers
        String last = replies.get(replies.size() - 1);
        assertTrue(last.startsWith(":"), "the last EXEC's last INCR: " + last);
    }

    /** Writes that a loss or a double shows: INCRs, RPUSHes and APPENDs over keys on every shard. */
    static void counted(Jedis jedis, String prefix, int rounds) {
        for (int i = 0; i < rounds; i++) {
            jedis.incr(prefix + "-counter-" + (i % 7));
            jedis.rpush(prefix + "-list-" + (i % 5), Integer.toString(i));
            jedis.append(prefix + "-text-" + (i % 3), i + ",");
        }
    }

    /** The replica's backlog as a Redis replica's: active, the master's id, ending at the offset applied. */
    private static void replicaBacklogAsRedis(Jedis redis, Jedis a) {
        assertEquals("1", infoField(a, "replication", "repl_backlog_active"));
        assertEquals(infoField(redis, "replication", "master_replid"), infoField(a, "replication", "master_replid"));
        long offset = infoLong(a, "replication", "master_repl_offset");
        assertEquals(infoLong(redis, "replication", "master_repl_offset"), offset);
        assertEquals(infoLong(a, "replication", "slave_repl_offset"), offset);
        long held = infoLong(a, "replication", "repl_backlog_histlen");
        assertTrue(held > 0, "the stream since the sync is held");
        assertEquals(offset, infoLong(a, "replication", "repl_backlog_first_byte_offset") + held - 1);
    }

    /**
     * Atoll's history shifted: the old id second, valid up to the offset applied + 1 (at least {@code applied} + 1);
     * a partial resync and no full sync served.
     */
    private void continuedByPartialResync(Jedis a, String oldReplid, long applied) throws Exception {
        assertEquals("1", infoField(a, "stats", "sync_partial_ok"));
        assertEquals("0", infoField(a, "stats", "sync_full"));
        assertEquals(oldReplid, infoField(a, "replication", "master_replid2"));
        long second = infoLong(a, "replication", "second_repl_offset");
        assertTrue(second >= applied + 1 && second <= applied + 1 + 1024, "second_repl_offset " + second + " after " + applied);
        assertTrue(!oldReplid.equals(infoField(a, "replication", "master_replid")), "a new replication id");
        await("redis-server's log of the partial resync", () -> {
            try {
                return Files.readString(redisLog()).contains("Successful partial resynchronization with master");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /**
     * FAILOVER on a redis-server master to its Atoll replica (1 and 2 shards, appendonly yes): Atoll promotes itself and
     * the old master continues with {@code +CONTINUE}; writes on Atoll afterwards, from two clients at once, reach it
     * once each (every key compared).
     */
    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void aRedisMasterFailsOverToAtollAndContinues(int shards) throws Exception {
        withRedisMasterAndAtollReplica(shards, (port, redis, atoll, a) -> {
            replicaBacklogAsRedis(redis, a);
            String oldReplid = infoField(redis, "replication", "master_replid");
            transactionsJustBefore(port); // Atoll may still run these across its shards when the FAILOVER comes
            long applied = infoLong(redis, "replication", "master_repl_offset"); // and the failover's GETACKs after
            assertEquals("OK", redis.sendCommand(() -> SafeEncoder.encode("FAILOVER"), "TO", "127.0.0.1",
                    Integer.toString(atoll.port())) instanceof byte[] b ? SafeEncoder.encode(b) : "?");
            await("Atoll to be the master and redis-server its replica", () -> "master".equals(a.role().get(0))
                    && "up".equals(infoField(redis, "replication", "master_link_status")));
            continuedByPartialResync(a, oldReplid, applied);

            try (Jedis other = new Jedis(atoll.host, atoll.port(), 10_000)) {
                CompletableFuture<Void> second = CompletableFuture.runAsync(() -> counted(other, "after-b", 300), KvTestServer.THREADS);
                counted(a, "after-a", 300);
                second.get(30, TimeUnit.SECONDS);
            }
            caughtUp(a, redis);
            assertEquals(KvRdbTest.contents(a), KvRdbTest.contents(redis), "every key after the switch");
            assertEquals("43", redis.get("after-b-counter-0"), "each INCR once (300 rounds over 7 counters)");
            assertEquals(60, redis.llen("after-a-list-4"), "each RPUSH once");
        });
    }

    /**
     * {@code REPLICAOF NO ONE} on the Atoll replica with writes pipelined behind it on the same connection (each taken,
     * none refused) and a second client writing meanwhile; then the old redis-server master follows Atoll
     * ({@code REPLICAOF}) and continues with a partial resync, every key equal.
     */
    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void aPromotedAtollIsFollowedByItsOldMaster(int shards) throws Exception {
        withRedisMasterAndAtollReplica(shards, (port, redis, atoll, a) -> {
            String oldReplid = infoField(redis, "replication", "master_replid");
            long applied = infoLong(a, "replication", "master_repl_offset");
            try (Jedis other = new Jedis(atoll.host, atoll.port(), 10_000)) {
                CompletableFuture<Integer> racing = CompletableFuture.supplyAsync(() -> {
                    int taken = 0;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (taken < 200 && System.nanoTime() < deadline) { // refused (READONLY) until the promotion ends
                        try {
                            other.incr("racing-counter");
                            taken++;
                        } catch (JedisDataException refused) {
                            assertEquals("READONLY You can't write against a read only replica.", refused.getMessage());
                        }
                    }
                    return taken;
                }, KvTestServer.THREADS);
                List<String> replies = pipelinedAfterPromotion(atoll.port(), 300);
                assertEquals("+OK", replies.get(0));
                for (int i = 1; i < replies.size(); i++) {
                    assertEquals(":" + ((i + 1) / 2), replies.get(i), "write " + i + " behind REPLICAOF NO ONE is taken");
                }
                assertEquals(200, racing.get(30, TimeUnit.SECONDS), "the racing client's writes are taken once promoted");
            }
            assertEquals("master", a.role().get(0));
            assertEquals("OK", redis.replicaof(atoll.host, atoll.port()));
            await("redis-server to follow Atoll", () -> "up".equals(infoField(redis, "replication", "master_link_status")));
            continuedByPartialResync(a, oldReplid, applied);
            counted(a, "after", 300);
            caughtUp(a, redis);
            assertEquals(KvRdbTest.contents(a), KvRdbTest.contents(redis), "every key after the switch");
            assertEquals("200", redis.get("racing-counter"));
        });
    }

    /**
     * On a new connection to {@code port}: {@code REPLICAOF NO ONE} and, in the same write, {@code writes} pairs of
     * {@code INCR pipelined} and {@code RPUSH pipelined-list x}; returns the reply lines.
     */
    private static List<String> pipelinedAfterPromotion(int port, int writes) throws IOException {
        StringBuilder commands = new StringBuilder("*3\r\n$9\r\nREPLICAOF\r\n$2\r\nNO\r\n$3\r\nONE\r\n");
        for (int i = 0; i < writes; i++) {
            commands.append("*2\r\n$4\r\nINCR\r\n$9\r\npipelined\r\n")
                    .append("*3\r\n$5\r\nRPUSH\r\n$14\r\npipelined-list\r\n$1\r\nx\r\n");
        }
        return pipeline(port, commands.toString(), 1 + 2 * writes);
    }

    /** Writes {@code commands} (RESP) in one write on a new connection to {@code port}; returns the first {@code lines} reply lines. */
    static List<String> pipeline(int port, String commands, int lines) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(commands.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            List<String> replies = new ArrayList<>();
            InputStream in = s.getInputStream();
            for (int i = 0; i < lines; i++) {
                replies.add(line(in));
            }
            return replies;
        }
    }

    /**
     * PSYNC to a promoted Atoll: its own id, or the old one up to second_repl_offset, within the backlog continue;
     * a wrong id, the old id past its end, or an offset before the backlog's first byte get a full sync, as Redis's
     * masterTryPartialResynchronization decides (sync_partial_ok and sync_partial_err counted as Redis counts them).
     */
    @Test
    void psyncOutsideTheHistoryGetsAFullSync() throws Exception {
        withRedisMasterAndAtollReplica(2, (port, redis, atoll, a) -> {
            String oldReplid = infoField(redis, "replication", "master_replid");
            long applied = infoLong(a, "replication", "master_repl_offset");
            assertEquals("OK", a.replicaofNoOne());
            await("the promotion", () -> "master".equals(a.role().get(0)));
            String replid = infoField(a, "replication", "master_replid");
            assertEquals("+CONTINUE " + replid, psync(atoll.port(), oldReplid, applied + 1));
            assertTrue(psync(atoll.port(), oldReplid, applied + 2).startsWith("+FULLRESYNC " + replid + " "),
                    "the old id past its end");
            assertTrue(psync(atoll.port(), "0123456789012345678901234567890123456789", applied + 1)
                    .startsWith("+FULLRESYNC " + replid + " "), "an id of another history");
            assertEquals("OK", a.configSet("repl-backlog-size", "16384"));
            for (int i = 0; i < 100; i++) {
                a.set("filler-" + i, "x".repeat(300));
            }
            long first = infoLong(a, "replication", "repl_backlog_first_byte_offset");
            assertTrue(first > applied + 1, "the backlog no longer holds the promotion's point");
            assertTrue(psync(atoll.port(), oldReplid, applied + 1).startsWith("+FULLRESYNC "), "the old id's point is gone from the backlog");
            assertTrue(psync(atoll.port(), replid, first - 1).startsWith("+FULLRESYNC "), "before the backlog's first byte");
            long firstNow = infoLong(a, "replication", "repl_backlog_first_byte_offset"); // each full sync's SELECT moved it
            assertEquals("+CONTINUE " + replid, psync(atoll.port(), replid, firstNow));
            assertEquals("2", infoField(a, "stats", "sync_partial_ok"));
            assertEquals("4", infoField(a, "stats", "sync_partial_err"));
        });
    }

    /**
     * A redis-server replica of the same master, told REPLICAOF of the Atoll replica, continues through it with a
     * partial resync (the backlog holds the master's stream as sent), then gets the master's writes through Atoll.
     */
    @Test
    void aReplicaOfTheSameMasterContinuesThroughAtoll() throws Exception {
        withRedisMasterAndAtollReplica(2, (port, redis, atoll, a) -> withChainedReplica(r -> {
            assertEquals("OK", r.replicaof("127.0.0.1", port));
            caughtUp(redis, r);
            assertEquals("OK", r.replicaof(atoll.host, atoll.port()));
            await("the chained replica's link", () -> "up".equals(infoField(r, "replication", "master_link_status")));
            assertEquals("1", infoField(a, "stats", "sync_partial_ok"));
            assertEquals("0", infoField(a, "stats", "sync_full"));
            assertEquals("1", infoField(a, "replication", "connected_slaves"));
            counted(redis, "chained", 200);
            chainedCaughtUp(redis, a, r, "the master's writes through Atoll");
        }));
    }

    /** Reads one reply line (up to CRLF) from {@code in}. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /** The first line of the reply to {@code PSYNC replid offset} on a new connection to {@code port} (then closed). */
    private static String psync(int port, String replid, long offset) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            String o = Long.toString(offset);
            out.write(("*3\r\n$5\r\nPSYNC\r\n$" + replid.length() + "\r\n" + replid + "\r\n$" + o.length() + "\r\n" + o + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return line(s.getInputStream());
        }
    }
}
