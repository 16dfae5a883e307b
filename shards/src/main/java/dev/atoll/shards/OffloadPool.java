package dev.atoll.shards;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded pool of threads that run blocking work for shards; each result returns to the shard
 * that asked, through its returns queue, and completes that shard's promise there. A shard never
 * waits on it: when the queue is full the offload fails at once.
 */
final class OffloadPool {
    private static final Logger log = LoggerFactory.getLogger(OffloadPool.class);

    private final ThreadPoolExecutor executor;

    OffloadPool(int threads, int queueCapacity) {
        AtomicInteger counter = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), r -> {
                    Thread t = new Thread(r, "atoll-offload-" + counter.getAndIncrement());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
    }

    /** Called on {@code shard}'s thread. Returns false (and fails the promise) when the pool is full. */
    <T> boolean submit(Shard shard, Callable<T> work, Promise<T> promise) {
        try {
            executor.execute(() -> {
                Runnable completion;
                try {
                    T value = work.call();
                    completion = () -> {
                        shard.offloadReturned();
                        promise.complete(value);
                    };
                } catch (Throwable t) {
                    completion = () -> {
                        shard.offloadReturned();
                        promise.fail(t);
                    };
                }
                shard.returns.offer(completion);
                shard.wakeFromOutside();
            });
            return true;
        } catch (RejectedExecutionException e) {
            promise.fail(new RejectedExecutionException("offload pool is full ("
                    + executor.getQueue().size() + " tasks waiting); see atoll.offload", e));
            return false;
        }
    }

    void shutdown(long timeoutNanos) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(timeoutNanos, TimeUnit.NANOSECONDS)) {
                log.warn("offload pool still busy after shutdown timeout; interrupting its threads");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
