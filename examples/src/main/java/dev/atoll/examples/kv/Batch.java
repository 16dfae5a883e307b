package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.util.Arrays;

/**
 * The commands one connection's read sent to one other shard, and their replies: one mesh message
 * there and one back, however many commands. The commands travel RESP-encoded (the owner parses
 * them with its own parser); the replies come back in one array with each one's end offset. On the
 * owner, under {@code appendfsync always}, the reply leaves only once the owner's log has synced
 * the batch's writes. Also used, already executed, for a connection's own replies that must wait
 * behind another shard's (they keep their order).
 *
 * <p>Ownership moves with the message: the sender fills it and never touches it until it comes back;
 * the mesh's queues order the writes before the reads (release/acquire).
 */
final class Batch implements Runnable, ReplySource {
    private final KvNode node;
    private final KvConnection connection;
    private final int home;
    final int target;
    final ReplyWriter commands = new ReplyWriter(256);
    final ReplyWriter replies = new ReplyWriter(256);
    private int[] ends = new int[8];
    private int count;
    private boolean executed;
    private boolean done;

    Batch(KvNode node, KvConnection connection, int home, int target, boolean resp3) {
        this.node = node;
        this.connection = connection;
        this.home = home;
        this.target = target;
        replies.resp3(resp3);
    }

    /** A batch of replies computed here, ready at once; {@code resp3}: the connection's protocol. */
    static Batch local(KvNode node, KvConnection connection, int home, boolean resp3) {
        Batch batch = new Batch(node, connection, home, home, resp3);
        batch.executed = true;
        batch.done = true;
        return batch;
    }

    /** Queues a command (written into {@link #commands} by the caller); returns its index. */
    int add() {
        return count++;
    }

    /** For a local batch: marks the end of the reply just appended to {@link #replies}; returns its index. */
    int endReply() {
        int index = count++;
        ensure(index);
        ends[index] = replies.size();
        return index;
    }

    @Override
    public boolean ready() {
        return done;
    }

    @Override
    public void writeReply(int index, ReplyWriter out) {
        int start = index == 0 ? 0 : ends[index - 1];
        out.raw(replies.bytes(), start, ends[index] - start);
    }

    /** Fails every command of a batch the mesh refused. */
    void refuse(String error) {
        for (int i = 0; i < count; i++) {
            replies.error(error);
            ensure(i);
            ends[i] = replies.size();
        }
        executed = true;
        done = true;
    }

    /** Runs on the owner (execute, then send back), then on the connection's shard (deliver). */
    @Override
    public void run() {
        if (executed) {
            done = true;
            connection.repliesArrived();
            return;
        }
        KvShard owner = node.shards[target];
        RespParser parser = owner.parser;
        Request r = owner.request;
        long now = System.currentTimeMillis();
        byte[] bytes = commands.bytes();
        int at = 0;
        for (int i = 0; i < count; i++) {
            at = parser.parse(bytes, at, commands.size(), r);
            Command command = Command.lookup(r);
            owner.execute(command, r, replies, now);
            ensure(i);
            ends[i] = replies.size();
        }
        owner.remoteCommands += count;
        owner.batchesIn++;
        executed = true;
        Aof aof = owner.aof;
        if (aof != null && node.settings.fsync() == KvSettings.FsyncPolicy.ALWAYS) {
            aof.whenSynced(aof.appended(), () -> {
                if (aof.failure() != null) {
                    replies.clear(); // not durable: no acknowledgement may leave
                    refuse("MISCONF Errors writing to the AOF file: " + aof.failure().getMessage());
                }
                sendBack();
            });
        } else {
            sendBack();
        }
    }

    private void sendBack() {
        Shard.current().sendReply(home, this);
    }

    private void ensure(int index) {
        if (index >= ends.length) {
            ends = Arrays.copyOf(ends, Math.max(index + 1, ends.length * 2));
        }
    }
}
