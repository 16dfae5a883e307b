package dev.atoll.shards;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.DriverKind;
import dev.atoll.drivers.DriverUnavailableException;
import dev.atoll.drivers.Drivers;
import dev.atoll.drivers.Platform;
import org.junit.jupiter.api.Assumptions;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Starting runtimes in tests (shared with other modules through the test jar): unpinned (tests share two CPUs with the build), with extra settings. */
public final class TestRuntimes {
    /** Generous: the machine is small and may be busy; a correct test finishes far sooner. */
    public static final long WAIT_SECONDS = 30;

    private TestRuntimes() {
    }

    /** Every driver kind; tests parameterised with it skip, saying why, the ones this machine lacks. */
    public static Stream<DriverKind> drivers() {
        return Stream.of(DriverKind.IO_URING, DriverKind.EPOLL, DriverKind.KQUEUE);
    }

    /** A runtime on the driver {@code atoll.driver = auto} picks here. */
    public static ShardRuntime start(int shards, String extraHocon) {
        return start(shards, extraHocon, DriverKind.AUTO);
    }

    /** A runtime on {@code driver}; the test is skipped, with the reason, when that driver cannot run here. */
    public static ShardRuntime start(int shards, String extraHocon, DriverKind driver) {
        assumeAvailable(driver);
        AtollConfig config = AtollConfig.parse("atoll.shards { count = " + shards + ", pin = false }\n"
                + "atoll.driver = " + driver.displayName() + "\n" + extraHocon, "test settings");
        return ShardRuntime.start(config);
    }

    /**
     * Keeps {@code shard} busy in a task until the returned latch is counted down; returns once the
     * task is running, so everything sent to the shard afterwards waits in its queues.
     */
    public static CountDownLatch occupy(ShardRuntime runtime, int shard) {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        runtime.execute(shard, () -> {
            running.countDown();
            awaitLatch(release);
        });
        awaitLatch(running);
        return release;
    }

    /** Waits for a latch with the tests' generous deadline, failing the test when it passes. */
    public static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released within " + WAIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Skips the calling test, saying why, when {@code driver} cannot run on this machine. */
    public static void assumeAvailable(DriverKind driver) {
        try {
            Drivers.choose(driver, Platform.current());
        } catch (DriverUnavailableException e) {
            Assumptions.abort("skipped on driver " + driver.displayName() + ": " + e.getMessage());
        }
    }

    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no result within " + WAIT_SECONDS + " s", e);
        }
    }

    /** Runs {@code work} on a shard and waits for the promise it returns (observed on that shard). */
    public static <T> T awaitPromise(ShardRuntime runtime, int shard, java.util.concurrent.Callable<Promise<T>> work) {
        return await(await(runtime.submit(shard, () -> work.call().toCompletableFuture())));
    }

    public static int stressSeconds() {
        return Integer.getInteger("atolltest.stress.seconds", 3);
    }
}
