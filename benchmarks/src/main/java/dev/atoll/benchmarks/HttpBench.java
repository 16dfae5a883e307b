package dev.atoll.benchmarks;

import dev.atoll.benchmarks.Contenders.Contender;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code ./atoll bench http}: Atoll's HTTP example against its peers as their users run them — Netty
 * 4.2 on its own HTTP codec and, for {@code /plaintext}, nginx — with wrk and TechEmpower's request
 * headers: {@code /plaintext} without pipelining, {@code /plaintext} with 16 requests pipelined per
 * write (as TechEmpower runs it), and {@code /json}. A plain JDK NIO server with canned responses runs
 * beside them as the reference every peer is checked against ({@link Contenders}, {@link Rounds}).
 * All run side by side; after a warm-up of each, the rounds alternate between them with identical wrk
 * parameters; the median round is reported, with CPU time per request.
 *
 * <p>Two placements ({@link Placement}), one after the other, each with all four servers: per core
 * (where the process may use 2 CPUs or more), every server confined to one CPU with one shard, event
 * loop, worker or thread and wrk with one thread on another CPU, as {@code ./atoll bench kv} compares
 * with redis-server; then unplaced, as before, everything sharing the CPUs. Their rows differ by the
 * servers' names ({@code -pinned}). The goals of issue 16 are judged on the unplaced rows; the per-core
 * ratios are shown without a goal (docs/benchmarks.md says why).
 */
public final class HttpBench {
    private static final int CONNECTIONS = 64;
    private static final int PIPELINE_DEPTH = 16;

    /**
     * One test.
     *
     * @param nettyGoal    the goal of Atoll's requests/s against Netty's (issue 16)
     * @param nginxGoal    against nginx's; NaN where nginx does not take part
     * @param netty      the lowest Netty / reference requests/s and reference / Netty CPU time per request
     *                   that let a comparison with Netty count
     * @param nginx      the same for nginx; null where nginx does not take part
     */
    record Test(String name, String path, int depth, double nettyGoal, double nginxGoal, Minima netty, Minima nginx)
            implements Rounds.Test {

        @Override
        public boolean serves(Contender contender) {
            return !isNginx(contender) || nginx != null;
        }

        @Override
        public double goal(Contender peer) {
            return isNginx(peer) ? nginxGoal : nettyGoal;
        }

        @Override
        public double minimumRate(Contender peer) {
            return (isNginx(peer) ? nginx : netty).rate();
        }

        @Override
        public double minimumCpu(Contender peer) {
            return (isNginx(peer) ? nginx : netty).cpu();
        }

        private static boolean isNginx(Contender contender) {
            return contender.impl().startsWith("nginx");
        }
    }

    /** The two minima of a peer's check in one test: requests/s and CPU time per request. */
    record Minima(double rate, double cpu) { }

    /**
     * The tests and their peer-check minima (docs/benchmarks.md has the measurements behind them).
     * Without pipelining every request is a read and a write system call for every server: a peer run
     * as its users run it matches the reference (CPU per request within 20 %), so below 0.7 of its
     * efficiency or half its rate it is misconfigured. Pipelined, the reference parses nothing and
     * writes one buffer per read: Netty keeps about half of its efficiency; nginx, which writes each
     * pipelined response on its own (the same CPU time per request as without pipelining), about a
     * tenth. Goals: issue 16.
     */
    static final List<Test> TESTS = List.of(
            new Test("plaintext", "/plaintext", 1, 1.0, 1.0, new Minima(0.5, 0.7), new Minima(0.5, 0.7)),
            new Test("plaintext pipelined", "/plaintext", PIPELINE_DEPTH, 1.3, 1.0, new Minima(0.25, 0.3),
                    new Minima(0.05, 0.06)),
            new Test("json", "/json", 1, 1.0, Double.NaN, new Minima(0.5, 0.7), null));

    private HttpBench() {
    }

