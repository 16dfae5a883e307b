package dev.atoll.benchmarks;

import com.sun.nio.file.ExtendedOpenOption;
import dev.atoll.config.AtollConfig;
import dev.atoll.config.ConfigSources;
import dev.atoll.config.DriverKind;
import dev.atoll.drivers.DriverUnavailableException;
import dev.atoll.drivers.Drivers;
import dev.atoll.drivers.Platform;
import dev.atoll.io.FileOpenOption;
import dev.atoll.shards.ShardRuntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * {@code ./atoll bench uring}: what the io_uring driver buys, in one run.
 *
 * <ul>
 *   <li>NOP throughput through the driver, 64 per poll and 1 per poll (io_uring, and epoll for reference);</li>
 *   <li>cross-shard wake latency to a sleeping shard, io_uring waking with {@code MSG_RING} and with the
 *       target's eventfd (and epoll's eventfd for reference), shards pinned and unpinned, alternated in
 *       rounds;</li>
 *   <li>4 KiB random reads from a 1 GiB file through Atoll's {@code AsyncFile} on io_uring, through
 *       {@code FileChannel} from as many threads as Atoll has shards, and through fio's io_uring engine
 *       with as many jobs at the same queue depth, with the page cache warm and with O_DIRECT; after a
 *       warm-up of each, rounds alternate between them and the median round is reported.</li>
 * </ul>
 */
public final class UringBench {
    private static final long FILE_SIZE = 1L << 30;
    private static final int QUEUE_DEPTH = 32;
    private static final int READERS = 2;
    private static final int NOP_BATCH = 64;
    private static final Duration WAKE_PAUSE = Duration.ofNanos(300_000);
    /** Timer tick of the wake runtimes, so the sender's pause is close to {@link #WAKE_PAUSE}. */
    private static final String WAKE_TICK = "100us";

    private static final String ATOLL = "atoll-io_uring";
    /** Atoll with its registered tables off ({@code registered-buffers = 0}, {@code registered-files = 0}): plain READ. */
    private static final String ATOLL_PLAIN = "atoll-io_uring-plain-read";
    private static final String FILE_CHANNEL = "file-channel";
    private static final String FIO = "fio-io_uring";

    private final BenchArgs args;
    private final BenchReport report;
    /** Why Atoll's io_uring rows are missing, when they are. */
    private final Optional<String> uringUnavailable;
    private final Duration nopDuration;
    private final int wakeRounds;
    private final int wakeSamplesPerRound;
    private final int readSeconds;
    private final int readWarmupSeconds;
    private final int readRounds;

    private UringBench(BenchArgs args) {
        this.args = args;
        this.report = BenchReport.forRun(args);
        this.uringUnavailable = unavailability(DriverKind.IO_URING);
        this.nopDuration = Duration.ofSeconds(args.quick() ? 1 : 3);
        this.wakeRounds = args.quick() ? 1 : 4;
        this.wakeSamplesPerRound = args.quick() ? 1_000 : 5_000;
        this.readSeconds = args.quick() ? 2 : 5;
        this.readWarmupSeconds = args.quick() ? 1 : 2;
        this.readRounds = args.quick() ? 1 : 3;
    }

    public static void run(BenchArgs args) throws Exception {
        new UringBench(args).measure();
    }

    private static Optional<String> unavailability(DriverKind kind) {
        try {
            Drivers.choose(kind, Platform.current());
            return Optional.empty();
        } catch (DriverUnavailableException e) {
            return Optional.of(e.getMessage());
        }
    }

