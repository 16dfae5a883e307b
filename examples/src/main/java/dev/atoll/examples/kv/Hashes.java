package dev.atoll.examples.kv;

import java.util.Arrays;

/**
 * A key's hash whichever its encoding: packed after the key ({@link HashListpack}, "listpack") or a
 * {@link HashValue} ("hashtable"). The hash commands, the log's replay, DUMP and SORT's BY and GET reach
 * a hash through these, given its key's entry and the table that holds it (null for an entry in none),
 * so that no object is made per command. Used by its shard's thread only.
 */
final class Hashes {
    /** Receives one field and its value (arrays of their own, which the receiver may keep). */
    interface FieldVisitor {
        void visit(byte[] field, byte[] value);
    }

    /** Receives one field and its value as ranges of arrays that are valid only during the call. */
    interface RangeVisitor {
        void visit(byte[] fields, int fieldOffset, int fieldLength, byte[] values, int valueOffset, int valueLength);
    }

    /** Where {@link #get} found a value: {@code array[offset, offset + length)}, valid until the hash changes. */
    static final class Found {
        byte[] array;
        int offset;
        int length;
    }

    private Hashes() {
    }

    /** Whether {@code e} holds a hash (else a key of another type answers WRONGTYPE). */
    static boolean isHash(KeyTable.Entry e) {
        return e.packed() == HashListpack.ENCODING || e.aggregate() instanceof HashValue;
    }

    static int size(KeyTable.Entry e) {
        return e.aggregate() instanceof HashValue table ? table.size() : HashListpack.size(e);
    }

    /** Finds the value of field {@code b[offset, offset + length)} and says where it is in {@code found}; false when absent. */
    static boolean get(KeyTable.Entry e, byte[] b, int offset, int length, Found found) {
        return e.aggregate() instanceof HashValue table ? table.get(b, offset, length, found)
                : HashListpack.get(e, b, offset, length, found);
    }

    /** Sets the field {@code f[fo, fo + fl)} to {@code v[vo, vo + vl)} (ranges of a request, say), copied in; true when the field is new. */
    static boolean put(KeyTable owner, KeyTable.Entry e, byte[] f, int fo, int fl, byte[] v, int vo, int vl) {
        return e.aggregate() instanceof HashValue table ? table.put(f, fo, fl, v, vo, vl)
                : HashListpack.put(owner, e, f, fo, fl, v, vo, vl);
    }

    /** Sets a field; true when the field is new. */
    static boolean put(KeyTable owner, KeyTable.Entry e, byte[] field, byte[] value) {
        return put(owner, e, field, 0, field.length, value, 0, value.length);
    }

    /** Removes a field; true when it was there. The caller removes a key left with none, as Redis does. */
    static boolean remove(KeyTable owner, KeyTable.Entry e, byte[] b, int offset, int length) {
        return e.aggregate() instanceof HashValue table ? table.remove(b, offset, length)
                : HashListpack.remove(owner, e, b, offset, length);
    }

    /** Visits every field without copying it: in insertion order for a listpack. */
    static void forEachRange(KeyTable.Entry e, RangeVisitor visitor) {
        if (e.aggregate() instanceof HashValue table) {
            table.forEachRange(visitor);
        } else {
            HashListpack.forEachRange(e, visitor);
        }
    }

    /** Visits every field as arrays of its own (a listpack's are copied): in insertion order for a listpack. */
    static void forEach(KeyTable.Entry e, FieldVisitor visitor) {
        if (e.aggregate() instanceof HashValue table) {
            table.forEach(visitor);
        } else {
            HashListpack.forEachRange(e, (f, fo, fl, v, vo, vl) ->
                    visitor.visit(Arrays.copyOfRange(f, fo, fo + fl), Arrays.copyOfRange(v, vo, vo + vl)));
        }
    }

    /**
     * One HSCAN step: a listpack is returned whole (cursor 0 next), as Redis does; a hashtable is
     * walked as the keyspace is ({@link KeyTable#scan}), so fields present throughout are all seen.
     */
    static long scan(KeyTable.Entry e, long cursor, int countHint, FieldVisitor visitor) {
        if (e.aggregate() instanceof HashValue table) {
            return table.scan(cursor, countHint, visitor);
        }
        forEach(e, visitor);
        return 0;
    }

    /** Fields and values alternating, in visiting order: for HRANDFIELD's random choices. */
    static byte[][] pairs(KeyTable.Entry e) {
        byte[][] pairs = new byte[2 * size(e)][];
        int[] at = {0};
        forEach(e, (field, value) -> {
            pairs[at[0]++] = field;
            pairs[at[0]++] = value;
        });
        return pairs;
    }
}
