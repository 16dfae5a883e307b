package dev.atoll.examples.kv;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The members of a set, in Redis 7.0's two encodings: while every member is an integer in Redis's
 * canonical form (what {@link Request#parseLong} accepts: no sign but '-', no leading zero, at most
 * 20 characters, within a {@code long}) and there are at most {@code set-max-intset-entries} of them
 * ({@link EncodingLimits}), an "intset": a sorted array of
 * {@code long}s, searched by bisection, iterated in ascending order as Redis's intset is. The first
 * member that is no such integer, or one past the threshold, makes it a "hashtable" (a {@link KeyTable} of
 * members), and it stays one, as in Redis. A set built whole (the result of SINTERSTORE, SUNIONSTORE,
 * SDIFFSTORE, SPOP's rebuild) starts as an intset, so it is one exactly when its members allow it.
 *
 * <p>Methods that take a member as a byte range also take a {@link Request} whose {@link
 * Request#parseLong} parses it (only its {@code number} changes): the caller's, so that nothing is
 * allocated to tell an integer member. Member arrays are never changed once in a set, so a copy may
 * share them. Used by its shard's thread only.
 */
final class SetValue implements SetMembers {
    /** Members per SADD record of a rewrite: a large set is several records, none of them huge. */
    private static final int MEMBERS_PER_RECORD = 1024;
    /** The value of every member entry of the hashtable: a member has none. */
    private static final byte[] NO_VALUE = new byte[0];
    /** A member in an SADD record. */
    private static final ElementRecords.Format MEMBER_RECORDS = new ElementRecords.Format(Aof.SADD, 1,
            (member, w) -> w.bulk(member.data, 0, member.keyLength()));

    /** Receives one member. */
    interface MemberVisitor {
        void visit(byte[] member);
    }

    /** The intset: {@code ints[0, count)} ascending; null once a hashtable. */
    private long[] ints = new long[4];
    private int count;
    private KeyTable table;

    @Override
    public String type() {
        return "set";
    }

    @Override
    public String encoding() {
        return table != null ? "hashtable" : "intset";
    }

    @Override
    public int size() {
        return table != null ? table.size() : count;
    }

    /** Whether {@code b[offset, offset + length)} is a member. */
    boolean contains(byte[] b, int offset, int length, Request scratch) {
        if (table != null) {
            return table.find(b, offset, length, KeyTable.hash(b, offset, length)) != null;
        }
        return scratch.parseLong(b, offset, length) && Arrays.binarySearch(ints, 0, count, scratch.number) >= 0;
    }

    /** As {@link #contains(byte[], int, int, Request)}, for the sorted-set commands that take sets (not a hot path). */
    @Override
    public boolean contains(byte[] b, int offset, int length) {
        return contains(b, offset, length, new Request());
    }

    @Override
    public void forEachMember(java.util.function.Consumer<byte[]> visitor) {
        forEach(visitor::accept);
    }

    /** Adds {@code b[offset, offset + length)} (copied if kept); true when it is new. */
    boolean add(byte[] b, int offset, int length, Request scratch) {
        if (table == null) {
            if (scratch.parseLong(b, offset, length)) {
                return add(scratch.number);
            }
            convert();
        }
        int hash = KeyTable.hash(b, offset, length);
        if (table.find(b, offset, length, hash) != null) {
            return false;
        }
        table.insert(Arrays.copyOfRange(b, offset, offset + length), hash, NO_VALUE);
        return true;
    }

    /** Adds {@code member}, kept as it is (never changed afterwards); true when it is new. */
    boolean add(byte[] member, Request scratch) {
        if (table == null) {
            if (scratch.parseLong(member, 0, member.length)) {
                return add(scratch.number);
            }
            convert();
        }
        int hash = KeyTable.hash(member, 0, member.length);
        if (table.find(member, 0, member.length, hash) != null) {
            return false;
        }
        table.insert(member, hash, NO_VALUE);
        return true;
    }

    /** Adds the integer {@code value}; true when it is new. */
    boolean add(long value) {
        if (table != null) {
            byte[] member = Decimal.bytes(value);
            int hash = KeyTable.hash(member, 0, member.length);
            if (table.find(member, 0, member.length, hash) != null) {
                return false;
            }
            table.insert(member, hash, NO_VALUE);
            return true;
        }
        int at = Arrays.binarySearch(ints, 0, count, value);
        if (at >= 0) {
            return false;
        }
        if (count >= EncodingLimits.current.intsetEntries()) { // one past set-max-intset-entries: Redis converts
            convert();
            return add(value);
        }
        at = -at - 1;
        if (count == ints.length) {
            ints = Arrays.copyOf(ints, count * 2);
        }
        System.arraycopy(ints, at, ints, at + 1, count - at);
        ints[at] = value;
        count++;
        return true;
    }

    /** Removes {@code b[offset, offset + length)}; true when it was a member. */
    boolean remove(byte[] b, int offset, int length, Request scratch) {
        if (table != null) {
            return table.remove(b, offset, length);
        }
        int at = scratch.parseLong(b, offset, length) ? Arrays.binarySearch(ints, 0, count, scratch.number) : -1;
        if (at < 0) {
            return false;
        }
        count--;
        System.arraycopy(ints, at + 1, ints, at, count - at);
        return true;
    }

    /** A random member, the set not empty; for an intset a new array. */
    byte[] random(SplittableRandom random) {
        return table != null ? table.random(random).key() : Decimal.bytes(ints[random.nextInt(count)]);
    }

    /** Visits every member: ascending for an intset. For an intset each is a new array. */
    void forEach(MemberVisitor visitor) {
        if (table != null) {
            table.forEach(e -> visitor.visit(e.key()));
            return;
        }
        for (int i = 0; i < count; i++) {
            visitor.visit(Decimal.bytes(ints[i]));
        }
    }

    /** Every member in visiting order (for random choices and pops). */
    byte[][] members() {
        byte[][] members = new byte[size()][];
        int[] at = {0};
        forEach(member -> members[at[0]++] = member);
        return members;
    }

    /** Writes every member as a bulk string, in visiting order, without a copy. */
    void writeMembers(ReplyWriter out) {
        if (table != null) {
            table.forEach(e -> out.bulk(e.key()));
            return;
        }
        for (int i = 0; i < count; i++) {
            out.bulkDecimal(ints[i]);
        }
    }

    /**
     * One SSCAN step: an intset is returned whole (cursor 0 next), as Redis does; a hashtable is
     * walked as the keyspace is ({@link KeyTable#scan}), so members present throughout are all seen.
     */
    long scan(long cursor, int countHint, MemberVisitor visitor) {
        if (table != null) {
            return table.scan(cursor, countHint, e -> visitor.visit(e.key()));
        }
        forEach(visitor);
        return 0;
    }

    /** The object, then the hashtable's entries, or the intset's array. */
    @Override
    public long bytes() {
        return 32 + (table != null ? 48 + table.usedBytes() : 16 + 8L * ints.length);
    }

    @Override
    public SetValue copy() {
        SetValue copy = new SetValue();
        if (table != null) {
            copy.convert(); // the encoding stays, as Redis copies it
            table.forEach(e -> copy.table.insert(e.data, e.hash(), NO_VALUE)); // member arrays are never changed
        } else {
            copy.ints = Arrays.copyOf(ints, Math.max(4, count));
            copy.count = count;
        }
        return copy;
    }

    /** SADD records of every member, {@link #MEMBERS_PER_RECORD} at a time. */
    @Override
    public void writeRecords(byte[] key, ReplyWriter w) {
        byte[][] members = members();
        for (int from = 0; from < members.length; from += MEMBERS_PER_RECORD) {
            writeSadd(key, w, members, from, Math.min(members.length, from + MEMBERS_PER_RECORD));
        }
    }

    private static void writeSadd(byte[] key, ReplyWriter w, byte[][] members, int from, int to) {
        w.arrayHeader(2 + to - from).bulk(Aof.SADD).bulk(key);
        for (int i = from; i < to; i++) {
            w.bulk(members[i]);
        }
    }

    /** A hashtable's own snapshot, one SADD a piece; an intset none (it is small, written whole). */
    @Override
    public KeyTable elementTable() {
        return table;
    }

    @Override
    public RecordPieces snapshotPieces(byte[] key, Supplier<ReplyWriter> out) {
        return table != null ? new ElementRecords(table, key, MEMBER_RECORDS, out) : null;
    }

    private void convert() {
        table = new KeyTable();
        for (int i = 0; i < count; i++) {
            byte[] member = Decimal.bytes(ints[i]);
            table.insert(member, KeyTable.hash(member, 0, member.length), NO_VALUE);
        }
        ints = null;
        count = 0;
    }
}
