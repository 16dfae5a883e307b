package dev.atoll.examples.kv;

import org.HdrHistogram.Histogram;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One shard's latency data, touched by its thread only: the latency monitor's events (Redis's
 * latency.c: per event a ring of the last {@link #SAMPLES} per-second samples, the worst of each
 * second kept, and the worst ever), sampled when something took at least {@code
 * latency-monitor-threshold} ms; and, with {@code latency-tracking} on, one HdrHistogram per
 * command row ({@link CommandStats} slot) of what each call took, as Redis 7's per-command
 * histograms (1 ns to 1 s, 2 significant digits, in whole microseconds as Redis measures them).
 * Recording a call is one array increment in a histogram made at the row's first call: it allocates
 * nothing after that. LATENCY and INFO latencystats read copies ({@link #events()}, {@link
 * #histograms}) through a fan-out and merge them ({@link LatencyCommands}).
 */
final class LatencyMonitor {
    /** Samples kept per event, as Redis's LATENCY_TS_LEN. */
    static final int SAMPLES = 160;
    /** Redis's CMD_LATENCY_HISTOGRAM_MIN_VALUE and _MAX_VALUE (ns) and its precision. */
    static final long HISTOGRAM_MIN = 1;
    static final long HISTOGRAM_MAX = 1_000_000_000L;
    static final int HISTOGRAM_DIGITS = 2;
    private static final boolean[] FAST = new boolean[Command.values().length];

    static {
        for (Command c : Command.values()) {
            FAST[c.ordinal()] = Arrays.asList(c.flags).contains("fast");
        }
    }

    /** One event's samples: a ring of (unix second, ms), oldest first from {@code next}, and its worst ever. */
    static final class Series {
        final long[] times = new long[SAMPLES];
        final long[] millis = new long[SAMPLES];
        int next;
        long max;

        /** Redis's latencyAddSample: a second already sampled keeps the worse of the two. */
        void add(long second, long latency) {
            max = Math.max(max, latency);
            int previous = (next + SAMPLES - 1) % SAMPLES;
            if (times[previous] == second) {
                millis[previous] = Math.max(millis[previous], latency);
                return;
            }
            times[next] = second;
            millis[next] = latency;
            next = (next + 1) % SAMPLES;
        }

        Series copy() {
            Series s = new Series();
            System.arraycopy(times, 0, s.times, 0, SAMPLES);
            System.arraycopy(millis, 0, s.millis, 0, SAMPLES);
            s.next = next;
            s.max = max;
            return s;
        }
    }

    /** Events by name, in the order they were first sampled. */
    private final Map<String, Series> events = new LinkedHashMap<>();
    private final Histogram[] histograms = new Histogram[CommandStats.SLOTS];

    /** The event a command's call is sampled as: Redis's "fast-command" for a command flagged fast, else "command". */
    static String commandEvent(Command command) {
        return FAST[command.ordinal()] ? "fast-command" : "command";
    }

    /**
     * One command call that took {@code nanos} (row {@code slot}; -1: none): into its histogram when
     * tracking is on, and sampled as "command" or "fast-command" when at least the threshold, as
     * Redis's call() does.
     */
    void recordCall(Command command, int slot, long nanos, LatencyCommands.Settings settings) {
        if (settings.tracking() && slot >= 0) {
            record(slot, nanos);
        }
        if (settings.thresholdMillis() > 0) {
            sampleIfSlow(commandEvent(command), nanos, settings.thresholdMillis());
        }
    }

    /** Redis's latencyAddSampleIfNeeded: samples {@code event} when it took at least the threshold (0: monitoring off). */
    void sampleIfSlow(String event, long nanos, long thresholdMillis) {
        long millis = nanos / 1_000_000;
        if (thresholdMillis > 0 && millis >= thresholdMillis) {
            events.computeIfAbsent(event, e -> new Series()).add(System.currentTimeMillis() / 1000, millis);
        }
    }

    /** Records a call of command row {@code slot} that took {@code nanos}, in whole microseconds as Redis does. */
    void record(int slot, long nanos) {
        Histogram h = histograms[slot];
        if (h == null) {
            h = histograms[slot] = new Histogram(HISTOGRAM_MIN, HISTOGRAM_MAX, HISTOGRAM_DIGITS);
        }
        h.recordValue(Math.min(Math.max(nanos / 1000 * 1000, HISTOGRAM_MIN), HISTOGRAM_MAX));
    }

    /** A copy of every event's samples. */
    Map<String, Series> events() {
        Map<String, Series> copy = new LinkedHashMap<>();
        events.forEach((name, series) -> copy.put(name, series.copy()));
        return copy;
    }

    /** LATENCY RESET: drops the events named (case-insensitively; null: all); answers the names dropped. */
    java.util.Set<String> reset(java.util.List<String> names) {
        java.util.Set<String> dropped = new java.util.HashSet<>();
        events.keySet().removeIf(name -> {
            boolean drop = names == null || names.stream().anyMatch(name::equalsIgnoreCase);
            if (drop) {
                dropped.add(name);
            }
            return drop;
        });
        return dropped;
    }

    /** Copies of the histograms of the rows {@code wanted} (null: all) that have one; null elsewhere. */
    Histogram[] histograms(boolean[] wanted) {
        Histogram[] copy = new Histogram[histograms.length];
        for (int slot = 0; slot < histograms.length; slot++) {
            if (histograms[slot] != null && (wanted == null || wanted[slot])) {
                copy[slot] = histograms[slot].copy();
            }
        }
        return copy;
    }

    /** CONFIG RESETSTAT: the histograms start again, as Redis's resetCommandTableStats frees them. */
    void resetHistograms() {
        Arrays.fill(histograms, null);
    }
}
