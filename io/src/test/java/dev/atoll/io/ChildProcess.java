package dev.atoll.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM child process running a main class of the test sources, optionally under a descriptor limit,
 * talking a line protocol: lines starting with {@code @@} are answers, the rest is kept as its log.
 */
final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final PrintWriter stdin;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());

    private ChildProcess(Process process) {
        this.process = process;
        this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = process.inputReader(StandardCharsets.UTF_8)) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("@@")) {
                        answers.add(line.substring(2));
                    } else {
                        log.add(line);
                    }
                }
            } catch (IOException e) {
                log.add("reading the child's output failed: " + e);
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code mainClass} with {@code args} in a new JVM; {@code maxDescriptors} > 0 sets its RLIMIT_NOFILE (soft and hard). */
    static ChildProcess start(int maxDescriptors, String mainClass, String... args) throws IOException {
        return startUnder(maxDescriptors > 0 ? "ulimit -n " + maxDescriptors + " && exec" : "", mainClass, args);
    }

    /**
     * Starts {@code mainClass} in a new JVM through bash: {@code shellPrefix} (e.g. {@code "ulimit -l 0 && exec"})
     * comes before the JVM's command line; empty starts the JVM directly.
     */
    static ChildProcess startUnder(String shellPrefix, String mainClass, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        if (!shellPrefix.isEmpty()) {
            // The shell sets limits and becomes the JVM (exec), so the process id is the JVM's.
            command.addAll(List.of("bash", "-c", shellPrefix + " \"$@\"", "bash"));
        }
        command.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        return new ChildProcess(builder.start());
    }

    /** The next protocol answer (without {@code @@}); fails the test when none comes in time. */
    String answer() {
        try {
            String line = answers.poll(IoTesting.WAIT, TimeUnit.SECONDS);
            if (line == null) {
                throw new AssertionError("the child gave no answer within " + IoTesting.WAIT + " s (alive: "
                        + process.isAlive() + "); its output:\n" + String.join("\n", log));
            }
            return line;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Sends one command line and returns the answer. */
    String ask(String command) {
        stdin.println(command);
        return answer();
    }

    void send(String command) {
        stdin.println(command);
    }

    long pid() {
        return process.pid();
    }

    /** User plus system CPU time of the child so far (the JDK reads /proc on Linux, proc_pidinfo on macOS). */
    Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration()
                .orElseThrow(() -> new AssertionError("the CPU time of process " + process.pid() + " is not available"));
    }

    String output() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stdin.println("quit");
        stdin.close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
