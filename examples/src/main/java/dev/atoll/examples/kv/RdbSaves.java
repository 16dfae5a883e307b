package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's RDB snapshots ({@link RdbSave}): SAVE, BGSAVE [SCHEDULE], LASTSAVE and INFO persistence's
 * {@code rdb_*} fields, with Redis 7.0's replies. One save at a time. Its state is read and changed by every
 * shard's connections and by the save's thread, under this object's monitor: a few times per save, never on
 * the data path.
 */
final class RdbSaves {
    /** A save's outcome while none ran yet, and after each. */
    enum Status { OK, ERR }

    private static final Logger log = LoggerFactory.getLogger(RdbSaves.class);

    private final KvNode node;
    /** The save in progress, or null. */
    private RdbSave current;
    private long currentStartedMillis;
    /** When the last successful save ended (seconds; the start until one did), as LASTSAVE reports. */
    private long lastSaveSeconds;
    private Status lastStatus = Status.OK;
    private long lastDurationSeconds = -1;
    private long saves;
    /** The write commands executed before the last successful save's parts began (rdb_changes_since_last_save). */
    private long writeCallsAtLastSave;

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

    /**
     * SHUTDOWN SAVE, at the clean stop (off the shards' threads): a save of every shard, waited for (up to
     * {@link #STOP_SAVE_MINUTES}); a failure is logged and the stop goes on, the logs holding every write.
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
            Started save = started;
            for (KvShard shard : node.shards) {
                if (!node.runtime.execute(shard.id, () -> shard.locks.afterLocks(() -> save.save.beginPart(shard, true)))) {
                    cancel(save.save);
                }
            }
            save.recorded.get(STOP_SAVE_MINUTES, java.util.concurrent.TimeUnit.MINUTES);
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
        return start(partBegins);
    }

    private Started start() {
        return start(null);
    }

    /** Starts a save of every shard into {@link KvSettings#rdbPath}, waiting for its parts; null when one is in progress. */
    private synchronized Started start(java.util.function.Consumer<KvShard> partBegins) {
        if (current != null) {
            return null;
        }
        RdbSave save = new RdbSave(node, node.settings.rdbPath(), partBegins);
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
                + "rdb_saves:" + saves + "\r\n";
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
