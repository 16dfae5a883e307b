package dev.atoll.examples.kv;

/**
 * One reply computed elsewhere (other shards' work) and written here, on the connection's shard,
 * into {@link #reply}; {@link #complete} hands it to the connection. A {@link ReplySource} of one entry.
 */
abstract class PendingReply implements ReplySource {
    final KvConnection connection;
    final ReplyWriter reply = new ReplyWriter(64);
    private boolean done;

    PendingReply(KvConnection connection, boolean resp3) {
        this.connection = connection;
        this.reply.resp3(resp3);
    }

    /** The reply is written: the connection takes it in turn. On the connection's shard. */
    final void complete() {
        done = true;
        connection.replyArrived(reply.size());
        connection.repliesArrived();
    }

    /** The reply was written at once, before the connection queued this (a refusal): no notification. */
    final void completeAtOnce() {
        done = true;
    }

    @Override
    public final boolean ready() {
        return done;
    }

    @Override
    public final void writeReply(int index, ReplyWriter out) {
        out.raw(reply.bytes(), 0, reply.size());
    }

    @Override
    public final int size(int index) {
        return reply.size();
    }

    @Override
    public final void release() {
        // not pooled: the collector takes it
    }
}
