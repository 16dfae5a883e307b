package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log's promises observed at the disk rather than the process (SIGKILL keeps the page cache):
 * the server writes its logs to a {@link MemoryDisk}, which keeps on its "device" only what was
 * synced — file contents by fdatasync, names by a sync of the directory — and a power loss leaves
 * just that; a fresh server then replays it from real files.
 */
class AofDurabilityTest {
    private static final String LOG = "appendonly-0-of-1.aof";

    @TempDir
    Path dir;

    private KvSettings settings(KvSettings.FsyncPolicy fsync, long maxQueuedBytes) {
        return new KvSettings(true, fsync, dir.resolve("live"), 64L << 20, 100, maxQueuedBytes, 64 << 20, 10_000,
                Duration.ZERO, "", KvTestServer.OUTPUT);
    }

    private KvTestServer start(int shards, KvSettings.FsyncPolicy fsync, long maxQueuedBytes, MemoryDisk disk)
            throws Exception {
        return KvTestServer.start(shards, DriverKind.AUTO, settings(fsync, maxQueuedBytes), disk, "");
    }

    /** A server on the files a power loss left: what the next boot would replay. */
    private KvTestServer reboot(Map<String, byte[]> image) throws Exception {
        Path files = dir.resolve("reboot");
        MemoryDisk.writeImage(image, files);
        return KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(files, KvSettings.FsyncPolicy.NO));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited 20 s for " + what);
            Thread.sleep(5);
        }
    }

    @Test
    void underAlwaysNoReplyLeavesBeforeTheSyncThatCoversIt() throws Exception {
        MemoryDisk disk = new MemoryDisk(Duration.ZERO, Duration.ofMillis(20)); // a slow sync: an early reply shows
        try (KvTestServer server = start(2, KvSettings.FsyncPolicy.ALWAYS, 16L << 20, disk);
             RespClient c = server.client()) {
            for (int round = 0; round < 25; round++) {
                for (int k = 0; k < 4; k++) { // keys on both shards: local writes and remote batches
                    c.send("SET", "key" + round + "-" + k, "value" + round);
                }
                for (int k = 0; k < 4; k++) {
                    assertEquals("OK", c.read());
                    byte[] record = RespClient.encode("SET", "key" + round + "-" + k, "value" + round);
                    assertTrue(disk.durable(record), "the reply to SET key" + round + "-" + k + " came before its sync");
                }
            }
        }
    }

    @Test
    void aNewLogIsInItsDirectoryOnTheDeviceBeforeAWriteToItIsAnswered() throws Exception {
        MemoryDisk disk = new MemoryDisk(Duration.ZERO, Duration.ZERO);
        KvTestServer server = start(1, KvSettings.FsyncPolicy.ALWAYS, 16L << 20, disk);
        try (RespClient c = server.client()) {
            assertEquals("OK", c.call("SET", "a", "1"));
        }
        Map<String, byte[]> image = disk.powerLoss();
        server.crash();
        assertTrue(image.containsKey(LOG), "the device's directory holds " + image.keySet());
        try (KvTestServer rebooted = reboot(image); RespClient c = rebooted.client()) {
            assertEquals("1", c.call("GET", "a"));
        }
    }

    @Test
    void aPowerLossUnderAlwaysLosesNoAcknowledgedWrite() throws Exception {
        MemoryDisk disk = new MemoryDisk(Duration.ZERO, Duration.ofMillis(2));
        KvTestServer server = start(2, KvSettings.FsyncPolicy.ALWAYS, 16L << 20, disk);
        Writers writers = new Writers(server.port(), 3, 8, 10);
        Thread.sleep(800); // load, then the power goes at an arbitrary moment
        Map<String, byte[]> image = disk.powerLoss();
        server.crash(); // ends the writers: their connections close
        writers.join();
        assertTrue(writers.total() > 50, "only " + writers.total() + " writes were acknowledged");
        try (KvTestServer rebooted = reboot(image); RespClient c = rebooted.client()) {
            for (int w = 0; w < writers.count(); w++) {
                for (int n = 1; n <= writers.acknowledged(w); n++) {
                    assertEquals(writers.value(n), c.call("GET", "w" + w + ":" + n),
                            "writer " + w + " had " + writers.acknowledged(w) + " writes acknowledged");
                }
            }
        }
    }

    @Test
    void underEverysecASyncRunsEachSecondUnderConstantLoadAndAPowerLossLosesAboutASecond() throws Exception {
        // Every write takes a millisecond, so one is always in flight and records always wait behind it.
        MemoryDisk disk = new MemoryDisk(Duration.ofMillis(1), Duration.ZERO);
        KvTestServer server = start(1, KvSettings.FsyncPolicy.EVERYSEC, 16L << 20, disk);
        long start = System.nanoTime();
        Writers writers = new Writers(server.port(), 2, 16, 100);
        Thread.sleep(3500);
        long lossNanos = System.nanoTime();
        Map<String, byte[]> image = disk.powerLoss();
        server.crash();
        writers.join();
        List<Long> syncs = new ArrayList<>(disk.syncTimes(LOG));
        syncs.add(lossNanos);
        long previous = start;
        for (long sync : syncs) {
            assertTrue(sync - previous < 1_500_000_000L, "no sync for " + (sync - previous) / 1_000_000
                    + " ms under load (" + writers.total() + " writes acknowledged; syncs at " + syncs + ")");
            previous = sync;
        }
        // Everything acknowledged 1.5 s before the power went is on the device.
        long cutoff = lossNanos - 1_500_000_000L;
        try (KvTestServer rebooted = reboot(image); RespClient c = rebooted.client()) {
            for (int w = 0; w < writers.count(); w++) {
                int n = writers.lastAcknowledgedBefore(w, cutoff); // one writer's writes are logged in order
                assertTrue(n > 0, "writer " + w + " had nothing acknowledged in the first two seconds");
                assertEquals(writers.value(n), c.call("GET", "w" + w + ":" + n), "writer " + w);
            }
        }
    }

    @Test
    void aStalledLogPausesEveryConnectionAtItsBoundThenServesAll() throws Exception {
        MemoryDisk disk = new MemoryDisk(Duration.ZERO, Duration.ZERO);
        int bound = 256 * 1024;
        try (KvTestServer server = start(1, KvSettings.FsyncPolicy.EVERYSEC, bound, disk);
             RespClient c = server.client()) {
            assertEquals("OK", c.call("SET", "before", "1"));
            disk.hold(LOG); // the device stops taking writes
            int n = 4000;
            String value = "v".repeat(1000);
            int record = RespClient.encode("SET", "k0000", value).length;
            ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                pipeline.writeBytes(RespClient.encode("SET", "k%04d".formatted(i), value)); // 4 MB of records
            }
            AtomicInteger replies = new AtomicInteger();
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        assertEquals("OK", c.read(), "reply " + i);
                        replies.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, KvTestServer.THREADS);
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    c.sendRaw(pipeline.toByteArray());
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, KvTestServer.THREADS);
            // Replies (this is everysec: they do not wait for the disk) stop once the log holds its bound.
            int seen = (int) KvTestServer.settled(replies::get, 300);
            assertTrue(seen > 0 && seen < n, seen + " of " + n + " writes answered while the log could not write");
            assertTrue((long) seen * record <= bound + record, seen + " records of " + record
                    + " bytes answered: the log holds more than its bound of " + bound + " bytes");
            assertEquals(1, disk.heldWrites());
            disk.release(null); // the device takes writes again: the connection is resumed, not failed
            reader.get(30, TimeUnit.SECONDS);
            sender.get(30, TimeUnit.SECONDS);
            assertEquals(n, replies.get());
            assertEquals(value, c.call("GET", "k%04d".formatted(n - 1)));
            await(() -> disk.image().getOrDefault(LOG, new byte[0]).length >= n * record, "the log to be synced");
        }
    }

    @Test
    void aRewriteEndsWhenTheLiveLogFailsDuringIt() throws Exception {
        MemoryDisk disk = new MemoryDisk(Duration.ZERO, Duration.ZERO);
        try (KvTestServer server = start(1, KvSettings.FsyncPolicy.EVERYSEC, 16L << 20, disk);
             RespClient c = server.client()) {
            assertEquals("OK", c.call("SET", "a", "1"));
            disk.hold(LOG);
            assertEquals("OK", c.call("SET", "b", "2")); // its write to the live log is now in flight, held
            await(() -> disk.heldWrites() == 1, "the live log's write");
            assertTrue(((String) c.call("BGREWRITEAOF")).startsWith("Background append only file rewriting"));
            // The snapshot is written; the switch waits for the live log's write in flight.
            await(() -> disk.writesCompleted(".rewrite") >= 1, "the rewrite's snapshot");
            disk.release(new IOException("No space left on device (simulated)"));
            await(() -> {
                try {
                    return ((String) c.call("INFO", "persistence")).contains("aof_rewrite_in_progress:0");
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, "the rewrite to end");
            Object refused = c.call("SET", "c", "3");
            assertTrue(refused instanceof RespClient.Error e && e.text().startsWith("MISCONF"), String.valueOf(refused));
            assertEquals("1", c.call("GET", "a"));
        } // the clean stop waits for the rewrite: it must end too
    }

    /**
     * Clients that each write {@code w<i>:<n> = n} for n = 1, 2, ... in pipelines until their
     * connection ends, and remember which writes were acknowledged, and when.
     */
    private static final class Writers {
        private final int[] acknowledged;
        private final long[][] ackNanos;
        private final List<CompletableFuture<Void>> running = new ArrayList<>();
        private final AtomicBoolean failed = new AtomicBoolean();
        private final String padding;

        Writers(int port, int count, int pipeline, int valueBytes) {
            acknowledged = new int[count];
            ackNanos = new long[count][1 << 19];
            padding = "/" + "p".repeat(valueBytes);
            for (int w = 0; w < count; w++) {
                int writer = w;
                running.add(CompletableFuture.runAsync(() -> {
                    try (RespClient c = new RespClient(port)) {
                        for (int next = 1; next + pipeline < ackNanos[writer].length; next += pipeline) {
                            for (int k = 0; k < pipeline; k++) {
                                c.send("SET", "w" + writer + ":" + (next + k), value(next + k));
                            }
                            for (int k = 0; k < pipeline; k++) {
                                Object reply = c.read();
                                if (!"OK".equals(reply)) {
                                    failed.set(true);
                                }
                                ackNanos[writer][next + k] = System.nanoTime();
                                acknowledged[writer] = next + k;
                            }
                        }
                    } catch (IOException e) {
                        // the crash: the writes after the last reply are in doubt, the acknowledged ones are not
                    }
                }, KvTestServer.THREADS));
            }
        }

        /** What write {@code n} sets. */
        String value(int n) {
            return n + padding;
        }

        void join() throws Exception {
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertTrue(!failed.get(), "a write was refused");
        }

        int count() {
            return acknowledged.length;
        }

        int acknowledged(int writer) {
            return acknowledged[writer];
        }

        long total() {
            long total = 0;
            for (int a : acknowledged) {
                total += a;
            }
            return total;
        }

        int lastAcknowledgedBefore(int writer, long nanos) {
            int n = acknowledged[writer];
            while (n > 0 && ackNanos[writer][n] - nanos >= 0) {
                n--;
            }
            return n;
        }
    }
}
