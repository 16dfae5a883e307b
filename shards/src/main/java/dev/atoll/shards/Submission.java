package dev.atoll.shards;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** Work submitted to a shard with a {@link CompletableFuture} for its result (thread-safe to complete). */
final class Submission<T> implements Runnable, Cancellable {
    final Callable<T> work;
    final CompletableFuture<T> future = new CompletableFuture<>();

    Submission(Callable<T> work) {
        this.work = work;
    }

    @Override
    public void run() {
        try {
            future.complete(work.call());
        } catch (Throwable t) {
            future.completeExceptionally(t);
        }
    }

    @Override
    public void cancel(Throwable reason) {
        future.completeExceptionally(reason);
    }
}