    public static void run(BenchArgs args) throws Exception {
        // Netty's HTTP path reaches its best after 15-20 s of load: each server gets one warm-up run of
        // each test before the rounds.
        int seconds = args.quick() ? 2 : 7;
        int warmupSeconds = args.quick() ? 1 : 7;
        int rounds = args.quick() ? 1 : 3;
        Wrk wrk = Wrk.find();
        BenchReport report = BenchReport.forRun(args);
        report.setting("connections", CONNECTIONS)
                .setting("duration_s", seconds)
                .setting("warmup_s", warmupSeconds)
                .setting("rounds", rounds)
                .setting("wrk", wrk.version() + ", --latency")
                .setting("wrk_headers", String.join(" | ", Wrk.HEADERS))
                .setting("pipeline_depth", PIPELINE_DEPTH)
                .setting("harness_gc", ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", ")));
        report.setting("goals", "judged on the unplaced rows; per-core ratios shown without a goal (docs/benchmarks.md)");
        List<String> problems = new ArrayList<>();
        Optional<Placement> perCore = Placement.perCoreOnThisMachine();
        if (perCore.isPresent()) {
            problems.addAll(measure(perCore.get(), 1, wrk, report, warmupSeconds, seconds, rounds));
        } else {
            System.out.println("NOTE: this process may use " + CpuList.allowed().size()
                    + " CPU: no per-core placement (it needs 2).");
        }
        problems.addAll(measure(Placement.unplaced(), Math.min(2, Runtime.getRuntime().availableProcessors()), wrk,
                report, warmupSeconds, seconds, rounds));
        report.setting("loadavg_at_end", BenchReport.loadAverage());
        report.publish(args);
        Rounds.exitIfBroken(problems, report, args.quick());
    }

    /**
     * Starts the servers in {@code placement}, measures every test on them with wrk ({@code wrkThreads}
     * threads, confined where the placement puts the load generator) and reports the medians, ratios and
     * peer checks; returns the problems of the rounds (error responses).
     */
    private static List<String> measure(Placement placement, int wrkThreads, Wrk wrk, BenchReport report,
                                        int warmupSeconds, int seconds, int rounds) throws Exception {
        String group = placement.name() + ": ";
        try (Contenders servers = Contenders.start("http", placement)) {
            report.setting(group + "shards", servers.shards())
                    .setting(group + "peer_threads", servers.shards())
                    .setting(group + "wrk_threads", wrkThreads)
                    .setting(group + "impls", servers.all().stream().map(Contender::impl).collect(Collectors.joining(", ")))
                    .setting(group + "nginx", servers.all().stream().anyMatch(c -> c.impl().startsWith("nginx"))
                            ? "in the plaintext tests" : "not installed: " + Nginx.missingNote())
                    .setting(group + "pinning", placement.describe());
            Rounds.describe(servers, report);
            System.out.print(placement.name() + ": settings\n" + report.settingsTable());
            Rounds<Test> measured = Rounds.measure(TESTS, servers, new Rounds.Units("requests/s", "req/s", "ms", "request"),
                    (test, server, duration) -> {
                        String url = "http://" + server.server().host() + ":" + server.server().port() + test.path();
                        Wrk.Result result = wrk.run(placement.clientPrefix(), url, wrkThreads, CONNECTIONS, (int) duration,
                                test.depth());
                        // wrk 4.1 pipelining now and then prints a 99th percentile of 0.00us: no figure, not a
                        // perfect one (it would make the p99 ratio infinite).
                        boolean noP99 = result.p99Millis() <= 0;
                        String remark = (result.socketErrors() > 0 ? result.socketErrors() + " socket errors" : "")
                                + (noP99 ? (result.socketErrors() > 0 ? ", " : "") + "wrk printed a p99 of 0: not counted" : "");
                        return new Rounds.Run(result.requestsPerSecond(), noP99 ? Double.NaN : result.p99Millis(),
                                result.requests(), result.non2xx() > 0 ? result.non2xx() + " non-2xx responses" : "", remark);
                    }, warmupSeconds, seconds, rounds);
            // The goals are judged on the unplaced rows; the per-core ratios are shown beside them
            // (docs/benchmarks.md, "per core": on a shared machine a pinned server's rate is its CPU's
            // other tenants', and pipelined no server is the bottleneck of its own placement).
            measured.report(report, !placement.placed());
            return measured.problems();
        }
    }
}
