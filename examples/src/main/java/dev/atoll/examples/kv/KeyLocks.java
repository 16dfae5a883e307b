package dev.atoll.examples.kv;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * One shard's key locks for transactions across shards (and for commands that must wait behind
 * them). Each locked key has a FIFO queue of {@link Claim}s; a claim is granted once it is first in
 * the queue of every key it names on this shard, and it names all of them at once, so two claims
 * on one shard are granted in the order they arrived on every key they share (no deadlock within a
 * shard; {@link Transaction} claims its shards in ascending order, so none across shards either).
 *
 * <p>A <em>holding</em> claim (a transaction's) keeps its keys until {@link #release}. A
 * <em>passing</em> claim (a command that found its key locked: a batch's, a key move's step) runs
 * its continuation when granted and lets go at once: it only waits its turn. A whole-shard waiter
 * ({@link #afterLocks}: KEYS, SCAN, DBSIZE, FLUSHALL ...) runs once no key is locked; while one
 * waits, new claims wait behind it (they are gated), so it cannot be starved.
 *
 * <p>Nothing is locked almost always: {@link #active} is one field read, the whole cost to a
 * command on the fast path. Keys here are copies (this is the slow path). Touched by its shard's
 * thread only.
 */
final class KeyLocks {
    /** A request for some keys of this shard; granted when first in each of their queues. */
    static final class Claim {
        final byte[][] keys;
        /** Run when granted; for a passing claim, before its keys are let go. */
        final Runnable granted;
        final boolean holds;
        /** Queues in which it is not first yet. */
        private int waiting;

        Claim(byte[][] keys, boolean holds, Runnable granted) {
            this.keys = keys;
            this.holds = holds;
            this.granted = granted;
        }
    }

    private final HashMap<ByteKey, ArrayDeque<Claim>> queues = new HashMap<>();
    /** The passing claim whose continuation runs now: first in its queues, it does not block its own command. */
    private Claim running;
    private final ArrayDeque<Runnable> barriers = new ArrayDeque<>();
    private final ArrayDeque<Claim> gated = new ArrayDeque<>();
    /** Claims granted so far (INFO, tests). */
    long granted;
    /** Of them, those that had to wait. */
    long waited;

    /** True when some key of this shard is locked or claimed: only then must a command look further. */
    boolean active() {
        return !queues.isEmpty();
    }

    /** Keys locked or claimed now. */
    int lockedKeys() {
        return queues.size();
    }

    /** Whether the key {@code b[offset, offset + length)} is locked or claimed by someone else than the running command. */
    boolean locked(byte[] b, int offset, int length) {
        ArrayDeque<Claim> queue = queues.get(ByteKey.of(b, offset, length));
        return queue != null && queue.peekFirst() != running;
    }

    /** Whether any key of {@code command} (as {@code r} names them) is locked. */
    boolean blocks(Command command, Request r) {
        int[] keys = CommandKeys.indexes(command, r);
        for (int i : keys) {
            if (locked(r.bytes, r.offset(i), r.length(i))) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code then} in its turn on every one of {@code keys}: a passing claim. */
    void pass(List<byte[]> keys, Runnable then) {
        claim(new Claim(keys.toArray(new byte[0][]), false, then));
    }

    /** Runs {@code then} now if {@code key} is not locked, else in its turn behind the claims on it. */
    void whenFree(byte[] key, Runnable then) {
        if (!active() || !locked(key, 0, key.length)) {
            then.run();
        } else {
            claim(new Claim(new byte[][] {key}, false, then));
        }
    }

    /** Queues {@code claim}; runs its continuation now when every key is free. */
    void claim(Claim claim) {
        if (!barriers.isEmpty()) {
            gated.add(claim);
            return;
        }
        List<ByteKey> seen = new ArrayList<>(claim.keys.length);
        for (byte[] k : claim.keys) {
            ByteKey key = ByteKey.of(k, 0, k.length);
            if (seen.contains(key)) {
                continue; // a key named twice (MSET a 1 a 2) is queued once
            }
            seen.add(key);
            ArrayDeque<Claim> queue = queues.computeIfAbsent(key, x -> new ArrayDeque<>(4));
            queue.addLast(claim);
            if (queue.size() > 1) {
                claim.waiting++;
            }
        }
        if (claim.waiting == 0) {
            grant(claim);
        } else {
            waited++;
        }
    }

    /** Lets go of a granted claim's keys: the claims next in their queues may be granted. */
    void release(Claim claim) {
        List<Claim> ready = null;
        for (byte[] k : claim.keys) {
            ByteKey key = ByteKey.of(k, 0, k.length);
            ArrayDeque<Claim> queue = queues.get(key);
            if (queue == null || queue.peekFirst() != claim) {
                continue; // a key named twice: released with its first name
            }
            queue.pollFirst();
            Claim next = queue.peekFirst();
            if (next == null) {
                queues.remove(key);
            } else if (--next.waiting == 0) {
                if (ready == null) {
                    ready = new ArrayList<>(2);
                }
                ready.add(next);
            }
        }
        if (ready != null) {
            for (Claim next : ready) {
                grant(next);
            }
        }
        if (queues.isEmpty() && !barriers.isEmpty()) {
            runBarriers();
        }
    }

    private void grant(Claim claim) {
        granted++;
        if (claim.holds) {
            claim.granted.run();
            return;
        }
        Claim outer = running;
        running = claim;
        try {
            claim.granted.run();
        } finally {
            running = outer;
            release(claim);
        }
    }

    /** Runs {@code work} once no key of this shard is locked (now, if none is); claims arriving meanwhile wait behind it. */
    void afterLocks(Runnable work) {
        if (queues.isEmpty() && barriers.isEmpty()) {
            work.run();
        } else {
            barriers.add(work);
        }
    }

    private void runBarriers() {
        while (!barriers.isEmpty()) {
            barriers.poll().run();
        }
        while (!gated.isEmpty() && barriers.isEmpty()) {
            claim(gated.poll());
        }
    }
}
