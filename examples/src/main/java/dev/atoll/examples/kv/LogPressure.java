package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Back-pressure from the logs to every connection: while any shard's log holds more than
 * {@code kv.aof.max-queued-bytes} not yet written, every connection pauses reading (it holds what
 * arrives, which stops the receive), as Redis writes its log before it reads on. A shard's commands
 * come from connections on all shards, so the pause is node-wide; when the last full log drains, each
 * shard is told to resume its paused connections.
 */
final class LogPressure {
    /** Logs above their bound; written by their shards on the rare crossings, read before each command. */
    private final AtomicInteger fullLogs = new AtomicInteger();
    private final Runnable[] resumers;

    LogPressure(KvShard[] shards) {
        this.resumers = new Runnable[shards.length];
        for (int i = 0; i < shards.length; i++) {
            ConnectionList connections = shards[i].connections;
            resumers[i] = connections::resumePaused;
        }
    }

    /** True while some log is above its bound (a volatile read: sees a drain that was announced). */
    boolean paused() {
        return fullLogs.get() > 0;
    }

    /** A log passed its bound; on its shard. */
    void filled() {
        fullLogs.incrementAndGet();
    }

    /**
     * A full log drained below half its bound; on its shard. The decrement comes before the resume
     * messages, so a connection that paused on a stale count is resumed by the message that follows.
     */
    void drained() {
        if (fullLogs.decrementAndGet() == 0) {
            Shard from = Shard.current();
            for (int i = 0; i < resumers.length; i++) {
                from.sendReply(i, resumers[i]); // never refused: a lost resume would leave connections paused
            }
        }
    }
}
