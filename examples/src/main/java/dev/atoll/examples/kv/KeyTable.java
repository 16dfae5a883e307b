package dev.atoll.examples.kv;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One shard's keys: a chained hash table of {@link Entry}s looked up by a byte range (no key object
 * per lookup), with a power-of-two bucket count, plus the list of keys that have an expiry, so that
 * active expiry can sample them. {@link #scan} walks the buckets in reverse-binary order, as Redis's
 * dict does, so a full SCAN returns every key that was present throughout even if the table grew
 * or shrank in between. Used by its shard's thread only.
 *
 * <p>A resize is incremental, as Redis's rehash: the new bucket array takes the keys added from then on,
 * and each insert or removal moves one bucket of the old array into it, until the old one is empty. Moved
 * at once, the keys of a shard of 2 M kept it from its connections for 1.3 s (each key's bytes are hashed
 * again, a cache miss or two a key); spread out, an operation moves a bucket of one or two keys. The new
 * array itself is made a segment at a time as keys go into it ({@link BucketArray}).
 */
final class KeyTable {
    private static final int MIN_BUCKETS = 16;
    /** Empty buckets a rehash step may pass over before the one it moves (Redis's {@code empty_visits}: 10 per bucket moved). */
    private static final int EMPTY_VISITS = 10;

    /**
     * A key with its value. The key is {@code data[0, keyLength())}; a string stored with it (every string of
     * the keyspace: one array a key, where a key and its value apart took two headers and a reference more)
     * follows at {@code data[keyLength(), keyLength() + length)}, and the array may be longer: room for
     * APPEND, SETRANGE and SETBIT to grow into (Redis's sds greed), so that many appends copy the value a
     * logarithmic number of times. A string may instead be an array apart (a sorted set's member-to-score
     * table shares its members with its skip list: its key arrays must be the members alone; a key of 64 KiB
     * or more); any other type is an {@link Aggregate}. Both are {@link #value}. Then the key is all of
     * {@code data}, so a log record or a reply may write an aggregate's key array whole. A small aggregate
     * may instead follow its key in {@code data} as a string does, in a {@link PackedEncoding} (a small hash's
     * listpack): one array and no object beside the entry; {@link #value} is then the encoding.
     */
    static final class Entry {
        /** Redis's own limit on greedy growth: beyond 1 MiB, a value grows by 1 MiB at a time. */
        private static final int GREEDY_LIMIT = 1 << 20;
        /** The longest array the JVM allocates with certainty. */
        private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;
        /**
         * {@link #keyMeta}'s bits: the key's length when a string is stored after it (below 64 KiB: a longer key,
         * which proto-max-bulk-len allows up to 2047 MiB, keeps its string apart), 12 bits of its hash, whether
         * it has an expiry, the snapshot's mark, two flags.
         */
        private static final int KEY_LENGTH = 0xFFFF;
        private static final int TAG = ((1 << 28) - 1) & ~KEY_LENGTH;
        /** Set while the key has an expiry, which the table keeps in its {@link VolatileKeys}. */
        private static final int VOLATILE = 1 << 28;
        /** Equal to the table's {@link KeyTable#snapshotMark} once the snapshot in progress (or the last) holds the key. */
        static final int SNAPSHOT = 1 << 29;
        /** What a change of the key's string or encoding keeps of {@link #keyMeta}. */
        private static final int KEPT = TAG | VOLATILE | SNAPSHOT;
        private static final int RAW = 1 << 30;
        private static final int NOT_INT = 1 << 31;

        /** The key's bytes, then those of a string or a packed aggregate stored with it, then room. */
        byte[] data;
        /**
         * Null for a string stored after the key in {@link #data}; a {@code byte[]} for a string apart; the
         * {@link PackedEncoding} of an aggregate stored after the key; else the {@link Aggregate}.
         */
        private Object value;
        /**
         * A string's length; for an aggregate, the bytes {@link #usedBytes} counts for it, as {@link #account}
         * last asked it (a string's own footprint follows from its arrays, so the entry keeps no field for it, and
         * so does a packed aggregate's); for a packed aggregate, the key's length, where its bytes start (any
         * length: {@link #keyMeta}'s bits are for a string's key).
         */
        int length;
        /**
         * The key's length when a string is stored after it (else the key is all of {@link #data}); above it the
         * top 12 bits of the key's hash (set when the table links it: a lookup compares them before it reads a
         * key's bytes, as a kept hash spared it, without the 4 bytes a key that kept hash took); whether the key
         * has an expiry (its place among the table's expiries is kept there, not here: see {@link VolatileKeys}); the
         * mark of the snapshot that holds the key ({@link KeyTable#beginSnapshot}: a bit, where an int would take
         * the entry from 48 to 56 bytes under ZGC with compact headers); and two flags (one int, not two booleans):
         * raw — changed in place (APPEND, SETRANGE, SETBIT), OBJECT ENCODING says raw as Redis does; not-int —
         * stored as text that is no candidate for the int encoding (INCRBYFLOAT's result).
         */
        private int keyMeta;
        /**
         * Bumped by every change of value or expiry: a move between shards deletes its source only if
         * unchanged, WATCH compares it. An int (it wraps after 2^32 changes, far more than can happen
         * while a move or a transaction waits) to keep the entry small.
         */
        int version;
        /**
         * The last command that read or wrote it (OBJECT IDLETIME, LRU eviction) as the low 32 bits of its
         * Unix time in ms ({@link Eviction#lruField}); under an LFU eviction policy instead Redis's
         * logarithmic access counter and the minute it last decayed ({@link Eviction#touch}); 0 until set.
         */
        int accessedAt;
        Entry next;

        /** A key holding the string {@code value} apart (the arrays are kept, not copied). */
        Entry(byte[] key, byte[] value) {
            this.data = key;
            this.value = value;
            this.length = value.length;
        }

        /** A key holding the string {@code v[from, from + count)}, both copied: into one array where they fit. */
        Entry(byte[] k, int offset, int keyLength, byte[] v, int from, int count) {
            if (fitsAfter(keyLength, count)) {
                data = new byte[roomFor(keyLength + count)];
                System.arraycopy(k, offset, data, 0, keyLength);
                System.arraycopy(v, from, data, keyLength, count);
                keyMeta = keyLength;
                length = count;
            } else {
                data = Arrays.copyOfRange(k, offset, offset + keyLength);
                value = Arrays.copyOfRange(v, from, from + count);
                length = count;
            }
        }

        Entry(byte[] key, Aggregate aggregate) {
            this.data = key;
            this.value = aggregate;
        }

        /** A key holding the aggregate packed as {@code v[from, from + count)} in {@code encoding}, both copied into one array. */
        Entry(byte[] k, int offset, int keyLength, PackedEncoding encoding, byte[] v, int from, int count) {
            data = new byte[roomFor(keyLength + count)];
            System.arraycopy(k, offset, data, 0, keyLength);
            System.arraycopy(v, from, data, keyLength, count);
            value = encoding;
            length = keyLength;
        }

        /** Whether a string of {@code count} bytes can follow a key of {@code keyLength} in one array. */
        private static boolean fitsAfter(int keyLength, int count) {
            return keyLength <= KEY_LENGTH && (long) keyLength + count <= MAX_ARRAY;
        }

        /** An array length for {@code bytes}: rounded up to 8, which the heap's alignment gives for nothing. */
        private static int roomFor(int bytes) {
            return Math.min((bytes + 7) & ~7, MAX_ARRAY);
        }

        /**
         * The key's hash ({@link KeyTable#hash}), computed again when needed (a resize, a removal, a move) rather
         * than kept: 4 bytes less a key, which keep the entry at 48 bytes under ZGC with compact headers (56 without).
         * A lookup compares 12 bits of it kept in {@link #keyMeta} first; the table of expiries probes from it.
         */
        int hash() {
            return KeyTable.hash(data, 0, keyLength());
        }

        /** Whether the key has an expiry. */
        boolean isVolatile() {
            return (keyMeta & VOLATILE) != 0;
        }

        int keyLength() {
            return value == null ? keyMeta & KEY_LENGTH : value instanceof PackedEncoding ? length : data.length;
        }

        /** The key in an array of its own length: {@link #data} itself unless a value is stored after it, else a copy. */
        byte[] key() {
            return value == null || value instanceof PackedEncoding ? Arrays.copyOf(data, keyLength()) : data;
        }

        /** Whether it holds a string (else an {@link Aggregate} or a {@link PackedEncoding}). */
        boolean isString() {
            return value == null || value instanceof byte[];
        }

        /** The hash, list, set or sorted set object; null for a string and for an aggregate packed after its key. */
        Aggregate aggregate() {
            return value instanceof Aggregate a ? a : null;
        }

        /** The encoding of the aggregate packed in {@link #data} after the key (from {@link #keyLength()}); else null. */
        PackedEncoding packed() {
            return value instanceof PackedEncoding p ? p : null;
        }

        /** What TYPE says: "string", or the aggregate's type, packed or not. */
        String type() {
            return isString() ? "string" : value instanceof PackedEncoding p ? p.type() : ((Aggregate) value).type();
        }

        /** What OBJECT ENCODING says for an aggregate, packed or not (a string's follows from its bytes: {@link KeyCommands}). */
        String aggregateEncoding() {
            return value instanceof PackedEncoding p ? p.encoding() : ((Aggregate) value).encoding();
        }

        /** How many elements an aggregate, packed or not, has. */
        int aggregateSize() {
            return value instanceof PackedEncoding p ? p.size(data, length) : ((Aggregate) value).size();
        }

        /** Writes the log records that rebuild an aggregate, packed or not, under its key (without the expiry). */
        void writeAggregateRecords(ReplyWriter w) {
            if (value instanceof PackedEncoding p) {
                p.writeRecords(data, length, w);
            } else {
                ((Aggregate) value).writeRecords(data, w); // an aggregate's key array is the key alone
            }
        }

        /** The array holding the string's bytes, at {@link #valueOffset()}: {@link #data} or the array apart. */
        byte[] valueArray() {
            return value == null ? data : (byte[]) value;
        }

        /** Where the string's bytes start in {@link #valueArray()}. */
        int valueOffset() {
            return value == null ? keyMeta & KEY_LENGTH : 0;
        }

        /** Changed in place (APPEND, SETRANGE, SETBIT): OBJECT ENCODING says raw, as Redis does. */
        boolean raw() {
            return (keyMeta & RAW) != 0;
        }

        void raw(boolean raw) {
            keyMeta = raw ? keyMeta | RAW : keyMeta & ~RAW;
        }

        /** Stored as text that is not a candidate for the int encoding (INCRBYFLOAT's result). */
        boolean notInt() {
            return (keyMeta & NOT_INT) != 0;
        }

        void notInt(boolean notInt) {
            keyMeta = notInt ? keyMeta | NOT_INT : keyMeta & ~NOT_INT;
        }

        // The changes below take the table that holds the entry ({@code owner}; null for an entry in none), which
        // counts what its arrays take as they change.

        /** Makes it the string {@code bytes}, apart (the array is kept, not copied). */
        void setString(KeyTable owner, byte[] bytes) {
            long before = footprint(this);
            apart(bytes);
            changed(owner, this, before);
        }

        private void apart(byte[] bytes) {
            data = key();
            value = bytes;
            length = bytes.length;
            keyMeta &= KEPT;
            version++;
        }

        /**
         * Makes it the string {@code v[from, from + count)}, copied after the key: over the entry's own array
         * when a new one would take the same heap bytes (SET of a same-sized value, INCR: no allocation), else
         * into a new array as long as those bytes allow (a multiple of 8: a value that grows within them is
         * written over too). Safe because the array is the entry's alone: replies, the log, DUMP, COPY and
         * moves between shards copy it, and nothing holds it past a command. A string apart stays apart (a
         * sorted set's scores), and so does one whose key and value would not fit in one array.
         */
        void setString(KeyTable owner, byte[] v, int from, int count) {
            long before = footprint(this);
            copy(v, from, count);
            changed(owner, this, before);
        }

        private void copy(byte[] v, int from, int count) {
            int keyLength = keyLength();
            if (value instanceof byte[] || !fitsAfter(keyLength, count)) {
                apart(Arrays.copyOfRange(v, from, from + count));
                return;
            }
            int size = keyLength + count;
            if (size > data.length || arrayBytes(data.length) != arrayBytes(size)) {
                byte[] grown = new byte[roomFor(size)];
                System.arraycopy(data, 0, grown, 0, keyLength);
                data = grown;
            }
            System.arraycopy(v, from, data, keyLength, count);
            value = null;
            length = count;
            keyMeta = keyMeta & KEPT | keyLength;
            version++;
        }

        /**
         * Makes it the aggregate packed as {@code v[from, from + count)} in {@code encoding}, copied after the key
         * into an array of that length (rounded up to 8: the heap's alignment gives it for nothing); written over
         * the entry's own array when a new one would take the same heap bytes. {@code v} may be {@link #data}
         * itself only from {@link #keyLength()} on.
         */
        void setPacked(KeyTable owner, PackedEncoding encoding, byte[] v, int from, int count) {
            long before = footprint(this);
            int keyLength = keyLength();
            int size = keyLength + count;
            byte[] array = data;
            if (size > data.length || arrayBytes(data.length) != arrayBytes(size)) {
                array = new byte[roomFor(size)];
                System.arraycopy(data, 0, array, 0, keyLength);
            }
            System.arraycopy(v, from, array, keyLength, count);
            data = array;
            value = encoding;
            length = keyLength;
            keyMeta &= KEPT;
            version++;
            changed(owner, this, before);
        }

        /**
         * Makes the array of a packed aggregate {@code room} bytes long after the key (rounded up to 8), keeping
         * the key and the packed bytes up to {@code room}: for the encoding to grow or give back what it freed.
         */
        void resizePacked(KeyTable owner, int room) {
            long before = footprint(this);
            data = Arrays.copyOf(data, roomFor(length + room));
            changed(owner, this, before);
        }

        /** Makes it the aggregate {@code elements}: the key's array becomes the key alone. */
        void setAggregate(KeyTable owner, Aggregate elements) {
            long before = footprint(this);
            data = key();
            value = elements;
            length = aggregateBytes(elements);
            keyMeta &= KEPT;
            version++;
            changed(owner, this, before);
        }

        /** Takes the value of {@code other} (RENAME, COPY, moving keys between shards), sharing nothing mutable. */
        void copyValueOf(KeyTable owner, Entry other) {
            if (other.isString()) {
                setString(owner, other.valueArray(), other.valueOffset(), other.length);
                raw(other.raw());
                notInt(other.notInt());
            } else if (other.value instanceof PackedEncoding p) { // its bytes follow another key: copied
                setPacked(owner, p, other.data, other.length, p.length(other.data, other.length));
            } else {
                setAggregate(owner, other.aggregate().copy());
            }
        }

        /** Takes the value of {@code other}, which is dropped next (RENAME): an aggregate object is shared, bytes copied. */
        void takeValueOf(KeyTable owner, Entry other) {
            if (other.aggregate() == null) {
                copyValueOf(owner, other);
            } else {
                setAggregate(owner, other.aggregate());
            }
        }

        /** The string's bytes in an array of their own length (a snapshot, a move). */
        byte[] bytes() {
            byte[] array = valueArray();
            int offset = valueOffset();
            return offset == 0 && array.length == length ? array : Arrays.copyOfRange(array, offset, offset + length);
        }

        /**
         * Makes the string at least {@code size} bytes long, new bytes zero, growing the array as sds
         * does: doubled up to 1 MiB, then by 1 MiB, never past {@code max} (which {@code size} is not over).
         * The string is then at {@link #valueArray()} from {@link #valueOffset()}, after the key where it fits.
         */
        void ensureLength(KeyTable owner, int size, long max) {
            int offset = valueOffset();
            byte[] array = valueArray();
            if (offset + (long) size > array.length) {
                long before = footprint(this);
                long greedy = size < GREEDY_LIMIT ? 2L * size : (long) size + GREEDY_LIMIT;
                int room = (int) Math.min(offset + Math.max(size, Math.min(greedy, max)), MAX_ARRAY);
                if (value == null && offset + (long) size <= MAX_ARRAY) {
                    data = Arrays.copyOf(data, room);
                } else { // apart, or too long for one array with its key
                    byte[] apart = new byte[room - offset];
                    System.arraycopy(array, offset, apart, 0, length);
                    data = key();
                    value = apart;
                    keyMeta &= ~KEY_LENGTH;
                }
                changed(owner, this, before);
                array = valueArray();
                offset = valueOffset();
            }
            if (size > length) {
                Arrays.fill(array, offset + length, offset + size, (byte) 0);
                length = size;
            }
            version++;
            raw(true);
        }

        /** Appends {@code b[offset, offset + count)} to the string (the caller checked {@code max}). */
        void append(KeyTable owner, byte[] b, int offset, int count, long max) {
            int at = length;
            ensureLength(owner, at + count, max);
            System.arraycopy(b, offset, valueArray(), valueOffset() + at, count);
        }
    }

    /** Receives the keys of one {@link #scan} step. */
    interface Visitor {
        void visit(Entry entry);
    }

    /** Serializes the keys of a snapshot ({@link #beginSnapshot}). */
    interface SnapshotWriter {
        /**
         * Serializes {@code entry} as it is now, or takes it on to write as it is now ({@link RecordPieces});
         * {@code lookup}: a command is about to look it up, else the walk reached it.
         */
        void write(Entry entry, boolean lookup);
    }

    /** The buckets keys are added to: the new array while a resize is in progress. */
    private BucketArray buckets = new BucketArray(MIN_BUCKETS);
    /** The array a resize is moving keys out of, or null when none is in progress. */
    private BucketArray draining;
    /** The next bucket of {@link #draining} to move: the buckets before it are empty. */
    private int drainIndex;
    private int size;
    /** Empty until a key gets an expiry: a hash's or a set's own table never has one. */
    private VolatileKeys volatileKeys = new VolatileKeys();
    /** The estimated heap footprint of the keys and their values (maxmemory's used memory). */
    private long usedBytes;
    /**
     * The mark ({@link Entry#SNAPSHOT} or 0) of the snapshot in progress, or of the last one: an entry whose
     * mark differs was in the table when it began and is not serialized yet. Each snapshot flips it, so a
     * bit per entry tells; a table that never snapshots keeps 0, as its entries do.
     */
    private int snapshotMark;
    /** Serializes an entry for the snapshot in progress ({@link #beginSnapshot}); null when none is. */
    private SnapshotWriter snapshotWriter;
    /** The last snapshot was abandoned before its walk ended: some keys still carry the mark before it. */
    private boolean snapshotUnfinished;
    /** The walk's visitor: serializes what the snapshot does not hold yet, a large aggregate maybe later. */
    private final Visitor snapshotWalk = e -> firstUse(e, false);

    /** The bits of {@code hash} an entry keeps ({@link Entry#keyMeta}): its top 12, which bucket indexes reach only past 2^20 buckets. */
    private static int tag(int hash) {
        return (hash >>> 20) << 16;
    }

    /** The hash of a key for its bucket: FNV-1a, then a finalizer so that the low bits spread (the shard is {@link KeySlots}'). */
    static int hash(byte[] bytes, int offset, int length) {
        int h = 0x811C9DC5;
        for (int i = offset, end = offset + length; i < end; i++) {
            h = (h ^ bytes[i]) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }

    int size() {
        return size;
    }

    /** The number of buckets keys are added to (a power of two, at least as many as keys until the table grows). */
    int buckets() {
        return buckets.length;
    }

    /** Whether a resize is moving keys from an old bucket array into {@link #buckets()}. */
    boolean resizing() {
        return draining != null;
    }

    /** Whether {@link #continueResize} has work: the keys' table or the expiries' is resizing. */
    boolean resizePending() {
        return draining != null || volatileKeys.resizing();
    }

    int volatileCount() {
        return volatileKeys.count();
    }

    /** The estimated heap bytes of every key with its value and its share of the table, and of the keys' expiries. */
    long usedBytes() {
        return usedBytes + volatileKeys.footprint();
    }

    /**
     * The heap footprint counted for {@code e}, with compressed references: the entry (48 bytes) and its bucket
     * slots (8), the key's array with the string or packed aggregate stored after it as allocated (the room
     * APPEND keeps included), a string's array apart, or what the aggregate object said it held when last
     * {@link #account}ed.
     */
    static long footprint(Entry e) {
        return ENTRY_BYTES + arrayBytes(e.data.length) + (e.value == null || e.value instanceof PackedEncoding ? 0
                : e.value instanceof byte[] apart ? arrayBytes(apart.length) : e.length);
    }

    /**
     * Counts what the aggregate {@code e} holds now in {@link #usedBytes}: called after every write of the key,
     * so that an aggregate changed in place is counted. A string's changes are counted as its arrays change
     * ({@link Entry#setString} and the others, told their table).
     */
    void account(Entry e) {
        Aggregate aggregate = e.aggregate();
        if (aggregate != null) {
            int now = aggregateBytes(aggregate);
            usedBytes += now - e.length;
            e.length = now;
        }
    }

    private static int aggregateBytes(Aggregate aggregate) {
        return (int) Math.min(Integer.MAX_VALUE, aggregate.bytes());
    }

    /** Adds what {@code e}'s footprint grew by since {@code before} (negative: shrank) to {@link #usedBytes}; for an entry in no table, nothing. */
    private static void changed(KeyTable owner, Entry e, long before) {
        if (owner != null) {
            owner.usedBytes += footprint(e) - before;
        }
    }

    /** The heap bytes of a {@code byte[]} of {@code length}: 16 of header, the bytes rounded up to 8. */
    static long arrayBytes(int length) {
        return 16 + ((length + 7L) & ~7L);
    }

    /** An entry's object and the bucket slots it takes on average (the table is kept at most full: 1 to 2 slots a key). */
    static final int ENTRY_BYTES = 48 + 8;

    Entry find(byte[] bytes, int offset, int length, int hash) {
        int undrained = undrainedBucket(hash);
        if (undrained >= 0) {
            Entry e = findIn(draining.head(undrained), bytes, offset, length, hash);
            if (e != null) {
                return e;
            }
        }
        return findIn(buckets.head(hash & (buckets.length - 1)), bytes, offset, length, hash);
    }

    /**
     * During a resize, the bucket of the old array a key of {@code hash} is in if that bucket is not moved yet
     * (unless the key was added since: those go into the new array); else -1.
     */
    private int undrainedBucket(int hash) {
        BucketArray old = draining;
        if (old == null) {
            return -1;
        }
        int index = hash & (old.length - 1);
        return index >= drainIndex ? index : -1;
    }

    private Entry findIn(Entry chain, byte[] bytes, int offset, int length, int hash) {
        int tag = tag(hash);
        for (Entry e = chain; e != null; e = e.next) {
            if ((e.keyMeta & Entry.TAG) == tag && e.keyLength() == length
                    && Arrays.equals(e.data, 0, length, bytes, offset, offset + length)) {
                if ((e.keyMeta & Entry.SNAPSHOT) != snapshotMark) {
                    firstUse(e, true); // a snapshot walks: the key goes into it as it is before the command that looks it up
                }
                return e;
            }
        }
        return null;
    }

    /** Adds a key that is not in the table holding the string {@code value} apart (arrays kept, not copied). */
    Entry insert(byte[] key, int hash, byte[] value) {
        return link(new Entry(key, value), hash);
    }

    /** Adds the key {@code k[offset, offset + length)} that is not in the table holding the string {@code v[from, from + count)}, both copied into one array. */
    Entry insert(byte[] k, int offset, int length, int hash, byte[] v, int from, int count) {
        return link(new Entry(k, offset, length, v, from, count), hash);
    }

    /** Adds a key holding an aggregate that is not in the table. */
    Entry insert(byte[] key, int hash, Aggregate elements) {
        return link(new Entry(key, elements), hash);
    }

    /** Adds the key {@code k[offset, offset + length)} that is not in the table holding the aggregate packed as {@code v[from, from + count)}, both copied into one array. */
    Entry insert(byte[] k, int offset, int length, int hash, PackedEncoding encoding, byte[] v, int from, int count) {
        return link(new Entry(k, offset, length, encoding, v, from, count), hash);
    }

    private Entry link(Entry e, int hash) {
        Aggregate aggregate = e.aggregate();
        if (aggregate != null) {
            e.length = aggregateBytes(aggregate);
        }
        usedBytes += footprint(e);
        e.keyMeta |= tag(hash);
        e.keyMeta = e.keyMeta & ~Entry.SNAPSHOT | snapshotMark; // linked during a snapshot: all in the records after its start
        if (draining != null) {
            drainStep();
        }
        if (size >= buckets.length) {
            // At most one key per bucket on average, as Redis's dict: a slot costs 8 bytes (ZGC has no compressed
            // references), so a half-full table cost 16-32 bytes a key against Redis's 8-16; a lookup walks
            // 1 + load / 2 entries on average, 1.25 to 1.5 now, each a cache miss.
            startResize(buckets.length * 2);
        }
        int index = hash & (buckets.length - 1);
        e.next = buckets.head(index);
        buckets.setHead(index, e);
        size++;
        return e;
    }

    /** Removes the key {@code bytes[offset, offset + length)}; false when it is not in the table. */
    boolean remove(byte[] bytes, int offset, int length) {
        Entry e = find(bytes, offset, length, hash(bytes, offset, length));
        if (e == null) {
            return false;
        }
        remove(e);
        return true;
    }

    void remove(Entry entry) {
        int hash = entry.hash();
        int undrained = undrainedBucket(hash);
        if (!(undrained >= 0 && unlink(draining, undrained, entry))
                && !unlink(buckets, hash & (buckets.length - 1), entry)) {
            throw new IllegalStateException("removing an entry that is not in the table");
        }
        setExpire(entry, 0);
        size--;
        usedBytes -= footprint(entry);
        if (draining != null) {
            drainStep();
        } else if (buckets.length > MIN_BUCKETS && size < buckets.length / 16) {
            startResize(buckets.length / 2);
        }
    }

    private static boolean unlink(BucketArray table, int index, Entry entry) {
        Entry previous = null;
        for (Entry e = table.head(index); e != null; previous = e, e = e.next) {
            if (e == entry) {
                if (previous == null) {
                    table.setHead(index, e.next);
                } else {
                    previous.next = e.next;
                }
                e.next = null;
                return true;
            }
        }
        return false;
    }

    /** Sets (or with 0 clears) a key's expiry, keeping the list of keys with one up to date. */
    void setExpire(Entry e, long expireAt) {
        e.version++;
        boolean wasVolatile = e.isVolatile();
        if (expireAt == 0) {
            if (wasVolatile) {
                volatileKeys.remove(e);
                e.keyMeta &= ~Entry.VOLATILE;
            }
            return;
        }
        volatileKeys.put(e, wasVolatile, expireAt);
        e.keyMeta |= Entry.VOLATILE;
    }

    /** Whether the key has an expiry at or before {@code now}. */
    boolean expiredBy(Entry e, long now) {
        return e.isVolatile() && volatileKeys.expireAt(e, e.hash()) <= now;
    }

    /** As {@link #expiredBy(Entry, long)}, with the key's hash at hand (a lookup's): not computed again. */
    boolean expiredBy(Entry e, int hash, long now) {
        return e.isVolatile() && volatileKeys.expireAt(e, hash) <= now;
    }

    /** Unix time in ms when the key expires; 0 = never (also for an entry in no table). */
    long expireAt(Entry e) {
        return e.isVolatile() ? volatileKeys.expireAt(e, e.hash()) : 0;
    }

    /** A random key with an expiry, or null when there is none. */
    Entry randomVolatile(SplittableRandom random) {
        return volatileKeys.random(random);
    }

    /**
     * A random key, or null when there is none: a random non-empty bucket, then a random entry of its
     * chain (Redis's dictGetFairRandomKey, roughly: a key in a long chain is a little less likely).
     */
    Entry random(SplittableRandom random) {
        if (size == 0) {
            return null;
        }
        BucketArray old = draining;
        // During a resize, a bucket of either array that can hold keys (Redis's dictGetFairRandomKey too).
        int slots = buckets.length + (old == null ? 0 : old.length - drainIndex);
        Entry head;
        do {
            int slot = random.nextInt(slots);
            head = slot < buckets.length ? buckets.head(slot) : old.head(drainIndex + slot - buckets.length);
        } while (head == null); // about 1 in 16 buckets or more holds a key: the table shrinks below that
        int chain = 0;
        for (Entry e = head; e != null; e = e.next) {
            chain++;
        }
        Entry e = head;
        for (int skip = random.nextInt(chain); skip > 0; skip--) {
            e = e.next;
        }
        return e;
    }

    void clear() {
        buckets = new BucketArray(MIN_BUCKETS);
        draining = null;
        drainIndex = 0;
        volatileKeys.clear();
        size = 0;
        usedBytes = 0;
    }

    /**
     * Takes every key of {@code fresh} in place of its own in one step whatever their number (a replica's full sync:
     * {@link KvShard#replaceKeys}): its buckets, its expiries and its counts move over, and {@code fresh} is left
     * empty. No snapshot may be in progress here; {@code fresh}'s keys carry its snapshot mark, which becomes this
     * table's, so the next snapshot takes each of them once.
     */
    void takeKeysOf(KeyTable fresh) {
        if (snapshotWriter != null || fresh.snapshotWriter != null) {
            throw new IllegalStateException("keys replaced while a snapshot walks the table");
        }
        buckets = fresh.buckets;
        draining = fresh.draining;
        drainIndex = fresh.drainIndex;
        size = fresh.size;
        usedBytes = fresh.usedBytes;
        volatileKeys = fresh.volatileKeys;
        snapshotMark = fresh.snapshotMark;
        snapshotUnfinished = fresh.snapshotUnfinished;
        fresh.buckets = new BucketArray(MIN_BUCKETS);
        fresh.draining = null;
        fresh.drainIndex = 0;
        fresh.volatileKeys = new VolatileKeys();
        fresh.size = 0;
        fresh.usedBytes = 0;
    }

    /**
     * Visits the keys of the bucket(s) at {@code cursor} and returns the next cursor (0 when the walk
     * is complete), visiting at least {@code count} keys unless the walk ends first. The visitor must not
     * change the table.
     */
    long scan(long cursor, int count, Visitor visitor) {
        long v = cursor;
        int visited = 0;
        do {
            BucketArray old = draining;
            if (old == null) {
                long mask = buckets.length - 1;
                visited += visit(buckets.head((int) (v & mask)), visitor);
                v = nextCursor(v, mask);
            } else {
                // During a resize, as Redis's dictScan: the smaller array's bucket at the cursor, then every bucket
                // of the larger one that it splits into (their indexes share its low bits), so a key is visited
                // wherever the resize has put it.
                BucketArray small = old.length < buckets.length ? old : buckets;
                BucketArray large = small == old ? buckets : old;
                long smallMask = small.length - 1;
                long largeMask = large.length - 1;
                visited += visit(small.head((int) (v & smallMask)), visitor);
                do {
                    visited += visit(large.head((int) (v & largeMask)), visitor);
                    v = nextCursor(v, largeMask); // carries into the smaller array's bits once the split's are done
                } while ((v & (smallMask ^ largeMask)) != 0);
            }
        } while (v != 0 && visited < count);
        return v;
    }

    private static int visit(Entry chain, Visitor visitor) {
        int visited = 0;
        for (Entry e = chain; e != null; e = e.next) {
            visitor.visit(e);
            visited++;
        }
        return visited;
    }

    /** Increments the reversed cursor: walks high bits first, which survives resizing. */
    private static long nextCursor(long v, long mask) {
        return Long.reverse(Long.reverse(v | ~mask) + 1);
    }

    /**
     * Starts a point-in-time snapshot walked a step at a time while the table changes (Dragonfly's versioned
     * snapshot, per key): from now on every key in the table goes to {@code writer}, as it is at the start,
     * either when {@link #walkSnapshot} reaches it or before a {@link #find} hands it to a command, whichever
     * comes first; keys linked from now on are not serialized (the records that made them follow the start).
     * Every lookup goes through {@link #find}, so no command changes a key the snapshot does not hold yet; a key
     * deleted without one (an expiry) or by {@link #clear} is left unchanged, which the snapshot may still read.
     */
    void beginSnapshot(SnapshotWriter writer) {
        if (snapshotUnfinished) {
            // After an abandoned walk (a failed rewrite, rare) the keys it did not reach get its mark in one
            // pass, so that flipping the mark makes every key unserialized again.
            forEach(e -> firstUse(e, true));
        }
        snapshotMark ^= Entry.SNAPSHOT;
        snapshotWriter = writer;
        snapshotUnfinished = true;
    }

    /**
     * One step of the snapshot's walk from {@code cursor} (0 at the start), visiting at least {@code count} keys;
     * returns the next cursor, 0 once it has visited every key in the table since the start (a {@link #scan}
     * visits every key present throughout, at least once, however the table resizes meanwhile).
     */
    long walkSnapshot(long cursor, int count) {
        return scan(cursor, count, snapshotWalk);
    }

    /**
     * Ends the snapshot: {@code complete}, every key is in it; else abandoned, and the keys it did not reach
     * are marked when next used or at the next {@link #beginSnapshot}.
     */
    void endSnapshot(boolean complete) {
        snapshotWriter = null;
        snapshotUnfinished = !complete;
    }

    /** Whether a snapshot is in progress (the log's rewrite or an RDB save holds it: one at a time). */
    boolean snapshotting() {
        return snapshotWriter != null;
    }

    private void firstUse(Entry e, boolean lookup) {
        if ((e.keyMeta & Entry.SNAPSHOT) != snapshotMark) {
            e.keyMeta = e.keyMeta & ~Entry.SNAPSHOT | snapshotMark;
            if (snapshotWriter != null) {
                snapshotWriter.write(e, lookup);
            }
        }
    }

    /** Visits every key; the table must not change meanwhile. */
    void forEach(Visitor visitor) {
        BucketArray old = draining;
        if (old != null) {
            for (int i = drainIndex; i < old.length; i++) {
                visit(old.head(i), visitor);
            }
        }
        for (int i = 0; i < buckets.length; i++) {
            visit(buckets.head(i), visitor);
        }
    }

    /**
     * Redis's {@code dictGetStats} of the keys' buckets (DEBUG HTSTATS, HTSTATS-KEY): the array keys are looked up in
     * first — during a resize the old one, what it still holds — then the array a resize moves them into. Walks every
     * bucket.
     */
    void describeBuckets(StringBuilder out) {
        BucketArray old = draining;
        if (old != null) {
            chainLengths(old).appendTo(out, 0);
            chainLengths(buckets).appendTo(out, 1);
        } else {
            chainLengths(buckets).appendTo(out, 0);
        }
    }

    /** The same of the table that holds the keys' expiries. */
    void describeExpiries(StringBuilder out) {
        volatileKeys.describe(out);
    }

    private static HashTableStats chainLengths(BucketArray array) {
        HashTableStats stats = new HashTableStats();
        for (int i = 0; i < array.length; i++) {
            int length = 0;
            for (Entry e = array.head(i); e != null; e = e.next) {
                length++;
            }
            stats.bucket(length);
        }
        return stats;
    }

    /**
     * Moves up to {@code count} buckets of a resize in progress, and up to {@code count} runs of one of the expiries'
     * table (the shard's periodic work, as Redis's cron rehashes its keys and its expiries: a table that is only read
     * finishes its resize too, and frees its old array).
     */
    void continueResize(int count) {
        for (int i = 0; i < count && draining != null; i++) {
            drainStep();
        }
        volatileKeys.continueResize(count);
    }

    /** Begins moving the keys into {@code newLength} buckets, a bucket per later insert or removal; one in progress is finished first. */
    private void startResize(int newLength) {
        while (draining != null) {
            drainStep(); // rare: a table that shrank grows past its new array before the old one was emptied
        }
        draining = buckets;
        drainIndex = 0;
        buckets = new BucketArray(newLength);
        drainStep();
    }

    /** Moves the next non-empty bucket of {@link #draining} (passing at most {@link #EMPTY_VISITS} empty ones) into {@link #buckets}. */
    private void drainStep() {
        BucketArray old = draining;
        int end = old.length;
        int i = old.skipUnmade(drainIndex);
        for (int emptyLeft = EMPTY_VISITS; i < end && old.head(i) == null; i++) {
            if (--emptyLeft == 0) {
                drainIndex = i + 1;
                return;
            }
        }
        if (i < end) {
            BucketArray fresh = buckets;
            int mask = fresh.length - 1;
            Entry e = old.head(i);
            old.setHead(i, null);
            while (e != null) {
                Entry next = e.next;
                int index = e.hash() & mask;
                e.next = fresh.head(index);
                fresh.setHead(index, e);
                e = next;
            }
            i++;
        }
        drainIndex = i;
        if (i == end) {
            draining = null;
            drainIndex = 0;
        }
    }
}
