package dev.atoll.examples.kv;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * The text of INFO: Redis 7.0's sections in its order (server, clients, memory, persistence, stats,
 * replication, cpu, modules, errorstats, cluster, keyspace; and commandstats when asked for, as Redis's
 * default leaves it out) plus Atoll's own, one line per shard.
 */
final class KvInfo {
    /** HotSpot's per-thread allocation counter: bytes a shard's thread allocated since it started. */
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private KvInfo() {
    }

    /** What one shard reports, read on its own thread. */
    record ShardStats(int shard, long keys, long expires, long averageTtl, long commands, long remoteCommands, long batchesIn,
                      long expiredKeys, long hits, long misses, int connections, long aofBytes, long aofRewrites,
                      boolean aofRewriting, int batchesLive, long allocatedBytes, long queryBuffers, long replyBytes,
                      long replyBytesPeak, long usedMemory, long maxMemory, long evictedKeys, long[] calls,
                      long[] executionNanos, dev.atoll.shards.ShardStats.Snapshot loop, int lockedKeys, long lockWaits,
                      long errorReplies, java.util.Map<String, Long> errorCodes, long[] rejectedCalls,
                      long[] failedCalls, org.HdrHistogram.Histogram[] latency, long[] tracking) { }

    /** Whether INFO {@code sections} include latencystats (copied from every shard only then: they are large). */
    static boolean wantsLatency(List<String> sections) {
        return sections.contains("latencystats") || sections.contains("everything") || sections.contains("all");
    }

    static ShardStats shardStats(KvShard s) {
        return shardStats(s, false);
    }

    /** What shard {@code s} reports, with copies of its latency histograms when {@code latency}. */
    static ShardStats shardStats(KvShard s, boolean latency) {
        Aof aof = s.aof;
        return new ShardStats(s.id, s.table.size(), s.table.volatileCount(), s.averageTtl, s.commands, s.remoteCommands,
                s.batchesIn, s.expiredKeys, s.hits, s.misses, s.connections.size(),
                aof == null ? 0 : aof.fileSize(), aof == null ? 0 : aof.rewrites(),
                aof != null && aof.rewriting(), s.batches.live(), THREADS.getCurrentThreadAllocatedBytes(),
                s.queryBufferBytes, s.replyBytes, s.replyBytesPeak, s.table.usedBytes(), s.eviction.limit(),
                s.eviction.evictedKeys, s.calls.clone(), s.executionNanos.clone(), s.shard().stats(), s.locks.lockedKeys(),
                s.locks.waited, s.errors().total, s.errors().codes(), s.errors().rejected.clone(),
                s.errors().failed.clone(), latency ? s.latency.histograms(null) : null, s.tracking.counts());
    }

