package dev.atoll.shards.jfr;

/**
 * Times the callbacks of one shard for {@link LongTaskEvent}, reusing one event object for all of
 * them, so that timing allocates nothing even while a recording runs (an event per callback costs
 * about 200 bytes). With no recording, {@link #begin()} is one read of a field. One per shard, used
 * by its thread only; a callback begun inside another one's timing is not timed on its own.
 */
public final class LongTaskTiming {
    private final int shard;
    private LongTaskEvent event;
    private boolean timing;

    /** Timing for the callbacks of shard {@code shard}. */
    public LongTaskTiming(int shard) {
        this.shard = shard;
    }

    /** Starts timing a callback; false (and nothing to end) when no recording runs. */
    public boolean begin() {
        if (!AtollEvents.recording() || timing) {
            return false;
        }
        LongTaskEvent e = event;
        if (e == null) {
            e = event = new LongTaskEvent(shard);
        }
        timing = true;
        e.begin();
        return true;
    }

    /** Ends the timing a true {@link #begin()} started; commits when {@code task} took the threshold or longer. */
    public void end(Object task) {
        timing = false;
        LongTaskEvent e = event;
        e.end();
        if (e.shouldCommit()) {
            e.taskClass = task.getClass();
            e.commit();
        }
    }
}
