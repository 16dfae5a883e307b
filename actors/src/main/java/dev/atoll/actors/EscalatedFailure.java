package dev.atoll.actors;

/**
 * The failure a parent sees when a child escalates (its supervision chose
 * {@link Supervision.Directive#ESCALATE}, or it used up its restarts): the child has stopped, and the
 * parent is handled by its own supervision as if its {@code receive} had thrown this.
 */
public final class EscalatedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ActorRef<?> child;

    EscalatedFailure(ActorRef<?> child, Throwable cause) {
        super("child " + child + " failed and escalated: " + cause, cause);
        this.child = child;
    }

    /** The child that failed (it has stopped). */
    public ActorRef<?> child() {
        return child;
    }
}
