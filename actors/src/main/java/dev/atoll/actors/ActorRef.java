package dev.atoll.actors;

import dev.atoll.shards.Promise;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The address of one actor: the only way to reach it. Usable from any thread: inside the actor's
 * shard a message goes straight to its mailbox; from another shard it crosses the mesh (messages from
 * one sender keep their order); from a thread that is not a shard it goes through the target shard's
 * queue for outside threads. A tell never blocks and never runs {@code receive} on the caller's stack.
 *
 * <p>There is exactly one reference object per actor, so equality and hashing are identity; two
 * references are equal when they address the same actor. Messages must be immutable: they may cross
 * cores.
 *
 * @param <M> the type of the messages the actor receives
 */
public abstract sealed class ActorRef<M> permits ActorCell, ForeignRef {

    ActorRef() {
    }

    /**
     * Sends {@code message}; never blocks. A message to a stopped actor, or one the mesh refuses
     * ({@code atoll.mesh.overflow-limit}), becomes a dead letter (counted, see {@link ActorSystem#deadLetters()}).
     */
    public abstract void tell(M message);

    /**
     * Sends the message {@code request} builds around a {@link Reply} and returns the answer as a
     * {@link CompletableFuture}: for threads that are not shards (never block on it on a shard; use
     * {@link #askPromise} or {@link ActorContext#ask} there). Fails with a
     * {@link java.util.concurrent.TimeoutException} after {@code timeout}, at once with a
     * {@link dev.atoll.shards.MeshOverflowException} when the message is refused.
     */
    public abstract <R> CompletableFuture<R> ask(Function<Reply<R>, ? extends M> request, Duration timeout);

    /**
     * Like {@link #ask} for code running on a shard: the answer completes a promise of the calling
     * shard (never block on it; chain on it or {@link ActorContext#pipeToSelf pipe it to an actor}).
     *
     * @throws IllegalStateException when not called on a shard thread
     */
    public abstract <R> Promise<R> askPromise(Function<Reply<R>, ? extends M> request, Duration timeout);

    /** The id of the shard that owns the actor. */
    public abstract int shardId();

    /** The actor's name, or null when it was spawned without one. */
    public abstract String name();

    /** The system the actor belongs to. */
    public abstract ActorSystem system();

    @Override
    public final boolean equals(Object other) {
        return this == other;
    }

    @Override
    public final int hashCode() {
        return System.identityHashCode(this);
    }
}
