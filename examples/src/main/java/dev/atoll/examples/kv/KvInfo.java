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

    /** Redis's LRU clock: seconds, in 24 bits. */
    private static final long LRU_CLOCK_MAX = (1L << 24) - 1;
    /** As Redis prints {@code uname}'s system, release and machine. */
    private static final String OS = unameOs();
    private static final int ARCH_BITS = "32".equals(System.getProperty("sun.arch.data.model")) ? 32 : 64;
    /** {@code System.nanoTime}'s source on Linux and macOS, as Redis names its own there. */
    private static final String MONOTONIC_CLOCK = "POSIX clock_gettime";
    /** The program the process runs (the JVM's launcher), as Redis gives its own executable. */
    private static final String EXECUTABLE = ProcessHandle.current().info().command().orElse("");
    /** What allocates here: the JVM's heap (Redis: {@code jemalloc-5.3.0}). */
    private static final String MEM_ALLOCATOR = "jvm-" + Runtime.version();
    /** Redis's build id is a hash of its build; here one of the version, stable from run to run. */
    private static final String BUILD_ID = Long.toHexString(
            (ServerCommands.REDIS_VERSION + Runtime.version()).hashCode() & 0xffffffffL);

    private KvInfo() {
    }

    /** What one shard reports, read on its own thread. */
    record ShardStats(int shard, long keys, long expires, long averageTtl, long commands, long remoteCommands, long batchesIn,
                      long expiredKeys, long hits, long misses, int connections, Aof.Status aof, int batchesLive, long allocatedBytes, long queryBuffers, long replyBytes,
                      long replyBytesPeak, long usedMemory, long maxMemory, long evictedKeys, long[] calls,
                      long[] executionNanos, dev.atoll.shards.ShardStats.Snapshot loop, int lockedKeys, long lockWaits,
                      long errorReplies, java.util.Map<String, Long> errorCodes, long[] rejectedCalls,
                      long[] failedCalls, org.HdrHistogram.Histogram[] latency, long[] tracking,
                      ShardTraffic.Snapshot traffic, long usedMemoryPeak, long maxQueryBuffer, long maxReplyBuffer,
                      long replicaReplyBytes, List<byte[]> channels, List<byte[]> patterns, List<byte[]> shardChannels,
                      long threadCpuNanos, long threadUserNanos) { }

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
        long[] clientBuffers = clientBuffers(s);
        return new ShardStats(s.id, s.table.size(), s.table.volatileCount(), s.averageTtl, s.commands, s.remoteCommands,
                s.batchesIn, s.expiredKeys, s.hits, s.misses, s.connections.size(),
                aof == null ? null : aof.status(), s.batches.live(), THREADS.getCurrentThreadAllocatedBytes(),
                s.queryBufferBytes, s.replyBytes, s.replyBytesPeak, s.table.usedBytes(), s.eviction.limit(),
                s.eviction.evictedKeys, s.calls.clone(), s.executionNanos.clone(), s.shard().stats(), s.locks.lockedKeys(),
                s.locks.waited, s.errors().total, s.errors().codes(), s.errors().rejected.clone(),
                s.errors().failed.clone(), latency ? s.latency.histograms(null) : null, s.tracking.counts(),
                s.traffic.snapshot(), s.usedMemoryPeak(), clientBuffers[0], clientBuffers[1], clientBuffers[2],
                s.pubsub.channels(null), s.pubsub.patterns(), s.shardPubSub.channels(null),
                THREADS.getCurrentThreadCpuTime(), THREADS.getCurrentThreadUserTime());
    }

    /** The largest query buffer and reply backlog of {@code s}'s connections, and what its replicas' connections hold. */
    private static long[] clientBuffers(KvShard s) {
        long[] buffers = new long[3];
        s.connections.forEach(c -> {
            buffers[0] = Math.max(buffers[0], c.queryBufferBytes());
            buffers[1] = Math.max(buffers[1], c.heldReplyBytes());
            if (c.isReplica()) {
                buffers[2] += c.heldReplyBytes();
            }
        });
        return buffers;
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
        long evicted = 0;
        long errorReplies = 0;
        long trackedKeys = 0;
        long trackedItems = 0;
        long trackedPrefixes = 0;
        long writeCalls = 0;
        long maxQueryBuffer = 0;
        long maxReplyBuffer = 0;
        ShardTraffic.Snapshot traffic = ShardTraffic.Snapshot.ZERO;
        AofTotals aof = new AofTotals();
        java.util.Set<PubSub.Name> channels = new java.util.HashSet<>();
        java.util.Set<PubSub.Name> patterns = new java.util.HashSet<>();
        java.util.Set<PubSub.Name> shardChannels = new java.util.HashSet<>();
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
            aof.add(s.aof());
            evicted += s.evictedKeys();
            errorReplies += s.errorReplies();
            trackedKeys += s.tracking()[0];
            trackedItems += s.tracking()[1];
            trackedPrefixes = Math.max(trackedPrefixes, s.tracking()[2]); // every shard holds every prefix
            s.errorCodes().forEach((code, count) -> errorCodes.merge(code, count, Long::sum));
            writeCalls += RdbSaves.writeCalls(s.calls());
            maxQueryBuffer = Math.max(maxQueryBuffer, s.maxQueryBuffer());
            maxReplyBuffer = Math.max(maxReplyBuffer, s.maxReplyBuffer());
            traffic = traffic.plus(s.traffic());
            names(s.channels(), channels); // a channel with subscribers on several shards is one channel
            names(s.patterns(), patterns);
            names(s.shardChannels(), shardChannels);
        }
        KvSettings settings = node.settings;
        long now = System.currentTimeMillis();
        StringBuilder b = new StringBuilder();
        if (all || sections.contains("server")) {
            long uptimeSeconds = (now - node.startMillis) / 1000;
            b.append("# Server\r\n")
                    .append("redis_version:").append(ServerCommands.REDIS_VERSION).append("\r\n")
                    .append("redis_git_sha1:00000000\r\n")
                    .append("redis_git_dirty:0\r\n")
                    .append("redis_build_id:").append(BUILD_ID).append("\r\n")
                    .append("redis_mode:standalone\r\n")
                    .append("os:").append(OS).append("\r\n")
                    .append("arch_bits:").append(ARCH_BITS).append("\r\n")
                    .append("monotonic_clock:").append(MONOTONIC_CLOCK).append("\r\n")
                    .append("multiplexing_api:").append(node.runtime.driverKind().displayName()).append("\r\n")
                    .append("atomicvar_api:java-varhandle\r\n")
                    .append("gcc_version:0.0.0\r\n")
                    .append("process_id:").append(ServerCommands.pid()).append("\r\n")
                    .append("process_supervised:no\r\n")
                    .append("run_id:").append(node.runId).append("\r\n")
                    .append("tcp_port:").append(node.port).append("\r\n")
                    .append("server_time_usec:").append(now * 1000).append("\r\n")
                    .append("uptime_in_seconds:").append(uptimeSeconds).append("\r\n")
                    .append("uptime_in_days:").append(uptimeSeconds / 86_400).append("\r\n")
                    .append("hz:").append(node.tunables.hz()).append("\r\n") // the expiry cycle's frequency
                    .append("configured_hz:").append(node.tunables.hz()).append("\r\n")
                    .append("lru_clock:").append((now / 1000) & LRU_CLOCK_MAX).append("\r\n")
                    .append("executable:").append(EXECUTABLE).append("\r\n")
                    .append("io_threads_active:0\r\n")
                    .append("atoll_example:kv\r\n")
                    .append("shards:").append(node.shardCount()).append("\r\n")
                    .append("driver:").append(node.runtime.driverKind().displayName()).append("\r\n\r\n");
        }
        if (all || sections.contains("clients")) {
            b.append("# Clients\r\n")
                    .append("connected_clients:").append(node.connections.get()).append("\r\n")
                    .append("cluster_connections:0\r\n")
                    .append("maxclients:").append(settings.maxConnections()).append("\r\n")
                    .append("client_recent_max_input_buffer:").append(maxQueryBuffer).append("\r\n")
                    .append("client_recent_max_output_buffer:").append(maxReplyBuffer).append("\r\n")
                    .append("blocked_clients:").append(node.blockedClients.get()).append("\r\n")
                    .append("tracking_clients:").append(node.trackingClients.get()).append("\r\n")
                    .append("clients_in_timeout_table:").append(node.blockedClientsWithTimeout.get()).append("\r\n\r\n");
        }
        if (all || sections.contains("memory")) {
            Memory m = memory(node, results);
            long maxMemory = settings.memory().maxMemory();
            ScriptRegistry.Libraries libraries = node.scripts.libraries();
            long totalSystem = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize();
            b.append("# Memory\r\n")
                    .append("used_memory:").append(m.used).append("\r\n")
                    .append("used_memory_human:").append(human(m.used)).append("\r\n")
                    .append("used_memory_rss:").append(m.rss).append("\r\n")
                    .append("used_memory_rss_human:").append(human(m.rss)).append("\r\n")
                    .append("used_memory_peak:").append(m.peak).append("\r\n")
                    .append("used_memory_peak_human:").append(human(m.peak)).append("\r\n")
                    .append("used_memory_peak_perc:").append(percent(m.used, m.peak)).append("%\r\n")
                    .append("used_memory_overhead:").append(m.overhead()).append("\r\n")
                    .append("used_memory_startup:0\r\n")
                    .append("used_memory_dataset:").append(m.used).append("\r\n")
                    .append("used_memory_dataset_perc:").append(percent(m.used, m.used + m.overhead())).append("%\r\n")
                    .append("allocator_allocated:").append(m.heapUsed).append("\r\n")
                    .append("allocator_active:").append(m.heapCommitted).append("\r\n")
                    .append("allocator_resident:").append(m.rss).append("\r\n")
                    .append("total_system_memory:").append(totalSystem).append("\r\n")
                    .append("total_system_memory_human:").append(human(totalSystem)).append("\r\n")
                    .append("used_memory_lua:0\r\n")
                    .append("used_memory_vm_eval:0\r\n")
                    .append("used_memory_lua_human:0B\r\n")
                    .append("used_memory_scripts_eval:").append(m.scriptBytes).append("\r\n")
                    .append("number_of_cached_scripts:").append(node.scripts.scriptCount()).append("\r\n")
                    .append("number_of_functions:").append(libraries.functionCount()).append("\r\n")
                    .append("number_of_libraries:").append(libraries.byName().size()).append("\r\n")
                    .append("used_memory_vm_functions:0\r\n")
                    .append("used_memory_vm_total:0\r\n")
                    .append("used_memory_vm_total_human:0B\r\n")
                    .append("used_memory_functions:").append(m.functionBytes).append("\r\n")
                    .append("used_memory_scripts:").append(m.scriptBytes + m.functionBytes).append("\r\n")
                    .append("used_memory_scripts_human:").append(human(m.scriptBytes + m.functionBytes)).append("\r\n")
                    .append("maxmemory:").append(maxMemory).append("\r\n")
                    .append("maxmemory_human:").append(human(maxMemory)).append("\r\n")
                    .append("maxmemory_policy:").append(settings.memory().policy().redisName()).append("\r\n")
                    .append("allocator_frag_ratio:").append(ratio(m.heapCommitted, m.heapUsed)).append("\r\n")
                    .append("allocator_frag_bytes:").append(m.heapCommitted - m.heapUsed).append("\r\n")
                    .append("allocator_rss_ratio:").append(ratio(m.rss, m.heapCommitted)).append("\r\n")
                    .append("allocator_rss_bytes:").append(m.rss - m.heapCommitted).append("\r\n")
                    .append("rss_overhead_ratio:1.00\r\n")
                    .append("rss_overhead_bytes:0\r\n")
                    .append("mem_fragmentation_ratio:").append(ratio(m.rss, m.used)).append("\r\n")
                    .append("mem_fragmentation_bytes:").append(m.rss - m.used).append("\r\n")
                    .append("mem_not_counted_for_evict:").append(m.backlog + m.aofBuffer).append("\r\n")
                    .append("mem_replication_backlog:").append(m.backlog).append("\r\n")
                    .append("mem_total_replication_buffers:").append(m.backlog + m.replicaClients).append("\r\n")
                    .append("mem_clients_slaves:").append(m.replicaClients).append("\r\n")
                    .append("mem_clients_normal:").append(m.normalClients).append("\r\n")
                    .append("mem_cluster_links:0\r\n")
                    .append("mem_aof_buffer:").append(m.aofBuffer).append("\r\n")
                    .append("mem_allocator:").append(MEM_ALLOCATOR).append("\r\n")
                    .append("active_defrag_running:0\r\n")
                    .append("lazyfree_pending_objects:0\r\n")
                    .append("lazyfreed_objects:0\r\n")
                    .append("jvm_heap_used:").append(m.heapUsed).append("\r\n")
                    .append("jvm_heap_committed:").append(m.heapCommitted).append("\r\n")
                    .append("jvm_heap_max:").append(m.heapMax).append("\r\n\r\n");
        }
        if (all || sections.contains("persistence")) {
            b.append("# Persistence\r\n")
                    .append("loading:0\r\n")
                    .append("async_loading:0\r\n")
                    .append("current_cow_peak:0\r\n")
                    .append("current_cow_size:0\r\n")
                    .append("current_cow_size_age:0\r\n")
                    .append("current_fork_perc:0.00\r\n")
                    .append("current_save_keys_processed:0\r\n")
                    .append("current_save_keys_total:0\r\n")
                    .append(node.rdb.info(writeCalls))
                    .append("aof_enabled:").append(settings.appendOnly() ? 1 : 0).append("\r\n")
                    .append("appendfsync:").append(settings.fsync().name().toLowerCase(Locale.ROOT)).append("\r\n")
                    .append("aof_rewrite_in_progress:").append(aof.rewriting ? 1 : 0).append("\r\n")
                    .append("aof_rewrite_scheduled:").append(aof.scheduled ? 1 : 0).append("\r\n")
                    .append("aof_last_rewrite_time_sec:").append(aof.lastRewriteSeconds).append("\r\n")
                    .append("aof_current_rewrite_time_sec:").append(aof.currentRewriteSeconds).append("\r\n")
                    .append("aof_last_bgrewrite_status:").append(aof.lastRewriteOk ? "ok" : "err").append("\r\n")
                    .append("aof_rewrites:").append(aof.rewrites).append("\r\n")
                    .append("aof_rewrites_consecutive_failures:").append(aof.rewriteFailures).append("\r\n")
                    .append("aof_last_write_status:").append(aof.writeOk ? "ok" : "err").append("\r\n")
                    .append("aof_last_cow_size:0\r\n")
                    .append("module_fork_in_progress:0\r\n")
                    .append("module_fork_last_cow_size:0\r\n");
            if (settings.appendOnly()) { // as Redis: only while the log is on
                b.append("aof_current_size:").append(aof.currentSize).append("\r\n")
                        .append("aof_base_size:").append(aof.baseSize).append("\r\n")
                        .append("aof_pending_rewrite:").append(aof.scheduled ? 1 : 0).append("\r\n")
                        .append("aof_buffer_length:").append(aof.bufferLength).append("\r\n")
                        .append("aof_pending_bio_fsync:").append(aof.syncing).append("\r\n")
                        .append("aof_delayed_fsync:0\r\n");
            }
            b.append("\r\n");
        }
        if (all || sections.contains("stats")) {
            b.append("# Stats\r\n")
                    .append("total_connections_received:").append(node.connectionsAccepted.get()).append("\r\n")
                    .append("total_commands_processed:").append(commands).append("\r\n")
                    .append("instantaneous_ops_per_sec:").append(Math.round(traffic.opsPerSecond())).append("\r\n")
                    .append("total_net_input_bytes:").append(traffic.inputBytes() + traffic.replInputBytes()).append("\r\n")
                    .append("total_net_output_bytes:").append(traffic.outputBytes() + traffic.replOutputBytes()).append("\r\n")
                    .append("total_net_repl_input_bytes:").append(traffic.replInputBytes()).append("\r\n")
                    .append("total_net_repl_output_bytes:").append(traffic.replOutputBytes()).append("\r\n")
                    .append("instantaneous_input_kbps:").append(kbps(traffic.inputKbps())).append("\r\n")
                    .append("instantaneous_output_kbps:").append(kbps(traffic.outputKbps())).append("\r\n")
                    .append("instantaneous_input_repl_kbps:").append(kbps(traffic.replInputKbps())).append("\r\n")
                    .append("instantaneous_output_repl_kbps:").append(kbps(traffic.replOutputKbps())).append("\r\n")
                    .append("rejected_connections:").append(node.connectionsRejected.get()).append("\r\n")
                    .append(node.replication.syncStats())
                    .append("expired_keys:").append(expired).append("\r\n")
                    .append("expired_stale_perc:0.00\r\n")
                    .append("expired_time_cap_reached_count:0\r\n")
                    .append("expire_cycle_cpu_milliseconds:0\r\n")
                    .append("evicted_keys:").append(evicted).append("\r\n")
                    .append("evicted_clients:0\r\n")
                    .append("total_eviction_exceeded_time:0\r\n")
                    .append("current_eviction_exceeded_time:0\r\n")
                    .append("keyspace_hits:").append(hits).append("\r\n")
                    .append("keyspace_misses:").append(misses).append("\r\n")
                    .append("pubsub_channels:").append(channels.size()).append("\r\n")
                    .append("pubsub_patterns:").append(patterns.size()).append("\r\n")
                    .append("pubsubshard_channels:").append(shardChannels.size()).append("\r\n")
                    .append("latest_fork_usec:0\r\n")
                    .append("total_forks:0\r\n")
                    .append("migrate_cached_sockets:0\r\n")
                    .append("slave_expires_tracked_keys:0\r\n")
                    .append("active_defrag_hits:0\r\n")
                    .append("active_defrag_misses:0\r\n")
                    .append("active_defrag_key_hits:0\r\n")
                    .append("active_defrag_key_misses:0\r\n")
                    .append("total_active_defrag_time:0\r\n")
                    .append("current_active_defrag_time:0\r\n")
                    .append("tracking_total_keys:").append(trackedKeys).append("\r\n")
                    .append("tracking_total_items:").append(trackedItems).append("\r\n")
                    .append("tracking_total_prefixes:").append(trackedPrefixes).append("\r\n")
                    .append("unexpected_error_replies:0\r\n")
                    .append("total_error_replies:").append(errorReplies).append("\r\n")
                    .append("dump_payload_sanitizations:0\r\n")
                    .append("total_reads_processed:").append(traffic.reads()).append("\r\n")
                    .append("total_writes_processed:").append(traffic.writes()).append("\r\n")
                    .append("io_threaded_reads_processed:0\r\n")
                    .append("io_threaded_writes_processed:0\r\n")
                    .append("reply_buffer_shrinks:0\r\n")
                    .append("reply_buffer_expands:0\r\n")
                    .append("client_output_buffer_limit_disconnections:").append(node.outputLimitDisconnections.get())
                    .append("\r\n\r\n");
        }
        ReplicaOf.Master master = node.replica.shownMaster();
        if ((all || sections.contains("replication")) && master != null) {
            node.replica.info(b, master);
        } else if (all || sections.contains("replication")) {
            b.append(node.replication.info());
        }
        if (all || sections.contains("cpu")) {
            long[] cpu = processCpu();
            long[] shardCpu = {0, 0}; // the shards' threads: Redis's "main thread" is its one event loop
            for (Object o : results) {
                shardCpu[0] += ((ShardStats) o).threadCpuNanos();
                shardCpu[1] += ((ShardStats) o).threadUserNanos();
            }
            b.append("# CPU\r\n")
                    .append("used_cpu_sys:").append(seconds(cpu[0] - cpu[1])).append("\r\n")
                    .append("used_cpu_user:").append(seconds(cpu[1])).append("\r\n")
                    .append("used_cpu_sys_children:0.000000\r\n")
                    .append("used_cpu_user_children:0.000000\r\n")
                    .append("used_cpu_sys_main_thread:").append(seconds(shardCpu[0] - shardCpu[1])).append("\r\n")
                    .append("used_cpu_user_main_thread:").append(seconds(shardCpu[1])).append("\r\n\r\n");
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
                        .append(",aof_bytes=").append(s.aof() == null ? 0 : s.aof().currentSize())
                        .append(",aof_rewrites=").append(s.aof() == null ? 0 : s.aof().rewrites())
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

    /**
     * The memory figures INFO memory and MEMORY STATS share: the keys' bytes ({@link KeyTable#usedBytes}) now and
     * at their peak, the buffers beside them (connections', replicas', the backlog, the logs' unwritten records),
     * the scripts' and libraries' sources, the JVM's heap and the process's resident set.
     */
    record Memory(long used, long peak, long keys, long normalClients, long replicaClients, long backlog, long aofBuffer,
                  long scriptBytes, long functionBytes, long heapUsed, long heapCommitted, long heapMax, long rss) {
        /** What Redis would count on top of the data: here it is held beside {@link #used}, not inside it. */
        long overhead() {
            return normalClients + replicaClients + backlog + aofBuffer;
        }
    }

    static Memory memory(KvNode node, Object[] results) {
        long used = 0;
        long peak = 0;
        long keys = 0;
        long clients = 0;
        long replicaClients = 0;
        AofTotals aof = new AofTotals();
        for (Object o : results) {
            ShardStats s = (ShardStats) o;
            used += s.usedMemory();
            peak += s.usedMemoryPeak();
            keys += s.keys();
            clients += s.queryBuffers() + s.replyBytes();
            replicaClients += s.replicaReplyBytes();
            aof.add(s.aof());
        }
        java.lang.management.MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new Memory(used, Math.max(peak, used), keys, clients - replicaClients, replicaClients,
                node.replication.backlogBytes(), aof.bufferLength, node.scripts.scriptBytes(),
                node.scripts.libraries().codeBytes(), heap.getUsed(), heap.getCommitted(), heap.getMax(),
                residentBytes(heap));
    }

    /**
     * MEMORY STATS: Redis 7.0's map of the same figures as INFO memory, with its names and in its order ("INFO's
     * fields" in docs/kv.md says what each means here; the table's own overhead is not counted apart from its keys).
     */
    static void memoryStats(KvNode node, Object[] results, ReplyWriter reply) {
        Memory m = memory(node, results);
        reply.mapHeader(m.keys > 0 ? 28 : 27); // a database's entry only when it has keys, as Redis
        reply.bulk("peak.allocated").integer(m.peak);
        reply.bulk("total.allocated").integer(m.used);
        reply.bulk("startup.allocated").integer(0);
        reply.bulk("replication.backlog").integer(m.backlog);
        reply.bulk("clients.slaves").integer(m.replicaClients);
        reply.bulk("clients.normal").integer(m.normalClients);
        reply.bulk("cluster.links").integer(0);
        reply.bulk("aof.buffer").integer(m.aofBuffer);
        reply.bulk("lua.caches").integer(m.scriptBytes);
        reply.bulk("functions.caches").integer(m.functionBytes);
        if (m.keys > 0) {
            reply.bulk("db.0").mapHeader(3);
            reply.bulk("overhead.hashtable.main").integer(0);
            reply.bulk("overhead.hashtable.expires").integer(0);
            reply.bulk("overhead.hashtable.slot-to-keys").integer(0);
        }
        reply.bulk("overhead.total").integer(m.overhead());
        reply.bulk("keys.count").integer(m.keys);
        reply.bulk("keys.bytes-per-key").integer(m.keys == 0 ? 0 : m.used / m.keys);
        reply.bulk("dataset.bytes").integer(m.used);
        reply.bulk("dataset.percentage");
        ZSetAlgebra.score(reply, m.used + m.overhead() == 0 ? 0 : m.used * 100.0 / (m.used + m.overhead()));
        reply.bulk("peak.percentage");
        ZSetAlgebra.score(reply, m.peak == 0 ? 0 : m.used * 100.0 / m.peak);
        reply.bulk("allocator.allocated").integer(m.heapUsed);
        reply.bulk("allocator.active").integer(m.heapCommitted);
        reply.bulk("allocator.resident").integer(m.rss);
        reply.bulk("allocator-fragmentation.ratio");
        ZSetAlgebra.score(reply, m.heapUsed == 0 ? 0 : (double) m.heapCommitted / m.heapUsed);
        reply.bulk("allocator-fragmentation.bytes").integer(m.heapCommitted - m.heapUsed);
        reply.bulk("allocator-rss.ratio");
        ZSetAlgebra.score(reply, m.heapCommitted == 0 ? 0 : (double) m.rss / m.heapCommitted);
        reply.bulk("allocator-rss.bytes").integer(m.rss - m.heapCommitted);
        reply.bulk("rss-overhead.ratio");
        ZSetAlgebra.score(reply, 1);
        reply.bulk("rss-overhead.bytes").integer(0);
        reply.bulk("fragmentation");
        ZSetAlgebra.score(reply, m.used == 0 ? 0 : (double) m.rss / m.used);
        reply.bulk("fragmentation.bytes").integer(m.rss - m.used);
    }

    /** The per-shard log figures INFO persistence sums (the shards without a log add nothing). */
    private static final class AofTotals {
        long currentSize;
        long baseSize;
        long rewrites;
        long bufferLength;
        long currentRewriteSeconds = -1;
        long lastRewriteSeconds = -1;
        int rewriteFailures;
        int syncing;
        boolean rewriting;
        boolean scheduled;
        boolean lastRewriteOk = true;
        boolean writeOk = true;

        void add(Aof.Status s) {
            if (s == null) {
                return;
            }
            currentSize += s.currentSize();
            baseSize += s.baseSize();
            rewrites += s.rewrites();
            bufferLength += s.bufferLength();
            currentRewriteSeconds = Math.max(currentRewriteSeconds, s.currentRewriteSeconds());
            lastRewriteSeconds = Math.max(lastRewriteSeconds, s.lastRewriteSeconds());
            rewriteFailures = Math.max(rewriteFailures, s.rewriteFailures());
            syncing += s.syncing() ? 1 : 0;
            rewriting |= s.rewriting();
            scheduled |= s.rewriteScheduled();
            lastRewriteOk &= s.lastRewriteOk();
            writeOk &= s.writeOk();
        }
    }

    private static void names(List<byte[]> from, java.util.Set<PubSub.Name> into) {
        for (byte[] name : from) {
            into.add(PubSub.Name.copyOf(name, 0, name.length));
        }
    }

    /**
     * The process's resident set: {@code VmRSS} of /proc/self/status on Linux; elsewhere the JVM's committed heap
     * and non-heap memory, the part of it the JVM can name.
     */
    private static long residentBytes(java.lang.management.MemoryUsage heap) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException notLinux) {
            // below
        }
        return heap.getCommitted() + ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getCommitted();
    }

    private static String unameOs() {
        String name = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        boolean mac = name.startsWith("Mac");
        String machine = switch (arch) {
            case "amd64" -> "x86_64";
            case "aarch64" -> mac ? "arm64" : arch;
            default -> arch;
        };
        return (mac ? "Darwin" : name) + ' ' + System.getProperty("os.version") + ' ' + machine;
    }

    /** {@code part} as a percentage of {@code whole}, two decimals (Redis's {@code %.2f%%}). */
    private static String percent(long part, long whole) {
        return String.format(Locale.ROOT, "%.2f", whole == 0 ? 0.0 : part * 100.0 / whole);
    }

    /** Redis's ratios: two decimals. */
    private static String ratio(long numerator, long denominator) {
        return String.format(Locale.ROOT, "%.2f", denominator == 0 ? 0.0 : (double) numerator / denominator);
    }

    private static String kbps(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
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
