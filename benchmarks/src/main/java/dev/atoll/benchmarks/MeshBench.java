package dev.atoll.benchmarks;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.AtollSettings;
import dev.atoll.config.ConfigSources;
import dev.atoll.drivers.Platform;
import dev.atoll.drivers.ThreadPlacement;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.ShardStats;
import org.HdrHistogram.Histogram;
import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./atoll bench mesh}: cross-shard messaging against its limit and against what a user would
 * otherwise write, in one run.
 *
 * <ul>
 *   <li>one-way throughput from shard 0 to shard 1 through the mesh, with the default idle strategy
 *       ({@code adaptive}) and with {@code sleep}, and the heap bytes each shard thread allocated per
 *       message (the message object is the same one every time, so this is the mesh's own cost);</li>
 *   <li>the same JCTools SPSC queue class with the same message objects between two bare threads,
 *       placed on the same CPUs, both spinning (the limit);</li>
 *   <li>a {@link ThreadPoolExecutor} hand-off (one worker, unbounded queue), placed the same way;</li>
 *   <li>call/reply round-trip latency from shard 0 to shard 1 with the target asleep between
 *       requests and with it kept busy, and the wake system calls counted while it was busy.</li>
 * </ul>
 * Throughput runs are alternated (mesh, raw, executor, mesh, ...) after a warm-up round of each;
 * the median round is reported.
 */
public final class MeshBench {
    private static final int SEND_BATCH = 4096;

    /** The idle strategy of the second mesh configuration: sleep at once, woken by each batch. */
    private static final String SLEEP = "sleep";

    private final BenchArgs args;
    private final AtollSettings settings;
    private final AtollSettings sleeping;
    private final Platform platform = Platform.current();
    private final long messages;
    private final int rounds;
    private final int latencySamples;

    private MeshBench(BenchArgs args) {
        this.args = args;
        ConfigSources twoShards = ConfigSources.none().withOption("atoll.shards.count", "2", "mesh benchmark");
        this.settings = AtollConfig.load(twoShards).settings();
        this.sleeping = AtollConfig.load(twoShards.withOption("atoll.shards.idle.strategy", SLEEP, "mesh benchmark"))
                .settings();
        this.messages = args.quick() ? 2_000_000 : 20_000_000;
        this.rounds = args.quick() ? 1 : 3;
        this.latencySamples = args.quick() ? 2_000 : 20_000;
    }

    public static void run(BenchArgs args) throws Exception {
        new MeshBench(args).measure();
    }

    private void measure() throws Exception {
        BenchReport report = BenchReport.forRun(args);
        double[] mesh = new double[rounds];
        double[] meshSleep = new double[rounds];
        double[] raw = new double[rounds];
        double[] executor = new double[rounds];
        double[] coreToCore = new double[rounds];
        long meshWakes;
        double[] costs;
        try (ShardRuntime shards = ShardRuntime.start(settings); ShardRuntime sleepingShards = ShardRuntime.start(sleeping)) {
            report.setting("shards", shards.shardCount())
                    .setting("driver", shards.driverKind().displayName())
                    .setting("placement", String.join("; ", shards.placements()))
                    .setting("pin", settings.shards().pin())
                    .setting("queue_capacity", settings.mesh().queueCapacity())
                    .setting("idle", settings.shards().idle() + " (atoll-mesh); strategy " + SLEEP
                            + " (atoll-mesh-sleep)")
                    .setting("messages_per_round", messages)
                    .setting("rounds_after_warmup", rounds)
                    .setting("send_batch", SEND_BATCH + " per turn, stopping at the first message parked in overflow")
                    .setting("raw_spsc", "SpscVarHandleArrayQueue, 2 spinning platform threads placed as shards 0 and 1")
                    .setting("executor", "ThreadPoolExecutor(1, LinkedBlockingQueue), producer and worker placed as shards 0 and 1")
                    .setting("latency_samples", latencySamples)
                    .setting("gc", java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                            .map(java.lang.management.GarbageCollectorMXBean::getName)
                            .collect(java.util.stream.Collectors.joining(", ")))
                    .setting("platform", platform.describe());
            System.out.println("warm-up ...");
            meshOneWay(shards, messages / 4);
            meshOneWay(sleepingShards, messages / 4);
            rawSpsc(messages / 4);
            executorHandOff(messages / 4);
            long wakesBefore = shards.shard(0).stats().wakesSent();
            for (int round = 0; round < rounds; round++) {
                settle();
                coreToCore[round] = CoreToCore.roundTripNanos(shards, Duration.ofMillis(100));
                mesh[round] = meshOneWay(shards, messages);
                settle();
                meshSleep[round] = meshOneWay(sleepingShards, messages);
                settle();
                raw[round] = rawSpsc(messages);
                settle();
                executor[round] = executorHandOff(messages);
                System.out.printf("round %d: [core-to-core round trip %.0f ns]  mesh %,.0f  mesh-sleep %,.0f  raw-spsc %,.0f"
                        + "  executor %,.0f msgs/s%n", round + 1, coreToCore[round], mesh[round], meshSleep[round], raw[round],
                        executor[round]);
            }
            meshWakes = shards.shard(0).stats().wakesSent() - wakesBefore;
            costs = costPerMessage(shards);
            latency(shards, report, "atoll-mesh");
            latency(sleepingShards, report, "atoll-mesh-sleep");
        }
        double meshRate = BenchReport.median(mesh);
        double meshSleepRate = BenchReport.median(meshSleep);
        double rawRate = BenchReport.median(raw);
        double executorRate = BenchReport.median(executor);
        report.result("one-way throughput", "atoll-mesh", meshRate, "msgs/s", BenchReport.Better.HIGHER)
                .result("one-way throughput", "atoll-mesh-sleep", meshSleepRate, "msgs/s", BenchReport.Better.HIGHER)
                .result("one-way throughput", "raw-spsc", rawRate, "msgs/s", BenchReport.Better.HIGHER)
                .result("one-way throughput", "thread-pool-executor", executorRate, "msgs/s", BenchReport.Better.HIGHER)
                .result("wake syscalls by the sender during throughput rounds", "atoll-mesh", meshWakes, "syscalls",
                        BenchReport.Better.LOWER)
                .result("heap bytes allocated per message, sending shard", "atoll-mesh", costs[0], "bytes",
                        BenchReport.Better.LOWER)
                .result("heap bytes allocated per message, receiving shard", "atoll-mesh", costs[1], "bytes",
                        BenchReport.Better.LOWER)
                .result("CPU per message, sending shard", "atoll-mesh", costs[2], "ns", BenchReport.Better.LOWER)
                .result("CPU per message, receiving shard", "atoll-mesh", costs[3], "ns", BenchReport.Better.LOWER)
                .result("messages per flush", "atoll-mesh", costs[4], "msgs", BenchReport.Better.HIGHER)
                .result("wakes per flush", "atoll-mesh", costs[5], "wakes", BenchReport.Better.LOWER)
                .result("core-to-core round trip of one cache line", "machine", BenchReport.median(coreToCore), "ns",
                        BenchReport.Better.LOWER);
        report.ratioHigherIsBetter("atoll-mesh/raw-spsc one-way throughput", meshRate, rawRate, 0.5);
        report.ratioHigherIsBetter("atoll-mesh-sleep/raw-spsc one-way throughput", meshSleepRate, rawRate, 0.5);
        report.ratioHigherIsBetter("atoll-mesh/thread-pool-executor one-way throughput", meshRate, executorRate, 5.0);
        report.ratioHigherIsBetter("atoll-mesh-sleep/thread-pool-executor one-way throughput", meshSleepRate,
                executorRate, 5.0);
        report.publish(args);
    }

    // ---- throughput ----

    /** The message of every throughput run: counts itself on the receiving thread, completes at the end. */
    private static final class Delivery implements Runnable {
        private final long expected;
        private final CompletableFuture<Long> done = new CompletableFuture<>();
        private long count;   // written by the receiving thread only

        Delivery(long expected) {
            this.expected = expected;
        }

        @Override
        public void run() {
            if (++count == expected) {
                done.complete(System.nanoTime());
            }
        }

        long awaitEnd() {
            return done.orTimeout(10, TimeUnit.MINUTES).join();
        }
    }

    private double meshOneWay(ShardRuntime shards, long n) {
        Delivery delivery = new Delivery(n);
        long start = System.nanoTime();
        shards.execute(0, new Runnable() {
            private long sent;

            @Override
            public void run() {
                Shard here = Shard.current();
                // Back-pressure: stop at the first message that had to wait in the overflow list
                // (the queue is full); the flush moves it on, and the next turn goes on from there.
                long end = Math.min(n, sent + SEND_BATCH);
                while (sent < end && here.backlog(1) == 0) {
                    here.send(1, delivery);
                    sent++;
                }
                if (sent < n) {
                    here.execute(this);
                }
            }
        });
        return n / ((delivery.awaitEnd() - start) / 1e9);
    }

    /**
     * One more run, measured per message on each shard thread (HotSpot's per-thread counters, the same
     * message object sent every time, so the bytes are what the mesh itself allocates): heap bytes and
     * CPU nanoseconds on the sending and the receiving shard, then messages and wakes per flush.
     */
    private double[] costPerMessage(ShardRuntime shards) {
        long[] bytes = {ShardThreadCounters.allocatedBytes(shards, 0), ShardThreadCounters.allocatedBytes(shards, 1)};
        long[] cpu = {ShardThreadCounters.cpuNanos(shards, 0), ShardThreadCounters.cpuNanos(shards, 1)};
        ShardStats.Snapshot sender = shards.shard(0).stats();
        meshOneWay(shards, messages);
        ShardStats.Snapshot senderAfter = shards.shard(0).stats();
        double n = messages;
        double[] cost = {
                (ShardThreadCounters.allocatedBytes(shards, 0) - bytes[0]) / n,
                (ShardThreadCounters.allocatedBytes(shards, 1) - bytes[1]) / n,
                (ShardThreadCounters.cpuNanos(shards, 0) - cpu[0]) / n,
                (ShardThreadCounters.cpuNanos(shards, 1) - cpu[1]) / n,
                (senderAfter.messagesOut() - sender.messagesOut()) / (double) Math.max(1, senderAfter.batchesOut() - sender.batchesOut()),
                (senderAfter.wakesSent() - sender.wakesSent()) / (double) Math.max(1, senderAfter.batchesOut() - sender.batchesOut())};
        System.out.printf("per message: heap bytes %.4f sending, %.4f receiving; CPU %.1f ns sending, %.1f ns receiving;"
                + " %.1f messages per flush, %.5f wakes per flush%n", cost[0], cost[1], cost[2], cost[3], cost[4], cost[5]);
        return cost;
    }

    private double rawSpsc(long n) throws InterruptedException {
        SpscVarHandleArrayQueue<Runnable> queue = new SpscVarHandleArrayQueue<>(settings.mesh().queueCapacity());
        Delivery delivery = new Delivery(n);
        Thread consumer = Thread.ofPlatform().name("raw-spsc-consumer").start(() -> {
            ThreadPlacement.place(1, settings.shards(), platform);
            long seen = 0;
            while (seen < n) {
                Runnable message = queue.poll();
                if (message != null) {
                    message.run();
                    seen++;
                } else {
                    Thread.onSpinWait();
                }
            }
        });
        long[] start = new long[1];
        Thread producer = Thread.ofPlatform().name("raw-spsc-producer").start(() -> {
            ThreadPlacement.place(0, settings.shards(), platform);
            start[0] = System.nanoTime();
            for (long i = 0; i < n; i++) {
                while (!queue.offer(delivery)) {
                    Thread.onSpinWait();
                }
            }
        });
        long end = delivery.awaitEnd();
        producer.join();
        consumer.join();
        return n / ((end - start[0]) / 1e9);
    }

    private double executorHandOff(long n) throws InterruptedException {
        ExecutorService executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().name("executor-worker").unstarted(() -> {
                    ThreadPlacement.place(1, settings.shards(), platform);
                    r.run();
                }));
        Delivery delivery = new Delivery(n);
        long[] start = new long[1];
        Thread producer = Thread.ofPlatform().name("executor-producer").start(() -> {
            ThreadPlacement.place(0, settings.shards(), platform);
            start[0] = System.nanoTime();
            for (long i = 0; i < n; i++) {
                executor.execute(delivery);
            }
        });
        long end = delivery.awaitEnd();
        producer.join();
        executor.shutdown();
        executor.awaitTermination(1, TimeUnit.MINUTES);
        return n / ((end - start[0]) / 1e9);
    }

    // ---- latency ----

    private void latency(ShardRuntime shards, BenchReport report, String impl) {
        Histogram asleep = roundTrips(shards, Duration.ofNanos(200_000), false);
        long callerWakesBefore = shards.shard(0).stats().wakesSent();
        long targetWakesBefore = shards.shard(1).stats().wakesSent();
        Histogram busy = roundTrips(shards, Duration.ZERO, true);
        long wakesToBusyTarget = shards.shard(0).stats().wakesSent() - callerWakesBefore;
        long wakesBackToCaller = shards.shard(1).stats().wakesSent() - targetWakesBefore;
        report.result("round trip p50, target idle 200us before each call", impl, micros(asleep, 50), "us",
                        BenchReport.Better.LOWER)
                .result("round trip p99, target idle 200us before each call", impl, micros(asleep, 99), "us",
                        BenchReport.Better.LOWER)
                .result("round trip p50, target busy", impl, micros(busy, 50), "us", BenchReport.Better.LOWER)
                .result("round trip p99, target busy", impl, micros(busy, 99), "us", BenchReport.Better.LOWER)
                .result("wake syscalls to the busy target", impl, wakesToBusyTarget, "syscalls",
                        BenchReport.Better.LOWER)
                .result("wake syscalls back to the waiting caller", impl, wakesBackToCaller, "syscalls",
                        BenchReport.Better.LOWER);
    }

    private static double micros(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }

    /**
     * {@code latencySamples} calls from shard 0 to shard 1, one at a time, {@code pause} apart. With
     * {@code keepTargetBusy}, shard 1 runs a task that re-queues itself all the while, so it never sleeps.
     */
    private Histogram roundTrips(ShardRuntime shards, Duration pause, boolean keepTargetBusy) {
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        boolean[] stopBusy = new boolean[1];   // written and read on shard 1 only
        if (keepTargetBusy) {
            shards.execute(1, new Runnable() {
                @Override
                public void run() {
                    if (!stopBusy[0]) {
                        Shard.current().execute(this);
                    }
                }
            });
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        shards.execute(0, new Runnable() {
            private int remaining = latencySamples;

            @Override
            public void run() {
                Shard here = Shard.current();
                long start = System.nanoTime();
                here.call(1, () -> Boolean.TRUE).whenComplete((ignored, failure) -> {
                    histogram.recordValue(System.nanoTime() - start);
                    if (--remaining == 0) {
                        done.complete(null);
                    } else if (pause.isZero()) {
                        here.execute(this);
                    } else {
                        here.schedule(pause, this);
                    }
                });
            }
        });
        done.orTimeout(10, TimeUnit.MINUTES).join();
        if (keepTargetBusy) {
            shards.submit(1, () -> stopBusy[0] = true).join();
        }
        return histogram;
    }

    /**
     * Collects the garbage of the previous run (the executor's queue nodes above all) before the next
     * starts, so no run shares the two CPUs with the collector's threads cleaning up after another.
     */
    private static void settle() {
        System.gc();
    }

}
