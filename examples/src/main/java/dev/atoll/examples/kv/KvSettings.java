package dev.atoll.examples.kv;

import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.atoll.config.ConfigReader;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The key-value server's own settings, read from the {@code kv { }} section of the configuration
 * (defaults and their meaning in the examples' {@code reference.conf}).
 *
 * @param appendOnly           whether writes are logged and the logs replayed at start
 * @param fsync                when the log is flushed to the device
 * @param dir                  the directory of the logs
 * @param rewriteMinBytes      a log smaller than this is never rewritten
 * @param rewriteGrowthPercent growth since the last rewrite that triggers the next one
 * @param aofMaxQueuedBytes    records appended but not yet written to a shard's log beyond which
 *                             every connection pauses reading until that log has written half of them
 * @param maxRequestBytes      the largest request (one command) a connection may send
 * @param maxConnections       open client connections over all shards
 * @param idleTimeout          a connection idle this long is closed; zero = never
 * @param password             what AUTH must give; empty = no password
 * @param output               the bounds on the replies a connection holds for its client
 */
public record KvSettings(boolean appendOnly, FsyncPolicy fsync, Path dir, long rewriteMinBytes,
                         int rewriteGrowthPercent, long aofMaxQueuedBytes, int maxRequestBytes, int maxConnections, Duration idleTimeout,
                         String password, OutputLimits output) {

    /**
     * What a connection may hold of the replies its client has not read yet: Redis's
     * {@code client-output-buffer-limit} for normal clients, a pause of its reads, and a bound per shard.
     *
     * @param hardLimit   replies held at which the connection is closed at once
     * @param softLimit   replies held at which, once held for longer than {@code softSeconds}, it is closed; 0 = none
     * @param softSeconds how long the soft limit may be passed
     * @param highWater   replies held (or in flight from other shards) above which it stops reading
     * @param lowWater    replies held below which it reads again
     * @param shardTotal  replies held by all connections of one shard above which the largest holders are
     *                    closed; 0 = auto (a quarter of the maximum heap, shared by the shards)
     */
    public record OutputLimits(long hardLimit, long softLimit, int softSeconds, long highWater, long lowWater,
                               long shardTotal) {
        /** The bound per shard: {@link #shardTotal}, or for auto a quarter of the heap's maximum divided by {@code shards}. */
        public long shardTotal(int shards) {
            return shardTotal > 0 ? shardTotal : Runtime.getRuntime().maxMemory() / 4 / shards;
        }
    }

    /** Redis's {@code appendfsync} choices. */
    public enum FsyncPolicy {
        /** fsync before a write is answered (group commit: one fsync per batch). */
        ALWAYS,
        /** fsync once a second on a timer, whatever the load. */
        EVERYSEC,
        /** never fsync; the kernel writes back when it likes. */
        NO
    }

    /** Reads every {@code kv.*} key; an invalid one throws with path, value, expectation and origin. */
    public static KvSettings from(ConfigReader reader) {
        String dir = reader.nonBlankString("kv.dir");
        return new KvSettings(
                reader.bool("kv.appendonly"),
                reader.enumOf("kv.appendfsync", FsyncPolicy.class),
                Path.of(dir),
                reader.bytes("kv.aof.rewrite-min-bytes", 1024, 1L << 40),
                reader.intIn("kv.aof.rewrite-growth-percent", 1, 100_000),
                reader.bytes("kv.aof.max-queued-bytes", 64 * 1024, 1L << 40),
                (int) reader.bytes("kv.max-request-bytes", 1024, Integer.MAX_VALUE - 1024),
                reader.intIn("kv.max-connections", 1, 1_000_000),
                reader.duration("kv.idle-timeout", Duration.ZERO, Duration.ofDays(365)),
                reader.config().getString("kv.password"),
                outputLimits(reader));
    }

    private static final String OUTPUT = "kv.client-output-buffer-limit.";

    private static OutputLimits outputLimits(ConfigReader reader) {
        long hard = reader.bytes(OUTPUT + "hard", 64 * 1024, 1L << 30);
        long soft = reader.bytes(OUTPUT + "soft", 0, hard);
        int softSeconds = reader.intIn(OUTPUT + "soft-seconds", 0, 86_400);
        long high = reader.bytes("kv.output-pause.high-water", 16 * 1024, hard);
        long low = reader.bytes("kv.output-pause.low-water", 0, high);
        long shard = 0;
        ConfigValue total = reader.config().getValue(OUTPUT + "shard-total");
        if (total.valueType() != ConfigValueType.STRING || !"auto".equalsIgnoreCase(((String) total.unwrapped()).trim())) {
            shard = reader.bytes(OUTPUT + "shard-total", 1L << 20, 1L << 40);
        }
        return new OutputLimits(hard, soft, softSeconds, high, low, shard);
    }
}
