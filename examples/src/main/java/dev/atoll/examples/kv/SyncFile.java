package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The RDB file of a disk-based full sync, shared by the replicas of that sync: a second name of what the sync's save
 * wrote ({@link RdbSave#kept}), which a later save renaming another file over {@code dump.rdb} does not change. Each
 * replica's shard opens it ({@link RdbFileSender}) and says so; the last one deletes the name, since the open
 * descriptors keep the file itself until each reader is done.
 */
final class SyncFile {
    private static final Logger log = LoggerFactory.getLogger(SyncFile.class);

    final Path path;
    final long size;
    /** Replicas that have not opened it yet (any thread: the atomic orders the last one's delete after every open). */
    private final AtomicInteger unopened;

    SyncFile(Path path, long size, int readers) {
        this.path = path;
        this.size = size;
        this.unopened = new AtomicInteger(readers);
        if (readers == 0) {
            delete(path);
        }
    }

    /** A replica opened it, or will never try (its connection closed, or the open failed). */
    void opened() {
        if (unopened.decrementAndGet() == 0) {
            delete(path);
        }
    }

    /**
     * Deletes {@code path} off the shard's thread (offload pool) when on a shard — the last name of a large file frees
     * its pages in that call — else at once (the save's thread, or a stopping server).
     */
    static void delete(Path path) {
        Shard here = Shard.current();
        if (here != null) {
            here.offload(() -> deleteNow(path)).whenComplete((done, refused) -> {
                if (refused != null) { // the offload queue is full: the name goes now rather than stay behind
                    deleteNow(path);
                }
            });
        } else {
            deleteNow(path);
        }
    }

    private static Void deleteNow(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("could not delete {}, a full sync's copy of the RDB file: {}", path, e.toString());
        }
        return null;
    }
}
