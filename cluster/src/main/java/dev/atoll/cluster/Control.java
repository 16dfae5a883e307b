package dev.atoll.cluster;

import dev.atoll.actors.Reply;

/**
 * The messages nodes send each other's cluster machinery rather than an exported actor: they travel
 * in frames for actor id 0 of the target shard, and every {@link Serializer} accepts them.
 */
sealed interface Control {

    /** Watch the exported {@code actor} for the node whose control address (id 0) is {@code watcher}. */
    record Watch(ActorAddress actor, ActorAddress watcher) implements Control {
    }

    /** The node at {@code watcher} no longer watches {@code actor}. */
    record Unwatch(ActorAddress actor, ActorAddress watcher) implements Control {
    }

    /** The actor at {@code actor} has stopped (or never existed): sent to each watching node once. */
    record Died(ActorAddress actor) implements Control {
    }

    /** Which actor is registered under {@code name} on the receiving node; answered with a {@link Found}. */
    record Lookup(String name, Reply<Found> reply) implements Control {
    }

    /** The answer to a {@link Lookup}: the actor's address, or null when no actor has that name there. */
    record Found(ActorAddress address) implements Control {
    }

    /**
     * A message for entity {@code key} of the cluster-sharded type {@code type}, serialized; {@code hops}
     * counts the forwards by nodes that did not own the key in their view (see {@link ClusterSharded}).
     */
    record Entity(String type, String key, byte[] message, int hops) implements Control {
    }
}
