package dev.atoll.shards;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * The shard runtime's figures, per shard: the {@link ShardStats} counters and the levels a shard
 * keeps in plain fields of its own (mesh backlog, parked overflow, pending timers, offloads in
 * flight, asleep or not). Every read is an opaque load of what the shard last wrote — no lock, no
 * fence on the shard's side, nothing a scrape can make a shard wait for.
 */
public final class ShardMetrics {
    // Plain fields the owning shard writes; the scraper reads them with opaque loads.
    private static final VarHandle OVERFLOW_PENDING = field(Shard.class, "overflowPending", int.class);
    private static final VarHandle IN_FLIGHT_OFFLOADS = field(Shard.class, "inFlightOffloads", int.class);
    private static final VarHandle TIMERS_SIZE = field(TimerWheel.class, "size", int.class);
    private static final VarHandle SHARD_TIMERS = field(Shard.class, "timers", TimerWheel.class);

    private ShardMetrics() {
    }

    /** The figures of every shard of {@code runtime}. */
    public static List<Metric> of(ShardRuntime runtime) {
        return List.of(
                counter(runtime, "atoll_shard_loop_iterations", "event loop iterations", ShardStats.ITERATIONS),
                counter(runtime, "atoll_shard_tasks", "tasks run from the local run queue", ShardStats.TASKS),
                counter(runtime, "atoll_shard_mesh_messages_in", "messages received from other shards",
                        ShardStats.MESSAGES_IN),
                counter(runtime, "atoll_shard_mesh_messages_out", "messages sent to other shards",
                        ShardStats.MESSAGES_OUT),
                counter(runtime, "atoll_shard_mesh_batches_out", "batches published to other shards",
                        ShardStats.BATCHES_OUT),
                counter(runtime, "atoll_shard_submissions_in", "tasks from threads that are not shards and offload results",
                        ShardStats.SUBMISSIONS_IN),
                counter(runtime, "atoll_shard_wakes_sent", "wake system calls made to wake sleeping shards",
                        ShardStats.WAKES_SENT),
                counter(runtime, "atoll_shard_wakes_avoided", "sends whose target needed no wake",
                        ShardStats.WAKES_AVOIDED),
                counter(runtime, "atoll_shard_sleeps", "times the shard blocked in its driver", ShardStats.SLEEPS),
                counter(runtime, "atoll_shard_mesh_overflowed", "messages parked because a mesh queue was full",
                        ShardStats.OVERFLOWED),
                counter(runtime, "atoll_shard_mesh_rejected", "sends refused at the overflow limit",
                        ShardStats.REJECTED),
                counter(runtime, "atoll_shard_timers_fired", "timers that fired", ShardStats.TIMERS_FIRED),
                counter(runtime, "atoll_shard_task_failures", "tasks, messages or callbacks that threw",
                        ShardStats.TASK_FAILURES),
                counter(runtime, "atoll_shard_io_completions", "I/O completions dispatched by the driver",
                        ShardStats.COMPLETIONS),
                counter(runtime, "atoll_shard_stalls", "times the shard stayed away from its loop past the threshold",
                        ShardStats.STALLS),
                counter(runtime, "atoll_shard_cancelled_at_stop", "work still queued when the shard stopped",
                        ShardStats.CANCELLED_AT_STOP),
                new Metric("atoll_shard_mesh_inbound_waiting", "messages published to the shard and not yet drained",
                        Metric.Kind.GAUGE, shard -> inboundWaiting(runtime.shard(shard))),
                new Metric("atoll_shard_mesh_overflow_parked", "messages the shard holds in overflow lists for full queues",
                        Metric.Kind.GAUGE, shard -> (int) OVERFLOW_PENDING.getOpaque(runtime.shard(shard))),
                new Metric("atoll_shard_timers_pending", "timers scheduled and not yet fired or cancelled",
                        Metric.Kind.GAUGE, shard -> timersPending(runtime.shard(shard))),
                new Metric("atoll_shard_offloads_in_flight", "blocking calls handed to the offload pool, not yet back",
                        Metric.Kind.GAUGE, shard -> (int) IN_FLIGHT_OFFLOADS.getOpaque(runtime.shard(shard))),
                new Metric("atoll_shard_sleeping", "1 while the shard is asleep in its driver, else 0",
                        Metric.Kind.GAUGE, shard -> runtime.shard(shard).wake.isSleeping() ? 1 : 0));
    }

    private static Metric counter(ShardRuntime runtime, String name, String help, int counter) {
        return new Metric(name, help, Metric.Kind.COUNTER, shard -> runtime.shard(shard).stats.read(counter));
    }

    private static long inboundWaiting(Shard shard) {
        long waiting = 0;
        for (MeshQueue queue : shard.inbound) {
            if (queue != null) {
                waiting += queue.waiting();
            }
        }
        return waiting;
    }

    private static long timersPending(Shard shard) {
        TimerWheel wheel = (TimerWheel) SHARD_TIMERS.get(shard);   // final field: safely published
        return (int) TIMERS_SIZE.getOpaque(wheel);
    }

    private static VarHandle field(Class<?> owner, String name, Class<?> type) {
        try {
            return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findVarHandle(owner, name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
