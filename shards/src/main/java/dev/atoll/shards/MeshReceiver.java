package dev.atoll.shards;

/**
 * Receives messages that crossed the mesh, on the receiving shard's thread. A send through the mesh
 * carries the pair (receiver, message) in the queue's own preallocated slots, so a cross-shard send
 * allocates nothing beyond the message itself: no envelope object and no capturing lambda.
 *
 * <pre>{@code
 * shard.send(target, counterOnTarget, new Add(5));   // counterOnTarget.receive(new Add(5)) runs there
 * }</pre>
 *
 * <p>A receiver that throws is reported to the runtime's {@link ErrorHandler}; the shard goes on.
 *
 * @param <M> the type of the messages it receives
 */
@FunctionalInterface
public interface MeshReceiver<M> {
    /** Handles {@code message} on the shard it was sent to. */
    void receive(M message);
}
