package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.util.ArrayList;
import java.util.List;

/**
 * A connection's MULTI / EXEC / DISCARD / WATCH / UNWATCH, as Redis 7.0 answers them. A state
 * machine: {@link State#IDLE}; {@link State#QUEUEING} after MULTI, where every command but EXEC,
 * DISCARD, MULTI, WATCH and QUIT is checked (unknown command, arity) and queued ({@code +QUEUED});
 * {@link State#FAILED} once a queued command was refused, so that EXEC answers {@code EXECABORT}.
 * EXEC runs the queue as one {@link Transaction} ({@link TxCommands}) and drops the watches.
 *
 * <p>WATCH registers each key with its owner shard's {@link Watches} (through a transaction of its
 * own, so that it cannot land in the middle of another) and keeps the count of changes seen then;
 * EXEC compares it on each owner under its locks. On the connection's shard only.
 */
final class MultiState {
    /** Where the connection is in a transaction. */
    enum State { IDLE, QUEUEING, FAILED }

    /** A watched key: its owner shard, its entry in that shard's {@link Watches} and the changes counted at WATCH. */
    private record Watch(int shard, Watches.Watched watched, long stamp) {
    }

    private final KvNode node;
    private final KvConnection connection;
    private final ServerCommands server;
    private State state = State.IDLE;
    /** The queued commands, RESP-encoded. */
    private final ReplyWriter queued = new ReplyWriter(64);
    private int queuedCount;
    /** Whether a queued command writes or may replicate: CLIENT PAUSE WRITE then holds the EXEC. */
    private boolean queuedWrites;
    private final List<Watch> watches = new ArrayList<>();
    private boolean closed;

    MultiState(KvNode node, KvConnection connection, ServerCommands server) {
        this.node = node;
        this.connection = connection;
        this.server = server;
    }

    /** Whether this handles {@code command} (known, arity checked): the transaction commands, and all but QUIT while queueing. */
    boolean handles(Command command) {
        return switch (command) {
            case MULTI, EXEC, DISCARD, WATCH, UNWATCH -> true;
            case QUIT, RESET -> false; // executed at once inside MULTI too, as in Redis
            default -> state != State.IDLE;
        };
    }

    /** Whether {@code command} would be queued, not run: Redis counts its call when EXEC runs it. */
    boolean queues(Command command) {
        return state != State.IDLE && switch (command) {
            case MULTI, EXEC, DISCARD, WATCH, QUIT, RESET -> false;
            default -> true;
        };
    }

    /** Whether the queue holds a command that writes or may replicate (CLIENT PAUSE WRITE holds its EXEC). */
    boolean queuesWrites() {
        return queuedWrites;
    }

    /** Whether a MULTI is open: a refusal is logged in ACL LOG's context {@code multi}. */
    boolean open() {
        return state != State.IDLE;
    }

    /** A command was refused (unknown, wrong arity): while queueing, EXEC will answer EXECABORT. */
    void refused() {
        if (state == State.QUEUEING) {
            state = State.FAILED;
        }
    }

    /** Handles {@code command}: answers into {@code out} at once (null), or returns the reply to come. */
    ReplySource handle(Command command, Request r, ReplyWriter out) {
        switch (command) {
            case MULTI -> {
                if (state != State.IDLE) {
                    out.error("ERR MULTI calls can not be nested");
                } else {
                    state = State.QUEUEING;
                    out.ok();
                }
            }
            case EXEC -> {
                return exec(out);
            }
            case DISCARD -> {
                if (state == State.IDLE) {
                    out.error("ERR DISCARD without MULTI");
                } else {
                    reset();
                    unwatchAll();
                    out.ok();
                }
            }
            case WATCH -> {
                if (state != State.IDLE) {
                    out.error("ERR WATCH inside MULTI is not allowed");
                } else {
                    return watch(r, out);
                }
            }
            case UNWATCH -> {
                if (state == State.IDLE) {
                    unwatchAll();
                    out.ok();
                } else {
                    queue(r, out);
                }
            }
            default -> queue(r, out);
        }
        return null;
    }

