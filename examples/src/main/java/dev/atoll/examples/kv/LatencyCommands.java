package dev.atoll.examples.kv;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * LATENCY (LATEST, HISTORY, RESET, GRAPH, DOCTOR, HISTOGRAM, HELP), INFO latencystats and the three
 * settings behind them, as Redis 7.0 answers them: each shard keeps its own {@link LatencyMonitor};
 * a fan-out copies every shard's part and home merges them (an event's samples by second, the worse
 * of two in one second; histograms added) before replying.
 */
final class LatencyCommands {
    /**
     * {@code latency-monitor-threshold} (ms; 0: monitoring off, Redis's default), {@code latency-tracking}
     * (on by default, as in Redis 7) and {@code latency-tracking-info-percentiles} (50 99 99.9).
     */
    record Settings(long thresholdMillis, boolean tracking, double[] percentiles) {
        static final Settings DEFAULT = new Settings(0, true, new double[] {50, 99, 99.9});

        /** CONFIG SET of one of the three; throws with Redis's reason when {@code value} is refused. */
        Settings with(String name, String value) {
            switch (name) {
                case "latency-monitor-threshold" -> {
                    long n;
                    try {
                        n = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("argument couldn't be parsed into an integer");
                    }
                    if (n < 0) {
                        throw new IllegalArgumentException("argument must be between 0 and " + Long.MAX_VALUE + " inclusive");
                    }
                    return new Settings(n, tracking, percentiles);
                }
                case "latency-tracking" -> {
                    if (!value.equalsIgnoreCase("yes") && !value.equalsIgnoreCase("no")) {
                        throw new IllegalArgumentException("argument must be 'yes' or 'no'");
                    }
                    return new Settings(thresholdMillis, value.equalsIgnoreCase("yes"), percentiles);
                }
                default -> {
                    String[] words = value.isBlank() ? new String[0] : value.trim().split("\\s+");
                    double[] parsed = new double[words.length];
                    for (int i = 0; i < words.length; i++) {
                        try {
                            parsed[i] = Double.parseDouble(words[i]);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("Invalid latency-tracking-info-percentiles parameters");
                        }
                        if (!(parsed[i] >= 0 && parsed[i] <= 100)) {
                            throw new IllegalArgumentException(
                                    "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
                        }
                    }
                    return new Settings(thresholdMillis, tracking, parsed);
                }
            }
        }

        /** The three as CONFIG GET shows them. */
        void describe(Map<String, String> parameters) {
            parameters.put("latency-monitor-threshold", Long.toString(thresholdMillis));
            parameters.put("latency-tracking", tracking ? "yes" : "no");
            List<String> words = new ArrayList<>();
            for (double p : percentiles) {
                words.add(trimmed(p));
            }
            parameters.put("latency-tracking-info-percentiles", String.join(" ", words));
        }
    }

    /** The settings CONFIG SET may change (the others are HOCON's). */
    static final Set<String> SETTINGS = Set.of("latency-monitor-threshold", "latency-tracking",
            "latency-tracking-info-percentiles");
    private static final int GRAPH_COLUMNS = 80;
    private static final int GRAPH_ROWS = 4;
    private static final String[] HELP = {
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
        "HELP",
        "    Prints this help."};

    private LatencyCommands() {
    }

    /** LATENCY: its arguments checked here, its data gathered from every shard; null when answered at once. */
    static ReplySource latency(KvNode node, KvConnection connection, Request r, ReplyWriter out, int[] shards) {
        String sub = r.string(1).toLowerCase(Locale.ROOT);
        int n = r.count();
        boolean arityOk = switch (sub) {
            case "latest", "doctor", "help" -> n == 2;
            case "history", "graph" -> n == 3;
            default -> true; // reset, histogram: any count; an unknown one: its error below
        };
        if (!arityOk) {
            out.error(KvConnection.wrongArity("latency|" + sub));
            return null;
        }
        boolean resp3 = out.resp3();
        switch (sub) {
            case "latest", "history", "graph", "doctor" -> {
                String event = n == 3 ? r.string(2) : null;
                Settings settings = node.latency;
                return FanOut.startAside(node, connection, resp3, shards, shard -> shard.latency.events(),
                        (results, reply) -> eventsReply(sub, event, merged(results), settings, reply));
            }
            case "reset" -> {
                List<String> names = n == 2 ? null : new ArrayList<>();
                for (int i = 2; i < n; i++) {
                    names.add(r.string(i));
                }
                return FanOut.startAside(node, connection, resp3, shards, shard -> shard.latency.reset(names),
                        (results, reply) -> {
                            Set<Object> dropped = new HashSet<>(); // an event dropped on several shards counts once
                            for (Object o : results) {
                                dropped.addAll((Set<?>) o);
                            }
                            reply.integer(dropped.size());
                        });
            }
            case "histogram" -> {
                boolean[] wanted = null;
                if (n > 2) {
                    wanted = new boolean[CommandStats.SLOTS];
                    for (int i = 2; i < n; i++) {
                        String name = r.string(i).toLowerCase(Locale.ROOT);
                        for (int slot = 0; slot < CommandStats.SLOTS; slot++) {
                            String row = CommandStats.name(slot);
                            wanted[slot] |= row.equals(name) || row.startsWith(name + "|"); // a container: its subcommands too
                        }
                    }
                }
                boolean[] rows = wanted;
                return FanOut.startAside(node, connection, resp3, shards, shard -> shard.latency.histograms(rows),
                        (results, reply) -> histogramReply(merged(results, rows), reply));
            }
            case "help" -> {
                out.helpLines(HELP);
                return null;
            }
            default -> {
                out.error("ERR unknown subcommand '" + r.string(1) + "'. Try LATENCY HELP.");
                return null;
            }
        }
    }