    private void measure() throws Exception {
        Fio fio = Fio.find();
        Path file = Path.of(System.getProperty("java.io.tmpdir"), "atoll-bench-uring", "random-reads-1GiB.dat");
        report.setting("loadavg_at_start", BenchReport.loadAverage())
                .setting("platform", Platform.current().describe())
                .setting("atoll_io_uring", uringUnavailable.map(why -> "unavailable: " + why).orElse("available"))
                .setting("nop", NOP_BATCH + " and 1 NOPs per poll on one platform thread that owns the driver, "
                        + nopDuration.toSeconds() + " s each after a quarter of that as warm-up")
                .setting("wake", "shard 0 -> shard 1 asleep (idle strategy sleep, timers.tick " + WAKE_TICK + "),"
                        + " shards pinned to CPUs 0 and 1 (the default) and unpinned, "
                        + wakeRounds + " rounds x " + wakeSamplesPerRound + " samples " + WAKE_PAUSE.toNanos() / 1000
                        + " us apart, configurations alternated")
                .setting("file", file + " (" + (FILE_SIZE >> 20) + " MiB, created once and reused)")
                .setting("read", RandomReads.BLOCK + " B random reads at aligned offsets, " + readSeconds + " s per run, "
                        + readRounds + " rounds after " + readWarmupSeconds + " s warm-up of each, alternated")
                .setting("queue_depth", QUEUE_DEPTH)
                .setting("readers", READERS + " (Atoll shards, FileChannel threads, fio jobs)")
                .setting("atoll_read", "AsyncFile.read on " + READERS + " shards (atoll.driver = io_uring, shards not"
                        + " pinned: fio's jobs and the FileChannel threads are not either), " + QUEUE_DEPTH
                        + " reads in flight per shard, pooled buffers (their slab registered: READ_FIXED) on a registered"
                        + " file (the defaults); O_DIRECT: FileOpenOption.DIRECT; " + ATOLL_PLAIN + ": the same with"
                        + " atoll.io-uring.registered-buffers = 0 and registered-files = 0 (plain READ on a descriptor)")
                .setting("file_channel_read", "one FileChannel, read(ByteBuffer, position) from " + READERS
                        + " platform threads, aligned direct buffers; O_DIRECT: ExtendedOpenOption.DIRECT")
                .setting("fio", fio.version() + ": " + String.join(" ",
                        fio.randomReadCommand(file, RandomReads.BLOCK, QUEUE_DEPTH, READERS, false, readSeconds))
                        + " (O_DIRECT: --direct=1)")
                .setting("jvm_flags", String.join(" ", ServerProcess.jvmFlags()));
        uringUnavailable.ifPresent(why -> System.out.println("NOTE: Atoll's io_uring driver is unavailable ("
                + why + "): its rows are left out, fio and FileChannel still run."));
        System.out.print("settings\n" + report.settingsTable());

        nops();
        wakes();
        RandomReads.prepare(file, FILE_SIZE);
        report.setting("file_system", Files.getFileStore(file).type());
        reads(fio, file, false);
        reads(fio, file, true);

        report.setting("loadavg_at_end", BenchReport.loadAverage());
        report.publish(args);
    }

    // ---- NOPs ----

    private void nops() {
        List<DriverKind> drivers = new ArrayList<>();
        if (uringUnavailable.isEmpty()) {
            drivers.add(DriverKind.IO_URING);
        }
        drivers.add(DriverKind.EPOLL);
        for (DriverKind kind : drivers) {
            AtollConfig config = AtollConfig.load(ConfigSources.none()
                    .withOption("atoll.driver", kind.displayName(), "uring benchmark"));
            String impl = "atoll-" + kind.displayName();
            for (int batch : new int[] {NOP_BATCH, 1}) {
                double rate = NopBatches.perSecond(config.settings(), batch, nopDuration);
                System.out.printf("NOPs, %d per poll, %s: %,.0f/s (%.1f ns each)%n", batch, impl, rate, 1e9 / rate);
                report.result("NOP throughput, " + batch + " per poll", impl, rate, "ops/s", BenchReport.Better.HIGHER);
            }
        }
    }

    // ---- wake latency ----

