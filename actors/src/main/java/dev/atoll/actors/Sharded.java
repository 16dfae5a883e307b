package dev.atoll.actors;

import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A sharded actor (Seastar's {@code sharded<T>}): one instance per shard from one factory. A key
 * picks the instance that owns it by a stable hash of {@code key.hashCode()} (stable across runs
 * for strings, numbers, enums' names and records of them), so all messages about one key go to one
 * shard and need no locks. Usable from any thread.
 *
 * @param <M> the type of the messages the instances receive
 */
public final class Sharded<M> {
    private final List<ActorRef<M>> instances;

    Sharded(List<ActorRef<M>> instances) {
        this.instances = List.copyOf(instances);
    }

    /** The shard that owns {@code key}. */
    public int shardFor(Object key) {
        return ActorSystem.shardFor(key, instances.size());
    }

    /** The instance that owns {@code key}. */
    public ActorRef<M> forKey(Object key) {
        return instances.get(shardFor(key));
    }

    /** The instance on shard {@code shard}. */
    public ActorRef<M> on(int shard) {
        return instances.get(shard);
    }

    /** The instance on the calling shard. */
    public ActorRef<M> local() {
        Shard here = Shard.current();
        if (here == null || here.runtime() != instances.getFirst().system().runtime()) {
            throw new IllegalStateException("local() needs a shard of this system's runtime");
        }
        return instances.get(here.id());
    }

    /** Every instance, in shard order. */
    public List<ActorRef<M>> instances() {
        return instances;
    }

    /** Tells the instance that owns {@code key}. */
    public void tell(Object key, M message) {
        forKey(key).tell(message);
    }

    /** Tells every instance (each gets the same, immutable, message). */
    public void broadcast(M message) {
        for (ActorRef<M> instance : instances) {
            instance.tell(message);
        }
    }

    /** Asks the instance that owns {@code key}, from a thread that is not a shard. See {@link ActorRef#ask}. */
    public <R> CompletableFuture<R> ask(Object key, Function<Reply<R>, ? extends M> request, Duration timeout) {
        return forKey(key).ask(request, timeout);
    }

    /** Asks the instance that owns {@code key}, from a shard. See {@link ActorRef#askPromise}. */
    public <R> Promise<R> askPromise(Object key, Function<Reply<R>, ? extends M> request, Duration timeout) {
        return forKey(key).askPromise(request, timeout);
    }
}
