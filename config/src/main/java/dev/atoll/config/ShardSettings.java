package dev.atoll.config;

import java.time.Duration;

/**
 * Settings of {@code atoll.shards}.
 *
 * @param count           number of shards; 0 means {@code auto} (the CPUs this process may use)
 * @param pin             pin each shard thread to one CPU where the OS allows it (Linux)
 * @param qos             QoS class each shard thread sets on itself (macOS)
 * @param idle            what a shard does in a loop iteration that found no work
 * @param taskBudget      ready tasks run per loop iteration before I/O is polled again
 * @param drainBatch      messages taken from one inbound queue per loop iteration
 * @param stallThreshold  a shard away from its loop longer than this is reported; zero disables it
 * @param shutdownTimeout how long a stop waits for queued work before cancelling it
 */
public record ShardSettings(int count, boolean pin, QosClass qos, IdleSettings idle, int taskBudget,
                            int drainBatch, Duration stallThreshold, Duration shutdownTimeout) {

    /** The number of shards to start, given how many CPUs this process may use. */
    public int resolveCount(int usableCpus) {
        return count == 0 ? Math.max(1, usableCpus) : count;
    }
}
