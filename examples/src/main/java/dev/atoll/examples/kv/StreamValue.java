package dev.atoll.examples.kv;

import java.util.Arrays;

/**
 * A stream in Redis's "stream" encoding, the Atoll way: its entries in ID order in {@link Node}s of
 * at most {@link #NODE_MAX_ENTRIES} entries (Redis's stream-node-max-entries) or about
 * {@link #NODE_MAX_BYTES} bytes (stream-node-max-bytes), as Redis keeps a radix tree of listpacks;
 * the nodes sit in an array ordered by their first ID, so an append touches the last one and a range
 * starts with two binary searches. A node packs its entries' fields and values into one byte array
 * and their IDs into one long array: no object per entry. An XADD copies its fields into the last
 * node's array (which doubles as it fills: amortized, no allocation for most appends) and allocates
 * a node (three arrays) once per 100 entries.
 *
 * <p>Deletion marks an entry deleted in its node, as Redis's listpacks do; a node whose entries are
 * all deleted goes. Trimming follows Redis's streamTrim node by node, so {@code ~} removes whole
 * nodes only and reports what Redis would. The bookkeeping Redis 7.0 keeps — the last ID, the first
 * ID as recorded, the largest deleted ID, the count of entries ever added — is kept here too (XINFO
 * STREAM shows it). An empty stream stays a key, as in Redis. Used by its shard's thread only.
 */
final class StreamValue implements Aggregate {
    /** Redis's stream-node-max-entries default: a node takes at most this many entries, deleted ones included. */
    static final int NODE_MAX_ENTRIES = 100;
    /** Redis's stream-node-max-bytes default: a node whose packed bytes would reach it takes no more (an estimate of Redis's listpack size). */
    static final int NODE_MAX_BYTES = 4096;
    /** Redis's default LIMIT of a {@code ~} trim: 100 nodes' worth. */
    static final long DEFAULT_APPROX_LIMIT = 100L * NODE_MAX_ENTRIES;
    private static final byte DELETED = 1;
    /** The heap bytes of this object (maxmemory's estimate): header, the node array's reference and the counters. */
    private static final int OBJECT_BYTES = 96;
    private static final int ARRAY_HEADER = 16;

    /** Entries packed: their IDs in {@link #ids}, their flag, pair count, then each field and value (varint length, bytes) in {@link #data}. */
    static final class Node {
        long[] ids;
        int[] starts;
        byte[] data;
        /** Entries, deleted ones included. */
        int count;
        int live;
        int used;
        /** Its place in the order the stream made its nodes: a snapshot leaves out those made after it began. */
        long serial;
        /** The snapshot ({@link StreamSnapshot#id}) that wrote it already, else 0. */
        long savedBy;

        /** Room for {@code entries} entries in {@code bytes} packed bytes (it grows past them). */
        Node(int entries, int bytes) {
            ids = new long[2 * entries];
            starts = new int[entries];
            data = new byte[bytes];
        }

        long firstMs() {
            return ids[0];
        }

        long firstSeq() {
            return ids[1];
        }

        long ms(int i) {
            return ids[2 * i];
        }

        long seq(int i) {
            return ids[2 * i + 1];
        }

        boolean deleted(int i) {
            return data[starts[i]] == DELETED;
        }

        long footprint() {
            return 32 + 3L * ARRAY_HEADER + 8L * ids.length + 4L * starts.length + data.length;
        }