    private void wakes() {
        Map<String, AtollConfig> configs = new LinkedHashMap<>();
        for (boolean pin : new boolean[] {true, false}) {
            String suffix = pin ? "" : "-unpinned";
            if (uringUnavailable.isEmpty()) {
                configs.put("atoll-io_uring-msg-ring" + suffix, wakeConfig("io_uring", Optional.of("msg-ring"), pin));
                configs.put("atoll-io_uring-eventfd" + suffix, wakeConfig("io_uring", Optional.of("eventfd"), pin));
            }
            configs.put("atoll-epoll-eventfd" + suffix, wakeConfig("epoll", Optional.empty(), pin));
        }
        Map<String, WakeLatency> runs = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, AtollConfig> config : configs.entrySet()) {
                runs.put(config.getKey(), new WakeLatency(config.getKey(), config.getValue()));
            }
            List<WakeLatency> order = new ArrayList<>(runs.values());
            for (WakeLatency run : order) {
                run.sample(wakeSamplesPerRound / 10, WAKE_PAUSE); // warm-up, kept: it is the same measurement
            }
            for (int round = 0; round < wakeRounds; round++) {
                for (int i = 0; i < order.size(); i++) {
                    order.get((i + round) % order.size()).sample(wakeSamplesPerRound, WAKE_PAUSE);
                }
            }
            for (WakeLatency run : order) {
                System.out.printf("wake %s: p50 %.2f us, p99 %.2f us, %.3f wake calls per sample%n", run.impl(),
                        run.micros(50), run.micros(99), run.wakesPerSample());
                report.result("wake latency p50", run.impl(), run.micros(50), "us", BenchReport.Better.LOWER)
                        .result("wake latency p99", run.impl(), run.micros(99), "us", BenchReport.Better.LOWER)
                        .result("wake system calls per sample", run.impl(), run.wakesPerSample(), "calls",
                                BenchReport.Better.LOWER);
            }
            for (String suffix : List.of("", "-unpinned")) {
                WakeLatency msgRing = runs.get("atoll-io_uring-msg-ring" + suffix);
                WakeLatency eventfd = runs.get("atoll-io_uring-eventfd" + suffix);
                if (msgRing != null && eventfd != null) {
                    String shards = suffix.isEmpty() ? "pinned" : "unpinned";
                    report.ratioLowerIsBetter("io_uring wake p50, " + shards + ", eventfd/msg-ring (above 1: MSG_RING faster)",
                            msgRing.micros(50), eventfd.micros(50), 1.0);
                    report.ratioLowerIsBetter("io_uring wake p99, " + shards + ", eventfd/msg-ring (above 1: MSG_RING faster)",
                            msgRing.micros(99), eventfd.micros(99), 1.0);
                }
            }
        } finally {
            runs.values().forEach(WakeLatency::close);
        }
    }

    private static AtollConfig wakeConfig(String driver, Optional<String> wake, boolean pin) {
        ConfigSources sources = ConfigSources.none()
                .withOption("atoll.driver", driver, "uring benchmark")
                .withOption("atoll.shards.count", "2", "uring benchmark")
                .withOption("atoll.shards.pin", Boolean.toString(pin), "uring benchmark")
                .withOption("atoll.shards.idle.strategy", "sleep", "uring benchmark")
                .withOption("atoll.timers.tick", WAKE_TICK, "uring benchmark");
        if (wake.isPresent()) {
            sources = sources.withOption("atoll.io-uring.wake", wake.get(), "uring benchmark");
        }
        return AtollConfig.load(sources);
    }

    // ---- random reads ----

    /** One contender of the random reads: reads per second for a run of so many seconds. */
    @FunctionalInterface
    private interface Reader {
        double readsPerSecond(int seconds) throws Exception;
    }

    /** The median of {@code figure} over the measured runs (the first run is the warm-up). */
    private static double medianAfterWarmUp(List<RandomReads.AtollRun> runs,
                                            ToDoubleFunction<RandomReads.AtollRun> figure) {
        return BenchReport.median(runs.stream().skip(1).mapToDouble(figure).toArray());
    }

    private void reads(Fio fio, Path file, boolean direct) throws Exception {
        String mode = direct ? "O_DIRECT" : "page cache warm";
        if (!direct) {
            System.out.println("reading " + file + " once to warm the page cache ...");
            RandomReads.warmPageCache(file);
        }
        OpenOption[] channelOptions = direct
                ? new OpenOption[] {StandardOpenOption.READ, ExtendedOpenOption.DIRECT}
                : new OpenOption[] {StandardOpenOption.READ};
        OpenOption[] atollOptions = direct
                ? new OpenOption[] {StandardOpenOption.READ, FileOpenOption.DIRECT}
                : new OpenOption[] {StandardOpenOption.READ};
        List<ShardRuntime> atolls = new ArrayList<>();
        try {
            Map<String, Reader> readers = new LinkedHashMap<>();
            List<RandomReads.AtollRun> atollRuns = new ArrayList<>(); // the warm-up's first
            if (uringUnavailable.isEmpty()) {
                for (String impl : List.of(ATOLL, ATOLL_PLAIN)) {
                    ConfigSources sources = ConfigSources.none()
                            .withOption("atoll.driver", "io_uring", "uring benchmark")
                            .withOption("atoll.shards.count", Integer.toString(READERS), "uring benchmark")
                            .withOption("atoll.shards.pin", "false", "uring benchmark");
                    if (impl.equals(ATOLL_PLAIN)) {
                        sources = sources.withOption("atoll.io-uring.registered-buffers", "0", "uring benchmark")
                                .withOption("atoll.io-uring.registered-files", "0", "uring benchmark");
                    }
                    ShardRuntime shards = ShardRuntime.start(AtollConfig.load(sources));
                    atolls.add(shards);
                    readers.put(impl, seconds -> {
                        RandomReads.AtollRun run = RandomReads.atoll(shards, file, atollOptions, QUEUE_DEPTH,
                                Duration.ofSeconds(seconds));
                        if (impl.equals(ATOLL)) {
                            atollRuns.add(run);
                        }
                        return run.readsPerSecond();
                    });
                }
            }
            readers.put(FILE_CHANNEL, seconds -> RandomReads.fileChannel(file, channelOptions, READERS,
                    Duration.ofSeconds(seconds)));
            readers.put(FIO, seconds -> fio.randomReads(file, RandomReads.BLOCK, QUEUE_DEPTH, READERS, direct, seconds));

            System.out.println(mode + ": warm-up, " + readWarmupSeconds + " s of each ...");
            for (Reader reader : readers.values()) {
                reader.readsPerSecond(readWarmupSeconds);
            }
            List<String> impls = new ArrayList<>(readers.keySet());
            Map<String, double[]> rates = new LinkedHashMap<>();
            for (int round = 0; round < readRounds; round++) {
                StringBuilder line = new StringBuilder(mode + " round " + (round + 1) + ":");
                for (int i = 0; i < impls.size(); i++) {
                    String impl = impls.get((i + round) % impls.size());
                    double rate = readers.get(impl).readsPerSecond(readSeconds);
                    rates.computeIfAbsent(impl, k -> new double[readRounds])[round] = rate;
                    line.append(String.format("  %s %,.0f reads/s", impl, rate));
                }
                System.out.println(line);
            }
            String name = "4 KiB random reads, " + mode;
            for (String impl : impls) {
                report.result(name, impl, BenchReport.median(rates.get(impl)), "reads/s", BenchReport.Better.HIGHER);
            }
            if (rates.containsKey(ATOLL)) {
                long plain = atollRuns.stream().filter(run -> !run.fixed()).count();
                String fixed = plain == 0
                        ? "READ_FIXED on a registered file in every run"
                        : "plain READ in " + plain + " of " + atollRuns.size()
                                + " runs (the kernel refused registered buffers or files: see the log)";
                System.out.println("atoll " + mode + ": " + fixed);
                report.setting("atoll_read_path_" + (direct ? "direct" : "warm"), fixed);
                report.result("heap bytes allocated per read on the shard threads, " + mode, ATOLL,
                        medianAfterWarmUp(atollRuns, RandomReads.AtollRun::bytesPerRead), "bytes", BenchReport.Better.LOWER);
                report.result("driver system calls per read, " + mode, ATOLL,
                        medianAfterWarmUp(atollRuns, RandomReads.AtollRun::syscallsPerRead), "calls", BenchReport.Better.LOWER);
                double atollRate = BenchReport.median(rates.get(ATOLL));
                report.ratioHigherIsBetter(ATOLL + "/" + FIO + " " + name, atollRate,
                        BenchReport.median(rates.get(FIO)), 0.8);
                report.ratioHigherIsBetter(ATOLL + "/" + ATOLL_PLAIN + " " + name
                        + " (above 1: registered buffers and file faster)", atollRate,
                        BenchReport.median(rates.get(ATOLL_PLAIN)), 1.0);
                if (direct) {
                    report.ratioHigherIsBetter(ATOLL + "/" + FILE_CHANNEL + " " + name, atollRate,
                            BenchReport.median(rates.get(FILE_CHANNEL)), 1.5);
                }
            } else {
                System.out.println("NOTE: no Atoll row for " + mode + ": " + uringUnavailable.orElseThrow());
            }
        } finally {
            atolls.forEach(ShardRuntime::close);
        }
    }

}
