package dev.atoll.shards;

/**
 * A scheduled task on one shard's timer wheel, returned by {@link Shard#schedule}. Cancel it on the
 * shard that scheduled it; a cancelled timer never fires and is unlinked at once.
 */
public final class Timer {
    final TimerWheel wheel;
    final Runnable task;
    final long deadline;      // relative to the wheel's origin, in nanoseconds
    final long sequence;      // order of scheduling, breaks ties between equal deadlines
    long tick;                // the wheel tick at or after the deadline
    Timer previous;
    Timer next;
    boolean linked;
    private boolean done;

    Timer(TimerWheel wheel, Runnable task, long deadline, long sequence) {
        this.wheel = wheel;
        this.task = task;
        this.deadline = deadline;
        this.sequence = sequence;
    }

    /**
     * Cancels the timer if it has not fired yet. Must be called on the owning shard.
     *
     * @return true if this call prevented the task from running
     */
    public boolean cancel() {
        if (done) {
            return false;
        }
        done = true;
        wheel.remove(this);
        return true;
    }

    /** True once the timer has fired or was cancelled. */
    public boolean isDone() {
        return done;
    }

    void markFired() {
        done = true;
    }
}
