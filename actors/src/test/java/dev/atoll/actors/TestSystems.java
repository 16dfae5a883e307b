package dev.atoll.actors;

import dev.atoll.config.AtollConfig;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Starting actor systems in tests (unpinned: tests share two CPUs with the build) and waiting on them. */
final class TestSystems {
    /** Generous: the machine is small and may be busy; a correct test finishes far sooner. */
    static final long WAIT_SECONDS = 30;
    static final Duration ASK_TIMEOUT = Duration.ofSeconds(WAIT_SECONDS);

    private TestSystems() {
    }

    static ActorSystem start(int shards) {
        return start(shards, "");
    }

    static ActorSystem start(int shards, String extraHocon) {
        return ActorSystem.start(AtollConfig.parse("atoll.shards { count = " + shards + ", pin = false }\n" + extraHocon,
                "test settings"));
    }

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no result within " + WAIT_SECONDS + " s", e);
        }
    }

    static <T> T take(BlockingQueue<T> queue) {
        try {
            T item = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (item == null) {
                throw new AssertionError("nothing arrived within " + WAIT_SECONDS + " s");
            }
            return item;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits until {@code condition} holds, polling; fails after the generous deadline. */
    static void eventually(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + WAIT_SECONDS + " s: " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Runs {@code work} on a shard and returns its result. */
    static <T> T onShard(ActorSystem system, int shard, java.util.concurrent.Callable<T> work) {
        return await(system.runtime().submit(shard, work));
    }
}
