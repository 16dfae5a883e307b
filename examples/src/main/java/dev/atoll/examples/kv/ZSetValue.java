package dev.atoll.examples.kv;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The members of a sorted set and their scores, in Redis 7.0's two encodings: a small one (at most
 * {@code zset-max-listpack-entries} members, none longer than {@code zset-max-listpack-value} bytes:
 * {@link EncodingLimits}) is a
 * "listpack": members and scores in arrays kept in order, searched in order as Redis's listpack is;
 * a larger one becomes a "skiplist" (Redis's name) — a {@link ZTree} (rank and range in O(log n)) beside a
 * {@link KeyTable} of member to score (ZSCORE in O(1), ZSCAN's cursor) — and stays one, as in Redis.
 * The order is by score, then by the member's bytes. Used by its shard's thread only.
 */
final class ZSetValue implements Aggregate {
    private static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.BIG_ENDIAN);
    /** A member and its score (17 digits: read back bit for bit) in a ZADD record. */
    private static final ElementRecords.Format MEMBER_RECORDS = new ElementRecords.Format(ZSetCommands.ZADD, 2,
            (member, w) -> w.bulk(Score.format((double) DOUBLE.get(member.valueArray(), 0)))
                    .bulk(member.data, 0, member.keyLength()));

    /** Receives one member and its score. */
    interface EntryVisitor {
        void visit(byte[] member, double score);
    }

    /** The listpack, in order: {@code members[i]} has {@code scores[i]}, for i below {@link #count}; null once a skiplist. */
    private byte[][] members;
    private double[] scores;
    private int count;
    /** The listpack members' heap bytes ({@link KeyTable#arrayBytes}), for maxmemory. */
    private long memberBytes;
    private ZTree tree;
    /** Member to its score (8 bytes, big-endian) while a skiplist. */
    private KeyTable dict;

    ZSetValue() {
        members = new byte[4][];
        scores = new double[4];
    }

    /**
     * An empty set in the encoding Redis gives a computed result (ZUNIONSTORE, ZRANGESTORE): a
     * skiplist when {@code size} members or a member of {@code longest} bytes would not fit a listpack.
     */
    static ZSetValue forResult(int size, int longest) {
        ZSetValue z = new ZSetValue();
        EncodingLimits limits = EncodingLimits.current;
        if (size > limits.zsetEntries() || longest > limits.zsetValue()) {
            z.convert();
        }
        return z;
    }

    /**
     * The set a log's {@code ZADD key score member ...} creates: a skiplist at once when the record
     * would not fit a listpack (a rewritten skiplist), so that its scores come back as they were
     * (a listpack would turn -0 into 0).
     */
    static ZSetValue forRecord(Request r) {
        int longest = 0;
        for (int i = 3; i < r.count(); i += 2) {
            longest = Math.max(longest, r.length(i));
        }
        return forResult((r.count() - 2) / 2, longest);
    }

    @Override
    public String type() {
        return "zset";
    }

    @Override
    public String encoding() {
        return tree != null ? "skiplist" : "listpack";
    }

    @Override
    public int size() {
        return tree != null ? tree.length() : count;
    }

    /** The score an element of its {@link #elementTable} holds. */
    static double score(KeyTable.Entry element) {
        return (double) DOUBLE.get(element.valueArray(), 0);
    }

    /** The score of member {@code b[offset, offset + length)}, or NaN when it is not in the set. */
    double score(byte[] b, int offset, int length) {
        if (tree != null) {
            KeyTable.Entry e = dict.find(b, offset, length, KeyTable.hash(b, offset, length));
            return e == null ? Double.NaN : (double) DOUBLE.get(e.valueArray(), 0);
        }
        int i = indexOf(b, offset, length);
        return i < 0 ? Double.NaN : scores[i];
    }

    /** Sets the score of {@code member} (owned by the set from now on if it is new); true when it is new. */
    boolean put(byte[] member, double score) {
        return put(member, 0, member.length, true, score);
    }

    /**
     * Sets the score of member {@code b[offset, offset + length)}, copied only when it is new (a
     * ZADD that changes a score allocates nothing); true when it is new.
     */
    boolean put(byte[] b, int offset, int length, double score) {
        return put(b, offset, length, false, score);
    }

    /** {@code owned}: {@code b} is the member itself (offset 0, its whole length), kept when new. */
    private boolean put(byte[] b, int offset, int length, boolean owned, double score) {
        if (tree != null) {
            int hash = KeyTable.hash(b, offset, length);
            KeyTable.Entry e = dict.find(b, offset, length, hash);
            if (e == null) {
                byte[] member = owned ? b : Arrays.copyOfRange(b, offset, offset + length);
                tree.insert(score, member);
                dict.insert(member, hash, bits(score));
                return true;
            }
            double old = (double) DOUBLE.get(e.valueArray(), 0);
            if (old != score) { // C's comparison: -0 and 0 are one score, as in Redis
                tree.updateScore(old, e.key(), score);
                DOUBLE.set(e.valueArray(), 0, score);
            }
            return false;
        }
        int i = indexOf(b, offset, length);
        boolean added = i < 0;
        EncodingLimits limits = EncodingLimits.current;
        if (added && (count >= limits.zsetEntries() || length > limits.zsetValue())) {
            // converted first, as Redis's zsetAdd does for a new member only: it keeps a -0
            convert();
            return put(b, offset, length, owned, score);
        }
        score += 0.0; // a listpack keeps -0 as the integer 0, as Redis's does
        byte[] member;
        if (added) {
            member = owned ? b : Arrays.copyOfRange(b, offset, offset + length);
        } else {
            if (scores[i] == score) {
                return false;
            }
            member = members[i];
            removeAt(i);
        }
        insertAt(insertionPoint(score, member), member, score);
        return added;
    }

    /** Removes member {@code b[offset, offset + length)}; false when it is not in the set. */
    boolean remove(byte[] b, int offset, int length) {
        if (tree != null) {
            KeyTable.Entry e = dict.find(b, offset, length, KeyTable.hash(b, offset, length));
            if (e == null) {
                return false;
            }
            tree.delete((double) DOUBLE.get(e.valueArray(), 0), e.key());
            dict.remove(e);
            return true;
        }
        int i = indexOf(b, offset, length);
        if (i < 0) {
            return false;
        }
        removeAt(i);
        return true;
    }

    /** The 0-based rank of member {@code b[offset, offset + length)} in ascending order, or -1. */
    int rank(byte[] b, int offset, int length) {
        if (tree != null) {
            KeyTable.Entry e = dict.find(b, offset, length, KeyTable.hash(b, offset, length));
            return e == null ? -1 : tree.rank((double) DOUBLE.get(e.valueArray(), 0), e.key());
        }
        return indexOf(b, offset, length);
    }

    /** How many members come before {@code bound}: the rank where a range starts or ends. */
    int countBefore(ZTree.Before bound) {
        if (tree != null) {
            return tree.countBefore(bound);
        }
        int n = 0;
        while (n < count && bound.test(scores[n], members[n])) {
            n++;
        }
        return n;
    }

    /**
     * Visits {@code n} members from 0-based rank {@code from}: upwards, or downwards when {@code reverse}.
     * O(log size + n) for a skiplist.
     */
    void visit(int from, int n, boolean reverse, EntryVisitor visitor) {
        if (n <= 0) {
            return;
        }
        if (tree != null) {
            tree.visit(from, n, reverse, visitor);
            return;
        }
        for (int i = 0; i < n; i++) {
            int at = reverse ? from - i : from + i;
            visitor.visit(members[at], scores[at]);
        }
    }

    /** Visits every member in ascending order. */
    void forEach(EntryVisitor visitor) {
        visit(0, size(), false, visitor);
    }

    /** Removes the members of 0-based ranks {@code [from, to)} and returns them. */
    byte[][] removeRanks(int from, int to) {
        byte[][] removed = new byte[to - from][];
        int[] at = {0};
        visit(from, to - from, false, (member, score) -> removed[at[0]++] = member);
        for (byte[] member : removed) {
            remove(member, 0, member.length);
        }
        return removed;
    }

    /**
     * One ZSCAN step: a listpack is returned whole (cursor 0 next), its scores as the listpack holds
     * them ({@link Score#listpackText}), as Redis does; a skiplist's table is walked as the keyspace
     * is ({@link KeyTable#scan}), so members present throughout are all seen.
     */
    long scan(long cursor, int countHint, ScanVisitor visitor) {
        if (tree != null) {
            return dict.scan(cursor, countHint, e -> visitor.visit(e.key(), Score.format((double) DOUBLE.get(e.valueArray(), 0))));
        }
        forEach((member, score) -> visitor.visit(member, Score.listpackText(score)));
        return 0;
    }

    /** Receives one member and its score's text as ZSCAN gives it. */
    interface ScanVisitor {
        void visit(byte[] member, byte[] score);
    }

    /** The length of its longest member (the encoding of a result built from it). */
    int longestMember() {
        int[] longest = {0};
        forEach((member, score) -> longest[0] = Math.max(longest[0], member.length));
        return longest[0];
    }

    /**
     * The object, then a skiplist's table (members and their scores' arrays) and tree ({@link ZTree#bytes}),
     * or the listpack's two arrays and its members.
     */
    @Override
    public long bytes() {
        return 40 + (tree != null ? 48 + dict.usedBytes() + tree.bytes()
                : 16 + 4L * members.length + 16 + 8L * scores.length + memberBytes);
    }

    @Override
    public ZSetValue copy() {
        ZSetValue copy = new ZSetValue();
        if (tree != null) {
            copy.convert(); // the encoding stays, as Redis copies it
        }
        forEach(copy::put); // members are never changed in place: shared
        return copy;
    }

    /** One ZADD of every member, each score in 17 digits: read back bit for bit. */
    @Override
    public void writeRecords(byte[] key, ReplyWriter w) {
        w.arrayHeader(2 + 2L * size()).bulk(ZSetCommands.ZADD).bulk(key);
        forEach((member, score) -> w.bulk(Score.format(score)).bulk(member));
    }

    /** A skiplist's own snapshot (its table of member to score), one ZADD a piece; a listpack none (small: written whole). */
    @Override
    public KeyTable elementTable() {
        return tree != null ? dict : null;
    }

    @Override
    public RecordPieces snapshotPieces(byte[] key, Supplier<ReplyWriter> out) {
        return tree != null ? new ElementRecords(dict, key, MEMBER_RECORDS, out) : null;
    }

    private static byte[] bits(double score) {
        byte[] bytes = new byte[Double.BYTES];
        DOUBLE.set(bytes, 0, score);
        return bytes;
    }

    private int indexOf(byte[] b, int offset, int length) {
        for (int i = 0; i < count; i++) {
            byte[] m = members[i];
            if (Arrays.equals(m, 0, m.length, b, offset, offset + length)) {
                return i;
            }
        }
        return -1;
    }

    /** Where a member of that score goes in the listpack's order. */
    private int insertionPoint(double score, byte[] member) {
        int low = 0;
        int high = count;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (ZTree.compare(scores[mid], members[mid], score, member) < 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private void insertAt(int i, byte[] member, double score) {
        if (count == members.length) {
            members = Arrays.copyOf(members, count * 2);
            scores = Arrays.copyOf(scores, count * 2);
        }
        System.arraycopy(members, i, members, i + 1, count - i);
        System.arraycopy(scores, i, scores, i + 1, count - i);
        members[i] = member;
        scores[i] = score;
        count++;
        memberBytes += KeyTable.arrayBytes(member.length);
    }

    private void removeAt(int i) {
        memberBytes -= KeyTable.arrayBytes(members[i].length);
        count--;
        System.arraycopy(members, i + 1, members, i, count - i);
        System.arraycopy(scores, i + 1, scores, i, count - i);
        members[count] = null;
    }

    private void convert() {
        tree = new ZTree();
        dict = new KeyTable();
        for (int i = 0; i < count; i++) {
            tree.insert(scores[i], members[i]);
            dict.insert(members[i], KeyTable.hash(members[i], 0, members[i].length), bits(scores[i]));
        }
        members = null;
        scores = null;
        count = 0;
        memberBytes = 0;
    }
}
