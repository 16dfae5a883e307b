package dev.atoll.actors;

/**
 * Where {@code spawn} puts a new actor: a given shard, the caller's shard, the next shard in turn,
 * or the shard with the fewest queued messages.
 */
public sealed interface Placement permits Placement.OnShard, Placement.Here, Placement.RoundRobin, Placement.LeastLoaded {

    /** On shard {@code id} (0 to count - 1). */
    static Placement shard(int id) {
        if (id < 0) {
            throw new IllegalArgumentException("shard id must not be negative: " + id);
        }
        return new OnShard(id);
    }

    /** On the shard of the calling thread; from a thread that is not a shard, like {@link #roundRobin()}. */
    static Placement here() {
        return Here.INSTANCE;
    }

    /** On each shard in turn. */
    static Placement roundRobin() {
        return RoundRobin.INSTANCE;
    }

    /**
     * On the shard whose actors have the fewest messages waiting in their mailboxes, as last
     * published by each shard (at the end of each batch of actor turns); ties go to the lowest id.
     */
    static Placement leastLoaded() {
        return LeastLoaded.INSTANCE;
    }

    /** A fixed shard. */
    record OnShard(int id) implements Placement { }

    /** The caller's shard. */
    enum Here implements Placement { INSTANCE }

    /** Each shard in turn. */
    enum RoundRobin implements Placement { INSTANCE }

    /** Fewest queued messages. */
    enum LeastLoaded implements Placement { INSTANCE }
}
