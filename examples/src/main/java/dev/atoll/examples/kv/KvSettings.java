package dev.atoll.examples.kv;

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
 * @param aofLoadTruncated     a command cut by the end of a log (a crash during a write) is dropped at
 *                             start, with a warning; otherwise the start is refused
 * @param aofLoadCorruptTail   bytes of a log from an offset on that are not a command are dropped at
 *                             start, with a warning; otherwise the start is refused
 * @param aofLoadMissing       logs of a layout that are missing (a shard's keys) are accepted at start,
 *                             with a warning; otherwise the start is refused
 */
public record KvSettings(boolean appendOnly, FsyncPolicy fsync, Path dir, long rewriteMinBytes,
                         int rewriteGrowthPercent, long aofMaxQueuedBytes, int maxRequestBytes, int maxConnections, Duration idleTimeout,
                         String password, boolean aofLoadTruncated, boolean aofLoadCorruptTail, boolean aofLoadMissing) {

    /** With the logs loaded as reference.conf says: a cut command dropped, corruption and missing logs refused. */
    public KvSettings(boolean appendOnly, FsyncPolicy fsync, Path dir, long rewriteMinBytes, int rewriteGrowthPercent,
                      long aofMaxQueuedBytes, int maxRequestBytes, int maxConnections, Duration idleTimeout,
                      String password) {
        this(appendOnly, fsync, dir, rewriteMinBytes, rewriteGrowthPercent, aofMaxQueuedBytes, maxRequestBytes,
                maxConnections, idleTimeout, password, true, false, false);
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
                reader.bool("kv.aof.load-truncated"),
                reader.bool("kv.aof.load-corrupt-tail"),
                reader.bool("kv.aof.load-missing"));
    }
}
