package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * The keys of one shard that connections WATCH, each with a count of its changes: a connection
 * remembers the count when it watches, and EXEC (on this shard, under the transaction's locks)
 * compares. What counts as a change is what Redis counts: a write that changed the key's value or
 * expiry (a string's entry, version or expiry differs after the command; any write command on an
 * aggregate, whose commands change it in place), its deletion (DEL, expiry, FLUSHALL of a key that
 * existed), a key moved over it; not a write that changed nothing (SETNX on an existing key, DEL of
 * an absent one). Empty almost always: {@link #any} is the whole cost to a write command then.
 * Touched by its shard's thread only.
 */
final class Watches {
    /** One watched key: how many connections watch it and how often it changed since the first did. */
    static final class Watched {
        final byte[] key;
        long changes;
        private int watchers;

        private Watched(byte[] key) {
            this.key = key;
        }
    }

    private final HashMap<ByteKey, Watched> keys = new HashMap<>();

    boolean any() {
        return !keys.isEmpty();
    }

    /** Starts watching {@code key} for one more connection; the caller remembers {@link Watched#changes}. */
    Watched watch(byte[] key) {
        Watched w = keys.computeIfAbsent(ByteKey.of(key), k -> new Watched(key));
        w.watchers++;
        return w;
    }

    /** One connection stops watching {@code w}. */
    void unwatch(Watched w) {
        if (--w.watchers == 0) {
            keys.remove(ByteKey.of(w.key));
        }
    }

    /** The key changed. */
    void touch(byte[] b, int offset, int length) {
        Watched w = keys.get(ByteKey.of(b, offset, length));
        if (w != null) {
            w.changes++;
        }
    }

    /** FLUSHALL: every watched key that exists now changes. */
    void touchExisting(KeyTable table) {
        for (Watched w : keys.values()) {
            if (table.find(w.key, 0, w.key.length, KeyTable.hash(w.key, 0, w.key.length)) != null) {
                w.changes++;
            }
        }
    }

    /** A watched key as it was before a write command. */
    record Seen(Watched watched, KeyTable.Entry entry, long version, long expireAt) {
    }

    /** The watched keys of a write command as they are before it runs; null when it names none. */
    List<Seen> before(Command command, Request r, KeyTable table) {
        List<Seen> seen = null;
        for (int i : CommandKeys.indexes(command, r)) {
            Watched w = keys.get(ByteKey.of(r.bytes, r.offset(i), r.length(i)));
            if (w != null) {
                if (seen == null) {
                    seen = new ArrayList<>(2);
                }
                KeyTable.Entry e = table.find(w.key, 0, w.key.length, KeyTable.hash(w.key, 0, w.key.length));
                seen.add(new Seen(w, e, e == null ? 0 : e.version, e == null ? 0 : table.expireAt(e)));
            }
        }
        return seen;
    }

    /** After the write command whose keys {@link #before} saw: counts those it changed. */
    void after(List<Seen> seen, KeyTable table) {
        for (Seen s : seen) {
            Watched w = s.watched();
            KeyTable.Entry e = table.find(w.key, 0, w.key.length, KeyTable.hash(w.key, 0, w.key.length));
            boolean changed = e != s.entry() || (e != null && (e.version != s.version() || table.expireAt(e) != s.expireAt()
                    || !e.isString()));
            if (changed) {
                w.changes++;
            }
        }
    }
}
