package dev.atoll.examples.kv;

import dev.atoll.config.ConfigReader;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Redis 7.0's parameters that tune how the server works without changing what it answers: the encoding thresholds
 * ({@link EncodingLimits}), {@code hz} and {@code active-expire-effort} (the active expiry cycle of each shard),
 * {@code lfu-log-factor} and {@code lfu-decay-time} (the LFU counters of {@link Eviction}),
 * {@code maxmemory-eviction-tenacity} (how long one write may evict), {@code acllog-max-len} (ACL LOG's length),
 * {@code aof-rewrite-incremental-fsync}, {@code rdb-save-incremental-fsync}, {@code min-replicas-to-write} and
 * {@code -max-lag} ({@link MinReplicas}) and {@code activerehashing}.
 * Read from {@code kv.*} at start; CONFIG SET replaces the record whole ({@link KvNode#tunables}).
 *
 * @param encodings          the encoding thresholds
 * @param hz                 active expiry cycles per second, 1..500 (Redis clamps what it is given to that)
 * @param activeExpireEffort 1..10: more keys sampled per cycle, fewer expired keys tolerated, a longer cycle
 * @param lfuLogFactor       how slowly an LFU counter grows
 * @param lfuDecayTime       minutes per decrement of an idle key's LFU counter; 0: it never decays
 * @param evictionTenacity   0..100: how long one write may evict before it goes on (Redis's scale)
 * @param aclLogMaxLen       ACL LOG entries kept
 * @param aofRewriteIncrementalFsync a log's rewrite syncs its new file every 4 MiB written, not only at its end
 * @param rdbSaveIncrementalFsync    a save syncs the RDB file every 4 MiB written, not only at its end
 * @param minReplicasToWrite         writes are refused with fewer good replicas ({@link MinReplicas}); 0: never
 * @param minReplicasMaxLag          seconds since its last acknowledgement within which a replica is good; 0: off
 * @param activeRehashing            a shard's traffic sample, and an idle shard's timer, move buckets of a resize of
 *                                   its keyspace's table (and of its expiries') in progress, so that a keyspace only
 *                                   read, or idle, finishes it too (Redis's cron rehash)
 */
record Tunables(EncodingLimits encodings, int hz, int activeExpireEffort, int lfuLogFactor, int lfuDecayTime,
                int evictionTenacity, long aclLogMaxLen, boolean aofRewriteIncrementalFsync,
                boolean rdbSaveIncrementalFsync, int minReplicasToWrite, int minReplicasMaxLag, boolean activeRehashing) {
    /** Redis 7.0's defaults. */
    static final Tunables DEFAULT = new Tunables(EncodingLimits.DEFAULT, 10, 1, 10, 1, 10, 128, true, true, 0, 10, true);

    /** Redis's CONFIG_MIN_HZ and CONFIG_MAX_HZ. */
    private static final int MIN_HZ = 1;
    private static final int MAX_HZ = 500;

    /** The names CONFIG SET changes (Redis's old {@code ziplist} spellings too). */
    static final Set<String> NAMES = Set.of("hash-max-listpack-entries", "hash-max-ziplist-entries",
            "hash-max-listpack-value", "hash-max-ziplist-value", "zset-max-listpack-entries", "zset-max-ziplist-entries",
            "zset-max-listpack-value", "zset-max-ziplist-value", "set-max-intset-entries", "hz", "active-expire-effort",
            "lfu-log-factor", "lfu-decay-time", "maxmemory-eviction-tenacity", "acllog-max-len",
            "aof-rewrite-incremental-fsync", "rdb-save-incremental-fsync", "min-replicas-to-write", "min-slaves-to-write",
            "min-replicas-max-lag", "min-slaves-max-lag", "activerehashing");

    /** Reads {@code kv.hz}, {@code kv.hash-max-listpack-entries}, ...: the same names as Redis's, the same ranges. */
    static Tunables from(ConfigReader reader) {
        EncodingLimits encodings = new EncodingLimits(
                reader.longIn("kv.hash-max-listpack-entries", 0, EncodingLimits.MAX_HASH_ENTRIES),
                reader.bytes("kv.hash-max-listpack-value", 0, EncodingLimits.MAX_HASH_VALUE),
                reader.longIn("kv.zset-max-listpack-entries", 0, Long.MAX_VALUE),
                reader.bytes("kv.zset-max-listpack-value", 0, Long.MAX_VALUE),
                reader.longIn("kv.set-max-intset-entries", 0, Long.MAX_VALUE));
        return new Tunables(encodings, reader.intIn("kv.hz", MIN_HZ, MAX_HZ), reader.intIn("kv.active-expire-effort", 1, 10),
                reader.intIn("kv.lfu-log-factor", 0, Integer.MAX_VALUE), reader.intIn("kv.lfu-decay-time", 0, Integer.MAX_VALUE),
                reader.intIn("kv.maxmemory-eviction-tenacity", 0, 100), reader.longIn("kv.acllog-max-len", 0, Long.MAX_VALUE),
                reader.bool("kv.aof-rewrite-incremental-fsync"), reader.bool("kv.rdb-save-incremental-fsync"),
                reader.intIn("kv.min-replicas-to-write", 0, Integer.MAX_VALUE),
                reader.intIn("kv.min-replicas-max-lag", 0, Integer.MAX_VALUE), reader.bool("kv.activerehashing"));
    }

    /** CONFIG SET of one of {@link #NAMES}; throws with Redis's reason (or this server's bound) when {@code value} is refused. */
    Tunables with(String name, String value) {
        long hashEntries = encodings.hashEntries();
        long hashValue = encodings.hashValue();
        long zsetEntries = encodings.zsetEntries();
        long zsetValue = encodings.zsetValue();
        long intsetEntries = encodings.intsetEntries();
        int hz = this.hz;
        int effort = activeExpireEffort;
        int logFactor = lfuLogFactor;
        int decayTime = lfuDecayTime;
        int tenacity = evictionTenacity;
        long aclLog = aclLogMaxLen;
        boolean aofSync = aofRewriteIncrementalFsync;
        boolean rdbSync = rdbSaveIncrementalFsync;
        int minReplicas = minReplicasToWrite;
        int maxLag = minReplicasMaxLag;
        boolean rehash = activeRehashing;
        switch (name) {
            case "hash-max-listpack-entries", "hash-max-ziplist-entries" -> hashEntries = atMost(
                    integer(value, 0, Long.MAX_VALUE), EncodingLimits.MAX_HASH_ENTRIES, "fields in a listpack hash");
            case "hash-max-listpack-value", "hash-max-ziplist-value" -> hashValue = atMost(
                    memory(value), EncodingLimits.MAX_HASH_VALUE, "bytes of a listpack hash's field or value");
            case "zset-max-listpack-entries", "zset-max-ziplist-entries" -> zsetEntries = integer(value, 0, Long.MAX_VALUE);
            case "zset-max-listpack-value", "zset-max-ziplist-value" -> zsetValue = memory(value);
            case "set-max-intset-entries" -> intsetEntries = integer(value, 0, Long.MAX_VALUE);
            case "hz" -> hz = (int) Math.max(MIN_HZ, Math.min(MAX_HZ, integer(value, 0, Integer.MAX_VALUE))); // Redis clamps
            case "active-expire-effort" -> effort = (int) integer(value, 1, 10);
            case "lfu-log-factor" -> logFactor = (int) integer(value, 0, Integer.MAX_VALUE);
            case "lfu-decay-time" -> decayTime = (int) integer(value, 0, Integer.MAX_VALUE);
            case "maxmemory-eviction-tenacity" -> tenacity = (int) integer(value, 0, 100);
            case "acllog-max-len" -> aclLog = integer(value, 0, Long.MAX_VALUE);
            case "aof-rewrite-incremental-fsync" -> aofSync = yes(value);
            case "rdb-save-incremental-fsync" -> rdbSync = yes(value);
            case "min-replicas-to-write", "min-slaves-to-write" -> minReplicas = (int) integer(value, 0, Integer.MAX_VALUE);
            case "min-replicas-max-lag", "min-slaves-max-lag" -> maxLag = (int) integer(value, 0, Integer.MAX_VALUE);
            case "activerehashing" -> rehash = yes(value);
            default -> throw new IllegalArgumentException("not a tunable: " + name);
        }
        return new Tunables(new EncodingLimits(hashEntries, hashValue, zsetEntries, zsetValue, intsetEntries), hz, effort,
                logFactor, decayTime, tenacity, aclLog, aofSync, rdbSync, minReplicas, maxLag, rehash);
    }

    /** CONFIG GET's parameters, as redis-server 7.0 names and prints them. */
    void describe(Map<String, String> parameters) {
        EncodingLimits e = encodings;
        for (String type : new String[] {"listpack", "ziplist"}) {
            parameters.put("hash-max-" + type + "-entries", Long.toString(e.hashEntries()));
            parameters.put("hash-max-" + type + "-value", Long.toString(e.hashValue()));
            parameters.put("zset-max-" + type + "-entries", Long.toString(e.zsetEntries()));
            parameters.put("zset-max-" + type + "-value", Long.toString(e.zsetValue()));
        }
        parameters.put("set-max-intset-entries", Long.toString(e.intsetEntries()));
        parameters.put("hz", Integer.toString(hz));
        parameters.put("active-expire-effort", Integer.toString(activeExpireEffort));
        parameters.put("lfu-log-factor", Integer.toString(lfuLogFactor));
        parameters.put("lfu-decay-time", Integer.toString(lfuDecayTime));
        parameters.put("maxmemory-eviction-tenacity", Integer.toString(evictionTenacity));
        parameters.put("acllog-max-len", Long.toString(aclLogMaxLen));
        parameters.put("aof-rewrite-incremental-fsync", aofRewriteIncrementalFsync ? "yes" : "no");
        parameters.put("rdb-save-incremental-fsync", rdbSaveIncrementalFsync ? "yes" : "no");
        parameters.put("activerehashing", activeRehashing ? "yes" : "no");
        for (String role : new String[] {"replicas", "slaves"}) {
            parameters.put("min-" + role + "-to-write", Integer.toString(minReplicasToWrite));
            parameters.put("min-" + role + "-max-lag", Integer.toString(minReplicasMaxLag));
        }
    }

    /**
     * How long one write may evict, as Redis's evictionTimeLimitUs: 50 µs per step up to 10 (the default, 500 µs),
     * then 15 % more per step, and no bound at 100.
     */
    long evictionBudgetNanos() {
        if (evictionTenacity <= 10) {
            return 50_000L * evictionTenacity;
        }
        if (evictionTenacity < 100) {
            return (long) (500_000 * Math.pow(1.15, evictionTenacity - 10));
        }
        return Long.MAX_VALUE;
    }

    /** Redis's integer parameter: its text and its bounds, else Redis's reason. */
    static long integer(String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("argument couldn't be parsed into an integer");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("argument must be between " + min + " and " + max + " inclusive");
        }
        return n;
    }

    /** Redis's memory parameter (a number with k, kb, m, mb, g, gb), else Redis's reason. */
    static long memory(String value) {
        long n = AdminCommands.memory(value);
        if (n < 0) {
            throw new IllegalArgumentException("argument must be a memory value");
        }
        return n;
    }

    /** {@code n}, or a refusal when this server cannot go that far (Redis can). */
    private static long atMost(long n, long max, String what) {
        if (n > max) {
            throw new IllegalArgumentException("argument must be at most " + max + " here (" + what + ")");
        }
        return n;
    }

    /** Redis's boolean parameter: yes or no, any case, else Redis's reason. */
    static boolean yes(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new IllegalArgumentException("argument must be 'yes' or 'no'");
        };
    }
}
