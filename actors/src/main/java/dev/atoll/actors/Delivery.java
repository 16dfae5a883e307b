package dev.atoll.actors;

/**
 * A message from a thread that is not a shard, crossing to the shard of its recipient through that
 * shard's queue for outside threads (which carries tasks). Between shards no envelope is needed: the
 * mesh carries (recipient, message) pairs.
 */
record Delivery(ActorCell<?> recipient, Object message) implements Runnable {
    @Override
    public void run() {
        recipient.enqueue(message);
    }
}
