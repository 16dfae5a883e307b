package dev.atoll.examples.kv;

/**
 * An aggregate's encoding that keeps its elements in its key's own array, after the key's bytes, with no
 * object of its own ({@link KeyTable.Entry#packed}): a key costs its entry and one array, as a string does.
 * Redis's small encodings (a hash's listpack, {@link HashListpack}) fit it; a large aggregate is an
 * {@link Aggregate} object. Stateless: one instance an encoding, which the entry holds as its value, so
 * that the entry knows its type without an object per key. Used by its shard's thread only.
 */
interface PackedEncoding {
    /** What TYPE says, as {@link Aggregate#type}. */
    String type();

    /** What OBJECT ENCODING says, as {@link Aggregate#encoding}. */
    String encoding();

    /** How many elements the packed bytes from {@code data[offset]} hold. */
    int size(byte[] data, int offset);

    /** How many bytes from {@code data[offset]} it takes (the array may have room after them). */
    int length(byte[] data, int offset);

    /**
     * Writes the log records that rebuild it under the key {@code data[0, keyLength)}, its packed bytes
     * following, to {@code w}, as {@link Aggregate#writeRecords}.
     */
    void writeRecords(byte[] data, int keyLength, ReplyWriter w);
}
