package dev.atoll.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * {@code ./atoll bench kv}: Atoll's kv example against redis-server 7 (Debian), both driven by
 * redis-benchmark with the same parameters and the same persistence, 50 clients, random keys, without
 * pipelining and with {@code -P 16}. Two groups, one after the other:
 * <ul>
 *   <li>per core: SET and GET, or with {@code -Dkv.bench.per-core=suite} redis-benchmark's default suite
 *       ({@link #SUITE}: PING to MSET), each server confined to one CPU with {@code taskset} (Atoll with one
 *       shard), redis-benchmark on another, so each side has exactly one core;</li>
 *   <li>unplaced, SET and GET: Atoll with one shard per CPU and redis-server, nothing placed, sharing the CPUs
 *       with redis-benchmark; from 4 CPUs up also redis-server with I/O threads, its maintainers' way
 *       to use more cores. With 2 CPUs or more also Atoll with one shard, unplaced, for the cost of
 *       crossing shards: requests per CPU-second with a shard per CPU over those with one shard
 *       (issue 13's goal: {@value #SHARDS_GOAL}). Also the same Atoll server observed ({@link ObservedKv}: a
 *       JFR recording and the metrics endpoint, scraped), for the cost of observability: its ratios to
 *       the unobserved one (issue 15's goal: {@value #OBSERVED_GOAL}). And with 2 CPUs or more, Atoll with
 *       {@code kv.shard-ports} (a port per shard, the shards described as Redis Cluster nodes) driven by
 *       {@code redis-benchmark --cluster}, which sends each key to the shard that owns it, with a shard
 *       per CPU: the same ratio for shard-aware clients (over the one-shard server with plain clients:
 *       redis-benchmark refuses a cluster of one node, and with one shard every key is local).</li>
 * </ul>
 * Within a group, each server is filled and warmed up, then the rounds alternate between the servers
 * (the order rotating each round); the median round is reported: requests/s, p50, p99, the CPU
 * seconds the server's process used and the requests per CPU-second, with ratios (above 1 = Atoll
 * better). A run without Atoll's kv example fails: there is nothing to compare.
 */
public final class KvBench {
    private static final int CLIENTS = 50;
    private static final int KEYSPACE = 100_000;
    private static final int PIPELINE_DEPTH = 16;
    /** The goal for each per-core ratio (throughput, p99 and, core for core, CPU efficiency). */
    private static final double GOAL = 1.0;
    /** The goal for Atoll's requests per CPU-second with a shard per CPU over those with one shard. */
    private static final double SHARDS_GOAL = 0.9;
    /** Issue 15's bound on the cost of observability: metrics and events on keep 98 % of the throughput. */
    private static final double OBSERVED_GOAL = 0.98;

    /**
     * One workload: redis-benchmark's test (or a command of its suite given whole), its pipelining, its
     * cost (the run makes {@code 1 / cost} of the usual requests: an {@code LRANGE} of 600 elements is
     * not the work of a {@code GET}) and whether it is reported (redis-benchmark's own filling of the list
     * before its {@code LRANGE} tests runs in the sequence, unreported, as it does in redis-benchmark).
     */
    record Test(String name, String test, List<String> command, int pipeline, int cost, boolean reported) {
        static Test of(String test, int pipeline) {
            return new Test(displayName(test.toUpperCase(Locale.ROOT), pipeline), test, List.of(), pipeline, 1, true);
        }

        private static String displayName(String name, int pipeline) {
            return name + (pipeline > 1 ? " -P " + pipeline : "");
        }

        RedisBenchmark.Load load(int requests) {
            int count = Math.max(requests / cost, CLIENTS * pipeline);
            return command.isEmpty() ? new RedisBenchmark.Load(test, CLIENTS, count, KEYSPACE, pipeline)
                    : RedisBenchmark.Load.command(command, CLIENTS, count, KEYSPACE, pipeline);
        }
    }

    /** Unplaced: SET and GET without and with pipelining (issue 13's and 15's figures). */
    private static final List<Test> TESTS = List.of(
            Test.of("set", 1), Test.of("get", 1), Test.of("set", PIPELINE_DEPTH), Test.of("get", PIPELINE_DEPTH));

    /**
     * Per core: redis-benchmark's default suite in its own order (its {@code -t} names), without and then
     * with pipelining. Some tests read what earlier ones wrote ({@code LPOP} pops what {@code LPUSH} and
     * {@code RPUSH} pushed, {@code SPOP} what {@code SADD} added, the {@code LRANGE}s read the list
     * redis-benchmark fills for them first), so each server runs the same sequence. The {@code LRANGE}s are
     * given as the commands redis-benchmark sends for them ({@code LRANGE mylist 0 99} ...) after a
     * separate run of its filling {@code LPUSH}, so that the CPU measured for each is its own.
     */
    static final List<Test> SUITE = suite();

    /**
     * {@code -Dkv.bench.per-core=suite}: the per-core group runs {@link #SUITE} (about 12 minutes in all);
     * by default it runs SET and GET as the unplaced group does, so that the run stays near five minutes.
     */
    static final String PER_CORE = "kv.bench.per-core";

    static boolean perCoreSuite() {
        String value = System.getProperty(PER_CORE, "set-get").trim().toLowerCase(Locale.ROOT);
        if (!List.of("suite", "set-get").contains(value)) {
            throw new IllegalArgumentException(PER_CORE + " = '" + value + "' (a -D of ./atoll bench kv): expected suite or set-get");
        }
        return value.equals("suite");
    }

    private static List<Test> suite() {
        List<Test> suite = new ArrayList<>();
        for (int pipeline : List.of(1, PIPELINE_DEPTH)) {
            for (String test : List.of("ping_inline", "ping_mbulk", "set", "get", "incr", "lpush", "rpush", "lpop", "rpop",
                    "sadd", "hset", "spop", "zadd", "zpopmin")) {
                suite.add(Test.of(test, pipeline));
            }
            suite.add(new Test(Test.displayName("LPUSH (needed to benchmark LRANGE)", pipeline), "lpush", List.of(),
                    pipeline, 1, false));
            // Costs: about the reply's size against a GET's, so that each LRANGE run takes about as long as the others.
            for (int[] range : new int[][] {{100, 3}, {300, 6}, {500, 10}, {600, 12}}) {
                suite.add(new Test(Test.displayName("LRANGE_" + range[0], pipeline), "lrange_" + range[0],
                        List.of("LRANGE", "mylist", "0", Integer.toString(range[0] - 1)), pipeline, range[1], true));
            }
            suite.add(new Test(Test.displayName("MSET", pipeline), "mset", List.of(), pipeline, 2, true));
        }
        return List.copyOf(suite);
    }

    /**
     * How much each run does: requests per measured run without and with pipelining (SET and GET unplaced;
     * each test of the suite per core, before its cost), the SETs (pipelined) that fill the keyspace before
     * the first GET, the requests of the warm-up run of each test, and the connections the warm-up opens and
     * closes (none of these two in the quick run, where the filling is the only warm-up).
     */
    private record Sizes(int rounds, int requests, int pipelinedRequests, int suiteRequests, int suitePipelinedRequests,
                         int fillRequests, int warmupRequests, int warmupPipelinedRequests, int warmupConnections) {
        static Sizes of(boolean quick) {
            // About 1.5 s a run at redis-server's rates on a quiet 2-CPU machine (~110 K/s, ~700 K/s pipelined);
            // 1,000,000 random SETs leave about e^-10 of the 100,000 keys unset, so the GETs hit (300,000: 5% miss).
            // The suite's runs are shorter (38 tests a round and server): about 0.7 s each per core.
            // Every measured run opens 50 connections and asks CONFIG GET twice (redis-benchmark's own questions):
            // 15,000 connections and as many pairs of questions make a JVM server compile those paths (C2 begins
            // at some thousands of calls) in the warm-up, not hundreds of milliseconds into the measured rounds.
            return quick ? new Sizes(1, 30_000, 300_000, 10_000, 100_000, 300_000, 0, 0, 0)
                    : new Sizes(3, 150_000, 1_000_000, 100_000, 500_000, 1_000_000, 100_000, 500_000, 15_000);
        }

        /** What a measured run of {@code test} asks for, before its cost divides it ({@link Test#load}). */
        int requests(Test test, boolean suite) {
            return suite ? (test.pipeline() > 1 ? suitePipelinedRequests : suiteRequests)
                    : (test.pipeline() > 1 ? pipelinedRequests : requests);
        }

        /** The same for a warm-up run: unplaced, the usual warm-up; in the suite, a third of each test's run. */
        int warmupRequests(Test test, boolean suite) {
            if (warmupRequests == 0) {
                return 0;
            }
            return suite ? requests(test, true) / 3 : (test.pipeline() > 1 ? warmupPipelinedRequests : warmupRequests);
        }
    }

    /**
     * The persistence both servers run with: {@code -Dkv.appendonly=yes|no} and
     * {@code -Dkv.appendfsync=always|everysec|no} given to {@code ./atoll bench kv}; AOF with a fsync
     * every second by default (Atoll's kv default; Redis's recommended AOF setting).
     */
    record Persistence(boolean appendOnly, String fsync) {
        static Persistence of(String appendOnly, String fsync) {
            if (!List.of("yes", "no").contains(appendOnly)) {
                throw new IllegalArgumentException("kv.appendonly = '" + appendOnly + "' (a -D of ./atoll bench kv): expected yes or no");
            }
            if (!List.of("always", "everysec", "no").contains(fsync)) {
                throw new IllegalArgumentException("kv.appendfsync = '" + fsync
                        + "' (a -D of ./atoll bench kv): expected always, everysec or no");
            }
            return new Persistence(appendOnly.equals("yes"), fsync);
        }

        static Persistence fromSystemProperties() {
            return of(System.getProperty("kv.appendonly", "yes").toLowerCase(Locale.ROOT),
                    System.getProperty("kv.appendfsync", "everysec").toLowerCase(Locale.ROOT));
        }

        List<String> redisSettings() {
            return List.of("--appendonly", appendOnly ? "yes" : "no", "--appendfsync", fsync);
        }

        List<String> atollProperties(Path dir) {
            return List.of("-Dkv.appendonly=" + (appendOnly ? "yes" : "no"), "-Dkv.appendfsync=" + fsync, "-Dkv.dir=" + dir);
        }

        @Override
        public String toString() {
            return "appendonly " + (appendOnly ? "yes" : "no") + ", appendfsync " + fsync;
        }
    }

    private KvBench() {
    }

    public static void run(BenchArgs args) throws Exception {
        Sizes sizes = Sizes.of(args.quick());
        Persistence persistence = Persistence.fromSystemProperties();
        boolean suite = perCoreSuite();
        List<Test> perCore = suite ? SUITE : TESTS;
        RedisBenchmark redisBenchmark = RedisBenchmark.find();
        String redisVersion = RedisServer.version();
        ProcessCpu cpu = ProcessCpu.forThisMachine();
        List<Integer> cpus = CpuList.allowed();
        int shards = cpus.size();
        // redis.conf: I/O threads only with 4 or more cores, leaving one spare ("4 cores: 2 or 3 threads, 8 cores:
        // 6", more than 8 unlikely to help); with fewer its spinning I/O threads fight the load generator for
        // the cores (measured here: 4 K req/s with 2 on 2 CPUs).
        int ioThreads = cpus.size() >= 4 ? Math.min(cpus.size() - 2, 8) : 0;
        String command = args.command() + (persistence.equals(Persistence.of("yes", "everysec")) ? ""
                : " -Dkv.appendonly=" + (persistence.appendOnly() ? "yes" : "no") + " -Dkv.appendfsync=" + persistence.fsync())
                + (suite ? " -D" + PER_CORE + "=suite" : "");
        BenchReport report = new BenchReport(args.name(), command, BenchReport.Environment.current());
        report.setting("loadavg_at_start", BenchReport.loadAverage())
                .setting("redis_server", redisVersion + " (Debian), --save '' " + String.join(" ", persistence.redisSettings()))
                .setting("redis_benchmark", redisBenchmark.version() + ", one thread, --csv")
                .setting("persistence", persistence + " (both servers, each in a temporary directory of its own)")
                .setting("clients", CLIENTS)
                .setting("keyspace", KEYSPACE)
                .setting("value_bytes", 3)
                .setting("tests", String.join(", ", TESTS.stream().map(Test::name).toList()))
                .setting("tests_per_core", suite ? "redis-benchmark's default suite in its order, without and with -P " + PIPELINE_DEPTH
                        + ": " + String.join(", ", SUITE.stream().filter(Test::reported).map(Test::name).toList())
                        + " (before the LRANGEs, redis-benchmark's LPUSH that fills their list, unreported; the LRANGEs"
                        + " as the commands it sends for them, LRANGE mylist 0 99 ...)"
                        : "as unplaced (-D" + PER_CORE + "=suite: redis-benchmark's whole default suite, about 12 minutes)")
                .setting("requests_per_run", sizes.requests() + " (without pipelining), " + sizes.pipelinedRequests()
                        + " (-P " + PIPELINE_DEPTH + ")")
                .setting("requests_per_run_per_core", !suite ? "as unplaced" : sizes.suiteRequests() + " (without pipelining), "
                        + sizes.suitePipelinedRequests() + " (-P " + PIPELINE_DEPTH + "), divided by each test's cost: "
                        + String.join(", ", SUITE.stream().filter(t -> t.reported() && t.cost() > 1 && t.pipeline() == 1)
                        .map(t -> t.name() + " " + t.cost()).toList()))
                .setting("warmup", "per server: " + sizes.fillRequests() + " SETs -P " + PIPELINE_DEPTH
                        + " (fill the keyspace)" + (sizes.warmupRequests() == 0 ? "" : ", then " + WARMUP_PASSES + " passes of a run of each test: "
                        + sizes.warmupRequests() + " requests (" + sizes.warmupPipelinedRequests() + " with -P " + PIPELINE_DEPTH
                        + ")" + (suite ? "; per core a run of each test of the suite, a third of its measured run" : "")
                        + (persistence.appendOnly() ? "; a BGREWRITEAOF " + WARMUP_REWRITE_DELAY.toMillis() + " ms into"
                        + " each run of the first pass, waited for (the JIT meets the rewrite's paths in the warm-up)" : "")
                        + (sizes.warmupConnections() == 0 ? "" : "; then " + sizes.warmupConnections() + " PINGs, each on a new"
                        + " connection (redis-benchmark -k 0), and " + sizes.warmupConnections() + " of each CONFIG GET that"
                        + " redis-benchmark asks at the start of every run (save, appendonly)")))
                .setting("rounds", sizes.rounds())
                .setting("reported", "each figure: the median of its rounds; each ratio: the median of the rounds' own"
                        + " ratios (a round runs the servers back to back, so each round's ratio compares runs seconds"
                        + " apart, under the same conditions of a shared machine)")
                .setting("between_runs", "after each run (and after the warm-up) the benchmark waits until that server"
                        + " has no log rewrite or RDB save in progress or scheduled (INFO persistence, polled every 50 ms),"
                        + " so that no server's background work runs during another's measured run; each run's line in the"
                        + " output says how many log rewrites it set off (INFO persistence aof_rewrites, after that wait)")
                .setting("cpu_seconds", "utime+stime+cutime+cstime of the server's process over the run and the"
                        + " background work after it (/proc/PID/stat; all threads, and redis-server's forked log rewrites)")
                .setting("atoll_driver_requested", "auto")
                .setting("jvm_flags", String.join(" ", ServerProcess.jvmFlags()));
        if (cpus.size() >= 2) {
            report.setting("per_core_placement", "server: taskset -c " + cpus.get(1) + " (Atoll --shards 1, its shard"
                    + " pinned inside that CPU); redis-benchmark: taskset -c " + cpus.get(0));
        }
        report.setting("unplaced", "no taskset; Atoll --shards " + shards + (shards >= 2 ? " and --shards 1" : "")
                + " -Datoll.shards.pin=false" + (shards >= 2 ? " (and --shards " + shards + " -Dkv.shard-ports=0 driven by"
                + " redis-benchmark --cluster: keys key:{tag}:N, each client's on its node's slots)" : "") + "; redis-server"
                + (ioThreads > 1 ? " single-threaded and with --io-threads " + ioThreads
                : " single-threaded (no --io-threads row: redis.conf advises I/O threads from 4 cores up)"));
        System.out.print("settings\n" + report.settingsTable());

        Path work = Files.createTempDirectory("atoll-bench-kv-");
        Samples samples = new Samples(sizes.rounds());
        try {
            if (cpus.size() >= 2) {
                List<String> serverCpu = List.of("taskset", "-c", Integer.toString(cpus.get(1)));
                List<String> clientCpu = List.of("taskset", "-c", Integer.toString(cpus.get(0)));
                try (Group group = new Group("per core")) {
                    Contender atoll = group.add(startAtoll("1shard-pinned", serverCpu, 1, true, persistence, work));
                    Contender redis = group.add(startRedis(redisVersion + "-pinned", serverCpu, List.of(), persistence, work));
                    measure(group, perCore, suite, clientCpu, sizes, persistence, redisBenchmark, cpu, samples, report);
                    report(group, perCore, samples, report);
                    keys(group, redisBenchmark, report);
                    checkPersistence(group, persistence, report);
                    int metAsRatiosOfMedians = 0;
                    int goals = 0;
                    for (Test test : perCore) {
                        if (test.reported()) {
                            metAsRatiosOfMedians += compare(report, samples, test, atoll.impl(), redis.impl());
                            goals += 2;
                        }
                    }
                    report.setting("per_core_goals_met_as_ratios_of_medians", metAsRatiosOfMedians + " of " + goals
                            + " requests/s and p99 ratios (each server's median round against the other's: the"
                            + " statistic of the runs up to docs/results/kv-20261206-213005.json; the ratios reported are the rounds' own)");
                }
            } else {
                System.out.println("NOTE: this process may use " + cpus.size() + " CPU: no per-core placement (it needs 2).");
            }
            try (Group group = new Group("unplaced"); ObservedKv observation = ObservedKv.withFreePort()) {
                Contender atoll = group.add(startAtoll(shards + "shards", List.of(), shards, false, persistence, work));
                Contender observed = group.add(startAtoll(shards + "shards-observed", List.of(), shards, false,
                        persistence, work, observation, false));
                observation.start();
                Contender oneShard = shards >= 2
                        ? group.add(startAtoll("1shard", List.of(), 1, false, persistence, work)) : null;
                Contender shardAware = shards >= 2 ? group.add(startAtoll(shards + "shards-shard-aware", List.of(), shards,
                        false, persistence, work, null, true)) : null;
                List<String> peers = new ArrayList<>();
                peers.add(group.add(startRedis(redisVersion, List.of(), List.of(), persistence, work)).impl());
                if (ioThreads > 1) {
                    peers.add(group.add(startRedis(redisVersion + "-io-threads-" + ioThreads, List.of(),
                            List.of("--io-threads", Integer.toString(ioThreads)), persistence, work)).impl());
                }
                double coreToCoreBefore = CoreToCore.roundTripNanos(Duration.ofMillis(200));
                measure(group, TESTS, false, List.of(), sizes, persistence, redisBenchmark, cpu, samples, report);
                double coreToCoreAfter = CoreToCore.roundTripNanos(Duration.ofMillis(200));
                System.out.printf("core-to-core round trip of one cache line: %.0f ns before the unplaced rounds,"
                        + " %.0f ns after%n", coreToCoreBefore, coreToCoreAfter);
                report.result("core-to-core round trip of one cache line, before the unplaced rounds", "machine",
                                coreToCoreBefore, "ns", BenchReport.Better.LOWER)
                        .result("core-to-core round trip of one cache line, after the unplaced rounds", "machine",
                                coreToCoreAfter, "ns", BenchReport.Better.LOWER);
                report(group, TESTS, samples, report);
                keys(group, redisBenchmark, report);
                checkPersistence(group, persistence, report);
                report.setting("observed", observed.impl() + ": -XX:StartFlightRecording (settings=default, Atoll's "
                        + "dev.atoll.* events on) and --metrics-port, scraped every " + ObservedKv.SCRAPE_MILLIS
                        + " ms: " + observation.describe() + "; the same server without both is " + atoll.impl());
                if (observation.failures() > 0) {
                    throw new IllegalStateException("scrapes of " + observed.impl() + " failed: " + observation.describe());
                }
                for (Test test : TESTS) {
                    samples.ratio(report, observed.impl() + "/" + atoll.impl() + " " + test.name()
                            + " requests/s (metrics and JFR on / off)", "rps", test, observed.impl(), atoll.impl(), OBSERVED_GOAL);
                    samples.ratio(report, observed.impl() + "/" + atoll.impl() + " " + test.name()
                            + " requests per CPU-second (metrics and JFR on / off)", "perCpu", test, observed.impl(),
                            atoll.impl(), OBSERVED_GOAL);
                }
                for (Test test : TESTS) {
                    String best = peers.stream()
                            .max(Comparator.comparingDouble(peer -> samples.median("rps", test, peer))).orElseThrow();
                    compare(report, samples, test, atoll.impl(), best);
                    if (oneShard != null) {
                        samples.ratio(report, atoll.impl() + "/" + oneShard.impl() + " " + test.name()
                                + " requests per CPU-second (shards " + shards + " / 1)", "perCpu", test, atoll.impl(),
                                oneShard.impl(), SHARDS_GOAL);
                        // redis-benchmark --cluster refuses a cluster of one node; with one shard every key is local anyway.
                        samples.ratio(report, shardAware.impl() + "/" + oneShard.impl() + " " + test.name()
                                + " requests per CPU-second (shards " + shards + " with redis-benchmark --cluster / 1)",
                                "perCpu", test, shardAware.impl(), oneShard.impl(), SHARDS_GOAL);
                    }
                }
                idleCpu(atoll, cpu, args.quick() ? 3 : 10, report);
            }
        } finally {
            deleteTree(work);
        }
        report.setting("loadavg_at_end", BenchReport.loadAverage());
        report.publish(args);
    }

    /**
     * The CPU an idle server uses (issue 13: under 1 % of a core), over {@code seconds} with no client,
     * after the load runs (so the JIT has settled): its process's CPU seconds from /proc/PID/stat.
     */
    private static void idleCpu(Contender atoll, ProcessCpu cpu, int seconds, BenchReport report)
            throws IOException, InterruptedException {
        long pid = atoll.server().pid();
        Thread.sleep(3000);   // the load's last garbage collected, the JIT's queue empty
        double before = cpu.seconds(pid);
        Thread.sleep(seconds * 1000L);
        double percent = (cpu.seconds(pid) - before) / seconds * 100;
        System.out.printf("idle %s: %.2f %% of a core over %d s%n", atoll.impl(), percent, seconds);
        report.result("idle CPU over " + seconds + " s", atoll.impl(), percent, "% of a core", BenchReport.Better.LOWER);
        // Ticks are 10 ms here: a reading of 0 is under one tick; count it as one so the ratio stays finite.
        report.ratioLowerIsBetter("1 % of a core / " + atoll.impl() + " idle CPU",
                Math.max(percent, 1.0 / seconds), 1.0, 1.0);
    }

    /** A server of a group, its name in the report and the directory of its files. */
    /** {@code cluster}: driven by {@code redis-benchmark --cluster} (an Atoll server with {@code kv.shard-ports}). */
    private record Contender(String impl, ServerProcess server, boolean atoll, Path dir, boolean cluster) { }

    /** The servers measured together, stopped together; Atoll's must exit 0 on SIGTERM. */
    private static final class Group implements AutoCloseable {
        private final String name;
        private final List<Contender> contenders = new ArrayList<>();

        Group(String name) {
            this.name = name;
        }

        Contender add(Contender contender) {
            contenders.add(contender);
            return contender;
        }

        @Override
        public void close() throws InterruptedException {
            List<String> failures = new ArrayList<>();
            for (Contender contender : contenders) {
                int status = contender.server().stop();
                if (contender.atoll() && status != 0) {
                    failures.add(contender.impl() + " exited " + status + " on SIGTERM (expected 0; log: "
                            + contender.server().log() + ")");
                }
            }
            if (!failures.isEmpty()) {
                throw new IllegalStateException(name + ": " + String.join("; ", failures));
            }
        }
    }

    private static Contender startAtoll(String placement, List<String> prefix, int shards, boolean pin,
                                        Persistence persistence, Path work) throws IOException {
        return startAtoll(placement, prefix, shards, pin, persistence, work, null, false);
    }

    /**
     * As above; with {@code observed} not null, with JFR recording and the metrics endpoint on; with
     * {@code shardPorts}, with {@code kv.shard-ports = 0} for {@code redis-benchmark --cluster}.
     */
    private static Contender startAtoll(String placement, List<String> prefix, int shards, boolean pin,
                                        Persistence persistence, Path work, ObservedKv observed, boolean shardPorts)
            throws IOException {
        Path dir = Files.createDirectories(work.resolve("atoll-" + placement));
        List<String> properties = new ArrayList<>(persistence.atollProperties(dir));
        properties.add("-Datoll.shards.pin=" + pin);
        if (shardPorts) {
            properties.add("-Dkv.shard-ports=0");
        }
        List<String> args = new ArrayList<>(List.of("kv", "--port", "0", "--shards", Integer.toString(shards), "--driver", "auto"));
        if (observed != null) {
            properties.addAll(ObservedKv.jvmFlags(work));
            args.addAll(observed.serverArgs());
        }
        List<String> command = new ArrayList<>(prefix);
        command.addAll(ServerProcess.javaCommand(properties, "dev.atoll.examples.Examples", args));
        ServerProcess server;
        try {
            server = ServerProcess.start("atoll-kv-" + placement, command, ServerProcess::readyLineFields);
        } catch (ServerProcess.StartFailure e) {
            if (e.output().contains("No example named 'kv'")) {
                throw new IllegalStateException("Atoll's kv example is not in this build (./atoll run lists the examples):"
                        + " ./atoll bench kv compares it with redis-server and has nothing to measure without it", e);
            }
            throw new IllegalStateException("Atoll's kv server did not start: " + e.getMessage(), e);
        }
        String impl = "atoll-" + server.driver() + "-" + placement;
        System.out.println(impl + " ready on " + server.host() + ":" + server.port() + " (" + server.shards() + " shards)");
        return new Contender(impl, server, true, dir, shardPorts);
    }

    private static Contender startRedis(String version, List<String> prefix, List<String> settings,
                                        Persistence persistence, Path work) throws IOException {
        String impl = "redis-" + version;
        Path dir = Files.createDirectories(work.resolve(impl));
        List<String> all = new ArrayList<>(persistence.redisSettings());
        all.addAll(settings);
        try {
            ServerProcess server = RedisServer.start(impl, prefix, all, dir);
            System.out.println(impl + " ready on " + server.host() + ":" + server.port());
            return new Contender(impl, server, false, dir, false);
        } catch (ServerProcess.StartFailure e) {
            throw new IllegalStateException("redis-server did not start: " + e.getMessage(), e);
        }
    }

    /**
     * Fills and warms up each server of the group, then runs the alternated rounds of {@code tests} (the
     * suite's sizes when {@code suite}).
     */
    private static void measure(Group group, List<Test> tests, boolean suite, List<String> client, Sizes sizes,
                                Persistence persistence, RedisBenchmark redisBenchmark, ProcessCpu cpu, Samples samples,
                                BenchReport report) throws IOException, InterruptedException {
        List<Contender> all = group.contenders;
        System.out.println(group.name + ": warm-up ...");
        for (Contender contender : all) {
            ServerProcess server = contender.server();
            redisBenchmark.run(client, server.host(), server.port(), contender.cluster(),
                    new RedisBenchmark.Load("set", CLIENTS, sizes.fillRequests(), KEYSPACE, PIPELINE_DEPTH));
            // Two passes: the second meets each key as the measured rounds do, made again after the first pass's
            // pops emptied and deleted it (a sorted set starts as a listpack again; a JVM server's first such
            // meeting deoptimized ZADD's path in round 1: p99 2.7 ms there against 0.56 after, measured).
            for (int pass = 0; pass < WARMUP_PASSES; pass++) {
                for (Test test : tests) {
                    if (sizes.warmupRequests(test, suite) > 0) {
                        warmUp(redisBenchmark, client, contender, test.load(sizes.warmupRequests(test, suite)),
                                persistence.appendOnly() && pass == 0);
                    }
                }
            }
            if (sizes.warmupConnections() > 0) {
                // No key in these: the main port answers them for a shard-aware server too.
                int n = sizes.warmupConnections();
                redisBenchmark.run(client, server.host(), server.port(), false,
                        new RedisBenchmark.Load("ping_mbulk", CLIENTS, n, KEYSPACE, 1).reconnecting());
                for (String parameter : List.of("save", "appendonly")) {
                    redisBenchmark.run(client, server.host(), server.port(), false,
                            RedisBenchmark.Load.command(List.of("CONFIG", "GET", parameter), CLIENTS, n, KEYSPACE, 1));
                }
            }
            report.setting("keys_after_warmup " + contender.impl(), redisBenchmark.keys(server.host(), server.port()));
            settle(contender);
        }
        for (int round = 0; round < sizes.rounds(); round++) {
            for (Test test : tests) {
                StringBuilder line = new StringBuilder(group.name + " round " + (round + 1) + " " + test.name() + ":");
                RedisBenchmark.Load load = test.load(sizes.requests(test, suite));
                int requests = load.requests();
                for (int i = 0; i < all.size(); i++) {
                    Contender contender = all.get((i + round) % all.size());
                    ServerProcess server = contender.server();
                    long rewritesBefore = RedisBenchmark.logRewrites(server);
                    double cpuBefore = cpu.seconds(server.pid());
                    RedisBenchmark.Result result = redisBenchmark.run(client, server.host(), server.port(), contender.cluster(), load);
                    // The run's own background work (a log rewrite its writes started) is over before the next
                    // run on the same CPU begins, and its CPU is counted to this test.
                    long settledMillis = settle(contender);
                    double cpuSeconds = cpu.seconds(server.pid()) - cpuBefore;
                    long rewrites = RedisBenchmark.logRewrites(server) - rewritesBefore;
                    if (!server.isAlive()) {
                        throw new IllegalStateException(contender.impl() + " exited during " + test.name() + " (log: "
                                + server.log() + ")");
                    }
                    String impl = contender.impl();
                    samples.put("rps", test, impl, round, result.requestsPerSecond());
                    samples.put("p50", test, impl, round, result.p50Millis());
                    samples.put("p99", test, impl, round, result.p99Millis());
                    samples.put("cpu", test, impl, round, Math.round(cpuSeconds * 1000) / 1000.0); // ticks: 0.01 s here
                    samples.put("perCpu", test, impl, round, Math.round(requests / Math.max(cpuSeconds, 0.01)));
                    line.append(String.format("  %s %,.0f req/s p50 %.3f p99 %.3f ms cpu %.2f s", impl,
                            result.requestsPerSecond(), result.p50Millis(), result.p99Millis(), cpuSeconds));
                    if (settledMillis > 0) {
                        line.append(String.format(" (background work after it: %d ms)", settledMillis));
                    }
                    if (rewrites > 0) { // which test a rewrite lands in depends on where the log's growth crossed its bound
                        line.append(String.format(" (log rewrites: %d)", rewrites));
                    }
                }
                System.out.println(line);
            }
        }
    }

    /**
     * A warm-up run of {@code load}, with a log rewrite begun {@link #WARMUP_REWRITE_DELAY} into it when the log is
     * on, and waited for. The measured runs' writes set off rewrites of their own; the first one a JVM server
     * meets deoptimizes the paths of the commands it overlaps (they take a snapshot's branches its JIT had never
     * seen: measured, 170 ms of C2 compilation on the server's CPU during that run and a p99 of 4.2 to 4.7 ms,
     * where later runs with a rewrite had 2.0 to 2.3), a cost of a server's first minutes, not of its steady state.
     * Both servers get the same warm-up.
     */
    private static void warmUp(RedisBenchmark redisBenchmark, List<String> client, Contender contender,
                               RedisBenchmark.Load load, boolean rewrite) throws IOException, InterruptedException {
        ServerProcess server = contender.server();
        CompletableFuture<String> rewriting = !rewrite ? CompletableFuture.completedFuture("") : CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(WARMUP_REWRITE_DELAY);
                return RedisBenchmark.cli(server, "BGREWRITEAOF");
            } catch (IOException | InterruptedException e) {
                throw new CompletionException(e);
            }
        });
        redisBenchmark.run(client, server.host(), server.port(), contender.cluster(), load);
        try {
            rewriting.get(70, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("BGREWRITEAOF during the warm-up of " + contender.impl() + " failed", e);
        }
        settle(contender);
    }

    /** How far into a warm-up run its rewrite begins: after redis-benchmark's clients connected and sent. */
    private static final Duration WARMUP_REWRITE_DELAY = Duration.ofMillis(50);
    /** Passes of the warm-up over the tests; the first with a log rewrite in each run ({@link #warmUp}). */
    private static final int WARMUP_PASSES = 2;

    /**
     * Waits until {@code contender} has no log rewrite or RDB save under way (polled every 50 ms, at most
     * {@link #SETTLE_LIMIT}) and answers how long that took. Servers share CPUs here, so a rewrite one
     * server's writes set off would otherwise run during the next server's or the next test's measured run,
     * and its cost would land on whoever runs then; redis-server's forked rewrite as much as Atoll's.
     * 0 when there was none at the first look.
     */
    private static long settle(Contender contender) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + SETTLE_LIMIT.toNanos();
        ServerProcess server = contender.server();
        if (!RedisBenchmark.backgroundWork(server)) {
            return 0;
        }
        do {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(contender.impl() + " still rewrites its log or saves after "
                        + SETTLE_LIMIT.toSeconds() + " s (INFO persistence)");
            }
            Thread.sleep(50);
        } while (RedisBenchmark.backgroundWork(server));
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /** The longest a server's background work may last after a run before the benchmark gives up. */
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(120);

    /** The keys each server of the group holds at the end: the same order of magnitude, or they did not run the same. */
    private static void keys(Group group, RedisBenchmark redisBenchmark, BenchReport report) throws IOException, InterruptedException {
        for (Contender contender : group.contenders) {
            report.setting("keys_at_end " + contender.impl(),
                    redisBenchmark.keys(contender.server().host(), contender.server().port()));
        }
    }

    /** The medians of each reported test and server of the group. */
    private static void report(Group group, List<Test> tests, Samples samples, BenchReport report) {
        for (Test test : tests) {
            if (!test.reported()) {
                continue;
            }
            for (Contender contender : group.contenders) {
                String impl = contender.impl();
                report.result(test.name() + " requests/s", impl, samples.median("rps", test, impl), "req/s", BenchReport.Better.HIGHER);
                report.result(test.name() + " p50", impl, samples.median("p50", test, impl), "ms", BenchReport.Better.LOWER);
                report.result(test.name() + " p99", impl, samples.median("p99", test, impl), "ms", BenchReport.Better.LOWER);
                report.result(test.name() + " server CPU", impl, samples.median("cpu", test, impl), "s", BenchReport.Better.LOWER);
                report.result(test.name() + " requests per CPU-second", impl, samples.median("perCpu", test, impl),
                        "req/CPU-s", BenchReport.Better.HIGHER);
            }
        }
    }

    /**
     * Records the size of each server's append-only files; with {@code appendonly yes}, a server that wrote
     * none did not run with the persistence the comparison claims, and the run is broken.
     */
    private static void checkPersistence(Group group, Persistence persistence, BenchReport report) throws IOException {
        for (Contender contender : group.contenders) {
            long bytes;
            try (Stream<Path> files = Files.walk(contender.dir())) {
                bytes = files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
            }
            report.setting("aof_bytes_at_end " + contender.impl(), bytes);
            if (persistence.appendOnly() && bytes == 0) {
                throw new IllegalStateException(contender.impl() + " wrote no append-only file in " + contender.dir()
                        + " although it runs with " + persistence);
            }
        }
    }

    /**
     * Atoll against one peer in one test: throughput, p99 and requests per CPU-second; returns how many of the first
     * two reach {@link #GOAL} as ratios of the two medians, the statistic of the runs up to kv-20261206-213005.json
     * ({@link Samples#ratio}).
     */
    private static int compare(BenchReport report, Samples samples, Test test, String atoll, String peer) {
        String pair = atoll + "/" + peer + " " + test.name();
        samples.ratio(report, pair + " requests/s", "rps", test, atoll, peer, GOAL);
        samples.ratio(report, pair + " p99 (peer p99 / atoll p99)", "p99", test, atoll, peer, GOAL);
        samples.ratio(report, pair + " requests per CPU-second", "perCpu", test, atoll, peer, GOAL);
        return (samples.median("rps", test, atoll) / samples.median("rps", test, peer) >= GOAL ? 1 : 0)
                + (samples.median("p99", test, peer) / samples.median("p99", test, atoll) >= GOAL ? 1 : 0);
    }

    /** Every round's figure, by figure, test and implementation. */
    private static final class Samples {
        private final int rounds;
        private final Map<String, double[]> values = new HashMap<>();

        Samples(int rounds) {
            this.rounds = rounds;
        }

        void put(String figure, Test test, String impl, int round, double value) {
            values.computeIfAbsent(figure + "|" + test.name() + "|" + impl, k -> new double[rounds])[round] = value;
        }

        double median(String figure, Test test, String impl) {
            return BenchReport.median(values.get(figure + "|" + test.name() + "|" + impl));
        }

        /**
         * {@code atoll} against {@code peer} in {@code figure} ({@code p99}: lower is better, peer / Atoll; the others
         * Atoll / peer): the median of the rounds' own ratios, each round's two runs back to back
         * ({@link BenchReport#pairedRatio}).
         */
        void ratio(BenchReport report, String name, String figure, Test test, String atoll, String peer, double goal) {
            report.pairedRatio(name, values.get(figure + "|" + test.name() + "|" + atoll),
                    values.get(figure + "|" + test.name() + "|" + peer),
                    figure.equals("p99") ? BenchReport.Better.LOWER : BenchReport.Better.HIGHER, goal);
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
