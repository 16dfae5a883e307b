package dev.atoll.shards;

import org.junit.jupiter.api.Test;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.atoll.shards.TestRuntimes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Failures of user code reach the runtime's error handler with the shard and the callback; the shard goes on. */
class ErrorHandlerTest {
    private record Failure(int shard, Object callback, Throwable error) { }

    @Test
    void tasksReceiversAndPromiseCallbacksThatThrowReachTheHandlerAndTheShardGoesOn() throws Exception {
        try (ShardRuntime r = TestRuntimes.start(2, "")) {
            LinkedBlockingQueue<Failure> failures = new LinkedBlockingQueue<>();
            r.errorHandler((shard, callback, error) -> {
                failures.add(new Failure(shard.id(), callback, error));
                throw new IllegalStateException("a handler that throws is logged, not fatal");
            });
            RuntimeException boom = new RuntimeException("boom");
            Runnable task = () -> {
                throw boom;
            };
            r.execute(1, task);
            Failure first = failures.poll(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(first, "the task's failure never reached the handler");
            assertEquals(1, first.shard());
            assertSame(task, first.callback());
            assertSame(boom, first.error());

            MeshReceiver<String> receiver = message -> {
                throw new IllegalArgumentException(message);
            };
            r.execute(0, () -> Shard.current().send(1, receiver, "bad message"));
            Failure second = failures.poll(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(second, "the receiver's failure never reached the handler");
            assertSame(receiver, second.callback());
            assertEquals("bad message", second.error().getMessage());

            r.execute(1, () -> new Promise<Integer>().whenComplete((v, e) -> {
                throw new IllegalStateException("callback");
            }).complete(1));
            Failure third = failures.poll(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(third, "the promise callback's failure never reached the handler");
            assertEquals("callback", third.error().getMessage());

            assertEquals(42, await(r.submit(1, () -> 42)), "shard 1 after three failures");
            assertEquals(3, r.stats().get(1).taskFailures());
        }
    }
}
