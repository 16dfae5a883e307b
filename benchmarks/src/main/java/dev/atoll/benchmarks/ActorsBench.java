package dev.atoll.benchmarks;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.ConfigSources;
import org.HdrHistogram.Histogram;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./atoll bench actors}: Atoll's actors against Apache Pekko's classic and typed actors in
 * one run, each peer given exactly as many threads as Atoll has shards (1 for the same-shard cases,
 * 2 for the cross-shard ones): ping-pong with one message in flight (one pair and 100 pairs, on one
 * shard and across two), Savina's {@code count}, {@code threadring} and {@code fjthrput}, ask
 * round-trip latency actor to actor and from an outside thread, and the heap an idle actor costs.
 *
 * <p>Each case runs once per implementation to warm up, then the implementations alternate for
 * each round; the median round is reported. A garbage collection precedes every run.
 */
public final class ActorsBench {
    /** Pekko's messages per actor turn; its dispatcher documentation's throughput example. */
    static final int PEKKO_THROUGHPUT = 100;
    /**
     * {@code -Dactors.bench.cases=ping-pong,ask}: only the cases whose names contain one of these words
     * ("ask" and "heap" select those two groups); every case when absent.
     */
    static final String CASES = "actors.bench.cases";

    /**
     * The 100-pair case with Pekko's pairs split over two one-thread dispatchers: Pekko's default
     * dispatcher runs most of a pair's hops on one thread (work stealing), so only this case compares
     * a message between cores with a message between cores.
     */
    private static final String ONE_SIDE_PER_THREAD = "ping-pong 100 pairs, two shards, Pekko one side per thread";

    private final BenchArgs args;
    private final int rounds;
    private final long scale;

    private ActorsBench(BenchArgs args) {
        this.args = args;
        this.rounds = args.quick() ? 1 : 3;
        this.scale = args.quick() ? 10 : 1;
    }

    public static void run(BenchArgs args) throws Exception {
        new ActorsBench(args).measure();
    }

    /** One implementation on a given number of threads. */
    interface Peer extends AutoCloseable {
        String name();

        /** Messages per second over {@code pairs} pairs, one message in flight per pair. */
        double pingPong(int pairs, long messages) throws Exception;

        /**
         * {@link #pingPong} with the two sides of every pair on two different threads (shards), so every
         * message crosses threads: Atoll's two-shard placement, Pekko's two one-thread dispatchers.
         */
        double pingPongOneSidePerThread(int pairs, long messages) throws Exception;

        /** Savina count: one producer sends {@code n} messages to a counter, then asks for the total. */
        double count(long n) throws Exception;

        /** Savina threadring: a token passed {@code hops} times around a ring of {@code actors}. */
        double threadRing(int actors, long hops) throws Exception;

        /** Savina fjthrput: an outside thread sends {@code perActor} messages to each of {@code actors}. */
        double fjThroughput(int actors, long perActor) throws Exception;

        /** Round trips of an ask from one actor to another on the same thread(s), nanoseconds. */
        Histogram askFromActor(int samples) throws Exception;

        /** Round trips of an ask from a thread that is not the peer's, nanoseconds. */
        Histogram askFromOutside(int samples) throws Exception;

        /** Heap bytes per idle actor with {@code n} spawned. */
        double bytesPerIdleActor(int n) throws Exception;

        @Override
        void close() throws Exception;

        /** Waits for a run's latch; a run that never finishes fails the benchmark rather than hang it. */
        static void await(CountDownLatch latch) throws InterruptedException {
            check(latch.await(5, TimeUnit.MINUTES), "the run did not finish within 5 minutes");
        }

        /** Fails the benchmark with {@code message} unless {@code condition}: a broken run exits non-zero. */
        static void check(boolean condition, String message) {
            if (!condition) {
                throw new IllegalStateException(message);
            }
        }
    }

    private record Case(String name, int threads, String unit, ToThroughput run, double goalVsPekko) { }

    @FunctionalInterface
    private interface ToThroughput {
        double on(Peer peer) throws Exception;
    }

