package dev.atoll.shards;

/**
 * Where a failure of user code running on a shard goes (a task, a message receiver, a completion, a
 * continuation), in the manner of Agrona's {@code ErrorHandler}: the shard reports it and goes on.
 * Set one per runtime with {@link ShardRuntime#errorHandler(ErrorHandler)}; the default logs the
 * failure with the shard and the callback. Called on the failing shard's thread; it must not block,
 * and what it throws is logged and ignored.
 */
@FunctionalInterface
public interface ErrorHandler {
    /**
     * @param shard    the shard the failure happened on
     * @param callback what failed: the task, receiver or handler that threw
     * @param error    what it threw
     */
    void onError(Shard shard, Object callback, Throwable error);
}
