package dev.atoll.examples.kv;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A stream as an RDB save's snapshot took it, written a few nodes a step ({@link #step}) while commands change it,
 * with no entry copied: a node that existed when it began is written as it was, either when the walk reaches it (in
 * ID order) or, when a command is about to append to it, mark one of its entries deleted or remove it, just before
 * ({@link StreamValue.NodeWatcher}), out of order — RDB's nodes are keyed by their first ID and a loader (Redis's
 * rax, {@link StreamPayload#read}) takes them in any order. Nodes made after it began are left out. What follows the
 * nodes (length, IDs, entries added, the consumer groups and their pending lists) is encoded when it begins.
 * Used by its shard's thread only.
 */
final class StreamSnapshot implements StreamValue.NodeWatcher {
    /** Snapshot identities, so that a node knows whether this one wrote it ({@link StreamValue.Node#savedBy}). */
    private static final AtomicLong IDS = new AtomicLong();

    private final StreamValue stream;
    private final long id = IDS.incrementAndGet();
    /** The last node that existed when it began: later ones are left out. */
    private final long lastSerial;
    /** Its nodes when it began: what the pair's start says. */
    final long nodes;
    /** What follows the nodes, as it was when it began. */
    private final RdbBuffer tail;
    /** Writes a node a command is about to change, now. */
    private final Consumer<StreamValue.Node> early;
    /** The first ID of the last node the walk passed, or none yet. */
    private long cursorMs;
    private long cursorSeq;
    private boolean walking;
    private long written;

    /** Begins the snapshot of {@code stream}, now; {@code early} writes a node that must go before the walk reaches it. */
    StreamSnapshot(StreamValue stream, boolean compress, Consumer<StreamValue.Node> early) {
        this.stream = stream;
        this.early = early;
        this.lastSerial = stream.lastNodeSerial();
        this.nodes = stream.nodeCount();
        this.tail = new RdbBuffer(64, compress);
        StreamPayload.tail(tail, stream);
        stream.watch(this);
    }

    @Override
    public void beforeChange(StreamValue.Node node) {
        if (node.serial <= lastSerial && node.savedBy != id) {
            node.savedBy = id;
            written++;
            early.accept(node);
        }
    }

    /**
     * Writes the nodes the walk reaches next, not written yet, until about {@code entries} entries, to {@code out};
     * after the last, what follows them, and returns true.
     */
    boolean step(RdbBuffer out, int entries) {
        int i = walking ? stream.nodeAfter(cursorMs, cursorSeq) : 0;
        walking = true;
        int budget = entries;
        for (; i < stream.nodeCount() && budget > 0; i++) {
            StreamValue.Node node = stream.node(i);
            if (node.serial > lastSerial) {
                i = stream.nodeCount(); // made since: it and every later one are left out
                break;
            }
            cursorMs = node.firstMs();
            cursorSeq = node.firstSeq();
            if (node.savedBy != id) {
                node.savedBy = id;
                written++;
                StreamPayload.writeNode(out, node);
                budget -= node.count;
            }
        }
        if (i < stream.nodeCount()) {
            return false;
        }
        stream.watch(null);
        if (written != nodes) { // its start said nodes: a file that would not load
            throw new IllegalStateException("the snapshot of a stream held " + written + " nodes, not the " + nodes + " it had");
        }
        tail.appendTo(out);
        return true;
    }

    /** Abandoned before its end: the stream is no longer watched. */
    void abandon() {
        stream.watch(null);
    }
}
