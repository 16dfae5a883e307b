package dev.atoll.benchmarks;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code ./atoll bench http}: Atoll's HTTP example on io_uring and on epoll against Netty 4.2 on the
 * same two transports, with wrk and TechEmpower's request headers: {@code /plaintext} without
 * pipelining, {@code /plaintext} with 16 requests pipelined per write (as TechEmpower runs it), and
 * {@code /json}. All servers run side by side; after a warm-up of each, the rounds alternate between
 * them with identical wrk parameters (the order rotating each round); the median round is reported,
 * with ratios of each Atoll driver against Netty on the same transport.
 */
public final class HttpBench {
    private static final int CONNECTIONS = 64;
    private static final int PIPELINE_DEPTH = 16;

    /** One test: what is requested and how, and the goal of Atoll's throughput against Netty's. */
    private record Test(String name, String path, int depth, double goal) { }

    private static final List<Test> TESTS = List.of(
            new Test("plaintext", "/plaintext", 1, 1.0),
            new Test("plaintext pipelined", "/plaintext", PIPELINE_DEPTH, 1.3),
            new Test("json", "/json", 1, 1.0));

    private HttpBench() {
    }

    public static void run(BenchArgs args) throws Exception {
        // Netty's HTTP path reaches its best after 15-20 s of load: each server gets one warm-up run of
        // each test before the rounds (21 s in all for the full run).
        int seconds = args.quick() ? 2 : 7;
        int warmupSeconds = args.quick() ? 1 : 7;
        int rounds = args.quick() ? 1 : 3;
        int wrkThreads = Math.min(2, Runtime.getRuntime().availableProcessors());
        Wrk wrk = Wrk.find();
        BenchReport report = BenchReport.forRun(args);
        List<String> broken = new ArrayList<>();
        try (Contenders servers = Contenders.start("http")) {
            report.setting("loadavg_at_start", BenchReport.loadAverage())
                    .setting("connections", CONNECTIONS)
                    .setting("duration_s", seconds)
                    .setting("warmup_s", warmupSeconds)
                    .setting("rounds", rounds)
                    .setting("shards", servers.shards())
                    .setting("peer_threads", servers.shards())
                    .setting("wrk", wrk.version() + ", " + wrkThreads + " threads, --latency")
                    .setting("wrk_headers", String.join(" | ", Wrk.HEADERS))
                    .setting("pipeline_depth", PIPELINE_DEPTH)
                    .setting("impls", String.join(", ", servers.all().stream().map(Contenders::implName).toList()))
                    .setting("netty", "4.2.18.Final, HttpServerCodec (header validation off), flush on read complete,"
                            + " pooled direct allocator, TCP_NODELAY, one server channel, children round-robin")
                    .setting("jvm_flags", String.join(" ", ServerProcess.jvmFlags()))
                    .setting("atoll_config", String.join(" ", Contenders.ATOLL_PROPERTIES)
                            + " (the load generator shares the CPUs; Netty's loops are not pinned either)")
                    .setting("harness_gc", ManagementFactory.getGarbageCollectorMXBeans().stream()
                            .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", ")));
            System.out.print("settings\n" + report.settingsTable());

            List<ServerProcess> all = servers.all();
            System.out.println("warm-up: " + warmupSeconds + " s of each test on each server ...");
            for (Test test : TESTS) {
                for (ServerProcess server : all) {
                    wrk.run(url(server, test), wrkThreads, CONNECTIONS, warmupSeconds, test.depth());
                }
            }
            Map<String, double[]> throughput = new LinkedHashMap<>();
            Map<String, double[]> p99 = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (Test test : TESTS) {
                    StringBuilder line = new StringBuilder("round " + (round + 1) + " " + test.name() + ":");
                    for (int i = 0; i < all.size(); i++) {
                        ServerProcess server = all.get((i + round) % all.size());
                        String key = test.name() + "|" + Contenders.implName(server);
                        Wrk.Result result = wrk.run(url(server, test), wrkThreads, CONNECTIONS, seconds, test.depth());
                        throughput.computeIfAbsent(key, k -> new double[rounds])[round] = result.requestsPerSecond();
                        p99.computeIfAbsent(key, k -> new double[rounds])[round] = result.p99Millis();
                        line.append(String.format("  %s %,.0f req/s p99 %.2f ms", Contenders.implName(server),
                                result.requestsPerSecond(), result.p99Millis()));
                        if (result.socketErrors() > 0) {
                            line.append(" (").append(result.socketErrors()).append(" socket errors)");
                        }
                        if (result.non2xx() > 0) {
                            line.append(" (").append(result.non2xx()).append(" non-2xx responses)");
                            broken.add(Contenders.implName(server) + " answered " + result.non2xx() + " requests of "
                                    + test.name() + " with an error status");
                        }
                    }
                    System.out.println(line);
                }
            }
            for (Test test : TESTS) {
                for (ServerProcess server : all) {
                    String impl = Contenders.implName(server);
                    report.result(test.name() + " requests/s", impl, BenchReport.median(throughput.get(test.name() + "|" + impl)),
                            "req/s", BenchReport.Better.HIGHER);
                    report.result(test.name() + " p99", impl, BenchReport.median(p99.get(test.name() + "|" + impl)),
                            "ms", BenchReport.Better.LOWER);
                }
            }
            for (ServerProcess atollServer : servers.atoll()) {
                String atoll = Contenders.implName(atollServer);
                String peer = Contenders.implName(servers.peerOf(atollServer));
                for (Test test : TESTS) {
                    report.ratioHigherIsBetter(atoll + "/" + peer + " " + test.name() + " requests/s",
                            BenchReport.median(throughput.get(test.name() + "|" + atoll)),
                            BenchReport.median(throughput.get(test.name() + "|" + peer)), test.goal());
                    report.ratioLowerIsBetter(atoll + "/" + peer + " " + test.name() + " p99 (" + peer + " p99 / " + atoll
                                    + " p99)",
                            BenchReport.median(p99.get(test.name() + "|" + atoll)),
                            BenchReport.median(p99.get(test.name() + "|" + peer)), 1.0);
                }
            }
        }
        report.setting("loadavg_at_end", BenchReport.loadAverage());
        report.publish(args);
        if (!broken.isEmpty()) {
            System.err.println("broken run: " + String.join("; ", broken));
            System.exit(1);
        }
    }

    private static String url(ServerProcess server, Test test) {
        return "http://" + server.host() + ":" + server.port() + test.path();
    }
}