    private void queue(Request r, ReplyWriter out) {
        queued.arrayHeader(r.count());
        for (int i = 0; i < r.count(); i++) {
            queued.bulk(r.bytes, r.offset(i), r.length(i));
        }
        queuedCount++;
        Command command = Command.lookup(r);
        queuedWrites |= command != null && ClientPause.holdsWhenWritesPause(command, r, node.scripts);
        out.simple("QUEUED");
    }

    private void reset() {
        state = State.IDLE;
        queued.clear();
        queued.trim(64);
        queuedCount = 0;
        queuedWrites = false;
    }

    private ReplySource exec(ReplyWriter out) {
        if (state == State.IDLE) {
            out.error("ERR EXEC without MULTI");
            return null;
        }
        if (state == State.FAILED) {
            reset();
            unwatchAll();
            out.error("EXECABORT Transaction discarded because of previous errors.");
            return null;
        }
        TxCommands commands = new TxCommands(node, server);
        KvShard home = node.local();
        Request r = new Request();
        int at = 0;
        AclRules rules = connection.user.rules;
        for (int k = 0; k < queuedCount; k++) {
            at = home.parser.parse(queued.bytes(), at, queued.size(), r);
            Command queuedCommand = Command.lookup(r);
            long refused = rules.unrestricted ? AclSelector.OK : rules.check(queuedCommand, r);
            if (refused != AclSelector.OK) { // as Redis 7.0: the rules may have changed since it was queued
                commands.addRefused(queuedCommand, AclCommands.refusedAtExec(node, connection, refused, queuedCommand, r));
                continue;
            }
            int slot = CommandStats.slot(queuedCommand, r);
            if (slot >= 0) {
                home.calls[slot]++; // INFO commandstats: a queued command's call counts when EXEC runs it
            }
            if (home.monitors.any() && !queuedCommand.admin) {
                home.monitors.feed(connection, r); // as Redis: a transaction's commands show when EXEC runs them
            }
            commands.add(queuedCommand, r);
        }
        for (Watch w : watches) {
            commands.watch(w.shard, w.watched, w.stamp);
        }
        List<Watch> ended = new ArrayList<>(watches);
        watches.clear();
        reset();
        return commands.start(connection, out.resp3(), true, () -> unwatch(ended));
    }

    /** WATCH key...: each key registered on its owner (under the key's lock), then OK. */
    private ReplySource watch(Request r, ReplyWriter out) {
        List<Transaction.Part> parts = new ArrayList<>();
        Transaction.Part.byOwner(r, 1, node.shardCount(), parts);
        return Transaction.start(node, connection, out.resp3(), parts, (part, shard, now) -> {
            for (byte[] key : part.keys) {
                shard.peek(key, 0, key.length, now); // already expired: deleted before, not a change after
                Watches.Watched w = shard.watches.watch(key);
                part.watched.add(w);
                part.stamps.add(w.changes);
            }
        }, t -> {
            for (Transaction.Part part : parts) {
                for (int k = 0; k < part.watched.size(); k++) {
                    watches.add(new Watch(part.shard, part.watched.get(k), part.stamps.get(k)));
                }
            }
            if (closed) {
                unwatchAll(); // the connection closed meanwhile: nobody will EXEC
            }
            t.reply.ok();
            t.finish();
        }, true);
    }

    private void unwatchAll() {
        if (!watches.isEmpty()) {
            unwatch(new ArrayList<>(watches));
            watches.clear();
        }
    }

    /** Lets the owners forget {@code ended}; on the connection's shard. */
    private void unwatch(List<Watch> ended) {
        Shard here = Shard.current();
        for (Watch w : ended) {
            Runnable forget = () -> node.shards[w.shard].watches.unwatch(w.watched);
            if (w.shard == here.id()) {
                forget.run();
            } else {
                here.sendReply(w.shard, forget);
            }
        }
    }

    /** RESET: the transaction and the watches end, as after DISCARD and UNWATCH. */
    void discardAll() {
        reset();
        unwatchAll();
    }

    /** The connection closed: its watches end. */
    void closed() {
        closed = true;
        reset();
        unwatchAll();
    }
}
