package dev.atoll.shards.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * One task, message or timer on a shard ran longer than the event's JFR threshold (10 ms unless a
 * recording's settings say otherwise, {@code jfr configure dev.atoll.LongTask#threshold=1ms}). The
 * shard times its callbacks only while a recording runs: {@link #begin(int)} returns null otherwise.
 */
@Name("dev.atoll.LongTask")
@Label("Long Task")
@Category("Atoll")
@Description("A callback on a shard (task, mesh message, timer, actor turn) ran past the threshold")
@Threshold("10 ms")
@StackTrace(false)
public final class LongTaskEvent extends Event {
    @Label("Shard")
    int shard;

    @Label("Task Class")
    Class<?> taskClass;

    private LongTaskEvent() {
    }

    /** Starts timing a callback on {@code shard}: null, at the cost of one field read, when nothing records. */
    public static LongTaskEvent begin(int shard) {
        if (!AtollEvents.recording()) {
            return null;
        }
        LongTaskEvent event = new LongTaskEvent();
        event.shard = shard;
        event.begin();
        return event;
    }

    /** Ends the timing begun by {@link #begin(int)}; commits when the callback took at least the threshold. */
    public static void end(LongTaskEvent event, Object task) {
        event.end();
        if (event.shouldCommit()) {
            event.taskClass = task.getClass();
            event.commit();
        }
    }
}