    // ---- events ----

    /** Every shard's events merged: per event its samples by second (the worst of a second), the last {@link LatencyMonitor#SAMPLES}. */
    private static Map<String, LatencyMonitor.Series> merged(Object[] results) {
        Map<String, java.util.TreeMap<Long, Long>> bySecond = new LinkedHashMap<>();
        Map<String, Long> max = new LinkedHashMap<>();
        for (Object o : results) {
            @SuppressWarnings("unchecked") Map<String, LatencyMonitor.Series> events = (Map<String, LatencyMonitor.Series>) o;
            events.forEach((name, s) -> {
                java.util.TreeMap<Long, Long> samples = bySecond.computeIfAbsent(name, k -> new java.util.TreeMap<>());
                for (int i = 0; i < LatencyMonitor.SAMPLES; i++) {
                    if (s.times[i] != 0) {
                        samples.merge(s.times[i], s.millis[i], Math::max);
                    }
                }
                max.merge(name, s.max, Math::max);
            });
        }
        Map<String, LatencyMonitor.Series> merged = new LinkedHashMap<>();
        bySecond.forEach((name, samples) -> {
            LatencyMonitor.Series s = new LatencyMonitor.Series();
            int skip = Math.max(0, samples.size() - LatencyMonitor.SAMPLES);
            for (Map.Entry<Long, Long> e : samples.entrySet()) {
                if (skip-- <= 0) {
                    s.add(e.getKey(), e.getValue());
                }
            }
            s.max = max.get(name);
            merged.put(name, s);
        });
        return merged;
    }

    private static void eventsReply(String sub, String event, Map<String, LatencyMonitor.Series> events, Settings settings,
                                    ReplyWriter out) {
        switch (sub) {
            case "latest" -> {
                out.arrayHeader(events.size());
                events.forEach((name, s) -> {
                    int last = (s.next + LatencyMonitor.SAMPLES - 1) % LatencyMonitor.SAMPLES;
                    out.arrayHeader(4).bulk(name).integer(s.times[last]).integer(s.millis[last]).integer(s.max);
                });
            }
            case "history" -> {
                LatencyMonitor.Series s = events.get(event);
                List<long[]> samples = s == null ? List.of() : samples(s);
                out.arrayHeader(samples.size());
                for (long[] sample : samples) {
                    out.arrayHeader(2).integer(sample[0]).integer(sample[1]);
                }
            }
            case "graph" -> {
                LatencyMonitor.Series s = events.get(event);
                if (s == null) {
                    out.error("ERR No samples available for event '" + event + "'");
                } else {
                    out.verbatim(graph(event, s, System.currentTimeMillis() / 1000));
                }
            }
            default -> out.verbatim(doctor(events, settings));
        }
    }

    /** An event's samples, oldest first: (unix second, ms) pairs. */
    private static List<long[]> samples(LatencyMonitor.Series s) {
        List<long[]> samples = new ArrayList<>();
        for (int j = 0; j < LatencyMonitor.SAMPLES; j++) {
            int i = (s.next + j) % LatencyMonitor.SAMPLES;
            if (s.times[i] != 0) {
                samples.add(new long[] {s.times[i], s.millis[i]});
            }
        }
        return samples;
    }

