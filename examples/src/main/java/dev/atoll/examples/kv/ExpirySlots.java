package dev.atoll.examples.kv;

/**
 * The slots of a {@link VolatileKeys} table: a power-of-two number of pairs of a key and its expiry, held in segments
 * of 8,192 slots (64 KB of references under ZGC and 64 KB of expiries) made when a key first goes into one. Made
 * whole, the arrays of a table for 3 M keys (4 M slots, 64 MB) were zeroed at once by the JVM, on this project's
 * virtual machine about 10 µs a page; in segments that cost comes as a resize reaches them, as for
 * {@link BucketArray}. Used by its table's shard thread only.
 */
final class ExpirySlots {
    /** The table of no slots that a table without keys holds: a key's first expiry grows it before anything goes in. */
    static final ExpirySlots NONE = new ExpirySlots(0);

    private static final int SEGMENT_SHIFT = 13;
    private static final int SEGMENT_SLOTS = 1 << SEGMENT_SHIFT;
    private static final int SLOT_MASK = SEGMENT_SLOTS - 1;

    /** The number of slots: a power of two, or 0 for {@link #NONE}. */
    final int length;
    private final KeyTable.Entry[][] keys;
    private final long[][] expires;
    private int segmentsMade;

    ExpirySlots(int length) {
        if (length != 0 && Integer.bitCount(length) != 1) {
            throw new IllegalArgumentException("a slot count must be a power of two: " + length);
        }
        this.length = length;
        int segments = Math.max(1, length >>> SEGMENT_SHIFT);
        this.keys = new KeyTable.Entry[segments][];
        this.expires = new long[segments][];
    }

    /** The key in slot {@code i}, or null. */
    KeyTable.Entry key(int i) {
        KeyTable.Entry[] segment = keys[i >>> SEGMENT_SHIFT];
        return segment == null ? null : segment[i & SLOT_MASK];
    }

    /** The expiry (Unix ms) of the key in slot {@code i}, which must hold one. */
    long expire(int i) {
        return expires[i >>> SEGMENT_SHIFT][i & SLOT_MASK];
    }

    /** Puts {@code key} with its expiry in slot {@code i}. */
    void set(int i, KeyTable.Entry key, long expireAt) {
        int s = i >>> SEGMENT_SHIFT;
        KeyTable.Entry[] segment = keys[s];
        if (segment == null) {
            int slots = Math.min(length, SEGMENT_SLOTS);
            segment = keys[s] = new KeyTable.Entry[slots];
            expires[s] = new long[slots];
            segmentsMade++;
        }
        segment[i & SLOT_MASK] = key;
        expires[s][i & SLOT_MASK] = expireAt;
    }

    /** Changes the expiry of the key in slot {@code i}, which must hold one. */
    void setExpire(int i, long expireAt) {
        expires[i >>> SEGMENT_SHIFT][i & SLOT_MASK] = expireAt;
    }

    /** Empties slot {@code i}, which must hold a key. */
    void clear(int i) {
        keys[i >>> SEGMENT_SHIFT][i & SLOT_MASK] = null;
    }

    /** The first slot at or after {@code i} that may hold a key: past a segment never made, the next one's first. */
    int skipUnmade(int i) {
        return keys[i >>> SEGMENT_SHIFT] != null ? i : (i | SLOT_MASK) + 1;
    }

    /** The heap bytes of the segments made (8 bytes a slot in each of the two arrays, as ZGC has no compressed references). */
    long footprint() {
        return 2L * segmentsMade * KeyTable.arrayBytes(8 * Math.min(length, SEGMENT_SLOTS));
    }
}
