package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.ShardStats;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commands a shard's connections send to another shard travel as one batch per loop iteration,
 * shared by the connections (Batch, BatchPool): fewer mesh messages than commands, replies in order
 * per connection, and every batch back in its pool once its replies are consumed or dropped.
 */
class KvBatchingTest {
    private static final Pattern SHARD_LINE = Pattern.compile("shard(\\d+):(\\S+)");

    @Test
    void manyConnectionsSendingToAnotherShardShareItsBatches() throws Exception {
        int connections = 40;
        int rounds = 50;
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient admin = server.client()) {
            String[] keys = {keyOf(0, 2), keyOf(1, 2)};
            assertEquals("OK", admin.call("MSET", keys[0], "a", keys[1], "b"));
            List<RespClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < connections; i++) {
                    clients.add(server.client());
                }
                long[] remoteBefore = shardCounter(admin, "remote_commands");
                long[] batchesBefore = shardCounter(admin, "batches_in");
                for (int round = 0; round < rounds; round++) {
                    // Both shards busy while the requests arrive: their next loop iteration reads them all.
                    CountDownLatch release0 = TestRuntimes.occupy(server.runtime, 0);
                    CountDownLatch release1 = TestRuntimes.occupy(server.runtime, 1);
                    for (RespClient c : clients) {
                        c.send("GET", keys[round % 2]); // remote for the connections of the other shard
                    }
                    release0.countDown();
                    release1.countDown();
                    for (RespClient c : clients) {
                        assertEquals(round % 2 == 0 ? "a" : "b", c.read());
                    }
                }
                long remote = sum(shardCounter(admin, "remote_commands")) - sum(remoteBefore);
                long batches = sum(shardCounter(admin, "batches_in")) - sum(batchesBefore);
                String figures = batches + " mesh messages for " + remote + " remote commands";
                System.out.println(figures);
                // Every connection sends one command and waits: only sharing makes a message carry several.
                assertTrue(remote >= rounds, figures);
                assertTrue(batches * 4 <= remote, figures);
            } finally {
                for (RespClient c : clients) {
                    c.close();
                }
            }
        }
    }

    @Test
    void repliesKeepTheirOrderPerConnectionUnderMixedPipelinesOfSeveralConnections() throws Exception {
        int connections = 8;
        int n = 400;
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO))) {
            List<RespClient> clients = new ArrayList<>();
            try {
                for (int j = 0; j < connections; j++) {
                    RespClient c = server.client();
                    clients.add(c);
                    if (j % 2 == 1) {
                        c.call("HELLO", "3"); // a shared batch mixes both protocols
                    }
                }
                for (int j = 0; j < connections; j++) {
                    ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
                    for (int i = 0; i < n; i++) {
                        String key = "c" + j + ":" + i;  // keys on both shards
                        pipeline.writeBytes(RespClient.encode("SET", key, "v" + i));
                        pipeline.writeBytes(RespClient.encode("GET", key));
                        pipeline.writeBytes(RespClient.encode("INCR", "counter" + j));
                        pipeline.writeBytes(RespClient.encode("GET", "absent" + i));
                        pipeline.writeBytes(RespClient.encode("MGET", key, "c" + j + ":" + (i / 2), "absent"));
                        pipeline.writeBytes(RespClient.encode("ECHO", j + ":" + i));
                    }
                    clients.get(j).sendRaw(pipeline.toByteArray());
                }
                for (int j = 0; j < connections; j++) {
                    RespClient c = clients.get(j);
                    Object nil = j % 2 == 1 ? RespClient.RESP3_NULL : null;
                    for (int i = 0; i < n; i++) {
                        assertEquals("OK", c.read(), "connection " + j + " command " + i);
                        assertEquals("v" + i, c.read());
                        assertEquals((long) i + 1, c.read());
                        assertEquals(nil, c.read());
                        assertEquals(Arrays.asList("v" + i, "v" + (i / 2), nil), c.read());
                        assertEquals(j + ":" + i, c.read());
                    }
                }
            } finally {
                for (RespClient c : clients) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aConnectionClosedWithRepliesPendingGivesItsBatchesBack() throws Exception {
        KvSettings base = KvTestServer.settings(null, KvSettings.FsyncPolicy.NO);
        KvSettings settings = new KvSettings(base.appendOnly(), base.fsync(), base.dir(), base.rewriteMinBytes(),
                base.rewriteGrowthPercent(), base.aofMaxQueuedBytes(), base.input(), base.output(), base.maxConnections(),
                Duration.ofSeconds(1), base.password(), base.protectedMode());
        // The owner is kept busy on purpose for as long as the idle timeout takes: no stall report.
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings, "atoll.shards.stall-threshold = 0");
             RespClient c = server.client()) {
            int home = homeShard(c);
            int owner = 1 - home;
            String key = keyOf(owner, 2);
            assertEquals("OK", c.call("SET", key, "x"));
            CountDownLatch release = TestRuntimes.occupy(server.runtime, owner);
            try {
                ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
                for (int i = 0; i < 100; i++) {
                    pipeline.writeBytes(RespClient.encode("GET", key));
                }
                c.sendRaw(pipeline.toByteArray());
                // The owner is busy, so no reply can come; the home shard's idle timer closes the connection.
                assertTrue(c.closedByServer(), "the idle connection was not closed");
            } finally {
                release.countDown();
            }
            try (RespClient other = server.client()) {
                String info = null;
                for (int attempt = 0; attempt < 200; attempt++) { // the batch may still be on its way home
                    info = (String) other.call("INFO", "shards");
                    if (sum(shardCounter(info, "batches_live")) == 0) {
                        break;
                    }
                    Thread.sleep(10);
                }
                assertEquals(0, sum(shardCounter(info, "batches_live")), info);
                assertTrue(sum(shardCounter(info, "remote_commands")) >= 100, info);
            }
        }
    }

    /**
     * More batches than the mesh's queue holds, from several connections (one connection has one read's
     * batch out at a time: KvOutputLimitsTest), while the owner is busy: the refused ones answer
     * "overloaded" in each connection's order (before a local reply that follows), and all return to the pool.
     */
    @Test
    void aBatchTheMeshRefusesFailsItsCommandsInOrderAndReturnsToThePool() throws Exception {
        int home = 0;
        int owner = 1;
        String key = keyOf(owner, 2);
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO),
                "atoll.mesh { queue-capacity = 4, overflow-limit = 0 }")) {
            List<RespClient> all = new ArrayList<>();
            List<RespClient> clients = new ArrayList<>(); // those on the home shard
            try {
                for (int attempt = 0; attempt < 200 && clients.size() < 16; attempt++) {
                    RespClient c = server.client();
                    all.add(c);
                    if (homeShard(c) == home) {
                        clients.add(c);
                    }
                }
                assertEquals(16, clients.size(), "connections on shard " + home);
                assertEquals("OK", clients.get(0).call("SET", key, "x"));
                CountDownLatch release = TestRuntimes.occupy(server.runtime, owner);
                try {
                    for (int i = 0; i < clients.size(); i++) {
                        long before = batchesLeft(server, home);
                        clients.get(i).sendRaw(concat(RespClient.encode("GET", key), RespClient.encode("ECHO", "after " + i)));
                        // One read, so one batch, each: wait until the home shard sent it or had it refused,
                        // so that there are more batches than the queue holds.
                        long deadline = System.nanoTime() + Duration.ofSeconds(TestRuntimes.WAIT_SECONDS).toNanos();
                        while (batchesLeft(server, home) == before) {
                            assertTrue(System.nanoTime() < deadline, "the home shard never sent GET " + i);
                            Thread.onSpinWait();
                        }
                    }
                } finally {
                    release.countDown();
                }
                int refused = 0;
                for (int i = 0; i < clients.size(); i++) {
                    Object reply = clients.get(i).read();
                    if (reply.equals(new RespClient.Error("ERR shard " + owner + " is overloaded, try again"))) {
                        refused++;
                    } else {
                        assertEquals("x", reply, "reply " + i);
                    }
                    assertEquals("after " + i, clients.get(i).read(), "the local reply after the refusal");
                }
                assertTrue(refused > 0, "no batch was refused");
                assertEquals(0, sum(shardCounter(clients.get(0), "batches_live")));
            } finally {
                for (RespClient c : all) {
                    c.close();
                }
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** Batches shard {@code home} published to other shards or had refused by the mesh. */
    private static long batchesLeft(KvTestServer server, int home) {
        ShardStats.Snapshot stats = server.runtime.stats().get(home);
        return stats.batchesOut() + stats.rejected();
    }

    @Test
    void aCommandForAnotherShardAllocatesNoMoreThanALocalOne() throws Exception {
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = server.client()) {
            int home = homeShard(c);
            String local = keyOf(home, 2);
            String remote = keyOf(1 - home, 2);
            assertEquals("OK", c.call("MSET", local, "x", remote, "y"));
            for (int warmUp = 0; warmUp < 2; warmUp++) {
                allocatedPerGet(c, local, 1);
                allocatedPerGet(c, remote, 1);
                allocatedPerGet(c, local, 16);
                allocatedPerGet(c, remote, 16);
            }
            long localBytes = allocatedPerGet(c, local, 1);
            long remoteBytes = allocatedPerGet(c, remote, 1);
            long localPipelined = allocatedPerGet(c, local, 16);
            long remotePipelined = allocatedPerGet(c, remote, 16);
            String figures = "bytes allocated on the shard threads per GET: local " + localBytes + ", remote " + remoteBytes
                    + "; pipelined 16: local " + localPipelined + ", remote " + remotePipelined;
            System.out.println(figures);
            // Pooled batches: what a remote command adds to a local one is no batch, no message object, no arrays.
            assertTrue(remoteBytes - localBytes <= 64, figures);
            assertTrue(remotePipelined - localPipelined <= 64, figures);
        }
    }

    /** Bytes the shard threads allocated per GET of {@code key} over a run, {@code depth} commands per write. */
    private static long allocatedPerGet(RespClient c, String key, int depth) throws Exception {
        int commands = 8_000;
        byte[] get = RespClient.encode("GET", key);
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        for (int i = 0; i < depth; i++) {
            pipeline.writeBytes(get);
        }
        byte[] write = pipeline.toByteArray();
        long before = sum(shardCounter(c, "allocated_bytes"));
        for (int i = 0; i < commands / depth; i++) {
            c.sendRaw(write);
            for (int k = 0; k < depth; k++) {
                c.read();
            }
        }
        return (sum(shardCounter(c, "allocated_bytes")) - before) / commands;
    }

    /** A key that shard {@code shard} of {@code shards} owns. */
    static String keyOf(int shard, int shards) {
        for (int i = 0; ; i++) {
            byte[] key = ("key:" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            if (KeySlots.owner(key, 0, key.length, shards) == shard) {
                return "key:" + i;
            }
        }
    }

    /** The shard a connection belongs to: the one whose command count grows by its own INFO (no other traffic). */
    static int homeShard(RespClient c) throws Exception {
        long[] before = shardCounter(c, "commands");
        long[] after = shardCounter(c, "commands");
        int home = -1;
        for (int i = 0; i < before.length; i++) {
            if (after[i] - before[i] == 1) {
                home = i;
            }
        }
        assertTrue(home >= 0, Arrays.toString(before) + " then " + Arrays.toString(after));
        return home;
    }

    /** A per-shard figure of INFO's shards section, by shard. */
    static long[] shardCounter(RespClient c, String name) throws Exception {
        return shardCounter((String) c.call("INFO", "shards"), name);
    }

    static long[] shardCounter(String info, String name) {
        List<Long> values = new ArrayList<>();
        Matcher m = SHARD_LINE.matcher(info);
        while (m.find()) {
            for (String field : m.group(2).split(",")) {
                if (field.startsWith(name + "=")) {
                    values.add(Long.parseLong(field.substring(name.length() + 1)));
                }
            }
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    static long sum(long[] values) {
        return Arrays.stream(values).sum();
    }
}