    /**
     * LATENCY GRAPH as Redis draws it: a title with the samples' high, low and all-time high, a rule,
     * then an 80-column sparkline of 4 rows (filled with {@code _ o #} and {@code |}, lowest sample at the
     * bottom), each sample labelled below, vertically, with how long ago it was (s, m, h, d).
     */
    static String graph(String event, LatencyMonitor.Series s, long nowSeconds) {
        List<long[]> samples = samples(s);
        long high = 0;
        long low = 0;
        for (int i = 0; i < samples.size(); i++) {
            long ms = samples.get(i)[1];
            high = i == 0 ? ms : Math.max(high, ms);
            low = i == 0 ? ms : Math.min(low, ms);
        }
        StringBuilder b = new StringBuilder();
        b.append(event).append(" - high ").append(high).append(" ms, low ").append(low).append(" ms (all time high ")
                .append(s.max).append(" ms)\n").append("-".repeat(GRAPH_COLUMNS)).append('\n');
        String[] labels = new String[samples.size()];
        for (int i = 0; i < labels.length; i++) {
            long ago = nowSeconds - samples.get(i)[0];
            labels[i] = ago < 60 ? ago + "s" : ago < 3600 ? ago / 60 + "m" : ago < 86400 ? ago / 3600 + "h" : ago / 86400 + "d";
        }
        for (int from = 0; from < samples.size(); from += GRAPH_COLUMNS) {
            if (from != 0) {
                b.append('\n');
            }
            sparkline(b, samples, labels, from, Math.min(GRAPH_COLUMNS, samples.size() - from), low, high);
        }
        return b.toString();
    }

    /** Columns {@code [from, from + length)}: the rows of the bars, a blank row, then the labels a character a row. */
    private static void sparkline(StringBuilder b, List<long[]> samples, String[] labels, int from, int length, long low,
                                  long high) {
        final String fill = "_o#";
        int steps = fill.length() * GRAPH_ROWS;
        double range = high - low == 0 ? 1 : high - low;
        char[] row = new char[length];
        for (int r = 0; ; r++) {
            Arrays.fill(row, ' ');
            boolean any = r <= GRAPH_ROWS; // the bars' rows and the blank one under them
            for (int j = 0; j < length && r != GRAPH_ROWS; j++) {
                int step = (int) ((samples.get(from + j)[1] - low) * steps / range);
                step = Math.max(0, Math.min(steps - 1, step));
                if (r < GRAPH_ROWS) {
                    int index = step - (GRAPH_ROWS - r - 1) * fill.length();
                    row[j] = index >= 0 && index < fill.length() ? fill.charAt(index) : index >= fill.length() ? '|' : ' ';
                } else {
                    String label = labels[from + j];
                    int at = r - GRAPH_ROWS - 1;
                    if (at < label.length()) {
                        any = true;
                        row[j] = label.charAt(at);
                    }
                }
            }
            if (!any) {
                return;
            }
            b.append(row).append('\n');
        }
    }

    /** LATENCY DOCTOR: this server's report (its words), each event's figures in the shape of Redis's report. */
    static String doctor(Map<String, LatencyMonitor.Series> events, Settings settings) {
        if (events.isEmpty() && settings.thresholdMillis() == 0) {
            return "Latency monitoring is disabled on this server: no event is sampled while latency-monitor-threshold is 0."
                    + " CONFIG SET latency-monitor-threshold <milliseconds> turns it on; LATENCY HISTOGRAM and INFO"
                    + " latencystats show the per-command latency distributions meanwhile.\n";
        }
        if (events.isEmpty()) {
            return "No latency spike was observed since monitoring started (threshold " + settings.thresholdMillis()
                    + " ms).\n";
        }
        StringBuilder b = new StringBuilder("Latency spikes were observed on this server:\n\n");
        int number = 0;
        long nowSeconds = System.currentTimeMillis() / 1000;
        Set<String> advice = new java.util.LinkedHashSet<>();
        for (Map.Entry<String, LatencyMonitor.Series> e : events.entrySet()) {
            List<long[]> samples = samples(e.getValue());
            long sum = 0;
            long oldest = Long.MAX_VALUE;
            for (long[] s : samples) {
                sum += s[1];
                oldest = Math.min(oldest, s[0]);
            }
            long avg = samples.isEmpty() ? 0 : sum / samples.size();
            long deviation = 0;
            for (long[] s : samples) {
                deviation += Math.abs(avg - s[1]);
            }
            deviation = samples.isEmpty() ? 0 : deviation / samples.size();
            long period = samples.isEmpty() ? 0 : Math.max(1, nowSeconds - oldest);
            b.append(String.format(Locale.ROOT,
                    "%d. %s: %d latency spikes (average %dms, mean deviation %dms, period %.2f sec). Worst all time event %dms.\n",
                    ++number, e.getKey(), samples.size(), avg, deviation,
                    samples.isEmpty() ? 0.0 : (double) period / samples.size(), e.getValue().max));
            switch (e.getKey()) {
                case "command" -> advice.add("- Slow commands: SLOWLOG GET lists them; deleting or expiring large values"
                        + " blocks their shard as long as it takes.");
                case "fast-command" -> advice.add("- Commands that should be fast were slow: the machine may not give the"
                        + " shards' threads CPU time (load, a noisy neighbour, too few cores for the shards).");
                case "expire-cycle" -> advice.add("- The active expiry cycle was slow: many keys expiring at once, or large"
                        + " ones; spread their expiry times.");
                default -> { }
            }
        }
        if (!advice.isEmpty()) {
            b.append("\nAdvice:\n\n");
            advice.forEach(line -> b.append(line).append('\n'));
        }
        return b.toString();
    }

