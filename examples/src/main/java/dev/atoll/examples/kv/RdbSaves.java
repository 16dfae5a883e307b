package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's RDB snapshots ({@link RdbSave}): SAVE, BGSAVE [SCHEDULE], LASTSAVE, INFO persistence's
 * {@code rdb_*} fields, the save points ({@link #tick}) and the MISCONF refusal after a failed save, with Redis
 * 7.0's replies. One save at a time. Its state is read and changed by every shard's connections, the save
 * points' timer and the save's thread, under this object's monitor: a few times per save or tick, never on the
 * data path, which reads {@link #writeRefusal} (volatile) only.
 */
final class RdbSaves {
    /** A save's outcome while none ran yet, and after each. */
    enum Status { OK, ERR }

    private static final Logger log = LoggerFactory.getLogger(RdbSaves.class);
    /** Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed save, a save point starts the next one no sooner. */
    static final long RETRY_DELAY_SECONDS = 5;
    /** How often the save points are checked: Redis's serverCron at its default hz 10. */
    private static final java.time.Duration TICK = java.time.Duration.ofMillis(100);
    /** Redis's words for a write refused after a failed save ({@code stop-writes-on-bgsave-error}). */
    static final String MISCONF = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
            + "persist to disk. Commands that may modify the data set are disabled, because this instance is configured "
            + "to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please "
            + "check the Redis logs for details about the RDB error.";

    private final KvNode node;
    /** The save in progress, or null. */
    private RdbSave current;
    private long currentStartedMillis;
    /** When the last successful save ended (seconds; the start until one did), as LASTSAVE reports. */
    private long lastSaveSeconds;
    private Status lastStatus = Status.OK;
    private long lastDurationSeconds = -1;
    private long saves;
    /** The keys the last load of an RDB file (the start's, DEBUG RELOAD's) put in place and left out as expired. */
    private long lastLoadKeysLoaded;
    private long lastLoadKeysExpired;
    /** The write commands executed before the last successful save's parts began (rdb_changes_since_last_save). */
    private long writeCallsAtLastSave;
    /** When the last save started (Unix seconds), successful or not: Redis's lastbgsave_try. */
    private long lastTrySeconds;
    /** The save points' timer is counting the shards' changes (one count at a time). */
    private boolean counting;
    /** The save points' check is scheduled on shard 0 (only while there are save points: an idle shard sleeps). */
    private boolean ticking;
    /**
     * What writes (and PING) answer now, or null: {@link #MISCONF} while the last save failed, with save points
     * and {@code stop-writes-on-bgsave-error yes}, as Redis's writeCommandsDeniedByDiskError. Volatile: read by
     * every shard's dispatch of a write, set here and by CONFIG SET ({@link #refreshRefusal}).
     */
    volatile String writeRefusal;

    RdbSaves(KvNode node) {
        this.node = node;
        this.lastSaveSeconds = node.startMillis / 1000;
    }

    /**
     * SAVE: every shard's part begins (after a rewrite of its log in progress), then the reply waits until the
     * file is in place; the server serves meanwhile, where Redis blocks.
     */
    ReplySource save(KvConnection connection, ReplyWriter out, int[] shards) {
        Started started = start();
        if (started == null) {
            out.error("ERR Background save already in progress");
            return null;
        }
        int home = Shard.current().id();
        return FanOut.startThen(node, connection, out.resp3(), shards, shard -> started.save.beginPart(shard, true),
                (results, failure, reply, done) -> {
                    if (failure != null) {
                        cancel(started.save);
                        reply.error("ERR " + failure.getMessage());
                        done.run();
                        return;
                    }
                    started.recorded.whenComplete((size, error) -> node.runtime.execute(home, () -> {
                        if (error != null) {
                            reply.error("ERR " + message(error));
                        } else {
                            reply.ok();
                        }
                        done.run();
                    }));
                });
    }

    /**
     * BGSAVE [SCHEDULE]: every shard's part begins before the reply, so that the file holds what was written before
     * it. Refused while a save runs; while a shard's log is being rewritten (Redis's AOF child), refused unless
     * SCHEDULE, with which the part on that shard begins once the rewrite ended.
     */
    ReplySource bgsave(KvConnection connection, Request r, ReplyWriter out, int[] shards) {
        boolean schedule = r.count() == 2 && r.string(1).equalsIgnoreCase("schedule");
        if (r.count() > 2 || (r.count() == 2 && !schedule)) {
            out.error(KvShard.SYNTAX);
            return null;
        }
        Started started = start();
        if (started == null) {
            out.error("ERR Background save already in progress");
            return null;
        }
        return FanOut.startThen(node, connection, out.resp3(), shards, shard -> started.save.beginPart(shard, schedule),
                (results, failure, reply, done) -> {
                    boolean rewriting = java.util.Arrays.asList(results).contains(true);
                    if (failure != null) {
                        cancel(started.save);
                        reply.error("ERR " + failure.getMessage());
                    } else if (rewriting && !schedule) { // the save cancelled itself
                        cancelled(started.save);
                        reply.error("ERR Another child process is active (AOF?): can't BGSAVE right now. "
                                + "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
                    } else {
                        reply.simple(rewriting ? "Background saving scheduled" : "Background saving started");
                    }
                    done.run();
                });
    }

    /** DEBUG RELOAD's options: save first (not NOSAVE), empty the keys and libraries first (not NOFLUSH), a loaded key replaces one there (MERGE). */
    record Reload(boolean save, boolean flush, boolean merge) { }

    /**
     * DEBUG RELOAD: a SAVE (unless NOSAVE), then the file loaded (off the shards' threads, as at start) and put in
     * place: the function libraries on this shard, each shard's keys on its own thread (after the transactions
     * holding keys there), each logged as RESTORE logs a key; with flush every key and library goes first
     * (FLUSHALL, logged). Redis's replies: OK, a bare ERR when the save failed, "Error trying to load the RDB dump"
     * when the file did not load or held a key or library there already without MERGE (where Redis stops the
     * process).
     */
    ReplySource reload(KvConnection connection, ReplyWriter out, int[] shards, Reload options) {
        Started started = null;
        if (options.save()) {
            started = start();
            if (started == null) {
                out.error("ERR Background save already in progress");
                return null;
            }
        }
        Started save = started;
        int home = Shard.current().id();
        KvShard homeShard = node.shards[home];
        Path file = node.settings.rdbPath();
        return FanOut.startThen(node, connection, out.resp3(), shards,
                shard -> save != null && save.save.beginPart(shard, true),
                (results, failure, reply, done) -> {
                    if (failure != null && save != null) {
                        cancel(save.save);
                    }
                    CompletableFuture<Long> saved = failure != null ? CompletableFuture.failedFuture(failure)
                            : save != null ? save.recorded : CompletableFuture.completedFuture(0L);
                    saved.whenComplete((size, saveError) -> {
                        if (saveError != null) {
                            log.error("DEBUG RELOAD: the save failed ({})", message(saveError));
                            answer(home, reply, done, "ERR");
                            return;
                        }
                        Thread.ofPlatform().name("kv-rdb-reload").daemon().start(() -> {
                            RdbFile.Loaded loaded;
                            try {
                                loaded = RdbFile.load(file, node.shardCount());
                            } catch (Exception e) {
                                log.error("DEBUG RELOAD: {} did not load ({})", file, message(e));
                                answer(home, reply, done, RELOAD_FAILED);
                                return;
                            }
                            putInPlace(homeShard, loaded, options).whenComplete((error, e) -> {
                                if (e != null || error != null) {
                                    log.error("DEBUG RELOAD: {} was not put in place ({})", file, e != null ? message(e) : error);
                                    answer(home, reply, done, RELOAD_FAILED);
                                } else {
                                    loaded(loaded);
                                    log.warn("DB reloaded by DEBUG RELOAD");
                                    answer(home, reply, done, null);
                                }
                            });
                        });
                    });
                });
    }

    private static final String RELOAD_FAILED = "ERR Error trying to load the RDB dump, check server logs.";

    /** On {@code home}'s thread: {@code error} (null: OK) into {@code reply}, then the reply is done. */
    private void answer(int home, ReplyWriter reply, Runnable done, String error) {
        node.runtime.execute(home, () -> {
            if (error != null) {
                reply.error(error);
            } else {
                reply.ok();
            }
            done.run();
        });
    }

    /**
     * The libraries of {@code loaded} on {@code home}, then each shard's keys on its thread; completes with the
     * first refusal (a library or key there already without MERGE), or null.
     */
    private CompletableFuture<String> putInPlace(KvShard home, RdbFile.Loaded loaded, Reload options) {
        CompletableFuture<String> result = new CompletableFuture<>();
        ScriptRegistry.RestorePolicy policy = options.flush() ? ScriptRegistry.RestorePolicy.FLUSH
                : options.merge() ? ScriptRegistry.RestorePolicy.REPLACE : ScriptRegistry.RestorePolicy.APPEND;
        node.runtime.execute(home.id, () -> {
            String refused = ScriptCommands.restore(home, loaded.libraries(), policy);
            if (refused != null) {
                result.complete(refused);
                return;
            }
            java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(node.shardCount());
            java.util.concurrent.atomic.AtomicReference<String> first = new java.util.concurrent.atomic.AtomicReference<>();
            for (KvShard shard : node.shards) {
                node.runtime.execute(shard.id, () -> shard.locks.afterLocks(() -> {
                    String error = putKeys(shard, loaded.tables()[shard.id], options);
                    if (error != null) {
                        first.compareAndSet(null, error);
                    }
                    if (left.decrementAndGet() == 0) {
                        result.complete(first.get());
                    }
                }));
            }
        });
        return result;
    }

    /** On {@code shard}'s thread: its loaded keys in place (after a FLUSHALL with flush), each logged; or why not. */
    private static String putKeys(KvShard shard, KeyTable keys, Reload options) {
        long now = System.currentTimeMillis();
        if (options.flush()) {
            shard.flushAll();
        } else if (!options.merge()) {
            String[] duplicate = new String[1];
            keys.forEach(loaded -> {
                if (duplicate[0] == null && shard.peek(loaded.data, 0, loaded.keyLength(), now) != null) {
                    duplicate[0] = "the key '" + new String(loaded.key(), java.nio.charset.StandardCharsets.UTF_8)
                            + "' is there already (MERGE replaces it)";
                }
            });
            if (duplicate[0] != null) {
                return duplicate[0];
            }
        }
        keys.forEach(loaded -> {
            KeyTable.Entry existing = shard.live(loaded.data, 0, loaded.keyLength(), now);
            KeyTable.Entry e = existing != null ? existing
                    : shard.put(loaded.data, 0, loaded.keyLength(), new byte[0], 0, false);
            e.takeValueOf(shard.table, loaded);
            shard.table.account(e);
            shard.setExpire(e, keys.expireAt(loaded));
            if (shard.aof != null) {
                shard.aof.entry(e);
            }
        });
        return null;
    }

    /**
     * The save at the clean stop (SHUTDOWN SAVE, or SIGTERM and SHUTDOWN with save points), off the shards'
     * threads: a save of every shard, waited for (up to {@link #STOP_SAVE_MINUTES}); a failure is logged and the
     * stop goes on, the logs holding every write.
     */
    void saveAtStop() {
        try {
            Started started = start();
            if (started == null) { // a BGSAVE runs: it misses what was written since it began, so a save follows it
                waitForCurrent();
                started = start();
            }
            if (started == null) {
                throw new IllegalStateException("a save still runs");
            }
            beginEverywhere(started);
            started.recorded.get(STOP_SAVE_MINUTES, java.util.concurrent.TimeUnit.MINUTES);
        } catch (Exception e) {
            log.error("SHUTDOWN SAVE: the RDB file was not saved ({}); the logs hold every write", message(e));
        }
    }

    private static final long STOP_SAVE_MINUTES = 10;

    private void waitForCurrent() throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(STOP_SAVE_MINUTES);
        synchronized (this) {
            while (current != null && System.nanoTime() < deadline) {
                wait(1000);
            }
        }
    }

    /**
     * Cancels the save in progress, if any (a replica's full sync replaces the keys it is saving, as Redis's replica
     * kills its BGSAVE child); any thread.
     */
    void cancelCurrent() {
        RdbSave save;
        synchronized (this) {
            save = current;
        }
        if (save != null) {
            cancel(save);
        }
    }

    /** Ends {@code save} without a file; another may start at once. */
    private void cancel(RdbSave save) {
        save.cancel();
        cancelled(save);
    }

    /** {@code save} was cancelled: it is no longer the one in progress, so a BGSAVE right after it starts. */
    private synchronized void cancelled(RdbSave save) {
        if (current == save) {
            current = null;
            notifyAll();
        }
    }

    /** A save started, and its end once recorded (LASTSAVE, INFO). */
    record Started(RdbSave save, java.util.concurrent.CompletableFuture<Long> recorded) { }

    /**
     * A replica's full sync: a save of every shard into {@link KvSettings#rdbPath} (as Redis's disk-based sync
     * writes its RDB file), whose parts the caller begins ({@link RdbSave#beginPart}), with {@code partBegins}
     * run at each part's start; it counts as a save (LASTSAVE, INFO). Null while another save is in progress.
     */
    Started startForReplicas(java.util.function.Consumer<KvShard> partBegins) {
        return start(partBegins, null);
    }

    /**
     * A replica's diskless full sync: the same save, its bytes to {@code diskless} instead of a file; it is in progress
     * as a save is (BGSAVE waits), but no file is written and it is not counted as a save (LASTSAVE, rdb_saves), as
     * Redis's transfer to the replicas' sockets is not.
     */
    Started startForReplicas(java.util.function.Consumer<KvShard> partBegins, DisklessSync diskless) {
        return start(partBegins, diskless);
    }

    private Started start() {
        return start(null, null);
    }

    /**
     * The save points' check, on shard 0 every {@link #TICK} while there are save points, until the stop, as Redis's
     * serverCron: once a point's
     * seconds passed since the last successful save (and, after a failed one, {@link #RETRY_DELAY_SECONDS} since
     * it started), counts the changes over every shard and starts a background save if they reach the point's.
     */
    void tick() {
        KvSettings.RdbSettings rdb;
        synchronized (this) { // the settings read under the monitor: a CONFIG SET save then sees ticking as this leaves it
            rdb = node.settings.rdb();
            ticking = !node.stopping && !rdb.savePoints().isEmpty(); // without save points the shard may sleep
            if (!ticking) {
                return;
            }
        }
        Shard.current().schedule(TICK, this::tick);
        long now = System.currentTimeMillis() / 1000;
        synchronized (this) {
            if (current != null || counting
                    || (lastStatus == Status.ERR && now - lastTrySeconds <= RETRY_DELAY_SECONDS)
                    || rdb.savePoints().stream().noneMatch(p -> now - lastSaveSeconds > p.seconds())) {
                return;
            }
            counting = true;
        }
        java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(node.shardCount());
        for (KvShard shard : node.shards) {
            boolean queued = node.runtime.execute(shard.id, () -> {
                writes.addAndGet(writeCalls(shard.calls));
                if (left.decrementAndGet() == 0) {
                    saveIfDue(rdb, writes.get(), now);
                }
            });
            if (!queued) { // the runtime stops
                synchronized (this) {
                    counting = false;
                }
                return;
            }
        }
    }

    /** With the changes counted over every shard: a background save if a save point is reached. */
    private void saveIfDue(KvSettings.RdbSettings rdb, long writeCalls, long now) {
        Started started;
        synchronized (this) {
            counting = false;
            long changes = writeCalls - writeCallsAtLastSave;
            KvSettings.RdbSettings.SavePoint due = rdb.savePoints().stream()
                    .filter(p -> changes >= p.changes() && now - lastSaveSeconds > p.seconds()).findFirst().orElse(null);
            if (due == null || current != null) {
                return;
            }
            log.info("{} changes in {} seconds. Saving...", due.changes(), due.seconds());
            started = start();
        }
        beginEverywhere(started);
    }

    /**
     * Begins {@code started}'s part on every shard (after the transactions holding keys there, and after a rewrite
     * of its log in progress, as BGSAVE SCHEDULE), from any thread; a shard that no longer runs cancels it.
     */
    private void beginEverywhere(Started started) {
        for (KvShard shard : node.shards) {
            if (!node.runtime.execute(shard.id, () -> shard.locks.afterLocks(() -> started.save.beginPart(shard, true)))) {
                cancel(started.save);
            }
        }
    }

    /** Starts the save points' check on shard 0 if there are save points and it is not running (the start, CONFIG SET save). */
    void checkSavePoints() {
        synchronized (this) {
            if (ticking || node.settings.rdb().savePoints().isEmpty()) {
                return;
            }
            ticking = true;
        }
        node.runtime.execute(0, this::tick);
    }

    /** Recomputes {@link #writeRefusal} after the last save's status or the settings changed. */
    synchronized void refreshRefusal() {
        KvSettings.RdbSettings rdb = node.settings.rdb();
        writeRefusal = lastStatus == Status.ERR && rdb.stopWritesOnError() && !rdb.savePoints().isEmpty() ? MISCONF : null;
    }

    /** Starts a save of every shard into {@link KvSettings#rdbPath}, waiting for its parts; null when one is in progress. */
    private synchronized Started start(java.util.function.Consumer<KvShard> partBegins, DisklessSync diskless) {
        if (current != null) {
            return null;
        }
        lastTrySeconds = System.currentTimeMillis() / 1000;
        KvSettings settings = node.settings;
        RdbSave save = new RdbSave(node, settings.rdbPath(), settings.rdb().compression(), settings.rdb().checksum(), partBegins,
                diskless);
        current = save;
        currentStartedMillis = System.currentTimeMillis();
        java.util.concurrent.CompletableFuture<Long> recorded = save.done.whenComplete((size, error) -> ended(save, size, error));
        save.start();
        return new Started(save, recorded);
    }

    private synchronized void ended(RdbSave save, Long size, Throwable error) {
        long now = System.currentTimeMillis();
        if (cause(error) instanceof RdbSave.Cancelled) {
            return; // a BGSAVE refused: no save happened, and the next may have started (see cancel)
        }
        current = null;
        notifyAll(); // a SHUTDOWN SAVE waiting for a BGSAVE
        if (save.diskless != null) { // Redis's words for its transfer's end; no save happened
            if (error == null) {
                log.info("Background RDB transfer terminated with success ({} bytes)", size);
            } else {
                log.warn("Background transfer error: {}", message(error));
            }
            return;
        }
        lastDurationSeconds = (now - currentStartedMillis) / 1000;
        if (error == null) {
            lastStatus = Status.OK;
            lastSaveSeconds = now / 1000;
            saves++;
            writeCallsAtLastSave = save.writeCallsAtBegin();
            log.info("DB saved on disk: {} ({} bytes)", node.settings.rdbPath(), size);
        } else {
            lastStatus = Status.ERR;
            log.error("saving {} failed: {}", node.settings.rdbPath(), message(error));
        }
        refreshRefusal();
    }

    synchronized boolean inProgress() {
        return current != null;
    }

    /** LASTSAVE: when the last successful save ended, in Unix seconds (the start until one did). */
    synchronized long lastSaveSeconds() {
        return lastSaveSeconds;
    }

    /**
     * INFO persistence's {@code rdb_*} lines, in Redis 7.0's order; {@code writeCalls}: the write commands every
     * shard executed ({@link #writeCalls}), of which those since the last save are its changes.
     */
    synchronized String info(long writeCalls) {
        long now = System.currentTimeMillis();
        return "rdb_changes_since_last_save:" + Math.max(0, writeCalls - writeCallsAtLastSave) + "\r\n"
                + "rdb_bgsave_in_progress:" + (current != null ? 1 : 0) + "\r\n"
                + "rdb_last_save_time:" + lastSaveSeconds + "\r\n"
                + "rdb_last_bgsave_status:" + (lastStatus == Status.OK ? "ok" : "err") + "\r\n"
                + "rdb_last_bgsave_time_sec:" + lastDurationSeconds + "\r\n"
                + "rdb_current_bgsave_time_sec:" + (current != null ? (now - currentStartedMillis) / 1000 : -1) + "\r\n"
                + "rdb_saves:" + saves + "\r\n"
                + "rdb_last_cow_size:0\r\n"
                + "rdb_last_load_keys_expired:" + lastLoadKeysExpired + "\r\n"
                + "rdb_last_load_keys_loaded:" + lastLoadKeysLoaded + "\r\n";
    }

    /** An RDB file was loaded (INFO's rdb_last_load_keys_loaded and _expired). */
    synchronized void loaded(RdbFile.Loaded file) {
        lastLoadKeysLoaded = file.keysLoaded();
        lastLoadKeysExpired = file.keysExpired();
    }

    /** The write commands a shard executed, from its calls per command (CONFIG RESETSTAT sets them to 0). */
    static long writeCalls(long[] calls) {
        long writes = 0;
        for (Command c : Command.values()) {
            if (c.writes) {
                writes += calls[c.ordinal()];
            }
        }
        return writes;
    }

    private static Throwable cause(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
    }

    private static String message(Throwable error) {
        Throwable cause = cause(error);
        String text = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        return text.replace('\r', ' ').replace('\n', ' ');
    }
}
