package dev.atoll.examples.kv;

/**
 * A large aggregate's records for a rewrite's snapshot, written a piece a step of its walk while commands change
 * the aggregate, and adding up to what it was when the snapshot took it ({@link Aggregate#snapshotPieces}).
 */
interface RecordPieces {
    /**
     * Writes the records of about {@code count} elements from {@code position} (0: the first) to {@code w}, under
     * {@code key}; returns where the next piece starts, 0 after the last. The pieces add up as
     * {@link AofReplay} reads them.
     */
    long writeRecords(byte[] key, ReplyWriter w, long position, int count);

    /** The snapshot was abandoned before the last piece. */
    default void abandon() {
    }
}
