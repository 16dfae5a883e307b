package dev.atoll.shards;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Promise semantics that need no shard (promises created outside a shard belong to none). */
class PromiseTest {

    @Test
    void callbacksRunInRegistrationOrderOnCompletion() {
        Promise<String> p = new Promise<>();
        List<String> seen = new ArrayList<>();
        p.whenComplete((v, e) -> seen.add("1:" + v));
        p.whenComplete((v, e) -> seen.add("2:" + v));
        p.whenComplete((v, e) -> seen.add("3:" + v));
        assertTrue(seen.isEmpty());
        assertTrue(p.complete("x"));
        assertEquals(List.of("1:x", "2:x", "3:x"), seen);
        p.whenComplete((v, e) -> seen.add("late:" + v));
        assertEquals("late:x", seen.get(3));
    }

    @Test
    void completesOnlyOnce() {
        Promise<Integer> p = new Promise<>();
        assertTrue(p.complete(1));
        assertFalse(p.complete(2));
        assertFalse(p.fail(new RuntimeException()));
        assertEquals(1, p.value());
    }

    @Test
    void mapAndFlatMapChain() {
        Promise<Integer> source = new Promise<>();
        Promise<Integer> inner = new Promise<>();
        Promise<String> result = source.map(v -> v * 2).flatMap(v -> inner.map(w -> v + "+" + w));
        source.complete(21);
        assertFalse(result.isDone());
        inner.complete(1);
        assertEquals("42+1", result.value());
    }

    @Test
    void failurePassesThroughMapAndAThrowingMapperFails() {
        RuntimeException boom = new RuntimeException("boom");
        Promise<Integer> failed = Promise.<Integer>failed(boom).map(v -> v + 1);
        assertSame(boom, failed.failure());
        Promise<Integer> thrown = Promise.completed(1).map(v -> { throw boom; });
        assertSame(boom, thrown.failure());
        Promise<Integer> flatThrown = Promise.completed(1).flatMap(v -> { throw boom; });
        assertSame(boom, flatThrown.failure());
        assertThrows(IllegalStateException.class, failed::value);
    }

    @Test
    void whenCompleteSeesValueOrFailure() {
        Object[] seen = new Object[2];
        Promise.completed("v").whenComplete((v, e) -> { seen[0] = v; seen[1] = e; });
        assertEquals("v", seen[0]);
        assertNull(seen[1]);
        IllegalStateException cause = new IllegalStateException();
        Promise.failed(cause).whenComplete((v, e) -> { seen[0] = v; seen[1] = e; });
        assertNull(seen[0]);
        assertSame(cause, seen[1]);
    }

    @Test
    void bridgesToCompletableFuture() throws Exception {
        Promise<String> ok = new Promise<>();
        var future = ok.toCompletableFuture();
        assertFalse(future.isDone());
        ok.complete("done");
        assertEquals("done", future.get(1, TimeUnit.SECONDS));

        Promise<String> bad = new Promise<>();
        var failing = bad.toCompletableFuture();
        bad.fail(new IllegalArgumentException("nope"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(1, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }

    @Test
    void withDeadlineNeedsTheOwningShard() {
        assertThrows(IllegalStateException.class, () -> new Promise<>().withDeadline(java.time.Duration.ofMillis(1)));
    }
}
