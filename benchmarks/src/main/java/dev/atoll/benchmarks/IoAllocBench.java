package dev.atoll.benchmarks;

import dev.atoll.benchmarks.jmh.IoRoundTripBenchmark;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;

/**
 * {@code ./atoll bench io-alloc}: JMH with {@code -prof gc} over loopback round trips on one shard
 * ({@link IoRoundTripBenchmark}); reports round trips per second and bytes allocated per round trip
 * (four socket operations: a write and a read on each side).
 */
final class IoAllocBench {
    private IoAllocBench() {
    }

    static void run(BenchArgs args) throws Exception {
        int iterations = args.quick() ? 2 : 5;
        int seconds = args.quick() ? 2 : 5;
        Options options = new OptionsBuilder()
                .include(IoRoundTripBenchmark.class.getName())
                .forks(1)
                .warmupIterations(iterations)
                .warmupTime(TimeValue.seconds(seconds))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(seconds))
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "-XX:+UseZGC")
                .addProfiler(GCProfiler.class)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        BenchReport report = BenchReport.forRun(args)
                .setting("shards", 1)
                .setting("driver", "epoll")
                .setting("message_bytes", 64)
                .setting("jmh", iterations + " warm-up + " + iterations + " measured iterations of " + seconds + " s, 1 fork")
                .setting("gc", "ZGC");
        for (RunResult result : results) {
            double rate = result.getPrimaryResult().getScore();
            double bytes = result.getSecondaryResults().get("·gc.alloc.rate.norm") != null
                    ? result.getSecondaryResults().get("·gc.alloc.rate.norm").getScore()
                    : result.getSecondaryResults().get("gc.alloc.rate.norm").getScore();
            report.result("loopback round trips", "atoll-epoll", rate, "ops/s", BenchReport.Better.HIGHER);
            report.result("allocated per round trip (4 socket operations)", "atoll-epoll", bytes, "B/op",
                    BenchReport.Better.LOWER);
        }
        report.publish(args);
    }
}
