package dev.atoll.examples.kv;

import java.util.List;
import java.util.function.Supplier;

/**
 * A large hash's, set's or sorted set's records for a rewrite's snapshot, from its {@link ElementSnapshot}: an
 * element a command looks up first is written at once as one record of its own (HSET, SADD or ZADD), each walk
 * step's piece as one record. Used by its shard's thread only.
 */
final class ElementRecords implements RecordPieces, ElementSnapshot.Target {
    /** Writes one element's arguments of a record. */
    interface ElementWriter {
        void write(KeyTable.Entry element, ReplyWriter w);
    }

    /** How one type writes its elements: the command of its records (HSET, SADD, ZADD) and each element's arguments. */
    record Format(byte[] command, int argumentsPerElement, ElementWriter element) {
    }

    private final byte[] key;
    private final Format format;
    /** The snapshot's buffer now (a rewrite alternates two): where an element a command looks up goes. */
    private final Supplier<ReplyWriter> out;
    /** The buffer of the piece being written ({@link #writeRecords}). */
    private ReplyWriter pieceOut;
    private final ElementSnapshot snapshot;

    ElementRecords(KeyTable elements, byte[] key, Format format, Supplier<ReplyWriter> out) {
        this.key = key;
        this.format = format;
        this.out = out;
        this.snapshot = new ElementSnapshot(elements, this);
    }

    @Override
    public void early(KeyTable.Entry element) {
        ReplyWriter w = out.get();
        w.arrayHeader(2 + format.argumentsPerElement()).bulk(format.command()).bulk(key);
        format.element().write(element, w);
    }

    @Override
    public void piece(List<KeyTable.Entry> elements) {
        ReplyWriter w = pieceOut;
        w.arrayHeader(2 + (long) format.argumentsPerElement() * elements.size()).bulk(format.command()).bulk(key);
        for (KeyTable.Entry element : elements) {
            format.element().write(element, w);
        }
    }

    /** One scan step of the elements the snapshot does not hold yet, as one record (none when all were written already). */
    @Override
    public long writeRecords(byte[] key, ReplyWriter w, long position, int count) {
        pieceOut = w;
        try {
            return snapshot.step(position, count);
        } finally {
            pieceOut = null;
        }
    }

    @Override
    public void abandon() {
        snapshot.abandon();
    }
}
