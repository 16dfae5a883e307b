package dev.atoll.shards;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.DriverKind;
import dev.atoll.drivers.DriverUnavailableException;
import dev.atoll.drivers.Drivers;
import dev.atoll.drivers.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static dev.atoll.shards.TestRuntimes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ShardRuntimeTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void startStopCyclesLeaveNoThreadAndNoDescriptor(DriverKind driver) throws Exception {
        // One warm-up cycle loads classes and opens whatever the JVM keeps open (jar files, logging).
        try (ShardRuntime r = TestRuntimes.start(3, "", driver)) {
            await(r.submit(2, () -> 1));
        }
        long fdsBefore = openDescriptors();
        for (int cycle = 0; cycle < 10; cycle++) {
            try (ShardRuntime r = TestRuntimes.start(3, "", driver)) {
                for (int s = 0; s < 3; s++) {
                    int shard = s;
                    assertEquals(shard, await(r.submit(shard, () -> Shard.current().id())));
                }
            }
        }
        assertEquals(fdsBefore, openDescriptors(), "file descriptors left behind");
        assertEquals(List.of(), liveAtollThreads(), "threads left behind");
    }

    @Test
    void submitRunsOnTheTargetShardThread() {
        try (ShardRuntime r = TestRuntimes.start(2, "")) {
            for (int s = 0; s < 2; s++) {
                int shard = s;
                String name = await(r.submit(shard, () -> Thread.currentThread().getName()));
                assertEquals("atoll-shard-" + shard, name);
            }
            CompletableFuture<Object> failing = r.submit(0, () -> { throw new IllegalStateException("boom"); });
            ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(30, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
        }
    }

    @Test
    void callRunsOnTheTargetAndRepliesOnTheCaller() {
        try (ShardRuntime r = TestRuntimes.start(2, "")) {
            String result = TestRuntimes.awaitPromise(r, 0, () -> Shard.current()
                    .call(1, () -> "from " + Shard.current().id())
                    .map(v -> v + ", completed on " + Shard.current().id()));
            assertEquals("from 1, completed on 0", result);
        }
    }

    @Test
    void aThrowingTaskDoesNotStopItsShard() {
        try (ShardRuntime r = TestRuntimes.start(1, "")) {
            assertTrue(r.execute(0, () -> { throw new IllegalStateException("a failing task (expected in this test)"); }));
            assertEquals("alive", await(r.submit(0, () -> "alive")));
            assertEquals(1, r.stats().get(0).taskFailures());
        }
    }

    @Test
    void anErrorHandlerThatRethrowsItsFailureDoesNotStopTheShard() {
        try (ShardRuntime r = TestRuntimes.start(1, "")) {
            r.errorHandler((shard, callback, error) -> {
                throw (RuntimeException) error;
            });
            assertTrue(r.execute(0, () -> { throw new IllegalStateException("a failing task (expected in this test)"); }));
            assertEquals("alive", await(r.submit(0, () -> "alive")));
            assertFalse(r.shardDeath().toCompletableFuture().isDone());
        }
    }

    /** What a test's error handler calls fatal. */
    private static final class Fatal extends Error {
        Fatal() {
            super("a fatal failure (expected in this test)");
        }
    }

    @Test
    void aFailureTheErrorHandlerCallsFatalEndsTheShardAndTheOthersStopWithoutWaitingForIt() throws Exception {
        // A stop that waited for the dead shard to become idle would take the whole shutdown timeout.
        ShardRuntime r = TestRuntimes.start(2, "atoll.shards.shutdown-timeout = 60s");
        List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        r.errorHandler(new ErrorHandler() {
            @Override
            public void onError(Shard shard, Object callback, Throwable error) {
                reported.add(error);
            }

            @Override
            public boolean isFatal(Throwable error) {
                return error instanceof Fatal;
            }
        });
        assertTrue(r.execute(1, () -> { throw new IllegalStateException("not fatal (expected in this test)"); }));
        assertEquals("alive", await(r.submit(1, () -> "alive")));
        assertTrue(r.execute(1, () -> { throw new Fatal(); }));
        ShardRuntime.ShardDeath death = r.shardDeath().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(1, death.shard());
        assertInstanceOf(Fatal.class, death.cause());
        assertEquals(1, reported.size(), "only the failure that is not fatal goes to onError: " + reported);
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> r.submit(1, () -> 1).get(30, TimeUnit.SECONDS));
        assertInstanceOf(RejectedExecutionException.class, refused.getCause());
        assertEquals("alive", await(r.submit(0, () -> "alive")));
        long started = System.nanoTime();
        r.close();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.printf("ShardRuntimeTest: close() after a death took %d ms%n", millis);
        assertTrue(millis < 10_000, "close() after a death took " + millis + " ms");
    }

    @Test
    void timersFireOnTheShardNeverEarlyAndInOrder() {
        try (ShardRuntime r = TestRuntimes.start(1, "atoll.timers.tick = 1ms")) {
            CompletableFuture<List<long[]>> done = new CompletableFuture<>();
            r.execute(0, () -> {
                Shard shard = Shard.current();
                List<long[]> fired = new ArrayList<>();
                long start = System.nanoTime();
                int[] delaysMs = {7, 1, 15, 3, 3, 0, 11};
                for (int i = 0; i < delaysMs.length; i++) {
                    long deadline = start + TimeUnit.MILLISECONDS.toNanos(delaysMs[i]);
                    int index = i;
                    shard.scheduleAt(deadline, () -> {
                        fired.add(new long[]{deadline, System.nanoTime(), index});
                        if (fired.size() == delaysMs.length) {
                            done.complete(fired);
                        }
                    });
                }
                Timer cancelled = shard.schedule(Duration.ofMillis(5), () -> done.completeExceptionally(
                        new AssertionError("a cancelled timer fired")));
                assertTrue(cancelled.cancel());
            });
            List<long[]> fired = await(done);
            long previousDeadline = Long.MIN_VALUE;
            for (long[] f : fired) {
                assertTrue(f[1] >= f[0], "timer " + f[2] + " fired " + (f[0] - f[1]) + " ns early");
                assertTrue(f[0] >= previousDeadline, "timers fired out of order");
                previousDeadline = f[0];
            }
        }
    }

    @Test
    void promiseDeadlineFailsWithTimeoutOnTheShard() {
        try (ShardRuntime r = TestRuntimes.start(1, "")) {
            CompletableFuture<Throwable> failure = await(r.submit(0, () -> {
                Promise<String> never = new Promise<>();
                CompletableFuture<Throwable> f = new CompletableFuture<>();
                never.withDeadline(Duration.ofMillis(20)).whenComplete((v, e) -> f.complete(e));
                return f;
            }));
            assertInstanceOf(TimeoutException.class, await(failure));
        }
    }

    @Test
    void promiseCompletedFromAnotherThreadIsRefused() {
        try (ShardRuntime r = TestRuntimes.start(1, "")) {
            Promise<String> owned = await(r.submit(0, Promise<String>::new));
            assertThrows(IllegalStateException.class, () -> owned.complete("wrong thread"));
        }
    }

    @Test
    void offloadRunsElsewhereAndCompletesOnTheCallingShard() {
        try (ShardRuntime r = TestRuntimes.start(2, "")) {
            String result = TestRuntimes.awaitPromise(r, 1, () -> Shard.current()
                    .offload(() -> Thread.currentThread().getName())
                    .map(worker -> worker + " -> " + Thread.currentThread().getName()));
            assertTrue(result.matches("atoll-offload-\\d+ -> atoll-shard-1"), result);
        }
    }

    @Test
    void offloadBeyondThePoolBoundFailsAtOnce() throws Exception {
        try (ShardRuntime r = TestRuntimes.start(1, "atoll.offload { threads = 1, queue-capacity = 1 }")) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<List<Promise<Boolean>>> offloads = r.submit(0, () -> {
                List<Promise<Boolean>> all = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    all.add(Shard.current().offload(() -> release.await(30, TimeUnit.SECONDS)));
                }
                return all;
            });
            List<Promise<Boolean>> all = await(offloads);
            // One runs, one waits in the queue, the third is refused.
            Throwable refused = await(r.submit(0, () -> all.get(2).failure()));
            assertInstanceOf(RejectedExecutionException.class, refused);
            release.countDown();
            for (int i = 0; i < 2; i++) {
                int index = i;
                assertTrue(TestRuntimes.awaitPromise(r, 0, () -> all.get(index)));
            }
        }
    }

    @Test
    void stallDetectorCountsAShardStuckInATask() {
        try (ShardRuntime r = TestRuntimes.start(1, "atoll.shards.stall-threshold = 50ms")) {
            CompletableFuture<Long> stuck = r.submit(0, () -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                // Busy, never returning to the loop, until the watchdog has counted the stall.
                while (r.stats().get(0).stalls() == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                return r.stats().get(0).stalls();
            });
            assertEquals(1L, await(stuck));
            assertEquals(1L, r.stats().get(0).stalls());
        }
    }

    @Test
    void idleShardsAreNotReportedAsStalled() throws Exception {
        try (ShardRuntime r = TestRuntimes.start(2, "atoll.shards.stall-threshold = 20ms")) {
            await(r.submit(0, () -> 0));
            // Idle shards sleep in their drivers; wait on a timer of the shard itself, not on this thread.
            CompletableFuture<Void> later = new CompletableFuture<>();
            r.execute(1, () -> Shard.current().schedule(Duration.ofMillis(200), () -> later.complete(null)));
            await(later);
            assertEquals(0, r.stats().stream().mapToLong(ShardStats.Snapshot::stalls).sum());
        }
    }

    @Test
    void theStallDetectorBacksOffOnlyWhileEveryShardSleeps() throws Exception {
        try (ShardRuntime r = TestRuntimes.start(2, "atoll.shards.stall-threshold = 0s")) {
            Shard[] shards = {r.shard(0), r.shard(1)};
            StallDetector detector = new StallDetector(shards, Duration.ofMillis(50));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestRuntimes.WAIT_SECONDS);
            while (!(shards[0].wake.isSleeping() && shards[1].wake.isSleeping()) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertFalse(detector.sample(System.nanoTime()), "both shards asleep: nothing to watch closely");
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            r.execute(1, () -> {
                running.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(running.await(30, TimeUnit.SECONDS));
            try {
                assertTrue(detector.sample(System.nanoTime()), "shard 1 is in a task: watch it closely");
                assertTrue(detector.sample(System.nanoTime()), "still in the same task");
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void closeFinishesQueuedWorkThenRefusesNewWork() {
        ShardRuntime r = TestRuntimes.start(2, "");
        List<CompletableFuture<Integer>> queued = new ArrayList<>();
        CountDownLatch gate = new CountDownLatch(1);
        r.execute(0, () -> {
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 1000; i++) {
            int n = i;
            queued.add(r.submit(i % 2, () -> n));
        }
        Thread closer = Thread.ofPlatform().start(r::close);
        gate.countDown();
        joinQuietly(closer);
        for (int i = 0; i < queued.size(); i++) {
            assertEquals(i, await(queued.get(i)));
        }
        CompletableFuture<Integer> late = r.submit(0, () -> 1);
        ExecutionException e = assertThrows(ExecutionException.class, () -> late.get(30, TimeUnit.SECONDS));
        assertInstanceOf(RejectedExecutionException.class, e.getCause());
        assertFalse(r.execute(1, () -> { }));
    }

    @Test
    void closeCancelsWhatIsStillQueuedAfterTheShutdownTimeout() {
        ShardRuntime r = TestRuntimes.start(1, "atoll.shards.shutdown-timeout = 0s");
        CountDownLatch gate = TestRuntimes.occupy(r, 0);
        CompletableFuture<Integer> queued = r.submit(0, () -> 1);
        Thread closer = Thread.ofPlatform().start(r::close);
        gate.countDown();
        joinQuietly(closer);
        // The shard either ran it before it saw the expired deadline, or cancelled it: never lost.
        try {
            assertEquals(1, queued.get(30, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
            assertInstanceOf(CancellationException.class, e.getCause());
        } catch (Exception e) {
            throw new AssertionError("future neither completed nor cancelled", e);
        }
    }

    @Test
    void startupFailureOfOneShardStopsTheOthersAndIsThrown() {
        TestRuntimes.assumeAvailable(DriverKind.AUTO);
        var config = AtollConfig.parse("atoll.shards { count = 3, pin = false }", "test");
        int threadsBefore = liveAtollThreads().size();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ShardRuntime.start(config.settings(),
                id -> {
                    if (id == 1) {
                        throw new IllegalStateException("no driver for shard 1 (expected in this test)");
                    }
                    return Drivers.open(config.settings());
                }));
        assertTrue(e.getMessage().contains("shard 1"));
        assertEquals(threadsBefore, liveAtollThreads().size());
    }

    @Test
    void anUnavailableDriverFailsStartOnTheCallerWithoutStartingAThread() {
        DriverKind missing = null;
        for (DriverKind kind : DriverKind.values()) {
            try {
                Drivers.choose(kind, Platform.current());
            } catch (DriverUnavailableException e) {
                missing = kind;
                break;
            }
        }
        assumeTrue(missing != null, "every driver kind is available here");
        var config = AtollConfig.parse("atoll.driver = " + missing.displayName(), "test");
        int threadsBefore = liveAtollThreads().size();
        var e = assertThrows(DriverUnavailableException.class, () -> ShardRuntime.start(config));
        assertTrue(e.getMessage().contains("atoll.driver"), e.getMessage());
        assertEquals(threadsBefore, liveAtollThreads().size());
    }

    @Test
    void shardsReportPlacementAndDriver() {
        try (ShardRuntime r = TestRuntimes.start(2, "")) {
            assertEquals(2, r.placements().size());
            r.placements().forEach(p -> assertFalse(p.isBlank()));
            assertNotEquals(null, r.driverKind());
        }
    }

    static long openDescriptors() throws IOException {
        Path dir = Files.isDirectory(Path.of("/proc/self/fd")) ? Path.of("/proc/self/fd") : Path.of("/dev/fd");
        try (Stream<Path> fds = Files.list(dir)) {
            return fds.count();
        }
    }

    static List<String> liveAtollThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (t.isAlive() && (name.startsWith("atoll-shard") || name.startsWith("atoll-stall")
                    || name.startsWith("atoll-offload"))) {
                names.add(name);
            }
        }
        return names;
    }

    private static void joinQuietly(Thread t) {
        try {
            assertTrue(t.join(Duration.ofSeconds(TestRuntimes.WAIT_SECONDS)), "close() did not return");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
