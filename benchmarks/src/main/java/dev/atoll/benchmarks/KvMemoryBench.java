package dev.atoll.benchmarks;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./atoll bench kv-memory}: the memory a key costs in Atoll's kv example (one shard) and in
 * redis-server 7 (Debian), no persistence on either. For each data set — small strings
 * ({@code SET key:NNNNNNNNNNNN vNNN}, redis-benchmark's key names, 2–8 byte values) and small hashes
 * ({@code HSET hash:NNNNNNNNNNNN} with {@value #HASH_FIELDS} fields of 7 bytes and values of 2–8
 * bytes, listpacks in both) — both servers are emptied, measured, loaded through {@code redis-cli --pipe}
 * and measured again; the difference over the keys is the memory per key:
 * <ul>
 *   <li>redis-server: {@code used_memory} of {@code INFO memory} (what its allocator handed out);</li>
 *   <li>Atoll: the bytes of every live object on its heap, from {@code jcmd PID GC.class_histogram}
 *       (which collects first) — the figure compared with Redis's; also its heap used after
 *       {@code jcmd PID GC.run} ({@code jvm_heap_used} of {@code INFO memory}: the collector's pages,
 *       so it includes what a page holds beyond its live objects) and its own estimate,
 *       {@code used_memory} (what {@code maxmemory} counts).</li>
 * </ul>
 * Ratios: Redis's bytes per key over Atoll's (above 1 = Atoll smaller); the goal is 1.
 */
public final class KvMemoryBench {
    private static final int HASH_FIELDS = 4;
    private static final double GOAL = 1.0;
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)");

    private KvMemoryBench() {
    }

    /** A data set: its name and the commands that load key {@code i}. */
    private enum DataSet {
        STRINGS("small strings") {
            @Override
            List<String> command(int i) {
                return List.of("SET", "key:" + String.format("%012d", i), "v" + i % 10_000_000);
            }
        },
        STRINGS_WITH_EXPIRY("small strings with an expiry") {
            @Override
            List<String> command(int i) {
                return List.of("SET", "key:" + String.format("%012d", i), "v" + i % 10_000_000, "EX", "1000000");
            }
        },
        HASHES("small hashes") {
            @Override
            List<String> command(int i) {
                List<String> command = new ArrayList<>(List.of("HSET", "hash:" + String.format("%012d", i)));
                for (int f = 1; f <= HASH_FIELDS; f++) {
                    command.add("field:" + f);
                    command.add("v" + (i * 7 + f) % 10_000_000);
                }
                return command;
            }
        };

        final String label;

        DataSet(String label) {
            this.label = label;
        }

        abstract List<String> command(int i);
    }

    public static void run(BenchArgs args) throws Exception {
        int keys = args.quick() ? 100_000 : 1_000_000;
        RedisBenchmark.find();
        String redisVersion = RedisServer.version();
        BenchReport report = new BenchReport(args.name(), args.command(), BenchReport.Environment.current());
        report.setting("loadavg_at_start", BenchReport.loadAverage())
                .setting("keys", keys)
                .setting("strings", "SET key:%012d v<i mod 10^7> (2-8 bytes, not an integer)")
                .setting("strings_with_an_expiry", "the same SETs with EX 1000000 (every key has an expiry)")
                .setting("hashes", "HSET hash:%012d with " + HASH_FIELDS + " fields field:1.. and values v<n> (2-8 bytes)")
                .setting("redis_server", redisVersion + " (Debian), --save '' --appendonly no; used_memory of INFO memory")
                .setting("atoll", "kv --shards 1 -Dkv.appendonly=no; live objects' bytes from jcmd GC.class_histogram,"
                        + " jvm_heap_used of INFO memory after jcmd GC.run, and its own used_memory estimate")
                .setting("jvm_flags", String.join(" ", ServerProcess.jvmFlags()));
        System.out.print("settings\n" + report.settingsTable());
        Path work = Files.createTempDirectory("atoll-bench-kv-memory-");
        ServerProcess redis = null;
        ServerProcess atoll = null;
        try {
            Path redisDir = Files.createDirectories(work.resolve("redis"));
            redis = RedisServer.start("redis-" + redisVersion, List.of(), List.of("--appendonly", "no"), redisDir);
            Path atollDir = Files.createDirectories(work.resolve("atoll"));
            atoll = ServerProcess.start("atoll-kv-memory", ServerProcess.javaCommand(
                    List.of("-Dkv.appendonly=no", "-Dkv.dir=" + atollDir),
                    "dev.atoll.examples.Examples", List.of("kv", "--port", "0", "--shards", "1")),
                    ServerProcess::readyLineFields);
            String redisImpl = "redis-" + redisVersion;
            String atollImpl = "atoll-" + atoll.driver() + "-1shard";
            for (DataSet set : DataSet.values()) {
                Path load = work.resolve(set.name().toLowerCase() + ".resp");
                writeCommands(load, set, keys);
                ServerProcess r = redis;
                ServerProcess a = atoll;
                double redisBytes = perKey(redis, load, keys, () -> info(r, "used_memory"));
                double atollLive = perKey(atoll, load, keys, () -> liveBytes(a));
                // The same keys again (FLUSHALL first): the heap used and the estimate, each over its own empty baseline.
                double[] atollHeapAndEstimate = perKeyTwo(atoll, load, keys);
                System.out.printf("%s: redis %.1f B/key; atoll live objects %.1f B/key, heap used %.1f B/key, estimate %.1f B/key%n",
                        set.label, redisBytes, atollLive, atollHeapAndEstimate[0], atollHeapAndEstimate[1]);
                report.result(set.label + " bytes per key (used_memory)", redisImpl, redisBytes, "B", BenchReport.Better.LOWER);
                report.result(set.label + " bytes per key (live objects, GC.class_histogram)", atollImpl, atollLive, "B",
                        BenchReport.Better.LOWER);
                report.result(set.label + " bytes per key (heap used after GC.run)", atollImpl, atollHeapAndEstimate[0], "B",
                        BenchReport.Better.LOWER);
                report.result(set.label + " bytes per key (own used_memory estimate)", atollImpl, atollHeapAndEstimate[1], "B",
                        BenchReport.Better.LOWER);
                report.ratioLowerIsBetter(atollImpl + "/" + redisImpl + " " + set.label + " bytes per key (live objects)",
                        atollLive, redisBytes, GOAL);
                report.ratioLowerIsBetter(atollImpl + "/" + redisImpl + " " + set.label + " bytes per key (heap used after GC)",
                        atollHeapAndEstimate[0], redisBytes, GOAL);
            }
        } finally {
            if (atoll != null) {
                atoll.stop();
            }
            if (redis != null) {
                redis.stop();
            }
            KvBench.deleteTree(work);
        }
        report.setting("loadavg_at_end", BenchReport.loadAverage());
        report.publish(args);
    }

    /** A reading of a server's memory in bytes. */
    private interface Reading {
        long bytes() throws IOException, InterruptedException;
    }

    /** Empties the server, reads, loads {@code file}, checks it holds {@code keys} keys, reads again: bytes per key. */
    private static double perKey(ServerProcess server, Path file, int keys, Reading reading)
            throws IOException, InterruptedException {
        RedisBenchmark.cli(server, "FLUSHALL");
        long before = reading.bytes();
        pipe(server, file, keys);
        return (double) (reading.bytes() - before) / keys;
    }

    /** Atoll's heap used after a collection and its own estimate, per key, as {@link #perKey} does. */
    private static double[] perKeyTwo(ServerProcess atoll, Path file, int keys) throws IOException, InterruptedException {
        RedisBenchmark.cli(atoll, "FLUSHALL");
        jcmd(atoll, "GC.run");
        long heapBefore = info(atoll, "jvm_heap_used");
        long estimateBefore = info(atoll, "used_memory");
        pipe(atoll, file, keys);
        jcmd(atoll, "GC.run");
        return new double[] {(double) (info(atoll, "jvm_heap_used") - heapBefore) / keys,
                (double) (info(atoll, "used_memory") - estimateBefore) / keys};
    }

    /** Writes {@code keys} commands of {@code set} in RESP, as {@code redis-cli --pipe} takes them. */
    private static void writeCommands(Path file, DataSet set, int keys) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (int i = 0; i < keys; i++) {
                List<String> command = set.command(i);
                StringBuilder resp = new StringBuilder().append('*').append(command.size()).append("\r\n");
                for (String word : command) {
                    resp.append('$').append(word.length()).append("\r\n").append(word).append("\r\n");
                }
                out.write(resp.toString().getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    /** Sends {@code file} through {@code redis-cli --pipe}; the server must then hold {@code keys} keys. */
    private static void pipe(ServerProcess server, Path file, int keys) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("redis-cli", "-h", server.host(), "-p", Integer.toString(server.port()), "--pipe")
                .redirectInput(file.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0 || !output.contains("errors: 0")) {
            throw new IllegalStateException("redis-cli --pipe into " + server.impl() + " failed: " + output);
        }
        long held = Long.parseLong(RedisBenchmark.cli(server, "DBSIZE").trim());
        if (held != keys) {
            throw new IllegalStateException(server.impl() + " holds " + held + " keys after loading " + keys);
        }
    }

    /** A number of {@code INFO memory}, e.g. {@code used_memory}. */
    static long info(ServerProcess server, String field) throws IOException, InterruptedException {
        return infoField(RedisBenchmark.cli(server, "INFO", "memory"), field);
    }

    static long infoField(String info, String field) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(field) + ":(\\d+)\\s*$").matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no " + field + " in INFO memory:\n" + info);
        }
        return Long.parseLong(m.group(1));
    }

    /** The bytes of the live objects on a JVM's heap: the total of {@code jcmd PID GC.class_histogram}. */
    private static long liveBytes(ServerProcess server) throws IOException, InterruptedException {
        return histogramTotal(jcmd(server, "GC.class_histogram"));
    }

    static long histogramTotal(String histogram) {
        Matcher m = HISTOGRAM_TOTAL.matcher(histogram);
        if (!m.find()) {
            throw new IllegalStateException("no Total line in GC.class_histogram's output:\n" + histogram);
        }
        return Long.parseLong(m.group(1));
    }

    /** Runs {@code jcmd PID command} with the jcmd of the JDK this harness runs on. */
    private static String jcmd(ServerProcess server, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(server.pid()), command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + server.pid() + " " + command + " failed: " + output);
        }
        return output;
    }
}
