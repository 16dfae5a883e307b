package dev.atoll.shards;

/**
 * The time the shards' timers run on (their wheels, {@link Shard#schedule}, promise deadlines, actor
 * timers): {@link #SYSTEM} unless the runtime was started with another one by
 * {@link ShardRuntime#start(dev.atoll.config.AtollConfig, TimerClock)} — a test kit's manual clock,
 * which moves only when a test advances it. Read by every shard thread: an implementation must be
 * thread-safe, and its time must never go backwards.
 */
@FunctionalInterface
public interface TimerClock {

    /** {@link System#nanoTime()}. */
    TimerClock SYSTEM = System::nanoTime;

    /** The current time in nanoseconds, from an origin of the clock's choosing. */
    long nanoTime();
}
