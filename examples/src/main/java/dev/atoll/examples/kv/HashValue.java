package dev.atoll.examples.kv;

import java.util.Arrays;

/**
 * The fields of a hash, in Redis's two encodings. A small hash (at most {@link #MAX_LISTPACK_ENTRIES}
 * fields, none and no value longer than {@link #MAX_LISTPACK_VALUE} bytes — Redis's defaults of
 * {@code hash-max-listpack-entries} and {@code hash-max-listpack-value}) is a "listpack" as in Redis:
 * one {@code byte[]} holding the number of fields and of bytes used, then each field and its value in
 * insertion order, each preceded by its length in one byte (both are at most 64), searched in order. A larger one
 * becomes a "hashtable" (a {@link KeyTable} of field to value) and stays one, as in Redis. Used by its
 * shard's thread only.
 */
final class HashValue implements Aggregate {
    static final int MAX_LISTPACK_ENTRIES = 128;
    static final int MAX_LISTPACK_VALUE = 64;
    /** The heap bytes of this object with compressed references (maxmemory's estimate): header and a reference. */
    private static final int OBJECT_BYTES = 16;
    /** Where a listpack's fields start: after its number of fields (1 byte) and of bytes used (2, little-endian). */
    private static final int HEADER = 3;
    /** The heap bytes of a hashtable's {@link KeyTable} object, its bucket and expiry arrays apart. */
    private static final int TABLE_BYTES = 48;

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

    /**
     * The listpack ({@code byte[]}) or the hashtable ({@link KeyTable}): one field, so that a small hash
     * costs an object of a header and one reference beside its array. A listpack's byte 0 is the number
     * of fields (unsigned, at most 128), bytes 1-2 how many of its bytes hold data (at most 16,643), the
     * rest is room for the next field; from byte 3, each field as {@code [length][field bytes][length][value bytes]}.
     */
    private Object elements;

    HashValue() {
        byte[] listpack = new byte[8];
        listpack[1] = HEADER;
        elements = listpack;
    }

    private static int used(byte[] listpack) {
        return (listpack[1] & 0xFF) | (listpack[2] & 0xFF) << 8;
    }

    private static void used(byte[] listpack, int used) {
        listpack[1] = (byte) used;
        listpack[2] = (byte) (used >>> 8);
    }

    @Override
    public String type() {
        return "hash";
    }

    @Override
    public int size() {
        return elements instanceof KeyTable table ? table.size() : ((byte[]) elements)[0] & 0xFF;
    }

    @Override
    public String encoding() {
        return elements instanceof KeyTable ? "hashtable" : "listpack";
    }

    /** Finds the value of field {@code b[offset, offset + length)} and says where it is in {@code found}; false when absent. */
    boolean get(byte[] b, int offset, int length, Found found) {
        if (elements instanceof KeyTable table) {
            KeyTable.Entry e = table.find(b, offset, length, KeyTable.hash(b, offset, length));
            if (e == null) {
                return false;
            }
            found.array = e.value;
            found.offset = 0;
            found.length = e.length;
            return true;
        }
        byte[] listpack = (byte[]) elements;
        int at = indexOf(listpack, b, offset, length);
        if (at < 0) {
            return false;
        }
        int value = at + 1 + listpack[at];
        found.array = listpack;
        found.offset = value + 1;
        found.length = listpack[value];
        return true;
    }

    /** Sets a field; true when the field is new. A hashtable keeps both arrays (not copied), a listpack copies their bytes. */
    boolean put(byte[] field, byte[] value) {
        if (elements instanceof byte[] && (field.length > MAX_LISTPACK_VALUE || value.length > MAX_LISTPACK_VALUE)) {
            convert();
        }
        if (elements instanceof KeyTable table) {
            int hash = KeyTable.hash(field, 0, field.length);
            KeyTable.Entry e = table.find(field, 0, field.length, hash);
            if (e != null) {
                e.setString(value);
                table.account(e);
                return false;
            }
            table.insert(field, hash, value);
            return true;
        }
        byte[] listpack = (byte[]) elements;
        int used = used(listpack);
        int at = indexOf(listpack, field, 0, field.length);
        if (at >= 0) {
            int valueAt = at + 1 + field.length;
            int old = listpack[valueAt];
            int end = valueAt + 1 + old;
            int grown = used + value.length - old;
            if (grown > listpack.length) {
                listpack = grow(listpack, grown);
            }
            System.arraycopy(listpack, end, listpack, valueAt + 1 + value.length, used - end); // the order stays
            listpack[valueAt] = (byte) value.length;
            System.arraycopy(value, 0, listpack, valueAt + 1, value.length);
            used(listpack, grown);
            return false;
        }
        if (size() == MAX_LISTPACK_ENTRIES) {
            convert();
            return put(field, value);
        }
        int grown = used + 2 + field.length + value.length;
        if (grown > listpack.length) {
            listpack = grow(listpack, grown);
        }
        listpack[used] = (byte) field.length;
        System.arraycopy(field, 0, listpack, used + 1, field.length);
        int valueAt = used + 1 + field.length;
        listpack[valueAt] = (byte) value.length;
        System.arraycopy(value, 0, listpack, valueAt + 1, value.length);
        used(listpack, grown);
        listpack[0]++;
        return true;
    }

