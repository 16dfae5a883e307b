package dev.atoll.config;

import java.time.Duration;

/**
 * The typed, immutable settings of the runtime's foundation, read from {@code atoll { }}.
 * Modules with sections of their own ({@code atoll.actors}, {@code atoll.io}) read them through
 * {@link AtollConfig#reader()}.
 */
public record AtollSettings(ShardSettings shards, DriverKind driver, IoUringSettings ioUring, MeshSettings mesh,
                            TimerSettings timers, OffloadSettings offload) {

    /** These settings with {@code atoll.driver = driver}. */
    public AtollSettings withDriver(DriverKind driver) {
        return new AtollSettings(shards, driver, ioUring, mesh, timers, offload);
    }

    static AtollSettings read(ConfigReader r) {
        ShardSettings shards = new ShardSettings(
                r.countOrAuto("atoll.shards.count", 1, 4096),
                r.bool("atoll.shards.pin"),
                r.enumOf("atoll.shards.qos", QosClass.class),
                idle(r),
                r.intIn("atoll.shards.task-budget", 1, 1 << 20),
                r.intIn("atoll.shards.drain-batch", 1, 1 << 20),
                r.duration("atoll.shards.stall-threshold", Duration.ZERO, Duration.ofHours(1)),
                r.duration("atoll.shards.shutdown-timeout", Duration.ZERO, Duration.ofHours(1)));
        // "io-uring" reads as IO_URING through the kebab-case rule; "io_uring" matches the name itself.
        DriverKind driver = r.enumOf("atoll.driver", DriverKind.class);
        int entries = r.intIn("atoll.io-uring.entries", 1, 32768);
        if (Integer.bitCount(entries) != 1) {
            throw r.invalid("atoll.io-uring.entries", "a power of two from 1 to 32768");
        }
        IoUringSettings ioUring = new IoUringSettings(entries,
                r.enumOf("atoll.io-uring.wake", IoUringSettings.Wake.class),
                r.intIn("atoll.io-uring.max-workers.bounded", 0, 1 << 16),
                r.intIn("atoll.io-uring.max-workers.unbounded", 0, 1 << 16),
                r.bytes("atoll.io-uring.send-zero-copy-threshold", 0, Integer.MAX_VALUE),
                r.intIn("atoll.io-uring.registered-buffers", 0, 1 << 14),
                r.intIn("atoll.io-uring.registered-files", 0, 1 << 20));
        MeshSettings mesh = new MeshSettings(
                r.intIn("atoll.mesh.queue-capacity", 4, 1 << 24),
                r.intIn("atoll.mesh.overflow-limit", 0, Integer.MAX_VALUE));
        TimerSettings timers = new TimerSettings(
                r.duration("atoll.timers.tick", Duration.ofNanos(1000), Duration.ofSeconds(1)),
                r.intIn("atoll.timers.wheel-size", 16, 1 << 20));
        OffloadSettings offload = new OffloadSettings(
                r.intIn("atoll.offload.threads", 1, 1024),
                r.intIn("atoll.offload.queue-capacity", 1, 1 << 24));
        return new AtollSettings(shards, driver, ioUring, mesh, timers, offload);
    }

    private static IdleSettings idle(ConfigReader r) {
        Duration minPark = r.duration("atoll.shards.idle.min-park", Duration.ofNanos(1000), Duration.ofSeconds(1));
        Duration maxPark = r.duration("atoll.shards.idle.max-park", Duration.ofNanos(1000), Duration.ofSeconds(1));
        if (maxPark.compareTo(minPark) < 0) {
            throw r.invalid("atoll.shards.idle.max-park", "a duration no shorter than atoll.shards.idle.min-park ("
                    + minPark + ")");
        }
        return new IdleSettings(
                r.enumOf("atoll.shards.idle.strategy", IdleStrategyKind.class),
                r.duration("atoll.shards.idle.poll-window", Duration.ZERO, Duration.ofSeconds(1)),
                r.duration("atoll.shards.idle.io-poll-window", Duration.ZERO, Duration.ofSeconds(1)),
                r.intIn("atoll.shards.idle.spins", 0, 1 << 20),
                r.intIn("atoll.shards.idle.yields", 0, 1 << 20),
                minPark, maxPark);
    }
}
