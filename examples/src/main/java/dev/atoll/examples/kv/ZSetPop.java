package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

/**
 * The blocking pops of sorted sets: BZPOPMIN, BZPOPMAX, BZMPOP, on keys any shard may own, woken by a
 * ZADD (or a store, RENAME, COPY) from a connection on any shard. The walk, the claim, the timeout
 * and the wake-up are {@link BlockedClient}'s, as for the lists' pops ({@link ListPop}); this class
 * says what serving means for a sorted set: take the lowest or highest scores of the first key that
 * has members, logged as ZREM where it is taken ({@link ZSetCommands#popFirst}).
 */
final class ZSetPop extends BlockedClient {
    private final Command command;
    private final ZSetAlgebra.Pop pop;
    // Handed from the owner to home through the mesh: touched by one shard at a time.
    private byte[] servedKey;
    private int sourceOwner;
    private ZSetCommands.Popped popped;

    private ZSetPop(KvNode node, KvConnection connection, boolean resp3, Command command, byte[][] keys,
                    long timeoutMillis, ZSetAlgebra.Pop pop) {
        super(node, connection, resp3, keys, true, timeoutMillis);
        this.command = command;
        this.pop = pop;
    }

    /**
     * Parses {@code r} on the connection's shard: BZPOPMIN|BZPOPMAX key [key ...] timeout, or BZMPOP
     * timeout numkeys key [key ...] MIN|MAX [COUNT count]; null when it was answered at once into
     * {@code out} (a syntax error, a bad timeout). The caller queues the result as the connection's
     * pending reply and then calls {@link #begin}.
     */
    static ZSetPop parse(KvNode node, KvConnection connection, ReplyWriter out, Command command, Request r) {
        int n = r.count();
        long now = System.currentTimeMillis();
        if (command == Command.BZMPOP) {
            long timeout = ListPop.timeout(r, 1, now, out);
            if (timeout < 0) {
                return null;
            }
            if (!r.longAt(2) || r.number <= 0) {
                out.error("ERR numkeys should be greater than 0");
                return null;
            }
            long numkeys = r.number;
            if (3 + numkeys >= n) {
                out.error(KvShard.SYNTAX);
                return null;
            }
            ZSetAlgebra.Pop pop = ZSetAlgebra.pop(r, (int) (3 + numkeys), out);
            if (pop == null) {
                return null;
            }
            byte[][] keys = new byte[(int) numkeys][];
            for (int i = 0; i < numkeys; i++) {
                keys[i] = r.copy(3 + i);
            }
            return new ZSetPop(node, connection, out.resp3(), command, keys, timeout, pop);
        }
        long timeout = ListPop.timeout(r, n - 1, now, out);
        if (timeout < 0) {
            return null;
        }
        byte[][] keys = new byte[n - 2][];
        for (int i = 1; i < n - 1; i++) {
            keys[i - 1] = r.copy(i);
        }
        return new ZSetPop(node, connection, out.resp3(), command, keys, timeout,
                new ZSetAlgebra.Pop(command == Command.BZPOPMAX, 1));
    }

    @Override
    Command command() {
        return command;
    }

    /** MIN or MAX, and how many (for the non-blocking form inside a transaction, TakeInTransaction). */
    ZSetAlgebra.Pop pop() {
        return pop;
    }

    /** What a transaction took from {@code key}, for {@link #writeTaken}. */
    void taken(byte[] key, ZSetCommands.Popped taken) {
        servedKey = key;
        popped = taken;
    }

    @Override
    boolean accepts(KeyTable.Entry e, boolean initial) {
        return initial || e.aggregate() instanceof ZSetValue; // a sorted set is never empty: an emptied one is no key
    }

    @Override
    void serve(KvShard owner, KeyTable.Entry e, boolean initial, long now) {
        Object taken = owner.zsets.popFirst(e.key(), pop, now);
        if (taken instanceof ZSetCommands.Popped p) {
            sourceOwner = owner.id;
            servedKey = e.key();
            popped = p;
            owner.events.took(KeyspaceEvents.ZSET, KeyspaceEvents.pop(pop), servedKey);
        } else {
            failed(KvShard.WRONGTYPE);
        }
        finish(owner);
    }

    @Override
    boolean took() {
        return popped != null;
    }

    /** BZPOPMIN/BZPOPMAX: [key, member, score]; BZMPOP: [key, [[member, score], ...]], as ZMPOP. */
    @Override
    void writeTaken(ReplyWriter out) {
        if (command == Command.BZMPOP) {
            ZSetCommands.mpopReply(servedKey, popped, out);
        } else {
            out.arrayHeader(3).bulk(servedKey).bulk(popped.members()[0]);
            ZSetAlgebra.score(out, popped.scores()[0]);
        }
    }

    /** Timed out: a null array, as Redis answers. */
    @Override
    void writeNothing(ReplyWriter out) {
        out.nullArray();
    }

    /** The members taken go back to their sorted set with their scores. */
    @Override
    void returnResult() {
        if (popped != null) {
            ZSetCommands.Popped taken = popped;
            byte[] key = servedKey;
            Shard.current().sendReply(sourceOwner,
                    () -> node.shards[sourceOwner].zsets.putBack(key, taken, System.currentTimeMillis()));
        }
    }
}