    static String text(KvNode node, List<String> sections, Object[] results) {
        boolean all = sections.isEmpty() || sections.contains("all") || sections.contains("everything")
                || sections.contains("default");
        long keys = 0;
        long expires = 0;
        double ttlWeighted = 0; // each shard's estimate weighted by its keys with an expiry, over the shards that have one
        long ttlWeights = 0;
        long commands = 0;
        long expired = 0;
        long hits = 0;
        long misses = 0;
        long aofBytes = 0;
        long rewrites = 0;
        boolean rewriting = false;
        long usedMemory = 0;
        long evicted = 0;
        long errorReplies = 0;
        long trackedKeys = 0;
        long trackedItems = 0;
        long trackedPrefixes = 0;
        long writeCalls = 0;
        java.util.TreeMap<String, Long> errorCodes = new java.util.TreeMap<>();
        for (Object o : results) {
            ShardStats s = (ShardStats) o;
            keys += s.keys();
            expires += s.expires();
            if (s.averageTtl() > 0) {
                ttlWeighted += (double) s.averageTtl() * s.expires();
                ttlWeights += s.expires();
            }
            commands += s.commands();
            expired += s.expiredKeys();
            hits += s.hits();
            misses += s.misses();
            aofBytes += s.aofBytes();
            rewrites += s.aofRewrites();
            rewriting |= s.aofRewriting();
            usedMemory += s.usedMemory();
            evicted += s.evictedKeys();
            errorReplies += s.errorReplies();
            trackedKeys += s.tracking()[0];
            trackedItems += s.tracking()[1];
            trackedPrefixes = Math.max(trackedPrefixes, s.tracking()[2]); // every shard holds every prefix
            s.errorCodes().forEach((code, count) -> errorCodes.merge(code, count, Long::sum));
            writeCalls += RdbSaves.writeCalls(s.calls());
        }
        KvSettings settings = node.settings;
        StringBuilder b = new StringBuilder();
        if (all || sections.contains("server")) {
            b.append("# Server\r\n")
                    .append("redis_version:").append(ServerCommands.REDIS_VERSION).append("\r\n")
                    .append("atoll_example:kv\r\n")
                    .append("redis_mode:standalone\r\n")
                    .append("os:").append(System.getProperty("os.name")).append(' ')
                    .append(System.getProperty("os.arch")).append("\r\n")
                    .append("process_id:").append(ServerCommands.pid()).append("\r\n")
                    .append("tcp_port:").append(node.port).append("\r\n")
                    .append("uptime_in_seconds:").append((System.currentTimeMillis() - node.startMillis) / 1000)
                    .append("\r\n")
                    .append("shards:").append(node.shardCount()).append("\r\n")
                    .append("driver:").append(node.runtime.driverKind().displayName()).append("\r\n\r\n");
        }
        if (all || sections.contains("clients")) {
            b.append("# Clients\r\n")
                    .append("connected_clients:").append(node.connections.get()).append("\r\n")
                    .append("blocked_clients:").append(node.blockedClients.get()).append("\r\n")
                    .append("tracking_clients:").append(node.trackingClients.get()).append("\r\n")
                    .append("maxclients:").append(settings.maxConnections()).append("\r\n\r\n");
        }
        if (all || sections.contains("memory")) {
            Runtime jvm = Runtime.getRuntime();
            long maxMemory = settings.memory().maxMemory();
            b.append("# Memory\r\n")
                    .append("used_memory:").append(usedMemory).append("\r\n")
                    .append("used_memory_human:").append(human(usedMemory)).append("\r\n")
                    .append("maxmemory:").append(maxMemory).append("\r\n")
                    .append("maxmemory_human:").append(human(maxMemory)).append("\r\n")
                    .append("maxmemory_policy:").append(settings.memory().policy().redisName()).append("\r\n")
                    .append("jvm_heap_used:").append(jvm.totalMemory() - jvm.freeMemory()).append("\r\n")
                    .append("jvm_heap_committed:").append(jvm.totalMemory()).append("\r\n")
                    .append("jvm_heap_max:").append(jvm.maxMemory()).append("\r\n\r\n");
        }
        if (all || sections.contains("persistence")) {
            b.append("# Persistence\r\n")
                    .append("loading:0\r\n")
                    .append(node.rdb.info(writeCalls))
                    .append("aof_enabled:").append(settings.appendOnly() ? 1 : 0).append("\r\n")
                    .append("appendfsync:").append(settings.fsync().name().toLowerCase(Locale.ROOT)).append("\r\n")
                    .append("aof_current_size:").append(aofBytes).append("\r\n")
                    .append("aof_rewrite_in_progress:").append(rewriting ? 1 : 0).append("\r\n")
                    .append("aof_rewrites:").append(rewrites).append("\r\n\r\n");
        }
        if (all || sections.contains("stats")) {
            b.append("# Stats\r\n")
                    .append("total_connections_received:").append(node.connectionsAccepted.get()).append("\r\n")
                    .append("rejected_connections:").append(node.connectionsRejected.get()).append("\r\n")
                    .append("client_output_buffer_limit_disconnections:").append(node.outputLimitDisconnections.get())
                    .append("\r\n")
                    .append("total_commands_processed:").append(commands).append("\r\n")
                    .append(node.replication.syncStats())
                    .append("expired_keys:").append(expired).append("\r\n")
                    .append("evicted_keys:").append(evicted).append("\r\n")
                    .append("keyspace_hits:").append(hits).append("\r\n")
                    .append("keyspace_misses:").append(misses).append("\r\n")
                    .append("tracking_total_keys:").append(trackedKeys).append("\r\n")
                    .append("tracking_total_items:").append(trackedItems).append("\r\n")
                    .append("tracking_total_prefixes:").append(trackedPrefixes).append("\r\n")
                    .append("total_error_replies:").append(errorReplies).append("\r\n\r\n");
        }
        ReplicaOf.Master master = node.replica.master;
        if ((all || sections.contains("replication")) && master != null) {
            node.replica.info(b, master, node.replicationId);
        } else if (all || sections.contains("replication")) {
            b.append(node.replication.info());
        }
        if (all || sections.contains("cpu")) {
            long[] cpu = processCpu();
            b.append("# CPU\r\n")
                    .append("used_cpu_sys:").append(seconds(cpu[0] - cpu[1])).append("\r\n")
                    .append("used_cpu_user:").append(seconds(cpu[1])).append("\r\n")
                    .append("used_cpu_sys_children:0.000000\r\n")
                    .append("used_cpu_user_children:0.000000\r\n\r\n");
        }
        if (all || sections.contains("modules")) {
            b.append("# Modules\r\n\r\n");
        }
        if (sections.contains("commandstats") || sections.contains("everything") || sections.contains("all")) {
            b.append("# Commandstats\r\n");
            for (int slot = 0; slot < CommandStats.SLOTS; slot++) {
                long calls = 0;
                long nanos = 0;
                long rejected = 0;
                long failed = 0;
                for (Object o : results) {
                    ShardStats s = (ShardStats) o;
                    calls += s.calls()[slot];
                    nanos += s.executionNanos()[slot];
                    rejected += s.rejectedCalls()[slot];
                    failed += s.failedCalls()[slot];
                }
                if (calls > 0 || rejected > 0 || failed > 0) { // as Redis: a command only ever refused has a line
                    long usec = nanos / 1000;
                    b.append("cmdstat_").append(CommandStats.name(slot)).append(":calls=").append(calls).append(",usec=").append(usec)
                            .append(",usec_per_call=")
                            .append(String.format(Locale.ROOT, "%.2f", calls == 0 ? 0.0 : (double) usec / calls))
                            .append(",rejected_calls=").append(rejected).append(",failed_calls=").append(failed)
                            .append("\r\n");
                }
            }
            b.append("\r\n");
        }
        if (all || sections.contains("errorstats")) {
            b.append("# Errorstats\r\n");
            errorCodes.forEach((code, count) -> b.append("errorstat_").append(code).append(":count=").append(count)
                    .append("\r\n"));
            b.append("\r\n");
        }
        if (wantsLatency(sections)) {
            List<org.HdrHistogram.Histogram[]> parts = new java.util.ArrayList<>();
            for (Object o : results) {
                parts.add(((ShardStats) o).latency());
            }
            b.append(LatencyCommands.infoSection(LatencyCommands.mergedForInfo(parts), node.latency.percentiles()));
        }
        if (all || sections.contains("cluster")) {
            b.append("# Cluster\r\n")
                    .append("cluster_enabled:").append(node.shardPorts.enabled() ? 1 : 0).append("\r\n\r\n");
        }
        if (all || sections.contains("shards")) {
            b.append("# Shards\r\n");
            for (Object o : results) {
                ShardStats s = (ShardStats) o;
                b.append("shard").append(s.shard()).append(":keys=").append(s.keys())
                        .append(",expires=").append(s.expires())
                        .append(",commands=").append(s.commands())
                        .append(",remote_commands=").append(s.remoteCommands())
                        .append(",batches_in=").append(s.batchesIn())
                        .append(",batches_live=").append(s.batchesLive())
                        .append(",allocated_bytes=").append(s.allocatedBytes())
                        .append(",reply_bytes=").append(s.replyBytes())
                        .append(",reply_bytes_peak=").append(s.replyBytesPeak())
                        .append(",expired_keys=").append(s.expiredKeys())
                        .append(",used_memory=").append(s.usedMemory())
                        .append(",maxmemory=").append(s.maxMemory())
                        .append(",evicted_keys=").append(s.evictedKeys())
                        .append(",connections=").append(s.connections())
                        .append(",query_buffers=").append(s.queryBuffers())
                        .append(",aof_bytes=").append(s.aofBytes())
                        .append(",aof_rewrites=").append(s.aofRewrites())
                        .append(",loop_iterations=").append(s.loop().iterations())
                        .append(",sleeps=").append(s.loop().sleeps())
                        .append(",mesh_in=").append(s.loop().messagesIn())
                        .append(",mesh_out=").append(s.loop().messagesOut())
                        .append(",wakes_sent=").append(s.loop().wakesSent())
                        .append(",wakes_avoided=").append(s.loop().wakesAvoided())
                        .append(",locked_keys=").append(s.lockedKeys())
                        .append(",lock_waits=").append(s.lockWaits()).append("\r\n");
            }
            b.append("\r\n");
        }
        if (all || sections.contains("keyspace")) {
            b.append("# Keyspace\r\n");
            if (keys > 0) {
                b.append("db0:keys=").append(keys).append(",expires=").append(expires).append(",avg_ttl=")
                        .append(ttlWeights == 0 ? 0 : Math.round(ttlWeighted / ttlWeights)).append("\r\n");
            }
        }
        return b.toString();
    }

    /**
     * The process's CPU time in nanoseconds, {total, user}: the sum over its live threads (HotSpot's
     * per-thread counters), as Redis reports its own with getrusage.
     */
    private static long[] processCpu() {
        long total = 0;
        long user = 0;
        for (long id : THREADS.getAllThreadIds()) {
            long cpu = THREADS.getThreadCpuTime(id);
            long u = THREADS.getThreadUserTime(id);
            if (cpu > 0 && u >= 0) {
                total += cpu;
                user += u;
            }
        }
        return new long[] {total, user};
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.6f", nanos / 1e9);
    }

    /** Redis's {@code _human} form: bytes with two decimals in B, K, M, G or T. */
    static String human(long bytes) {
        String[] units = {"B", "K", "M", "G", "T"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f%s", value, units[unit]);
    }
}
