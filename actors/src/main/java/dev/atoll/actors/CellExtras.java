package dev.atoll.actors;

import dev.atoll.shards.Timer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;

/**
 * The parts of an actor most actors never use, allocated on first use so that an idle actor stays
 * small: restart bookkeeping, children, watchers, watched actors and timers. Owned by the actor's shard.
 */
final class CellExtras {
    /** Marks a watch that delivers the {@link Terminated} signal rather than a message. */
    static final Object SIGNAL = new Object();

    /** The failure that caused the pending restart; null when the pending start is the first. */
    Throwable restartCause;
    int restartsInWindow;
    long windowStartNanos;

    LinkedHashSet<ActorCell<?>> children;
    /** Actors (and futures of {@link ActorSystem#terminationOf}) to tell when this actor stops. */
    ArrayList<Object> watchers;
    /** Watched actor (a cell, or a {@link ForeignRef}) -> what to deliver when it stops: {@link #SIGNAL} or a message. */
    HashMap<ActorRef<?>, Object> watching;
    HashMap<Object, ActorTimer> timers;

    LinkedHashSet<ActorCell<?>> children() {
        if (children == null) {
            children = new LinkedHashSet<>();
        }
        return children;
    }

    ArrayList<Object> watchers() {
        if (watchers == null) {
            watchers = new ArrayList<>(2);
        }
        return watchers;
    }

    HashMap<ActorRef<?>, Object> watching() {
        if (watching == null) {
            watching = new HashMap<>();
        }
        return watching;
    }

    HashMap<Object, ActorTimer> timers() {
        if (timers == null) {
            timers = new HashMap<>();
        }
        return timers;
    }

    /** Cancels every timer (stop and restart). */
    void cancelTimers() {
        if (timers != null) {
            for (ActorTimer t : timers.values()) {
                t.cancel();
            }
            timers = null;
        }
    }

    /**
     * A keyed actor timer: sends its message to its actor, once or at a fixed rate. It goes into the
     * mailbox itself, so a tick that was queued before the timer was cancelled (or the actor restarted)
     * is dropped at delivery instead of reaching the actor.
     */
    static final class ActorTimer implements Runnable, SystemMessage {
        private final ActorCell<?> cell;
        private final Object key;
        private final Object message;
        private final long intervalNanos;   // 0 for a single timer
        private long nextNanos;
        private boolean cancelled;
        Timer timer;

        ActorTimer(ActorCell<?> cell, Object key, Object message, long firstNanos, long intervalNanos) {
            this.cell = cell;
            this.key = key;
            this.message = message;
            this.nextNanos = firstNanos;
            this.intervalNanos = intervalNanos;
            this.timer = cell.home.shard.scheduleAt(firstNanos, this);
        }

        @Override
        public void run() {
            if (intervalNanos > 0) {
                nextNanos += intervalNanos;
                timer = cell.home.shard.scheduleAt(nextNanos, this);
            } else {
                cell.timerDone(key, this);
            }
            cell.enqueue(this);
        }

        /** Stops the timer; a tick already in the mailbox is dropped. Returns whether it was still pending. */
        boolean cancel() {
            cancelled = true;
            return timer.cancel();
        }

        @Override
        @SuppressWarnings("unchecked")
        public void deliverTo(Actor<?> actor) throws Exception {
            if (!cancelled) {
                ((Actor<Object>) actor).receive(message);
            }
        }
    }
}