        /** The first entry whose ID is at least {@code ms-seq}; {@link #count} when none is. */
        int lowerBound(long ms, long seq) {
            int lo = 0;
            int hi = count;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (StreamId.compare(ms(mid), seq(mid), ms, seq) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    private Node[] nodes = new Node[4];
    private int nodeCount;
    /** The serial of the last node made ({@link Node#serial}). */
    private long nodeSerials;
    /** An RDB save's snapshot writing this stream a few nodes a step, or null: told before a node changes. */
    private NodeWatcher watcher;
    private long length;
    private long bytes = OBJECT_BYTES + ARRAY_HEADER + 4L * 4;
    /** What Redis 7.0 keeps: the last ID given, the first entry's ID as last recorded, the largest ID deleted, entries ever added. */
    final StreamId lastId = new StreamId();
    final StreamId firstId = new StreamId();
    final StreamId maxDeletedId = new StreamId();
    long entriesAdded;
    /** Its consumer groups by name; null until the first is made (most streams have none). */
    private java.util.TreeMap<byte[], StreamGroup> groups;

    @Override
    public String type() {
        return "stream";
    }

    @Override
    public String encoding() {
        return "stream";
    }

    /** Its entries, capped at the int {@link Aggregate#size} is; unlike another aggregate's, 0 leaves the key (an emptied stream stays). */
    @Override
    public int size() {
        return (int) Math.min(length, Integer.MAX_VALUE);
    }

    long length() {
        return length;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    int nodeCount() {
        return nodeCount;
    }

    Node node(int i) {
        return nodes[i];
    }

    // ---- appending ----

    /**
     * Appends the entry {@code ms-seq} (greater than {@link #lastId}: the caller checked) with the
     * field-value pairs that are arguments {@code [from, to)} of {@code r}; counts it in
     * {@link #entriesAdded} and makes it the last ID.
     */
    void append(long ms, long seq, Request r, int from, int to) {
        int size = 1 + varintSize((to - from) / 2);
        int raw = 0;
        for (int i = from; i < to; i++) {
            size += varintSize(r.length(i)) + r.length(i);
            raw += r.length(i);
        }
        Node node = nodeCount == 0 ? null : nodes[nodeCount - 1];
        if (node == null || node.count >= NODE_MAX_ENTRIES || node.used + raw >= NODE_MAX_BYTES) {
            node = addNode();
        } else if (watcher != null) {
            watcher.beforeChange(node);
        }
        bytes -= node.footprint();
        if (2 * node.count + 2 > node.ids.length) {
            node.ids = Arrays.copyOf(node.ids, Math.min(2 * NODE_MAX_ENTRIES, Math.max(16, node.ids.length * 2)));
        }
        if (node.count == node.starts.length) {
            node.starts = Arrays.copyOf(node.starts, Math.min(NODE_MAX_ENTRIES, Math.max(8, node.starts.length * 2)));
        }
        if (node.used + size > node.data.length) {
            node.data = Arrays.copyOf(node.data, Math.max(node.used + size, node.data.length * 2));
        }
        node.ids[2 * node.count] = ms;
        node.ids[2 * node.count + 1] = seq;
        node.starts[node.count] = node.used;
        byte[] d = node.data;
        int at = node.used;
        d[at++] = 0;
        at = putVarint(d, at, (to - from) / 2);
        for (int i = from; i < to; i++) {
            at = putVarint(d, at, r.length(i));
            System.arraycopy(r.bytes, r.offset(i), d, at, r.length(i));
            at += r.length(i);
        }
        node.used = at;
        node.count++;
        node.live++;
        bytes += node.footprint();
        if (length == 0) {
            firstId.set(ms, seq);
        }
        length++;
        entriesAdded++;
        lastId.set(ms, seq);
    }

    private Node addNode() {
        if (nodeCount == nodes.length) {
            bytes += 4L * nodes.length;
            nodes = Arrays.copyOf(nodes, nodes.length * 2);
        }
        // A stream's first node grows from small (most streams are short); the nodes after it start at the
        // size the last one reached, so a long stream's appends copy nothing while a node fills.
        Node previous = nodeCount == 0 ? null : nodes[nodeCount - 1];
        Node node = previous == null ? new Node(8, 256) : new Node(NODE_MAX_ENTRIES, previous.used + previous.used / 8);
        node.serial = ++nodeSerials;
        nodes[nodeCount++] = node;
        bytes += node.footprint();
        return node;
    }

    private void removeNode(int i) {
        bytes -= nodes[i].footprint();
        System.arraycopy(nodes, i + 1, nodes, i, nodeCount - i - 1);
        nodes[--nodeCount] = null;
    }

    private static int varintSize(int v) {
        return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
    }

    private static int putVarint(byte[] d, int at, int v) {
        while ((v & ~0x7F) != 0) {
            d[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        d[at++] = (byte) v;
        return at;
    }

    /** Reads the varint at {@code cursor[0]} of {@code d}, moving the cursor past it. */
    private static int varint(byte[] d, int[] cursor) {
        int at = cursor[0];
        int v = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = d[at++];
            v |= (b & 0x7F) << shift;
            if (b >= 0) {
                cursor[0] = at;
                return v;
            }
        }
    }

    // ---- finding and reading ----

    /** The last node whose first ID is at most {@code ms-seq}; 0 when none is (the first node, or none). */
    int nodeFor(long ms, long seq) {
        int lo = 0;
        int hi = nodeCount - 1;
        int found = 0;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (StreamId.compare(nodes[mid].firstMs(), nodes[mid].firstSeq(), ms, seq) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /**
     * Writes the live entries from {@code start} to {@code end} (both included), in ID order or
     * reversed ({@code rev}: from {@code end} down), at most {@code count} of them (0: all), each
     * as Redis replies it: an array of the ID and the array of fields and values. Returns how many;
     * when {@code out} is null only counts. {@code idScratch} holds an ID's digits.
     */
    long range(StreamId start, StreamId end, long count, boolean rev, ReplyWriter out, byte[] idScratch, int[] cursor) {
        if (nodeCount == 0 || start.compareTo(end) > 0) {
            return 0;
        }
        long emitted = 0;
        if (!rev) {
            int n = nodeFor(start.ms, start.seq);
            int i = nodes[n].lowerBound(start.ms, start.seq);
            for (; n < nodeCount; n++, i = 0) {
                Node node = nodes[n];
                for (; i < node.count; i++) {
                    if (StreamId.compare(node.ms(i), node.seq(i), end.ms, end.seq) > 0 || (count > 0 && emitted == count)) {
                        return emitted;
                    }
                    if (!node.deleted(i)) {
                        writeEntry(node, i, out, idScratch, cursor);
                        emitted++;
                    }
                }
            }
        } else {
            int n = nodeFor(end.ms, end.seq);
            int i = nodes[n].lowerBound(end.ms, end.seq);
            if (i == nodes[n].count || StreamId.compare(nodes[n].ms(i), nodes[n].seq(i), end.ms, end.seq) > 0) {
                i--; // the last entry at most end
            }
            for (; n >= 0; n--, i = n >= 0 ? nodes[n].count - 1 : 0) {
                Node node = nodes[n];
                for (; i >= 0; i--) {
                    if (StreamId.compare(node.ms(i), node.seq(i), start.ms, start.seq) < 0 || (count > 0 && emitted == count)) {
                        return emitted;
                    }
                    if (!node.deleted(i)) {
                        writeEntry(node, i, out, idScratch, cursor);
                        emitted++;
                    }
                }
            }
        }
        return emitted;
    }

    /** The field-value pairs of entry {@code i} of {@code node}, each field before its value (an RDB file's listpack). */
    static byte[][] pairs(Node node, int i) {
        int[] cursor = {node.starts[i] + 1};
        byte[][] pairs = new byte[2 * varint(node.data, cursor)][];
        for (int k = 0; k < pairs.length; k++) {
            int len = varint(node.data, cursor);
            pairs[k] = Arrays.copyOfRange(node.data, cursor[0], cursor[0] + len);
            cursor[0] += len;
        }
        return pairs;
    }

    /** Entry {@code i} of {@code node} as Redis replies it: {@code [id, [field, value, ...]]}. */
    static void writeEntry(Node node, int i, ReplyWriter out, byte[] idScratch, int[] cursor) {
        if (out == null) {
            return;
        }
        out.arrayHeader(2).bulk(idScratch, 0, StreamId.format(node.ms(i), node.seq(i), idScratch));
        byte[] d = node.data;
        cursor[0] = node.starts[i] + 1;
        int pairs = varint(d, cursor);
        out.arrayHeader(2L * pairs);
        for (int k = 0; k < 2 * pairs; k++) {
            int len = varint(d, cursor);
            out.bulk(d, cursor[0], len);
            cursor[0] += len;
        }
    }

    /** The live entry with the smallest ({@code first}) or largest ID into {@code into}; false when there is none. */
    boolean edge(boolean first, StreamId into) {
        for (int k = 0; k < nodeCount; k++) {
            Node node = nodes[first ? k : nodeCount - 1 - k];
            for (int j = 0; j < node.count; j++) {
                int i = first ? j : node.count - 1 - j;
                if (!node.deleted(i)) {
                    into.set(node.ms(i), node.seq(i));
                    return true;
                }
            }
        }
        return false;
    }

    // ---- deleting and trimming ----

    /** Marks the entry {@code ms-seq} deleted (its node goes with its last live entry); false when there is none live. */
    boolean delete(long ms, long seq) {
        if (nodeCount == 0) {
            return false;
        }
        int n = nodeFor(ms, seq);
        Node node = nodes[n];
        int i = node.lowerBound(ms, seq);
        if (i == node.count || node.ms(i) != ms || node.seq(i) != seq || node.deleted(i)) {
            return false;
        }
        if (watcher != null) {
            watcher.beforeChange(node);
        }
        node.data[node.starts[i]] = DELETED;
        node.live--;
        length--;
        if (node.live == 0) {
            removeNode(n);
        }
        return true;
    }

    /** XDEL's bookkeeping after its deletions, as Redis 7.0's xdelCommand: the largest deleted ID and the first ID. */
    void deleted(StreamId id, boolean wasFirst) {
        if (id.compareTo(maxDeletedId) > 0) {
            maxDeletedId.set(id);
        }
        if (length == 0) {
            firstId.set(0, 0);
        } else if (wasFirst) {
            edge(true, firstId);
        }
    }

    /**
     * Redis's streamTrim: removes entries from the head while the stream is longer than
     * {@code maxLen} (or, with {@code minId} not null, while they are below it), node by node; with
     * {@code approx} only whole nodes; stops before a node that would take the removed count over
     * {@code limit} (0: no limit). Returns how many it removed.
     */
    long trim(long maxLen, StreamId minId, boolean approx, long limit) {
        long deleted = 0;
        while (nodeCount > 0) {
            if (minId == null && length <= maxLen) {
                break;
            }
            Node node = nodes[0];
            int entries = node.live;
            if (limit != 0 && deleted + entries > limit) {
                break;
            }
            if (watcher != null) {
                watcher.beforeChange(node); // removed or some of its entries marked: a snapshot writes it first
            }
            boolean removeNode = minId == null ? length - entries >= maxLen
                    : StreamId.compare(node.ms(node.count - 1), node.seq(node.count - 1), minId.ms, minId.seq) < 0;
            if (removeNode) {
                removeNode(0);
                length -= entries;
                deleted += entries;
                continue;
            }
            if (approx) {
                break;
            }
            for (int i = 0; i < node.count; i++) {
                if (node.deleted(i)) {
                    continue;
                }
                if (minId == null ? length <= maxLen : StreamId.compare(node.ms(i), node.seq(i), minId.ms, minId.seq) >= 0) {
                    break;
                }
                node.data[node.starts[i]] = DELETED;
                node.live--;
                length--;
                deleted++;
            }
            break;
        }
        if (length == 0) {
            firstId.set(0, 0);
        } else {
            edge(true, firstId);
        }
        return deleted;
    }

    // ---- Redis's radix tree, for XINFO ----

    /**
     * How many nodes Redis's radix tree (rax) would have for this stream's node keys (each node's
     * first ID as 16 big-endian bytes): XINFO STREAM's radix-tree-nodes. A compressed rax node holds a
     * run of bytes its keys share, a branching one a byte per child, and each key ends at a leaf.
     */
    long raxNodes() {
        return nodeCount == 0 ? 1 : raxNodes(0, nodeCount, 0);
    }

    private long raxNodes(int from, int to, int depth) {
        if (depth == 16) {
            return 1;
        }
        int shared = 16 - depth;
        for (int k = from + 1; k < to; k++) {
            shared = Math.min(shared, commonBytes(k - 1, k, depth));
        }
        if (shared > 0) {
            return 1 + raxNodes(from, to, depth + shared);
        }
        long total = 1;
        for (int k = from; k < to; ) {
            int next = k + 1;
            while (next < to && keyByte(next, depth) == keyByte(k, depth)) {
                next++;
            }
            total += raxNodes(k, next, depth + 1);
            k = next;
        }
        return total;
    }

    private int commonBytes(int a, int b, int depth) {
        int n = 0;
        while (depth + n < 16 && keyByte(a, depth + n) == keyByte(b, depth + n)) {
            n++;
        }
        return n;
    }

    private int keyByte(int node, int at) {
        long part = at < 8 ? nodes[node].firstMs() : nodes[node].firstSeq();
        return (int) (part >>> (8 * (7 - (at & 7)))) & 0xFF;
    }

    // ---- consumer groups ----

    /** The group named {@code name}, or null. */
    StreamGroup group(byte[] name) {
        return groups == null ? null : groups.get(name);
    }

    void addGroup(StreamGroup g) {
        if (groups == null) {
            groups = new java.util.TreeMap<>(StreamGroup.BY_NAME);
        }
        groups.put(g.name, g);
    }

    void removeGroup(byte[] name) {
        if (groups != null) {
            groups.remove(name);
        }
    }

    int groupCount() {
        return groups == null ? 0 : groups.size();
    }

    /** Told before a command changes or removes a node that existed when it began watching ({@link StreamSnapshot}). */
    interface NodeWatcher {
        void beforeChange(Node node);
    }

    /** Starts (or, with null, ends) telling {@code w} before a node changes: one at a time. */
    void watch(NodeWatcher w) {
        if (w != null && watcher != null) {
            throw new IllegalStateException("a stream watched by two snapshots");
        }
        watcher = w;
    }

    long lastNodeSerial() {
        return nodeSerials;
    }

    /** The first node whose first ID is above {@code ms-seq}; {@link #nodeCount()} when none is. */
    int nodeAfter(long ms, long seq) {
        int lo = 0;
        int hi = nodeCount;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (StreamId.compare(nodes[mid].firstMs(), nodes[mid].firstSeq(), ms, seq) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Its groups in name order. */
    Iterable<StreamGroup> groups() {
        return groups == null ? java.util.List.of() : groups.values();
    }

    // ---- copies and records ----

    /** A copy sharing no array: the same nodes, deleted entries and bookkeeping. */
    @Override
    public StreamValue copy() {
        StreamValue copy = new StreamValue();
        copy.nodes = new Node[nodes.length];
        for (int i = 0; i < nodeCount; i++) {
            Node from = nodes[i];
            Node to = new Node(0, 0);
            to.ids = from.ids.clone();
            to.starts = from.starts.clone();
            to.data = from.data.clone();
            to.count = from.count;
            to.live = from.live;
            to.used = from.used;
            copy.nodes[i] = to;
        }
        copy.nodeCount = nodeCount;
        copy.length = length;
        copy.bytes = bytes;
        copy.lastId.set(lastId);
        copy.firstId.set(firstId);
        copy.maxDeletedId.set(maxDeletedId);
        copy.entriesAdded = entriesAdded;
        for (StreamGroup g : groups()) {
            copy.addGroup(g.copy());
        }
        return copy;
    }

    /**
     * One XADD per live entry with its ID, then an XSETID that restores the last ID, the entries
     * added and the largest deleted ID (a stream with no entry is made by that XSETID's record
     * alone: {@link StreamCommands#replay} reads it as creating the key), then its consumer groups'
     * records ({@link StreamGroupCommands#writeRecords}).
     */
    @Override
    public void writeRecords(byte[] key, ReplyWriter w) {
        byte[] id = new byte[41];
        int[] cursor = new int[1];
        for (int n = 0; n < nodeCount; n++) {
            Node node = nodes[n];
            for (int i = 0; i < node.count; i++) {
                if (node.deleted(i)) {
                    continue;
                }
                cursor[0] = node.starts[i] + 1;
                int pairs = varint(node.data, cursor);
                w.arrayHeader(3 + 2L * pairs).bulk(StreamCommands.XADD).bulk(key)
                        .bulk(id, 0, StreamId.format(node.ms(i), node.seq(i), id));
                for (int k = 0; k < 2 * pairs; k++) {
                    int len = varint(node.data, cursor);
                    w.bulk(node.data, cursor[0], len);
                    cursor[0] += len;
                }
            }
        }
        StreamCommands.writeSetId(w, key, this, id);
        StreamGroupCommands.writeRecords(key, this, w, id);
    }
}
