package dev.atoll.shards;

/**
 * Where a failure of user code running on a shard goes (a task, a message receiver, a completion, a
 * continuation), in the manner of Agrona's {@code ErrorHandler}: the shard reports it and goes on.
 * Set one per runtime with {@link ShardRuntime#errorHandler(ErrorHandler)}; the default logs the
 * failure with the shard and the callback. Called on the failing shard's thread; it must not block,
 * and what it throws is logged and ignored.
 *
 * <p>A handler may also declare a failure fatal ({@link #isFatal}): then the shard does not go on.
 */
@FunctionalInterface
public interface ErrorHandler {
    /**
     * @param shard    the shard the failure happened on
     * @param callback what failed: the task, receiver or handler that threw
     * @param error    what it threw
     */
    void onError(Shard shard, Object callback, Throwable error);

    /**
     * Whether {@code error} ends its shard instead of going to {@link #onError}: for a failure after
     * which the shard's state cannot be trusted. The shard's loop then ends with {@code error} as a
     * loop that an error escaped does: the runtime logs it, refuses work for that shard and completes
     * {@link ShardRuntime#shardDeath()}. Called first, on the failing shard's thread; none is fatal by
     * default. What it throws is logged and the failure is not fatal.
     */
    default boolean isFatal(Throwable error) {
        return false;
    }
}
