package dev.atoll.shards;

import dev.atoll.drivers.Driver;

/** Opens the driver of one shard, on that shard's thread. */
@FunctionalInterface
public interface DriverFactory {
    Driver open(int shardId);
}
