package dev.atoll.examples.kv;

import dev.atoll.config.ConfigReader;
import dev.atoll.config.InvalidConfigException;

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
 * @param input                what clients may send: Redis's protocol limits and the query buffers' memory
 * @param maxConnections       open client connections over all shards
 * @param idleTimeout          a connection idle this long is closed; zero = never
 * @param password             what AUTH must give; empty = no password
 * @param output               the bounds on the replies a connection holds for its client
 * @param protectedMode        with no password and a non-loopback bind, refuse peers that are not local
 * @param aofLoadTruncated     a command cut by the end of a log (a crash during a write) is dropped at
 *                             start, with a warning; otherwise the start is refused
 * @param aofLoadCorruptTail   bytes of a log from an offset on that are not a command are dropped at
 *                             start, with a warning; otherwise the start is refused
 * @param aofLoadMissing       logs of a layout that are missing (a shard's keys) are accepted at start,
 *                             with a warning; otherwise the start is refused
 * @param memory               maxmemory: how much the keys may take and what goes when they take more
 * @param pubsubOutput         the bounds on what a subscriber holds (Redis's pubsub class)
 * @param slowLog              which commands the slow log keeps, and how many
 * @param keyspaceEvents       {@code notify-keyspace-events} at start: the classes of keyspace notifications
 *                             sent ({@link KeyspaceEvents}' flags; 0: none), until CONFIG SET changes them
 * @param dbFilename           the RDB file's name in {@code dir} (Redis's {@code dbfilename}): a name, not a path
 * @param aclFile              Redis's {@code aclfile}: the users loaded at start, by ACL LOAD and written by
 *                             ACL SAVE; null: none
 * @param rdb                  the RDB file's save points and format (Redis's {@code save}, {@code rdbcompression},
 *                             {@code rdbchecksum}, {@code stop-writes-on-bgsave-error})
 */
public record KvSettings(boolean appendOnly, FsyncPolicy fsync, Path dir, long rewriteMinBytes,
                         int rewriteGrowthPercent, long aofMaxQueuedBytes, InputLimits input, OutputLimits output,
                         int maxConnections, Duration idleTimeout, String password, boolean protectedMode, boolean aofLoadTruncated,
                         boolean aofLoadCorruptTail, boolean aofLoadMissing, MemoryLimits memory,
                         PubSubLimits pubsubOutput, SlowLogLimits slowLog, int keyspaceEvents, String dbFilename,
                         Path aclFile, RdbSettings rdb) {

    /** With the RDB settings as reference.conf's ({@link RdbSettings#DEFAULT}). */
    public KvSettings(boolean appendOnly, FsyncPolicy fsync, Path dir, long rewriteMinBytes, int rewriteGrowthPercent,
                      long aofMaxQueuedBytes, InputLimits input, OutputLimits output, int maxConnections,
                      Duration idleTimeout, String password, boolean protectedMode, boolean aofLoadTruncated,
                      boolean aofLoadCorruptTail, boolean aofLoadMissing, MemoryLimits memory, PubSubLimits pubsubOutput,
                      SlowLogLimits slowLog, int keyspaceEvents, String dbFilename, Path aclFile) {
        this(appendOnly, fsync, dir, rewriteMinBytes, rewriteGrowthPercent, aofMaxQueuedBytes, input, output,
                maxConnections, idleTimeout, password, protectedMode, aofLoadTruncated, aofLoadCorruptTail,
                aofLoadMissing, memory, pubsubOutput, slowLog, keyspaceEvents, dbFilename, aclFile, RdbSettings.DEFAULT);
    }

    /** The same settings with {@code rdb} instead (CONFIG SET save, rdbcompression, ...; tests). */
    public KvSettings withRdb(RdbSettings rdb) {
        return new KvSettings(appendOnly, fsync, dir, rewriteMinBytes, rewriteGrowthPercent, aofMaxQueuedBytes, input,
                output, maxConnections, idleTimeout, password, protectedMode, aofLoadTruncated, aofLoadCorruptTail,
                aofLoadMissing, memory, pubsubOutput, slowLog, keyspaceEvents, dbFilename, aclFile, rdb);
    }

    /** The same settings with the log's rewrite at {@code minBytes} and {@code growthPercent} (CONFIG SET auto-aof-rewrite-*). */
    public KvSettings withAofRewrite(long minBytes, int growthPercent) {
        return new KvSettings(appendOnly, fsync, dir, minBytes, growthPercent, aofMaxQueuedBytes, input,
                output, maxConnections, idleTimeout, password, protectedMode, aofLoadTruncated, aofLoadCorruptTail,
                aofLoadMissing, memory, pubsubOutput, slowLog, keyspaceEvents, dbFilename, aclFile, rdb);
    }

    /**
     * Redis's RDB settings.
     *
     * @param savePoints        Redis's {@code save}: a BGSAVE starts once, since the last successful save, a point's
     *                          seconds passed and its changes were made; none: no save starts by itself
     * @param compression       {@code rdbcompression}: strings over 20 bytes LZF-compressed when that saves room
     * @param checksum          {@code rdbchecksum}: the file ends with its CRC-64, else with zero
     * @param stopWritesOnError {@code stop-writes-on-bgsave-error}: with save points, writes answer MISCONF after a
     *                          failed save until one succeeds
     */
    public record RdbSettings(java.util.List<SavePoint> savePoints, boolean compression, boolean checksum,
                              boolean stopWritesOnError) {
        /** reference.conf's: no save points (the log holds every write), compression and checksum on, as Redis. */
        public static final RdbSettings DEFAULT = new RdbSettings(java.util.List.of(), true, true, true);

        public RdbSettings {
            savePoints = java.util.List.copyOf(savePoints);
        }

        /** One of Redis's save points: after {@code seconds} if at least {@code changes} writes were made. */
        public record SavePoint(long seconds, long changes) { }

        /**
         * Redis's {@code save} value: pairs of seconds (at least 1) and changes (at least 0) separated by spaces, or
         * "" for none; null when it is not one (Redis's "Invalid save parameters"). {@code exact}: one space between
         * words, as CONFIG SET splits them (two make an empty word, which Redis refuses); else any white space, as
         * a configuration file's line.
         */
        public static java.util.List<SavePoint> parseSavePoints(String value, boolean exact) {
            String trimmed = exact ? value : value.trim();
            if (trimmed.isEmpty()) {
                return java.util.List.of();
            }
            String[] words = exact ? trimmed.split(" ", -1) : trimmed.split("\\s+");
            if (words.length % 2 != 0) {
                return null;
            }
            java.util.List<SavePoint> points = new java.util.ArrayList<>();
            for (int i = 0; i < words.length; i += 2) {
                try {
                    long seconds = Long.parseLong(words[i]);
                    long changes = Long.parseLong(words[i + 1]);
                    if (seconds < 1 || changes < 0) {
                        return null;
                    }
                    points.add(new SavePoint(seconds, changes));
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return points;
        }

        /** The save points as CONFIG GET save shows them: "3600 1 300 100", "" for none. */
        public String savePointsText() {
            StringBuilder text = new StringBuilder();
            for (SavePoint p : savePoints) {
                text.append(text.isEmpty() ? "" : " ").append(p.seconds()).append(' ').append(p.changes());
            }
            return text.toString();
        }
    }

    /** Redis's default {@code dbfilename}. */
    public static final String DEFAULT_DB_FILENAME = "dump.rdb";

    /** With the RDB file named as Redis's default, {@code dump.rdb}, and {@code aclFile} (tests). */
    public KvSettings(boolean appendOnly, FsyncPolicy fsync, Path dir, long rewriteMinBytes, int rewriteGrowthPercent,
                      long aofMaxQueuedBytes, InputLimits input, OutputLimits output, int maxConnections,
                      Duration idleTimeout, String password, boolean protectedMode, boolean aofLoadTruncated,
                      boolean aofLoadCorruptTail, boolean aofLoadMissing, MemoryLimits memory, PubSubLimits pubsubOutput,
                      SlowLogLimits slowLog, int keyspaceEvents, Path aclFile) {
        this(appendOnly, fsync, dir, rewriteMinBytes, rewriteGrowthPercent, aofMaxQueuedBytes, input, output,
                maxConnections, idleTimeout, password, protectedMode, aofLoadTruncated, aofLoadCorruptTail,
                aofLoadMissing, memory, pubsubOutput, slowLog, keyspaceEvents, DEFAULT_DB_FILENAME, aclFile);
    }

    /** The RDB file SAVE and BGSAVE write and the start loads when there is no log: {@code dir/dbfilename}. */
    public Path rdbPath() {
        return dir.resolve(dbFilename);
    }

    /** Redis's default {@code client-output-buffer-limit pubsub 32mb 8mb 60}. */
    public static final PubSubLimits PUBSUB_DEFAULT = new PubSubLimits(32L << 20, 8L << 20, 60);

    /** Without an ACL file, the RDB file {@code dump.rdb}. */
    public KvSettings(boolean appendOnly, FsyncPolicy fsync, Path dir, long rewriteMinBytes, int rewriteGrowthPercent,
                      long aofMaxQueuedBytes, InputLimits input, OutputLimits output, int maxConnections,
                      Duration idleTimeout, String password, boolean protectedMode, boolean aofLoadTruncated,
                      boolean aofLoadCorruptTail, boolean aofLoadMissing, MemoryLimits memory, PubSubLimits pubsubOutput,
                      SlowLogLimits slowLog, int keyspaceEvents) {
        this(appendOnly, fsync, dir, rewriteMinBytes, rewriteGrowthPercent, aofMaxQueuedBytes, input, output,
                maxConnections, idleTimeout, password, protectedMode, aofLoadTruncated, aofLoadCorruptTail,
                aofLoadMissing, memory, pubsubOutput, slowLog, keyspaceEvents, null);
    }

    /** With no keyspace notifications, as Redis starts (tests). */
    public KvSettings(boolean appendOnly, FsyncPolicy fsync, Path dir, long rewriteMinBytes, int rewriteGrowthPercent,
                      long aofMaxQueuedBytes, InputLimits input, OutputLimits output, int maxConnections,
                      Duration idleTimeout, String password, boolean protectedMode, boolean aofLoadTruncated,
                      boolean aofLoadCorruptTail, boolean aofLoadMissing, MemoryLimits memory, PubSubLimits pubsubOutput,
                      SlowLogLimits slowLog) {
        this(appendOnly, fsync, dir, rewriteMinBytes, rewriteGrowthPercent, aofMaxQueuedBytes, input, output,
                maxConnections, idleTimeout, password, protectedMode, aofLoadTruncated, aofLoadCorruptTail,
                aofLoadMissing, memory, pubsubOutput, slowLog, 0);
    }

    /** With the slow log as Redis's defaults (tests). */
    public KvSettings(boolean appendOnly, FsyncPolicy fsync, Path dir, long rewriteMinBytes, int rewriteGrowthPercent,
                      long aofMaxQueuedBytes, InputLimits input, OutputLimits output, int maxConnections,
                      Duration idleTimeout, String password, boolean protectedMode, boolean aofLoadTruncated,
                      boolean aofLoadCorruptTail, boolean aofLoadMissing, MemoryLimits memory, PubSubLimits pubsubOutput) {
        this(appendOnly, fsync, dir, rewriteMinBytes, rewriteGrowthPercent, aofMaxQueuedBytes, input, output,
                maxConnections, idleTimeout, password, protectedMode, aofLoadTruncated, aofLoadCorruptTail,
                aofLoadMissing, memory, pubsubOutput, SlowLogLimits.DEFAULT);
    }

    /** With no maxmemory and the pubsub class's limits as Redis's defaults (tests). */
    public KvSettings(boolean appendOnly, FsyncPolicy fsync, Path dir, long rewriteMinBytes, int rewriteGrowthPercent,
                      long aofMaxQueuedBytes, InputLimits input, OutputLimits output, int maxConnections,
                      Duration idleTimeout, String password, boolean protectedMode, boolean aofLoadTruncated,
                      boolean aofLoadCorruptTail, boolean aofLoadMissing) {
        this(appendOnly, fsync, dir, rewriteMinBytes, rewriteGrowthPercent, aofMaxQueuedBytes, input, output,
                maxConnections, idleTimeout, password, protectedMode, aofLoadTruncated, aofLoadCorruptTail,
                aofLoadMissing, MemoryLimits.NONE, PUBSUB_DEFAULT, SlowLogLimits.DEFAULT);
    }

    /** With the logs loaded as reference.conf says: a cut command dropped, corruption and missing logs refused. */
    public KvSettings(boolean appendOnly, FsyncPolicy fsync, Path dir, long rewriteMinBytes, int rewriteGrowthPercent,
                      long aofMaxQueuedBytes, InputLimits input, OutputLimits output, int maxConnections,
                      Duration idleTimeout, String password, boolean protectedMode) {
        this(appendOnly, fsync, dir, rewriteMinBytes, rewriteGrowthPercent, aofMaxQueuedBytes, input, output,
                maxConnections, idleTimeout, password, protectedMode, true, false, false, MemoryLimits.NONE, PUBSUB_DEFAULT,
                SlowLogLimits.DEFAULT);
    }

    /**
     * Redis's {@code maxmemory}, {@code maxmemory-policy} and {@code maxmemory-samples}.
     *
     * @param maxMemory the estimated bytes all keys and values may take, split evenly over the shards; 0 = no limit
     * @param policy    what goes when a shard's keys take more than its share
     * @param samples   keys sampled per eviction
     */
    public record MemoryLimits(long maxMemory, EvictionPolicy policy, int samples) {
        /** No limit (tests). */
        public static final MemoryLimits NONE = new MemoryLimits(0, EvictionPolicy.NOEVICTION, 5);

        /** One shard's share among {@code shards}; 0 = no limit. */
        long perShard(int shards) {
            return maxMemory == 0 ? 0 : Math.max(1, maxMemory / shards);
        }
    }

    /** {@code kv.maxmemory-policy}: Redis's policies, named as Redis names them ({@code allkeys-lru}). */
    public enum EvictionPolicy {
        /** Nothing is evicted: writes that may add memory get an OOM error. */
        NOEVICTION,
        /** The least recently used of a sample of all keys. */
        ALLKEYS_LRU,
        /** The least frequently used of a sample of all keys. */
        ALLKEYS_LFU,
        /** Any key. */
        ALLKEYS_RANDOM,
        /** The least recently used of a sample of the keys with an expiry. */
        VOLATILE_LRU,
        /** The least frequently used of a sample of the keys with an expiry. */
        VOLATILE_LFU,
        /** Any key with an expiry. */
        VOLATILE_RANDOM,
        /** The key with the nearest expiry among a sample. */
        VOLATILE_TTL;

        /** What CONFIG GET and INFO say: {@code allkeys-lru}. */
        String redisName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        boolean lfu() {
            return this == ALLKEYS_LFU || this == VOLATILE_LFU;
        }

        boolean volatileOnly() {
            return name().startsWith("VOLATILE");
        }
    }

    /**
     * The bounds of {@code proto-max-bulk-len} and {@code client-query-buffer-limit}: Redis's least, 1 MiB
     * (an inline command, at most 64 KiB, still fits once written as a multibulk for another shard), and
     * what one Java array holds, less room for a read.
     */
    static final long MIN_INPUT_BYTES = 1L << 20;
    static final long MAX_INPUT_BYTES = 2047L << 20;

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

    /**
     * What a connection with subscriptions may hold of the messages and replies its client has not read:
     * Redis's {@code client-output-buffer-limit pubsub <hard> <soft> <soft-seconds>}. Over it the
     * subscriber is closed with a log line; the publishers never wait.
     *
     * @param hard        bytes held at which it is closed at once; 0 = the normal class's hard limit
     * @param soft        bytes held at which, once held for longer than {@code softSeconds}, it is closed; 0 = none
     * @param softSeconds how long the soft limit may be passed
     */
    public record PubSubLimits(long hard, long soft, int softSeconds) {
        /** The hard limit in force for a subscriber whose normal class allows {@code normalHard}. */
        long hardOr(long normalHard) {
            return hard > 0 ? hard : normalHard;
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

    /**
     * What a client may send, with Redis's names where Redis has the limit.
     *
     * @param protoMaxBulkLen        the longest bulk string of a request, and the longest string APPEND may make
     * @param clientQueryBufferLimit the most bytes of commands not yet complete one connection may hold
     * @param queryBuffersPerShard   the most bytes all of one shard's connections may hold together for
     *                               commands not yet complete (their arrays, argument tables included);
     *                               0 = auto, a quarter of the maximum heap shared by the shards
     */
    public record InputLimits(int protoMaxBulkLen, int clientQueryBufferLimit, long queryBuffersPerShard) {
        /** The bound of one shard's query buffers among {@code shards}, {@code auto} resolved against the heap. */
        long perShard(int shards) {
            return queryBuffersPerShard > 0 ? queryBuffersPerShard : Runtime.getRuntime().maxMemory() / 4 / shards;
        }
    }

    /** Reads every {@code kv.*} key; an invalid one throws with path, value, expectation and origin. */
    public static KvSettings from(ConfigReader reader) {
        if (reader.config().hasPath("kv.max-request-bytes")) {
            throw reader.invalid("kv.max-request-bytes",
                    "no value: the key was replaced by kv.client-query-buffer-limit and kv.proto-max-bulk-len");
        }
        String dir = reader.nonBlankString("kv.dir");
        return new KvSettings(
                reader.bool("kv.appendonly"),
                reader.enumOf("kv.appendfsync", FsyncPolicy.class),
                Path.of(dir),
                reader.bytes("kv.aof.rewrite-min-bytes", 1024, 1L << 40),
                reader.intIn("kv.aof.rewrite-growth-percent", 0, Integer.MAX_VALUE),
                reader.bytes("kv.aof.max-queued-bytes", 64 * 1024, 1L << 40),
                new InputLimits(
                        (int) reader.bytes("kv.proto-max-bulk-len", MIN_INPUT_BYTES, MAX_INPUT_BYTES),
                        (int) reader.bytes("kv.client-query-buffer-limit", MIN_INPUT_BYTES, MAX_INPUT_BYTES),
                        bytesOrAuto(reader, "kv.query-buffers-per-shard", 64 * 1024, 1L << 40)),
                outputLimits(reader),
                reader.intIn("kv.max-connections", 1, 1_000_000),
                reader.duration("kv.idle-timeout", Duration.ZERO, Duration.ofDays(365)),
                reader.config().getString("kv.password"),
                reader.bool("kv.protected-mode"),
                reader.bool("kv.aof.load-truncated"),
                reader.bool("kv.aof.load-corrupt-tail"),
                reader.bool("kv.aof.load-missing"),
                memoryLimits(reader),
                pubsubLimits(reader),
                new SlowLogLimits(reader.longIn("kv.slowlog-log-slower-than", -1, Long.MAX_VALUE / 1000),
                        reader.intIn("kv.slowlog-max-len", 0, 1_000_000)),
                keyspaceEvents(reader),
                dbFilename(reader),
                aclFile(reader),
                rdbSettings(reader));
    }

    private static final String SAVE = "kv.save";

    /** {@code kv.save} (Redis's save points, as Redis writes them), {@code kv.rdbcompression}, {@code kv.rdbchecksum}, {@code kv.stop-writes-on-bgsave-error}. */
    private static RdbSettings rdbSettings(ConfigReader reader) {
        java.util.List<RdbSettings.SavePoint> points = reader.config().getValue(SAVE).unwrapped() instanceof String text
                ? RdbSettings.parseSavePoints(text, false) : null;
        if (points == null) {
            throw reader.invalid(SAVE, "Redis's save points as one string, pairs of seconds (at least 1) and changes "
                    + "(at least 0), e.g. \"3600 1 300 100 60 10000\", or \"\" for none");
        }
        return new RdbSettings(points, reader.bool("kv.rdbcompression"), reader.bool("kv.rdbchecksum"),
                reader.bool("kv.stop-writes-on-bgsave-error"));
    }

    /** {@code kv.dbfilename}: a file name, as Redis's {@code dbfilename} must be, not a path. */
    private static String dbFilename(ConfigReader reader) {
        String name = reader.nonBlankString("kv.dbfilename");
        if (name.contains("/") || name.contains(java.io.File.separator) || name.equals(".") || name.equals("..")) {
            throw reader.invalid("kv.dbfilename", "a file name in kv.dir, not a path (Redis's dbfilename)");
        }
        return name;
    }

    private static final String ACLFILE = "kv.aclfile";

    /**
     * {@code kv.aclfile}: "" for none, else a file of Redis's {@code user} lines, read here so that a
     * missing file or a bad line stops the start with the key, the value, the file and line, as Redis's.
     */
    private static Path aclFile(ConfigReader reader) {
        String value = reader.config().getString(ACLFILE);
        if (value.isBlank()) {
            return null;
        }
        Path file = Path.of(value);
        String errors = AclFile.read(file).errors();
        if (errors != null) {
            throw reader.invalid(ACLFILE, "a readable file of Redis's ACL lines ('user <name> <rule> ...'); " + errors);
        }
        return file;
    }

    /** {@code kv.notify-keyspace-events}: Redis's class letters, as CONFIG SET takes them. */
    private static int keyspaceEvents(ConfigReader reader) {
        int flags = reader.config().getValue(NOTIFY).unwrapped() instanceof String classes ? KeyspaceEvents.parse(classes) : -1;
        if (flags < 0) {
            throw reader.invalid(NOTIFY, "Redis's event classes, letters of 'Ag$lshzxeKEtmdn' (e.g. \"KEA\"), or \"\" for none");
        }
        return flags;
    }

    private static final String NOTIFY = "kv.notify-keyspace-events";

    /**
     * Redis's {@code slowlog-log-slower-than} and {@code slowlog-max-len}.
     *
     * @param slowerThanMicros a command that executes this long or longer is kept (0: every command; -1: none)
     * @param maxLen           the entries each shard keeps, the oldest dropped first
     */
    public record SlowLogLimits(long slowerThanMicros, int maxLen) {
        /** Redis's defaults: 10 ms, 128 entries. */
        public static final SlowLogLimits DEFAULT = new SlowLogLimits(10_000, 128);
    }

    /** The share of the maximum heap {@code maxmemory = auto} gives the keys: the rest is for buffers, replies and garbage. */
    static final double AUTO_MAXMEMORY_SHARE = 0.4;

    private static MemoryLimits memoryLimits(ConfigReader reader) {
        long max = isAuto(reader, "kv.maxmemory")
                ? (long) (Runtime.getRuntime().maxMemory() * AUTO_MAXMEMORY_SHARE)
                : bytesOrAuto(reader, "kv.maxmemory", 0, 1L << 42);
        return new MemoryLimits(max, reader.enumOf("kv.maxmemory-policy", EvictionPolicy.class),
                reader.intIn("kv.maxmemory-samples", 1, 64));
    }

    private static final String PUBSUB = "kv.client-output-buffer-limit-pubsub.";

    private static PubSubLimits pubsubLimits(ConfigReader reader) {
        long hard = reader.bytes(PUBSUB + "hard", 0, 1L << 30);
        if (hard != 0 && hard < 64 * 1024) {
            throw reader.invalid(PUBSUB + "hard", "0 (the normal class's hard limit) or a size from 64k to 1g");
        }
        long soft = reader.bytes(PUBSUB + "soft", 0, hard == 0 ? 1L << 30 : hard);
        int softSeconds = reader.intIn(PUBSUB + "soft-seconds", 0, 86_400);
        return new PubSubLimits(hard, soft, softSeconds);
    }

    /** A size, or the word {@code auto} (returned as 0). */
    private static long bytesOrAuto(ConfigReader reader, String path, long min, long max) {
        if (isAuto(reader, path)) {
            return 0;
        }
        try {
            return reader.bytes(path, min, max);
        } catch (InvalidConfigException e) {
            throw reader.invalid(path, "auto or a size such as 64m or 1g, from " + min + " to " + max + " bytes");
        }

    }

    private static boolean isAuto(ConfigReader reader, String path) {
        return isWord(reader, path, "auto");
    }

    /** Whether the value at {@code path} is the word {@code word} (any case) rather than a number or size. */
    static boolean isWord(ConfigReader reader, String path, String word) {
        return reader.config().getValue(path).unwrapped() instanceof String s && s.trim().equalsIgnoreCase(word);
    }

    private static final String OUTPUT = "kv.client-output-buffer-limit.";

    private static OutputLimits outputLimits(ConfigReader reader) {
        long hard = reader.bytes(OUTPUT + "hard", 64 * 1024, 1L << 30);
        long soft = reader.bytes(OUTPUT + "soft", 0, hard);
        int softSeconds = reader.intIn(OUTPUT + "soft-seconds", 0, 86_400);
        long high = reader.bytes("kv.output-pause.high-water", 16 * 1024, hard);
        long low = reader.bytes("kv.output-pause.low-water", 0, high);
        long shard = bytesOrAuto(reader, OUTPUT + "shard-total", 1L << 20, 1L << 40);
        return new OutputLimits(hard, soft, softSeconds, high, low, shard);
    }
}
