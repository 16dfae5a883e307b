package dev.atoll.actors;

/**
 * A message that could not be delivered, as given to {@link ActorSystem#onDeadLetter} listeners.
 *
 * @param message   the message
 * @param recipient the actor it was for
 * @param reason    why it was not delivered
 */
public record DeadLetter(Object message, ActorRef<?> recipient, Reason reason) {

    /** Why a message became a dead letter. */
    public enum Reason {
        /** The recipient had stopped (or was stopped with it still in the mailbox). */
        STOPPED,
        /** The mesh refused it: {@code atoll.mesh.overflow-limit} messages already waited for that shard. */
        OVERFLOW,
        /** It was sent from a thread that is not a shard while the runtime was stopping or its queue was full. */
        REFUSED
    }
}
