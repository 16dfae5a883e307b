package dev.atoll.actors;

/**
 * What the system puts in a mailbox besides the actor's own messages, so that it is handled in order
 * with them, in the actor's turn. Users cannot create these, so a message of type {@code M} is never
 * mistaken for one.
 */
sealed interface SystemMessage permits SystemMessage.SignalMessage, SystemMessage.ChildFailed,
        SystemMessage.Failure, CellExtras.ActorTimer {

    /** Handles the message on {@code actor}; a throw is a failure of the actor. */
    void deliverTo(Actor<?> actor) throws Throwable;

    /** A signal for {@link Actor#onSignal}. */
    record SignalMessage(Signal signal) implements SystemMessage {
        @Override
        public void deliverTo(Actor<?> actor) throws Exception {
            actor.onSignal(signal);
        }
    }

    /** A child escalated: the parent fails with it. */
    record ChildFailed(ActorRef<?> child, Throwable cause) implements SystemMessage {
        @Override
        public void deliverTo(Actor<?> actor) {
            throw new EscalatedFailure(child, cause);
        }
    }

    /** A failure found outside the actor's turn (a throwing pipeToSelf mapper), handled in it. */
    record Failure(Throwable cause) implements SystemMessage {
        @Override
        public void deliverTo(Actor<?> actor) throws Throwable {
            throw cause;
        }
    }
}
