package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The point of a master whose clients' writes are paused ({@link ClientPause}) after which its stream holds every
 * write it took: FAILOVER's wait before it compares its replicas' offsets with its own, and the switch of
 * {@code REPLICAOF host port} on a master, whose offset it offers to continue. Redis's one thread has that point
 * between two commands; here the shards make their records each on its thread and send them to the home shard
 * asynchronously, so it takes two steps: every command a client dispatched before the pause has run, on every shard
 * it touches (a transaction, a command across shards, a script), then every shard hands its records so far to the
 * home shard, which waits until its stream holds them ({@link ReplicationMaster#await}, WAIT's own barrier).
 *
 * <p>A client blocked in a pop or a WAIT counts as done: it waits for others, and while writes are paused nothing
 * it waits for comes (but a write in flight, waited for in the first step).
 */
final class StreamBarrier {
    /** How soon the shards' clients are looked at again while some command still runs. */
    private static final Duration SETTLE_CHECK = Duration.ofMillis(1);

    private StreamBarrier() {
    }

    /**
     * With clients' writes paused: runs {@code then} on the home shard once every write taken before the pause is in
     * the stream, so that {@link ReplicationMaster#offset} is final there (until the pause ends).
     */
    static void await(KvNode node, Runnable then) {
        List<CompletableFuture<Boolean>> settled = new ArrayList<>();
        for (KvShard shard : node.shards) {
            settled.add(node.runtime.submit(shard.id, shard::clientsSettled));
        }
        CompletableFuture.allOf(settled.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) ->
                node.runtime.execute(ReplicationMaster.HOME, () -> {
                    if (failure != null || settled.stream().allMatch(CompletableFuture::join)) {
                        handOver(node, then); // a check that failed (the server stops) holds nothing up
                    } else {
                        Shard.current().schedule(SETTLE_CHECK, () -> await(node, then));
                    }
                }));
    }

    /**
     * Every shard hands the records of the writes it made (after the command it runs now), then the home shard runs
     * {@code then} once its stream holds them.
     */
    private static void handOver(KvNode node, Runnable then) {
        ReplicationMaster master = node.replication;
        List<CompletableFuture<Long>> handed = new ArrayList<>();
        for (KvShard shard : node.shards) {
            handed.add(node.runtime.submit(shard.id, () -> master.feeds[shard.id].handOver()));
        }
        CompletableFuture.allOf(handed.toArray(CompletableFuture[]::new)).thenRun(() -> {
            long[] targets = handed.stream().mapToLong(CompletableFuture::join).toArray();
            node.runtime.execute(ReplicationMaster.HOME, () -> master.await(targets, 0, 0, ignored -> then.run()));
        });
    }
}