    // ---- histograms ----

    /** Every shard's histograms added, per row; null for a row none has. */
    private static Histogram[] merged(Object[] results, boolean[] wanted) {
        Histogram[] merged = new Histogram[CommandStats.SLOTS];
        for (Object o : results) {
            Histogram[] part = (Histogram[]) o;
            for (int slot = 0; slot < part.length; slot++) {
                if (part[slot] != null && (wanted == null || wanted[slot])) {
                    if (merged[slot] == null) {
                        merged[slot] = part[slot];
                    } else {
                        merged[slot].add(part[slot]);
                    }
                }
            }
        }
        return merged;
    }

    /**
     * Redis's LATENCY HISTOGRAM: per command row a map of its calls and {@code histogram_usec}, the
     * cumulative count at each power-of-two bucket from 1024 ns (Redis's log iterator, base 2), keyed by
     * the bucket's highest equivalent value in µs, only where the count grew.
     */
    private static void histogramReply(Histogram[] histograms, ReplyWriter out) {
        int rows = 0;
        for (Histogram h : histograms) {
            rows += h != null ? 1 : 0;
        }
        out.mapHeader(rows);
        for (int slot = 0; slot < histograms.length; slot++) {
            Histogram h = histograms[slot];
            if (h == null) {
                continue;
            }
            List<long[]> buckets = new ArrayList<>();
            long previous = 0;
            long total = h.getTotalCount();
            for (long level = 1024; previous < total; level *= 2) {
                long cumulative = h.getCountBetweenValues(0, level);
                if (cumulative > previous) {
                    buckets.add(new long[] {h.highestEquivalentValue(level) / 1000, cumulative});
                }
                previous = cumulative;
            }
            out.bulk(CommandStats.name(slot));
            out.mapHeader(2).bulk("calls").integer(total).bulk("histogram_usec").mapHeader(buckets.size());
            for (long[] bucket : buckets) {
                out.integer(bucket[0]).integer(bucket[1]);
            }
        }
    }

    /** INFO latencystats: per command row {@code latency_percentiles_usec_<row>:p50=…,p99=…} (Redis's format). */
    static String infoSection(Histogram[] histograms, double[] percentiles) {
        StringBuilder b = new StringBuilder("# Latencystats\r\n");
        for (int slot = 0; slot < histograms.length; slot++) {
            Histogram h = histograms[slot];
            if (h == null) {
                continue;
            }
            b.append("latency_percentiles_usec_").append(CommandStats.name(slot)).append(':');
            for (int i = 0; i < percentiles.length; i++) {
                b.append(i == 0 ? "" : ",").append('p').append(trimmed(percentiles[i])).append('=')
                        .append(String.format(Locale.ROOT, "%.3f", valueAtPercentile(h, percentiles[i]) / 1000.0));
            }
            b.append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    /** The merged histograms INFO latencystats reports, from every shard's copies. */
    static Histogram[] mergedForInfo(List<Histogram[]> parts) {
        return merged(parts.toArray(), null);
    }

    /** hdr_histogram's hdr_value_at_percentile, as Redis 7.0 bundles it (its count rounds half up, at least 1). */
    static long valueAtPercentile(Histogram h, double percentile) {
        long countAt = Math.max(1, (long) (Math.min(percentile, 100.0) / 100 * h.getTotalCount() + 0.5));
        for (HistogramIterationValue v : h.recordedValues()) {
            if (v.getTotalCountToThisValue() >= countAt) {
                long value = v.getValueIteratedTo();
                return percentile == 0.0 ? h.lowestEquivalentValue(value) : h.highestEquivalentValue(value);
            }
        }
        return 0;
    }

    /** A percentile as Redis prints it: {@code %f} without its trailing zeros (50, 99.9). */
    private static String trimmed(double p) {
        return new BigDecimal(String.format(Locale.ROOT, "%f", p)).stripTrailingZeros().toPlainString();
    }
}
