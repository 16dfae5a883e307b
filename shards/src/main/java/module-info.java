/**
 * Atoll's shard runtime: one event loop per core, the cross-shard mesh, wake-ups, timers, promises,
 * offload and stall detection; JFR events
 * ({@code dev.atoll.*}) and per-shard metrics.
 */
module dev.atoll.shards {
    requires transitive dev.atoll.config;
    requires transitive dev.atoll.drivers;
    requires org.jctools.core.jdk11;
    requires org.slf4j;
    requires transitive jdk.jfr;
    exports dev.atoll.shards;
    exports dev.atoll.shards.jfr;
}
