package dev.atoll.starter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole path of a user, offline: {@code ./atoll install} (into a local repository of the test's own
 * that sees the third-party artifacts of this build's), {@code ./atoll new}, the new project's tests,
 * then the service itself — run with its README's command on the class path, and on the module path
 * with native access granted to {@code dev.atoll.drivers} only — talked to over a socket and stopped.
 * Every Maven call is offline ({@code -o}): what they need, this build has fetched.
 */
class ArtifactsAndStarterTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    // Bounds for a machine busy with other builds: on two cores the whole test took 41 to 67 s when they
    // were otherwise idle, up to 219 s while other builds ran (docs/getting-started.md), the install most of it.
    private static final long INSTALL_MINUTES = 15;
    private static final long BUILD_MINUTES = 8;
    private static final long START_SECONDS = 120;
    private static final Pattern READY = Pattern.compile("tally ready host=\\S+ port=(\\d+) driver=\\S+ shards=2 pid=(\\d+)");
    /** Library module -> whether its jar has a module-info (else an Automatic-Module-Name). */
    private static final Map<String, Boolean> MODULES = Map.of("config", true, "drivers", true, "shards", true,
            "actors", false, "io", false, "testkit", false);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES)   // the steps have their own bounds
    void installsGeneratesBuildsOfflineRunsTalksAndStops() throws Exception {
        Path atoll = copyOfAtoll(dir.resolve("atoll"));
        Path repository = repositoryWithoutAtoll(dir.resolve("repository"));
        try {
            installGenerateBuildRunTalkStop(atoll, repository);
        } finally {
            unlinkThirdParty(repository);   // links only: the repository they point into stays as it was
        }
    }

    private void installGenerateBuildRunTalkStop(Path atoll, Path repository) throws Exception {
        String repositoryFlag = "-Dmaven.repo.local=" + repository;
        String version = ProjectTemplate.atollVersions(ROOT.resolve("pom.xml")).get("atoll.version");

        run(atoll, INSTALL_MINUTES, atoll.resolve("atoll").toString(), "install", "-o", repositoryFlag);
        checkInstalled(repository.resolve("dev/atoll"), version);

        run(dir, 1, atoll.resolve("atoll").toString(), "new", "tally", "--package", "com.example.tally");
        Path project = dir.resolve("tally");

        run(project, BUILD_MINUTES, "mvn", "-B", "-o", "-q", repositoryFlag, "test");
        String report = Files.readString(project.resolve("target/surefire-reports/TEST-com.example.tally.CounterTest.xml"));
        assertTrue(report.contains("tests=\"2\"") && report.contains("failures=\"0\"") && report.contains("errors=\"0\""), report);

        // The README's command, on the class path.
        serveTalkAndStop(project, "mvn", "-B", "-o", "-q", repositoryFlag, "compile", "exec:exec");

        // The module path: Atoll's jars as modules, native access for dev.atoll.drivers alone.
        Path classpath = project.resolve("target/runtime-classpath.txt");
        run(project, BUILD_MINUTES, "mvn", "-B", "-o", "-q", repositoryFlag, "dependency:build-classpath",
                "-DincludeScope=runtime", "-Dmdep.outputFile=" + classpath);
        serveTalkAndStop(project, javaHome().resolve("bin/java").toString(),
                "--enable-native-access=dev.atoll.drivers", "--illegal-native-access=deny",
                "--module-path", Files.readString(classpath).strip(), "--add-modules", "ALL-MODULE-PATH",
                "--class-path", project.resolve("target/classes").toString(), "com.example.tally.Main");
    }

    /** The jar, sources, Javadoc and pom of every library module and the BOM; each jar's module name. */
    private static void checkInstalled(Path atollGroup, String version) {
        assertTrue(Files.isRegularFile(atollGroup.resolve("atoll-bom/" + version + "/atoll-bom-" + version + ".pom")), "the BOM");
        for (Map.Entry<String, Boolean> module : MODULES.entrySet()) {
            String artifact = "atoll-" + module.getKey();
            Path base = atollGroup.resolve(artifact).resolve(version);
            for (String suffix : List.of(".jar", "-sources.jar", "-javadoc.jar", ".pom")) {
                assertTrue(Files.isRegularFile(base.resolve(artifact + "-" + version + suffix)), artifact + suffix + " installed");
            }
            Set<ModuleReference> found = ModuleFinder.of(base.resolve(artifact + "-" + version + ".jar")).findAll();
            assertEquals(1, found.size());
            ModuleDescriptor descriptor = found.iterator().next().descriptor();
            assertEquals("dev.atoll." + module.getKey(), descriptor.name());
            assertEquals(!module.getValue(), descriptor.isAutomatic(), descriptor.name() + (module.getValue() ? " has a module-info" : " is automatic"));
        }
    }

    /** Starts the service, waits for its ready line, talks to it, stops it with SIGTERM; it must exit 0. */
    private void serveTalkAndStop(Path project, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile())
                .redirectError(dir.resolve("service-" + System.nanoTime() + ".err").toFile());
        environment(builder).put("SERVICE_PORT", "0");
        Process process = builder.start();
        process.getOutputStream().close();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader out = process.inputReader(StandardCharsets.UTF_8)) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(reading the output failed: " + e + ")");
            }
        });
        try {
            Matcher ready = awaitLine(lines, READY, process, String.join(" ", command));
            int port = Integer.parseInt(ready.group(1));
            long pid = Long.parseLong(ready.group(2));
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write("add 40\nadd 2\nget\nadd two\n".getBytes(StandardCharsets.UTF_8));
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("40", in.readLine());
                assertEquals("42", in.readLine());
                assertEquals("42", in.readLine());
                assertEquals("error: not a number: two", in.readLine());
            }
            ProcessHandle service = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
            assertTrue(service.destroy(), "SIGTERM to " + pid);
            awaitLine(lines, Pattern.compile("tally stopped"), process, "the stop of " + pid);
            assertTrue(process.waitFor(START_SECONDS, TimeUnit.SECONDS), "the service's command ends once it stopped");
            assertEquals(0, process.exitValue(), "a clean stop exits 0");
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static Matcher awaitLine(BlockingQueue<String> lines, Pattern pattern, Process process, String what)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < end) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                seen.add(line);
                Matcher matcher = pattern.matcher(line);
                if (matcher.find()) {
                    return matcher;
                }
            } else if (!process.isAlive() && lines.isEmpty()) {
                break;
            }
        }
        return fail("no line like '" + pattern + "' from " + what + "; its output: " + seen);
    }

    /** Runs a command to its end within {@code minutes}; fails with its output unless it exits 0. */
    private void run(Path directory, long minutes, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "command-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        environment(builder);
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail(String.join(" ", command) + " took more than " + minutes + " min; its output:\n" + Files.readString(log));
        }
        if (process.exitValue() != 0) {
            fail(String.join(" ", command) + " exited " + process.exitValue() + "; its output:\n" + Files.readString(log));
        }
    }

    /** The JDK of this test for every command (the launcher and Maven use JAVA_HOME), and Maven quiet on JDK 25. */
    private static Map<String, String> environment(ProcessBuilder builder) {
        Map<String, String> environment = builder.environment();
        environment.put("JAVA_HOME", javaHome().toString());
        String options = environment.getOrDefault("MAVEN_OPTS", "");
        if (!options.contains("sun-misc-unsafe-memory-access")) {
            environment.put("MAVEN_OPTS", (options + " --sun-misc-unsafe-memory-access=allow").strip());
        }
        return environment;
    }

    private static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    /**
     * A local repository whose entries are links to those of this build's, except Atoll's own group:
     * the install lands here, not in the user's repository, and every third-party artifact is found.
     */
    private static Path repositoryWithoutAtoll(Path repository) throws IOException {
        Path real = Path.of(System.getProperty("atolltest.local.repository",
                System.getProperty("user.home") + "/.m2/repository")).toAbsolutePath();
        Files.createDirectories(repository.resolve("dev"));
        try (Stream<Path> entries = Files.list(real)) {
            for (Path entry : entries.toList()) {
                if (!entry.getFileName().toString().equals("dev")) {
                    Files.createSymbolicLink(repository.resolve(entry.getFileName().toString()), entry);
                }
            }
        }
        if (Files.isDirectory(real.resolve("dev"))) {
            try (Stream<Path> entries = Files.list(real.resolve("dev"))) {
                for (Path entry : entries.toList()) {
                    if (!entry.getFileName().toString().equals("atoll")) {
                        Files.createSymbolicLink(repository.resolve("dev").resolve(entry.getFileName().toString()), entry);
                    }
                }
            }
        }
        assertFalse(Files.exists(repository.resolve("dev/atoll")));
        return repository;
    }

    private static void unlinkThirdParty(Path repository) throws IOException {
        for (Path folder : List.of(repository, repository.resolve("dev"))) {
            if (Files.isDirectory(folder)) {
                try (Stream<Path> entries = Files.list(folder)) {
                    for (Path entry : entries.toList()) {
                        if (Files.isSymbolicLink(entry)) {
                            Files.delete(entry);
                        }
                    }
                }
            }
        }
    }

    /**
     * The launcher, the root pom and the module folders as they are in the working tree, without build
     * output: the install builds its own copy, leaving this build's target folders alone.
     */
    private static Path copyOfAtoll(Path copy) throws IOException {
        List<String> tops = new ArrayList<>(List.of("atoll", "pom.xml"));
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        while (module.find()) {
            tops.add(module.group(1).strip());
        }
        for (String top : tops) {
            Path source = ROOT.resolve(top);
            try (Stream<Path> files = Files.walk(source)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Path relative = ROOT.relativize(file);
                    if (relative.toString().contains("/target/") || relative.startsWith("target")) {
                        continue;
                    }
                    Path target = copy.resolve(relative.toString());
                    Files.createDirectories(target.getParent());
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return copy;
    }
}
