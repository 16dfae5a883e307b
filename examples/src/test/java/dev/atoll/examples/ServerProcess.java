package dev.atoll.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A server example in a child JVM, started as {@code ./atoll run} starts it (a {@code main} class of
 * this module and its arguments), optionally under a shell prefix such as {@code ulimit -n 128 && exec};
 * its output is kept line by line, and {@link #port()} comes from its ready line.
 */
public final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final PrintWriter stdin;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private final Thread reader;
    private final int port;

    private ServerProcess(Process process) throws InterruptedException {
        this.process = process;
        this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.reader = new Thread(() -> {
            try (BufferedReader out = process.inputReader(StandardCharsets.UTF_8)) {
                for (String line; (line = out.readLine()) != null; ) {
                    synchronized (output) {
                        output.add(line);
                        output.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended and its stream was closed
            }
        }, "server-process-output");
        reader.setDaemon(true);
        reader.start();
        String ready = awaitLine(line -> line.startsWith("atoll ready "), 60);
        assertNotNull(ready, () -> "no ready line; output:\n" + output());
        this.port = Integer.parseInt(ready.replaceAll(".* port=(\\d+) .*", "$1"));
    }

    /**
     * Starts {@code mainClass} with {@code args} and waits for its ready line.
     *
     * @param shellPrefix run before the JVM by bash, which then becomes the JVM ({@code exec}); empty for none
     * @param jvmOptions  options of the JVM, such as {@code -Dkey=value}
     */
    public static ServerProcess start(String shellPrefix, List<String> jvmOptions, Class<?> mainClass, String... args)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        if (!shellPrefix.isEmpty()) {
            command.addAll(List.of("bash", "-c", shellPrefix + " \"$@\"", "bash"));
        }
        command.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Datoll.shards.pin=false"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        return new ServerProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    public int port() {
        return port;
    }

    public Process process() {
        return process;
    }

    /** Waits up to {@code seconds} for the process to exit and then for the rest of its output; false if it did not exit. */
    public boolean awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            return false;
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        return true;
    }

    /** Sends one line to the child's standard input. */
    public void send(String line) {
        stdin.println(line);
    }

    /** The first output line that matches, waiting up to {@code seconds} for it; null if none came. */
    public String awaitLine(Predicate<String> matches, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        synchronized (output) {
            while (true) {
                for (String line : output) {
                    if (matches.test(line)) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(output, left);
            }
        }
    }

    public String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stdin.close();
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
