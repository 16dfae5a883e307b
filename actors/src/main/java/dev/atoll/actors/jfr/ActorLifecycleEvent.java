package dev.atoll.actors.jfr;

import dev.atoll.shards.jfr.AtollEvents;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** An actor was restarted by its supervision after a failure, or stopped (for good). */
@Name("dev.atoll.ActorLifecycle")
@Label("Actor Restart or Stop")
@Category("Atoll")
@Description("An actor was restarted by supervision, or stopped")
@StackTrace(false)
public final class ActorLifecycleEvent extends Event {
    /** What happened to the actor. */
    public enum Change { RESTARTED, STOPPED }

    @Label("Shard")
    int shard;

    @Label("Actor")
    String actor;

    @Label("Change")
    String change;

    private ActorLifecycleEvent() {
    }

    /** Commits one change of {@code actor} (described by its {@code toString}) if a recording wants it. */
    public static void emit(int shard, Object actor, Change change) {
        if (!AtollEvents.recording()) {
            return;
        }
        ActorLifecycleEvent event = new ActorLifecycleEvent();
        if (event.shouldCommit()) {
            event.shard = shard;
            event.actor = String.valueOf(actor);
            event.change = change.name();
            event.commit();
        }
    }
}
