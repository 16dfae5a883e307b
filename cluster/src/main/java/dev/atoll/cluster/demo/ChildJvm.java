package dev.atoll.cluster.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child process (in practice a JVM running a class of this class path) driven through its standard
 * input and output, for Atoll's own multi-process programs: the cluster demo, {@code ./atoll bench
 * remote} and the multi-JVM tests. Not API: it lives beside the demo, not in {@code dev.atoll.cluster}.
 *
 * <p>The child's lines that start with {@code @@} are its answers; {@link #expect} takes the first one
 * with a prefix, keeping the others for later calls, in order. Its other lines are its log: the last
 * {@value #LOG_LINES} are kept for the error a missing answer gives. Every wait is bounded.
 */
public final class ChildJvm implements AutoCloseable {
    private static final int LOG_LINES = 40;

    private final String name;
    private final Duration wait;
    private final Process process;
    private final Writer in;
    /** Filled by the reader thread, taken by the driving thread. */
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    /** Answers read while waiting for another one; driving thread only. */
    private final List<String> unclaimed = new ArrayList<>();
    /** The child's last log lines; driving thread only. */
    private final ArrayDeque<String> log = new ArrayDeque<>();

    private ChildJvm(String name, Duration wait, Process process) {
        this.name = name;
        this.wait = wait;
        this.process = process;
        this.in = process.outputWriter(StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = process.inputReader(StandardCharsets.UTF_8)) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("reading " + name + "'s output failed: " + e);
            }
        }, name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command} (standard error merged into output); {@link #expect} waits at most {@code wait}. */
    public static ChildJvm start(String name, Duration wait, List<String> command) throws IOException {
        return new ChildJvm(name, wait, new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** The command that runs {@code main} with {@code args} in this JVM's java and class path, with {@code options}. */
    public static List<String> java(List<String> options, Class<?> main, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        return command;
    }

    /** The name given at start (thread names, errors). */
    public String name() {
        return name;
    }

    /** The child process (its pid, signals, exit). */
    public Process process() {
        return process;
    }

    /** Writes {@code line} to the child's standard input. */
    public void send(String line) {
        try {
            in.write(line + "\n");
            in.flush();
        } catch (IOException e) {
            throw new IllegalStateException(name + " does not take input: " + e);
        }
    }

    /**
     * The first line starting with {@code prefix} not taken yet: answers (lines starting with {@code @@})
     * that do not match wait for a later call, log lines are kept only as the log's tail.
     *
     * @throws IllegalStateException when none came within the child's wait, with its last log lines
     */
    public String expect(String prefix) throws InterruptedException {
        for (Iterator<String> it = unclaimed.iterator(); it.hasNext(); ) {
            String line = it.next();
            if (line.startsWith(prefix)) {
                it.remove();
                return line;
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (;;) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IllegalStateException(name + " printed no '" + prefix + "' within " + wait.toSeconds()
                        + " s; its last lines:\n" + String.join("\n", log));
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            if (line.startsWith("@@")) {
                unclaimed.add(line);
            } else {
                if (log.size() == LOG_LINES) {
                    log.removeFirst();
                }
                log.add(line);
            }
        }
    }

    /** The child's last log lines read so far (not its answers). */
    public List<String> log() {
        return List.copyOf(log);
    }

    /** Kills the child (SIGKILL) and waits for it, at most its wait (less if this thread is interrupted). */
    @Override
    public void close() {
        try {
            process.destroyForcibly().waitFor(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
