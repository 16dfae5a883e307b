package dev.atoll.io;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.Assumptions;
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

/**
 * io_uring under a low locked-memory limit, for real: child JVMs whose {@code RLIMIT_MEMLOCK} is lowered and
 * which lack {@code CAP_IPC_LOCK} (dropped with {@code setpriv} when the tests run as root, who would otherwise
 * be exempt). Without that capability the kernel charges registered buffers and the rings themselves to the
 * limit (a 4096-entry ring takes about 400 KiB; at 0 even {@code io_uring_setup} fails with ENOMEM).
 */
@EnabledOnOs(OS.LINUX)
class LockedMemoryLimitTest {
    private static final long CAP_IPC_LOCK = 1L << 14;

    @TempDir
    Path dir;

    /** 1 MiB: one shard's ring fits, a 1 MiB pool slab does not, so the first registration gets ENOMEM. */
    @Test
    void overTheLimitFileIoUsesPlainReadsAndWritesAndSaysWhy() throws Exception {
        Path file = dir.resolve("plain.bin");
        try (ChildProcess child = startLimited(1024, file, 1, DriverKind.IO_URING)) {
            String answer = child.answer();
            // The limit is the user's, shared with their other processes: one holding locked memory can leave
            // too little even for the child's ring (root's own processes hold CAP_IPC_LOCK and are not counted).
            Assumptions.assumeFalse(answer.startsWith("NORING "), () -> "skipped: under a 1 MiB locked-memory "
                    + "limit this user's other locked memory left no room for a ring: " + answer);
            assertEquals("DRIVER io_uring", answer);
            String[] result = child.answer().split(" ", 5);
            assertEquals("RESULT", result[0]);
            assertEquals("65536", result[1], "bytes read back intact through plain READ/WRITE; " + child.output());
            assertEquals("0", result[2], "no buffer is registered");
            assertEquals("1", result[3], "the file table needs no locked memory: the open file was registered");
            assertTrue(result[4].startsWith("registering a 1048576-byte buffer failed:") && result[4].contains("ENOMEM")
                    && result[4].contains("RLIMIT_MEMLOCK = 1048576 bytes"), result[4]);
            String warning = warning(child, "io_uring: registering a");
            assertTrue(warning.contains("io_uring: registering a 1048576-byte buffer failed")
                    && warning.contains("raise ulimit -l") && warning.contains("file reads and writes use plain READ/WRITE"),
                    "the warning: " + warning + "\nthe child's output:\n" + child.output());
        }
        assertEquals(65536, Files.size(file));
    }

    /**
     * 256 KiB: the start-up probe's small ring fits, no shard's 4096-entry ring does. {@code auto} must not
     * stop there: every shard starts on epoll, and the log says why.
     */
    @Test
    void underAutoShardsWhoseRingsDoNotFitStartOnEpoll() throws Exception {
        Path file = dir.resolve("epoll.bin");
        try (ChildProcess child = startLimited(256, file, 2, DriverKind.AUTO)) {
            String driver = child.answer();
            Assumptions.assumeFalse(child.output().contains("io_uring unavailable, so epoll"), () -> "skipped: this "
                    + "user's other locked memory left no room even for the probe's ring: " + child.output());
            assertEquals("DRIVER epoll", driver, child.output());
            assertEquals("RESULT 65536 - - -", child.answer(), child.output());
            String warning = warning(child, "atoll.driver = auto: a shard");
            assertTrue(warning.contains("atoll.driver = auto: a shard could not set up its io_uring ring")
                    && warning.contains("ENOMEM") && warning.endsWith("every shard starts on epoll instead"),
                    "the warning: " + warning + "\nthe child's output:\n" + child.output());
        }
    }

    /** A child under {@code limitKib} of locked memory without CAP_IPC_LOCK, past its CAPS and LIMIT answers. */
    private static ChildProcess startLimited(int limitKib, Path file, int shards, DriverKind driver) throws Exception {
        TestRuntimes.assumeAvailable(DriverKind.IO_URING);
        String prefix = "ulimit -l " + limitKib + " && exec";
        if ((effectiveCapabilities() & CAP_IPC_LOCK) != 0) {
            Assumptions.assumeTrue(onPath("setpriv"), "skipped: this process has CAP_IPC_LOCK (exempt from the "
                    + "locked-memory limit) and setpriv (util-linux), which would drop it for the child, is missing");
            prefix += " setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock";
        }
        ChildProcess child = ChildProcess.startUnder(prefix, LockedMemoryLimitMain.class.getName(), file.toString(),
                Integer.toString(shards), driver.displayName());
        String caps = child.answer();
        long childCaps = Long.parseLong(caps.substring(caps.indexOf(':') + 1).trim(), 16);
        assertEquals(0, childCaps & CAP_IPC_LOCK, "the child still has CAP_IPC_LOCK: " + caps);
        String limit = child.answer();
        long bytes = limitKib * 1024L;
        assertTrue(limit.matches("LIMIT Max locked memory\\s+" + bytes + "\\s+" + bytes + "\\s+bytes\\s*"), limit);
        return child;
    }

    /** The child's WARN line that contains {@code text}, or "" when there is none. */
    private static String warning(ChildProcess child, String text) {
        return child.output().lines().filter(line -> line.contains(" WARN ") && line.contains(text)).findFirst()
                .orElse("");
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
