package dev.atoll.examples.kv;

/**
 * A small hash in Redis's "listpack" encoding, packed in its key's own array after the key's bytes
 * ({@link PackedEncoding}: no object beside the entry): the number of fields (2 bytes, little-endian),
 * then each field and its value in insertion order, as {@code [length][field bytes][length][value bytes]}
 * (both at most {@link EncodingLimits#MAX_HASH_VALUE}, so one byte each), searched in order. A hash is one while it
 * has at most {@code hash-max-listpack-entries} fields, none and no value longer than {@code hash-max-listpack-value}
 * bytes ({@link EncodingLimits}); past them it becomes a
 * {@link HashValue}, the "hashtable" encoding, and stays one, as in Redis. The array ends where the last
 * field does, rounded up to 8 (an eighth more past 256 bytes of fields); where the last field ends is found
 * by walking them, as every listpack operation does anyway. Used by its shard's thread only.
 */
final class HashListpack implements PackedEncoding {
    /** The encoding: what an entry holding a packed hash has as its value. */
    static final HashListpack ENCODING = new HashListpack();
    /** Where the fields start, from the end of the key: after their number. */
    private static final int HEADER = 2;
    /** A hash of no field: its number, 0. */
    private static final byte[] EMPTY = new byte[HEADER];

    private HashListpack() {
    }

    @Override
    public String type() {
        return "hash";
    }

    @Override
    public String encoding() {
        return "listpack";
    }

    @Override
    public int size(byte[] data, int offset) {
        return count(data, offset);
    }

    @Override
    public int length(byte[] data, int offset) {
        return end(data, offset) - offset;
    }

    /** One HSET of every field. */
    @Override
    public void writeRecords(byte[] data, int keyLength, ReplyWriter w) {
        w.arrayHeader(2 + 2L * count(data, keyLength)).bulk(Aof.HSET).bulk(data, 0, keyLength);
        forEachRange(data, keyLength, (f, fo, fl, v, vo, vl) -> w.bulk(f, fo, fl).bulk(v, vo, vl));
    }

    /** Adds the key {@code k[offset, offset + length)}, not in {@code table}, holding a hash of no field (filled next). */
    static KeyTable.Entry insert(KeyTable table, byte[] k, int offset, int length, int hash) {
        return table.insert(k, offset, length, hash, ENCODING, EMPTY, 0, HEADER);
    }

    /** A key of no name in no table holding a hash of no field: a value on its way to a key (RESTORE). */
    static KeyTable.Entry detached() {
        return new KeyTable.Entry(EMPTY, 0, 0, ENCODING, EMPTY, 0, HEADER);
    }

    static int size(KeyTable.Entry e) {
        return count(e.data, e.keyLength());
    }

    /** Finds the value of field {@code b[offset, offset + length)} of {@code e}'s hash and says where it is in {@code found}. */
    static boolean get(KeyTable.Entry e, byte[] b, int offset, int length, Hashes.Found found) {
        byte[] lp = e.data;
        int at = indexOf(lp, e.keyLength(), b, offset, length);
        if (at < 0) {
            return false;
        }
        int value = at + 1 + (lp[at] & 0xFF);
        found.array = lp;
        found.offset = value + 1;
        found.length = lp[value] & 0xFF;
        return true;
    }

    /**
     * Sets the field {@code f[fo, fo + fl)} of {@code e}'s hash to {@code v[vo, vo + vl)}, copying both in; true
     * when the field is new. Past the thresholds the key's hash becomes a {@link HashValue} first.
     */
    static boolean put(KeyTable owner, KeyTable.Entry e, byte[] f, int fo, int fl, byte[] v, int vo, int vl) {
        EncodingLimits limits = EncodingLimits.current;
        if (fl > limits.hashValue() || vl > limits.hashValue()) {
            return convert(owner, e).put(f, fo, fl, v, vo, vl);
        }
        byte[] lp = e.data;
        int base = e.keyLength();
        int at = indexOf(lp, base, f, fo, fl);
        if (at >= 0) {
            int valueAt = at + 1 + fl;
            int old = (lp[valueAt] & 0xFF);
            int end = valueAt + 1 + old;
            int used = end(lp, base);
            int grown = used + vl - old;
            if (grown > lp.length) {
                lp = grow(owner, e, grown - base);
            }
            System.arraycopy(lp, end, lp, valueAt + 1 + vl, used - end); // the order stays
            lp[valueAt] = (byte) vl;
            System.arraycopy(v, vo, lp, valueAt + 1, vl);
            if (count(lp, base) > limits.hashEntries()) { // a lowered threshold: Redis's hashTypeSet converts after any set
                convert(owner, e);
            }
            return false;
        }
        int count = count(lp, base);
        if (count >= limits.hashEntries()) { // one field more than the threshold, or a lowered threshold
            return convert(owner, e).put(f, fo, fl, v, vo, vl);
        }
        int used = ~at; // where the walk that did not find it ended: after the last field
        int grown = used + 2 + fl + vl;
        if (grown > lp.length) {
            lp = grow(owner, e, grown - base);
        }
        lp[used] = (byte) fl;
        System.arraycopy(f, fo, lp, used + 1, fl);
        int valueAt = used + 1 + fl;
        lp[valueAt] = (byte) vl;
        System.arraycopy(v, vo, lp, valueAt + 1, vl);
        count(lp, base, count + 1);
        return true;
    }

