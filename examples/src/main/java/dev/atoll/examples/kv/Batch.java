package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The commands this shard's connections sent to one other shard in one loop iteration, and their
 * replies: one mesh message there and one back, however many commands and connections. The commands
 * travel RESP-encoded (the owner parses them with its own parser), each with its connection's
 * protocol (the owner encodes each reply in it); the replies come back in one array with each one's
 * end offset. On the owner, under {@code appendfsync always}, the batch goes back only once the
 * owner's log has synced its writes. Back home, every connection with a command in it is told once.
 * Also used, already executed, for a connection's own replies that must wait behind another shard's
 * (they keep their order).
 *
 * <p>Batches are pooled by {@link BatchPool} per (home, target) shard pair: one is reused once every
 * reply it holds was consumed — written, or dropped with its closed connection. {@link #references}
 * counts those entries plus one for its carrier: for a remote batch, until it is home again and its
 * connections were told; for a local one, until the end of the read that fills it.
 *
 * <p>Each connection's commands in a remote batch share an account: what their replies may take
 * before the connection's hard output limit ({@code kv.client-output-buffer-limit.hard}, less what
 * it already holds). The owner spends it as it executes them; once it is spent, the connection's
 * remaining commands in the batch are not executed (Redis runs no more commands of a client it is
 * closing), and back home the connection is closed. So a batch holds at most about the limit per
 * connection, however many large values its commands ask for.
 *
 * <p>On the owner, a command on a key a {@link Transaction} holds stops the batch there: it and the
 * commands after it wait in the queues of all their keys ({@link KeyLocks#pass}), and the batch
 * resumes from it in its turn, so a transaction that comes later never sees them undone.
 *
 * <p>Ownership moves with the message: the home shard fills it and touches only {@link #references}
 * until it comes back; the mesh's queues order the writes before the reads (release/acquire).
 */
final class Batch implements Runnable, ReplySource {
    /** Being filled on the home shard. */
    private static final int FILLING = 0;
    /** Sent: the owner executes it. */
    private static final int AT_OWNER = 1;
    /** Executed (or refused): on its way home. */
    private static final int RETURNING = 2;
    /** Home, its replies readable. */
    private static final int READY = 3;

    private final KvNode node;
    private final BatchPool pool;
    private final int home;
    final int target;
    final ReplyWriter commands = new ReplyWriter(256);
    final ReplyWriter replies = new ReplyWriter(256);
    /** Per command: the connection that sent it (told when the batch is home), and its protocol. */
    private KvConnection[] askers = new KvConnection[8];
    private boolean[] resp3 = new boolean[8];
    /** Per command: a read its connection's client-side caching remembers ({@link Tracking}). */
    private boolean[] tracked = new boolean[8];
    private int[] ends = new int[8];
    /** Per command: where it ends in {@link #commands}. */
    private int[] commandEnds = new int[8];
    /** Per command: the index of its connection's first command here, which holds their account. */
    private int[] accounts = new int[8];
    /** At an account's index: the bytes its replies may still take; at or below 0 the limit was reached. */
    private long[] budgets = new long[8];
    private int count;
    private int state;
    /** On the owner: the next command to execute, and where it starts in {@link #commands} (a key locked stops the batch there). */
    private int next;
    private int nextAt;
    /** Entries not yet consumed, plus one for the carrier; the home shard's thread only. */
    private int references;
    /** The next idle batch in the pool. */
    Batch nextIdle;
    /** {@link #sendBack} as a task, made once: a batch is sent back after every trip. */
    private final Runnable sendBack = this::sendBack;

    Batch(KvNode node, BatchPool pool, int home, int target) {
        this.node = node;
        this.pool = pool;
        this.home = home;
        this.target = target;
    }

    /** Starts a new use: empty, held by its carrier; {@code local} batches hold replies computed here. */
    void open(boolean local, boolean resp3) {
        replies.resp3(resp3);
        count = 0;
        next = 0;
        nextAt = 0;
        references = 1;
        state = local ? READY : FILLING;
    }

    /**
     * Queues a command (written into {@link #commands} by the caller) of {@code asker}; returns its index.
     * {@code account} is the index of the asker's first command here, or -1 when this is it: then its
     * replies here may take {@code budget} bytes.
     */
    int add(KvConnection asker, boolean resp3, int account, long budget) {
        int index = count++;
        ensure(index);
        askers[index] = asker;
        this.resp3[index] = resp3;
        tracked[index] = false;
        commandEnds[index] = commands.size();
        if (account < 0) {
            account = index;
            budgets[index] = budget;
        }
        accounts[index] = account;
        references++;
        return index;
    }

    /** Command {@code index} is a read whose keys its connection tracks (CLIENT TRACKING). */
    void tracked(int index) {
        tracked[index] = true;
    }

    /** For a local batch: marks the end of the reply just appended to {@link #replies}; returns its index. */
    int endReply() {
        int index = count++;
        ensure(index);
        ends[index] = replies.size();
        references++;
        return index;
    }

    @Override
    public boolean ready() {
        return state == READY;
    }

    @Override
    public void writeReply(int index, ReplyWriter out) {
        int start = index == 0 ? 0 : ends[index - 1];
        out.raw(replies.bytes(), start, ends[index] - start);
    }

    @Override
    public int size(int index) {
        return ends[index] - (index == 0 ? 0 : ends[index - 1]);
    }

    /** The bytes of command {@code index} in {@link #commands}. */
    int commandSize(int index) {
        return commandEnds[index] - (index == 0 ? 0 : commandEnds[index - 1]);
    }

    /** One entry was consumed, or its carrier let go: the last one returns the batch to its pool. */
    @Override
    public void release() {
        if (--references == 0) {
            pool.recycle(this);
        }
    }

    /**
     * Sends it to its owner, from the home shard. A batch the mesh refuses fails all its commands and
     * arrives in the next task step (not inline: the sender may be in a connection's read).
     */
    void send() {
        state = AT_OWNER;
        Shard shard = pool.shard();
        if (!shard.send(target, this)) {
            refuse("ERR shard " + target + " is overloaded, try again");
            shard.execute(this);
        }
    }

    /** Fails every command; errors are short: no account is over its limit. */
    private void refuse(String error) {
        for (int i = 0; i < count; i++) {
            replies.error(error);
            ends[i] = replies.size();
            budgets[i] = 1;
        }
        state = RETURNING;
    }

    /** Runs on the owner (execute, then send back), then on the home shard (deliver). */
    @Override
    public void run() {
        if (state == RETURNING) {
            arrived();
            return;
        }
        KvShard owner = node.shards[target];
        RespParser parser = owner.parser;
        Request r = owner.request;
        long now = System.currentTimeMillis();
        byte[] bytes = commands.bytes();
        for (; next < count; next++) {
            int i = next;
            int at = parser.parse(bytes, nextAt, commands.size(), r);
            Command command = Command.lookup(r);
            if (owner.locks.active() && owner.locks.blocks(command, r)) {
                // A transaction holds a key of it: this and the commands after it wait, in order, in the
                // queues of all their keys (a transaction that comes later must not see them undone).
                owner.locks.pass(remainingKeys(parser), this);
                return;
            }
            nextAt = at;
            int account = accounts[i];
            long budget = budgets[account];
            if (budget > 0) { // else its connection reached its limit: it runs no more commands
                int before = replies.size();
                replies.resp3(resp3[i]).limitTo(budget);
                owner.executingFor = askers[i];
                owner.tracking.reader = tracked[i] ? askers[i] : null;
                owner.execute(command, r, replies, now);
                owner.executingFor = null;
                budgets[account] = budget - (replies.size() - before);
            }
            ends[i] = replies.size();
        }
        owner.remoteCommands += count;
        owner.batchesIn++;
        state = RETURNING;
        owner.afterLogged(sendBack);
    }

    /** The keys of the commands from {@link #next} on: they wait together behind a lock. */
    private List<byte[]> remainingKeys(RespParser parser) {
        List<byte[]> keys = new ArrayList<>();
        Request r = new Request();
        int at = nextAt;
        for (int i = next; i < count; i++) {
            at = parser.parse(commands.bytes(), at, commands.size(), r);
            for (int k : CommandKeys.indexes(Command.lookup(r), r)) {
                keys.add(r.copy(k));
            }
        }
        return keys;
    }

    private void sendBack() {
        node.shards[target].shard().sendReply(home, this);
    }

    /**
     * Home again: the replies are ready. Every connection first learns what it now holds (and whether its
     * account ran out), then each that waits for one drains once.
     */
    private void arrived() {
        state = READY;
        for (int i = 0; i < count; i++) {
            askers[i].remoteReplyArrived(commandSize(i), size(i));
            if (accounts[i] == i) {
                askers[i].accountBack(budgets[i] <= 0);
            }
        }
        long delivery = pool.nextDelivery();
        for (int i = 0; i < count; i++) {
            KvConnection asker = askers[i];
            askers[i] = null; // a pooled batch keeps no connection alive
            if (asker.lastDelivery != delivery) {
                asker.lastDelivery = delivery;
                asker.repliesArrived();
            }
        }
        release(); // the carrier's reference
    }

    private void ensure(int index) {
        if (index >= ends.length) {
            int length = Math.max(index + 1, ends.length * 2);
            ends = Arrays.copyOf(ends, length);
            askers = Arrays.copyOf(askers, length);
            resp3 = Arrays.copyOf(resp3, length);
            tracked = Arrays.copyOf(tracked, length);
            commandEnds = Arrays.copyOf(commandEnds, length);
            accounts = Arrays.copyOf(accounts, length);
            budgets = Arrays.copyOf(budgets, length);
        }
    }
}
