package dev.atoll.actors;

/**
 * A message crossing to the shard of its recipient (the mesh and the outside queue carry tasks):
 * the one allocation of a cross-shard tell.
 */
record Delivery(ActorCell<?> recipient, Object message) implements Runnable {
    @Override
    public void run() {
        recipient.enqueue(message);
    }
}
