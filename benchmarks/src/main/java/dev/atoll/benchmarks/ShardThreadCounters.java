package dev.atoll.benchmarks;

import dev.atoll.shards.ShardRuntime;

import java.lang.management.ManagementFactory;

/**
 * What a shard's thread has used so far, from HotSpot's per-thread counters
 * ({@code com.sun.management.ThreadMXBean}): heap bytes allocated and CPU time. Read on the shard
 * itself, so the difference of two readings around a run is what the shard used in it (plus the few
 * bytes and nanoseconds of the reading's own task).
 */
final class ShardThreadCounters {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ShardThreadCounters() {
    }

    static long allocatedBytes(ShardRuntime shards, int shard) {
        return shards.submit(shard, THREADS::getCurrentThreadAllocatedBytes).join();
    }

    static long cpuNanos(ShardRuntime shards, int shard) {
        return shards.submit(shard, THREADS::getCurrentThreadCpuTime).join();
    }
}
