package dev.atoll.shards;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.atoll.shards.TestRuntimes.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mesh moves in batches: what one iteration sends arrives together, and the receiver runs it at once. */
class MeshBatchTest {

    @Test
    void whatOneIterationSendsIsDrainedInOnePassAndItsWorkRunsInThatIteration() {
        // (A longer iteration publishes every Outbox.PUBLISH_EVERY messages, so the target can start early.)
        try (ShardRuntime r = TestRuntimes.start(2, "atoll.shards.idle.strategy = sleep")) {
            int n = Outbox.PUBLISH_EVERY - 1;   // fewer than a sender publishes early: one batch at the flush
            long[] receivedIn = new long[n];   // shard 1 only
            long[] ranIn = new long[n];
            CompletableFuture<Void> done = new CompletableFuture<>();
            MeshReceiver<Integer> receiver = i -> {
                Shard here = Shard.current();
                receivedIn[i] = here.stats.read(ShardStats.ITERATIONS);
                here.execute(() -> {
                    ranIn[i] = here.stats.read(ShardStats.ITERATIONS);
                    if (i == n - 1) {
                        done.complete(null);
                    }
                });
            };
            assertTrue(r.execute(0, () -> {
                for (int i = 0; i < n; i++) {
                    assertTrue(Shard.current().send(1, receiver, i));
                }
            }));
            await(done);
            for (int i = 0; i < n; i++) {
                assertEquals(receivedIn[0], receivedIn[i], "message " + i + " came in another drain pass");
                assertEquals(receivedIn[0], ranIn[i], "the work of message " + i + " waited for another iteration");
            }
        }
    }

    @Test
    void perPairOrderAndExactlyOnceWithTinyQueuesOverflowAndOutsideSubmitters() throws Exception {
        int shards = 3;
        int perPair = 20_000;
        // Queues of 4: nearly every batch overflows and is moved on over several iterations.
        try (ShardRuntime r = TestRuntimes.start(shards, "atoll.mesh.queue-capacity = 4")) {
            long[][] expected = new long[shards][shards + 2];   // row: receiver (its shard only); column: sender
            AtomicLong errors = new AtomicLong();
            AtomicLong received = new AtomicLong();
            @SuppressWarnings("unchecked")
            MeshReceiver<long[]>[] receivers = new MeshReceiver[shards];
            for (int s = 0; s < shards; s++) {
                int here = s;
                receivers[s] = m -> {   // m = {sender, sequence}
                    if (expected[here][(int) m[0]]++ != m[1]) {
                        errors.incrementAndGet();
                    }
                    received.incrementAndGet();
                };
            }
            for (int s = 0; s < shards; s++) {
                int sender = s;
                r.execute(sender, new Runnable() {
                    private final long[] next = new long[shards];

                    @Override
                    public void run() {
                        Shard here = Shard.current();
                        for (int burst = 0; burst < 64; burst++) {
                            for (int to = 0; to < shards; to++) {
                                if (to != sender && next[to] < perPair) {
                                    assertTrue(here.send(to, receivers[to], new long[] {sender, next[to]++}));
                                }
                            }
                        }
                        if (next[(sender + 1) % shards] < perPair) {
                            here.execute(this);
                        }
                    }
                });
            }
            List<Thread> outside = new ArrayList<>();
            for (int o = 0; o < 2; o++) {
                int sender = shards + o;
                outside.add(Thread.ofPlatform().start(() -> {
                    long[] next = new long[shards];
                    for (int i = 0; i < perPair; i++) {
                        for (int to = 0; to < shards; to++) {
                            long[] message = {sender, next[to]++};
                            int target = to;
                            while (!r.execute(target, () -> receivers[target].receive(message))) {
                                Thread.onSpinWait();   // the outside queue is bounded; this sender retries
                            }
                        }
                    }
                }));
            }
            for (Thread t : outside) {
                assertTrue(t.join(java.time.Duration.ofSeconds(TestRuntimes.WAIT_SECONDS)));
            }
            long total = (long) shards * (shards - 1) * perPair + 2L * shards * perPair;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestRuntimes.WAIT_SECONDS);
            while (received.get() < total && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(total, received.get(), "messages received");
            assertEquals(0, errors.get(), "messages out of order or duplicated");
            for (int s = 0; s < shards; s++) {
                int here = s;
                long[] row = await(r.submit(here, () -> expected[here].clone()));
                long[] want = new long[shards + 2];
                java.util.Arrays.fill(want, perPair);
                want[here] = 0;
                assertArrayEquals(want, row, "per-sender counts at shard " + here);
            }
            assertTrue(r.stats().stream().mapToLong(ShardStats.Snapshot::overflowed).sum() > 0, "nothing overflowed");
        }
    }
}
