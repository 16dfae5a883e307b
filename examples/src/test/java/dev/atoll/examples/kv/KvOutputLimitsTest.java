package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.atoll.examples.kv.KvBatchingTest.homeShard;
import static dev.atoll.examples.kv.KvBatchingTest.keyOf;
import static dev.atoll.examples.kv.KvBatchingTest.shardCounter;
import static dev.atoll.examples.kv.KvBatchingTest.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19, item 3: a client that never reads cannot make the server hold unbounded memory. Its
 * connection is closed at the hard output limit (or over the soft one for too long, or when its shard's
 * clients together hold too much), pauses its reads while its replies or its commands out on another
 * shard pile up, and what it leaves behind returns to the pools; the shards serve others throughout.
 * The memory is read from INFO: the replies the shards' connections hold ({@code reply_bytes}, and its
 * peak) and, as a bound no accounting can miss, the bytes the shard threads allocated.
 */
class KvOutputLimitsTest {
    private static final int MIB = 1 << 20;
    private static final Pattern STAT = Pattern.compile("(?m)^([a-z_]+):(\\S+)\r?$");

    private final LogCapture log = new LogCapture(KvConnection.class);

    @BeforeEach
    void captureLog() {
        log.start();
    }

    @AfterEach
    void stopCapturing() {
        log.stop();
    }

    private static KvSettings limits(long hard, long soft, int softSeconds, long shardTotal) {
        return limits(hard, soft, softSeconds, shardTotal, MIB);
    }

    /** With the pause above {@code highWater}, until under a quarter of it. */
    private static KvSettings limits(long hard, long soft, int softSeconds, long shardTotal, long highWater) {
        KvSettings b = KvTestServer.settings(null, KvSettings.FsyncPolicy.NO);
        return new KvSettings(b.appendOnly(), b.fsync(), b.dir(), b.rewriteMinBytes(), b.rewriteGrowthPercent(),
                b.aofMaxQueuedBytes(), b.input(), new KvSettings.OutputLimits(hard, soft, softSeconds, highWater, highWater / 4,
                shardTotal), b.maxConnections(), b.idleTimeout(), b.password(), b.protectedMode());
    }

