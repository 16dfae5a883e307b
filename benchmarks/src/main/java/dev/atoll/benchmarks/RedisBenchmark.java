package dev.atoll.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The Redis load generator: {@code redis-benchmark} of the Debian package {@code redis-tools}
 * ({@code benchmarks/setup} installs it, with {@code redis-server} for the peer), run with {@code --csv}, which
 * gives requests/s and the latency percentiles of one test per line.
 */
final class RedisBenchmark {
    /** A run that takes longer than this has hung: redis-benchmark retries a lost server forever. */
    private static final long TIMEOUT_SECONDS = 300;

    /**
     * What one run measured; latencies in milliseconds, from the moment a request (or, pipelined, its
     * batch) is written to its reply.
     */
    record Result(double requestsPerSecond, double avgMillis, double p50Millis, double p95Millis,
                  double p99Millis, double maxMillis) { }

    /**
     * One run's parameters.
     *
     * @param test     redis-benchmark's test name ({@code -t}: {@code set}, {@code lrange_100}, ...) or, with a
     *                 {@code command}, the title redis-benchmark gives that command's line (the command's words)
     * @param command  a command of redis-benchmark's own suite given whole instead of {@code -t} (e.g.
     *                 {@code LRANGE mylist 0 99}, which {@code -t lrange_100} runs after filling the list itself);
     *                 empty for {@code -t test}
     * @param keyspace random keys {@code key:000000000000} to {@code keyspace - 1}
     * @param pipeline requests per write: 1 without pipelining
     * @param keepAlive whether each client keeps its connection; false: a new connection for every request ({@code -k 0})
     */
    record Load(String test, List<String> command, int clients, int requests, int keyspace, int pipeline, boolean keepAlive) {
        Load(String test, int clients, int requests, int keyspace, int pipeline) {
            this(test, List.of(), clients, requests, keyspace, pipeline, true);
        }

        /** {@code command} as a load of its own; its CSV line is titled with its words. */
        static Load command(List<String> command, int clients, int requests, int keyspace, int pipeline) {
            return new Load(String.join(" ", command), command, clients, requests, keyspace, pipeline, true);
        }

        /** This load with a new connection for every request. */
        Load reconnecting() {
            return new Load(test, command, clients, requests, keyspace, pipeline, false);
        }

        List<String> arguments() {
            List<String> arguments = new ArrayList<>(List.of("-c", Integer.toString(clients), "-n", Integer.toString(requests),
                    "-r", Integer.toString(keyspace), "-P", Integer.toString(pipeline)));
            if (!keepAlive) {
                arguments.addAll(List.of("-k", "0"));
            }
            if (command.isEmpty()) {
                arguments.addAll(List.of("-t", test));
            }
            arguments.add("--csv");
            arguments.addAll(command);
            return arguments;
        }
    }

    private RedisBenchmark() {
    }

    /** redis-benchmark, with redis-server and redis-cli, or {@link ExternalTools.MissingProgram} saying how to install them. */
    static RedisBenchmark find() {
        ExternalTools.require(List.of("redis-benchmark", "redis-cli", "redis-server"), List.of("redis-tools", "redis-server"));
        return new RedisBenchmark();
    }

    /** {@code redis-benchmark 7.0.15}. */
    String version() throws IOException, InterruptedException {
        return ExternalTools.firstLine("redis-benchmark", "--version");
    }

    /**
     * Runs {@code load} against a server.
     *
     * @param prefix what runs redis-benchmark, e.g. {@code taskset -c 0}; empty for nothing
     * @throws IllegalStateException when redis-benchmark fails (a server error reply makes it exit 1)
     *                               or hangs
     */
    Result run(List<String> prefix, String host, int port, Load load) throws IOException, InterruptedException {
        return run(prefix, host, port, false, load);
    }

