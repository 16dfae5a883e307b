package dev.atoll.shards;

import dev.atoll.config.AtollConfig;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Starting runtimes in tests: unpinned (tests share two CPUs with the build), with extra settings. */
final class TestRuntimes {
    /** Generous: the machine is small and may be busy; a correct test finishes far sooner. */
    static final long WAIT_SECONDS = 30;

    private TestRuntimes() {
    }

    static ShardRuntime start(int shards, String extraHocon) {
        AtollConfig config = AtollConfig.parse("atoll.shards { count = " + shards + ", pin = false }\n" + extraHocon,
                "test settings");
        return ShardRuntime.start(config);
    }

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no result within " + WAIT_SECONDS + " s", e);
        }
    }

    /** Runs {@code work} on a shard and waits for the promise it returns (observed on that shard). */
    static <T> T awaitPromise(ShardRuntime runtime, int shard, java.util.concurrent.Callable<Promise<T>> work) {
        return await(await(runtime.submit(shard, () -> work.call().toCompletableFuture())));
    }

    static int stressSeconds() {
        return Integer.getInteger("atolltest.stress.seconds", 3);
    }
}
