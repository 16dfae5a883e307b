package dev.atoll.examples.kv;

import java.util.SplittableRandom;

/**
 * The keys of one {@link KeyTable} that have an expiry, each with its expiry: an open-addressing table (linear
 * probing from the key's hash) that holds the entry and its expiry in the same slot of two arrays. Nothing of it
 * is kept in the entry: 4 bytes in every key, most of which have no expiry, took a key's entry from 48 to 56
 * bytes under compact object headers. Redis keeps its expiries in a dictionary beside the keys for the same
 * reason. Only an entry whose {@link KeyTable.Entry#isVolatile} bit is set is looked up here, so a key without
 * an expiry costs nothing; one with an expiry costs its slot's two reads (the entry it compares, then the
 * expiry), where the slot's number kept in the entry cost one.
 *
 * <p>A resize is incremental, as {@link KeyTable}'s: the new slots ({@link ExpirySlots}, made a segment at a time)
 * take the keys that get an expiry from then on, and each change moves a run of the old slots (the keys between two
 * empty slots), from the lowest slot up, until none is left. Moved all at once, a shard's 2 M keys with an expiry
 * stopped it for 400-550 ms when they grew past their table. A key's probe from its home slot passes no empty slot,
 * so once every old slot below the resize's cursor is empty no old key has its home there: a key whose home is below
 * the cursor is in the new slots, and a lookup looks in the old ones only for the others. Used by its shard's thread
 * only.
 */
final class VolatileKeys {
    private static final int MIN_CAPACITY = 16;
    /** Empty old slots a step may pass over before the run it moves (Redis's {@code empty_visits}: 10 a bucket). */
    private static final int EMPTY_VISITS = 20;
    /** Random slots a random draw tries before it takes a run: slots an eighth full miss all 64 2 times in 10,000. */
    private static final int RANDOM_PROBES = 64;

    /**
     * Where keys go: a power of two at most three quarters full, counting the keys still in {@link #draining}; its
     * slots hold null where empty.
     */
    private ExpirySlots slots = ExpirySlots.NONE;
    /** During a resize, the slots its keys leave; else null. */
    private ExpirySlots draining;
    /** During a resize, the cursor: the slots of {@link #draining} below it are empty, and no key there has its home below it. */
    private int drainIndex;
    /** The keys still in {@link #draining}. */
    private int drainingCount;
    private int count;

    int count() {
        return count;
    }

    /** Whether a resize is moving keys out of the old slots. */
    boolean resizing() {
        return draining != null;
    }

    /** The number of slots keys are added to. */
    int capacity() {
        return slots.length;
    }

    /**
     * The heap bytes of the slots' segments made (8 bytes a slot for the key, 8 for its expiry), for maxmemory; 0
     * once no key has an expiry, when the slots are kept for the next one rather than given back.
     */
    long footprint() {
        return count == 0 ? 0 : slots.footprint() + (draining == null ? 0 : draining.footprint());
    }

    /** The key's expiry (Unix ms); the entry must be volatile and {@code hash} its key's ({@link KeyTable.Entry#hash}). */
    long expireAt(KeyTable.Entry e, int hash) {
        int old = drainingSlot(e, hash);
        return old >= 0 ? draining.expire(old) : slots.expire(slot(slots, e, hash));
    }

    /** Sets the expiry of a key that has one ({@code volatileAlready}) or gets one now. */
    void put(KeyTable.Entry e, boolean volatileAlready, long expireAt) {
        int hash = e.hash();
        if (volatileAlready) {
            int old = drainingSlot(e, hash);
            if (old >= 0) {
                draining.setExpire(old, expireAt);
            } else {
                slots.setExpire(slot(slots, e, hash), expireAt);
            }
            return;
        }
        if (draining != null) {
            drainStep();
        }
        if (4 * (count + 1) > 3 * slots.length) {
            startResize(Math.max(MIN_CAPACITY, slots.length * 2));
        }
        add(slots, e, hash, expireAt);
        count++;
    }

    /** Forgets the expiry of a volatile key. */
    void remove(KeyTable.Entry e) {
        int hash = e.hash();
        int old = drainingSlot(e, hash);
        if (old >= 0) {
            removeAt(draining, old);
            drainingCount--;
        } else {
            removeAt(slots, slot(slots, e, hash));
        }
        count--;
        if (draining != null) {
            drainStep();
        } else if (slots.length > MIN_CAPACITY && 8 * count < slots.length) {
            startResize(slots.length / 2); // sampling at random stays a few probes a key
        }
    }

    /**
     * A random key with an expiry, or null when there is none: the key of a random slot, of the new slots or the old
     * ones still to move, that holds one — each key as likely as another, as Redis's sampling of its two tables —
     * up to {@link #RANDOM_PROBES} slots tried; then, in slots that a resize left with few keys, a random key of the
     * first run at or after a random slot of the old or the new ones, in proportion to their keys.
     */
    KeyTable.Entry random(SplittableRandom random) {
        if (count == 0) {
            return null;
        }
        ExpirySlots old = draining;
        int oldSlots = old == null ? 0 : old.length - drainIndex;
        for (int probe = 0; probe < RANDOM_PROBES; probe++) {
            int slot = random.nextInt(slots.length + oldSlots);
            KeyTable.Entry e = slot < slots.length ? slots.key(slot) : old.key(drainIndex + slot - slots.length);
            if (e != null) {
                return e;
            }
        }
        if (old != null && random.nextInt(count) < drainingCount) {
            return randomOfRun(old, drainIndex + random.nextInt(oldSlots), drainIndex, random);
        }
        return randomOfRun(slots, random.nextInt(slots.length), 0, random);
    }

