package dev.atoll.actors;

/**
 * A watched actor has stopped. Delivered exactly once per {@link ActorContext#watch} to
 * {@link Actor#onSignal} (or replaced by the watcher's own message, see {@link ActorContext#watchWith}).
 *
 * @param actor the actor that stopped
 */
public record Terminated(ActorRef<?> actor) implements Signal {
}
