package dev.atoll.shards;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A shard-local promise: the result of work that completes later on the same shard.
 *
 * <p>Single-threaded by design, so it costs no atomics: it is created, completed and observed on
 * one shard (the one current when it was created). Completing it from another thread is an error;
 * send a message to the owning shard instead. Threads that are not shards use
 * {@link #toCompletableFuture()}. Callbacks run on the shard, in registration order, as soon as
 * the promise is complete (at once if it already is).
 *
 * @param <T> the type of the value
 */
public final class Promise<T> {
    private static final Logger log = LoggerFactory.getLogger(Promise.class);
    private static final Object PENDING = new Object();

    private final Shard owner;
    private Object value = PENDING;
    private Throwable failure;
    private BiConsumer<? super T, ? super Throwable> callback;
    private ArrayDeque<BiConsumer<? super T, ? super Throwable>> moreCallbacks;   // from the second callback on

    /** A pending promise owned by the current shard (or by no shard, when created outside one). */
    public Promise() {
        this.owner = Shard.current();
    }

    /** A promise already completed with {@code value}. */
    public static <T> Promise<T> completed(T value) {
        Promise<T> p = new Promise<>();
        p.complete(value);
        return p;
    }

    /** A promise already failed with {@code failure}. */
    public static <T> Promise<T> failed(Throwable failure) {
        Promise<T> p = new Promise<>();
        p.fail(failure);
        return p;
    }

    /** Completes with a value; returns false when the promise was already complete. */
    public boolean complete(T result) {
        checkOwner();
        if (value != PENDING) {
            return false;
        }
        value = result;
        runCallbacks();
        return true;
    }

    /** Fails with an exception; returns false when the promise was already complete. */
    public boolean fail(Throwable cause) {
        Objects.requireNonNull(cause, "cause");
        checkOwner();
        if (value != PENDING) {
            return false;
        }
        value = null;
        failure = cause;
        runCallbacks();
        return true;
    }

    public boolean isDone() {
        return value != PENDING;
    }

    public boolean isFailed() {
        return failure != null;
    }

    /** The value of a successfully completed promise. */
    @SuppressWarnings("unchecked")
    public T value() {
        if (value == PENDING || failure != null) {
            throw new IllegalStateException(value == PENDING ? "promise is pending" : "promise failed", failure);
        }
        return (T) value;
    }

    /** The failure of a failed promise, or null. */
    public Throwable failure() {
        return failure;
    }

    /** Runs {@code action} with the value or the failure (the other one null) once complete. */
    @SuppressWarnings("unchecked")
    public Promise<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        Objects.requireNonNull(action, "action");
        if (value != PENDING) {
            action.accept(failure == null ? (T) value : null, failure);
        } else if (callback == null) {
            callback = action;
        } else {
            if (moreCallbacks == null) {
                moreCallbacks = new ArrayDeque<>(2);
            }
            moreCallbacks.add(action);
        }
        return this;
    }

    /** A promise of {@code mapper} applied to the value; failures (and a throwing mapper) pass through as failures. */
    public <R> Promise<R> map(Function<? super T, ? extends R> mapper) {
        Promise<R> next = new Promise<>(owner);
        whenComplete((v, e) -> {
            if (e != null) {
                next.fail(e);
                return;
            }
            R mapped;
            try {
                mapped = mapper.apply(v);
            } catch (Throwable t) {
                next.fail(t);
                return;
            }
            next.complete(mapped);
        });
        return next;
    }

    /** A promise of the promise that {@code mapper} returns for the value. */
    public <R> Promise<R> flatMap(Function<? super T, Promise<R>> mapper) {
        Promise<R> next = new Promise<>(owner);
        whenComplete((v, e) -> {
            if (e != null) {
                next.fail(e);
                return;
            }
            Promise<R> inner;
            try {
                inner = mapper.apply(v);
            } catch (Throwable t) {
                next.fail(t);
                return;
            }
            inner.whenComplete((r, f) -> {
                if (f != null) {
                    next.fail(f);
                } else {
                    next.complete(r);
                }
            });
        });
        return next;
    }

    /**
     * Fails this promise with a {@link TimeoutException} if it is not complete within {@code timeout};
     * the timer is cancelled when it completes first. Must be called on the owning shard.
     */
    public Promise<T> withDeadline(Duration timeout) {
        Shard shard = owner;
        if (shard == null || Shard.current() != shard) {
            throw new IllegalStateException("withDeadline needs to run on the promise's shard");
        }
        if (value != PENDING) {
            return this;
        }
        Timer timer = shard.schedule(timeout, () -> fail(new TimeoutException("no result within " + timeout)));
        whenComplete((v, e) -> timer.cancel());
        return this;
    }

    /**
     * A {@link CompletableFuture} completed with this promise's outcome, for threads that are not
     * this shard. Never block on it from a shard thread.
     */
    public CompletableFuture<T> toCompletableFuture() {
        CompletableFuture<T> future = new CompletableFuture<>();
        whenComplete((v, e) -> {
            if (e != null) {
                future.completeExceptionally(e);
            } else {
                future.complete(v);
            }
        });
        return future;
    }

    private Promise(Shard owner) {
        this.owner = owner;
    }

    private void checkOwner() {
        // Once the owner's loop has ended, its thread touches nothing any more: what the runtime cancels
        // at stop (calls whose reply could not arrive) is failed from the stopping thread.
        if (owner != null && Shard.current() != owner && !owner.hasExited()) {
            throw new IllegalStateException("a promise of shard " + owner.id()
                    + " was completed from " + Thread.currentThread().getName()
                    + "; send the result to its shard instead");
        }
    }

    @SuppressWarnings("unchecked")
    private void runCallbacks() {
        T v = failure == null ? (T) value : null;
        BiConsumer<? super T, ? super Throwable> first = callback;
        callback = null;
        if (first != null) {
            notify(first, v);
        }
        if (moreCallbacks != null) {
            ArrayDeque<BiConsumer<? super T, ? super Throwable>> rest = moreCallbacks;
            moreCallbacks = null;
            for (BiConsumer<? super T, ? super Throwable> c; (c = rest.poll()) != null; ) {
                notify(c, v);
            }
        }
    }

    /** One throwing callback must not keep the others from running, nor fail the completer. */
    private void notify(BiConsumer<? super T, ? super Throwable> c, T v) {
        try {
            c.accept(v, failure);
        } catch (Throwable t) {
            Shard here = Shard.current();
            if (here != null) {
                here.reportFailure(c, t);   // to the runtime's error handler; the other callbacks still run
            } else {
                log.warn("a promise callback threw; the other callbacks still run", t);
            }
        }
    }
}
