package dev.atoll.examples.metrics;

import dev.atoll.config.AtollConfig;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With no JFR recording, the event hooks on the shards' hot paths (every task and mesh message is
 * wrapped by the long-task timing) allocate nothing: bytes per cross-shard message measured with
 * HotSpot's per-thread counter on both shard threads. Under a recording the long-task timing reuses
 * one event object per shard, so it allocates next to nothing either.
 */
class EventCostAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int MESSAGES = 200_000;
    private static final int PER_TURN = 500;

    /** The reused message: counts on shard 1 and completes the round at its target. */
    static final class Count implements Runnable {
        long count;
        long target;
        CompletableFuture<Void> done;

        @Override
        public void run() {
            if (++count == target) {
                done.complete(null);
            }
        }
    }

    @Test
    void hooksAllocateNothingWithoutARecording() throws Exception {
        AtollConfig config = AtollConfig.parse("atoll.shards.count = 2\natoll.io.buffers.debug = false", "test");
        try (ShardRuntime runtime = ShardRuntime.start(config)) {
            double off = bytesPerMessage(runtime);
            double on;
            try (Recording recording = new Recording()) {
                recording.enable("dev.atoll.LongTask");
                recording.start();
                on = bytesPerMessage(runtime);
            }
            System.out.printf("bytes per cross-shard message (sender + receiver): %.3f without a recording, "
                    + "%.3f while recording%n", off, on);
            assertTrue(off < 0.5, off + " bytes per message without a recording");
            // One event object per shard, reused: an event per callback would be about 200 bytes a message.
            assertTrue(on < 8, on + " bytes per message while recording");
        }
    }

    /** The last of three rounds (the first ones warm up the JIT): bytes both shards allocated per message. */
    private static double bytesPerMessage(ShardRuntime runtime) throws Exception {
        Count count = runtime.submit(1, Count::new).get(10, TimeUnit.SECONDS);
        double perMessage = 0;
        for (int round = 1; round <= 3; round++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            long target = count.count + MESSAGES;
            runtime.submit(1, () -> {
                count.done = done;
                count.target = target;
                return null;
            }).get(10, TimeUnit.SECONDS);
            long sender = allocated(runtime, 0);
            long receiver = allocated(runtime, 1);
            AtomicLong sent = new AtomicLong();
            runtime.execute(0, new Runnable() {
                @Override
                public void run() {
                    // Stop at the first message parked in the overflow list: the list's growth is not the send's cost.
                    Shard here = Shard.current();
                    for (int i = 0; i < PER_TURN && sent.get() < MESSAGES && here.backlog(1) == 0; i++) {
                        here.send(1, count);
                        sent.lazySet(sent.get() + 1);
                    }
                    if (sent.get() < MESSAGES) {
                        here.execute(this);
                    }
                }
            });
            done.get(60, TimeUnit.SECONDS);
            perMessage = (double) (allocated(runtime, 0) - sender + allocated(runtime, 1) - receiver) / MESSAGES;
        }
        return perMessage;
    }

    private static long allocated(ShardRuntime runtime, int shard) throws Exception {
        return runtime.submit(shard, THREADS::getCurrentThreadAllocatedBytes).get(10, TimeUnit.SECONDS);
    }
}
