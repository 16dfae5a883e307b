package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.function.Supplier;

/**
 * A large hash's, set's or sorted set's records for a rewrite's snapshot, written in pieces while commands
 * change it, with nothing copied: its elements' own {@link KeyTable} takes a snapshot
 * ({@link KeyTable#beginSnapshot}), so an element goes into the snapshot as it is before a command first
 * looks it up, and the rest a scan step a piece. Copying what was left (references and scores), or
 * writing it all when a command looked the key up, paused the shard for time that grew with the aggregate.
 * Elements added after it began are in no piece: the records that added them follow the snapshot. Used by its
 * shard's thread only.
 */
final class ElementSnapshot implements RecordPieces, KeyTable.SnapshotWriter {
    /** Writes one element's arguments of a record. */
    interface ElementWriter {
        void write(KeyTable.Entry element, ReplyWriter w);
    }

    /** How one type writes its elements: the command of its records (HSET, SADD, ZADD) and each element's arguments. */
    record Format(byte[] command, int argumentsPerElement, ElementWriter element) {
    }

    private final KeyTable elements;
    private final byte[] key;
    private final Format format;
    /** The snapshot's buffer now (a rewrite alternates two): where an element a command looks up goes. */
    private final Supplier<ReplyWriter> out;
    /** The elements a walk step met that the snapshot did not hold yet: written as one record after the step. */
    private final ArrayList<KeyTable.Entry> piece = new ArrayList<>();

    ElementSnapshot(KeyTable elements, byte[] key, Format format, Supplier<ReplyWriter> out) {
        this.elements = elements;
        this.key = key;
        this.format = format;
        this.out = out;
        elements.beginSnapshot(this);
    }

    /** A walk step met {@code element}: it joins the piece; a command looks it up: written now, alone. */
    @Override
    public void write(KeyTable.Entry element, boolean lookup) {
        if (lookup) {
            ReplyWriter w = out.get();
            w.arrayHeader(2 + format.argumentsPerElement()).bulk(format.command()).bulk(key);
            format.element().write(element, w);
        } else {
            piece.add(element);
        }
    }

    /** One scan step of the elements the snapshot does not hold yet, as one record (none when all were written already). */
    @Override
    public long writeRecords(byte[] key, ReplyWriter w, long position, int count) {
        long next = elements.walkSnapshot(position, count);
        if (!piece.isEmpty()) {
            w.arrayHeader(2 + (long) format.argumentsPerElement() * piece.size()).bulk(format.command()).bulk(key);
            for (KeyTable.Entry element : piece) {
                format.element().write(element, w);
            }
            piece.clear();
        }
        if (next == 0) {
            elements.endSnapshot(true);
        }
        return next;
    }

    /** The rewrite was abandoned: the elements it did not reach are marked when next used or at the next snapshot. */
    @Override
    public void abandon() {
        piece.clear();
        elements.endSnapshot(false);
    }
}
