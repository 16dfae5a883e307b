package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The durability promise of {@code appendfsync always}: the server (a child JVM started as
 * {@code ./atoll run kv} starts it) is killed with SIGKILL while clients write; after a restart —
 * with another shard count, so the logs are also re-routed — every write it acknowledged is there.
 */
class KvCrashTest {
    private static final int WRITERS = 4;
    private static final int PIPELINE = 8;

    @TempDir
    Path dir;

    /** A server child process, the port from its ready line, and what it printed so far. */
    record Child(Process process, int port, List<String> output) { }

    private Child start(int shards) throws Exception {
        Child child = startKv(List.of("-Xmx256m"), List.of("--shards", Integer.toString(shards), "--appendfsync", "always",
                "--dir", dir.toString()));
        assertTrue(child.output().stream().anyMatch(l -> l.startsWith("atoll ready ") && l.endsWith(" shards=" + shards)),
                () -> String.join("\n", child.output()));
        return child;
    }

    /**
     * Starts {@code ./atoll run kv} as a child JVM on an ephemeral loopback port, with {@code jvmFlags}
     * and the server's {@code arguments}, and waits (bounded: 60 s) for its ready line; KvMemoryTest too.
     */
    static Child startKv(List<String> jvmFlags, List<String> arguments) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Datoll.shards.pin=false"));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.atoll.examples.Examples", "kv", "--port", "0"));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        LinkedBlockingQueue<String> ready = new LinkedBlockingQueue<>();
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader out = process.inputReader(StandardCharsets.UTF_8)) {
                for (String line; (line = out.readLine()) != null; ) {
                    output.add(line);
                    if (line.startsWith("atoll ready ")) {
                        ready.add(line);
                    }
                }
            } catch (IOException e) {
                output.add("reading the child's output failed: " + e);
            }
        }, "kv-child-output");
        reader.setDaemon(true);
        reader.start();
        String line = ready.poll(60, TimeUnit.SECONDS);
        if (line == null) {
            process.destroyForcibly();
        }
        assertNotNull(line, () -> "no ready line; output:\n" + String.join("\n", output));
        assertTrue(line.contains(" example=kv "), line);
        int port = Integer.parseInt(line.replaceAll(".* port=(\\d+) .*", "$1"));
        return new Child(process, port, output);
    }

    @Test
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        Child first = start(2);
        AtomicBoolean stop = new AtomicBoolean();
        long[] acknowledged = new long[WRITERS];
        AtomicLong counter = new AtomicLong();
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.add(CompletableFuture.runAsync(() -> {
                try (RespClient c = new RespClient(first.port())) {
                    for (long next = 1; !stop.get(); ) {
                        for (int k = 0; k < PIPELINE; k++) {
                            c.send("SET", "w" + writer + ":" + (next + k), Long.toString(next + k));
                        }
                        c.send("INCR", "counter");
                        for (int k = 0; k < PIPELINE; k++) {
                            assertEquals("OK", c.read());
                            acknowledged[writer] = next + k;
                        }
                        long n = (Long) c.read();
                        counter.accumulateAndGet(n, Math::max);
                        next += PIPELINE;
                    }
                } catch (IOException e) {
                    // the kill: the writes after the last reply are in doubt, the acknowledged ones are not
                }
            }));
        }
        Thread.sleep(1500);
        first.process().destroyForcibly(); // SIGKILL
        assertTrue(first.process().waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, first.process().exitValue(), "killed by SIGKILL");
        stop.set(true);
        CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        long total = 0;
        for (long a : acknowledged) {
            total += a;
        }
        assertTrue(total > 100, "the writers got only " + total + " acknowledgements before the kill");

        Child second = start(3);
        try (RespClient c = new RespClient(second.port())) {
            for (int w = 0; w < WRITERS; w++) {
                for (long i = 1; i <= acknowledged[w]; i++) {
                    assertEquals(Long.toString(i), c.call("GET", "w" + w + ":" + i),
                            "writer " + w + " had " + acknowledged[w] + " writes acknowledged");
                }
            }
            long replayed = Long.parseLong((String) c.call("GET", "counter"));
            assertTrue(replayed >= counter.get(), "counter " + replayed + " < acknowledged " + counter.get());
        } finally {
            second.process().destroy(); // SIGTERM: a clean stop
            assertTrue(second.process().waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, second.process().exitValue(), () -> String.join("\n", second.output()));
        }
    }

    /**
     * SHUTDOWN stops the server as SIGTERM does: no reply, the process exits with 0, and a restart on its
     * directory has every write. Its options are checked first, with Redis's errors. (The sync at a clean
     * stop is AofDurabilityTest's; here the page cache survives the exit anyway.)
     */
    @Test
    void shutdownStopsTheServerAndARestartHasEveryWrite() throws Exception {
        List<String> arguments = List.of("--shards", "2", "--appendfsync", "no", "--dir", dir.toString());
        Child first = startKv(List.of("-Xmx256m"), arguments);
        try (RespClient c = new RespClient(first.port())) {
            for (int i = 0; i < 200; i++) {
                c.send("SET", "k" + i, "v" + i);
            }
            for (int i = 0; i < 200; i++) {
                assertEquals("OK", c.read());
            }
            assertEquals(new RespClient.Error("ERR No shutdown in progress."), c.call("SHUTDOWN", "ABORT"));
            assertEquals(new RespClient.Error("ERR syntax error"), c.call("SHUTDOWN", "NOSAVE", "SAVE"));
            assertEquals(new RespClient.Error("ERR syntax error"), c.call("SHUTDOWN", "LATER"));
            c.send("SHUTDOWN", "NOSAVE");
            assertThrows(IOException.class, c::read, "no reply: the connection closes");
        }
        assertTrue(first.process().waitFor(30, TimeUnit.SECONDS), "the server stopped");
        assertEquals(0, first.process().exitValue(), () -> String.join("\n", first.output()));

        Child second = startKv(List.of("-Xmx256m"), arguments);
        try (RespClient c = new RespClient(second.port())) {
            for (int i = 0; i < 200; i++) {
                assertEquals("v" + i, c.call("GET", "k" + i));
            }
        } finally {
            second.process().destroy();
            assertTrue(second.process().waitFor(30, TimeUnit.SECONDS));
        }
    }
}
