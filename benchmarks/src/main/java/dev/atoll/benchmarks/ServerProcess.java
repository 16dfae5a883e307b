package dev.atoll.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A server under test, run as a child process: a JVM with the same JDK and class path as this one and
 * the same JVM flags for every server ({@link #jvmFlags()}), started and waited for through the ready
 * line of {@code CONTRACTS.md}; or another program (redis-server) waited for through a line of its
 * own. Stopped with SIGTERM. Its stderr goes to a log file, shown when it fails.
 */
public final class ServerProcess implements AutoCloseable {
    private static final long READY_SECONDS = 60;
    private static final long STOP_SECONDS = 30;

    private final String impl;
    private final Process process;
    private final Path log;
    private final Map<String, String> ready;

    private ServerProcess(String impl, Process process, Path log, Map<String, String> ready) {
        this.impl = impl;
        this.process = process;
        this.log = log;
        this.ready = ready;
    }

    /** Thrown when a server exits or stays silent instead of printing its ready line. */
    public static final class StartFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final String output;

        StartFailure(String message, String output) {
            super(message + (output.isBlank() ? "" : "; its output:\n" + output.strip()));
            this.output = output;
        }

        /** What the server printed before it failed. */
        public String output() {
            return output;
        }
    }

    /**
     * The flags every server gets: native access (Atoll's FFM calls, Netty's JNI), {@code Unsafe}
     * allowed (Netty turns its faster paths off on JDK 24+ otherwise; Atoll does not use it), and
     * this JVM's collector and heap flags (the launcher's {@code -XX:+UseZGC} unless {@code -J} says
     * otherwise).
     */
    public static List<String> jvmFlags() {
        List<String> flags = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:") || arg.startsWith("-Xm") || arg.startsWith("-Xs")) {
                flags.add(arg);
            }
        }
        return flags;
    }

    /**
     * The flags of {@code inherited} that {@code own} does not replace: a server that names its collector
     * ({@code -XX:+UseParallelGC}) drops the harness's ({@code -XX:+UseZGC}, its generational options), as
     * the JVM refuses two; a flag given in both is kept once.
     */
    static List<String> flagsUnder(List<String> inherited, List<String> own) {
        boolean ownCollector = own.stream().anyMatch(ServerProcess::isCollector);
        return inherited.stream()
                .filter(flag -> !(ownCollector && (isCollector(flag) || flag.startsWith("-XX:+ZGenerational")
                        || flag.startsWith("-XX:-ZGenerational"))))
                .filter(flag -> !own.contains(flag))
                .toList();
    }

    private static boolean isCollector(String flag) {
        return flag.startsWith("-XX:+Use") && flag.endsWith("GC");
    }

    /**
     * Starts a program that prints no ready line (nginx) and waits until it accepts a TCP connection at
     * {@code host}:{@code port}, checking every 20 ms for up to a minute.
     *
     * @param driver  what the reports call its I/O (e.g. {@code epoll})
     * @param workers its worker processes or threads
     */
    public static ServerProcess startListening(String impl, List<String> command, String host, int port, String driver,
                                               int workers) throws IOException, StartFailure {
        Path log = Files.createTempFile("atoll-bench-" + impl + "-", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
        while (process.isAlive() && System.nanoTime() < giveUp) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(host, port), 1000);
                return new ServerProcess(impl, process, log, Map.of("example", impl, "host", host,
                        "port", Integer.toString(port), "driver", driver, "shards", Integer.toString(workers)));
            } catch (IOException notYet) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        process.destroyForcibly();
        throw new StartFailure(impl + " accepted no connection on " + host + ":" + port
                + (process.isAlive() ? " within " + READY_SECONDS + " s" : " (it exited)"), Files.readString(log));
    }

    /** A TCP port on {@code host} that nothing listens on now (for a server that cannot be given port 0). */
    public static int freePort(String host) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        }
    }

    /**
     * Starts {@code mainClass args...} and waits for its ready line.
     *
     * @param impl       how reports name this server, e.g. {@code netty-epoll}
     * @param properties system properties ({@code -Dkey=value}) for this server only: its configuration
     */
    public static ServerProcess start(String impl, List<String> properties, String mainClass, List<String> args)
            throws IOException, StartFailure {
        return start(impl, javaCommand(properties, mainClass, args), ServerProcess::readyLineFields);
    }

    /**
     * The command that runs {@code mainClass args...} in a JVM like this one: this JDK and class path,
     * {@link #jvmFlags()}, then {@code properties}. A caller may put a prefix before it (e.g. {@code taskset}).
     */
    public static List<String> javaCommand(List<String> properties, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flagsUnder(jvmFlags(), properties));
        command.addAll(properties);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /**
     * Starts {@code command} (any program) and waits until {@code readySignal} recognizes a line of its
     * standard output. Everything it prints later is read and dropped, so a chatty server never blocks on
     * a full pipe.
     *
     * @param readySignal the ready line's fields ({@code example host port driver shards}, as
     *                    {@link #parseReadyLine} gives them) for the line that says the server is ready;
     *                    null for any other line
     */
    public static ServerProcess start(String impl, List<String> command, Function<String, Map<String, String>> readySignal)
            throws IOException, StartFailure {
        Path log = Files.createTempFile("atoll-bench-" + impl + "-", ".log");
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
                .start();
        CompletableFuture<Map<String, String>> ready = new CompletableFuture<>();
        StringBuilder before = new StringBuilder();
        Thread.ofPlatform().daemon().name(impl + "-stdout").start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    Map<String, String> fields = ready.isDone() ? null : readySignal.apply(line);
                    if (fields != null) {
                        ready.complete(fields);
                    } else if (!ready.isDone()) {
                        synchronized (before) {
                            before.append(line).append('\n');
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                ready.completeExceptionally(e);
            }
            ready.complete(null);
        });
        try {
            Map<String, String> fields = ready.get(READY_SECONDS, TimeUnit.SECONDS);
            if (fields != null) {
                return new ServerProcess(impl, process, log, fields);
            }
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // reported below
        }
        process.destroyForcibly();
        String output;
        synchronized (before) {
            output = before + Files.readString(log);
        }
        throw new StartFailure(impl + " printed no ready line" + (process.isAlive() ? " within " + READY_SECONDS + " s"
                : " (exit status " + process.exitValue() + ")"), output);
    }

    /** The fields of Atoll's ready line, or null for any other line. */
    static Map<String, String> readyLineFields(String line) {
        return line.startsWith("atoll ready ") ? parseReadyLine(line) : null;
    }

    /** {@code atoll ready example=http host=h port=1 driver=epoll shards=2} as its key=value fields. */
    static Map<String, String> parseReadyLine(String line) {
        Map<String, String> fields = new HashMap<>();
        for (String word : line.substring("atoll ready ".length()).trim().split("\\s+")) {
            int equals = word.indexOf('=');
            if (equals > 0) {
                fields.put(word.substring(0, equals), word.substring(equals + 1));
            }
        }
        for (String key : List.of("example", "host", "port", "driver", "shards")) {
            if (!fields.containsKey(key)) {
                throw new IllegalArgumentException("a ready line without " + key + ": " + line);
            }
        }
        return fields;
    }

    public String impl() {
        return impl;
    }

    /** The operating system's id of the server's process (for {@code /proc/PID/stat}). */
    public long pid() {
        return process.pid();
    }

    /** True until the server's process has exited. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Where the server's standard error goes. */
    public Path log() {
        return log;
    }

    public String host() {
        return ready.get("host");
    }

    public int port() {
        return Integer.parseInt(ready.get("port"));
    }

    /** The driver or transport in use, as the ready line names it. */
    public String driver() {
        return ready.get("driver");
    }

    public int shards() {
        return Integer.parseInt(ready.get("shards"));
    }

    /** Stops the server with SIGTERM; returns its exit status (Atoll's examples exit 0). */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
            System.err.println(impl + " did not stop within " + STOP_SECONDS + " s of SIGTERM; killing it (log: " + log + ")");
            process.destroyForcibly().waitFor();
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
