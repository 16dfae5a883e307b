package dev.atoll.examples.kv;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * A list: a growable circular array of elements (a deque), so that a push or pop at either end is
 * O(1) amortized, an index is one array access and a range is read without walking nodes — LRANGE of
 * 600 elements copies 600 references' worth of bytes and nothing else. OBJECT ENCODING says
 * "quicklist", as Redis 7.0 says of every list. Elements are kept as given (never changed in place).
 * Used by its shard's thread only.
 */
final class ListValue implements Aggregate {
    private static final int MIN_CAPACITY = 8;

    /** The elements, {@code items[(head + i) & (items.length - 1)]} for index i below {@link #size}. */
    private byte[][] items = new byte[MIN_CAPACITY][];
    private int head;
    private int size;
    /** The heap bytes of the elements' arrays ({@link KeyTable#arrayBytes}), for maxmemory. */
    private long elementBytes;
    /** A rewrite's snapshot writing this list in pieces from its ring as it was; null when none is. */
    private ListSnapshot snapshot;

    @Override
    public String type() {
        return "list";
    }

    @Override
    public String encoding() {
        return "quicklist";
    }

    @Override
    public int size() {
        return size;
    }

    private int slot(int index) {
        return (head + index) & (items.length - 1);
    }

    /** The position of Redis's {@code index} (negative: from the tail), or -1 when it is outside the list (LINDEX, LSET). */
    int position(long index) {
        long at = index < 0 ? size + index : index;
        return at < 0 || at >= size ? -1 : (int) at;
    }

    /** The element at {@code index} (0 to size - 1). */
    byte[] get(int index) {
        return items[slot(index)];
    }

    /** Replaces the element at {@code index}. */
    void set(int index, byte[] value) {
        elementBytes += KeyTable.arrayBytes(value.length) - KeyTable.arrayBytes(items[slot(index)].length);
        store(slot(index), value);
    }

    /** The object and its array of references, and the elements' arrays. */
    @Override
    public long bytes() {
        return 24 + 16 + 4L * items.length + elementBytes;
    }

    /** Adds {@code value} at the head ({@code left}) or the tail. */
    void push(boolean left, byte[] value) {
        if (size == items.length) {
            resize(items.length * 2);
        }
        if (left) {
            head = (head - 1) & (items.length - 1);
            store(head, value);
        } else {
            store(slot(size), value);
        }
        size++;
        elementBytes += KeyTable.arrayBytes(value.length);
    }

    /** Removes and returns the head ({@code left}) or the tail; the list must not be empty. */
    byte[] pop(boolean left) {
        int at = left ? head : slot(size - 1);
        byte[] value = items[at];
        store(at, null);
        elementBytes -= KeyTable.arrayBytes(value.length);
        if (left) {
            head = (head + 1) & (items.length - 1);
        }
        size--;
        shrinkIfSparse();
        return value;
    }

    /** Inserts {@code value} so that it has index {@code index} (0 to size), moving the shorter side. */
    void insert(int index, byte[] value) {
        if (index == 0 || index == size) {
            push(index == 0, value);
            return;
        }
        if (size == items.length) {
            resize(items.length * 2);
        }
        if (index < size / 2) { // the head side is shorter: move it one slot left
            head = (head - 1) & (items.length - 1);
            for (int i = 0; i < index; i++) {
                store(slot(i), items[slot(i + 1)]);
            }
        } else {
            for (int i = size; i > index; i--) {
                store(slot(i), items[slot(i - 1)]);
            }
        }
        store(slot(index), value);
        size++;
        elementBytes += KeyTable.arrayBytes(value.length);
    }

