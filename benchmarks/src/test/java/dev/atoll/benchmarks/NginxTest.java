package dev.atoll.benchmarks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NginxTest {

    @Test
    void theConfigurationIsTechEmpowersWithAtollsWorkerCountUnpinnedAndEverythingInItsDirectory(@TempDir Path dir) {
        String conf = Nginx.config(2, "127.0.0.1", 18080, dir);
        for (String directive : List.of("worker_processes 2;", "daemon off;", "master_process on;",
                "pid " + dir.resolve("nginx.pid") + ";", "error_log stderr error;", "access_log off;",
                "tcp_nodelay on;", "keepalive_requests 300000;", "client_body_temp_path " + dir.resolve("client_body") + ";",
                "listen 127.0.0.1:18080 reuseport;", "location = /plaintext {", "default_type text/plain;",
                "return 200 \"Hello, World!\";")) {
            assertTrue(conf.contains(directive), directive + " missing from:\n" + conf);
        }
        assertTrue(!conf.contains("worker_cpu_affinity"), "Atoll's shards run unpinned here, so do nginx's workers");
    }

    @Test
    void theCommandReadsNothingFromEtcAndLogsToStderr(@TempDir Path dir) {
        assertEquals(List.of("/usr/sbin/nginx", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(), "-e", "stderr"),
                Nginx.command(Path.of("/usr/sbin/nginx"), dir, dir.resolve("nginx.conf")));
    }

    @Test
    void whenNginxIsMissingTheNoteSaysHowToInstallIt() {
        String note = Nginx.missingNote();
        assertTrue(note.contains("nginx-light") && note.contains("benchmarks/setup")
                && note.contains("the run goes on without the nginx peer"), note);
    }

    /** Only where nginx is installed (benchmarks/setup): its own check of the configuration, no load. */
    @Test
    void nginxAcceptsTheConfiguration(@TempDir Path dir) throws IOException, InterruptedException {
        assumeTrue(Nginx.locate().isPresent(), "nginx is not installed (benchmarks/setup installs it)");
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, Nginx.config(2, "127.0.0.1", ServerProcess.freePort("127.0.0.1"), dir));
        List<String> command = new ArrayList<>(Nginx.command(Nginx.locate().get(), dir, conf));
        command.add("-t");
        Process check = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), output);
    }
}
