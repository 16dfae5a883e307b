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
 * recording's settings say otherwise, {@code jfr configure +dev.atoll.LongTask#threshold=1ms}). A shard
 * times its callbacks with a {@link LongTaskTiming}, only while a recording runs.
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

    LongTaskEvent(int shard) {
        this.shard = shard;
    }
}
