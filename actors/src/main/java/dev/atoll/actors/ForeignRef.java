package dev.atoll.actors;

/**
 * The base of references to actors that do not live in this process (the cluster module's remote
 * references). It supports tell and the accessors; watching, stopping and awaiting the termination
 * of a foreign actor are refused with an {@link UnsupportedOperationException} until a module
 * implements them. Equality is identity, as for every reference: a module hands out one object per
 * foreign actor.
 *
 * @param <M> the type of the messages the actor receives
 */
public abstract non-sealed class ForeignRef<M> extends ActorRef<M> {

    /** For subclasses in other modules. */
    protected ForeignRef() {
    }

    static UnsupportedOperationException unsupported(String what, ActorRef<?> target) {
        return new UnsupportedOperationException(what + " is not supported for " + target + ", an actor in another process");
    }
}
