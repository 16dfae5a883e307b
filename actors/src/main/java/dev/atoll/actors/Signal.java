package dev.atoll.actors;

/**
 * A notification from the actor system rather than from another actor, delivered to
 * {@link Actor#onSignal}, so that {@code receive} stays typed by the actor's own messages.
 */
public sealed interface Signal permits Terminated {
}
