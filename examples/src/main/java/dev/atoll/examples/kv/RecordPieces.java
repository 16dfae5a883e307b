package dev.atoll.examples.kv;

/**
 * An aggregate's log records written a piece at a time, as a rewrite's snapshot walked over loop iterations
 * writes a large one ({@link Aggregate#writeRecords(byte[], ReplyWriter, long, int)}): from the aggregate, or
 * from a copy of it taken before a command changed it ({@link Aggregate#snapshotCopy}).
 */
@FunctionalInterface
interface RecordPieces {
    /**
     * Writes the records of about {@code count} elements from {@code position} (0: the first) to {@code w}, under
     * {@code key}; returns where the next piece starts, 0 after the last. The pieces add up as
     * {@link AofReplay} reads them.
     */
    long writeRecords(byte[] key, ReplyWriter w, long position, int count);
}
