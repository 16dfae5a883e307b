package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

/**
 * A command every shard takes part in (KEYS, SCAN, DBSIZE, FLUSHALL, INFO): the same work runs on
 * each target shard, each result comes back through the mesh, and once all are in, {@link Combiner}
 * writes the one reply on the connection's shard. Under {@code appendfsync always} a shard's part
 * that logged something answers only after its log synced. Not on the hot path: these commands
 * allocate freely.
 */
final class FanOut extends PendingReply {
    /** The part of the work one shard does, on that shard. */
    interface Work {
        Object run(KvShard shard);
    }

    /** Builds the reply from every shard's result (index = shard id; null for shards not asked). */
    interface Combiner {
        void write(Object[] results, ReplyWriter out);
    }

    /**
     * Writes the reply from every shard's result, or from the first failure (null when none), maybe later:
     * {@code done} hands the reply to the connection, on the connection's shard (SAVE: once its file is written).
     */
    interface LaterCombiner {
        void write(Object[] results, RuntimeException failure, ReplyWriter out, Runnable done);
    }

    private final Object[] results;
    private final Combiner combiner;
    private final LaterCombiner later;
    private int remaining;

    private FanOut(KvConnection connection, int shards, Combiner combiner, LaterCombiner later, boolean resp3) {
        super(connection, resp3);
        this.results = new Object[shards];
        this.combiner = combiner;
        this.later = later;
    }

    /**
     * Starts {@code work} on the shards {@code targets} (ids) and returns the pending reply, in RESP3 if
     * {@code resp3}. On each shard the work waits until no transaction holds a key there, so that it
     * never sees one half done.
     */
    static FanOut start(KvNode node, KvConnection connection, boolean resp3, int[] targets, Work work,
                        Combiner combiner) {
        return start(node, connection, resp3, targets, work, combiner, true);
    }

    /** As {@link #start}, for work that reads no key (INFO's statistics): it does not wait for transactions. */
    static FanOut startAside(KvNode node, KvConnection connection, boolean resp3, int[] targets, Work work,
                             Combiner combiner) {
        return start(node, connection, resp3, targets, work, combiner, false);
    }

    /** As {@link #start}, with a reply {@code later} writes, maybe after the shards' parts are done. */
    static FanOut startThen(KvNode node, KvConnection connection, boolean resp3, int[] targets, Work work,
                            LaterCombiner later) {
        return start(node, connection, resp3, targets, work, null, later, true);
    }

    private static FanOut start(KvNode node, KvConnection connection, boolean resp3, int[] targets, Work work,
                                Combiner combiner, boolean afterLocks) {
        return start(node, connection, resp3, targets, work, combiner, null, afterLocks);
    }

    private static FanOut start(KvNode node, KvConnection connection, boolean resp3, int[] targets, Work work,
                                Combiner combiner, LaterCombiner later, boolean afterLocks) {
        FanOut fanOut = new FanOut(connection, node.shardCount(), combiner, later, resp3);
        fanOut.remaining = targets.length;
        Shard here = Shard.current();
        int home = here.id();
        node.shards[home].batches.sendAll(); // each part runs after the commands already queued for its shard
        for (int target : targets) {
            Runnable run = () -> {
                KvShard shard = node.shards[target];
                Object result;
                try {
                    result = work.run(shard);
                } catch (RuntimeException e) {
                    result = e;
                }
                Object answer = result;
                Runnable back = () -> fanOut.arrived(target, answer);
                shard.afterLogged(() -> Shard.current().sendReply(home, back));
            };
            Runnable part = afterLocks ? () -> node.shards[target].locks.afterLocks(run) : run;
            if (!here.send(target, part)) {
                fanOut.arrived(target, new IllegalStateException("shard " + target + " is overloaded"));
            }
        }
        return fanOut;
    }

    private void arrived(int shard, Object result) {
        results[shard] = result;
        if (--remaining == 0) {
            RuntimeException failure = null;
            for (Object r : results) {
                if (r instanceof RuntimeException e) {
                    failure = e;
                    break;
                }
            }
            if (later != null) {
                later.write(results, failure, reply, this::complete);
                return;
            }
            if (failure != null) {
                reply.error("ERR " + failure.getMessage());
            } else {
                combiner.write(results, reply);
            }
            complete();
        }
    }
}