    /**
     * As above; with {@code cluster}, in redis-benchmark's cluster mode ({@code --cluster}): it reads
     * {@code CLUSTER NODES}, connects its clients to every master and gives each client keys of its node's
     * slots ({@code key:{tag}:...}), so every command goes to the node that owns its key.
     */
    Result run(List<String> prefix, String host, int port, boolean cluster, Load load) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("redis-benchmark", "-h", host, "-p", Integer.toString(port)));
        if (cluster) {
            command.add("--cluster");
        }
        command.addAll(load.arguments());
        Path output = Files.createTempFile("atoll-redis-benchmark-", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IllegalStateException("redis-benchmark did not finish within " + TIMEOUT_SECONDS
                        + " s (does the server still answer?): " + String.join(" ", command) + "\n" + Files.readString(output));
            }
            String text = Files.readString(output);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("redis-benchmark exited " + p.exitValue() + ": " + String.join(" ", command)
                        + "\n" + text);
            }
            return parse(text, load.test());
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /**
     * The figures of {@code test} in redis-benchmark's {@code --csv} output:
     * {@code "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"}.
     * A test's title is its name in capitals, some with a note ({@code "LRANGE_100 (first 100 elements)"},
     * {@code "MSET (10 keys)"}); a command's is its words. Case is ignored.
     */
    static Result parse(String csv, String test) {
        String title = "\"" + test.toUpperCase(Locale.ROOT);
        for (String line : csv.lines().toList()) {
            String upper = line.toUpperCase(Locale.ROOT);
            if (upper.startsWith(title + "\",") || upper.startsWith(title + " (")) {
                String[] fields = line.replace("\"", "").split(",");
                if (fields.length != 8) {
                    throw new IllegalStateException("unexpected redis-benchmark CSV line (8 fields expected): " + line);
                }
                try {
                    return new Result(Double.parseDouble(fields[1]), Double.parseDouble(fields[2]), Double.parseDouble(fields[4]),
                            Double.parseDouble(fields[5]), Double.parseDouble(fields[6]), Double.parseDouble(fields[7]));
                } catch (NumberFormatException e) {
                    throw new IllegalStateException("unexpected redis-benchmark CSV line (numbers expected): " + line, e);
                }
            }
        }
        throw new IllegalStateException("no " + test.toUpperCase(Locale.ROOT) + " line in redis-benchmark's output:\n" + csv);
    }

    /**
     * Whether the server still has background work of its own under way: a log rewrite in progress or
     * scheduled, or an RDB save (fields of {@code INFO persistence}, which Atoll's kv prints as Redis does).
     */
    static boolean backgroundWork(ServerProcess server) throws IOException, InterruptedException {
        String text = cli(server, "INFO", "persistence");
        if (!text.contains("aof_rewrite_in_progress:")) {
            throw new IllegalStateException("INFO persistence without aof_rewrite_in_progress from " + server.impl() + ":\n" + text);
        }
        return text.lines().map(String::strip).anyMatch(line -> line.equals("aof_rewrite_in_progress:1")
                || line.equals("aof_rewrite_scheduled:1") || line.equals("rdb_bgsave_in_progress:1"));
    }

    /** The log rewrites {@code server} has finished since it started ({@code aof_rewrites} of INFO persistence, as Redis 7.0 counts them). */
    static long logRewrites(ServerProcess server) throws IOException, InterruptedException {
        return logRewrites(cli(server, "INFO", "persistence"), server.impl());
    }

    /** {@code aof_rewrites} of the INFO persistence text {@code info} that {@code impl} answered. */
    static long logRewrites(String info, String impl) {
        return info.lines().map(String::strip).filter(line -> line.startsWith("aof_rewrites:")).findFirst()
                .map(line -> Long.parseLong(line.substring("aof_rewrites:".length())))
                .orElseThrow(() -> new IllegalStateException("INFO persistence without aof_rewrites from " + impl + ":\n" + info));
    }

    /** Runs {@code redis-cli} with {@code command} against {@code server} (at most 60 s); its output, or a failure saying what. */
    static String cli(ServerProcess server, String... command) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("redis-cli", "-h", server.host(), "-p", Integer.toString(server.port())));
        all.addAll(List.of(command));
        Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("redis-cli " + String.join(" ", command) + " against " + server.impl()
                    + " failed: " + output);
        }
        return output;
    }

    /** The number of keys the server holds ({@code redis-cli DBSIZE}), or -1 when it does not say. */
    long keys(String host, int port) throws IOException, InterruptedException {
        String answer = ExternalTools.firstLine("redis-cli", "-h", host, "-p", Integer.toString(port), "DBSIZE");
        try {
            return Long.parseLong(answer.replace("(integer)", "").trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