    private void measure() throws Exception {
        BenchReport report = BenchReport.forRun(args);
        long pp = 2_000_000 / scale;
        List<Case> cases = List.of(
                new Case("ping-pong 1 pair, one shard", 1, "msgs/s", p -> p.pingPong(1, pp), 3.0),
                new Case("ping-pong 1 pair, two shards", 2, "msgs/s", p -> p.pingPong(1, pp / 4), 1.0),
                new Case("ping-pong 100 pairs, one shard", 1, "msgs/s", p -> p.pingPong(100, 2 * pp), 3.0),
                new Case("ping-pong 100 pairs, two shards", 2, "msgs/s", p -> p.pingPong(100, pp), 1.5),
                new Case(ONE_SIDE_PER_THREAD, 2, "msgs/s", p -> p.pingPongOneSidePerThread(100, pp), 1.5),
                new Case("savina count, one shard", 1, "msgs/s", p -> p.count(pp), 1.0),
                new Case("savina threadring 100 actors, one shard", 1, "hops/s", p -> p.threadRing(100, pp / 2), 1.0),
                new Case("savina fjthrput 60 actors, two shards", 2, "msgs/s", p -> p.fjThroughput(60, pp / 50), 1.0));

        List<String> only = selectedWords(System.getProperty(CASES, ""));
        cases = cases.stream().filter(c -> chosen(c.name(), only)).toList();

        Map<Integer, List<Peer>> peers = new LinkedHashMap<>();
        for (int threads : new int[] {1, 2}) {
            AtollConfig atoll = AtollConfig.load(ConfigSources.none()
                    .withOption("atoll.shards.count", Integer.toString(threads), "actors benchmark"));
            peers.put(threads, List.of(new AtollPeer(atoll), new PekkoClassicPeer(threads, PEKKO_THROUGHPUT),
                    new PekkoTypedPeer(threads, PEKKO_THROUGHPUT)));
        }
        AtollPeer atollOne = (AtollPeer) peers.get(1).getFirst();
        report.setting("atoll_shards", "1 (one-shard cases), 2 (two-shard cases)")
                .setting("atoll_throughput", atollOne.throughput())
                .setting("atoll_idle", atollOne.idle())
                .setting("atoll_driver", atollOne.driver())
                .setting("atoll_pin", atollOne.pinned())
                .setting("pekko_version", PekkoClassicPeer.version())
                .setting("pekko_dispatcher", "fork-join-executor, parallelism-min = parallelism-max = threads"
                        + " (1 or 2), parallelism-factor = 1.0; internal-dispatcher = the default dispatcher; in the case"
                        + " '" + ONE_SIDE_PER_THREAD + "' the left actors on one dispatcher and the right ones on another,"
                        + " each a fork-join-executor of parallelism 1 with the same throughput")
                .setting("pekko_throughput", PEKKO_THROUGHPUT)
                .setting("pekko_serialization", "none (in-JVM only, allow-java-serialization = off)")
                .setting("cases", only.isEmpty() ? "all" : String.join(", ", only))
                .setting("rounds_after_warmup", rounds)
                .setting("ping_pong_messages", "1 pair: " + pp + " (one shard), " + pp / 4 + " (two shards); 100 pairs: "
                        + 2 * pp + " (one shard), " + pp + " (two shards)")
                .setting("count_messages", pp)
                .setting("threadring_hops", pp / 2)
                .setting("fjthrput_messages", 60 * (pp / 50))
                .setting("ask_samples", 20_000 / scale)
                .setting("gc", ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(java.lang.management.GarbageCollectorMXBean::getName)
                        .collect(java.util.stream.Collectors.joining(", ")));
        try {
            for (Case c : cases) {
                List<Peer> contenders = peers.get(c.threads());
                Map<String, double[]> values = new LinkedHashMap<>();
                double[] atollCpu = new double[rounds];
                double[] atollBatch = new double[rounds];
                double[] coreToCore = new double[rounds];
                for (Peer peer : contenders) {
                    settle();
                    c.run().on(peer);   // warm-up
                    values.put(peer.name(), new double[rounds]);
                }
                for (int round = 0; round < rounds; round++) {
                    StringBuilder line = new StringBuilder(c.name() + " round " + (round + 1) + ":");
                    for (Peer peer : contenders) {
                        settle();
                        if (peer instanceof AtollPeer atoll && c.threads() > 1) {
                            coreToCore[round] = atoll.coreToCoreNanos();   // the machine's state for this round
                            line.append(String.format("  [core-to-core round trip %.0f ns]", coreToCore[round]));
                        }
                        double v = c.run().on(peer);
                        values.get(peer.name())[round] = v;
                        line.append(String.format("  %s %,.0f", peer.name(), v));
                        if (peer instanceof AtollPeer atoll && c.name().startsWith("ping-pong")) {   // only they measure it
                            atollCpu[round] = atoll.lastCpuNanosPerMessage();
                            atollBatch[round] = atoll.lastMessagesPerBatch();
                            line.append(String.format(" (%.1f ns CPU per message, %.1f messages per mesh batch)",
                                    atollCpu[round], atollBatch[round]));
                        }
                    }
                    System.out.println(line);
                }
                if (c.name().startsWith("ping-pong")) {
                    report.result(c.name() + ", CPU of the shards per message", "atoll", median(atollCpu), "ns",
                            BenchReport.Better.LOWER);
                    if (c.threads() > 1) {
                        report.result(c.name() + ", messages per mesh batch", "atoll", median(atollBatch), "msgs",
                                BenchReport.Better.HIGHER);
                    }
                }
                if (c.threads() > 1) {
                    report.result(c.name() + ", core-to-core round trip of one cache line", "machine",
                            median(coreToCore), "ns", BenchReport.Better.LOWER);
                }
                double atoll = median(values.get("atoll"));
                for (Map.Entry<String, double[]> e : values.entrySet()) {
                    report.result(c.name(), e.getKey(), median(e.getValue()), c.unit(), BenchReport.Better.HIGHER);
                }
                for (String pekko : List.of("pekko-classic", "pekko-typed")) {
                    report.ratioHigherIsBetter("atoll/" + pekko + " " + c.name(), atoll, median(values.get(pekko)),
                            c.goalVsPekko());
                }
            }
            if (cases.stream().anyMatch(c -> c.name().startsWith("ping-pong 100 pairs, two shards"))) {
                hopsBetweenThreads(report, (AtollPeer) peers.get(2).get(0), (PekkoClassicPeer) peers.get(2).get(1), pp);
            }
            if (only.isEmpty() || only.contains("ask")) {
                asks(report, peers.get(1));
            }
            if (only.isEmpty() || only.contains("heap")) {
                memory(report, peers.get(1));
            }
        } finally {
            for (List<Peer> list : peers.values()) {
                for (Peer peer : list) {
                    peer.close();
                }
            }
        }
        report.publish(args);
    }

