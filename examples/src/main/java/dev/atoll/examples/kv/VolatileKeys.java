package dev.atoll.examples.kv;

import java.util.SplittableRandom;

/**
 * The keys of one {@link KeyTable} that have an expiry, each with its expiry: an open-addressing table (linear
 * probing from the key's hash) that holds the entry and its expiry in the same slot of two arrays. Nothing of it
 * is kept in the entry: 4 bytes in every key, most of which have no expiry, took a key's entry from 48 to 56
 * bytes under compact object headers. Redis keeps its expiries in a dictionary beside the keys for the same
 * reason. Only an entry whose {@link KeyTable.Entry#isVolatile} bit is set is looked up here, so a key without
 * an expiry costs nothing; one with an expiry costs its slot's two reads (the entry it compares, then the
 * expiry), where the slot's number kept in the entry cost one. Used by its shard's thread only.
 */
final class VolatileKeys {
    private static final int MIN_CAPACITY = 16;
    private static final KeyTable.Entry[] NO_KEYS = {};
    private static final long[] NO_EXPIRES = {};

    /** A power of two, at most three quarters full; null where empty. */
    private KeyTable.Entry[] keys = NO_KEYS;
    /** The expiry (Unix ms) of {@code keys[i]} at {@code i}. */
    private long[] expires = NO_EXPIRES;
    private int count;

    int count() {
        return count;
    }

    /**
     * The heap bytes of the two arrays (headers of 16 bytes, 8 a slot), for maxmemory; 0 once no key has an
     * expiry, when the arrays are kept at their least for the next one rather than given back.
     */
    long footprint() {
        return count == 0 ? 0 : 2 * KeyTable.arrayBytes(8 * keys.length);
    }

    /** The key's expiry (Unix ms); the entry must be volatile and {@code hash} its key's ({@link KeyTable.Entry#hash}). */
    long expireAt(KeyTable.Entry e, int hash) {
        return expires[slot(e, hash)];
    }

    /** Sets the expiry of a key that has one ({@code volatileAlready}) or gets one now. */
    void put(KeyTable.Entry e, boolean volatileAlready, long expireAt) {
        int hash = e.hash();
        if (volatileAlready) {
            expires[slot(e, hash)] = expireAt;
            return;
        }
        if (4 * (count + 1) > 3 * keys.length) {
            resize(Math.max(MIN_CAPACITY, keys.length * 2));
        }
        int mask = keys.length - 1;
        int i = hash & mask;
        while (keys[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = e;
        expires[i] = expireAt;
        count++;
    }

    /**
     * Forgets the expiry of a volatile key, then moves back the keys of its probe run that its empty slot would
     * hide from their lookups (Knuth's algorithm R): no tombstones, so a long-lived table never fills with them.
     */
    void remove(KeyTable.Entry e) {
        int mask = keys.length - 1;
        int hole = slot(e, e.hash());
        for (int i = (hole + 1) & mask; keys[i] != null; i = (i + 1) & mask) {
            int home = keys[i].hash() & mask;
            if (((i - home) & mask) >= ((i - hole) & mask)) { // its home is not cyclically within (hole, i]
                keys[hole] = keys[i];
                expires[hole] = expires[i];
                hole = i;
            }
        }
        keys[hole] = null;
        count--;
        if (keys.length > MIN_CAPACITY && 8 * count < keys.length) {
            resize(keys.length / 2); // sampling at random stays a few probes a key
        }
    }

    /**
     * A random key with an expiry, or null when there is none: the first key at or after a random slot. A key
     * after a longer empty run is a little more likely, as a key in a shorter chain is in Redis's sampling.
     */
    KeyTable.Entry random(SplittableRandom random) {
        if (count == 0) {
            return null;
        }
        int mask = keys.length - 1;
        int i = random.nextInt(keys.length);
        while (keys[i] == null) {
            i = (i + 1) & mask;
        }
        return keys[i];
    }

    /**
     * Redis's {@code dictGetStats} of this table (DEBUG HTSTATS's expiries): open addressing holds one key a slot, so
     * each slot's "chain" is 0 or 1 key; a key's probe from its home slot does not show.
     */
    void describe(StringBuilder out) {
        HashTableStats stats = new HashTableStats();
        for (KeyTable.Entry key : keys) {
            stats.bucket(key == null ? 0 : 1);
        }
        stats.appendTo(out, 0);
    }

    void clear() {
        keys = NO_KEYS;
        expires = NO_EXPIRES;
        count = 0;
    }

    /** The slot of a volatile key. */
    private int slot(KeyTable.Entry e, int hash) {
        int mask = keys.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            KeyTable.Entry k = keys[i];
            if (k == e) {
                return i;
            }
            if (k == null) {
                throw new IllegalStateException("a volatile key missing from its table's expiries");
            }
        }
    }

    private void resize(int capacity) {
        KeyTable.Entry[] oldKeys = keys;
        long[] oldExpires = expires;
        keys = new KeyTable.Entry[capacity];
        expires = new long[capacity];
        int mask = capacity - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            KeyTable.Entry e = oldKeys[j];
            if (e != null) {
                int i = e.hash() & mask;
                while (keys[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = e;
                expires[i] = oldExpires[j];
            }
        }
    }
}