    /** Removes a field of {@code e}'s hash; true when it was there. The caller removes a key left with none. */
    static boolean remove(KeyTable owner, KeyTable.Entry e, byte[] b, int offset, int length) {
        byte[] lp = e.data;
        int base = e.keyLength();
        int at = indexOf(lp, base, b, offset, length);
        if (at < 0) {
            return false;
        }
        int end = next(lp, at);
        int used = end(lp, base);
        System.arraycopy(lp, end, lp, at, used - end); // the order stays, as in a listpack
        used -= end - at;
        count(lp, base, count(lp, base) - 1);
        if (used - base <= (lp.length - base) / 2) { // give back what deletions freed, as Redis's listpack does
            e.resizePacked(owner, capacity(used - base));
        }
        return true;
    }

    /** Visits every field of {@code e}'s hash in insertion order, without copying it. */
    static void forEachRange(KeyTable.Entry e, Hashes.RangeVisitor visitor) {
        forEachRange(e.data, e.keyLength(), visitor);
    }

    private static void forEachRange(byte[] lp, int base, Hashes.RangeVisitor visitor) {
        for (int at = base + HEADER, n = count(lp, base); n > 0; n--) {
            int valueAt = at + 1 + (lp[at] & 0xFF);
            visitor.visit(lp, at + 1, lp[at] & 0xFF, lp, valueAt + 1, lp[valueAt] & 0xFF);
            at = valueAt + 1 + (lp[valueAt] & 0xFF);
        }
    }

    private static int count(byte[] lp, int base) {
        return (lp[base] & 0xFF) | (lp[base + 1] & 0xFF) << 8;
    }

    private static void count(byte[] lp, int base, int count) {
        lp[base] = (byte) count;
        lp[base + 1] = (byte) (count >>> 8);
    }

    /** The offset of the byte after the field whose length byte is at {@code at}, and after its value. */
    private static int next(byte[] lp, int at) {
        int valueAt = at + 1 + (lp[at] & 0xFF);
        return valueAt + 1 + (lp[valueAt] & 0xFF);
    }

    /**
     * The offset of field {@code b[offset, offset + length)}'s length byte in the listpack from {@code base};
     * when it is not there, the complement ({@code ~}) of the offset after the last field.
     */
    private static int indexOf(byte[] lp, int base, byte[] b, int offset, int length) {
        int at = base + HEADER;
        for (int n = count(lp, base); n > 0; n--) {
            int fieldLength = (lp[at] & 0xFF);
            int valueAt = at + 1 + fieldLength;
            if (fieldLength == length && java.util.Arrays.equals(lp, at + 1, valueAt, b, offset, offset + length)) {
                return at;
            }
            at = valueAt + 1 + (lp[valueAt] & 0xFF);
        }
        return ~at;
    }

    /** The offset after the last field. */
    private static int end(byte[] lp, int base) {
        int at = base + HEADER;
        for (int n = count(lp, base); n > 0; n--) {
            at = next(lp, at);
        }
        return at;
    }

    /** Gives {@code e}'s listpack room for {@code bytes} and returns its (new) array. */
    private static byte[] grow(KeyTable owner, KeyTable.Entry e, int bytes) {
        e.resizePacked(owner, capacity(bytes));
        return e.data;
    }

    /**
     * The room for {@code bytes} of listpack: past 256 bytes an eighth more, so that a large listpack built
     * field by field is not copied at every one (the entry rounds the array up to 8, which the heap's
     * alignment gives for nothing). A small one is, as Redis reallocates its listpack at every insert:
     * room kept in every small hash would cost more memory than the copies cost time.
     */
    private static int capacity(int bytes) {
        return bytes <= 256 ? bytes : bytes + bytes / 8;
    }

    /** Makes {@code e}'s hash a {@link HashValue} of the same fields and returns it. */
    private static HashValue convert(KeyTable owner, KeyTable.Entry e) {
        HashValue fields = new HashValue();
        forEachRange(e, fields::put);
        e.setAggregate(owner, fields);
        return fields;
    }
}
