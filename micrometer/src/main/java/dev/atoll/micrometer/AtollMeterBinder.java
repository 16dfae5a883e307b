package dev.atoll.micrometer;

import dev.atoll.actors.ActorMetrics;
import dev.atoll.actors.ActorSystem;
import dev.atoll.io.IoMetrics;
import dev.atoll.shards.Metric;
import dev.atoll.shards.ShardMetrics;
import dev.atoll.shards.ShardRuntime;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.ArrayList;
import java.util.List;

/**
 * Binds every per-shard figure of Atoll to a Micrometer registry: one {@link FunctionCounter} or
 * {@link Gauge} per figure and shard, tagged {@code shard}, named like the Prometheus endpoint's
 * figures with dots ({@code atoll_shard_loop_iterations} becomes {@code atoll.shard.loop.iterations},
 * which a Prometheus registry writes back as {@code atoll_shard_loop_iterations_total}). The registry
 * reads each value when it publishes or is scraped, on its own thread, with opaque loads of what the
 * shard last wrote: binding costs the shards nothing.
 *
 * <pre>{@code
 * new AtollMeterBinder(actorSystem).bindTo(registry);
 * }</pre>
 */
public final class AtollMeterBinder implements MeterBinder {
    private final List<Metric> metrics;
    private final int shards;

    /** The figures of the shards and the io module of {@code runtime}. */
    public AtollMeterBinder(ShardRuntime runtime) {
        this(runtimeMetrics(runtime), runtime.shardCount());
    }

    /** The figures of the shards, the io module and the actors of {@code system}. */
    public AtollMeterBinder(ActorSystem system) {
        this(withActors(system), system.shardCount());
    }

    /** Any per-shard figures, for shards 0 to {@code shards - 1}. */
    public AtollMeterBinder(List<Metric> metrics, int shards) {
        this.metrics = List.copyOf(metrics);
        this.shards = shards;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Metric metric : metrics) {
            String name = metric.name().replace('_', '.');
            for (int shard = 0; shard < shards; shard++) {
                int s = shard;
                String tag = Integer.toString(shard);
                if (metric.kind() == Metric.Kind.COUNTER) {
                    FunctionCounter.builder(name, metric, m -> m.read(s)).description(metric.help())
                            .tag("shard", tag).register(registry);
                } else {
                    Gauge.builder(name, metric, m -> m.read(s)).description(metric.help())
                            .tag("shard", tag).register(registry);
                }
            }
        }
    }

    private static List<Metric> runtimeMetrics(ShardRuntime runtime) {
        List<Metric> all = new ArrayList<>(ShardMetrics.of(runtime));
        all.addAll(IoMetrics.of(runtime));
        return all;
    }

    private static List<Metric> withActors(ActorSystem system) {
        List<Metric> all = runtimeMetrics(system.runtime());
        all.addAll(ActorMetrics.of(system));
        return all;
    }
}
