package dev.atoll.examples.kv;

import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * One shard's append-only log: write commands, RESP-encoded as Redis writes them
 * ({@code SET k v PXAT ms}, {@code APPEND k chunk}, {@code SETRANGE k offset bytes},
 * {@code SETBIT k offset bit}, {@code HSET k f v ...}, {@code HDEL k f ...}, {@code LPUSH}/{@code RPUSH k e ...},
 * {@code LPOP}/{@code RPOP k n}, {@code LSET}, {@code LINSERT}, {@code LREM}, {@code LTRIM}, {@code DEL k},
 * {@code PEXPIREAT k ms}, {@code PERSIST k}, {@code FLUSHALL}), written through a {@link LogFile} (the io module's
 * {@code AsyncFile}).
 *
 * <p>Records are appended to a heap buffer as commands execute; the first record of a loop
 * iteration queues one flush task, so everything one iteration wrote goes out in one write (group
 * commit), a pool buffer at a time ({@link LogWrite}). At most one write and one sync are in flight
 * at a time, side by side; what arrives meanwhile goes with the next write. A sync covers what was
 * written before it started. {@code always}: a sync follows each write and {@link #whenSynced}
 * callbacks run only once it covers them, which is what holds back the replies. {@code everysec}:
 * once a second a timer starts a sync of what is written by then (or as soon as something new is),
 * beside the write in flight, so no load can starve it; records not yet written go with the next
 * second's. {@code no}: no sync. {@code CONFIG SET appendfsync} changes the policy on the shard's thread
 * ({@link #fsync}); a {@link #whenSynced} waiter under any policy makes the sync it waits for happen.
 *
 * <p>Failures ({@link Health}): while the log cannot be written, writes are refused
 * ({@link #failure()}, Redis's MISCONF) and nothing waits for it but what it has not synced. A failed
 * write keeps its records and is tried again each second; a failed sync means the file's unsynced
 * bytes may never reach the device, so a rewrite from the keys in memory replaces the file. Either
 * success ends the failure. Nothing appended is dropped before a file that holds it is written.
 *
 * <p>Back-pressure: above {@code kv.aof.max-queued-bytes} appended but not yet written, the log
 * tells {@link LogPressure}, which pauses the connections until it drained to half of that.
 *
 * <p>Files ({@link LogParts}): a base and incremental files; records go to the newest incremental file.
 * Rewrite: once the log passes its bound, the live log switches to a new incremental file and a snapshot of the
 * shard's keys at that point is taken a step per loop iteration ({@link Rewrite}: no pause proportional to the
 * data) and written to a new base, which is renamed into place once synced; then the older files are deleted.
 * Each record is written once. The file before the switch gets its last records and a final sync before any
 * sync of the new one counts, so a power loss never keeps a later record and loses an earlier one.
 */
final class Aof {
    private static final Logger log = LoggerFactory.getLogger(Aof.class);
    private static final byte[] SET = ReplyWriter.asciiBytes("SET");
    private static final byte[] APPEND = ReplyWriter.asciiBytes("APPEND");
    private static final byte[] DEL = ReplyWriter.asciiBytes("DEL");
    private static final byte[] PEXPIREAT = ReplyWriter.asciiBytes("PEXPIREAT");
    private static final byte[] PERSIST = ReplyWriter.asciiBytes("PERSIST");
    private static final byte[] FLUSHALL = ReplyWriter.asciiBytes("FLUSHALL");
    private static final byte[] SETRANGE = ReplyWriter.asciiBytes("SETRANGE");
    private static final byte[] SETBIT = ReplyWriter.asciiBytes("SETBIT");
    static final byte[] HSET = ReplyWriter.asciiBytes("HSET");
    static final byte[] SADD = ReplyWriter.asciiBytes("SADD");
    static final byte[] SREM = ReplyWriter.asciiBytes("SREM");
    private static final byte[] PXAT = ReplyWriter.asciiBytes("PXAT");
    private static final byte[] KEEPTTL = ReplyWriter.asciiBytes("KEEPTTL");
    private static final int INITIAL_BUFFER = 16 * 1024;
    /** The largest buffer of records always kept between writes; a larger one is kept while batches fill it. */
    private static final int RETAINED_BUFFER = 1 << 20;
    /** A failed write is tried again this often, as Redis does. */
    private static final Duration WRITE_RETRY = Duration.ofSeconds(1);
    /** A failed rewrite is tried again after 1, 2, 4 ... seconds, at most this many. */
    private static final int MAX_REWRITE_DELAY_SECONDS = 64;

    /** Whether the live file can be written. */
    private enum Health {
        /** Writes and syncs go on. */
        OK,
        /** A write failed (a full disk): its records are kept and it is tried again each second. */
        WRITE_FAILED,
        /**
         * A sync failed, or a rename left the log's name in doubt: what the file got since its last good
         * sync may never reach the device whatever a later sync says (Linux marks the pages clean after
         * a failed writeback), so the file is not written again and a rewrite replaces it.
         */
        SYNC_FAILED
    }

    /** A callback waiting until the log is synced up to {@code position}. */
    private record Waiter(long position, Runnable action) { }

    private final Shard shard;
    private final KvSettings settings;
    /** Names this log's files (null: {@link #recordsOnly}). */
    private final LogParts.Log name;
    /** The live incremental file's name and generation. */
    private Path path;
    private long generation;
    /** Every file of the log now (the base, the incremental files), which the next rewrite's end deletes but its own. */
    private final List<Path> parts = new ArrayList<>();
    /** The base's size; the incremental files' but the live one's (the live one's is {@link #fileSize}). */
    private long baseSize;
    private long olderIncrementalBytes;
    private final KeyTable table;
    private final LogStore store;
    private final LogPressure pressure;
    /** The fsync policy in force: {@code kv.appendfsync}, then what CONFIG SET chose. */
    private KvSettings.FsyncPolicy fsync;
    private boolean syncEachWrite;
    /**
     * {@code auto-aof-rewrite-min-size} and {@code auto-aof-rewrite-percentage} (0: no rewrite starts by itself) and
     * {@code aof-rewrite-incremental-fsync}: {@code kv.*} at start, then what CONFIG SET chose ({@link #rewritePolicy}).
     */
    private long rewriteMinBytes;
    private int rewriteGrowthPercent;
    private boolean rewriteIncrementalSync = true;
    /** Whether the everysec timer is scheduled (it stops itself once the policy is another). */
    private boolean everySecondArmed;
    private final Runnable flushTask = this::flushQueued;
    private final Runnable everySecond = this::everySecond;
    private final Runnable retryTask = this::retry;
    private final BiConsumer<Integer, Throwable> liveWritten = this::liveWritten;
    private LogFile file;
    /** Records not yet handed to a write. */
    private ReplyWriter pending = new ReplyWriter(INITIAL_BUFFER);
    private ReplyWriter spare = new ReplyWriter(INITIAL_BUFFER);
    /** The largest write of records in the second since {@link #batchPeakSince}, and in the second before. */
    private int batchPeak;
    private int lastBatchPeak;
    private long batchPeakSince;
    /** A rewrite's two snapshot buffers, kept for the next ({@link Rewrite#SNAPSHOT_BUFFER} each; null: none yet). */
    private ReplyWriter rewriteBuffer;
    private ReplyWriter rewriteSpare;
    /** Bytes ever appended (a logical position that also orders the waiters), written, and synced. */
    private long appended;
    private long written;
    private long synced;
    /** everysec's timer asked for a sync of what is written. */
    private boolean syncWanted;
    /** A sync is wanted once everything up to here is written (a clean stop). */
    private long syncTarget;
    private long fileSize;
    private long sizeAfterRewrite;
    private boolean flushQueued;
    private boolean writing;
    private boolean syncing;
    /** The write of the live file in flight, or the failed one that is tried again; its records and end. */
    private LogWrite liveWrite;
    private ReplyWriter liveRecords;
    private long liveUpTo;
    /** That write goes to {@link #retired} (or went to it, and it was dropped meanwhile), not to {@link #file}. */
    private boolean writeToRetired;
    /**
     * The incremental file a rewrite's switch left, until the records before the switch ({@link #cut}) are
     * written to it ({@link #retiredTail}: those still to write) and synced: no sync of {@link #file} counts for
     * a record before that final sync has completed, so a power loss never keeps a later record and loses an
     * earlier one. Null: none.
     */
    private LogFile retired;
    private Path retiredPath;
    private long retiredGeneration;
    private long retiredSize;
    private ReplyWriter retiredTail;
    /** The logical position of the last rewrite's switch: records before it are in the older generation. */
    private long cut;
    /** The generation of the file whose failure {@link #health} is about. */
    private long failedGeneration;
    /** More than {@code kv.aof.max-queued-bytes} is appended but not written: {@link #pressure} knows. */
    private boolean full;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private Health health = Health.OK;
    /** Why the log cannot be written, while {@link #health} is not OK. */
    private Throwable failure;
    private boolean retryScheduled;
    /** The clean stop's sync: it fails, rather than waits, when the log cannot be written. */
    private Promise<Void> stopSync;
    /** Writes the records a rewrite's snapshot starts with, that are not keys' (the function libraries); null: none. */
    java.util.function.Consumer<ReplyWriter> preamble;
    private Rewrite rewrite;
    /** The last rewrite's deletes of the files its base replaced: a close waits for them (never fails). */
    private Promise<Void> deletes = Promise.completed(null);
    private boolean rewriteRequested;
    private long rewrites;
    /** Rewrites failed in a row; no automatic one starts before {@link #rewriteRetryNanos} after one failed. */
    private int rewriteFailures;
    private long rewriteRetryNanos;
    /** When the rewrite in progress began; how long the last one took (-1: none yet) and whether it succeeded. */
    private long rewriteStartNanos;
    private long lastRewriteNanos = -1;
    private boolean lastRewriteOk = true;

    /**
     * The replicas' feed, once replication began on this shard: every record goes to it too (see
     * {@link ReplicationFeed}); null before.
     */
    ReplicationFeed feed;

    /**
     * A log without a file ({@code appendonly no} with replicas): it makes the records, which go only to
     * {@link #feed}, and never writes, syncs or rewrites anything.
     */
    static Aof recordsOnly(Shard shard, KvSettings settings, KeyTable table, LogPressure pressure) {
        return new Aof(shard, settings, null, table, null, pressure);
    }

    /** Whether this log has no file ({@link #recordsOnly}). */
    boolean recordsOnly() {
        return name == null;
    }

    /** A log named {@code name}; {@link #open} goes on from the parts of it found ({@link LogParts.Selection#replayed}). */
    Aof(Shard shard, KvSettings settings, LogParts.Log name, KeyTable table, LogStore store, LogPressure pressure) {
        this.shard = shard;
        this.settings = settings;
        this.name = name;
        this.table = table;
        this.store = store;
        this.pressure = pressure;
        this.fsync = settings.fsync();
        this.syncEachWrite = name != null && fsync == KvSettings.FsyncPolicy.ALWAYS;
        this.rewriteMinBytes = settings.rewriteMinBytes();
        this.rewriteGrowthPercent = settings.rewriteGrowthPercent();
    }

    /**
     * When a rewrite starts by itself (a log past {@code minBytes} that grew by {@code growthPercent} since the last
     * rewrite; 0: never) and whether a rewrite syncs its new base as it goes: at start and by CONFIG SET. A rewrite
     * under way keeps the sync choice it began with.
     */
    void rewritePolicy(long minBytes, int growthPercent, boolean incrementalSync) {
        rewriteMinBytes = minBytes;
        rewriteGrowthPercent = growthPercent;
        rewriteIncrementalSync = incrementalSync;
        maybeRewrite();
    }

    /**
     * CONFIG SET appendfsync: from now on this policy. Under {@code always} a write answered from now on
     * waits for its sync, and what was written before is synced at once; {@code everysec} starts the timer.
     */
    void fsync(KvSettings.FsyncPolicy policy) {
        fsync = policy;
        syncEachWrite = name != null && policy == KvSettings.FsyncPolicy.ALWAYS;
        if (syncEachWrite) {
            syncTarget = Math.max(syncTarget, appended);
        }
        armEverySecond();
        pump();
    }

    /** Whether each write is synced before its reply ({@code appendfsync always}). */
    boolean syncsEachWrite() {
        return syncEachWrite;
    }

    private void armEverySecond() {
        if (file != null && fsync == KvSettings.FsyncPolicy.EVERYSEC && !everySecondArmed) {
            everySecondArmed = true;
            shard.schedule(Duration.ofSeconds(1), everySecond);
        }
    }


    /**
     * Opens the log's newest incremental file of {@code found} (its parts, as a replay read them), or creates the
     * first, makes its directory entry durable, and continues at its end; {@code rewriteNow} first writes a
     * snapshot of the keys. A new log has no base: its first incremental file is generation 1 (an earlier
     * build's single file is generation 0).
     */
    Promise<Void> open(List<LogParts.Part> found, boolean rewriteNow) {
        LogParts.Part live = null;
        long newest = 1;
        for (LogParts.Part p : found) {
            parts.add(p.path());
            if (p.base()) {
                baseSize = p.size();
                newest = Math.max(newest, p.generation());
            } else {
                olderIncrementalBytes += p.size();
                live = p;
            }
        }
        if (live != null) {
            olderIncrementalBytes -= live.size();
            generation = live.generation();
            path = live.path();
        } else {
            generation = newest;
            path = name.incremental(generation);
            parts.add(path);
        }
        return store.open(path, false)
                .flatMap(opened -> {
                    file = opened;
                    return store.syncDirectory(name.dir()); // a new log must not vanish
                }).flatMap(ignored -> file.size())
                .flatMap(size -> {
                    fileSize = size;
                    sizeAfterRewrite = currentSize();
                    armEverySecond();
                    if (!rewriteNow) {
                        return Promise.completed(null);
                    }
                    Promise<Void> done = new Promise<>();
                    startRewrite(done);
                    return done;
                });
    }

    /** everysec: a sync of what is written now, or as soon as something new is. */
    private void everySecond() {
        everySecondArmed = false;
        if (file != null && fsync == KvSettings.FsyncPolicy.EVERYSEC) {
            syncWanted = true;
            pump();
            armEverySecond();
        }
    }

    // ---- records ----

    /** {@code SET key value [PXAT expireAt | KEEPTTL]}. */
    void set(byte[] key, byte[] value, long expireAt, boolean keepTtl) {
        set(key, key.length, value, 0, value.length, expireAt, keepTtl);
    }

    /** {@link #set} of the key and string {@code e} holds. */
    void set(KeyTable.Entry e, long expireAt, boolean keepTtl) {
        set(e.data, e.keyLength(), e.valueArray(), e.valueOffset(), e.length, expireAt, keepTtl);
    }

    private void set(byte[] key, int keyLength, byte[] value, int offset, int length, long expireAt, boolean keepTtl) {
        ReplyWriter w = begin(expireAt != 0 ? 5 : keepTtl ? 4 : 3);
        w.bulk(SET).bulk(key, 0, keyLength).bulk(value, offset, length);
        if (expireAt != 0) {
            w.bulk(PXAT).bulkDecimal(expireAt);
        } else if (keepTtl) {
            w.bulk(KEEPTTL);
        }
        end();
    }

    /** {@code APPEND key chunk}: the command, not the value it makes (which may be far larger). */
    void append(KeyTable.Entry e, byte[] chunk, int offset, int length) {
        key(begin(3).bulk(APPEND), e).bulk(chunk, offset, length);
        end();
    }

    /** {@code SETRANGE key offset bytes}: the change, not the value it makes. */
    void setRange(KeyTable.Entry e, long offset, byte[] bytes, int from, int length) {
        key(begin(4).bulk(SETRANGE), e).bulkDecimal(offset).bulk(bytes, from, length);
        end();
    }

    /** {@code SETBIT key offset bit}. */
    void setBit(KeyTable.Entry e, long offset, int bit) {
        key(begin(4).bulk(SETBIT), e).bulkDecimal(offset).bulkDecimal(bit);
        end();
    }

    /**
     * The command in {@code r} as it is (HSET, HDEL, HMSET ...): argument 0 replaced by {@code name}
     * (the log's own spelling of it), the arguments from 1 on as given.
     */
    void command(byte[] name, Request r) {
        ReplyWriter w = begin(r.count()).bulk(name);
        for (int i = 1; i < r.count(); i++) {
            w.bulk(r.bytes, r.offset(i), r.length(i));
        }
        end();
    }

    /** {@code LPUSH|RPUSH key element ...} ({@code name}): elements pushed in this order. */
    void push(byte[] name, byte[] key, byte[][] elements) {
        ReplyWriter w = begin(2 + elements.length).bulk(name).bulk(key);
        for (byte[] element : elements) {
            w.bulk(element);
        }
        end();
    }

    /** {@code LPUSH|RPUSH key element} ({@code name}): one element, without an array (a move's push). */
    void push(byte[] name, byte[] key, byte[] element) {
        begin(3).bulk(name).bulk(key).bulk(element);
        end();
    }

    /** {@code LPOP|RPOP key count} ({@code name}): what a pop took, whichever command popped. */
    void pop(byte[] name, byte[] key, int count) {
        begin(3).bulk(name).bulk(key).bulkDecimal(count);
        end();
    }

    /** {@code HSET key field value}: one field as it is now (HINCRBY, HINCRBYFLOAT, HSETNX). */
    void hset(byte[] key, byte[] field, byte[] value) {
        begin(4).bulk(HSET).bulk(key).bulk(field).bulk(value);
        end();
    }

    /** {@code name key element...} of {@code elements[from, to)}: SADD and SREM of set members (SMOVE, SPOP). */
    void elements(byte[] name, byte[] key, byte[][] elements, int from, int to) {
        ReplyWriter w = begin(2 + to - from).bulk(name).bulk(key);
        for (int i = from; i < to; i++) {
            w.bulk(elements[i]);
        }
        end();
    }

    /**
     * One record of {@code arguments} bulk strings that {@code body} writes, name first: a type's own
     * records (ZADD with the exact scores a change left, ZREM of what a pop took).
     */
    void record(int arguments, java.util.function.Consumer<ReplyWriter> body) {
        body.accept(begin(arguments));
        end();
    }

    /**
     * A record the log replays but Redis does not know (XDELIVER): the replicas get the commands
     * {@code forReplicas} writes instead, Redis's own propagation of the same change.
     */
    void record(int arguments, java.util.function.Consumer<ReplyWriter> body, java.util.function.Consumer<ReplyWriter> forReplicas) {
        ReplicationFeed replicas = feed;
        feed = null;
        try {
            record(arguments, body);
        } finally {
            feed = replicas;
        }
        if (replicas != null) {
            replicas.add(forReplicas);
        }
    }

    /** A whole key as it is now, with its expiry, replacing whatever the key held (RENAME, COPY). */
    void entry(KeyTable.Entry e) {
        if (!e.isString()) {
            del(e); // HSET, RPUSH ... add to what the key may still hold in the log
        }
        recordStart = pending.size();
        writeEntry(pending, e, table.expireAt(e));
        end();
    }

    /** The records that make {@code e} (a rewrite's snapshot, {@link #entry}): SET, or the aggregate's records then PEXPIREAT. */
    private static void writeEntry(ReplyWriter w, KeyTable.Entry e, long expireAt) {
        if (e.isString()) {
            w.arrayHeader(expireAt != 0 ? 5 : 3).bulk(SET).bulk(e.data, 0, e.keyLength()).bulk(e.valueArray(), e.valueOffset(), e.length);
            if (expireAt != 0) {
                w.bulk(PXAT).bulkDecimal(expireAt);
            }
            return;
        }
        e.writeAggregateRecords(w);
        writeExpiry(w, e, expireAt);
    }

    /** An aggregate's expiry after its records (none for 0). */
    private static void writeExpiry(ReplyWriter w, KeyTable.Entry e, long expireAt) {
        if (expireAt != 0) {
            w.arrayHeader(3).bulk(PEXPIREAT).bulk(e.data, 0, e.keyLength()).bulkDecimal(expireAt);
        }
    }

    void del(byte[] key) {
        begin(2).bulk(DEL).bulk(key);
        end();
    }

    /** {@code DEL} of the key {@code e} (expiry, eviction, a type's replacement). */
    void del(KeyTable.Entry e) {
        key(begin(2).bulk(DEL), e);
        end();
    }

    void pexpireAt(KeyTable.Entry e, long expireAt) {
        key(begin(3).bulk(PEXPIREAT), e).bulkDecimal(expireAt);
        end();
    }

    void persist(KeyTable.Entry e) {
        key(begin(2).bulk(PERSIST), e);
        end();
    }

    /** Writes the key of {@code e}: the bytes before the string stored with it, if one is. */
    private static ReplyWriter key(ReplyWriter w, KeyTable.Entry e) {
        return w.bulk(e.data, 0, e.keyLength());
    }

    /** {@code FLUSHALL}; {@code shardOnly}: not for the replicas, which get the DEL of the shard's keys instead ({@link ReplicationFeed#deleteAll}). */
    void flushAll(boolean shardOnly) {
        if (shardOnly) {
            record(1, w -> w.bulk(FLUSHALL), w -> { });
        } else {
            begin(1).bulk(FLUSHALL);
            end();
        }
    }

    private int recordStart;

    private ReplyWriter begin(int arguments) {
        recordStart = pending.size();
        return pending.arrayHeader(arguments);
    }

    private void end() {
        int length = pending.size() - recordStart;
        appended += length;
        if (feed != null) {
            feed.add(pending.bytes(), recordStart, length);
        }
        if (name == null) { // no file: the records were for the replicas only, and count as written and synced
            pending.clear();
            written = synced = appended;
            return;
        }
        if (!full && appended - written > settings.aofMaxQueuedBytes() && health == Health.OK) {
            full = true;
            pressure.filled();
        }
        if (!flushQueued) {
            flushQueued = true;
            shard.execute(flushTask); // after the rest of this iteration's work: one write for all of it
        }
    }

    /**
     * Ends the pause once the queue is down to half its bound, or while the log cannot be written:
     * writes are refused then, and reads must go on.
     */
    private void relieve() {
        if (full && (appended - written <= settings.aofMaxQueuedBytes() / 2 || health != Health.OK)) {
            full = false;
            pressure.drained();
        }
    }

    // ---- durability ----

    /**
     * The log position a reply given now waits for under {@code always}: everything appended. While
     * the log cannot be written only what is synced, so reads are answered; the writes it has not
     * synced are not acknowledged (their replies wait for it), and new writes are refused.
     */
    long syncPoint() {
        return health == Health.OK ? appended : synced;
    }

    /**
     * Runs {@code action} once everything up to {@code position} is on the device (at once if it is);
     * the sync it needs is asked for, so a waiter whose policy changed meanwhile is never left behind.
     */
    void whenSynced(long position, Runnable action) {
        if (synced >= position) {
            action.run();
        } else {
            waiters.add(new Waiter(position, action));
            if (position > syncTarget) {
                syncTarget = position;
                if (!flushQueued) {
                    flushQueued = true;
                    shard.execute(flushTask);
                }
            }
        }
    }

    /** The logical position up to which the log is on the device. */
    long synced() {
        return synced;
    }

    /** Why the log cannot be written now, or null. Writes are refused meanwhile (Redis's MISCONF). */
    Throwable failure() {
        return failure;
    }

    /**
     * Writes and syncs everything appended so far (at a clean stop). Fails when the log cannot be
     * written: a log that failed is tried once more at once, and the stop does not wait for a disk to
     * recover.
     */
    Promise<Void> syncAll() {
        Promise<Void> done = new Promise<>();
        stopSync = done;
        syncTarget = appended;
        whenSynced(appended, () -> done.complete(null));
        if (health != Health.OK) {
            retry();
        }
        pump();
        return done;
    }

    private void flushQueued() {
        flushQueued = false;
        pump();
    }

    /**
     * Starts a write of the pending records and a sync that is due, each unless one is in flight: the records
     * before a rewrite's switch to the {@link #retired} file first, then its final sync (whatever the policy: a
     * later sync of the live file counts only after it), then the live file's.
     */
    private void pump() {
        if (file == null) {
            return;
        }
        if (health == Health.OK && !writing) {
            if (retiredTail != null) {
                startWrite(retired, retiredTail, cut, retiredSize, true);
            } else if (pending.size() > 0) {
                liveRecords = pending;
                pending = spare;
                spare = liveRecords;
                startWrite(file, liveRecords, appended, fileSize, false);
            }
        }
        if (health != Health.SYNC_FAILED && !syncing && written > synced
                && ((retired != null && written >= cut)
                    || syncEachWrite || syncWanted || (syncTarget > synced && written >= syncTarget))) {
            startSync();
        }
    }

    /** Writes {@code records}, the log up to {@code upTo}, at {@code position} of the live or the retired file. */
    private void startWrite(LogFile target, ReplyWriter records, long upTo, long position, boolean toRetired) {
        writing = true;
        writeToRetired = toRetired;
        liveRecords = records;
        liveUpTo = upTo;
        liveWrite = new LogWrite(target, records, position);
        liveWrite.start().whenComplete(liveWritten);
    }

    private void liveWritten(Integer n, Throwable error) {
        writing = false;
        if (writeToRetired && retired == null) { // a base took its place meanwhile: its records are in the base
            liveRecords.clear();
            liveWrite = null;
            pump();
            return;
        }
        if (error != null) {
            failed(Health.WRITE_FAILED, error, writeToRetired ? retiredGeneration : generation); // kept for the next try
            pump(); // a sync of what was written before may still go
            return;
        }
        written = Math.max(written, liveUpTo);
        liveWrite = null;
        if (writeToRetired) {
            retiredSize += n;
            olderIncrementalBytes += n;
            if (liveRecords == retiredTail) {
                retiredTail = null; // the live file's records have a buffer of their own since the switch
            } else {
                liveRecords.clear(); // the write in flight at the switch
            }
            if (health == Health.WRITE_FAILED) {
                recovered();
            }
            relieve();
            pump();
            return;
        }
        liveRecords.clear();
        // Kept up to RETAINED_BUFFER, and past it while the largest batch of this second or the last fills a
        // quarter of it (up to the queue's bound): under a steady stream of writes each batch would otherwise
        // grow a fresh array by doubling, every write (measured: most of what a pipelined SET allocated; with
        // the one batch's size instead of the seconds' peak, 70 % of MSET's, its batches 7 KB to 3 MB by turns).
        long now = System.nanoTime();
        if (now - batchPeakSince > 1_000_000_000L) {
            lastBatchPeak = batchPeak;
            batchPeak = 0;
            batchPeakSince = now;
        }
        batchPeak = Math.max(batchPeak, n);
        liveRecords.trimAfter(Math.max(batchPeak, lastBatchPeak), RETAINED_BUFFER / 4, RETAINED_BUFFER,
                (int) Math.min(settings.aofMaxQueuedBytes(), Integer.MAX_VALUE));
        fileSize += n;
        if (health == Health.WRITE_FAILED) {
            recovered();
        }
        relieve();
        maybeRewrite();
        pump();
    }

    /**
     * Syncs what is written: of the {@link #retired} file while there is one (up to the switch at most; a sync
     * asked for beyond it stays asked for, so the second's sync covers both files), else of the live one.
     */
    private void startSync() {
        syncing = true;
        LogFile target = retired != null ? retired : file;
        long targetGeneration = retired != null ? retiredGeneration : generation;
        long upTo = retired != null ? Math.min(written, cut) : written;
        if (upTo == written) {
            syncWanted = false;
        }
        target.fdatasync().whenComplete((ignored, error) -> {
            syncing = false;
            if (target != file && target != retired) {
                // a base took the retired file's place meanwhile: what it held is in the base
            } else if (error != null) {
                failed(Health.SYNC_FAILED, error, targetGeneration);
            } else {
                synced(upTo);
                if (target == retired && upTo >= cut) { // its final sync: the live file's syncs count from here
                    retired.closeAsync();
                    retired = null;
                    if (rewrite != null) {
                        rewrite.switchIfWaiting();
                    }
                }
            }
            pump();
        });
    }

    private void synced(long upTo) {
        synced = Math.max(synced, upTo);
        while (!waiters.isEmpty() && waiters.peekFirst().position <= synced) {
            waiters.pollFirst().action.run();
        }
    }

    /** A file of the log failed: writes are refused until a retry works; the clean stop does not wait for it. */
    private void failed(Health kind, Throwable error, long fileGeneration) {
        failedGeneration = health == Health.OK ? fileGeneration : Math.max(failedGeneration, fileGeneration);
        Path failedPath = fileGeneration == generation ? path : retiredPath;
        if (health == Health.OK) {
            log.error("writing {} failed: writes are refused until it works again (tried again {})", failedPath,
                    kind == Health.WRITE_FAILED ? "each second" : "by a rewrite", error);
        } else {
            log.warn("writing {} failed again: {}", failedPath, error.toString());
        }
        if (health != Health.SYNC_FAILED) {
            health = kind; // a rewrite, which a failed sync needs, also covers a failed write
        }
        failure = error;
        relieve();
        if (stopSync != null) {
            stopSync.fail(new IOException(path + " could not be written at the stop: " + (appended - synced)
                    + " bytes of records are not on the device", error));
        }
        scheduleRetry();
        if (rewrite != null) {
            rewrite.switchIfWaiting(); // it waited for a file that failed: it drops what that file lacks
        }
    }

    private void recovered() {
        log.info("writing {} works again: writes are accepted", path);
        health = Health.OK;
        failure = null;
    }

    private void scheduleRetry() {
        if (!retryScheduled && file != null) {
            retryScheduled = true;
            shard.schedule(health == Health.SYNC_FAILED ? rewriteDelay() : WRITE_RETRY, retryTask);
        }
    }

    /** Tries the failed write again, or rewrites a file that failed to sync; unless that is in progress. */
    private void retry() {
        retryScheduled = false;
        if (file == null || health == Health.OK) {
            return; // closed or recovered
        }
        if (health == Health.WRITE_FAILED) {
            if (!writing) {
                writing = true;
                liveWrite.resume().whenComplete(liveWritten);
            }
        } else if (rewrite == null) {
            startRewrite(new Promise<>());
        }
    }

    /** The size of the log's files: the base and the incremental files since it, as Redis's aof_current_size. */
    private long currentSize() {
        return baseSize + olderIncrementalBytes + fileSize;
    }

    // ---- rewrite ----

    /** What INFO persistence says of a shard's log, as Redis's {@code aof_*} fields say of its own. */
    record Status(long currentSize, long baseSize, long rewrites, boolean rewriting, boolean rewriteScheduled,
                  long currentRewriteSeconds, long lastRewriteSeconds, boolean lastRewriteOk, int rewriteFailures,
                  boolean writeOk, long bufferLength, boolean syncing) { }

    Status status() {
        return new Status(currentSize(), baseSize, rewrites, rewrite != null, rewriteRequested,
                rewrite == null ? -1 : (System.nanoTime() - rewriteStartNanos) / 1_000_000_000L,
                lastRewriteNanos < 0 ? -1 : lastRewriteNanos / 1_000_000_000L, lastRewriteOk, rewriteFailures,
                health == Health.OK, appended - written, syncing);
    }

    /** True while a rewrite runs. */
    boolean rewriting() {
        return rewrite != null;
    }

    /**
     * BGREWRITEAOF: rewrites now, or once the rewrite in progress is done (its base holds the keys at its switch, the
     * records since are in the new incremental file; the next one compacts them). Returns false when it had to wait.
     */
    boolean requestRewrite() {
        if (rewrite == null && file != null && !table.snapshotting()) {
            startRewrite(new Promise<>());
            return true;
        }
        rewriteRequested = true;
        return false;
    }

    private void maybeRewrite() {
        if (rewriteGrowthPercent == 0 || file == null) {
            return; // auto-aof-rewrite-percentage 0, as Redis's: only BGREWRITEAOF rewrites
        }
        long growth = sizeAfterRewrite > Long.MAX_VALUE / 100 / rewriteGrowthPercent ? Long.MAX_VALUE / 2
                : sizeAfterRewrite * rewriteGrowthPercent / 100; // a huge percentage: never, without overflow
        long bound = Math.max(rewriteMinBytes, sizeAfterRewrite + growth);
        if (rewrite == null && !table.snapshotting() && currentSize() > bound && (rewriteFailures == 0 || System.nanoTime() - rewriteRetryNanos >= 0)) {
            startRewrite(new Promise<>());
        }
    }

    private void rewriteEnded(boolean ok) {
        lastRewriteNanos = System.nanoTime() - rewriteStartNanos;
        lastRewriteOk = ok;
    }

    private Duration rewriteDelay() {
        return Duration.ofSeconds(Math.min(MAX_REWRITE_DELAY_SECONDS, 1L << Math.min(rewriteFailures, 30)));
    }

    /**
     * Abandons the rewrite in progress, whose snapshot holds keys about to be replaced ({@link KvShard#replaceKeys});
     * false while its base is synced and renamed (briefly): the caller asks again.
     */
    boolean cancelRewrite() {
        if (rewrite == null) {
            return true;
        }
        if (rewrite.renaming) {
            return false;
        }
        rewrite.drop(new java.util.concurrent.CancellationException("the keys were replaced by a full sync"));
        return true;
    }

    /**
     * Rewrites the log from the keys as they are now (a replica's full sync replaced them), again after a delay if a
     * rewrite fails, until one switched; completes then (at once without a file), or fails once the log is closed.
     */
    Promise<Void> rewriteAll() {
        Promise<Void> written = new Promise<>();
        rewriteUntilDone(written);
        return written;
    }

    private void rewriteUntilDone(Promise<Void> written) {
        if (name == null) {
            written.complete(null);
        } else if (file == null) {
            written.fail(new IOException(path + " was closed before it was rewritten"));
        } else if (rewrite != null || table.snapshotting()) {
            shard.schedule(WRITE_RETRY, () -> rewriteUntilDone(written)); // a BGSAVE began on the new keys: after it
        } else {
            Promise<Void> done = new Promise<>();
            done.whenComplete((ignored, error) -> {
                if (error == null) {
                    written.complete(null);
                } else {
                    shard.schedule(rewriteDelay(), () -> rewriteUntilDone(written));
                }
            });
            startRewrite(done);
        }
    }

    /**
     * Runs {@code action} once no rewrite runs (at once if none does): an RDB save's part waits so for the
     * table's snapshot, as Redis's BGSAVE SCHEDULE waits for the rewrite's child.
     */
    void whenRewritten(Runnable action) {
        if (rewrite == null) {
            action.run();
        } else {
            rewrite.done.whenComplete((ignored, error) -> action.run());
        }
    }

    /** An RDB save's part released the table's snapshot: a rewrite asked for meanwhile starts now. */
    void snapshotFreed() {
        if (rewriteRequested && rewrite == null && file != null) {
            rewriteRequested = false;
            startRewrite(new Promise<>());
        }
    }

    /**
     * Starts a rewrite: a snapshot of the keys as they are at its switch, walked a step at a time into a new base; or,
     * while an RDB save's part holds the table's snapshot, once it ends ({@link #snapshotFreed}).
     */
    private void startRewrite(Promise<Void> done) {
        if (table.snapshotting()) {
            rewriteRequested = true;
            return;
        }
        rewriteStartNanos = System.nanoTime();
        rewrite = new Rewrite(done);
        rewrite.start();
    }

    /**
     * One rewrite in progress, to the generation after the live one: the new incremental file, the switch of the
     * live log to it, the snapshot's walk into the new base, and the base's rename.
     *
     * <p>Steps, and what a crash at each leaves (a replay reads the newest base and the incremental files from its
     * generation on, {@link LogParts}): (1) the new incremental file is made and its directory synced — a crash
     * replays the old base and incremental files, the new one empty; (2) on the shard's thread, between two
     * commands, the live log switches to it and the snapshot is taken at the same point: records before the
     * switch go to the old file ({@link #retired}, synced before any sync of the new file counts), records after
     * it to the new one — a crash replays both in order; (3) the snapshot is walked a step per loop iteration into
     * {@code <base>.rewrite}, which a replay deletes; (4) that file is synced and renamed to the base, and the
     * directory synced — from here a replay reads the new base then the new incremental file; (5) the older files
     * are deleted. Each record is written once, to one incremental file, and the rewrite ends once its snapshot is
     * written, however long writes go on.
     *
     * <p>The snapshot is taken without a pause proportional to the data (Redis forks for it; a shard has no
     * copy-on-write pages): {@link KeyTable#beginSnapshot} serializes each key into {@link #snapshot} either when
     * a step of the walk ({@link #walk}, once per loop iteration, about {@link #STEP_BYTES} at a time) reaches
     * it or before a command looks it up, whichever is first, and a key made after the switch is in no snapshot.
     * An aggregate of more than {@link #PIECE} elements is written {@link #PIECE} elements at a time over steps
     * ({@link #large}) from what it was when the snapshot took it, whatever commands do to it meanwhile: a hash,
     * set or sorted set takes a snapshot of its own elements ({@link ElementSnapshot}), a list keeps reading its
     * blocks as they were ({@link ListSnapshot}), so nothing is copied or written whole when a command looks it up.
     */
    private final class Rewrite implements KeyTable.SnapshotWriter {
        /** A step of the walk serializes about this much, and for about {@link #STEP_NANOS} at most. */
        private static final int STEP_BYTES = 64 * 1024;
        private static final long STEP_NANOS = 200_000;
        /** The walk waits while this much of the snapshot waits for a write (besides the write in flight). */
        private static final int MAX_UNWRITTEN = 512 * 1024;
        /**
         * Each of the snapshot's two buffers: made this large once and kept from rewrite to rewrite, so that the
         * walk, which stops at {@link #MAX_UNWRITTEN} plus a step, never grows one. Grown by doubling instead
         * (256 KB to 2 MB each rewrite), every copy landed on heap memory never touched before, and on this
         * machine's virtual machine such a step took 3–7 ms where the others took 0.2.
         */
        static final int SNAPSHOT_BUFFER = 1 << 20;
        /** Elements of a large aggregate written in one piece; a larger one is written in pieces. */
        private static final int PIECE = 256;
        /**
         * The new base is synced each time this much more is written (Redis's aof-rewrite-incremental-fsync, on
         * by default there): the kernel writes it back a little at a time instead of all at the final sync, whose
         * writeback ran on the shard's CPU (io_uring's worker inherits the shard thread's placement).
         */
        private static final long INCREMENTAL_SYNC_BYTES = 4 << 20;
        /** {@code aof-rewrite-incremental-fsync} when it began. */
        private final boolean incrementalSync = rewriteIncrementalSync;

        private final long newGeneration = generation + 1;
        private final Path incremental = name.incremental(newGeneration);
        private final Path base = name.base(newGeneration);
        private final Path unfinished = name.unfinishedBase(newGeneration);
        private final Promise<Void> done;
        private final Runnable walkTask = this::walk;
        /** Where a large aggregate's element goes when a command changes it mid-pieces: the buffer filling now. */
        private final Supplier<ReplyWriter> currentSnapshot = () -> this.snapshot;
        /** The new incremental file, from when it is made until the switch makes it the live one. */
        private LogFile newIncremental;
        /** The new base, under its unfinished name, and its size. */
        private LogFile next;
        private long nextSize;
        /** The snapshot's bytes not yet handed to a write, and its other buffer (null while that one is written). */
        private ReplyWriter snapshot;
        private ReplyWriter snapshotSpare;
        /** The snapshot buffer being written (null: none). */
        private ReplyWriter inWrite;
        /** Bytes of the new base an incremental sync covered; whether one is under way. */
        private long syncedSize;
        private boolean syncing;
        /** The walk's cursor; whether it has visited every key; whether a step is queued; whether all is serialized. */
        private long cursor;
        private boolean scanned;
        private boolean walkQueued;
        private boolean walked;
        /** Large aggregates being written a piece a step, the first first. */
        private final ArrayDeque<Piece> large = new ArrayDeque<>();
        /** The live log writes to the new incremental file, and the snapshot is taken. */
        private boolean switched;
        /** The base is synced and renamed: the rewrite cannot be cancelled now. */
        boolean renaming;
        /** Abandoned: its queued step and its writes in flight stop there. */
        private boolean ended;

        Rewrite(Promise<Void> done) {
            this.done = done;
        }

        void start() {
            store.open(incremental, true).flatMap(opened -> {
                newIncremental = opened;
                return store.syncDirectory(name.dir()); // before anything in it can be acknowledged
            }).whenComplete((ignored, error) -> {
                if (error != null) {
                    abandon(error);
                } else if (!ended) {
                    switchLive();
                }
            });
        }

        /**
         * Switches the live log to the new incremental file, on the shard's thread between two commands, and takes
         * the snapshot at the same point: every record before it is in the snapshot's keys, every one after it goes
         * to the new file. Waits while the last switch's file is not final ({@link #switchIfWaiting}). While the live
         * file cannot be written, what it lacks is dropped: the base will hold it, and nothing before the switch is
         * acknowledged until the base is in place.
         */
        private void switchLive() {
            if (retired != null && health == Health.OK) {
                return;
            }
            cut = appended;
            if (health != Health.OK) {
                if (retired != null) {
                    retired.closeReplaced();
                    retired = null;
                    retiredTail = null;
                }
                if (writing) {
                    writeToRetired = true; // its completion finds no retired file: it is ignored
                } else if (liveWrite != null) {
                    liveRecords.clear();
                }
                liveWrite = null;
                pending.clear();
                written = cut;
                health = Health.SYNC_FAILED; // only the base repairs it now
                failedGeneration = generation;
                file.closeReplaced();
            } else if (synced < cut) {
                retired = file;
                retiredPath = path;
                retiredGeneration = generation;
                retiredSize = fileSize;
                if (pending.size() > 0) {
                    retiredTail = pending;
                    pending = new ReplyWriter(INITIAL_BUFFER);
                }
                writeToRetired = writing;
            } else {
                file.closeAsync();
            }
            olderIncrementalBytes += fileSize;
            fileSize = 0;
            file = newIncremental;
            newIncremental = null;
            generation = newGeneration;
            path = incremental;
            parts.add(incremental);
            switched = true;
            // the last rewrite's buffers, else new ones (grown through each rewrite, they were a tenth of what a
            // pipelined MSET allocated)
            snapshot = rewriteBuffer != null ? rewriteBuffer : new ReplyWriter(SNAPSHOT_BUFFER);
            snapshotSpare = rewriteSpare != null ? rewriteSpare : new ReplyWriter(SNAPSHOT_BUFFER);
            rewriteBuffer = rewriteSpare = null;
            if (preamble != null) {
                preamble.accept(snapshot); // the function libraries (ScriptRegistry), which no key holds
            }
            table.beginSnapshot(this);
            queueWalk();
            store.open(unfinished, true).whenComplete((opened, error) -> {
                if (error != null) {
                    abandon(error);
                } else if (ended) {
                    opened.closeAsync();
                } else {
                    next = opened;
                    writeNext();
                }
            });
            pump();
        }

        /** The last switch's file had its final sync, or the log failed: a switch that waited for it goes now. */
        void switchIfWaiting() {
            if (!switched && !ended && newIncremental != null) {
                switchLive();
            }
        }

        /**
         * A key into the snapshot as it is now, before anything changes it (an expired key is left out); a large
         * aggregate goes to {@link #large}, to be written a piece a step from what it is now whatever commands do to
         * it meanwhile ({@link Aggregate#snapshotPieces}), so the snapshot holds it from here on either way.
         */
        @Override
        public void write(KeyTable.Entry e, boolean lookup) {
            long expireAt = table.expireAt(e);
            // an empty aggregate is no key, but an emptied stream is one, as in Redis
            if ((expireAt == 0 || expireAt > System.currentTimeMillis())
                    && (e.isString() || e.aggregateSize() > 0 || e.aggregate() instanceof StreamValue)) {
                RecordPieces pieces = e.aggregate() != null && e.aggregateSize() > PIECE
                        ? e.aggregate().snapshotPieces(e.data, currentSnapshot)
                        : null;
                if (pieces != null) {
                    large.addLast(new Piece(e, pieces, expireAt));
                } else {
                    writeEntry(snapshot, e, expireAt);
                }
            }
        }

        /** The next piece of {@code p}; after its last, its expiry, and it leaves {@link #large}. */
        private void writePiece(Piece p) {
            p.position = p.source.writeRecords(p.entry.data, snapshot, p.position, PIECE);
            if (p.position == 0) {
                writeExpiry(snapshot, p.entry, p.expireAt);
                large.removeFirst();
            }
        }

        private void queueWalk() {
            if (!walkQueued && !walked && !ended && snapshot.size() < MAX_UNWRITTEN) {
                walkQueued = true;
                shard.execute(walkTask); // the next loop iteration: connections and the mesh are served in between
            }
        }

        /** One step of the walk. */
        private void walk() {
            walkQueued = false;
            if (ended) {
                return;
            }
            int stepEnd = snapshot.size() + STEP_BYTES;
            long deadline = System.nanoTime() + STEP_NANOS; // a sorted set's scores take longer to write than bytes
            while (snapshot.size() < stepEnd && System.nanoTime() - deadline < 0) {
                Piece p = large.peekFirst();
                if (p != null) {
                    writePiece(p);
                } else if (!scanned) {
                    cursor = table.walkSnapshot(cursor, 16);
                    scanned = cursor == 0;
                } else {
                    walked = true;
                    table.endSnapshot(true);
                    break;
                }
            }
            queueWalk();
            writeNext();
        }

        /** Writes the snapshot to the new base as it fills, a write at a time; once all of it is, renames the base. */
        private void writeNext() {
            if (next == null || inWrite != null || syncing || ended || renaming) {
                return;
            }
            if (incrementalSync && nextSize - syncedSize >= INCREMENTAL_SYNC_BYTES) {
                syncing = true;
                long covered = nextSize;
                next.fdatasync().whenComplete((ignored, error) -> {
                    syncing = false;
                    if (error != null) {
                        abandon(error);
                    } else {
                        syncedSize = covered;
                        writeNext();
                    }
                });
                return;
            }
            if (snapshot.size() > 0) {
                inWrite = snapshot;
                snapshot = snapshotSpare;
                snapshotSpare = null;
                new LogWrite(next, inWrite, nextSize).start().whenComplete(this::afterWrite);
            } else if (walked) {
                renaming = true;
                next.fdatasync()
                        .flatMap(ignored -> store.replace(unfinished, base))
                        .whenComplete((ignored, error) -> {
                            renaming = false;
                            if (error != null) {
                                parts.add(base); // the rename may have happened: either name replays the history
                                abandon(error);
                            } else {
                                finished();
                            }
                        });
            }
        }

        private void afterWrite(Integer n, Throwable error) {
            if (error != null) {
                abandon(error);
                return;
            }
            nextSize += n;
            inWrite.clear();
            snapshotSpare = inWrite;
            inWrite = null;
            queueWalk();
            writeNext();
        }

        /**
         * The base is in place: it holds every record before the switch, so the files before it go, with what
         * was still to be written or synced to the retired file, and a failure of those files is over.
         */
        private void finished() {
            rewrite = null;
            next.closeAsync();
            if (retired != null) {
                retired.closeReplaced();
                retired = null;
                retiredTail = null;
            }
            if (writeToRetired && liveWrite != null && !writing) { // a failed write to it, waiting for its retry
                liveRecords.clear();
                liveWrite = null;
            }
            written = Math.max(written, cut);
            baseSize = nextSize;
            olderIncrementalBytes = 0;
            sizeAfterRewrite = currentSize();
            List<Path> obsolete = new ArrayList<>(parts);
            obsolete.remove(base);
            obsolete.remove(incremental);
            parts.clear();
            parts.add(base);
            parts.add(incremental);
            Promise<Void> deleted = new Promise<>();
            deletes = deleted;
            store.delete(obsolete).whenComplete((ignored, error) -> {
                if (error != null) {
                    log.warn("deleting the files {} of {} that its base replaced failed (a replay leaves them out): {}",
                            obsolete, name.prefix(), error.toString());
                }
                deleted.complete(null);
            });
            keepBuffers();
            rewrites++;
            rewriteFailures = 0;
            rewriteEnded(true);
            log.info("rewrote {}: base {} bytes", base, nextSize);
            if (health != Health.OK && failedGeneration < generation) {
                recovered();
            }
            relieve();
            synced(cut);
            done.complete(null);
            if (rewriteRequested) {
                rewriteRequested = false;
                startRewrite(new Promise<>());
            }
            pump();
        }

        /** Keeps the snapshot's buffers for the next rewrite, back to their size if a huge element grew one past 4 times it. */
        private void keepBuffers() {
            snapshot.trim(SNAPSHOT_BUFFER);
            snapshotSpare.trim(SNAPSHOT_BUFFER);
            rewriteBuffer = snapshot;
            rewriteSpare = snapshotSpare;
        }

        /** The rewrite failed: the log goes on in its incremental files, with every record it had queued. */
        void abandon(Throwable error) {
            if (ended) {
                return;
            }
            log.warn("rewriting {} failed; the log goes on growing: {}", name.prefix(), error.toString());
            rewriteFailures++;
            rewriteEnded(false);
            rewriteRetryNanos = System.nanoTime() + rewriteDelay().toNanos();
            drop(error);
        }

        /** Ends the rewrite without its base (failed or cancelled): its snapshot, pieces and files go. */
        void drop(Throwable why) {
            ended = true;
            if (switched && !walked) {
                table.endSnapshot(false);
            }
            for (Piece p : large) {
                p.source.abandon();
            }
            large.clear();
            rewrite = null;
            if (newIncremental != null) {
                newIncremental.closeAsync(); // not switched to: empty, and the next rewrite empties it again
            }
            if (next != null) {
                next.closeAsync().whenComplete((ignored, error) -> store.delete(List.of(unfinished)));
            }
            done.fail(why);
            if (health != Health.OK) {
                scheduleRetry();
            }
            pump();
        }
    }

    /** A large aggregate in a rewrite's snapshot: its pieces, its expiry then, where the next piece starts. */
    private static final class Piece {
        final KeyTable.Entry entry;
        final RecordPieces source;
        final long expireAt;
        long position;

        Piece(KeyTable.Entry entry, RecordPieces source, long expireAt) {
            this.entry = entry;
            this.source = source;
            this.expireAt = expireAt;
        }
    }

    /** Closes the file after the operations in flight, and after the rewrite in progress. */
    Promise<Void> close() {
        if (rewrite != null) {
            Promise<Void> closed = new Promise<>();
            rewriteRequested = false;
            rewrite.done.whenComplete((ignored, error) -> close().whenComplete((v, e) -> closed.complete(null)));
            return closed;
        }
        if (retired != null) { // a failure kept it from its final sync
            retired.closeAsync();
            retired = null;
        }
        LogFile f = file;
        file = null;
        return deletes.flatMap(ignored -> f == null ? Promise.completed(null) : f.closeAsync());
    }
}
