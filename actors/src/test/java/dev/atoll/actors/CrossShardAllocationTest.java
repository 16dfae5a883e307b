package dev.atoll.actors;

import dev.atoll.shards.Shard;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;

import static dev.atoll.actors.TestSystems.await;
import static dev.atoll.actors.TestSystems.onShard;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tell from one shard to an actor on another allocates nothing beyond the message: no envelope, no
 * lambda, no boxed value, on either side. Measured with HotSpot's per-thread allocation counter on both
 * shard threads over many tells of one reused message (so the message itself costs nothing either).
 * An envelope per tell would show as 16 bytes or more per tell.
 */
class CrossShardAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int TELLS = 200_000;
    private static final int PER_TURN = 500;

    enum Tick { TICK }

    /** Counts ticks; completes the current round's future at its target. Shard 1 only. */
    static final class Counter extends Actor<Tick> {
        static CompletableFuture<Void> done;
        static long target;
        private long count;

        @Override
        protected void receive(Tick tick) {
            if (++count == target) {
                done.complete(null);
            }
        }
    }

    @Test
    void aCrossShardTellAllocatesNothingBeyondTheMessage() {
        try (ActorSystem system = TestSystems.start(2)) {
            ActorRef<Tick> counter = system.spawn(Counter::new, Placement.shard(1));
            long[] allocated = new long[2];
            for (int round = 1; round <= 3; round++) {   // the first rounds warm up: JIT, the mailbox's ring
                CompletableFuture<Void> done = new CompletableFuture<>();
                long target = (long) round * TELLS;
                onShard(system, 1, () -> {
                    Counter.done = done;
                    Counter.target = target;
                    return null;
                });
                long senderBefore = onShard(system, 0, THREADS::getCurrentThreadAllocatedBytes);
                long receiverBefore = onShard(system, 1, THREADS::getCurrentThreadAllocatedBytes);
                system.runtime().execute(0, new Runnable() {
                    private int sent;

                    @Override
                    public void run() {
                        // Stop at the first tell parked in the overflow list: the list's growth is not the tell's cost.
                        Shard here = Shard.current();
                        for (int i = 0; i < PER_TURN && sent < TELLS && here.backlog(1) == 0; i++, sent++) {
                            counter.tell(Tick.TICK);
                        }
                        if (sent < TELLS) {
                            Shard.current().execute(this);
                        }
                    }
                });
                await(done);
                allocated[0] = onShard(system, 0, THREADS::getCurrentThreadAllocatedBytes) - senderBefore;
                allocated[1] = onShard(system, 1, THREADS::getCurrentThreadAllocatedBytes) - receiverBefore;
            }
            System.out.printf("bytes allocated for %d cross-shard tells: %d sending, %d receiving%n", TELLS, allocated[0],
                    allocated[1]);
            // What remains is the measuring tasks' own (about 16 KB a side, whatever the number of tells): under
            // half a byte per tell on average. An envelope per tell would be 16 bytes or more per tell.
            assertTrue(allocated[0] < TELLS / 2, allocated[0] + " bytes allocated on the sending shard for " + TELLS + " tells");
            assertTrue(allocated[1] < TELLS / 2, allocated[1] + " bytes allocated on the receiving shard for " + TELLS + " tells");
        }
    }
}