    /**
     * How many of the 100-pair ping-pong's messages crossed threads: Pekko's with its default dispatcher
     * and with one side per thread, Atoll's (messages its shards took from the mesh). A one-side-per-thread
     * figure below 1 would mean the dispatchers were not set up as meant, and fails the run.
     */
    private void hopsBetweenThreads(BenchReport report, AtollPeer atoll, PekkoClassicPeer classic, long messages)
            throws Exception {
        double shared = classic.hopsBetweenThreads(100, messages, false);
        double split = classic.hopsBetweenThreads(100, messages, true);
        atoll.pingPong(100, messages);
        double mesh = atoll.lastMeshShare();
        System.out.printf("100 pairs on 2 threads, messages that crossed threads: pekko-classic %.5f with the default"
                + " dispatcher, %.5f with one side per thread; atoll %.5f%n", shared, split, mesh);
        Peer.check(split > 0.999, "Pekko's one-side-per-thread dispatchers did not split the pairs: " + split);
        report.result("ping-pong 100 pairs, two shards, messages that crossed threads", "pekko-classic", shared, "share",
                        BenchReport.Better.HIGHER)
                .result(ONE_SIDE_PER_THREAD + ", messages that crossed threads", "pekko-classic", split, "share",
                        BenchReport.Better.HIGHER)
                .result("ping-pong 100 pairs, two shards, messages that crossed threads", "atoll", mesh, "share",
                        BenchReport.Better.HIGHER);
    }

