package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * A large hash's, set's or sorted set's elements as they were when a snapshot took it (the log's rewrite,
 * {@link ElementRecords}; an RDB save, {@link RdbSave}), handed out in pieces while commands change it, with
 * nothing copied: its elements' own {@link KeyTable} takes a snapshot ({@link KeyTable#beginSnapshot}), so an
 * element goes to the {@link Target} as it is before a command first looks it up, and the rest a scan step a
 * piece. Copying what was left (references and scores), or writing it all when a command looked the key up,
 * paused the shard for time that grew with the aggregate. Elements added after it began are in no piece, and
 * each element there at the start is handed out once, so the pieces add up to the count at the start. Used by
 * its shard's thread only.
 */
final class ElementSnapshot implements KeyTable.SnapshotWriter {
    /** Where the elements go. */
    interface Target {
        /** A command is about to look {@code element} up, and maybe change it: it must be written now. */
        void early(KeyTable.Entry element);

        /** The elements a walk step met that the snapshot did not hold yet (not empty), to be written now. */
        void piece(List<KeyTable.Entry> elements);
    }

    private final KeyTable elements;
    private final Target target;
    /** The elements a walk step met that the snapshot did not hold yet: handed out as one piece after the step. */
    private final ArrayList<KeyTable.Entry> piece = new ArrayList<>();

    /** Begins the snapshot of {@code elements}, now. */
    ElementSnapshot(KeyTable elements, Target target) {
        this.elements = elements;
        this.target = target;
        elements.beginSnapshot(this);
    }

    @Override
    public void write(KeyTable.Entry element, boolean lookup) {
        if (lookup) {
            target.early(element);
        } else {
            piece.add(element);
        }
    }

    /**
     * One scan step from {@code position} (0: the first) over about {@code count} elements, those the snapshot
     * does not hold yet handed out as one piece; returns where the next step starts, 0 after the last.
     */
    long step(long position, int count) {
        long next = elements.walkSnapshot(position, count);
        if (!piece.isEmpty()) {
            target.piece(piece);
            piece.clear();
        }
        if (next == 0) {
            elements.endSnapshot(true);
        }
        return next;
    }

    /** Abandoned before its last piece: the elements it did not reach are marked when next used or at the next snapshot. */
    void abandon() {
        piece.clear();
        elements.endSnapshot(false);
    }
}
