package dev.atoll.examples;

import dev.atoll.config.IdleStrategyKind;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.ShardStats;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The first demo: starts the shards, shows the driver and the placement chosen, then sends messages
 * around all shards three ways (a greeting between every pair, a token around the ring, every shard
 * to every other at once) and prints what happened, how fast, and each shard's counters.
 *
 * <p>{@code ./atoll run hello [--shards N] [--driver D] [--config FILE] [-Dkey=value]}
 */
public final class Hello {
    private static final int RING_LAPS = 20_000;
    private static final int ALL_TO_ALL_PER_PAIR = 1_000_000;
    private static final int BATCH = 256;

    private Hello() {
    }

    public static void main(String[] args) throws Exception {
        ServerSettings settings = ServerOptions.parseOrExit("hello", 0, args);
        try (ShardRuntime shards = ShardRuntime.start(settings.config())) {
            int n = shards.shardCount();
            System.out.printf("Atoll hello: %d shard%s on %s%n", n, n == 1 ? "" : "s", shards.driverKind().displayName());
            System.out.printf("  platform: %s%n", shards.platform().describe());
            for (int i = 0; i < n; i++) {
                System.out.printf("  shard %d: %s%n", i, shards.shard(i).placement());
            }
            greetings(shards);
            ring(shards);
            if (n > 1) {
                allToAll(shards);
            }
            printStats(shards);
        }
    }

    /** Every shard calls every shard (itself included); each reply completes a promise back home. */
    private static void greetings(ShardRuntime shards) {
        int n = shards.shardCount();
        System.out.println();
        System.out.println("Greetings (each shard calls every shard; the reply completes a promise back home):");
        for (int from = 0; from < n; from++) {
            List<String> lines = shards.submit(from, () -> {
                Shard here = Shard.current();
                String[] replies = new String[n];
                int[] pending = {n};
                CompletableFuture<List<String>> all = new CompletableFuture<>();
                for (int to = 0; to < n; to++) {
                    int target = to;
                    here.call(target, () -> "hello from " + Thread.currentThread().getName())
                            .whenComplete((reply, failure) -> {
                                replies[target] = failure == null ? reply : "failed: " + failure;
                                if (--pending[0] == 0) {
                                    all.complete(List.of(replies));
                                }
                            });
                }
                return all;
            }).thenCompose(all -> all).join();
            for (int to = 0; to < n; to++) {
                System.out.printf("  shard %d -> shard %d: %s%n", from, to, lines.get(to));
            }
        }
    }

    /** One token, one message in flight: 0 -> 1 -> ... -> n-1 -> 0, for many laps. */
    private static void ring(ShardRuntime shards) {
        int n = shards.shardCount();
        long hops = (long) RING_LAPS * n;
        CompletableFuture<Long> done = new CompletableFuture<>();
        long start = System.nanoTime();
        shards.execute(0, new Hop(hops, n, done));
        long elapsed = done.join() - start;
        System.out.println();
        System.out.printf("Token ring: %,d hops (%,d laps of %d shard%s, one message in flight) in %.3f s%n",
                hops, RING_LAPS, n, n == 1 ? "" : "s", elapsed / 1e9);
        System.out.printf("  %,.0f hops/s, %.2f us per hop%n", hops / (elapsed / 1e9), elapsed / 1e3 / hops);
        if (shards.settings().shards().idle().strategy() == IdleStrategyKind.SLEEP) {
            System.out.println("  (each hop wakes a sleeping shard; the default -Datoll.shards.idle.strategy=adaptive"
                    + " polls while messages flow and hops without wake-ups)");
        }
    }

    /** The token: immutable, a new one per hop. */
    private record Hop(long remaining, int shards, CompletableFuture<Long> done) implements Runnable {
        @Override
        public void run() {
            if (remaining == 0) {
                done.complete(System.nanoTime());
                return;
            }
            Shard here = Shard.current();
            here.send((here.id() + 1) % shards, new Hop(remaining - 1, shards, done));
        }
    }

    /** Every shard sends to every other shard at once, in batches, backing off while a target lags. */
    private static void allToAll(ShardRuntime shards) {
        int n = shards.shardCount();
        long expected = (long) n * (n - 1) * ALL_TO_ALL_PER_PAIR;
        CompletableFuture<Long>[] finished = newFutures(n);
        long[] received = new long[n];                      // slot i written by shard i only
        long start = System.nanoTime();
        for (int s = 0; s < n; s++) {
            int sender = s;
            Runnable count = () -> {
                int me = Shard.current().id();
                if (++received[me] == (long) (n - 1) * ALL_TO_ALL_PER_PAIR) {
                    finished[me].complete(System.nanoTime());
                }
            };
            shards.execute(sender, new Runnable() {
                private final long[] sentTo = new long[n];

                @Override
                public void run() {
                    Shard here = Shard.current();
                    boolean more = false;
                    for (int to = 0; to < n; to++) {
                        if (to == sender || sentTo[to] == ALL_TO_ALL_PER_PAIR) {
                            continue;
                        }
                        if (here.backlog(to) == 0) {       // the target keeps up: send the next batch
                            long batchEnd = Math.min(ALL_TO_ALL_PER_PAIR, sentTo[to] + BATCH);
                            for (; sentTo[to] < batchEnd; sentTo[to]++) {
                                here.send(to, count);
                            }
                        }
                        more |= sentTo[to] < ALL_TO_ALL_PER_PAIR;
                    }
                    if (more) {
                        here.execute(this);
                    }
                }
            });
        }
        long end = 0;
        for (CompletableFuture<Long> f : finished) {
            end = Math.max(end, f.orTimeout(5, TimeUnit.MINUTES).join());
        }
        double seconds = (end - start) / 1e9;
        System.out.println();
        System.out.printf("All to all: %,d messages (%,d from each shard to each other shard) in %.3f s%n",
                expected, ALL_TO_ALL_PER_PAIR, seconds);
        System.out.printf("  %,.0f messages/s through the mesh%n", expected / seconds);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static CompletableFuture<Long>[] newFutures(int n) {
        CompletableFuture<Long>[] futures = new CompletableFuture[n];
        for (int i = 0; i < n; i++) {
            futures[i] = new CompletableFuture<>();
        }
        return futures;
    }

    private static void printStats(ShardRuntime shards) {
        System.out.println();
        System.out.println("Per shard:   iterations   messages in  messages out  wakes sent  wakes avoided    sleeps  overflowed");
        List<ShardStats.Snapshot> stats = shards.stats();
        for (int i = 0; i < stats.size(); i++) {
            ShardStats.Snapshot s = stats.get(i);
            System.out.printf("  shard %-3d %12d %13d %13d %11d %14d %9d %11d%n", i, s.iterations(), s.messagesIn(),
                    s.messagesOut(), s.wakesSent(), s.wakesAvoided(), s.sleeps(), s.overflowed());
        }
    }
}