    /** Removes a field; true when it was there. */
    boolean remove(byte[] b, int offset, int length) {
        if (elements instanceof KeyTable table) {
            return table.remove(b, offset, length);
        }
        byte[] listpack = (byte[]) elements;
        int at = indexOf(listpack, b, offset, length);
        if (at < 0) {
            return false;
        }
        int used = used(listpack);
        int valueAt = at + 1 + listpack[at];
        int end = valueAt + 1 + listpack[valueAt];
        System.arraycopy(listpack, end, listpack, at, used - end); // the order stays, as in a listpack
        used -= end - at;
        used(listpack, used);
        listpack[0]--;
        if (used <= listpack.length / 2) { // give back what deletions freed, as Redis's listpack does
            elements = Arrays.copyOf(listpack, capacity(used));
        }
        return true;
    }

    /** Visits every field without copying it: in insertion order for a listpack. */
    void forEachRange(RangeVisitor visitor) {
        if (elements instanceof KeyTable table) {
            table.forEach(e -> visitor.visit(e.key, 0, e.key.length, e.value, 0, e.length));
            return;
        }
        byte[] lp = (byte[]) elements;
        for (int at = HEADER, used = used(lp); at < used; ) {
            int valueAt = at + 1 + lp[at];
            visitor.visit(lp, at + 1, lp[at], lp, valueAt + 1, lp[valueAt]);
            at = valueAt + 1 + lp[valueAt];
        }
    }

    /** Visits every field as arrays of its own (a listpack's are copied): in insertion order for a listpack. */
    void forEach(FieldVisitor visitor) {
        if (elements instanceof KeyTable table) {
            table.forEach(e -> visitor.visit(e.key, e.value));
            return;
        }
        forEachRange((f, fo, fl, v, vo, vl) -> visitor.visit(Arrays.copyOfRange(f, fo, fo + fl), Arrays.copyOfRange(v, vo, vo + vl)));
    }

    /**
     * One HSCAN step: a listpack is returned whole (cursor 0 next), as Redis does; a hashtable is
     * walked as the keyspace is ({@link KeyTable#scan}), so fields present throughout are all seen.
     */
    long scan(long cursor, int countHint, FieldVisitor visitor) {
        if (elements instanceof KeyTable table) {
            return table.scan(cursor, countHint, e -> visitor.visit(e.key, e.value));
        }
        forEach(visitor);
        return 0;
    }

    /** Fields and values alternating, in visiting order: for HRANDFIELD's random choices. */
    byte[][] pairs() {
        byte[][] pairs = new byte[2 * size()][];
        int[] at = {0};
        forEach((field, value) -> {
            pairs[at[0]++] = field;
            pairs[at[0]++] = value;
        });
        return pairs;
    }

    /** The object, then the hashtable's entries, or the listpack's array. */
    @Override
    public long bytes() {
        return OBJECT_BYTES + (elements instanceof KeyTable table ? TABLE_BYTES + table.usedBytes()
                : KeyTable.arrayBytes(((byte[]) elements).length));
    }

    @Override
    public HashValue copy() {
        HashValue copy = new HashValue();
        if (elements instanceof KeyTable) {
            copy.convert(); // the encoding stays, as Redis copies it
            forEach(copy::put); // a hashtable's arrays are replaced, never changed in place: shared
        } else {
            byte[] listpack = (byte[]) elements;
            copy.elements = Arrays.copyOf(listpack, capacity(used(listpack)));
        }
        return copy;
    }

    /** One HSET of every field. */
    @Override
    public void writeRecords(byte[] key, ReplyWriter w) {
        w.arrayHeader(2 + 2L * size()).bulk(Aof.HSET).bulk(key);
        forEachRange((f, fo, fl, v, vo, vl) -> w.bulk(f, fo, fl).bulk(v, vo, vl));
    }

    /** The offset of field {@code b[offset, offset + length)}'s length byte in the listpack, or -1. */
    private static int indexOf(byte[] lp, byte[] b, int offset, int length) {
        for (int at = HEADER, used = used(lp); at < used; ) {
            int fieldLength = lp[at];
            int valueAt = at + 1 + fieldLength;
            if (fieldLength == length && Arrays.equals(lp, at + 1, valueAt, b, offset, offset + length)) {
                return at;
            }
            at = valueAt + 1 + lp[valueAt];
        }
        return -1;
    }

    /**
     * The array length for {@code bytes} of listpack: rounded up to 8, which the heap's alignment gives
     * for nothing; past 64 bytes an eighth more, so that a listpack built field by field is not copied
     * at every one.
     */
    private byte[] grow(byte[] listpack, int bytes) {
        byte[] grown = Arrays.copyOf(listpack, capacity(bytes));
        elements = grown;
        return grown;
    }

    private static int capacity(int bytes) {
        int room = bytes <= 64 ? bytes : bytes + bytes / 8;
        return (room + 7) & ~7;
    }

    private void convert() {
        KeyTable fields = new KeyTable();
        forEach((field, value) -> fields.insert(field, KeyTable.hash(field, 0, field.length), value));
        elements = fields;
    }
}
