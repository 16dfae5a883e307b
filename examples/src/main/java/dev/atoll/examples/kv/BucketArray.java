package dev.atoll.examples.kv;

/**
 * The bucket array of a {@link KeyTable}: a power-of-two number of chain heads, held in segments of 8,192
 * (64 KB under ZGC, which has no compressed references) made when a key first goes into one. A resize makes a new array; made whole, the JVM zeroes all
 * of it at once (32 MB for 4 M buckets: about 85 ms on this project's virtual machine, where a page's first
 * touch costs about 10 µs), while the incremental rehash that fills it moves a bucket at a time. In segments,
 * that cost comes a segment at a time as the rehash reaches them, as Redis's {@code calloc} gets pages the
 * kernel zeroes at their first touch. Used by its table's shard thread only.
 */
final class BucketArray {
    private static final int SEGMENT_SHIFT = 13;
    private static final int SEGMENT_SLOTS = 1 << SEGMENT_SHIFT;
    private static final int SLOT_MASK = SEGMENT_SLOTS - 1;

    /** The number of buckets: a power of two. */
    final int length;
    private final KeyTable.Entry[][] segments;

    BucketArray(int length) {
        if (Integer.bitCount(length) != 1) {
            throw new IllegalArgumentException("a bucket count must be a power of two: " + length);
        }
        this.length = length;
        this.segments = new KeyTable.Entry[Math.max(1, length >>> SEGMENT_SHIFT)][];
    }

    /** The first entry of bucket {@code index}'s chain, or null. */
    KeyTable.Entry head(int index) {
        KeyTable.Entry[] segment = segments[index >>> SEGMENT_SHIFT];
        return segment == null ? null : segment[index & SLOT_MASK];
    }

    /** Makes {@code head} the first entry of bucket {@code index}'s chain. */
    void setHead(int index, KeyTable.Entry head) {
        KeyTable.Entry[] segment = segments[index >>> SEGMENT_SHIFT];
        if (segment == null) {
            if (head == null) {
                return;
            }
            segment = segments[index >>> SEGMENT_SHIFT] = new KeyTable.Entry[Math.min(length, SEGMENT_SLOTS)];
        }
        segment[index & SLOT_MASK] = head;
    }

    /** The first bucket at or after {@code index} that may hold keys: past a segment never made, the next one's first. */
    int skipUnmade(int index) {
        return segments[index >>> SEGMENT_SHIFT] != null ? index : (index | SLOT_MASK) + 1;
    }
}