    /** Index of the first element equal to {@code b[offset, offset + length)}, or -1. */
    int indexOf(byte[] b, int offset, int length) {
        for (int i = 0; i < size; i++) {
            if (equal(get(i), b, offset, length)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * LREM: removes up to {@code count} elements equal to {@code b[offset, offset + length)} from the
     * head ({@code count > 0}), from the tail ({@code count < 0}), or all of them (0), in one pass that
     * closes the gaps as it goes; returns how many went.
     */
    int removeMatching(byte[] b, int offset, int length, long count) {
        long limit = count == 0 ? Long.MAX_VALUE : Math.abs(count);
        int removed = 0;
        if (count >= 0) {
            int kept = 0;
            for (int i = 0; i < size; i++) {
                byte[] item = get(i);
                if (removed < limit && equal(item, b, offset, length)) {
                    removed++;
                    elementBytes -= KeyTable.arrayBytes(item.length);
                } else {
                    store(slot(kept++), item);
                }
            }
            for (int i = kept; i < size; i++) {
                store(slot(i), null);
            }
        } else {
            int kept = size;
            for (int i = size - 1; i >= 0; i--) {
                byte[] item = get(i);
                if (removed < limit && equal(item, b, offset, length)) {
                    removed++;
                    elementBytes -= KeyTable.arrayBytes(item.length);
                } else {
                    store(slot(--kept), item);
                }
            }
            for (int i = 0; i < kept; i++) {
                store(slot(i), null);
            }
            head = slot(kept);
        }
        size -= removed;
        shrinkIfSparse();
        return removed;
    }

    /** LTRIM: keeps the elements from {@code start} to {@code stop} (inclusive, within the list; start > stop: none). */
    void trim(int start, int stop) {
        int keep = start > stop ? 0 : stop - start + 1;
        for (int i = 0; i < start && i < size; i++) {
            elementBytes -= KeyTable.arrayBytes(get(i).length);
            store(slot(i), null);
        }
        for (int i = start + keep; i < size; i++) {
            elementBytes -= KeyTable.arrayBytes(get(i).length);
            store(slot(i), null);
        }
        head = keep == 0 ? 0 : slot(start);
        size = keep;
        shrinkIfSparse();
    }

    static boolean equal(byte[] item, byte[] b, int offset, int length) {
        return Arrays.equals(item, 0, item.length, b, offset, offset + length);
    }

    @Override
    public ListValue copy() {
        ListValue copy = new ListValue();
        copy.items = new byte[items.length][];
        for (int i = 0; i < size; i++) {
            copy.items[i] = get(i); // elements are never changed in place: shared
        }
        copy.size = size;
        copy.elementBytes = elementBytes;
        return copy;
    }

    /** Its pieces from the ring as it is now, a segment copied before a command writes over it ({@link ListSnapshot}). */
    @Override
    public RecordPieces snapshotPieces(byte[] key, Supplier<ReplyWriter> out) {
        return beginSnapshot();
    }

    /** A snapshot of it as it is now, read in pieces from its ring ({@link ListSnapshot}); one at a time. */
    ListSnapshot beginSnapshot() {
        snapshot = new ListSnapshot(this, items, head, size);
        return snapshot;
    }

    /** {@code ended} has written its last piece, or was abandoned: writes need not wait for it any more. */
    void snapshotEnded(ListSnapshot ended) {
        if (snapshot == ended) {
            snapshot = null;
        }
    }

    /** One RPUSH of every element, in order. */
    @Override
    public void writeRecords(byte[] key, ReplyWriter w) {
        w.arrayHeader(2L + size).bulk(ListCommands.RPUSH).bulk(key);
        for (int i = 0; i < size; i++) {
            w.bulk(get(i));
        }
    }

    /** Every write of a slot: a snapshot still reading this array copies what it has not written of it first. */
    private void store(int slot, byte[] value) {
        ListSnapshot reading = snapshot;
        if (reading != null && reading.ring == items) {
            reading.beforeWrite(slot);
        }
        items[slot] = value;
    }

    private void shrinkIfSparse() {
        if (items.length > MIN_CAPACITY && size < items.length / 4) {
            resize(items.length / 2);
        }
    }

    private void resize(int capacity) {
        byte[][] fresh = new byte[capacity][];
        for (int i = 0; i < size; i++) {
            fresh[i] = get(i);
        }
        items = fresh;
        head = 0;
    }
}
