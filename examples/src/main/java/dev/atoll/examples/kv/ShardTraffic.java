package dev.atoll.examples.kv;

import java.time.Duration;

/**
 * A shard's network counters (INFO stats' {@code total_net_*}, {@code total_reads_processed},
 * {@code total_writes_processed}) and the rates made from them ({@code instantaneous_*}), as Redis keeps
 * them: every 100 ms a sample of each rate since the last sample goes into a ring of 16, and a rate
 * reported is the ring's mean (Redis's {@code trackInstantaneousMetric}, the last 1.6 s).
 *
 * <p>Touched only on its shard's thread. The sampling runs while there is traffic: a read arms it
 * ({@link #read}), and it stops once a whole ring of samples saw nothing, so an idle shard is not woken
 * ten times a second for it (Redis's cron runs regardless; its rates are then all zero, as these are).
 */
final class ShardTraffic {
    static final Duration SAMPLE_PERIOD = Duration.ofMillis(100);
    private static final int SAMPLES = 16;

    /** The metrics sampled, in {@link #rates}' order. */
    private static final int OPS = 0;
    private static final int NET_INPUT = 1;
    private static final int NET_OUTPUT = 2;
    private static final int REPL_INPUT = 3;
    private static final int REPL_OUTPUT = 4;
    private static final int METRICS = 5;

    long inputBytes;
    long outputBytes;
    /** Bytes of a master's stream read by a replica's link, and of the stream sent to replicas. */
    long replInputBytes;
    long replOutputBytes;
    long reads;
    long writes;

    private final double[][] rates = new double[METRICS][SAMPLES];
    private final long[] lastValue = new long[METRICS];
    private long lastSampleNanos;
    private int slot;
    /** Samples in a row in which nothing moved; the sampling stops at {@link #SAMPLES}. */
    private int quietSamples;
    private boolean sampling;

    /** A snapshot for INFO: the totals, and the rates per second (ops) or KiB per second (the rest). */
    record Snapshot(long inputBytes, long outputBytes, long replInputBytes, long replOutputBytes, long reads,
                    long writes, double opsPerSecond, double inputKbps, double outputKbps, double replInputKbps,
                    double replOutputKbps) {
        static final Snapshot ZERO = new Snapshot(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        Snapshot plus(Snapshot o) {
            return new Snapshot(inputBytes + o.inputBytes, outputBytes + o.outputBytes,
                    replInputBytes + o.replInputBytes, replOutputBytes + o.replOutputBytes, reads + o.reads,
                    writes + o.writes, opsPerSecond + o.opsPerSecond, inputKbps + o.inputKbps,
                    outputKbps + o.outputKbps, replInputKbps + o.replInputKbps, replOutputKbps + o.replOutputKbps);
        }
    }

    /**
     * A read of {@code bytes} from a connection ({@code fromMaster}: a replica's link to its master); true when
     * the caller must start the sampling ({@link #startSampling}) because it is not running.
     */
    boolean read(int bytes, boolean fromMaster) {
        reads++;
        if (fromMaster) {
            replInputBytes += bytes;
        } else {
            inputBytes += bytes;
        }
        return !sampling;
    }

    /** A write of {@code bytes} ended ({@code toReplica}: on a replica's connection, the stream or its RDB file). */
    void written(int bytes, boolean toReplica) {
        writes++;
        if (toReplica) {
            replOutputBytes += bytes;
        } else {
            outputBytes += bytes;
        }
    }

    /** The sampling begins now, from the counters as they are ({@code commands}: the shard's so far). */
    void startSampling(long nowNanos, long commands) {
        sampling = true;
        quietSamples = 0;
        lastSampleNanos = nowNanos;
        remember(commands);
    }

    /**
     * Takes a sample ({@link #SAMPLE_PERIOD} after the last); false when the sampling stops here, after a whole
     * ring of samples in which nothing moved.
     */
    boolean sample(long nowNanos, long commands) {
        double seconds = Math.max(1, nowNanos - lastSampleNanos) / 1e9;
        long[] now = values(commands);
        boolean moved = false;
        for (int m = 0; m < METRICS; m++) {
            long delta = now[m] - lastValue[m];
            moved |= delta != 0;
            rates[m][slot] = delta / seconds;
            lastValue[m] = now[m];
        }
        slot = (slot + 1) % SAMPLES;
        lastSampleNanos = nowNanos;
        quietSamples = moved ? 0 : quietSamples + 1;
        sampling = quietSamples < SAMPLES;
        return sampling;
    }

    /** Whether the sampling is running (a read arms it; a whole ring of quiet samples stops it). */
    boolean sampling() {
        return sampling;
    }

    Snapshot snapshot() {
        return new Snapshot(inputBytes, outputBytes, replInputBytes, replOutputBytes, reads, writes, mean(OPS),
                mean(NET_INPUT) / 1024, mean(NET_OUTPUT) / 1024, mean(REPL_INPUT) / 1024, mean(REPL_OUTPUT) / 1024);
    }

    private double mean(int metric) {
        double sum = 0;
        for (double r : rates[metric]) {
            sum += r;
        }
        return sum / SAMPLES;
    }

    private void remember(long commands) {
        System.arraycopy(values(commands), 0, lastValue, 0, METRICS);
    }

    private long[] values(long commands) {
        return new long[] {commands, inputBytes, outputBytes, replInputBytes, replOutputBytes};
    }
}
