package dev.atoll.examples.kv;

import dev.atoll.io.Buffer;
import dev.atoll.io.BufferPool;
import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * One shard's append-only log: write commands, RESP-encoded as Redis writes them
 * ({@code SET k v PXAT ms}, {@code DEL k}, {@code PEXPIREAT k ms}, {@code PERSIST k},
 * {@code FLUSHALL}), written through a {@link LogFile} (the io module's {@code AsyncFile}).
 *
 * <p>Records are appended to a heap buffer as commands execute; the first record of a loop
 * iteration queues one flush task, so everything one iteration wrote goes out in one write (group
 * commit). At most one write and one sync are in flight at a time, side by side; what arrives
 * meanwhile goes with the next write. A sync covers what was written before it started.
 * {@code always}: a sync follows each write and {@link #whenSynced} callbacks run only once it
 * covers them, which is what holds back the replies. {@code everysec}: once a second a timer starts
 * a sync of what is written by then (or as soon as something new is), beside the write in flight,
 * so no load can starve it; records not yet written go with the next second's. {@code no}: no sync.
 *
 * <p>Back-pressure: above {@code kv.aof.max-queued-bytes} appended but not yet written, the log
 * tells {@link LogPressure}, which pauses the connections until it drained to half of that.
 *
 * <p>Rewrite: once the file passes its bound, the shard's live keys are serialized in one step on the
 * shard thread (a pause proportional to the data: the simple, correct choice), written to
 * {@code <name>.rewrite} in the background while new records go both to the live file and to a
 * rewrite buffer; then the live file's writes are held, the buffer's tail is written, the new file is
 * synced and renamed over the old one, and writing continues there.
 */
final class Aof {
    private static final Logger log = LoggerFactory.getLogger(Aof.class);
    private static final byte[] SET = ReplyWriter.asciiBytes("SET");
    private static final byte[] DEL = ReplyWriter.asciiBytes("DEL");
    private static final byte[] PEXPIREAT = ReplyWriter.asciiBytes("PEXPIREAT");
    private static final byte[] PERSIST = ReplyWriter.asciiBytes("PERSIST");
    private static final byte[] FLUSHALL = ReplyWriter.asciiBytes("FLUSHALL");
    private static final byte[] PXAT = ReplyWriter.asciiBytes("PXAT");
    private static final byte[] KEEPTTL = ReplyWriter.asciiBytes("KEEPTTL");
    private static final int INITIAL_BUFFER = 16 * 1024;

    /** A callback waiting until the log is synced up to {@code position}. */
    private record Waiter(long position, Runnable action) { }

    private final Shard shard;
    private final KvSettings settings;
    private final Path path;
    private final KeyTable table;
    private final LogStore store;
    private final LogPressure pressure;
    private final boolean syncEachWrite;
    private final Runnable flushTask = this::flushQueued;
    private final Runnable everySecond = this::everySecond;
    private LogFile file;
    /** Records not yet handed to a write. */
    private ReplyWriter pending = new ReplyWriter(INITIAL_BUFFER);
    private ReplyWriter spare = new ReplyWriter(INITIAL_BUFFER);
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
    /** More than {@code kv.aof.max-queued-bytes} is appended but not written: {@link #pressure} knows. */
    private boolean full;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private Throwable failure;
    /** Non-null while a rewrite collects the records that follow its snapshot. */
    private ReplyWriter rewriteTail;
    private Rewrite rewrite;
    private boolean rewriteRequested;
    private long rewrites;

    Aof(Shard shard, KvSettings settings, Path path, KeyTable table, LogStore store, LogPressure pressure) {
        this.shard = shard;
        this.settings = settings;
        this.path = path;
        this.table = table;
        this.store = store;
        this.pressure = pressure;
        this.syncEachWrite = settings.fsync() == KvSettings.FsyncPolicy.ALWAYS;
    }


    /**
     * Opens (creating) the log, makes its directory entry durable, and continues at its end;
     * {@code rewriteNow} first writes a snapshot of the keys.
     */
    Promise<Void> open(boolean rewriteNow) {
        return store.open(path, false)
                .flatMap(opened -> {
                    file = opened;
                    return store.syncDirectory(path.toAbsolutePath().getParent()); // a new log must not vanish
                }).flatMap(ignored -> file.size())
                .flatMap(size -> {
                    fileSize = size;
                    sizeAfterRewrite = size;
                    if (settings.fsync() == KvSettings.FsyncPolicy.EVERYSEC) {
                        shard.schedule(Duration.ofSeconds(1), everySecond);
                    }
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
        if (file != null) {
            syncWanted = true;
            pump();
            shard.schedule(Duration.ofSeconds(1), everySecond);
        }
    }

    // ---- records ----

    /** {@code SET key value [PXAT expireAt | KEEPTTL]}. */
    void set(byte[] key, byte[] value, long expireAt, boolean keepTtl) {
        ReplyWriter w = begin(expireAt != 0 ? 5 : keepTtl ? 4 : 3);
        w.bulk(SET).bulk(key).bulk(value);
        if (expireAt != 0) {
            w.bulk(PXAT).bulkDecimal(expireAt);
        } else if (keepTtl) {
            w.bulk(KEEPTTL);
        }
        end();
    }

    void del(byte[] key) {
        begin(2).bulk(DEL).bulk(key);
        end();
    }

    void pexpireAt(byte[] key, long expireAt) {
        begin(3).bulk(PEXPIREAT).bulk(key).bulkDecimal(expireAt);
        end();
    }

    void persist(byte[] key) {
        begin(2).bulk(PERSIST).bulk(key);
        end();
    }

    void flushAll() {
        begin(1).bulk(FLUSHALL);
        end();
    }

    private int recordStart;

    private ReplyWriter begin(int arguments) {
        recordStart = pending.size();
        return pending.arrayHeader(arguments);
    }

    private void end() {
        int length = pending.size() - recordStart;
        appended += length;
        if (rewriteTail != null) {
            rewriteTail.raw(pending.bytes(), recordStart, length);
        }
        if (!full && appended - written > settings.aofMaxQueuedBytes() && failure == null) {
            full = true;
            pressure.filled();
        }
        if (!flushQueued) {
            flushQueued = true;
            shard.execute(flushTask); // after the rest of this iteration's work: one write for all of it
        }
    }

    /** Ends the pause once the queue is down to half its bound (or nothing will drain it: a failure). */
    private void relieve() {
        if (full && (appended - written <= settings.aofMaxQueuedBytes() / 2 || failure != null)) {
            full = false;
            pressure.drained();
        }
    }

    // ---- durability ----

    /** The logical position after the last record appended; pass it to {@link #whenSynced}. */
    long appended() {
        return appended;
    }

    /** Runs {@code action} once everything up to {@code position} is on the device (at once if it is). */
    void whenSynced(long position, Runnable action) {
        if (synced >= position || failure != null) {
            action.run();
        } else {
            waiters.add(new Waiter(position, action));
        }
    }

    /** The logical position up to which the log is on the device. */
    long synced() {
        return synced;
    }

    /** Why writing the log failed, or null. Writes are refused after a failure (Redis's MISCONF). */
    Throwable failure() {
        return failure;
    }

    /** Writes and syncs everything appended so far (at a clean stop). */
    Promise<Void> syncAll() {
        Promise<Void> done = new Promise<>();
        syncTarget = appended;
        whenSynced(appended, () -> done.complete(null));
        pump();
        return done;
    }

    private void flushQueued() {
        flushQueued = false;
        pump();
    }

    /** Starts a write of the pending records and a sync that is due, each unless one is in flight. */
    private void pump() {
        if (file == null || failure != null) {
            return;
        }
        if (rewrite != null && rewrite.holdLive) {
            if (!writing && !syncing) {
                rewrite.liveIdle();
            }
            return;
        }
        if (!writing && pending.size() > 0) {
            startWrite();
        }
        if (!syncing && written > synced
                && (syncEachWrite || syncWanted || (syncTarget > synced && written >= syncTarget))) {
            startSync();
        }
    }

    private void startWrite() {
        writing = true;
        ReplyWriter out = pending;
        pending = spare;
        spare = out;
        long upTo = appended;
        writeAll(file, out, fileSize).whenComplete((n, error) -> {
            out.clear();
            out.trim(INITIAL_BUFFER);
            writing = false;
            if (error != null) {
                fail(error);
                return;
            }
            fileSize += n;
            written = upTo;
            relieve();
            maybeRewrite();
            pump();
        });
    }

    private void startSync() {
        syncing = true;
        syncWanted = false;
        long upTo = written;
        file.fdatasync().whenComplete((ignored, error) -> {
            syncing = false;
            if (error != null) {
                fail(error);
                return;
            }
            synced(upTo);
            pump();
        });
    }

    private void synced(long upTo) {
        synced = Math.max(synced, upTo);
        while (!waiters.isEmpty() && waiters.peekFirst().position <= synced) {
            waiters.pollFirst().action.run();
        }
    }

    /** The live log failed: writes are refused from now on, nothing waits for it, and a rewrite in progress ends. */
    private void fail(Throwable error) {
        if (failure == null) {
            failure = error;
            log.error("writing {} failed; the shard refuses writes from now on", path, error);
        }
        relieve();
        while (!waiters.isEmpty()) {
            waiters.pollFirst().action.run(); // they see failure() and do not acknowledge
        }
        if (rewrite != null && !rewrite.switching) {
            rewrite.abandon(error); // it would wait for the live log's idle moment, which pump() no longer looks for
        }
    }

    /** Writes all of {@code source} at {@code position} through pooled buffers, one after the other. */
    private static Promise<Integer> writeAll(LogFile target, ReplyWriter source, long position) {
        return writeFrom(target, source, 0, position);
    }

    private static Promise<Integer> writeFrom(LogFile target, ReplyWriter source, int from, long position) {
        int total = source.size();
        if (from == total) {
            return Promise.completed(total);
        }
        BufferPool pool = BufferPool.current();
        int length = Math.min(total - from, pool.maxBufferSize());
        Buffer buffer = pool.acquire(length).writeBytes(source.bytes(), from, length);
        return target.write(buffer, position).whenComplete((n, error) -> buffer.release())
                .flatMap(n -> writeFrom(target, source, from + length, position + length));
    }

    // ---- rewrite ----

    long fileSize() {
        return fileSize;
    }

    long rewrites() {
        return rewrites;
    }

    /** True while a rewrite runs. */
    boolean rewriting() {
        return rewrite != null;
    }

    /**
     * BGREWRITEAOF: rewrites now, or once the rewrite in progress is done (its file holds the records
     * written meanwhile in full; the next one compacts them). Returns false when it had to wait.
     */
    boolean requestRewrite() {
        if (rewrite == null && file != null && failure == null) {
            startRewrite(new Promise<>());
            return true;
        }
        rewriteRequested = true;
        return false;
    }

    private void maybeRewrite() {
        long bound = Math.max(settings.rewriteMinBytes(),
                sizeAfterRewrite + sizeAfterRewrite * settings.rewriteGrowthPercent() / 100);
        if (rewrite == null && fileSize > bound) {
            startRewrite(new Promise<>());
        }
    }

    /** Snapshots the keys now and starts writing them to the rewrite file. */
    private void startRewrite(Promise<Void> done) {
        ReplyWriter snapshot = new ReplyWriter(Math.max(1024, table.size() * 48));
        long now = System.currentTimeMillis();
        table.forEach(e -> {
            if (e.expireAt == 0 || e.expireAt > now) {
                snapshot.arrayHeader(e.expireAt != 0 ? 5 : 3).bulk(SET).bulk(e.key).bulk(e.value);
                if (e.expireAt != 0) {
                    snapshot.bulk(PXAT).bulkDecimal(e.expireAt);
                }
            }
        });
        rewriteTail = new ReplyWriter(INITIAL_BUFFER);
        rewrite = new Rewrite(done);
        rewrite.start(snapshot);
    }

    /** One rewrite in progress: the new file, how far it is written, and the switch-over. */
    private final class Rewrite {
        private final Path target = path.resolveSibling(path.getFileName() + ".rewrite");
        private final Promise<Void> done;
        private LogFile next;
        private long nextSize;
        /** The live file's writes are held until the switch. */
        boolean holdLive;
        /** The live file is idle and the new one takes its place: nothing can fail the live file now. */
        boolean switching;

        Rewrite(Promise<Void> done) {
            this.done = done;
        }

        /** False once this rewrite was abandoned: an operation on its file that completes later does nothing. */
        private boolean current() {
            return rewrite == this;
        }

        void start(ReplyWriter snapshot) {
            store.open(target, true)
                    .flatMap(opened -> {
                        next = opened;
                        if (!current()) {
                            opened.closeAsync(); // abandoned while it opened
                            return Promise.completed(0);
                        }
                        return writeAll(opened, snapshot, 0);
                    })
                    .whenComplete((n, error) -> {
                        if (!current()) {
                            return;
                        }
                        if (error != null) {
                            abandon(error);
                        } else {
                            nextSize = n;
                            catchUp();
                        }
                    });
        }

        /** Writes the records collected meanwhile; once there are few, switches. */
        private void catchUp() {
            if (rewriteTail.size() < INITIAL_BUFFER) {
                holdLive = true;
                pump(); // calls liveIdle() now, or once the live file's operations in flight are done
                return;
            }
            ReplyWriter tail = rewriteTail;
            rewriteTail = new ReplyWriter(INITIAL_BUFFER);
            writeAll(next, tail, nextSize).whenComplete((n, error) -> {
                if (!current()) {
                    return;
                }
                if (error != null) {
                    abandon(error);
                } else {
                    nextSize += n;
                    catchUp();
                }
            });
        }

        /**
         * The live file is idle and held. Every record since the snapshot is in the new file or in
         * the tail, so the records still pending for the live file are dropped: the tail has them.
         */
        void liveIdle() {
            if (switching) {
                return;
            }
            switching = true;
            ReplyWriter tail = rewriteTail;
            rewriteTail = null;
            pending.clear();
            long upTo = appended;
            writeAll(next, tail, nextSize)
                    .flatMap(n -> {
                        nextSize += n;
                        return next.fdatasync();
                    })
                    .flatMap(ignored -> store.replace(target, path))
                    .whenComplete((ignored, error) -> {
                        rewrite = null;
                        if (error != null) {
                            // The records of the tail are only in memory now: a failure we cannot recover.
                            fail(error);
                            done.fail(error);
                            return;
                        }
                        LogFile old = file;
                        file = next;
                        old.closeAsync();
                        fileSize = nextSize;
                        sizeAfterRewrite = nextSize;
                        written = Math.max(written, upTo);
                        rewrites++;
                        log.info("rewrote {}: {} bytes", path, nextSize);
                        relieve();
                        synced(upTo);
                        done.complete(null);
                        if (rewriteRequested) {
                            rewriteRequested = false;
                            startRewrite(new Promise<>());
                        }
                        pump();
                    });
        }

        /** The rewrite failed before the switch, or the live log did: carry on with the live log as it is. */
        void abandon(Throwable error) {
            log.warn("rewriting {} failed; the log goes on growing", path, error);
            rewriteTail = null;
            rewrite = null;
            if (next != null) {
                next.closeAsync();
            }
            done.fail(error);
            pump();
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
        LogFile f = file;
        file = null;
        return f == null ? Promise.completed(null) : f.closeAsync();
    }
}
