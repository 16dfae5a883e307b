package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * A list of commands run as one {@link Transaction} (EXEC's queue, or one command that must not be
 * seen half done). Each command goes whole to the part of the shard that owns its keys, in order;
 * MGET, MSET, DEL, UNLINK, EXISTS and TOUCH with keys on several shards become one command per key
 * (each on its owner) whose replies are joined again; connection commands (PING, ECHO, ...) run on
 * the coordinator as the reply is written; the rest that cannot run inside a transaction across
 * shards (MSETNX, LCS, RENAME, COPY with keys on several shards; KEYS, SCAN, DBSIZE, FLUSHALL, INFO)
 * is answered an error in its place, which does not stop the others (as a runtime error in Redis).
 */
final class TxCommands {
    private static final int ONE = 0;
    private static final int JOIN = 1;
    private static final int HOME = 2;
    private static final int ERROR = 3;
    /** An MGET of one key answers {@code *1\r\n} and the value: the value is what the join takes. */
    private static final int MGET_HEADER = 4;

    /** One command's reply: where it comes from. */
    private record Op(int kind, Command command, Transaction.Part[] parts, int[] indexes, String error) {
    }

    private final KvNode node;
    private final KvShard home;
    private final ServerCommands server;
    private final Transaction.Part[] byShard;
    private final List<Transaction.Part> parts = new ArrayList<>();
    private final List<Op> ops = new ArrayList<>();
    /** The connection commands, RESP-encoded, run on the coordinator as the reply is written. */
    private final ReplyWriter homeCommands = new ReplyWriter(64);
    private int homeCount;

    TxCommands(KvNode node, ServerCommands server) {
        this.node = node;
        this.home = node.local();
        this.server = server;
        this.byShard = new Transaction.Part[node.shardCount()];
    }

    private Transaction.Part part(int shard) {
        Transaction.Part part = byShard[shard];
        if (part == null) {
            part = new Transaction.Part(shard);
            byShard[shard] = part;
            parts.add(part);
        }
        return part;
    }

    private int owner(Request r, int i) {
        return KeySlots.owner(r.bytes, r.offset(i), r.length(i), node.shardCount());
    }

    /** Adds command {@code r}; its reply comes in its place. */
    void add(Command command, Request r) {
        switch (command.kind) {
            case CONNECTION -> {
                homeCommands.arrayHeader(r.count());
                for (int i = 0; i < r.count(); i++) {
                    homeCommands.bulk(r.bytes, r.offset(i), r.length(i));
                }
                ops.add(new Op(HOME, command, null, new int[] {homeCount++}, null));
            }
            case ALL_SHARDS, TAKES, SERVER -> ops.add(new Op(ERROR, command, null, null, "ERR " + command.name()
                    + " inside MULTI is not supported (see docs/kv.md)"));
            default -> addKeyed(command, r);
        }
    }

    private void addKeyed(Command command, Request r) {
        int[] keys = CommandKeys.indexes(command, r);
        int owner = keys.length == 0 ? home.id : owner(r, keys[0]);
        boolean oneShard = true;
        for (int i : keys) {
            oneShard &= owner(r, i) == owner;
        }
        int[] all = new int[r.count()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        if (oneShard) {
            Transaction.Part part = part(owner);
            lock(part, r, keys);
            ops.add(new Op(ONE, command, new Transaction.Part[] {part}, new int[] {part.add(r, all)}, null));
        } else if (command.kind == Command.Kind.MULTI_KEY) {
            Transaction.Part[] at = new Transaction.Part[keys.length];
            int[] indexes = new int[keys.length];
            for (int k = 0; k < keys.length; k++) {
                int i = keys[k];
                at[k] = part(owner(r, i));
                lock(at[k], r, i);
                indexes[k] = command == Command.MSET ? at[k].add(r, 0, i, i + 1) : at[k].add(r, 0, i);
            }
            ops.add(new Op(JOIN, command, at, indexes, null));
        } else {
            ops.add(new Op(ERROR, command, null, null, "CROSSSHARD Keys in request are owned by different shards: "
                    + command.name() + " across shards is not supported inside MULTI (see docs/kv.md)"));
        }
    }

    private static void lock(Transaction.Part part, Request r, int... keys) {
        for (int i : keys) {
            part.keys.add(r.copy(i));
        }
    }

    /** EXEC checks, under its locks, that the watched key {@code watched} of shard {@code shard} did not change since {@code stamp}. */
    void watch(int shard, Watches.Watched watched, long stamp) {
        Transaction.Part part = part(shard);
        part.keys.add(watched.key);
        part.watched.add(watched);
        part.stamps.add(stamp);
    }

    /**
     * Runs the commands as one transaction: the reply is an array of theirs ({@code wrap}, EXEC) or
     * the one command's; {@code done} runs on the coordinator once the reply is written.
     */
    Transaction start(KvConnection connection, boolean resp3, boolean wrap, Runnable done) {
        return Transaction.start(node, connection, resp3, parts, (part, shard, now) -> part.execute(shard, now, resp3),
                tx -> {
                    if (tx.aborted()) {
                        tx.reply.nullArray();
                    } else {
                        write(tx.reply, wrap);
                    }
                    done.run();
                    tx.finish();
                }, true);
    }

    private void write(ReplyWriter out, boolean wrap) {
        if (wrap) {
            out.arrayHeader(ops.size());
        }
        Request r = new Request();
        int at = 0;
        for (Op op : ops) {
            switch (op.kind) {
                case ONE -> op.parts[0].writeReply(op.indexes[0], out);
                case ERROR -> out.error(op.error);
                case HOME -> {
                    at = home.parser.parse(homeCommands.bytes(), at, homeCommands.size(), r);
                    if (op.command == Command.UNWATCH) {
                        out.ok(); // the watches end with EXEC anyway
                    } else {
                        server.connectionCommand(op.command, r, out);
                    }
                }
                default -> join(op, out);
            }
        }
    }

    /** One reply from the replies of the command's parts: an array (MGET), one OK (MSET), a sum (DEL, EXISTS ...). */
    private static void join(Op op, ReplyWriter out) {
        if (op.command == Command.MGET) {
            out.arrayHeader(op.parts.length);
            for (int k = 0; k < op.parts.length; k++) {
                op.parts[k].writeReply(op.indexes[k], MGET_HEADER, out);
            }
            return;
        }
        long sum = 0;
        for (int k = 0; k < op.parts.length; k++) {
            Transaction.Part part = op.parts[k];
            if (part.replyType(op.indexes[k]) == '-') {
                part.writeReply(op.indexes[k], out); // the first error is the reply
                return;
            }
            if (op.command != Command.MSET) {
                sum += part.integerReply(op.indexes[k]);
            }
        }
        if (op.command == Command.MSET) {
            out.ok();
        } else {
            out.integer(sum);
        }
    }
}
