package dev.atoll.drivers.uring;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fallback for real: a child JVM whose kernel refuses io_uring_setup with EPERM (a seccomp filter it
 * installs on itself, as under a container's default profile).
 */
@EnabledOnOs(OS.LINUX)
class IoUringFallbackTest {

    @Test
    void whereIoUringIsRefusedAutoRunsOnEpollAndAForcedIoUringSaysWhy() throws Exception {
        List<String> lines = runChild();
        Assumptions.assumeFalse(lines.contains("NOSECCOMP"), "skipped: this kernel refused the seccomp filter");
        String auto = lines.stream().filter(l -> l.startsWith("AUTO ")).findFirst().orElseThrow(() ->
                new AssertionError("no AUTO line: " + lines));
        assertTrue(auto.startsWith("AUTO epoll | atoll.driver = auto: io_uring unavailable, so epoll: io_uring_setup("),
                auto);
        assertTrue(auto.contains("failed: errno 1 (EPERM) (io_uring is refused here"), auto);
        String forced = lines.stream().filter(l -> l.startsWith("FORCED ")).findFirst().orElseThrow();
        assertTrue(forced.startsWith("FORCED atoll.driver = io_uring cannot run here: io_uring_setup("), forced);
        assertTrue(forced.contains("EPERM") && forced.endsWith("use atoll.driver = auto (falls back to epoll) or epoll"),
                forced);
    }

    private static List<String> runChild() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), RefuseIoUringMain.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child did not finish: " + output);
        assertEquals(0, child.exitValue(), output);
        return output.lines().toList();
    }
}
