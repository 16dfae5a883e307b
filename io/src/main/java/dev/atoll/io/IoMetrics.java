package dev.atoll.io;

import dev.atoll.shards.Metric;
import dev.atoll.shards.ShardRuntime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The io module's figures per shard, as {@link Metric}s: open connections and the buffer pool's use.
 * Each shard writes them in plain fields of its own; they are read here with opaque loads, so a
 * scrape takes no lock and never waits for a shard. A shard that has not published its io state yet
 * reads as zero.
 */
public final class IoMetrics {
    // Plain fields written by the owning shard; read here with opaque loads.
    private static final VarHandle CONNECTIONS = field(IoShard.class, "connections", int.class);
    private static final VarHandle ACQUIRED = field(BufferPool.class, "acquired", long.class);
    private static final VarHandle RELEASED = field(BufferPool.class, "released", long.class);
    private static final VarHandle IN_USE_BYTES = field(BufferPool.class, "inUseBytes", long.class);
    private static final VarHandle SLAB_BYTES = field(BufferPool.class, "slabBytes", long.class);
    private static final VarHandle EXHAUSTED = field(BufferPool.class, "exhausted", long.class);
    private static final VarHandle KERNEL_HELD = field(BufferPool.class, "kernelHeld", long.class);

    private IoMetrics() {
    }

    /**
     * The io figures of every shard of {@code runtime}. Asks each shard (through its queue, without
     * waiting) to publish its io state; until it has, its figures read zero.
     */
    public static List<Metric> of(ShardRuntime runtime) {
        AtomicReferenceArray<IoShard> shards = new AtomicReferenceArray<>(runtime.shardCount());
        for (int i = 0; i < shards.length(); i++) {
            int shard = i;
            runtime.execute(shard, () -> shards.setRelease(shard, IoShard.current()));
        }
        return List.of(
                gauge(shards, "atoll_io_connections_open", "TCP connections open on the shard",
                        io -> (int) CONNECTIONS.getOpaque(io)),
                gauge(shards, "atoll_io_buffers_in_use", "pool buffers handed out and not released",
                        io -> (long) ACQUIRED.getOpaque(io.pool()) - (long) RELEASED.getOpaque(io.pool())),
                gauge(shards, "atoll_io_buffer_bytes_in_use", "capacity of the pool buffers handed out",
                        io -> (long) IN_USE_BYTES.getOpaque(io.pool())),
                gauge(shards, "atoll_io_buffers_kernel_held", "buffers the kernel holds for multishot receives",
                        io -> (long) KERNEL_HELD.getOpaque(io.pool())),
                gauge(shards, "atoll_io_buffer_pool_bytes", "off-heap bytes the pool has taken in slabs",
                        io -> (long) SLAB_BYTES.getOpaque(io.pool())),
                new Metric("atoll_io_buffer_acquisitions_refused", "buffer acquisitions refused at max-bytes",
                        Metric.Kind.COUNTER, read(shards, io -> (long) EXHAUSTED.getOpaque(io.pool()))));
    }

    private static Metric gauge(AtomicReferenceArray<IoShard> shards, String name, String help, Figure figure) {
        return new Metric(name, help, Metric.Kind.GAUGE, read(shards, figure));
    }

    private static Metric.PerShard read(AtomicReferenceArray<IoShard> shards, Figure figure) {
        return shard -> {
            IoShard io = shards.getAcquire(shard);
            return io == null ? 0 : figure.read(io);
        };
    }

    /** One figure of a shard's io state. */
    @FunctionalInterface
    private interface Figure {
        long read(IoShard io);
    }

    private static VarHandle field(Class<?> owner, String name, Class<?> type) {
        try {
            return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findVarHandle(owner, name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
