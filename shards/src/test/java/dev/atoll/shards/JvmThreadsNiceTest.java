package dev.atoll.shards;

import dev.atoll.config.AtollConfig;
import dev.atoll.drivers.Os;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code atoll.shards.jvm-threads-nice}: the JVM's compiler and collector threads yield to the shards. */
class JvmThreadsNiceTest {

    @Test
    void startedShardsLeaveTheJvmsCompilerAndCollectorThreadsAtTheNiceValueAndTheirOwnAtZero() throws Exception {
        assumeTrue(Os.current() == Os.LINUX, "thread nice values are set on Linux only");
        // The default (19): other tests' runtimes in this JVM have lowered the same threads to it, and an
        // unprivileged process cannot raise a thread's priority back.
        int configured = AtollConfig.defaults().settings().shards().jvmThreadsNice();
        assertEquals(19, configured);
        try (ShardRuntime runtime = TestRuntimes.start(2, "")) {
            List<String> threads = niceByThread(); // at once: start() returns after the first pass
            List<String> lowered = threads.stream().filter(t -> t.startsWith("C1 CompilerThre")
                    || t.startsWith("C2 CompilerThre") || t.startsWith("ZWorker") || t.startsWith("G1 Conc#")).toList();
            assertFalse(lowered.isEmpty(), "no compiler or collector thread among " + threads);
            for (String thread : lowered) {
                assertTrue(thread.endsWith(" nice " + configured), thread + " in " + threads);
            }
            assertTrue(threads.contains("atoll-shard-0 nice 0"), threads.toString());
            assertTrue(threads.contains("atoll-shard-1 nice 0"), threads.toString());
            assertTrue(threads.contains("VM Thread nice 0"), "the VM thread runs safepoints, which shards wait for: "
                    + threads);
        }
    }

    /** Each thread of this process as "its 15-character name nice N", from /proc/self/task. */
    private static List<String> niceByThread() throws IOException {
        List<String> nice = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    String stat = Files.readString(task.resolve("stat"));
                    // Fields after the name's closing parenthesis start at field 3 (state); nice is field 19.
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    nice.add(name + " nice " + fields[19 - 3]);
                } catch (IOException ended) {
                    // the thread ended since the listing
                }
            }
        }
        return nice;
    }
}
