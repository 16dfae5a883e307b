package dev.atoll.examples.kv;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * A list: a deque of blocks of element references, as a quicklist is of nodes, so that a push or pop at
 * either end is O(1) and never copies the list: a block of {@link #BLOCK} references is added or dropped
 * at an end, and the ring of blocks that grows or shrinks beside them holds one reference a block. A
 * flat array that doubled or halved paused the shard for 6–25 ms on each resize of a list of 0.25–1 M
 * elements. An index is still two array accesses ({@link #get}), and a range is read without walking
 * nodes. A list of up to {@link #BLOCK} elements has one block, sized to it (8 references and up) and
 * moved to the middle of a new one when an end is full. OBJECT ENCODING says "quicklist", as Redis 7.0
 * says of every list. Elements are kept as given (never changed in place). Used by its shard's thread only.
 */
final class ListValue implements Aggregate {
    static final int BLOCK_SHIFT = 10;
    /** References a full block holds: 4 KB with compressed references, a copy of well under 50 µs. */
    static final int BLOCK = 1 << BLOCK_SHIFT;
    private static final int BLOCK_MASK = BLOCK - 1;
    private static final int MIN_CAPACITY = 8;
    /** The ring of blocks is not halved below this length. */
    private static final int MIN_RING = 4;

    /**
     * The ring of blocks: block k of the list (0 the first) is {@code blocks[(first + k) & (blocks.length - 1)]}.
     * With more than one block, each is {@link #BLOCK} long; a single block is 8 to {@code BLOCK} long.
     */
    private byte[][][] blocks = {new byte[MIN_CAPACITY][]};
    private int first;
    private int blockCount = 1;
    /**
     * A number of the first block that goes down by one when a block is added before it and up by one when it
     * is dropped, so that a block keeps its number while it is in the list ({@link ListSnapshot#beforeWrite}).
     */
    private int firstNumber;
    /** Element i is at position {@code offset + i}: slot {@code position & BLOCK_MASK} of block {@code position >>> BLOCK_SHIFT}. */
    private int offset = MIN_CAPACITY / 2;
    private int size;
    /** The heap bytes of the elements' arrays ({@link KeyTable#arrayBytes}), for maxmemory. */
    private long elementBytes;
    /** A snapshot writing this list in pieces from its blocks as they were; null when none is. */
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

    private byte[][] block(int position) {
        return blocks[(first + (position >>> BLOCK_SHIFT)) & (blocks.length - 1)];
    }

    /** Where the blocks end: the position after the last block's last slot. */
    private int end() {
        return blockCount == 1 ? blocks[first].length : blockCount << BLOCK_SHIFT;
    }

    /** The position of Redis's {@code index} (negative: from the tail), or -1 when it is outside the list (LINDEX, LSET). */
    int position(long index) {
        long at = index < 0 ? size + index : index;
        return at < 0 || at >= size ? -1 : (int) at;
    }

    /** The element at {@code index} (0 to size - 1). */
    byte[] get(int index) {
        int position = offset + index;
        return block(position)[position & BLOCK_MASK];
    }

    /** Replaces the element at {@code index}. */
    void set(int index, byte[] value) {
        elementBytes += KeyTable.arrayBytes(value.length) - KeyTable.arrayBytes(get(index).length);
        put(index, value);
    }

    /** The object, its ring and its blocks, and the elements' arrays. */
    @Override
    public long bytes() {
        long blockBytes = blockCount == 1 ? 16 + 4L * blocks[first].length : blockCount * (16 + 4L * BLOCK);
        return 48 + 16 + 4L * blocks.length + blockBytes + elementBytes;
    }

    /** Adds {@code value} at the head ({@code left}) or the tail. */
    void push(boolean left, byte[] value) {
        if (left) {
            if (offset == 0) {
                makeRoom(true);
            }
            offset--;
            put(0, value);
        } else {
            if (offset + size == end()) {
                makeRoom(false);
            }
            put(size, value);
        }
        size++;
        elementBytes += KeyTable.arrayBytes(value.length);
    }

    /** Removes and returns the head ({@code left}) or the tail; the list must not be empty. */
    byte[] pop(boolean left) {
        int index = left ? 0 : size - 1;
        byte[] value = get(index);
        put(index, null);
        elementBytes -= KeyTable.arrayBytes(value.length);
        if (left) {
            offset++;
        }
        size--;
        dropEmptyBlocks();
        return value;
    }

    /** Inserts {@code value} so that it has index {@code index} (0 to size), moving the shorter side. */
    void insert(int index, byte[] value) {
        if (index == 0 || index == size) {
            push(index == 0, value);
            return;
        }
        if (index < size / 2) { // the head side is shorter: it moves one place towards the head
            push(true, get(0));
            for (int i = 1; i < index; i++) {
                put(i, get(i + 1));
            }
        } else {
            push(false, get(size - 1));
            for (int i = size - 2; i > index; i--) {
                put(i, get(i - 1));
            }
        }
        elementBytes += KeyTable.arrayBytes(value.length) - KeyTable.arrayBytes(get(index).length);
        put(index, value);
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
     * LREM: removes up to {@code count} elements equal to {@code b[from, from + length)} from the
     * head ({@code count > 0}), from the tail ({@code count < 0}), or all of them (0), in one pass that
     * closes the gaps as it goes; returns how many went.
     */
    int removeMatching(byte[] b, int from, int length, long count) {
        long limit = count == 0 ? Long.MAX_VALUE : Math.abs(count);
        int removed = 0;
        if (count >= 0) {
            int kept = 0;
            for (int i = 0; i < size; i++) {
                byte[] item = get(i);
                if (removed < limit && equal(item, b, from, length)) {
                    removed++;
                    elementBytes -= KeyTable.arrayBytes(item.length);
                } else {
                    put(kept++, item);
                }
            }
            cutTail(removed);
        } else {
            int kept = size;
            for (int i = size - 1; i >= 0; i--) {
                byte[] item = get(i);
                if (removed < limit && equal(item, b, from, length)) {
                    removed++;
                    elementBytes -= KeyTable.arrayBytes(item.length);
                } else {
                    put(--kept, item);
                }
            }
            cutHead(removed);
        }
        return removed;
    }

    /** LTRIM: keeps the elements from {@code start} to {@code stop} (inclusive, within the list; start > stop: none). */
    void trim(int start, int stop) {
        int keep = start > stop ? 0 : stop - start + 1;
        int before = keep == 0 ? size : start; // the elements before the kept ones: all when none is kept
        // only the elements that go are visited: a capped list's LPUSH and LTRIM stays O(1)
        for (int i = 0; i < before; i++) {
            elementBytes -= KeyTable.arrayBytes(get(i).length);
        }
        for (int i = before + keep; i < size; i++) {
            elementBytes -= KeyTable.arrayBytes(get(i).length);
        }
        cutHead(before);
        cutTail(size - keep);
    }

    static boolean equal(byte[] item, byte[] b, int offset, int length) {
        return Arrays.equals(item, 0, item.length, b, offset, offset + length);
    }

    @Override
    public ListValue copy() {
        ListValue copy = new ListValue();
        for (int i = 0; i < size; i++) {
            copy.push(false, get(i)); // elements are never changed in place: shared
        }
        return copy;
    }

    /** Its pieces from the blocks as they are now, a block copied before a command writes into it ({@link ListSnapshot}). */
    @Override
    public RecordPieces snapshotPieces(byte[] key, Supplier<ReplyWriter> out) {
        return beginSnapshot();
    }

    /** A snapshot of it as it is now, read in pieces from its blocks ({@link ListSnapshot}); one at a time. */
    ListSnapshot beginSnapshot() {
        byte[][][] inOrder = new byte[blockCount][][];
        for (int k = 0; k < blockCount; k++) {
            inOrder[k] = blocks[(first + k) & (blocks.length - 1)];
        }
        snapshot = new ListSnapshot(this, inOrder, offset, size, firstNumber);
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

    /** Every write into a block: a snapshot still to write elements of that block copies it first. */
    private void put(int index, byte[] value) {
        int position = offset + index;
        byte[][] block = block(position);
        ListSnapshot reading = snapshot;
        if (reading != null) {
            reading.beforeWrite(block, firstNumber + (position >>> BLOCK_SHIFT));
        }
        block[position & BLOCK_MASK] = value;
    }

    /** Removes the first {@code count} elements (their bytes already taken off). */
    private void cutHead(int count) {
        for (int i = 0; i < count; i++) {
            put(i, null);
        }
        offset += count;
        size -= count;
        dropEmptyBlocks();
    }

    /** Removes the last {@code count} elements (their bytes already taken off). */
    private void cutTail(int count) {
        for (int i = size - count; i < size; i++) {
            put(i, null);
        }
        size -= count;
        dropEmptyBlocks();
    }

    /**
     * No slot is free before the head ({@code atHead}) or after the tail: a single block not yet full size moves
     * its elements to the middle of a block of its size (if at most half full) or of twice it; otherwise a
     * block is added at that end.
     */
    private void makeRoom(boolean atHead) {
        if (blockCount == 1 && blocks[first].length < BLOCK) {
            recentre();
            return;
        }
        if (blockCount == blocks.length) {
            resizeRing(blocks.length * 2);
        }
        byte[][] block = new byte[BLOCK][];
        if (atHead) {
            first = (first - 1) & (blocks.length - 1);
            blocks[first] = block;
            firstNumber--;
            offset += BLOCK;
        } else {
            blocks[(first + blockCount) & (blocks.length - 1)] = block;
        }
        blockCount++;
    }

    /** The single block's elements in the middle of a block as long (at most half full) or twice as long. */
    private void recentre() {
        byte[][] block = blocks[first];
        moveTo(size <= block.length / 2 ? block.length : block.length * 2);
    }

    /**
     * Drops the blocks the elements left at either end, and halves a single block that is less than a quarter
     * full and the ring when it is less than a quarter used.
     */
    private void dropEmptyBlocks() {
        while (blockCount > 1 && offset >= BLOCK) {
            blocks[first] = null;
            first = (first + 1) & (blocks.length - 1);
            blockCount--;
            firstNumber++;
            offset -= BLOCK;
        }
        while (blockCount > 1 && offset + size <= (blockCount - 1) << BLOCK_SHIFT) {
            blocks[(first + blockCount - 1) & (blocks.length - 1)] = null;
            blockCount--;
        }
        if (blocks.length > MIN_RING && blockCount < blocks.length / 4) {
            resizeRing(blocks.length / 2);
        }
        if (blockCount == 1 && blocks[first].length > MIN_CAPACITY && size < blocks[first].length / 4) {
            moveTo(blocks[first].length / 2);
        }
    }

    /** The single block's elements moved to the middle of a block of {@code length}: a new one, or this one if as long. */
    private void moveTo(int length) {
        byte[][] block = blocks[first];
        int start = (length - size) / 2;
        if (length == block.length) {
            ListSnapshot reading = snapshot;
            if (reading != null) {
                reading.beforeWrite(block, firstNumber);
            }
            System.arraycopy(block, offset, block, start, size);
            if (start < offset) {
                Arrays.fill(block, Math.max(start + size, offset), offset + size, null);
            } else {
                Arrays.fill(block, offset, Math.min(start, offset + size), null);
            }
        } else {
            byte[][] moved = new byte[length][];
            System.arraycopy(block, offset, moved, start, size);
            blocks[first] = moved;
        }
        offset = start;
    }

    /** The ring of blocks, in order from index 0 of a ring of {@code length}. */
    private void resizeRing(int length) {
        byte[][][] ring = new byte[length][][];
        for (int k = 0; k < blockCount; k++) {
            ring[k] = blocks[(first + k) & (blocks.length - 1)];
        }
        blocks = ring;
        first = 0;
    }
}