    /**
     * The case: 20 pipelined MGETs of another shard's key with a large value, never read. The
     * owner stops making the replies at the hard limit, the connection is closed when they come back
     * (with a log line naming it), neither shard allocates much more than the limit, and the batch
     * returns to its pool.
     */
    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aClientThatNeverReadsManyMgetsOfAnotherShardsKeyIsClosedAtTheHardLimit(DriverKind driver) throws Exception {
        long hard = 8 * MIB;
        int valueBytes = 512 * 1024;
        try (KvTestServer server = KvTestServer.start(2, driver, limits(hard, 0, 0, 0));
             RespClient admin = server.client(); RespClient abuser = server.client()) {
            String value = "v".repeat(valueBytes);
            String key = otherShardsKey(admin, abuser, value);
            assertEquals(Arrays.asList("client-output-buffer-limit", "normal " + hard + " 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
                    admin.call("CONFIG", "GET", "client-output-buffer-limit"));
            long id = (Long) abuser.call("CLIENT", "ID");
            long allocatedBefore = sum(shardCounter(admin, "allocated_bytes"));
            abuser.sendRaw(mgets(20, 40, key)); // 20 replies of 20 MB: 400 MB if nothing stopped them
            awaitClients(admin, 1);
            assertTrue(abuser.closedByServer());
            long allocated = sum(shardCounter(admin, "allocated_bytes")) - allocatedBefore;
            System.out.println("20 MGETs of 20 MB unread, hard limit " + hard + ": " + allocated
                    + " bytes allocated by the shards, peak held " + max(shardCounter(admin, "reply_bytes_peak")));
            assertTrue(allocated < 8 * hard, allocated + " bytes allocated by the shards for a limit of " + hard);
            assertEquals(1, stat(admin, "client_output_buffer_limit_disconnections"));
            assertLogged("id=" + id, "hard limit");
            assertReleasedAndServing(admin, key, value);
            assertTrue(max(shardCounter(admin, "reply_bytes_peak")) <= hard + valueBytes + 64,
                    "peak " + max(shardCounter(admin, "reply_bytes_peak")));
        }
    }

    /** One MGET of a local key, repeated: the reply is cut at the limit instead of growing to 256 MB, and the connection closed. */
    @Test
    void aSingleCommandWhoseReplyPassesTheHardLimitIsCutShort() throws Exception {
        long hard = 4 * MIB;
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, limits(hard, 0, 0, 0));
             RespClient admin = server.client(); RespClient abuser = server.client()) {
            String value = "w".repeat(256 * 1024);
            assertEquals("OK", admin.call("SET", "big", value));
            long allocatedBefore = sum(shardCounter(admin, "allocated_bytes"));
            abuser.sendRaw(mgets(1, 1000, "big"));
            awaitClients(admin, 1);
            assertTrue(abuser.closedByServer());
            long allocated = sum(shardCounter(admin, "allocated_bytes")) - allocatedBefore;
            assertTrue(allocated < 8 * hard, allocated + " bytes allocated for a limit of " + hard);
            assertEquals(1, stat(admin, "client_output_buffer_limit_disconnections"));
            assertReleasedAndServing(admin, "big", value);
        }
    }

    /**
     * A client streams GETs of another shard's key while that shard is busy, and never reads. Its home
     * shard parses no more than the high-water mark of them (one read's batch out at a time), the rest
     * stall in the kernel's buffers instead of queueing for the busy shard. Once the shard is free, the
     * replies held stay under the hard limit; when the client leaves, everything returns.
     */
    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aClientThatNeverReadsStopsBeingReadWhileItsCommandsAreOutOnABusyShard(DriverKind driver) throws Exception {
        long hard = 32 * MIB;
        int highWater = 16 * 1024;
        int valueBytes = 512;
        try (KvTestServer server = KvTestServer.start(2, driver, limits(hard, 0, 0, 0, highWater),
                "atoll.io.socket { receive-buffer = 65536, send-buffer = 65536 }\natoll.shards.stall-threshold = 0");
             RespClient admin = server.client(); RespClient abuser = new RespClient(server.port(), 65536)) {
            String value = "x".repeat(valueBytes);
            String key = otherShardsKey(admin, abuser, value);
            int owner = ownerOf(key);
            byte[] get = RespClient.encode("GET", key);
            int gets = 1_000_000; // 24 MB of requests, 512 MB of replies if every one were taken
            ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            for (int i = 0; i < gets; i++) {
                pipeline.writeBytes(get);
            }
            byte[] requests = pipeline.toByteArray();
            AtomicLong sent = new AtomicLong();
            int home = 1 - owner;
            long parsedBefore = shardCounter(admin, "commands")[home];
            CountDownLatch release = TestRuntimes.occupy(server.runtime, owner);
            CompletableFuture<Void> sender;
            long stalled;
            try {
                sender = CompletableFuture.runAsync(() -> {
                    try {
                        for (int at = 0; at < requests.length; at += 65536) {
                            abuser.sendRaw(Arrays.copyOfRange(requests, at, Math.min(requests.length, at + 65536)));
                            sent.set(Math.min(requests.length, at + 65536));
                        }
                    } catch (IOException e) {
                        // the connection was closed: the sends end
                    }
                }, KvTestServer.THREADS);
                stalled = KvTestServer.settled(sent::get, 500);
            } finally {
                release.countDown();
            }
            assertTrue(stalled < requests.length / 2, "the server took " + stalled + " of " + requests.length
                    + " bytes of requests while the shard that answers them was busy");
            KvTestServer.settled(() -> replyBytes(admin), 300);
            long peak = max(shardCounter(admin, "reply_bytes_peak"));
            // Commands the home shard parsed (the admin's own INFOs too, a few dozen at most).
            long parsed = shardCounter(admin, "commands")[home] - parsedBefore;
            System.out.println("GETs of a busy shard unread: " + stalled + " of " + requests.length
                    + " request bytes taken, " + parsed + " GETs parsed, peak held " + peak + " for a hard limit of " + hard);
            assertTrue((parsed - 100) * get.length <= highWater, parsed + " GETs of " + get.length
                    + " bytes parsed: more than the high-water mark (" + highWater + ") was sent to the busy shard");
            assertTrue(peak <= hard + valueBytes + 64, "peak " + peak);
            assertEquals(value, admin.call("GET", key)); // both shards serve others meanwhile
            abuser.close(); // the client leaves without reading
            sender.get(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS);
            awaitClients(admin, 1);
            assertReleasedAndServing(admin, key, value);
        }
    }

    /**
     * GETs of a large value on a busy shard, each in its own read: were each read's batch sent while the
     * one before is out, every one would get the whole hard limit to spend on the owner (40 MB here for a
     * limit of 8). One read's commands are out at a time, so the owner makes the first reply only.
     */
    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aClientHasOneReadsCommandsOutOnOtherShardsAtATime(DriverKind driver) throws Exception {
        long hard = 8 * MIB;
        try (KvTestServer server = KvTestServer.start(2, driver, limits(hard, 0, 0, 0),
                "atoll.io.socket.send-buffer = 65536\natoll.shards.stall-threshold = 0");
             RespClient admin = server.client(); RespClient abuser = new RespClient(server.port(), 65536)) {
            String value = "y".repeat(MIB);
            String key = otherShardsKey(admin, abuser, value);
            int owner = ownerOf(key);
            long allocatedBefore = sum(shardCounter(admin, "allocated_bytes"));
            CountDownLatch release = TestRuntimes.occupy(server.runtime, owner);
            try {
                for (int i = 0; i < 40; i++) {
                    abuser.send("GET", key);
                    Thread.sleep(20); // not an assertion: time for the home shard to take each in its own read
                }
            } finally {
                release.countDown();
            }
            KvTestServer.settled(() -> replyBytes(admin), 300);
            long allocated = sum(shardCounter(admin, "allocated_bytes")) - allocatedBefore;
            System.out.println("40 GETs of 1 MB in 40 reads, unread: " + allocated + " bytes allocated by the shards");
            assertTrue(allocated < 4 * hard, allocated + " bytes allocated by the shards for a limit of " + hard);
            abuser.close();
            awaitClients(admin, 1);
            assertReleasedAndServing(admin, key, value);
        }
    }

    /**
     * Over the soft limit for longer than soft-seconds, with Redis's semantics: a client that never reads
     * is closed after that time (not before), while one that reads a reply as large at once is not.
     */
    @Test
    void aClientOverTheSoftLimitForLongerThanItsSecondsIsClosed() throws Exception {
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, limits(64 * MIB, 4 * MIB, 1, 0),
                "atoll.io.socket.send-buffer = 65536");
             RespClient admin = server.client();
             RespClient reader = new RespClient(server.port(), 65536);
             RespClient abuser = new RespClient(server.port(), 65536)) {
            String value = "s".repeat(64 * 1024);
            assertEquals("OK", admin.call("SET", "k", value));
            for (int round = 0; round < 3; round++) { // 13 MB at once, read at once: over the soft limit only briefly
                reader.sendRaw(mgets(1, 200, "k"));
                assertEquals(200, ((java.util.List<?>) reader.read()).size());
            }
            long start = System.nanoTime();
            abuser.sendRaw(mgets(1, 200, "k"));
            awaitClients(admin, 2);
            long closedAfter = System.nanoTime() - start;
            assertTrue(closedAfter > 1_000_000_000L, "closed after " + closedAfter / 1_000_000 + " ms");
            assertEquals(1, stat(admin, "client_output_buffer_limit_disconnections"));
            assertLogged("soft limit");
            assertEquals("PONG", reader.call("PING"));
        }
    }

    /** The clients of one shard together over kv.client-output-buffer-limit.shard-total: the one that holds the most goes. */
    @Test
    void theClientHoldingTheMostIsClosedWhenAShardsClientsHoldTooMuch() throws Exception {
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, limits(64 * MIB, 0, 0, 24 * MIB),
                "atoll.io.socket.send-buffer = 65536");
             RespClient admin = server.client();
             RespClient small = new RespClient(server.port(), 65536);
             RespClient large = new RespClient(server.port(), 65536)) {
            String value = "t".repeat(64 * 1024);
            assertEquals("OK", admin.call("SET", "k", value));
            long largeId = (Long) large.call("CLIENT", "ID");
            small.sendRaw(mgets(1, 160, "k")); // 10 MB, not read
            KvTestServer.settled(() -> replyBytes(admin), 300);
            large.sendRaw(mgets(1, 240, "k")); // 15 MB more: 25 MB on the shard
            awaitClients(admin, 2);
            assertTrue(large.closedByServer());
            assertLogged("id=" + largeId, "shard-total");
            assertEquals(1, stat(admin, "client_output_buffer_limit_disconnections"));
            assertEquals(160, ((java.util.List<?>) small.read()).size()); // the other is served in full
            assertEquals("PONG", small.call("PING"));
        }
    }

    /** Stores {@code value} under a key that the shard {@code client} is not on owns (of two), and returns the key. */
    private static String otherShardsKey(RespClient admin, RespClient client, String value) throws Exception {
        String key = keyOf(1 - homeShard(client), 2);
        assertEquals("OK", admin.call("SET", key, value));
        return key;
    }

    private static int ownerOf(String key) {
        byte[] bytes = key.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return KeySlots.owner(bytes, 0, bytes.length, 2);
    }

    /** {@code count} MGETs, each of {@code keys} copies of {@code key}. */
    private static byte[] mgets(int count, int keys, String key) {
        String[] args = new String[keys + 1];
        args[0] = "MGET";
        Arrays.fill(args, 1, args.length, key);
        byte[] one = RespClient.encode(args);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            b.writeBytes(one);
        }
        return b.toByteArray();
    }

    /** Waits until the server has {@code clients} connections open. */
    private static void awaitClients(RespClient admin, long clients) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long open;
        while ((open = stat(admin, "connected_clients")) != clients) {
            assertTrue(System.nanoTime() < deadline, open + " connections open, " + clients + " expected");
            Thread.sleep(20);
        }
    }

    /** Every batch back in its pool, no reply held, and the key's owner answering. */
    private static void assertReleasedAndServing(RespClient admin, String key, String value) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String info;
        while (true) {
            info = (String) admin.call("INFO", "shards");
            if (sum(shardCounter(info, "batches_live")) == 0 && sum(shardCounter(info, "reply_bytes")) == 0) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "not released: " + info);
            Thread.sleep(20);
        }
        assertEquals(value, admin.call("GET", key));
        assertEquals(Arrays.asList(value, value), admin.call("MGET", key, key));
    }

    private void assertLogged(String... parts) {
        log.assertLogged(parts);
    }

    private static long stat(RespClient c, String name) throws Exception {
        Matcher m = STAT.matcher((String) c.call("INFO"));
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return Long.parseLong(m.group(2));
            }
        }
        throw new AssertionError("INFO has no " + name);
    }

    /** The replies the shards' connections hold, by INFO. */
    private static long replyBytes(RespClient admin) {
        try {
            return sum(shardCounter(admin, "reply_bytes"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static long max(long[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }
}
