package dev.atoll.shards;

/**
 * A message was refused because the sender already holds {@code atoll.mesh.overflow-limit} messages
 * for the target shard (or the target's queue for outside threads is full): the target is not
 * keeping up. The policy of the contract turns this into a dead letter, a failed ask or a failed
 * future; it is never a silent drop.
 */
public final class MeshOverflowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MeshOverflowException(String message) {
        super(message, null, false, false);
    }
}
