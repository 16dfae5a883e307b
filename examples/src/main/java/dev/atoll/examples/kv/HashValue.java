package dev.atoll.examples.kv;

import java.util.function.Supplier;

/**
 * A hash in Redis's "hashtable" encoding: a {@link KeyTable} of field to value, each field in one array with
 * its value. A hash becomes one when it outgrows its {@link HashListpack} (more than
 * {@code hash-max-listpack-entries} fields, a field or value over {@code hash-max-listpack-value} bytes: {@link EncodingLimits}) and
 * stays one, as in Redis. Used by its shard's thread only.
 */
final class HashValue implements Aggregate {
    /** The heap bytes of this object with compressed references (maxmemory's estimate): header and a reference. */
    private static final int OBJECT_BYTES = 16;
    /** The heap bytes of the {@link KeyTable} object, its bucket and expiry arrays apart. */
    private static final int TABLE_BYTES = 48;

    /** A field and its value in an HSET record. */
    private static final ElementRecords.Format FIELD_RECORDS = new ElementRecords.Format(Aof.HSET, 2,
            (field, w) -> w.bulk(field.data, 0, field.keyLength()).bulk(field.valueArray(), field.valueOffset(), field.length));

    private final KeyTable fields = new KeyTable();

    @Override
    public String type() {
        return "hash";
    }

    @Override
    public String encoding() {
        return "hashtable";
    }

    @Override
    public int size() {
        return fields.size();
    }

    /** Finds the value of field {@code b[offset, offset + length)} and says where it is in {@code found}; false when absent. */
    boolean get(byte[] b, int offset, int length, Hashes.Found found) {
        KeyTable.Entry e = fields.find(b, offset, length, KeyTable.hash(b, offset, length));
        if (e == null) {
            return false;
        }
        found.array = e.valueArray();
        found.offset = e.valueOffset();
        found.length = e.length;
        return true;
    }

    /** Sets a field; true when the field is new. */
    boolean put(byte[] field, byte[] value) {
        return put(field, 0, field.length, value, 0, value.length);
    }

    /** Sets the field {@code f[fo, fo + fl)} to {@code v[vo, vo + vl)}, copied into an array of their own; true when the field is new. */
    boolean put(byte[] f, int fo, int fl, byte[] v, int vo, int vl) {
        int hash = KeyTable.hash(f, fo, fl);
        KeyTable.Entry e = fields.find(f, fo, fl, hash);
        if (e != null) {
            e.setString(fields, v, vo, vl);   // after the field in its own array: over the old value when it fits
            return false;
        }
        fields.insert(f, fo, fl, hash, v, vo, vl);   // the field and its value in one array
        return true;
    }

    /** Removes a field; true when it was there. */
    boolean remove(byte[] b, int offset, int length) {
        return fields.remove(b, offset, length);
    }

    /** Visits every field without copying it. */
    void forEachRange(Hashes.RangeVisitor visitor) {
        fields.forEach(e -> visitor.visit(e.data, 0, e.keyLength(), e.valueArray(), e.valueOffset(), e.length));
    }

    /** Visits every field as arrays of its own. */
    void forEach(Hashes.FieldVisitor visitor) {
        fields.forEach(e -> visitor.visit(e.key(), e.bytes()));
    }

    /** One HSCAN step, walked as the keyspace is ({@link KeyTable#scan}), so fields present throughout are all seen. */
    long scan(long cursor, int countHint, Hashes.FieldVisitor visitor) {
        return fields.scan(cursor, countHint, e -> visitor.visit(e.key(), e.bytes()));
    }

    /** The object, then the table's entries. */
    @Override
    public long bytes() {
        return OBJECT_BYTES + TABLE_BYTES + fields.usedBytes();
    }

    /** A copy in the same encoding, as Redis copies it. */
    @Override
    public HashValue copy() {
        HashValue copy = new HashValue();
        forEach(copy::put);
        return copy;
    }

    /** One HSET of every field. */
    @Override
    public void writeRecords(byte[] key, ReplyWriter w) {
        w.arrayHeader(2 + 2L * size()).bulk(Aof.HSET).bulk(key);
        forEachRange((f, fo, fl, v, vo, vl) -> w.bulk(f, fo, fl).bulk(v, vo, vl));
    }

    /** Its fields' own snapshot: one HSET a piece, a field a command looks up first in one of its own. */
    @Override
    public KeyTable elementTable() {
        return fields;
    }

    @Override
    public RecordPieces snapshotPieces(byte[] key, Supplier<ReplyWriter> out) {
        return new ElementRecords(fields, key, FIELD_RECORDS, out);
    }
}
