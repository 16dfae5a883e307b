package dev.atoll.drivers;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.QosClass;
import dev.atoll.config.ShardSettings;
import dev.atoll.drivers.ffi.MacosConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadPlacementTest {

    private static ShardSettings settings(boolean pin) {
        return new ShardSettings(0, pin, QosClass.USER_INTERACTIVE, AtollConfig.defaults().settings().shards().idle(),
                64, 64, Duration.ZERO, Duration.ofSeconds(1));
    }

    /** Runs {@code body} on a fresh platform thread and returns its result. */
    private static <T> T onFreshThread(Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().name("placement-test").start(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(30, TimeUnit.SECONDS);
        } finally {
            thread.join();
        }
    }

    private record Outcome(String description, List<Integer> before, List<Integer> after) {
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void pinsTheCallingThreadToOneUsableCpu() throws Exception {
        Platform platform = Platform.current();
        List<Integer> cpus = platform.usableCpus();
        for (int shard = 0; shard < cpus.size() + 1; shard++) {
            int index = shard;
            Outcome outcome = onFreshThread(() -> new Outcome(
                    ThreadPlacement.place(index, settings(true), platform), null, LinuxAffinity.of(0)));
            int expected = cpus.get(shard % cpus.size());
            assertEquals("cpu " + expected, outcome.description());
            assertEquals(List.of(expected), outcome.after());
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void pinFalseLeavesTheMaskAlone() throws Exception {
        Outcome outcome = onFreshThread(() -> {
            List<Integer> before = LinuxAffinity.of(0);
            String description = ThreadPlacement.place(0, settings(false), Platform.current());
            return new Outcome(description, before, LinuxAffinity.of(0));
        });
        assertEquals("unpinned (pin = false)", outcome.description());
        assertEquals(outcome.before(), outcome.after());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aFailedPinIsReportedAndNotFatal() throws Exception {
        Platform impossible = Platform.of(Os.LINUX, Arch.current(), 4096, 64, List.of(1023), "test",
                OptionalInt.empty(), OptionalInt.empty());
        Outcome outcome = onFreshThread(() -> {
            List<Integer> before = LinuxAffinity.of(0);
            String description = ThreadPlacement.place(0, settings(true), impossible);
            return new Outcome(description, before, LinuxAffinity.of(0));
        });
        assertEquals("unpinned (sched_setaffinity(cpu 1023) failed: errno 22 (EINVAL))", outcome.description());
        assertEquals(outcome.before(), outcome.after());
    }

    @Test
    void qosClassesMapToTheMacosValues() {
        assertEquals(0x21, ThreadPlacement.qosValue(QosClass.USER_INTERACTIVE));
        assertEquals(0x19, ThreadPlacement.qosValue(QosClass.USER_INITIATED));
        assertEquals(0x15, ThreadPlacement.qosValue(QosClass.DEFAULT));
        assertEquals(0x11, ThreadPlacement.qosValue(QosClass.UTILITY));
        assertEquals(MacosConstants.QOS_CLASS_BACKGROUND, ThreadPlacement.qosValue(QosClass.BACKGROUND));
    }

    @Test
    void otherSystemsAreLeftUnplaced() {
        Platform other = Platform.of(Os.OTHER, Arch.OTHER, 4096, 64, List.of(0), "test", OptionalInt.empty(),
                OptionalInt.empty());
        assertTrue(ThreadPlacement.place(0, settings(true), other).startsWith("unplaced"));
    }
}
