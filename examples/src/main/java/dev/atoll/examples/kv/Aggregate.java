package dev.atoll.examples.kv;

import java.util.function.Supplier;

/**
 * A value made of elements — a hash, and each further Redis type a key can hold beside a string —
 * as {@link KeyTable.Entry#aggregate}. A type's commands find theirs with {@code instanceof}, so a
 * key of another type answers WRONGTYPE. A small one may instead be packed in its key's own array with
 * no object ({@link PackedEncoding}, a small hash's listpack): what any aggregate is asked without its
 * type known (TYPE, OBJECT ENCODING, its size, its log records) is asked of the entry, which asks either.
 * Used by its shard's thread only.
 */
interface Aggregate {
    /** What TYPE says: "hash", "list", "set", "zset". */
    String type();

    /** What OBJECT ENCODING says, as Redis names it. */
    String encoding();

    /** How many elements it has; a key whose aggregate becomes empty is removed, as in Redis (a stream's stays, as in Redis). */
    int size();

    /**
     * Its estimated heap footprint in bytes (maxmemory's accounting, {@link KeyTable#account}), kept
     * up to date as it changes rather than computed by a walk: it is asked after every write.
     */
    long bytes();

    /** A copy sharing no mutable state (COPY, moves between shards). */
    Aggregate copy();

    /**
     * Writes the log records that rebuild it under {@code key} to {@code w} (a rewrite's snapshot,
     * RENAME, COPY): commands that {@link AofReplay} reads back, without the expiry.
     */
    void writeRecords(byte[] key, ReplyWriter w);

    /**
     * Its records for a rewrite's snapshot, in pieces that stay what it is now while commands change it: from its
     * elements' own {@link KeyTable} ({@link ElementSnapshot}: an element is written before a command first looks
     * it up, to {@code out}'s writer of the moment) or from its array as it is ({@link ListSnapshot}). Null when
     * the type is written whole (an intset, which is small; a stream). It begins at once.
     */
    default RecordPieces snapshotPieces(byte[] key, Supplier<ReplyWriter> out) {
        return null;
    }

    /**
     * The {@link KeyTable} of its elements, whose own snapshot an RDB save writes in pieces ({@link ElementSnapshot});
     * null when it keeps none (a list, an intset, a listpack, a stream).
     */
    default KeyTable elementTable() {
        return null;
    }
}
