package dev.atoll.benchmarks;

import dev.atoll.benchmarks.Contenders.Contender;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The measuring part of a peer comparison: a warm-up of every test on every server that serves it,
 * then rounds with identical parameters that visit the servers in an order rotating each round. Each
 * run also reads the server's CPU time ({@code /proc/PID/stat}, its child processes included) before and
 * after, for the CPU time per operation: on a shared machine that figure moves much less than the rate.
 * And the time its threads waited for a CPU ({@code schedstat}), per operation: the share of its latency
 * that other people's work on the machine put there, shown beside each p99.
 * The report gets the median round of every figure, Atoll's ratios against each peer (the median of the rounds'
 * own ratios: {@link BenchReport#pairedRatio}), and each peer's check against the reference.
 *
 * @param <T> a test, e.g. {@code /plaintext} pipelined 16 deep
 */
final class Rounds<T extends Rounds.Test> {

    /** A test of a comparison. */
    interface Test {
        /** Its name in reports, e.g. {@code plaintext pipelined}. */
        String name();

        /** Whether {@code contender} takes part in it (nginx serves only {@code /plaintext}). */
        boolean serves(Contender contender);

        /** The goal of Atoll's throughput against {@code peer}, as a ratio (above 1 = Atoll better). */
        double goal(Contender peer);

        /** The lowest peer / reference throughput that lets a comparison with the peer count. */
        double minimumRate(Contender peer);

        /** The lowest reference / peer CPU time per operation that lets a comparison with the peer count. */
        double minimumCpu(Contender peer);
    }

    /** Runs one test against one server for a while. */
    @FunctionalInterface
    interface Load<T> {
        Run run(T test, Contender server, double seconds) throws Exception;
    }

    /**
     * What one load run measured.
     *
     * @param rate       operations per second
     * @param p99        the 99th percentile latency, in the comparison's latency unit
     * @param operations all operations completed (for the CPU time per operation)
     * @param broken     what makes the run invalid (error responses), empty if nothing
     * @param remark     what else is worth showing (socket errors), empty if nothing
     */
    record Run(double rate, double p99, long operations, String broken, String remark) { }

    /**
     * Names and units of a comparison's figures.
     *
     * @param rate      e.g. {@code requests/s}
     * @param rateUnit  e.g. {@code req/s}
     * @param p99Unit   e.g. {@code ms}
     * @param operation e.g. {@code request}
     */
    record Units(String rate, String rateUnit, String p99Unit, String operation) { }

    private final List<T> tests;
    private final Contenders servers;
    private final Units units;
    private final Map<String, double[][]> figures = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private Rounds(List<T> tests, Contenders servers, Units units) {
        this.tests = tests;
        this.servers = servers;
        this.units = units;
    }

    /** Warms up every server in every test, then measures {@code rounds} rounds. */
    static <T extends Test> Rounds<T> measure(List<T> tests, Contenders servers, Units units, Load<T> load,
                                              double warmupSeconds, double seconds, int rounds) throws Exception {
        Rounds<T> measured = new Rounds<>(tests, servers, units);
        ProcessCpu cpu = ProcessCpu.forThisMachine();
        System.out.println("warm-up: " + warmupSeconds + " s of each test on each server ...");
        for (T test : tests) {
            for (Contender server : measured.serversOf(test)) {
                load.run(test, server, warmupSeconds);
            }
        }
        for (int round = 0; round < rounds; round++) {
            for (T test : tests) {
                List<Contender> taking = measured.serversOf(test);
                StringBuilder line = new StringBuilder("round " + (round + 1) + " " + test.name() + ":");
                for (int i = 0; i < taking.size(); i++) {
                    Contender server = taking.get((i + round) % taking.size());
                    long pid = server.server().pid();
                    double cpuBefore = cpu.treeSeconds(pid);
                    double waitBefore = cpu.treeRunQueueSeconds(pid);
                    Run run = load.run(test, server, seconds);
                    double cpuMicros = (cpu.treeSeconds(pid) - cpuBefore) * 1e6;
                    double waitMicros = (cpu.treeRunQueueSeconds(pid) - waitBefore) * 1e6;
                    double perOperation = run.operations() > 0 ? cpuMicros / run.operations() : Double.NaN;
                    double waitPerOperation = run.operations() > 0 ? waitMicros / run.operations() : Double.NaN;
                    double[][] figure = measured.figures.computeIfAbsent(test.name() + "|" + server.impl(),
                            k -> new double[4][rounds]);
                    figure[0][round] = run.rate();
                    figure[1][round] = run.p99();
                    figure[2][round] = perOperation;
                    figure[3][round] = waitPerOperation;
                    line.append(String.format("  %s %,.0f %s p99 %.2f %s CPU %.2f us/%s run-queue wait %.2f us/%s",
                            server.impl(), run.rate(), units.rateUnit(), run.p99(), units.p99Unit(), perOperation,
                            units.operation(), waitPerOperation, units.operation()));
                    if (!run.remark().isEmpty()) {
                        line.append(" (").append(run.remark()).append(')');
                    }
                    if (!run.broken().isEmpty()) {
                        line.append(" (").append(run.broken()).append(')');
                        measured.problems.add(server.impl() + " in " + test.name() + ": " + run.broken());
                    }
                }
                System.out.println(line);
            }
        }
        return measured;
    }

    private List<Contender> serversOf(T test) {
        return servers.all().stream().filter(test::serves).toList();
    }

    /** What went wrong in the measured rounds (error responses): a run with any is broken. */
    List<String> problems() {
        return problems;
    }

    /** The median round of a figure: 0 rate, 1 p99, 2 CPU per operation, 3 run-queue wait per operation. */
    private double median(T test, Contender server, int figure) {
        double[][] values = figures.get(test.name() + "|" + server.impl());
        return values == null ? Double.NaN : BenchReport.median(values[figure]);
    }

    /** Every round of a figure, numbered as in {@link #median}. */
    private double[] rounds(T test, Contender server, int figure) {
        return figures.get(test.name() + "|" + server.impl())[figure];
    }

    /** Puts the medians, Atoll's ratios against each peer and each peer's check into {@code report}. */
    void report(BenchReport report) {
        report(report, true);
    }

    /**
     * As {@link #report(BenchReport)}; without {@code goals}, Atoll's ratios are shown for information
     * (goal NaN): for a comparison whose goals another one of the same run carries.
     */
    void report(BenchReport report, boolean goals) {
        String cpuName = "CPU per " + units.operation();
        for (T test : tests) {
            for (Contender server : serversOf(test)) {
                report.result(test.name() + " " + units.rate(), server.impl(), median(test, server, 0), units.rateUnit(),
                        BenchReport.Better.HIGHER);
                report.result(test.name() + " p99", server.impl(), median(test, server, 1), units.p99Unit(),
                        BenchReport.Better.LOWER);
                report.result(test.name() + " " + cpuName, server.impl(), median(test, server, 2), "us",
                        BenchReport.Better.LOWER);
                report.result(test.name() + " run-queue wait per " + units.operation(), server.impl(),
                        median(test, server, 3), "us", BenchReport.Better.LOWER);
            }
        }
        Contender atoll = servers.atoll();
        for (Contender peer : servers.peers()) {
            for (T test : tests) {
                if (!test.serves(peer)) {
                    continue;
                }
                String prefix = atoll.impl() + "/" + peer.impl() + " " + test.name() + " ";
                double even = goals ? 1.0 : Double.NaN;
                report.pairedRatio(prefix + units.rate(), rounds(test, atoll, 0), rounds(test, peer, 0),
                        BenchReport.Better.HIGHER, goals ? test.goal(peer) : Double.NaN);
                report.pairedRatio(prefix + "p99 (" + peer.impl() + " p99 / " + atoll.impl() + " p99)",
                        rounds(test, atoll, 1), rounds(test, peer, 1), BenchReport.Better.LOWER, even);
                report.pairedRatio(prefix + cpuName + " (" + peer.impl() + " / " + atoll.impl() + ")",
                        rounds(test, atoll, 2), rounds(test, peer, 2), BenchReport.Better.LOWER, even);
            }
        }
        Contender reference = servers.reference();
        for (Contender peer : servers.peers()) {
            for (T test : tests) {
                if (test.serves(peer)) {
                    report.check(new PeerCheck(test.name() + " " + units.rate(), peer.impl(), reference.impl(),
                            median(test, peer, 0), median(test, reference, 0), BenchReport.Better.HIGHER,
                            test.minimumRate(peer), MINIMUM_WHY));
                    report.check(new PeerCheck(test.name() + " " + cpuName, peer.impl(), reference.impl(),
                            median(test, peer, 2), median(test, reference, 2), BenchReport.Better.LOWER,
                            test.minimumCpu(peer), MINIMUM_WHY));
                }
            }
        }
    }

    static final String MINIMUM_WHY = "the reference does no protocol work: a peer doing real work keeps a share of its"
            + " rate and of its CPU efficiency that depends on the test; each minimum sits well under the share the"
            + " peer keeps when run as its users run it (docs/benchmarks.md)";

    /** Records every server's configuration and the reason for it as settings, and prints them. */
    static void describe(Contenders servers, BenchReport report) {
        for (Contender contender : servers.all()) {
            report.setting("config " + contender.impl(), contender.configuration());
            report.setting("why " + contender.impl(), contender.why());
        }
    }

    /**
     * Exits 1 when a run ended broken: error responses, or (in a full run) a peer below its reference. A
     * {@code --quick} run is too short to warm the JVMs' compilers, so there a failed check is shown
     * (and kept in the JSON) without failing the run.
     */
    static void exitIfBroken(List<String> problems, BenchReport report, boolean quick) {
        List<String> all = new ArrayList<>(problems);
        List<String> checks = report.failedChecks().stream().map(c -> "peer check failed: " + c.peer() + " reached "
                + String.format("%.3f", c.ratio()) + " of " + c.reference() + " in " + c.name() + " (minimum " + c.minimum()
                + "): the comparisons with " + c.peer() + " do not count").toList();
        if (quick) {
            checks.forEach(c -> System.out.println("NOTE (--quick: the servers are not warm): " + c));
        } else {
            all.addAll(checks);
        }
        if (!all.isEmpty()) {
            System.err.println("broken run: " + String.join("; ", all));
            System.exit(1);
        }
    }
}
