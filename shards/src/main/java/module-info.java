/**
 * Atoll's shard runtime: one event loop per core, the cross-shard mesh, wake-ups, timers, promises,
 * offload and stall detection.
 */
module dev.atoll.shards {
    requires transitive dev.atoll.config;
    requires transitive dev.atoll.drivers;
    requires org.jctools.core.jdk11;
    requires org.slf4j;
    exports dev.atoll.shards;
}
