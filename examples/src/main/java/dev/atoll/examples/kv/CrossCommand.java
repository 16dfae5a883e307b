package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * A command whose keys several shards own, as rounds of a {@link Transaction} that holds all its
 * keys: the same steps run it alone (its own transaction, {@link #start}) and inside an EXEC (a
 * stretch of that transaction between its other commands, {@link TxCommands}). A round's work runs
 * on each part's shard and touches only that shard's keys; what it finds goes into the command's
 * own fields, one slot per key, read on the coordinator once the round is over (the messages order
 * the two). Not the fast path: it copies values and allocates freely.
 */
abstract class CrossCommand {
    /** What a round does with a key its part's shard owns: {@code e} is its live entry (null: absent). */
    interface OwnedKey {
        void found(int index, KvShard shard, KeyTable.Entry e, long now);
    }

    final KvNode node;
    /** The keys to lock (copies). */
    final byte[][] keys;

    CrossCommand(KvNode node, byte[][] keys) {
        this.node = node;
        this.keys = keys;
    }

    /** The first round's work, on every part once all are locked (it may do nothing on some). */
    abstract Transaction.Work first();

    /**
     * On the coordinator, after the first round: more rounds of {@code tx} if needed, the reply into
     * {@code out}, then {@code done}.
     */
    abstract void then(Transaction tx, ReplyWriter out, Runnable done);

    /** A round's work: {@code each} for every key {@code keys[from, to)} that the part's shard owns, in order. */
    final Transaction.Work eachOwned(int from, int to, OwnedKey each) {
        return (part, shard, now) -> {
            for (int k = from; k < to; k++) {
                if (owner(keys[k]) == part.shard) {
                    each.found(k, shard, shard.live(keys[k], 0, keys[k].length, now), now);
                }
            }
        };
    }

    /**
     * A round wrote {@code key} on {@code shard}: a change that a WATCH of it sees (rounds run outside
     * {@link KvShard#execute}, which counts the changes of commands).
     */
    static void wrote(KvShard shard, byte[] key) {
        if (shard.watches.any()) {
            shard.watches.touch(key, 0, key.length);
        }
        shard.tracking.changed(key, 0, key.length);
    }

    /** The shard that owns {@code key}. */
    final int owner(byte[] key) {
        return KeySlots.owner(key, 0, key.length, node.shardCount());
    }

    /** {@code keys} and {@code more} (null: none) in one array. */
    static byte[][] with(byte[][] keys, byte[] more) {
        if (more == null) {
            return keys;
        }
        byte[][] all = java.util.Arrays.copyOf(keys, keys.length + 1);
        all[keys.length] = more;
        return all;
    }

    /** Whether {@code command} with keys on several shards runs as a cross-shard command. */
    static boolean handles(Command command) {
        return CrossShard.handles(command) || SetsAcrossShards.handles(command) || command.movesAKey()
                || command.kind == Command.Kind.GATHER || TakeInTransaction.handles(command) || command == Command.SORT;
    }

    /**
     * The cross-shard form of {@code r}; null when it was answered at once into {@code out} (an
     * argument error, which Redis answers before touching a key).
     */
    static CrossCommand of(KvNode node, Command command, Request r, ReplyWriter out) {
        if (command.movesAKey()) {
            return KeyMove.of(node, command, r, out);
        }
        if (SetsAcrossShards.handles(command)) {
            return SetsAcrossShards.of(node, command, r, out);
        }
        if (TakeInTransaction.handles(command)) {
            return TakeInTransaction.of(node, command, r, out); // a transaction's; alone, a BlockedClient
        }
        if (command == Command.MIGRATE) {
            return MigrateCommand.of(node, r, out); // its keys' locks held while it talks to the target
        }
        if (command == Command.SORT) {
            return new SortCommand.AcrossShards(node, CrossShard.copyOf(r)); // STORE into another shard's key
        }
        if (command.kind == Command.Kind.GATHER) {
            return ZSetGather.of(node, command, r, out);
        }
        return CrossShard.of(node, command, r, out);
    }

    /** Runs {@code command} alone, as a transaction of its own; null when it was answered at once into {@code out}. */
    static ReplySource start(KvNode node, KvConnection connection, Command command, Request r, ReplyWriter out) {
        CrossCommand c = of(node, command, r, out);
        if (c == null) {
            return null;
        }
        int shards = node.shardCount();
        Transaction.Part[] byShard = new Transaction.Part[shards];
        List<Transaction.Part> parts = new ArrayList<>();
        for (byte[] key : c.keys) {
            int owner = KeySlots.owner(key, 0, key.length, shards);
            if (byShard[owner] == null) {
                byShard[owner] = new Transaction.Part(owner);
                parts.add(byShard[owner]);
            }
            byShard[owner].keys.add(key);
        }
        return Transaction.start(node, connection, out.resp3(), parts, c.first(),
                tx -> c.then(tx, tx.reply, tx::finish), false);
    }
}
