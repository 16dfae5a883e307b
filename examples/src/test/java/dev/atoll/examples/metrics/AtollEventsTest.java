package dev.atoll.examples.metrics;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorRef;
import dev.atoll.actors.ActorSettings;
import dev.atoll.actors.ActorSystem;
import dev.atoll.actors.SpawnOptions;
import dev.atoll.actors.Supervision;
import dev.atoll.config.AtollConfig;
import dev.atoll.io.Connection;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Atoll's JFR events: a programmatic recording, each event provoked for real (a stalled shard and a
 * long task, a full mesh queue, a failing actor restarted then stopped, a message to it after, a
 * refused connect), read back with {@link RecordingFile} and printed by {@code jfr print --events
 * 'dev.atoll.*'}. The driver fallback event is not provoked: it needs a machine where io_uring fails.
 */
class AtollEventsTest {
    private static final String HOCON = """
            atoll.shards.count = 2
            atoll.shards.stall-threshold = 50ms
            atoll.mesh.queue-capacity = 4
            atoll.mesh.overflow-limit = 8
            atoll.io.buffers.debug = false
            """;

    /** Fails on every message, so its supervision restarts it. */
    static final class Failing extends Actor<String> {
        @Override
        protected void receive(String message) {
            throw new IllegalStateException("failing on purpose: " + message);
        }
    }

    @Test
    void eachEventIsRecordedAndPrintable(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("atoll.jfr");
        try (Recording recording = new Recording()) {
            for (String name : List.of("dev.atoll.ShardStall", "dev.atoll.LongTask", "dev.atoll.MeshOverflow",
                    "dev.atoll.ActorLifecycle", "dev.atoll.DeadLetter", "dev.atoll.IoError", "dev.atoll.DriverFallback")) {
                recording.enable(name);
            }
            recording.start();
            provokeEverything();
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        Set<String> seen = events.stream().map(e -> e.getEventType().getName()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> expected = Set.of("dev.atoll.ShardStall", "dev.atoll.LongTask", "dev.atoll.MeshOverflow",
                "dev.atoll.ActorLifecycle", "dev.atoll.DeadLetter", "dev.atoll.IoError");
        assertTrue(seen.containsAll(expected), "recorded " + seen);
        // A loaded machine may stall a shard elsewhere too (class loading, the recording's start): look for ours.
        assertTrue(named(events, "dev.atoll.ShardStall").anyMatch(e -> e.getInt("shard") == 0
                && e.getString("stack").contains("Thread.sleep")), "the sleeping task's stall");
        assertTrue(named(events, "dev.atoll.LongTask").anyMatch(e -> e.getInt("shard") == 0
                && e.getDuration().toMillis() >= 300), "the sleeping task as a long task");
        RecordedEvent stall = first(events, "dev.atoll.ShardStall");
        assertTrue(named(events, "dev.atoll.MeshOverflow").anyMatch(e -> e.getBoolean("refused")), "a refused send");
        Set<String> changes = named(events, "dev.atoll.ActorLifecycle").map(e -> e.getString("change"))
                .collect(Collectors.toSet());
        assertEquals(Set.of("RESTARTED", "STOPPED"), changes);
        assertEquals("ECONNREFUSED", first(events, "dev.atoll.IoError").getString("errnoName"));
        assertEquals("Atoll", stall.getEventType().getCategoryNames().getFirst());

        String printed = jfrPrint(file);
        for (String name : expected) {
            assertTrue(printed.contains(name + " {"), () -> name + " in jfr print:\n" + printed);
        }
    }

    private static void provokeEverything() throws Exception {
        AtollConfig config = AtollConfig.parse(HOCON, "AtollEventsTest");
        try (ShardRuntime runtime = ShardRuntime.start(config)) {
            // First tasks on both shards: the event classes' first use registers them with JFR, which may
            // itself take longer than the stall threshold; the stall below must be the sleep's.
            runtime.submit(0, () -> null).get(10, TimeUnit.SECONDS);
            runtime.submit(1, () -> null).get(10, TimeUnit.SECONDS);
            // A task that sleeps past the stall threshold: a stall, and a long task.
            runtime.submit(0, () -> {
                Thread.sleep(300);
                return null;
            }).get(10, TimeUnit.SECONDS);
            // More sends in one task than the queue and the overflow limit hold: parked, then refused.
            runtime.submit(0, () -> {
                Shard here = Shard.current();
                for (int i = 0; i < 20; i++) {
                    here.send(1, () -> { });
                }
                return null;
            }).get(10, TimeUnit.SECONDS);
            // A refused connect: the kernel's ECONNREFUSED.
            int closedPort;
            try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                closedPort = socket.getLocalPort();
            }
            CompletableFuture<Object> connect = runtime.submit(0, () -> Connection.connect(
                    new InetSocketAddress("127.0.0.1", closedPort), Duration.ofSeconds(5))).thenCompose(
                            promise -> promise.toCompletableFuture().handle((c, failure) -> failure));
            assertTrue(connect.get(10, TimeUnit.SECONDS) != null, "the connect failed");
            // An actor restarted by supervision, then stopped; a message to it afterwards is a dead letter.
            try (ActorSystem actors = ActorSystem.start(runtime, ActorSettings.defaults())) {
                ActorRef<String> failing = actors.spawn(Failing::new, dev.atoll.actors.Placement.shard(1),
                        SpawnOptions.supervised(Supervision.restart(10, Duration.ofMinutes(1))));
                failing.tell("once");
                awaitTrue(() -> actors.stats().get(1).restarts() > 0, "a restart");
                CompletableFuture<Void> stopped = actors.terminationOf(failing);
                actors.stop(failing);
                stopped.get(10, TimeUnit.SECONDS);
                failing.tell("too late");
                awaitTrue(() -> actors.deadLetters() > 0, "a dead letter");
            }
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    private static RecordedEvent first(List<RecordedEvent> events, String name) {
        return named(events, name).findFirst().orElseThrow();
    }

    private static java.util.stream.Stream<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name));
    }

    private static String jfrPrint(Path file) throws Exception {
        Path jfr = Path.of(System.getProperty("java.home"), "bin", "jfr");
        Process process = new ProcessBuilder(jfr.toString(), "print", "--events", "dev.atoll.*", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "jfr print ended");
        assertEquals(0, process.exitValue(), out);
        return out;
    }
}
