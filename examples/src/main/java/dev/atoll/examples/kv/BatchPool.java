package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

/**
 * One shard's {@link Batch}es (Seastar's and Dragonfly's "squashing"): per other shard, the one batch
 * that every connection of this shard that reads in this loop iteration appends to. The first command
 * for any shard arms one task ({@link Shard#execute}: the next task step, before the loop flushes
 * the mesh) that sends each non-empty batch as one message. Batches are reused, per target, once all
 * their replies were consumed; so is each connection's batch of local replies that wait behind
 * remote ones. Touched by its shard's thread only.
 */
final class BatchPool implements Runnable {
    /** Idle batches kept per target beyond which a returning one is left to the collector (after a burst). */
    private static final int IDLE_PER_TARGET = 64;
    /** Capacity a batch's arrays shrink back to when it returns grown by a large command or reply. */
    private static final int TRIM_TO = 4096;

    private final KvNode node;
    private final KvShard home;
    private final Batch[] filling;
    private final int[] targets;
    private int targetCount;
    private boolean armed;
    private final Batch[] idle;
    private final int[] idleCount;
    /** Batches handed out and not yet back: filling, travelling, or holding unconsumed replies. */
    private int live;
    private long deliveries;
    /** Counts {@link #sendAll}: a batch from {@link #filling} belongs to the generation it was filled in. */
    private long generation;

    BatchPool(KvNode node, KvShard home) {
        this.node = node;
        this.home = home;
        int shards = node.shardCount();
        this.filling = new Batch[shards];
        this.targets = new int[shards];
        this.idle = new Batch[shards];
        this.idleCount = new int[shards];
    }

    Shard shard() {
        return home.shard();
    }

    /** This iteration's batch for {@code target}; the first one arms the send task. */
    Batch filling(int target) {
        Batch batch = filling[target];
        if (batch == null) {
            batch = acquire(target);
            batch.open(false, false);
            filling[target] = batch;
            targets[targetCount++] = target;
            if (!armed) {
                armed = true;
                home.shard().execute(this);
            }
        }
        return batch;
    }

    /** An empty batch for replies computed here that wait behind others, in RESP3 if {@code resp3}. */
    Batch local(boolean resp3) {
        Batch batch = acquire(home.id);
        batch.open(true, resp3);
        return batch;
    }

    /** The send task. */
    @Override
    public void run() {
        armed = false;
        sendAll();
    }

    /**
     * Sends every batch filled so far, one message per target: at the send task, and before a
     * message that must follow the commands already queued (a {@link FanOut}).
     */
    void sendAll() {
        for (int i = 0; i < targetCount; i++) {
            int target = targets[i];
            Batch batch = filling[target];
            filling[target] = null;
            batch.send();
        }
        targetCount = 0;
        generation++;
    }

    /** The current generation: per target, one batch fills in each; every earlier one was sent. */
    long generation() {
        return generation;
    }

    /** A number that tells one batch's arrival from the others (a connection drains once per arrival). */
    long nextDelivery() {
        return ++deliveries;
    }

    /** Batches out of the pool: 0 once every reply was consumed. */
    int live() {
        return live;
    }

    private Batch acquire(int target) {
        live++;
        Batch batch = idle[target];
        if (batch == null) {
            return new Batch(node, this, home.id, target);
        }
        idle[target] = batch.nextIdle;
        batch.nextIdle = null;
        idleCount[target]--;
        return batch;
    }

    /** Every reference to {@code batch} is gone. */
    void recycle(Batch batch) {
        live--;
        int target = batch.target;
        if (idleCount[target] < IDLE_PER_TARGET) {
            batch.commands.clear();
            batch.commands.trim(TRIM_TO);
            batch.replies.clear();
            batch.replies.trim(TRIM_TO);
            batch.nextIdle = idle[target];
            idle[target] = batch;
            idleCount[target]++;
        }
    }
}
