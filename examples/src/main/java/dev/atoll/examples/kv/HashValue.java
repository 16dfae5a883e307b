package dev.atoll.examples.kv;

import java.util.Arrays;

/**
 * The fields of a hash, in Redis's two encodings: small hashes (at most {@link #MAX_LISTPACK_ENTRIES}
 * fields, none and no value longer than {@link #MAX_LISTPACK_VALUE} bytes — Redis's defaults of
 * {@code hash-max-listpack-entries} and {@code hash-max-listpack-value}) are a "listpack": two
 * arrays searched in order, which keep the insertion order as Redis's listpack does; a larger one
 * becomes a "hashtable" (a {@link KeyTable} of field to value) and stays one, as in Redis. Used by
 * its shard's thread only.
 */
final class HashValue implements Aggregate {
    static final int MAX_LISTPACK_ENTRIES = 128;
    static final int MAX_LISTPACK_VALUE = 64;

    /** Receives one field and its value. */
    interface FieldVisitor {
        void visit(byte[] field, byte[] value);
    }

    /** The listpack: {@code fields[i]} holds {@code values[i]}, for i below {@link #count}; null once a hashtable. */
    private byte[][] fields;
    private byte[][] values;
    private int count;
    /** The listpack's field and value arrays' heap bytes ({@link KeyTable#arrayBytes}). */
    private long listpackBytes;
    private KeyTable table;

    HashValue() {
        fields = new byte[4][];
        values = new byte[4][];
    }

    @Override
    public String type() {
        return "hash";
    }

    @Override
    public int size() {
        return table != null ? table.size() : count;
    }

    @Override
    public String encoding() {
        return table != null ? "hashtable" : "listpack";
    }

    /** The value of field {@code b[offset, offset + length)}, or null. */
    byte[] get(byte[] b, int offset, int length) {
        if (table != null) {
            KeyTable.Entry e = table.find(b, offset, length, KeyTable.hash(b, offset, length));
            return e == null ? null : e.value;
        }
        int i = indexOf(b, offset, length);
        return i < 0 ? null : values[i];
    }

    /** Sets a field (both arrays are kept, not copied); true when the field is new. */
    boolean put(byte[] field, byte[] value) {
        if (table == null && (field.length > MAX_LISTPACK_VALUE || value.length > MAX_LISTPACK_VALUE)) {
            convert();
        }
        if (table != null) {
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
        int i = indexOf(field, 0, field.length);
        if (i >= 0) {
            listpackBytes += KeyTable.arrayBytes(value.length) - KeyTable.arrayBytes(values[i].length);
            values[i] = value;
            return false;
        }
        if (count == MAX_LISTPACK_ENTRIES) {
            convert();
            return put(field, value);
        }
        if (count == fields.length) {
            fields = Arrays.copyOf(fields, count * 2);
            values = Arrays.copyOf(values, count * 2);
        }
        fields[count] = field;
        values[count] = value;
        count++;
        listpackBytes += KeyTable.arrayBytes(field.length) + KeyTable.arrayBytes(value.length);
        return true;
    }

    /** Removes a field; true when it was there. */
    boolean remove(byte[] b, int offset, int length) {
        if (table != null) {
            return table.remove(b, offset, length);
        }
        int i = indexOf(b, offset, length);
        if (i < 0) {
            return false;
        }
        count--;
        listpackBytes -= KeyTable.arrayBytes(fields[i].length) + KeyTable.arrayBytes(values[i].length);
        System.arraycopy(fields, i + 1, fields, i, count - i); // the order stays, as in a listpack
        System.arraycopy(values, i + 1, values, i, count - i);
        fields[count] = null;
        values[count] = null;
        return true;
    }

    /** Visits every field: in insertion order for a listpack. */
    void forEach(FieldVisitor visitor) {
        if (table != null) {
            table.forEach(e -> visitor.visit(e.key, e.value));
            return;
        }
        for (int i = 0; i < count; i++) {
            visitor.visit(fields[i], values[i]);
        }
    }

    /**
     * One HSCAN step: a listpack is returned whole (cursor 0 next), as Redis does; a hashtable is
     * walked as the keyspace is ({@link KeyTable#scan}), so fields present throughout are all seen.
     */
    long scan(long cursor, int countHint, FieldVisitor visitor) {
        if (table != null) {
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

    /** The object, then the hashtable's entries, or the listpack's two arrays and what they hold. */
    @Override
    public long bytes() {
        return 32 + (table != null ? 48 + table.usedBytes() : 2 * (16 + 4L * fields.length) + listpackBytes);
    }

    @Override
    public HashValue copy() {
        HashValue copy = new HashValue();
        if (table != null) {
            copy.convert(); // the encoding stays, as Redis copies it
        }
        forEach((field, value) -> copy.put(field, value)); // arrays are replaced, never changed in place
        return copy;
    }

    /** One HSET of every field. */
    @Override
    public void writeRecords(byte[] key, ReplyWriter w) {
        w.arrayHeader(2 + 2L * size()).bulk(Aof.HSET).bulk(key);
        forEach((field, value) -> w.bulk(field).bulk(value));
    }

    private int indexOf(byte[] b, int offset, int length) {
        for (int i = 0; i < count; i++) {
            byte[] f = fields[i];
            if (Arrays.equals(f, 0, f.length, b, offset, offset + length)) {
                return i;
            }
        }
        return -1;
    }

    private void convert() {
        table = new KeyTable();
        for (int i = 0; i < count; i++) {
            table.insert(fields[i], KeyTable.hash(fields[i], 0, fields[i].length), values[i]);
        }
        fields = null;
        values = null;
        count = 0;
        listpackBytes = 0;
    }
}
