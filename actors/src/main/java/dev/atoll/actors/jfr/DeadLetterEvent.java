package dev.atoll.actors.jfr;

import dev.atoll.shards.jfr.AtollEvents;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A message became a dead letter: its actor had stopped, or the mesh refused it. */
@Name("dev.atoll.DeadLetter")
@Label("Dead Letter")
@Category("Atoll")
@Description("A message that no actor will handle: sent to a stopped actor, left in its mailbox, or refused by the mesh")
public final class DeadLetterEvent extends Event {
    @Label("Shard")
    int shard;

    @Label("Recipient")
    String recipient;

    @Label("Message Class")
    Class<?> messageClass;

    @Label("Reason")
    String reason;

    private DeadLetterEvent() {
    }

    /** Commits one dead letter if a recording wants it; {@code recipient}'s text is built only then. */
    public static void emit(int shard, Object message, Object recipient, Enum<?> reason) {
        if (!AtollEvents.recording()) {
            return;
        }
        DeadLetterEvent event = new DeadLetterEvent();
        if (event.shouldCommit()) {
            event.shard = shard;
            event.recipient = String.valueOf(recipient);
            event.messageClass = message.getClass();
            event.reason = reason.name();
            event.commit();
        }
    }
}
