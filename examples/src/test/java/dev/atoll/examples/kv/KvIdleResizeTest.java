package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A resize left in progress when the connections went quiet: under activerehashing the idle shard finishes it, as
 * Redis's cron does, and under {@code no} nothing moves it. The shard's state is read by tasks on its thread, which
 * are not traffic (a command would restart the traffic sample, which moves buckets itself).
 */
class KvIdleResizeTest {
    /**
     * 2^17 buckets double at the 131,073rd key; each of the 48,927 inserts after it moves one bucket (and passes the
     * empty ones after it, about a third at this load), so about 53,000 old buckets are left: four times what the
     * traffic sample moves before it stops (17 samples of 500 moves).
     */
    private static final int KEYS = 180_000;

    /** What a task on the shard saw. */
    private record Seen(boolean resizing, boolean sampling, int keys, String buckets) {
    }

    @Test
    void anIdleShardFinishesTheResizeTheTrafficSampleLeft() throws Exception {
        try (ShardRuntime runtime = TestRuntimes.start(1, "")) {
            KvShard shard = startShard(runtime, Tunables.DEFAULT);
            boolean leftByTheSample = false;
            long deadline = System.nanoTime() + 20_000_000_000L;
            Seen seen;
            do {
                Thread.sleep(20);
                seen = look(runtime, shard);
                leftByTheSample |= seen.resizing() && !seen.sampling();
            } while (seen.resizing() && System.nanoTime() < deadline);
            assertTrue(leftByTheSample, "the traffic sample stopped before the resize ended (else this shows nothing)");
            assertFalse(seen.resizing(), "the idle shard did not finish the resize in 20 s: " + seen.buckets());
        }
    }

    @Test
    void underActiveRehashingNoAnIdleShardLeavesTheResizeToChanges() throws Exception {
        try (ShardRuntime runtime = TestRuntimes.start(1, "")) {
            KvShard shard = startShard(runtime, Tunables.DEFAULT.with("activerehashing", "no"));
            Seen seen = look(runtime, shard);
            assertTrue(seen.resizing() && seen.sampling(), "a resize under way, the traffic sample running");
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (seen.sampling() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                seen = look(runtime, shard);
            }
            assertFalse(seen.sampling(), "the traffic sample stops once quiet");
            Thread.sleep(600); // six periods in which an idle shard under activerehashing would have moved buckets
            assertEquals(seen, look(runtime, shard), "buckets moved while idle under activerehashing no");
        }
    }

    /**
     * Most keys expire while no connection sends: active expiry removes them, the table halves each time it falls
     * under a sixteenth of its buckets (8,192 at the start), and the last halving (2,048 to 1,024 buckets, at 127
     * keys) has only the removals down to the 64 keys that stay to move its buckets, a bucket (and ten empty ones)
     * each: the idle shard finishes that resize too.
     */
    @Test
    void anIdleShardFinishesTheShrinkActiveExpiryStarted() throws Exception {
        int staying = 64;
        try (ShardRuntime runtime = TestRuntimes.start(1, "")) {
            KvSettings settings = KvTestServer.settings(null, KvSettings.FsyncPolicy.NO);
            KvShard shard = new KvShard(0, new KeyTable(), settings, 1);
            KvNode node = new KvNode(settings, runtime, new KvShard[] {shard}, ProtectedMode.OFF, ShardPorts.OFF);
            // An expiry cycle a second: the idle shard's first step, 100 ms after a cycle, comes well before the next
            // cycle, so the shrink the cycle's removals left is there to be seen in between.
            node.tunables = Tunables.DEFAULT.with("hz", "1");
            TestRuntimes.await(runtime.submit(0, () -> {
                shard.start(node, Shard.current());
                long expireAt = System.currentTimeMillis() + 300;
                for (int i = 0; i < 4096 + staying; i++) {
                    byte[] key = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
                    KeyTable.Entry e = shard.table.insert(key, KeyTable.hash(key, 0, key.length), key);
                    if (i >= staying) {
                        shard.setExpire(e, expireAt);
                    }
                }
                shard.table.continueResize(Integer.MAX_VALUE);
                assertTrue(shard.table.buckets() == 8192 && !shard.table.resizePending(), "8,192 buckets, no resize");
                return null;
            }));
            boolean leftByTheRemovals = false;
            long deadline = System.nanoTime() + 20_000_000_000L;
            Seen seen;
            do {
                Thread.sleep(20);
                seen = look(runtime, shard);
                leftByTheRemovals |= seen.keys() == staying && seen.resizing();
            } while ((seen.keys() > staying || seen.resizing()) && System.nanoTime() < deadline);
            assertEquals(staying, seen.keys(), "active expiry removed every key with an expiry");
            assertFalse(seen.sampling(), "no traffic");
            assertTrue(leftByTheRemovals, "the removals left the shrink under way (else this shows nothing)");
            assertFalse(seen.resizing(), "the idle shard did not finish the shrink in 20 s: " + seen.buckets());
        }
    }

    /**
     * A started shard on {@code runtime}'s shard 0 whose table is resizing, with its traffic sample started as a read
     * starts it (and nothing more: no command ever comes).
     */
    private static KvShard startShard(ShardRuntime runtime, Tunables tunables) throws Exception {
        KvSettings settings = KvTestServer.settings(null, KvSettings.FsyncPolicy.NO);
        KeyTable table = new KeyTable();
        KvShard shard = new KvShard(0, table, settings, 1);
        KvNode node = new KvNode(settings, runtime, new KvShard[] {shard}, ProtectedMode.OFF, ShardPorts.OFF);
        node.tunables = tunables;
        TestRuntimes.await(runtime.submit(0, () -> {
            shard.start(node, Shard.current());
            for (int i = 0; i < KEYS; i++) {
                byte[] key = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
                table.insert(key, KeyTable.hash(key, 0, key.length), key);
            }
            assertTrue(table.resizing() && table.buckets() == 1 << 18, "the table is doubling to 2^18 buckets");
            shard.startTrafficSampling();
            return null;
        }));
        return shard;
    }

    private static Seen look(ShardRuntime runtime, KvShard shard) {
        Callable<Seen> look = () -> {
            StringBuilder buckets = new StringBuilder();
            shard.table.describeBuckets(buckets);
            return new Seen(shard.table.resizing(), shard.traffic.sampling(), shard.table.size(), buckets.toString());
        };
        return TestRuntimes.await(runtime.submit(0, look));
    }
}
