package dev.atoll.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./atoll bench echo}: Atoll's echo example on io_uring and on epoll against Netty 4.2's echo
 * server on the same two transports, driven by {@link EchoLoad} in this JVM with identical
 * parameters: 64-byte and 4 KiB messages, one in flight per connection. After a warm-up of each, the
 * rounds alternate between the servers (the order rotating each round); the median round is
 * reported, with ratios of each Atoll driver against Netty on the same transport.
 */
public final class EchoBench {
    private static final int CONNECTIONS = 64;
    private static final List<Integer> SIZES = List.of(64, 4096);

    private EchoBench() {
    }

    public static void run(BenchArgs args) throws Exception {
        double seconds = args.quick() ? 2 : 7;
        double warmupSeconds = args.quick() ? 1 : 7;
        int rounds = args.quick() ? 1 : 3;
        int threads = Math.min(2, Runtime.getRuntime().availableProcessors());
        BenchReport report = BenchReport.forRun(args);
        try (Contenders servers = Contenders.start("echo")) {
            report.setting("loadavg_at_start", BenchReport.loadAverage())
                    .setting("connections", CONNECTIONS)
                    .setting("duration_s", seconds)
                    .setting("warmup_s", warmupSeconds)
                    .setting("rounds", rounds)
                    .setting("shards", servers.shards())
                    .setting("peer_threads", servers.shards())
                    .setting("load", "EchoLoad in the harness JVM: " + threads + " threads with one NIO selector each,"
                            + " one message in flight per connection, every echo checked")
                    .setting("message_sizes", String.join(", ", SIZES.stream().map(s -> s + " B").toList()))
                    .setting("impls", String.join(", ", servers.all().stream().map(Contenders::implName).toList()))
                    .setting("netty", "4.2.18.Final, write on read, flush on read complete, pooled direct allocator,"
                            + " TCP_NODELAY, one server channel, children round-robin")
                    .setting("jvm_flags", String.join(" ", ServerProcess.jvmFlags()))
                    .setting("atoll_config", String.join(" ", Contenders.ATOLL_PROPERTIES)
                            + " (the load generator shares the CPUs; Netty's loops are not pinned either)");
            System.out.print("settings\n" + report.settingsTable());
            List<ServerProcess> all = servers.all();
            System.out.println("warm-up: " + warmupSeconds + " s of each size on each server ...");
            for (int size : SIZES) {
                for (ServerProcess server : all) {
                    EchoLoad.run(server.host(), server.port(), CONNECTIONS, threads, size, warmupSeconds);
                }
            }
            Map<String, double[]> throughput = new LinkedHashMap<>();
            Map<String, double[]> p99 = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (int size : SIZES) {
                    StringBuilder line = new StringBuilder("round " + (round + 1) + " " + size + " B:");
                    for (int i = 0; i < all.size(); i++) {
                        ServerProcess server = all.get((i + round) % all.size());
                        String key = size + "|" + Contenders.implName(server);
                        EchoLoad.Result result = EchoLoad.run(server.host(), server.port(), CONNECTIONS, threads, size, seconds);
                        throughput.computeIfAbsent(key, k -> new double[rounds])[round] = result.roundTripsPerSecond();
                        p99.computeIfAbsent(key, k -> new double[rounds])[round] = result.p99Micros();
                        line.append(String.format("  %s %,.0f/s p50 %.0f us p99 %.0f us", Contenders.implName(server),
                                result.roundTripsPerSecond(), result.p50Micros(), result.p99Micros()));
                    }
                    System.out.println(line);
                }
            }
            for (int size : SIZES) {
                for (ServerProcess server : all) {
                    String impl = Contenders.implName(server);
                    report.result("echo " + size + " B round trips/s", impl, BenchReport.median(throughput.get(size + "|" + impl)),
                            "round trips/s", BenchReport.Better.HIGHER);
                    report.result("echo " + size + " B p99", impl, BenchReport.median(p99.get(size + "|" + impl)),
                            "us", BenchReport.Better.LOWER);
                }
            }
            for (ServerProcess atollServer : servers.atoll()) {
                String atoll = Contenders.implName(atollServer);
                String peer = Contenders.implName(servers.peerOf(atollServer));
                for (int size : SIZES) {
                    report.ratioHigherIsBetter(atoll + "/" + peer + " echo " + size + " B round trips/s",
                            BenchReport.median(throughput.get(size + "|" + atoll)),
                            BenchReport.median(throughput.get(size + "|" + peer)), 1.0);
                    report.ratioLowerIsBetter(atoll + "/" + peer + " echo " + size + " B p99 (" + peer + " p99 / " + atoll
                                    + " p99)",
                            BenchReport.median(p99.get(size + "|" + atoll)),
                            BenchReport.median(p99.get(size + "|" + peer)), 1.0);
                }
            }
        }
        report.setting("loadavg_at_end", BenchReport.loadAverage());
        report.publish(args);
    }
}
