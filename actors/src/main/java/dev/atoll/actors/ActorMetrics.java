package dev.atoll.actors;

import dev.atoll.shards.Metric;

import java.util.List;

/**
 * An {@link ActorSystem}'s figures per shard, as {@link Metric}s for the Prometheus text or the
 * Micrometer binder: the counters of {@link ActorStats}, read with opaque loads of what each shard
 * last wrote.
 */
public final class ActorMetrics {
    private ActorMetrics() {
    }

    /** The figures of {@code system} on every shard. */
    public static List<Metric> of(ActorSystem system) {
        return List.of(
                gauge(system, "atoll_actors_live", "actors started and not stopped", ShardActors.LIVE),
                gauge(system, "atoll_actors_mailbox_messages", "messages waiting in mailboxes", ShardActors.QUEUED),
                counter(system, "atoll_actors_messages_handled", "messages handled, failed ones included",
                        ShardActors.HANDLED),
                counter(system, "atoll_actors_dead_letters",
                        "messages to stopped actors, left in mailboxes or refused by the mesh", ShardActors.DEAD_LETTERS),
                counter(system, "atoll_actors_failures", "failures handled by supervision", ShardActors.FAILURES),
                counter(system, "atoll_actors_restarts", "restarts by supervision", ShardActors.RESTARTS),
                counter(system, "atoll_actors_spawned", "actors started", ShardActors.SPAWNED),
                counter(system, "atoll_actors_stopped", "actors stopped", ShardActors.STOPPED));
    }

    private static Metric counter(ActorSystem system, String name, String help, int counter) {
        return metric(system, name, help, Metric.Kind.COUNTER, counter);
    }

    private static Metric gauge(ActorSystem system, String name, String help, int counter) {
        return metric(system, name, help, Metric.Kind.GAUGE, counter);
    }

    private static Metric metric(ActorSystem system, String name, String help, Metric.Kind kind, int counter) {
        return new Metric(name, help, kind, shard -> system.part(shard).read(counter));
    }
}
