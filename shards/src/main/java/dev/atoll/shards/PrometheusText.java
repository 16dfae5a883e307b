package dev.atoll.shards;

import java.util.List;

/**
 * Writes per-shard {@link Metric}s in the Prometheus text exposition format 0.0.4: for each figure a
 * {@code # HELP} and a {@code # TYPE} line, then one sample per shard labelled {@code shard="N"}.
 * Counters are named with {@code _total}. Reads only what the shards publish, so any thread may
 * write a scrape at any time.
 */
public final class PrometheusText {
    /** The {@code Content-Type} of the text this writes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    /** Appends every figure of {@code metrics} for shards 0 to {@code shards - 1} to {@code out}. */
    public static StringBuilder write(List<Metric> metrics, int shards, StringBuilder out) {
        for (Metric metric : metrics) {
            boolean counter = metric.kind() == Metric.Kind.COUNTER;
            String name = counter ? metric.name() + "_total" : metric.name();
            out.append("# HELP ").append(name).append(' ').append(metric.help()).append('\n');
            out.append("# TYPE ").append(name).append(counter ? " counter\n" : " gauge\n");
            for (int shard = 0; shard < shards; shard++) {
                out.append(name).append("{shard=\"").append(shard).append("\"} ").append(metric.read(shard)).append('\n');
            }
        }
        return out;
    }
}
