package dev.atoll.shards;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.atoll.shards.TestRuntimes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeshTest {

    @Test
    void messagesBetweenTwoShardsArriveInSendOrder() {
        try (ShardRuntime r = TestRuntimes.start(3, "atoll.mesh.queue-capacity = 64")) {
            int perSender = 200_000;
            long[][] next = new long[3][3];          // row: receiver (written only by that shard)
            boolean[] disorder = new boolean[1];
            CompletableFuture<Void> done = new CompletableFuture<>();
            long[] received = new long[1];            // shard 2 only
            for (int sender = 0; sender < 2; sender++) {
                int from = sender;
                r.execute(from, () -> {
                    Shard here = Shard.current();
                    for (int seq = 0; seq < perSender; seq++) {
                        int s = seq;
                        assertTrue(here.send(2, () -> {
                            if (next[2][from] != s) {
                                disorder[0] = true;
                            }
                            next[2][from] = s + 1;
                            if (++received[0] == 2L * perSender) {
                                done.complete(null);
                            }
                        }));
                    }
                });
            }
            await(done);
            assertFalse(await(r.submit(2, () -> disorder[0])), "messages from one shard arrived out of order");
            long parked = r.stats().get(0).overflowed() + r.stats().get(1).overflowed();
            assertTrue(parked > 0, "the test should have filled the 64-slot queues and used the overflow lists");
        }
    }

    @Test
    void overflowIsBoundedRefusedSendsAreCountedAndAcceptedOnesAllArriveInOrder() {
        try (ShardRuntime r = TestRuntimes.start(2, "atoll.mesh { queue-capacity = 4, overflow-limit = 10 }")) {
            CountDownLatch release = TestRuntimes.occupy(r, 1);
            List<Integer> arrived = new ArrayList<>();   // shard 1 only
            CompletableFuture<Void> allArrived = new CompletableFuture<>();
            int[] accepted = await(r.submit(0, () -> {
                Shard here = Shard.current();
                int ok = 0;
                int refused = 0;
                for (int i = 0; i < 20; i++) {
                    int n = i;
                    if (here.send(1, () -> {
                        arrived.add(n);
                        if (arrived.size() == 14) {
                            allArrived.complete(null);
                        }
                    })) {
                        ok++;
                    } else {
                        refused++;
                    }
                }
                return new int[]{ok, refused};
            }));
            assertEquals(14, accepted[0], "4 in the queue and 10 in the overflow list");
            assertEquals(6, accepted[1]);
            ShardStats.Snapshot sender = r.stats().get(0);
            assertEquals(10, sender.overflowed());
            assertEquals(6, sender.rejected());
            release.countDown();
            await(allArrived);
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13), await(r.submit(1, () -> List.copyOf(arrived))));
        }
    }

    @Test
    void outsideSubmissionsBeyondTheBoundFailTheirFutures() throws Exception {
        try (ShardRuntime r = TestRuntimes.start(1, "atoll.mesh { queue-capacity = 4, overflow-limit = 4 }")) {
            CountDownLatch release = TestRuntimes.occupy(r, 0);
            List<CompletableFuture<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int n = i;
                futures.add(r.submit(0, () -> n));
            }
            release.countDown();
            int completed = 0;
            int refused = 0;
            for (CompletableFuture<Integer> f : futures) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                    completed++;
                } catch (ExecutionException e) {
                    assertInstanceOf(MeshOverflowException.class, e.getCause());
                    refused++;
                }
            }
            assertEquals(100, completed + refused);
            assertTrue(refused > 0 && completed >= 8, completed + " completed, " + refused + " refused");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aBusyTargetCostsTheSenderNoWakeSyscall(DriverKind driver) {
        try (ShardRuntime r = TestRuntimes.start(2, "", driver)) {
            AtomicBoolean busy = new AtomicBoolean(true);
            CountDownLatch targetBusy = new CountDownLatch(1);
            r.execute(1, () -> {
                targetBusy.countDown();
                while (busy.get()) {
                    Thread.onSpinWait();
                }
            });
            TestRuntimes.awaitLatch(targetBusy);
            long wakesBefore = r.stats().get(0).wakesSent();
            // 1,000 sends, each from its own loop iteration of shard 0 (one flush each), but the first two:
            // the outside submission runs as the iteration drains, and its re-queued task in the same one.
            CompletableFuture<Void> sent = new CompletableFuture<>();
            r.execute(0, new Runnable() {
                int remaining = 1000;

                @Override
                public void run() {
                    Shard.current().send(1, () -> { });
                    // Complete in the next iteration, after this one's flush has been counted.
                    Shard.current().execute(--remaining > 0 ? this : () -> sent.complete(null));
                }
            });
            await(sent);
            ShardStats.Snapshot sender = r.stats().get(0);
            busy.set(false);
            assertEquals(wakesBefore, sender.wakesSent(), "woke a target that was busy");
            assertTrue(sender.wakesAvoided() >= 999, sender.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aSleepingTargetIsWokenOnceForAllMessagesOfOneIteration(DriverKind driver) {
        try (ShardRuntime r = TestRuntimes.start(2, "", driver)) {
            Shard target = r.shard(1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestRuntimes.WAIT_SECONDS);
            boolean wokenOnce = false;
            // The target may wake by itself between the sender's look and its flush (then no wake is
            // needed); repeat until a round found it asleep at the flush. No round may wake it twice.
            while (!wokenOnce && System.nanoTime() < deadline) {
                CompletableFuture<Integer> received = new CompletableFuture<>();
                int[] count = new int[1];      // shard 1 only
                long before = r.stats().get(0).wakesSent();
                boolean sent = await(r.submit(0, () -> {
                    if (!target.wake.isSleeping()) {
                        return false;
                    }
                    for (int i = 0; i < 100; i++) {
                        Shard.current().send(1, () -> {
                            if (++count[0] == 100) {
                                received.complete(count[0]);
                            }
                        });
                    }
                    return true;
                }));
                if (sent) {
                    assertEquals(100, await(received));
                    long wakes = r.stats().get(0).wakesSent() - before;
                    assertTrue(wakes <= 1, wakes + " wakes for the messages of one iteration");
                    wokenOnce = wakes == 1;
                }
            }
            assertTrue(wokenOnce, "never caught shard 1 asleep at the sender's flush");
        }
    }

    @Test
    void sendFromTheWrongThreadIsRefused() {
        try (ShardRuntime r = TestRuntimes.start(2, "")) {
            assertThrows(IllegalStateException.class, () -> r.shard(0).send(1, () -> { }));
        }
    }
}
