package dev.atoll.examples.kv;

import java.util.Arrays;

/**
 * The fields of a hash, in Redis's two encodings. A small hash (at most {@link #MAX_LISTPACK_ENTRIES}
 * fields, none and no value longer than {@link #MAX_LISTPACK_VALUE} bytes — Redis's defaults of
 * {@code hash-max-listpack-entries} and {@code hash-max-listpack-value}) is a "listpack" as in Redis:
 * one {@code byte[]} holding the number of fields, then each field and its value in insertion order,
 * each preceded by its length in one byte (both are at most 64), searched in order. A larger one
 * becomes a "hashtable" (a {@link KeyTable} of field to value) and stays one, as in Redis. Used by its
 * shard's thread only.
 */
final class HashValue implements Aggregate {
    static final int MAX_LISTPACK_ENTRIES = 512;
    static final int MAX_LISTPACK_VALUE = 64;
    /** The heap bytes of this object with compressed references (maxmemory's estimate): header and a reference. */
    private static final int OBJECT_BYTES = 16;
    /** Where a listpack's fields start: after its number of fields (2 bytes, little-endian). */
    private static final int HEADER = 2;
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
     * costs an object of a header and one reference beside its array. A listpack's bytes 0-1 are the
     * number of fields (at most 512), then each field as {@code [length][field bytes][length][value bytes]};
     * the bytes after the last are room for the next field (where the last ends is found by walking them,
     * as every listpack operation does anyway).
     */
    private Object elements;

    HashValue() {
        elements = new byte[8];
    }

    private static int count(byte[] listpack) {
        return (listpack[0] & 0xFF) | (listpack[1] & 0xFF) << 8;
    }

    private static void count(byte[] listpack, int count) {
        listpack[0] = (byte) count;
        listpack[1] = (byte) (count >>> 8);
    }

    /** The offset of the byte after the field whose length byte is at {@code at}, and after its value. */
    private static int next(byte[] listpack, int at) {
        int valueAt = at + 1 + listpack[at];
        return valueAt + 1 + listpack[valueAt];
    }

    @Override
    public String type() {
        return "hash";
    }

