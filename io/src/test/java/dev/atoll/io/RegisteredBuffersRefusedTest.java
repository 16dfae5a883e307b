package dev.atoll.io;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Registered buffers refused for real: a child JVM whose locked-memory limit is 1 MiB and which lacks
 * {@code CAP_IPC_LOCK} (dropped with {@code setpriv} when the tests run as root, who would otherwise be
 * exempt). The shard's ring fits under the limit (the kernel charges ring memory to it too: at 0 even
 * {@code io_uring_setup} fails with ENOMEM), a 1 MiB pool slab does not, so the first registration gets
 * ENOMEM. File I/O must go on with plain reads and writes, and the log must say why.
 */
@EnabledOnOs(OS.LINUX)
class RegisteredBuffersRefusedTest {
    private static final long CAP_IPC_LOCK = 1L << 14;
    private static final int LIMIT_KIB = 1024;

    @TempDir
    Path dir;

    @Test
    void overTheLockedMemoryLimitFileIoUsesPlainReadsAndWritesAndSaysWhy() throws Exception {
        TestRuntimes.assumeAvailable(DriverKind.IO_URING);
        String prefix = "ulimit -l " + LIMIT_KIB + " && exec";
        if ((effectiveCapabilities() & CAP_IPC_LOCK) != 0) {
            assumeTrue(onPath("setpriv"), "skipped: this process has CAP_IPC_LOCK (exempt from the locked-memory "
                    + "limit) and setpriv (util-linux), which would drop it for the child, is not installed");
            prefix += " setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock";
        }
        Path file = dir.resolve("plain.bin");
        try (ChildProcess child = ChildProcess.startUnder(prefix, LockedMemoryLimitMain.class.getName(),
                file.toString())) {
            String caps = child.answer();
            long childCaps = Long.parseLong(caps.substring(caps.indexOf(':') + 1).trim(), 16);
            assertEquals(0, childCaps & CAP_IPC_LOCK, "the child still has CAP_IPC_LOCK: " + caps);
            String limit = child.answer();
            assertTrue(limit.matches("LIMIT Max locked memory\\s+1048576\\s+1048576\\s+bytes\\s*"), limit);

            String[] result = child.answer().split(" ", 5);
            assertEquals("RESULT", result[0]);
            assertEquals("65536", result[1], "bytes read back intact through plain READ/WRITE; " + child.output());
            assertEquals("0", result[2], "no buffer is registered");
            assertEquals("1", result[3], "the file table needs no locked memory: the open file was registered");
            assertTrue(result[4].startsWith("registering a 1048576-byte buffer failed:") && result[4].contains("ENOMEM")
                    && result[4].contains("RLIMIT_MEMLOCK = 1048576 bytes"), result[4]);
            String warning = child.output().lines().filter(line -> line.contains("WARN")).findFirst().orElse("");
            assertTrue(warning.contains("io_uring: registering a 1048576-byte buffer failed")
                    && warning.contains("raise ulimit -l") && warning.contains("file reads and writes use plain READ/WRITE"),
                    "the warning: " + warning + "\nthe child's output:\n" + child.output());
        }
        assertEquals(65536, Files.size(file));
    }

    private static long effectiveCapabilities() throws IOException {
        String line = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("CapEff:")).findFirst().orElse("CapEff: 0");
        return Long.parseLong(line.substring("CapEff:".length()).trim(), 16);
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(directory -> Files.isExecutable(Path.of(directory, program)));
    }
}
