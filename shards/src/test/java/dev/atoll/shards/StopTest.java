package dev.atoll.shards;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a stop leaves behind is run or cancelled, never forgotten: nobody waits for ever. */
class StopTest {

    @Test
    void aCallWhoseReplyCannotArriveFailsItsPromiseAtStop() throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        ShardRuntime r = TestRuntimes.start(2, "atoll.shards.shutdown-timeout = 0s");
        Shard caller = r.shard(0);
        // Shard 1 holds on until shard 0 has left its loop at the stop, so the call's request (or its
        // reply) can only be cancelled.
        assertTrue(r.execute(1, () -> {
            while (!caller.hasExited()) {
                Thread.onSpinWait();
            }
        }));
        assertTrue(r.execute(0, () -> Shard.current().call(1, () -> 42)
                .whenComplete((value, failure) -> outcome.complete(failure))));
        r.close();
        Throwable failure = outcome.get(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS);
        assertInstanceOf(CancellationException.class, failure, "the call's promise");
    }

    @Test
    void aSubmissionRacingCloseIsRunOrCancelled() throws Exception {
        for (int run = 0; run < 10; run++) {
            ShardRuntime r = TestRuntimes.start(2, "atoll.shards.shutdown-timeout = 0s");
            AtomicBoolean go = new AtomicBoolean(true);
            List<CompletableFuture<Integer>> accepted = new ArrayList<>();
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                List<CompletableFuture<Integer>> mine = new ArrayList<>();
                submitters.add(Thread.ofPlatform().start(() -> {
                    while (go.get()) {
                        CompletableFuture<Integer> f = r.submit(0, () -> 1);
                        if (!f.isCompletedExceptionally()) {
                            mine.add(f);
                        }
                    }
                    synchronized (accepted) {
                        accepted.addAll(mine);
                    }
                }));
            }
            r.close();
            go.set(false);
            for (Thread t : submitters) {
                assertTrue(t.join(java.time.Duration.ofSeconds(TestRuntimes.WAIT_SECONDS)));
            }
            // Each accepted submission ran or was cancelled; one that was neither times out here.
            for (CompletableFuture<Integer> f : accepted) {
                try {
                    assertEquals(1, f.get(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS));
                } catch (CancellationException e) {
                    // cancelled at stop: accounted for
                }
            }
        }
    }
}
