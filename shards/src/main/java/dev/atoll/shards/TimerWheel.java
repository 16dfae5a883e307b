package dev.atoll.shards;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.function.Consumer;

/**
 * A hashed timer wheel owned by one shard thread: O(1) schedule and cancel, and an advance that
 * visits only the ticks that have passed.
 *
 * <p>A timer is filed under the first tick at or after its deadline ({@code ceil(deadline / tick)}),
 * so it can never fire early: when that tick is reached, the deadline has passed. Timers due in the
 * same advance fire in deadline order (ties in scheduling order). Deadlines further away than one
 * rotation share slots with nearer ones and are skipped until their own tick comes.
 */
final class TimerWheel {
    private static final Comparator<Timer> FIRING_ORDER =
            Comparator.<Timer>comparingLong(t -> t.deadline).thenComparingLong(t -> t.sequence);

    private final long origin;
    private final long tickNanos;
    private final Timer[] heads;
    private final int mask;
    private final ArrayList<Timer> due = new ArrayList<>();
    /** The last tick whose slot has been processed. */
    private long processedTick;
    /**
     * A timer was scheduled for a time already processed (a fired task re-arming itself late): it waits
     * under the next tick, and the next advance fires it even if that tick has not come, so a clock that
     * stands still (a test kit's manual clock) does not hold it back.
     */
    private boolean overdueFiled;
    private long sequence;
    private int size;

    TimerWheel(long originNanos, long tickNanos, int wheelSize) {
        int slots = Integer.highestOneBit(Math.max(16, wheelSize) - 1) << 1;
        this.origin = originNanos;
        this.tickNanos = tickNanos;
        this.heads = new Timer[slots];
        this.mask = slots - 1;
    }

    /** Schedules {@code task} to run at {@code deadlineNanos} ({@link System#nanoTime()} time base). */
    Timer schedule(long deadlineNanos, Runnable task) {
        long deadline = Math.max(0, deadlineNanos - origin);
        Timer timer = new Timer(this, task, deadline, sequence++);
        long tick = ceilDiv(deadline, tickNanos);
        // A tick already processed would never be visited again in this rotation: file it under the next one.
        if (tick <= processedTick) {
            overdueFiled = true;
        }
        timer.tick = Math.max(tick, processedTick + 1);
        link(timer);
        return timer;
    }

    int size() {
        return size;
    }

    /**
     * Fires every timer whose tick has come. Returns the number fired. Tasks scheduled by the fired
     * tasks for a time already passed fire on the next call, not in this one, even if the time given
     * to that call is the same.
     */
    int advance(long nowNanos, Consumer<Runnable> runner) {
        long nowTick = Math.floorDiv(nowNanos - origin, tickNanos);
        if (nowTick <= processedTick || size == 0) {
            processedTick = Math.max(processedTick, nowTick);
            if (!overdueFiled || size == 0) {
                return 0;
            }
            collectOverdue(nowNanos - origin);
            return fire(runner);
        }
        overdueFiled = false;   // filed under processedTick + 1, which this advance processes
        long last = Math.min(nowTick, processedTick + heads.length);
        for (long t = processedTick + 1; t <= last; t++) {
            collect((int) (t & mask), nowTick);
        }
        processedTick = nowTick;
        return fire(runner);
    }

    /** The timers under the next tick whose deadline has passed (the overdue ones among them). */
    private void collectOverdue(long now) {
        overdueFiled = false;
        long next = processedTick + 1;
        Timer timer = heads[(int) (next & mask)];
        while (timer != null) {
            Timer following = timer.next;
            if (timer.tick == next && timer.deadline <= now) {
                unlink(timer);
                due.add(timer);
            }
            timer = following;
        }
    }

    /** Runs the collected timers in firing order. */
    private int fire(Consumer<Runnable> runner) {
        if (due.isEmpty()) {
            return 0;
        }
        due.sort(FIRING_ORDER);
        int fired = due.size();
        for (int i = 0; i < fired; i++) {
            Timer timer = due.get(i);
            due.set(i, null);
            if (!timer.isDone()) {
                timer.markFired();
                runner.accept(timer.task);
            }
        }
        due.clear();
        return fired;
    }

    private void collect(int slot, long nowTick) {
        Timer timer = heads[slot];
        while (timer != null) {
            Timer next = timer.next;
            if (timer.tick <= nowTick) {
                unlink(timer);
                due.add(timer);
            }
            timer = next;
        }
    }

    /**
     * Nanoseconds ({@link System#nanoTime()} base) of the next tick that holds a due timer within one
     * rotation, or of the end of the rotation when all timers are further away; -1 with no timers.
     */
    long nextDeadline() {
        if (size == 0) {
            return -1;
        }
        long end = processedTick + heads.length;
        for (long t = processedTick + 1; t <= end; t++) {
            for (Timer timer = heads[(int) (t & mask)]; timer != null; timer = timer.next) {
                if (timer.tick == t) {
                    return origin + t * tickNanos;
                }
            }
        }
        return origin + end * tickNanos;
    }

    void remove(Timer timer) {
        if (timer.linked) {
            unlink(timer);
        }
    }

    /** Cancels every timer (shard stop). */
    int cancelAll() {
        int cancelled = 0;
        for (int slot = 0; slot < heads.length; slot++) {
            while (heads[slot] != null) {
                Timer timer = heads[slot];
                timer.cancel();
                cancelled++;
            }
        }
        return cancelled;
    }

    private void link(Timer timer) {
        int slot = (int) (timer.tick & mask);
        Timer head = heads[slot];
        timer.next = head;
        timer.previous = null;
        if (head != null) {
            head.previous = timer;
        }
        heads[slot] = timer;
        timer.linked = true;
        size++;
    }

    private void unlink(Timer timer) {
        if (timer.previous != null) {
            timer.previous.next = timer.next;
        } else {
            heads[(int) (timer.tick & mask)] = timer.next;
        }
        if (timer.next != null) {
            timer.next.previous = timer.previous;
        }
        timer.previous = null;
        timer.next = null;
        timer.linked = false;
        size--;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
