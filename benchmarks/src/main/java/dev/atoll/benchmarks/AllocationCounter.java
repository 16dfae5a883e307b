package dev.atoll.benchmarks;

import dev.atoll.shards.ShardRuntime;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes a shard's thread has allocated so far, from HotSpot's per-thread allocation counter
 * ({@code com.sun.management.ThreadMXBean}); read on the shard itself, so the difference of two
 * readings around a run is what the shard allocated in it (plus the few bytes of the reading's task).
 */
final class AllocationCounter {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AllocationCounter() {
    }

    static long ofShard(ShardRuntime shards, int shard) {
        return shards.submit(shard, THREADS::getCurrentThreadAllocatedBytes).join();
    }
}
