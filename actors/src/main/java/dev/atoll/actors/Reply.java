package dev.atoll.actors;

/**
 * Where the answer to an {@code ask} goes: the asker puts it into the request message, the
 * receiver calls {@link #send} (or {@link #fail}) once, from any thread. Inside a shard the asker
 * waits on a shard-local promise, outside on a {@code CompletableFuture}; no temporary actor is
 * involved. A second answer is ignored; an answer after the deadline is dropped.
 *
 * @param <T> the type of the answer
 */
public sealed interface Reply<T> permits PromiseReply, FutureReply, ForeignReply {

    /** Completes the ask with {@code value}. */
    void send(T value);

    /** Fails the ask with {@code failure}. */
    void fail(Throwable failure);
}