    /**
     * A random key of the first run at or after slot {@code start} of {@code table}, which holds a key at or after slot
     * {@code lowest}; past the last slot the search goes on from {@code lowest}.
     */
    private static KeyTable.Entry randomOfRun(ExpirySlots table, int start, int lowest, SplittableRandom random) {
        int first = start;
        while (table.key(first) == null) {
            first = first + 1 < table.length ? first + 1 : lowest;
        }
        int length = 0;
        int slotsAbove = table.length - lowest;
        for (int i = first; length < slotsAbove && table.key(i) != null; i = i + 1 < table.length ? i + 1 : lowest) {
            length++;
        }
        int i = first;
        for (int skip = random.nextInt(length); skip > 0; skip--) {
            i = i + 1 < table.length ? i + 1 : lowest;
        }
        return table.key(i);
    }

    /** Moves up to {@code steps} steps of a resize in progress (the shard's periodic work under activerehashing). */
    void continueResize(int steps) {
        for (int i = 0; i < steps && draining != null; i++) {
            drainStep();
        }
    }

    /**
     * Redis's {@code dictGetStats} of this table (DEBUG HTSTATS's expiries): open addressing holds one key a slot, so
     * each slot's "chain" is 0 or 1 key; a key's probe from its home slot does not show. During a resize, the old
     * slots (what they still hold), then the new.
     */
    void describe(StringBuilder out) {
        if (draining != null) {
            occupancy(draining).appendTo(out, 0);
            occupancy(slots).appendTo(out, 1);
        } else {
            occupancy(slots).appendTo(out, 0);
        }
    }

    private static HashTableStats occupancy(ExpirySlots table) {
        HashTableStats stats = new HashTableStats();
        for (int i = 0; i < table.length; i++) {
            stats.bucket(table.key(i) == null ? 0 : 1);
        }
        return stats;
    }

    void clear() {
        slots = ExpirySlots.NONE;
        draining = null;
        drainIndex = 0;
        drainingCount = 0;
        count = 0;
    }

    /** The slot of {@link #draining} that holds {@code e}, or -1 when it is not there (no resize, or moved). */
    private int drainingSlot(KeyTable.Entry e, int hash) {
        ExpirySlots old = draining;
        if (old == null) {
            return -1;
        }
        int mask = old.length - 1;
        int i = hash & mask;
        if (i < drainIndex) {
            return -1; // no key of the old slots has its home below the cursor
        }
        for (; ; i = (i + 1) & mask) {
            KeyTable.Entry k = old.key(i);
            if (k == e) {
                return i;
            }
            if (k == null) {
                return -1;
            }
        }
    }

    /** The slot of a volatile key that is in {@code table}. */
    private static int slot(ExpirySlots table, KeyTable.Entry e, int hash) {
        int mask = table.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            KeyTable.Entry k = table.key(i);
            if (k == e) {
                return i;
            }
            if (k == null) {
                throw new IllegalStateException("a volatile key missing from its table's expiries");
            }
        }
    }

    private static void add(ExpirySlots table, KeyTable.Entry e, int hash, long expireAt) {
        int mask = table.length - 1;
        int i = hash & mask;
        while (table.key(i) != null) {
            i = (i + 1) & mask;
        }
        table.set(i, e, expireAt);
    }

    /**
     * Empties slot {@code hole} of {@code table}, then moves back the keys of its probe run that the empty slot would
     * hide from their lookups (Knuth's algorithm R): no tombstones, so a long-lived table never fills with them.
     */
    private static void removeAt(ExpirySlots table, int hole) {
        int mask = table.length - 1;
        for (int i = (hole + 1) & mask; table.key(i) != null; i = (i + 1) & mask) {
            KeyTable.Entry k = table.key(i);
            int home = k.hash() & mask;
            if (((i - home) & mask) >= ((i - hole) & mask)) { // its home is not cyclically within (hole, i]
                table.set(hole, k, table.expire(i));
                hole = i;
            }
        }
        table.clear(hole);
    }

    /** Begins moving the keys into {@code capacity} new slots, a few per later change; one in progress is finished first. */
    private void startResize(int capacity) {
        while (draining != null) {
            drainStep(); // rare: the new slots filled (or emptied) past their bounds before the old ones were left
        }
        ExpirySlots old = slots;
        slots = new ExpirySlots(capacity);
        if (count > 0) {
            draining = old;
            drainIndex = 0;
            drainingCount = count;
        }
    }

    /**
     * Moves the next run of {@link #draining} — the keys from the cursor's first one up to an empty slot — into
     * {@link #slots}, passing at most {@link #EMPTY_VISITS} empty slots before it. The run moves whole: the slot after
     * it is empty, so no key beyond it probes through it, and none of its keys has to be moved back (algorithm R, which
     * hashes each key of the run after a removal again).
     */
    private void drainStep() {
        ExpirySlots old = draining;
        int i = drainIndex;
        for (int empty = 0; i < old.length && empty < EMPTY_VISITS; empty++) {
            int made = old.skipUnmade(i);
            KeyTable.Entry e = made == i ? old.key(i) : null;
            if (e == null) {
                i = Math.max(made, i + 1);
                continue;
            }
            // At the first step a run may go on past the last slot at slot 0: that part has moved already.
            do {
                add(slots, e, e.hash(), old.expire(i));
                old.clear(i);
                drainingCount--;
                i++;
            } while (i < old.length && (e = old.key(i)) != null);
            break;
        }
        drainIndex = i;
        if (i >= old.length) {
            draining = null;
            drainIndex = 0;
        }
    }
}
