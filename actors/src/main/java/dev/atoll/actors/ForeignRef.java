package dev.atoll.actors;

/**
 * The base of references to actors that do not live in this process (the cluster module's remote
 * references). It supports tell and the accessors; watching is the module's to implement
 * ({@link #watchedBy}, {@link #unwatchedBy}, {@link #terminated}); stopping and awaiting the termination
 * of a foreign actor are refused with an {@link UnsupportedOperationException}. Equality is identity, as for every reference: a module hands out one object per
 * foreign actor.
 *
 * @param <M> the type of the messages the actor receives
 */
public abstract non-sealed class ForeignRef<M> extends ActorRef<M> {

    /** For subclasses in other modules. */
    protected ForeignRef() {
    }

    /**
     * An actor of this process started watching this foreign actor ({@link ActorContext#watch}); called
     * on the watcher's shard, once per watch. The module tells the watcher of the end with
     * {@link #terminated}. By default watching is refused with an {@link UnsupportedOperationException}.
     */
    protected void watchedBy(ActorRef<?> watcher) {
        throw unsupported("watch", this);
    }

    /** {@code watcher} stopped watching this foreign actor (unwatch, or the watcher stopped); on its shard. */
    protected void unwatchedBy(ActorRef<?> watcher) {
    }

    /**
     * For the module, on {@code watcher}'s shard: this foreign actor has ended (stopped, or its process
     * is gone). The watcher gets its {@link Terminated} (or its own message) if it still watches: at most
     * once per watch, however often this is called.
     */
    protected final void terminated(ActorRef<?> watcher) {
        if (watcher instanceof ActorCell<?> cell) {
            cell.watchedTerminated(this);
        }
    }

    static UnsupportedOperationException unsupported(String what, ActorRef<?> target) {
        return new UnsupportedOperationException(what + " is not supported for " + target + ", an actor in another process");
    }
}