    @Override
    public int size() {
        return elements instanceof KeyTable table ? table.size() : count((byte[]) elements);
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
            found.array = e.valueArray();
            found.offset = e.valueOffset();
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

    /** Sets a field; true when the field is new. */
    boolean put(byte[] field, byte[] value) {
        return put(field, 0, field.length, value, 0, value.length);
    }

    /**
     * Sets the field {@code f[fo, fo + fl)} to {@code v[vo, vo + vl)} (ranges of a request, say); true when
     * the field is new. A listpack copies the bytes in, a hashtable into arrays of their own.
     */
    boolean put(byte[] f, int fo, int fl, byte[] v, int vo, int vl) {
        if (elements instanceof byte[] && (fl > MAX_LISTPACK_VALUE || vl > MAX_LISTPACK_VALUE)) {
            convert();
        }
        if (elements instanceof KeyTable table) {
            int hash = KeyTable.hash(f, fo, fl);
            KeyTable.Entry e = table.find(f, fo, fl, hash);
            if (e != null) {
                e.setString(table, v, vo, vl);   // after the field in its own array: over the old value when it fits
                return false;
            }
            table.insert(f, fo, fl, hash, v, vo, vl);   // the field and its value in one array
            return true;
        }
        byte[] listpack = (byte[]) elements;
        int at = indexOf(listpack, f, fo, fl);
        if (at >= 0) {
            int valueAt = at + 1 + fl;
            int old = listpack[valueAt];
            int end = valueAt + 1 + old;
            int used = end(listpack);
            int grown = used + vl - old;
            if (grown > listpack.length) {
                listpack = grow(listpack, grown);
            }
            System.arraycopy(listpack, end, listpack, valueAt + 1 + vl, used - end); // the order stays
            listpack[valueAt] = (byte) vl;
            System.arraycopy(v, vo, listpack, valueAt + 1, vl);
            return false;
        }
        int count = count(listpack);
        if (count == MAX_LISTPACK_ENTRIES) {
            convert();
            return put(f, fo, fl, v, vo, vl);
        }
        int used = ~at; // where the walk that did not find it ended: after the last field
        int grown = used + 2 + fl + vl;
        if (grown > listpack.length) {
            listpack = grow(listpack, grown);
        }
        listpack[used] = (byte) fl;
        System.arraycopy(f, fo, listpack, used + 1, fl);
        int valueAt = used + 1 + fl;
        listpack[valueAt] = (byte) vl;
        System.arraycopy(v, vo, listpack, valueAt + 1, vl);
        count(listpack, count + 1);
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
        int end = next(listpack, at);
        int used = end(listpack);
        System.arraycopy(listpack, end, listpack, at, used - end); // the order stays, as in a listpack
        used -= end - at;
        count(listpack, count(listpack) - 1);
        if (used <= listpack.length / 2) { // give back what deletions freed, as Redis's listpack does
            elements = Arrays.copyOf(listpack, capacity(used));
        }
        return true;
    }

    /** Visits every field without copying it: in insertion order for a listpack. */
    void forEachRange(RangeVisitor visitor) {
        if (elements instanceof KeyTable table) {
            table.forEach(e -> visitor.visit(e.data, 0, e.keyLength(), e.valueArray(), e.valueOffset(), e.length));
            return;
        }
        byte[] lp = (byte[]) elements;
        for (int at = HEADER, n = count(lp); n > 0; n--) {
            int valueAt = at + 1 + lp[at];
            visitor.visit(lp, at + 1, lp[at], lp, valueAt + 1, lp[valueAt]);
            at = valueAt + 1 + lp[valueAt];
        }
    }

    /** Visits every field as arrays of its own (a listpack's are copied): in insertion order for a listpack. */
    void forEach(FieldVisitor visitor) {
        if (elements instanceof KeyTable table) {
            table.forEach(e -> visitor.visit(e.key(), e.bytes()));
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
            return table.scan(cursor, countHint, e -> visitor.visit(e.key(), e.bytes()));
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
            copy.elements = Arrays.copyOf(listpack, capacity(end(listpack)));
        }
        return copy;
    }

    /** One HSET of every field. */
    @Override
    public void writeRecords(byte[] key, ReplyWriter w) {
        w.arrayHeader(2 + 2L * size()).bulk(Aof.HSET).bulk(key);
        forEachRange((f, fo, fl, v, vo, vl) -> w.bulk(f, fo, fl).bulk(v, vo, vl));
    }

    /**
     * The offset of field {@code b[offset, offset + length)}'s length byte in the listpack; when it is
     * not there, the complement ({@code ~}) of the offset after the last field.
     */
    private static int indexOf(byte[] lp, byte[] b, int offset, int length) {
        int at = HEADER;
        for (int n = count(lp); n > 0; n--) {
            int fieldLength = lp[at];
            int valueAt = at + 1 + fieldLength;
            if (fieldLength == length && Arrays.equals(lp, at + 1, valueAt, b, offset, offset + length)) {
                return at;
            }
            at = valueAt + 1 + lp[valueAt];
        }
        return ~at;
    }

    /** The offset after the last field. */
    private static int end(byte[] lp) {
        int at = HEADER;
        for (int n = count(lp); n > 0; n--) {
            at = next(lp, at);
        }
        return at;
    }

    /** Replaces the listpack with a copy of room for {@code bytes} and returns it. */
    private byte[] grow(byte[] listpack, int bytes) {
        byte[] grown = Arrays.copyOf(listpack, capacity(bytes));
        elements = grown;
        return grown;
    }

    /**
     * The array length for {@code bytes} of listpack: rounded up to 8, which the heap's alignment gives
     * for nothing; past 256 bytes an eighth more, so that a large listpack built field by field is not
     * copied at every one. A small one is, as Redis reallocates its listpack at every insert: room kept
     * in every small hash would cost more memory than the copies cost time.
     */
    private static int capacity(int bytes) {
        int room = bytes <= 256 ? bytes : bytes + bytes / 8;
        return (room + 7) & ~7;
    }

    private void convert() {
        KeyTable fields = new KeyTable();
        forEach((field, value) -> fields.insert(field, KeyTable.hash(field, 0, field.length), value));
        elements = fields;
    }
}
