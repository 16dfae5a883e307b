package dev.atoll.benchmarks;

import dev.atoll.benchmarks.Contenders.Contender;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code ./atoll bench echo}: Atoll's echo example against Netty 4.2's own echo example, driven by
 * {@link EchoLoad} in this JVM with identical parameters: 64-byte and 4 KiB messages, one in flight per
 * connection. A plain JDK NIO echo server runs beside them as the reference Netty is checked against.
 * After a warm-up of each, the rounds alternate between the servers ({@link Rounds}); the median round
 * is reported, with CPU time per round trip.
 */
public final class EchoBench {
    private static final int CONNECTIONS = 64;

    /**
     * One message size. One message in flight per connection: every round trip is a read and a write
     * system call on every server, so a peer run as its users run it keeps nearly all of the reference's rate.
     */
    record Test(int size) implements Rounds.Test {
        @Override
        public String name() {
            return "echo " + size + " B";
        }

        @Override
        public boolean serves(Contender contender) {
            return true;
        }

        @Override
        public double goal(Contender peer) {
            return 1.0;
        }

        @Override
        public double minimumRate(Contender peer) {
            return 0.7;
        }

        @Override
        public double minimumCpu(Contender peer) {
            return 0.7;
        }
    }

    static final List<Test> TESTS = List.of(new Test(64), new Test(4096));

    private EchoBench() {
    }

    public static void run(BenchArgs args) throws Exception {
        double seconds = args.quick() ? 2 : 7;
        double warmupSeconds = args.quick() ? 1 : 7;
        int rounds = args.quick() ? 1 : 3;
        int threads = Math.min(2, Runtime.getRuntime().availableProcessors());
        BenchReport report = BenchReport.forRun(args);
        Rounds<Test> measured;
        try (Contenders servers = Contenders.start("echo")) {
            report.setting("connections", CONNECTIONS)
                    .setting("duration_s", seconds)
                    .setting("warmup_s", warmupSeconds)
                    .setting("rounds", rounds)
                    .setting("shards", servers.shards())
                    .setting("peer_threads", servers.shards())
                    .setting("load", "EchoLoad in the harness JVM: " + threads + " threads with one NIO selector each,"
                            + " one message in flight per connection, every echo checked")
                    .setting("message_sizes", TESTS.stream().map(t -> t.size() + " B").collect(Collectors.joining(", ")))
                    .setting("impls", servers.all().stream().map(Contender::impl).collect(Collectors.joining(", ")))
                    .setting("pinning", "none: Atoll's shards, Netty's loops and the reference float over the CPUs"
                            + " they share with the load generator");
            Rounds.describe(servers, report);
            System.out.print("settings\n" + report.settingsTable());
            measured = Rounds.measure(TESTS, servers, new Rounds.Units("round trips/s", "round trips/s", "us", "round trip"),
                    (test, server, duration) -> {
                        EchoLoad.Result result = EchoLoad.run(server.server().host(), server.server().port(), CONNECTIONS,
                                threads, test.size(), duration);
                        return new Rounds.Run(result.roundTripsPerSecond(), result.p99Micros(),
                                Math.round(result.roundTripsPerSecond() * duration), "", "");
                    }, warmupSeconds, seconds, rounds);
            measured.report(report);
        }
        report.setting("loadavg_at_end", BenchReport.loadAverage());
        report.publish(args);
        Rounds.exitIfBroken(measured.problems(), report, args.quick());
    }
}
