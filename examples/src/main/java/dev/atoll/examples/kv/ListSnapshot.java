package dev.atoll.examples.kv;

/**
 * A list's elements for a snapshot (a rewrite's records, an RDB save's value), written in pieces while commands
 * change it: the pieces read the list's blocks as they were when the snapshot took the list ({@link ListValue}),
 * and a block that a command is about to write into ({@link #beforeWrite}) is copied first if the snapshot has
 * elements of it still to write: at most {@link ListValue#BLOCK} references for a push or pop. Copying all of a
 * list when a command first looked it up paused the shard for 27–31 ms at 1.1 M elements. A block the list
 * dropped, or replaced by a larger or smaller one, is never written again. Used by its shard's thread only.
 */
final class ListSnapshot implements RecordPieces {
    private final ListValue list;
    /** The list's blocks as they were, in order; a block the list was about to write into, replaced by its copy. */
    private final byte[][][] blocks;
    /** Element i is at position {@code offset + i} of {@link #blocks}, as in {@link ListValue}. */
    private final int offset;
    private final int size;
    /** The list's number of {@code blocks[0]} ({@link ListValue}'s numbering, which a block keeps while in the list). */
    private final int firstNumber;
    /** The elements before this one are written. */
    private int written;

    ListSnapshot(ListValue list, byte[][][] blocks, int offset, int size, int firstNumber) {
        this.list = list;
        this.blocks = blocks;
        this.offset = offset;
        this.size = size;
        this.firstNumber = firstNumber;
    }

    /**
     * The list is about to write into {@code block}, its block numbered {@code number}: copied first if it is
     * one of the snapshot's and holds an element the snapshot has still to write.
     */
    void beforeWrite(byte[][] block, int number) {
        int k = number - firstNumber;
        if (k >= 0 && k < blocks.length && blocks[k] == block
                && Math.min(size, ((k + 1) << ListValue.BLOCK_SHIFT) - offset) > written) {
            blocks[k] = block.clone();
        }
    }

    private byte[] element(int index) {
        int position = offset + index;
        return blocks[position >>> ListValue.BLOCK_SHIFT][position & (ListValue.BLOCK - 1)];
    }

    /** How many elements the snapshot holds: the list's when it began. */
    int size() {
        return size;
    }

    /**
     * Hands the elements at {@code [position, position + count)} to {@code visitor} in order; returns where the next
     * piece starts, 0 after the last (the list then no longer copies anything for it).
     */
    long visit(long position, int count, java.util.function.Consumer<byte[]> visitor) {
        int from = (int) position;
        int to = (int) Math.min(size, (long) from + count);
        for (int i = from; i < to; i++) {
            visitor.accept(element(i));
        }
        written = to;
        if (to == size) {
            list.snapshotEnded(this);
            return 0;
        }
        return to;
    }

    /** One RPUSH of the elements at {@code [position, position + count)}: the pieces append in order. */
    @Override
    public long writeRecords(byte[] key, ReplyWriter w, long position, int count) {
        w.arrayHeader(2L + Math.min(size - position, count)).bulk(ListCommands.RPUSH).bulk(key);
        return visit(position, count, w::bulk);
    }

    @Override
    public void abandon() {
        list.snapshotEnded(this);
    }
}
