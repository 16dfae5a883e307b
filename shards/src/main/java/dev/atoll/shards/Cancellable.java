package dev.atoll.shards;

/** Queued work that has someone waiting for it, told when the work is dropped because its shard stopped. */
interface Cancellable {
    void cancel(Throwable reason);
}
