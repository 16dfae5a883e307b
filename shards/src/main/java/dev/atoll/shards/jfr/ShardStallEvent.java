package dev.atoll.shards.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A shard stayed away from its loop longer than {@code atoll.shards.stall-threshold}: committed by the
 * stall detector's thread, once per stall, with the stalled thread's frames as text (JFR's own stack
 * trace would be the detector's).
 */
@Name("dev.atoll.ShardStall")
@Label("Shard Stall")
@Category("Atoll")
@Description("A shard has not returned to its event loop for longer than the stall threshold")
@StackTrace(false)
public final class ShardStallEvent extends Event {
    @Label("Shard")
    int shard;

    @Label("Away From Loop")
    @Timespan(Timespan.NANOSECONDS)
    long awayNanos;

    @Label("Shard Thread Stack")
    String stack;

    private ShardStallEvent() {
    }

    /** Commits one stall of {@code shard} if a recording wants it; {@code stack} is called only then. */
    public static void emit(int shard, long awayNanos, java.util.function.Supplier<String> stack) {
        if (!AtollEvents.recording()) {
            return;
        }
        ShardStallEvent event = new ShardStallEvent();
        if (event.shouldCommit()) {
            event.shard = shard;
            event.awayNanos = awayNanos;
            event.stack = stack.get();
            event.commit();
        }
    }
}
