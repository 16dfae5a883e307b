package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.util.Arrays;

/**
 * One shard's part of the replication stream, on that shard's thread: the records its log makes
 * ({@link Aof}: RESP commands, the same a log replays), gathered during a loop iteration and handed to the
 * {@link ReplicationMaster} on its home shard as one chunk per iteration, in the order they were made. A
 * shard's chunks and its snapshot's marker ({@link #snapshotBegins}) travel on the one mesh queue from this
 * shard to the home shard, which runs them in the order sent, so the home knows exactly which records came
 * before the shard's part of a full sync's snapshot and which after.
 *
 * <p>It starts at the first full sync's snapshot on this shard, or at a promotion ({@link #resume}), and never
 * stops (Redis keeps its backlog once made; while the node is a replica the home shard drops its chunks); with
 * {@code appendonly no} it gives the shard a log without a file ({@link Aof#recordsOnly}) then,
 * so a server without replicas makes no records.
 */
final class ReplicationFeed {
    private static final int INITIAL_BUFFER = 16 * 1024;
    /** The largest buffer kept between iterations; a larger one is dropped once handed over. */
    private static final int RETAINED_BUFFER = 256 * 1024;

    private final KvShard shard;
    private final ReplicationMaster master;
    private final Runnable flushTask = this::flush;
    private final ReplyWriter buffer = new ReplyWriter(INITIAL_BUFFER);
    private boolean flushQueued;
    /** Bytes handed to the home shard so far: WAIT's target for this shard ({@link ReplicationMaster}). */
    private long handed;

    ReplicationFeed(KvShard shard, ReplicationMaster master) {
        this.shard = shard;
        this.master = master;
    }

    /** Records the log just made, whole: they go out with the rest of this loop iteration's. */
    void add(byte[] records, int offset, int length) {
        buffer.raw(records, offset, length);
        added();
    }

    /** Commands {@code records} writes, whole, for the replicas only (see {@link Aof#record(int, java.util.function.Consumer, java.util.function.Consumer)}). */
    void add(java.util.function.Consumer<ReplyWriter> records) {
        records.accept(buffer);
        added();
    }

    /** Keys per DEL record of {@link #deleteAll}. */
    private static final int KEYS_PER_DEL = 1024;
    private static final byte[] DEL = ReplyWriter.asciiBytes("DEL");

    /**
     * The DEL of every key of {@code table} (this shard's FLUSHALL, on a node of several shards), {@link #KEYS_PER_DEL}
     * keys per record: a FLUSHALL on the replica would also remove the keys other shards wrote after their own part
     * of the FLUSHALL but before this one reached the replica.
     */
    void deleteAll(KeyTable table) {
        int[] left = {0};
        table.forEach(e -> left[0]++); // what the walk visits, so that each record's header counts its keys
        int[] inRecord = {0};
        table.forEach(e -> {
            if (inRecord[0] == 0) {
                buffer.arrayHeader(1 + Math.min(KEYS_PER_DEL, left[0])).bulk(DEL);
            }
            buffer.bulk(e.data, 0, e.keyLength());
            left[0]--;
            if (++inRecord[0] == KEYS_PER_DEL) {
                inRecord[0] = 0;
            }
        });
        added();
    }

    private void added() {
        if (!flushQueued) {
            flushQueued = true;
            Shard.current().execute(flushTask);
        }
    }

    /**
     * The shard's part of a full sync's snapshot begins now (on this shard's thread, between two commands):
     * the records made so far go to the home shard before the marker, those made from now on after it.
     */
    void snapshotBegins(ReplicationMaster.Sync sync) {
        attach();
        flush();
        int id = shard.id;
        Shard.current().sendReply(ReplicationMaster.HOME, () -> master.snapshotBegan(id, sync));
    }

    /**
     * The node was promoted and every command of its master has run on this shard (on its thread, before any write of
     * a client as a master): the records made so far go to the home shard, which drops them (the master's stream has
     * those writes), then the mark after which they are the new master's stream ({@link ReplicationMaster#feedResumed}).
     */
    void resume(long promotion) {
        attach();
        flush();
        int id = shard.id;
        Shard.current().sendReply(ReplicationMaster.HOME, () -> master.feedResumed(id, promotion));
    }

    /** The shard's log sends its records here from now on (a log without a file first, with {@code appendonly no}). */
    private void attach() {
        if (shard.aof == null) {
            shard.aof = Aof.recordsOnly(Shard.current(), shard.node().settings, shard.table, shard.node().logPressure);
        }
        shard.aof.feed = this;
    }

    /** Hands what is gathered to the home shard now; returns all bytes handed so far (WAIT's target). */
    long handOver() {
        flush();
        return handed;
    }

    private void flush() {
        flushQueued = false;
        int n = buffer.size();
        if (n == 0) {
            return;
        }
        byte[] chunk = Arrays.copyOf(buffer.bytes(), n);
        buffer.clear();
        buffer.trim(RETAINED_BUFFER);
        handed += n;
        long upTo = handed;
        int id = shard.id;
        // never refused: a chunk lost would be a write the replicas never see
        Shard.current().sendReply(ReplicationMaster.HOME, () -> master.chunk(id, chunk, upTo));
    }
}