    private void asks(BenchReport report, List<Peer> contenders) throws Exception {
        int samples = (int) (20_000 / scale);
        Map<String, Histogram> inside = new LinkedHashMap<>();
        Map<String, Histogram> outside = new LinkedHashMap<>();
        for (Peer peer : contenders) {
            peer.askFromActor(samples);   // warm-up
            peer.askFromOutside(samples);
        }
        for (Peer peer : contenders) {
            settle();
            inside.put(peer.name(), peer.askFromActor(samples));
            settle();
            outside.put(peer.name(), peer.askFromOutside(samples));
        }
        for (Map.Entry<String, Histogram> e : inside.entrySet()) {
            report.result("ask round trip p50, actor to actor, one shard", e.getKey(), micros(e.getValue(), 50), "us",
                            BenchReport.Better.LOWER)
                    .result("ask round trip p99, actor to actor, one shard", e.getKey(), micros(e.getValue(), 99), "us",
                            BenchReport.Better.LOWER);
        }
        for (Map.Entry<String, Histogram> e : outside.entrySet()) {
            report.result("ask round trip p50, from an outside thread", e.getKey(), micros(outside.get(e.getKey()), 50),
                            "us", BenchReport.Better.LOWER)
                    .result("ask round trip p99, from an outside thread", e.getKey(), micros(outside.get(e.getKey()), 99),
                            "us", BenchReport.Better.LOWER);
        }
        double atollP50 = micros(inside.get("atoll"), 50);
        report.ratioLowerIsBetter("1 us / atoll ask p50, actor to actor, one shard", atollP50, 1.0, 1.0);
        for (String pekko : List.of("pekko-classic", "pekko-typed")) {
            report.ratioLowerIsBetter(pekko + "/atoll ask p50, actor to actor, one shard", atollP50,
                    micros(inside.get(pekko), 50), 1.0);
        }
    }

    private void memory(BenchReport report, List<Peer> contenders) throws Exception {
        int n = (int) (1_000_000 / scale);
        report.setting("footprint_actors", n);
        Map<String, Double> bytes = new LinkedHashMap<>();
        for (Peer peer : contenders) {
            settle();
            bytes.put(peer.name(), peer.bytesPerIdleActor(n));
            report.result("heap per idle actor", peer.name(), bytes.get(peer.name()), "bytes", BenchReport.Better.LOWER);
        }
        report.ratioLowerIsBetter("200 bytes / atoll heap per idle actor", bytes.get("atoll"), 200, 1.0);
        for (String pekko : List.of("pekko-classic", "pekko-typed")) {
            report.ratioLowerIsBetter(pekko + "/atoll heap per idle actor", bytes.get("atoll"), bytes.get(pekko), 1.0);
        }
    }

    /** Heap in use after collections: the lowest of a few readings. */
    static long usedHeapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    static Histogram newHistogram() {
        return new Histogram(java.util.concurrent.TimeUnit.SECONDS.toNanos(10), 3);
    }

    static double perSecond(long count, long startNanos, long endNanos) {
        return count / ((endNanos - startNanos) / 1e9);
    }

    private static double micros(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }

    /** The words of {@code -Dactors.bench.cases}, trimmed; empty for every case. */
    static List<String> selectedWords(String property) {
        return Arrays.stream(property.split(",")).map(String::trim).filter(word -> !word.isEmpty()).toList();
    }

    /** Whether the case named {@code name} runs: every case without words, else one containing a word. */
    static boolean chosen(String name, List<String> words) {
        return words.isEmpty() || words.stream().anyMatch(name::contains);
    }

    private static void settle() {
        System.gc();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Savina's fjthrput work per message: a little arithmetic the JIT cannot drop. */
    static double compute(double seed) {
        double x = seed;
        for (int i = 0; i < 10; i++) {
            x = Math.sqrt(x + i) * 1.0001;
        }
        return x;
    }

    static <T> List<T> listOf(int n, java.util.function.IntFunction<T> make) {
        List<T> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            all.add(make.apply(i));
        }
        return all;
    }
}
