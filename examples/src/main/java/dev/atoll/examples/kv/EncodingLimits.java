package dev.atoll.examples.kv;

/**
 * Redis's encoding thresholds: {@code hash-max-listpack-entries} and {@code -value}, {@code zset-max-listpack-entries}
 * and {@code -value}, {@code set-max-intset-entries}. A hash, sorted set or set takes its small encoding while it
 * stays within them and the large one past them, and keeps the large one, as in Redis; lowering one changes the
 * encoding a value gets at its next write, not the values already there (as in Redis).
 *
 * <p>One set per process, as Redis's are its server's: {@link #current} is what every shard's thread reads
 * (volatile: CONFIG SET publishes a new record from one shard's thread; a plain load on x86 and ARM's
 * {@code ldar}), and a server's start sets it from {@code kv.*} before it loads its keys.
 *
 * @param hashEntries   fields of a listpack hash; more make it a hashtable
 * @param hashValue     bytes of a listpack hash's field or value; more make it a hashtable
 * @param zsetEntries   members of a listpack sorted set; more make it a skiplist
 * @param zsetValue     bytes of a listpack sorted set's member; more make it a skiplist
 * @param intsetEntries members of an intset; more make it a hashtable
 */
record EncodingLimits(long hashEntries, long hashValue, long zsetEntries, long zsetValue, long intsetEntries) {
    /** Redis 7.0's defaults. */
    static final EncodingLimits DEFAULT = new EncodingLimits(512, 64, 128, 64, 512);
    /** The most fields a listpack hash holds here: their number takes 2 bytes ({@link HashListpack}). */
    static final long MAX_HASH_ENTRIES = 65_535;
    /** The longest field or value of a listpack hash here: its length takes 1 byte ({@link HashListpack}). */
    static final long MAX_HASH_VALUE = 255;

    /** The thresholds in force. */
    static volatile EncodingLimits current = DEFAULT;
}
