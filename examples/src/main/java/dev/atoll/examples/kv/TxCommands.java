package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * A list of commands run as one {@link Transaction} (EXEC's queue, or one command that must not be
 * seen half done). Each command goes whole to the part of the shard that owns its keys, in order;
 * MGET, MSET, DEL, UNLINK, EXISTS and TOUCH with keys on several shards become one command per key
 * (each on its owner) whose replies are joined again; the other commands of several keys on several
 * shards ({@link CrossCommand}: RENAME, SUNIONSTORE, ZUNIONSTORE, MSETNX ...) run as rounds of
 * their own between the stretches of the others: every part first runs its commands queued before
 * it, then the command's rounds run, then the next stretch — so each command sees the effects of
 * those before it, all under the same locks. Connection commands (PING, ECHO, ...) run on the
 * coordinator as the reply is written; the rest that cannot run inside a transaction (KEYS, SCAN,
 * DBSIZE, FLUSHALL, INFO, SORT ... STORE across shards) is answered an error in its place, which does
 * not stop the others (as a runtime error in Redis).
 */
final class TxCommands {
    private static final int ONE = 0;
    private static final int JOIN = 1;
    private static final int HOME = 2;
    private static final int ERROR = 3;
    /** An MGET of one key answers {@code *1\r\n} and the value: the value is what the join takes. */
    private static final int MGET_HEADER = 4;
    /** A {@link CrossCommand}, or its argument error: its reply is in {@link Op#out}. */
    private static final int CROSS = 5;

    /**
     * One command's reply: where it comes from. A CROSS op has its command (null: answered at once),
     * its reply, and per shard how many of that part's commands come before it.
     */
    private record Op(int kind, Command command, Transaction.Part[] parts, int[] indexes, String error,
                      CrossCommand cross, ReplyWriter out, int[] before) {
        Op(int kind, Command command, Transaction.Part[] parts, int[] indexes, String error) {
            this(kind, command, parts, indexes, error, null, null, null);
        }
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
            case CONNECTION -> addHome(command, r);
            case TAKES -> addCross(command, r); // the non-blocking form, as Redis runs it inside MULTI
            case SERVER -> {
                if (command == Command.MIGRATE) {
                    addCross(command, r); // the transaction's keys stay locked while it talks to the target
                } else if (command == Command.ROLE || command == Command.WAIT) {
                    addHome(command, r); // answered at once, as Redis answers them inside MULTI
                } else {
                    ops.add(new Op(ERROR, command, null, null, "ERR " + command.name()
                            + " inside MULTI is not supported (see docs/kv.md)"));
                }
            }
            case ALL_SHARDS -> ops.add(new Op(ERROR, command, null, null, "ERR " + command.name()
                    + " inside MULTI is not supported (see docs/kv.md)"));
            default -> addKeyed(command, r);
        }
    }

    /** A command answered on the connection's shard when EXEC runs ({@link ServerCommands#connectionCommand}). */
    private void addHome(Command command, Request r) {
        homeCommands.arrayHeader(r.count());
        for (int i = 0; i < r.count(); i++) {
            homeCommands.bulk(r.bytes, r.offset(i), r.length(i));
        }
        ops.add(new Op(HOME, command, null, new int[] {homeCount++}, null));
    }

    /** Adds a command refused at EXEC: {@code error} is its reply, in its place; it does not run. */
    void addRefused(Command command, String error) {
        ops.add(new Op(ERROR, command, null, null, error));
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
        } else if (CrossCommand.handles(command)) {
            addCross(command, r);
        } else {
            ops.add(new Op(ERROR, command, null, null, "CROSSSHARD Keys in request are owned by different shards: "
                    + command.name() + " across shards is not supported inside MULTI (see docs/kv.md)"));
        }
    }

    /** A {@link CrossCommand}: rounds of its own between the commands before and after it. */
    private void addCross(Command command, Request r) {
        ReplyWriter out = new ReplyWriter(64);
        CrossCommand cross = CrossCommand.of(node, command, r, out);
        if (cross != null) {
            for (byte[] key : cross.keys) {
                part(owner(key)).keys.add(key);
            }
        }
        int[] before = new int[byShard.length];
        for (int s = 0; s < before.length; s++) {
            before[s] = byShard[s] == null ? 0 : byShard[s].count;
        }
        ops.add(new Op(CROSS, command, null, null, null, cross, out, before));
    }

    private int owner(byte[] key) {
        return KeySlots.owner(key, 0, key.length, node.shardCount());
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
        for (Op op : ops) { // client-side caching: the reads whose keys the connection tracks, on their shards' parts
            if ((op.kind == ONE || op.kind == JOIN) && connection.tracksRead(op.command)) {
                for (int k = 0; k < op.parts.length; k++) {
                    op.parts[k].tracked(op.indexes[k], connection);
                }
            }
        }
        int cross = nextCross(0);
        Transaction.Work first = cross < 0 ? (part, shard, now) -> part.execute(shard, now, resp3) : stretch(cross, resp3);
        return Transaction.start(node, connection, resp3, parts, first, tx -> {
            if (tx.aborted()) {
                tx.reply.nullArray();
                end(tx, wrap, done);
            } else if (cross < 0) {
                end(tx, wrap, done);
            } else {
                crossThen(tx, cross, resp3, wrap, done);
            }
        }, cross < 0);
    }

    /** The index of the first CROSS op from {@code from} that has a command to run; -1: none. */
    private int nextCross(int from) {
        for (int i = from; i < ops.size(); i++) {
            if (ops.get(i).cross != null) {
                return i;
            }
        }
        return -1;
    }

    /** A round's work: the part's commands queued before CROSS op {@code at}, then that command's first round. */
    private Transaction.Work stretch(int at, boolean resp3) {
        Op op = ops.get(at);
        Transaction.Work crossFirst = op.cross.first();
        return (part, shard, now) -> {
            part.execute(shard, now, resp3, op.before[part.shard]);
            crossFirst.run(part, shard, now);
        };
    }

    /** On the coordinator, once CROSS op {@code at}'s first round ran: its other rounds, then the next stretch. */
    private void crossThen(Transaction tx, int at, boolean resp3, boolean wrap, Runnable done) {
        Op op = ops.get(at);
        op.out.resp3(resp3);
        op.cross.then(tx, op.out, () -> {
            int next = nextCross(at + 1);
            if (next >= 0) {
                tx.round(stretch(next, resp3), () -> crossThen(tx, next, resp3, wrap, done));
                return;
            }
            boolean pending = false;
            for (Transaction.Part part : parts) {
                pending |= part.pending(part.count);
            }
            if (pending) {
                tx.round((part, shard, now) -> part.execute(shard, now, resp3), () -> end(tx, wrap, done));
            } else {
                end(tx, wrap, done);
            }
        });
    }

    private void end(Transaction tx, boolean wrap, Runnable done) {
        if (!tx.aborted()) {
            write(tx.reply, wrap);
        }
        done.run();
        tx.finish();
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
                case CROSS -> out.raw(op.out.bytes(), 0, op.out.size());
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
