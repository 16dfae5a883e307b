package dev.atoll.actors;

import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An actor's view of the system, from {@link Actor#context()}. Every method must be called on the
 * actor's shard (in {@code receive}, a hook, or a callback of a promise of that shard).
 *
 * @param <M> the type of the messages the actor receives
 */
public sealed interface ActorContext<M> permits ActorCell {

    /** This actor's reference. */
    ActorRef<M> self();

    /** The shard that owns this actor (for timers, calls and offload of its own). */
    Shard shard();

    /** The system this actor belongs to. */
    ActorSystem system();

    /** The actor that spawned this one; empty for a top-level actor (its parent is its shard's guardian). */
    Optional<ActorRef<?>> parent();

    /** The children this actor spawned that have not stopped yet (as far as this shard knows). */
    List<ActorRef<?>> children();

    /** Spawns a child on this actor's shard. */
    <C> ActorRef<C> spawn(Supplier<? extends Actor<C>> factory);

    /** Spawns a child where {@code placement} says. */
    <C> ActorRef<C> spawn(Supplier<? extends Actor<C>> factory, Placement placement);

    /** Spawns a child where {@code placement} says, with a name and/or its own supervision. */
    <C> ActorRef<C> spawn(Supplier<? extends Actor<C>> factory, Placement placement, SpawnOptions options);

    /**
     * Stops this actor once the current message is handled: {@code postStop} runs, timers are
     * cancelled, children are stopped, watchers get {@link Terminated}, what is left in the mailbox
     * becomes dead letters.
     */
    void stop();

    /** Stops a child of this actor (asynchronously, between its messages). */
    void stop(ActorRef<?> child);

    /** Delivers {@link Terminated} to {@link Actor#onSignal} once {@code target} stops (at once if it has). */
    void watch(ActorRef<?> target);

    /** Delivers {@code message} to this actor's mailbox once {@code target} stops, instead of a signal. */
    void watchWith(ActorRef<?> target, M message);

    /** Stops watching {@code target}; no signal for it arrives after this call. */
    void unwatch(ActorRef<?> target);

    /** Sends {@code message} to this actor after {@code delay}; replaces the timer with the same key. */
    void startSingleTimer(Object key, M message, Duration delay);

    /** Sends {@code message} to this actor every {@code interval} (first after one interval); replaces the timer with the same key. */
    void startTimerAtFixedRate(Object key, M message, Duration interval);

    /** Cancels the timer with this key; returns false when there was none. */
    boolean cancelTimer(Object key);

    /** True while a timer with this key is scheduled. */
    boolean isTimerActive(Object key);

    /**
     * Turns the outcome of a promise of this shard into a message to this actor (value or failure,
     * the other one null). A mapper that throws fails the actor (supervision decides).
     */
    <T> void pipeToSelf(Promise<T> promise, BiFunction<? super T, Throwable, ? extends M> mapper);

    /** Like {@link #pipeToSelf(Promise, BiFunction)} for a future completed on any thread. */
    <T> void pipeToSelf(CompletableFuture<T> future, BiFunction<? super T, Throwable, ? extends M> mapper);

    /** Asks {@code target}; the answer completes a promise of this shard. See {@link ActorRef#askPromise}. */
    <R, N> Promise<R> ask(ActorRef<N> target, Function<Reply<R>, ? extends N> request, Duration timeout);

    /** Finds the actor registered under {@code name}, on the shard the name hashes to. */
    <N> Promise<Optional<ActorRef<N>>> lookup(String name);
}
