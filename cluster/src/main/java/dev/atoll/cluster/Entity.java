package dev.atoll.cluster;

/**
 * One entity of a {@link ClusterSharded} type: the state for one key, started on demand on the node
 * and shard that own the key, and stopped there when the key's owner changes (its state is not
 * carried over: the new owner starts a fresh entity). Runs on its shard's region actor, one message
 * at a time (no locks). A throw from {@link #receive} stops this entity only (logged, counted).
 *
 * @param <M> the type of the messages it receives
 */
public interface Entity<M> {

    /** Handles one message for this entity's key. */
    void receive(M message) throws Exception;

    /** Runs once when the entity stops: its key moved to another node or shard, or it failed. */
    default void stopped() {
    }
}
