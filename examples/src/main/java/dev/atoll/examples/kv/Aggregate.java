package dev.atoll.examples.kv;

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
     * Writes the records of about {@code count} of its elements from {@code position} (0: the first) and returns
     * where the next piece starts, 0 after the last: a snapshot walked a step at a time writes a large aggregate
     * in pieces (records that add up as {@link AofReplay} reads them), and nothing changes it between two.
     * Unless a type says otherwise, the first piece is all of it.
     */
    default long writeRecords(byte[] key, ReplyWriter w, long position, int count) {
        writeRecords(key, w);
        return 0;
    }

    /**
     * A copy that a snapshot may write on in pieces while this one changes, if the type makes one much faster than
     * it writes its records (elements shared, never changed in place); else null.
     */
    default Aggregate snapshotCopy() {
        return null;
    }
}
