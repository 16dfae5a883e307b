package dev.atoll.actors;

import java.util.concurrent.CompletableFuture;

/** The reply of an ask from a thread that is not a shard: a thread-safe future. */
record FutureReply<T>(CompletableFuture<T> future) implements Reply<T> {

    @Override
    public void send(T value) {
        future.complete(value);
    }

    @Override
    public void fail(Throwable failure) {
        future.completeExceptionally(failure);
    }
}
