package dev.atoll.examples.kv;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * One shard's registry of clients blocked on keys it owns ({@link BlockedClient}s, whichever shard
 * their connection lives on), per key in the order they blocked, and the hook every write calls when
 * it may have made a key able to serve them: {@link #signal}. Signalled keys are served after the
 * command that signalled them ({@link KvShard#execute} ends with {@link #serveReady}; writes outside
 * a command — a move between shards — get a task at the loop's next step), first blocked first
 * served, as Redis's handleClientsBlockedOnKeys does; a client served from one key is dropped from
 * the others lazily or by the unregister its home sends. Touched by its shard's thread only.
 */
final class Blocking {
    /** A key's bytes, as a map key. */
    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    private final KvShard shard;
    private final Map<Key, ArrayDeque<BlockedClient>> waiters = new HashMap<>();
    private final ArrayDeque<Key> ready = new ArrayDeque<>();
    private final Set<Key> readySet = new HashSet<>();
    private final Runnable serveTask = this::serveReadyTask;
    private boolean serveQueued;

    Blocking(KvShard shard) {
        this.shard = shard;
    }

    /**
     * The hook: a write just made {@code b[offset, offset + length)} hold something a blocked client
     * may take (a push, a move, a rename onto it). Any type calls it; the clients blocked on the key
     * decide ({@link BlockedClient#accepts}). Allocates nothing while no client is blocked here.
     */
    void signal(byte[] b, int offset, int length) {
        if (waiters.isEmpty()) {
            return;
        }
        Key key = new Key(Arrays.copyOfRange(b, offset, offset + length));
        if (!waiters.containsKey(key) || !readySet.add(key)) {
            return;
        }
        ready.add(key);
        if (!serveQueued) {
            serveQueued = true;
            shard.shard().execute(serveTask); // for writes outside a command; a command serves at its end
        }
    }

    /** Whether a signalled key waits to be served. */
    boolean hasReady() {
        return !ready.isEmpty();
    }

    /** Registers {@code client} as blocked on {@code key}, behind those blocked on it before. */
    void block(byte[] key, BlockedClient client) {
        waiters.computeIfAbsent(new Key(key), k -> new ArrayDeque<>()).addLast(client);
    }

    /** Removes {@code client} from the keys it blocked on here (it was served elsewhere, timed out, or closed). */
    void unblock(byte[][] keys, BlockedClient client) {
        for (byte[] bytes : keys) {
            Key key = new Key(bytes);
            ArrayDeque<BlockedClient> queue = waiters.get(key);
            if (queue != null) {
                queue.removeIf(c -> c == client);
                if (queue.isEmpty()) {
                    waiters.remove(key);
                }
            }
        }
    }

    /** Clients blocked on keys of this shard (INFO's blocked_clients counts each once per key). */
    int blockedCount() {
        int n = 0;
        for (ArrayDeque<BlockedClient> queue : waiters.values()) {
            n += queue.size();
        }
        return n;
    }

    private void serveReadyTask() {
        serveQueued = false;
        serveReady();
    }

    /** Serves the clients blocked on the signalled keys, each key's in the order they blocked; serving may signal more. */
    void serveReady() {
        long now = System.currentTimeMillis();
        while (!ready.isEmpty()) {
            Key key = ready.poll();
            readySet.remove(key);
            ArrayDeque<BlockedClient> queue = waiters.get(key);
            if (queue == null) {
                continue;
            }
            if (shard.locks.active() && shard.locks.locked(key.bytes, 0, key.bytes.length)) {
                byte[] k = key.bytes; // a transaction holds it: served once it lets go (signalled again then)
                shard.locks.whenFree(k, () -> signal(k, 0, k.length));
                continue;
            }
            Iterator<BlockedClient> it = queue.iterator();
            while (it.hasNext()) {
                KeyTable.Entry e = shard.peek(key.bytes, 0, key.bytes.length, now);
                if (e == null) {
                    break;
                }
                BlockedClient client = it.next();
                if (!client.waiting()) {
                    it.remove();
                } else if (client.accepts(e, false)) {
                    it.remove();
                    if (client.claim()) {
                        client.serve(shard, e, false, now);
                    }
                }
            }
            if (queue.isEmpty()) {
                waiters.remove(key);
            }
        }
    }
}
