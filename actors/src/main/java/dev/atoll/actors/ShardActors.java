package dev.atoll.actors;

import dev.atoll.actors.jfr.ActorLifecycleEvent;
import dev.atoll.actors.jfr.DeadLetterEvent;
import dev.atoll.drivers.LeftPadding128;
import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.HashMap;

// Every tell to an actor reads its part's system, shard and id (from other shards too), while the
// home shard writes the fields of ShardActors on every turn: the three read-mostly fields get cache
// lines of their own, or each cross-shard tell would pull a line the receiving shard keeps writing.
// 128 bytes of padding on each side, in bytes, as in the shards module's WakeSignal (ShardActorsLayoutTest).
abstract class ShardActorsIdentity extends LeftPadding128 {
    final ActorSystem system;
    final Shard shard;
    final int id;

    ShardActorsIdentity(ActorSystem system, Shard shard) {
        this.system = system;
        this.shard = shard;
        this.id = shard.id();
    }
}

abstract class ShardActorsRightPadding extends ShardActorsIdentity {
    byte q000, q001, q002, q003, q004, q005, q006, q007, q010, q011, q012, q013, q014, q015, q016, q017;
    byte q020, q021, q022, q023, q024, q025, q026, q027, q030, q031, q032, q033, q034, q035, q036, q037;
    byte q040, q041, q042, q043, q044, q045, q046, q047, q050, q051, q052, q053, q054, q055, q056, q057;
    byte q060, q061, q062, q063, q064, q065, q066, q067, q070, q071, q072, q073, q074, q075, q076, q077;
    byte q100, q101, q102, q103, q104, q105, q106, q107, q110, q111, q112, q113, q114, q115, q116, q117;
    byte q120, q121, q122, q123, q124, q125, q126, q127, q130, q131, q132, q133, q134, q135, q136, q137;
    byte q140, q141, q142, q143, q144, q145, q146, q147, q150, q151, q152, q153, q154, q155, q156, q157;
    byte q160, q161, q162, q163, q164, q165, q166, q167, q170, q171, q172, q173, q174, q175, q176, q177;

    ShardActorsRightPadding(ActorSystem system, Shard shard) {
        super(system, shard);
    }
}

/**
 * The part of an actor system that lives on one shard, touched only by that shard's thread: the
 * queue of actors with mail, the turns that run them, the live actors (for stopping them all), the
 * names that hash to this shard, the counters, and the guardian role for the shard's top-level
 * actors (whose escalated failures end here, logged).
 *
 * <p>Its {@link #run()} is the one task the shard runs for all its actors: up to
 * {@code iteration-budget} messages, {@code throughput} per actor turn, then it re-queues itself
 * behind the shard's other work if actors are still ready.
 */
final class ShardActors extends ShardActorsRightPadding implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ShardActors.class);
    // Counters: written by this shard only, with opaque stores; read by any thread with opaque loads.
    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
    static final int LIVE = 0;
    static final int QUEUED = 1;
    static final int HANDLED = 2;
    static final int DEAD_LETTERS = 3;
    static final int FAILURES = 4;
    static final int RESTARTS = 5;
    static final int SPAWNED = 6;
    static final int STOPPED = 7;

    private final int throughput;
    private final int iterationBudget;
    private final long deadLetterLogNanos;

    private final ArrayDeque<ActorCell<?>> ready = new ArrayDeque<>(64);
    private boolean drainScheduled;
    /** The actor whose turn is running, or null between turns. */
    ActorCell<?> inTurn;
    private ActorCell<?> liveHead;
    private final HashMap<String, ActorCell<?>> names = new HashMap<>();
    private boolean closing;
    private final long[] counts = new long[8];
    private long lastDeadLetterLog;
    private long deadLettersSinceLog;

    ShardActors(ActorSystem system, Shard shard, ActorSettings settings) {
        super(system, shard);
        this.throughput = settings.throughput();
        this.iterationBudget = settings.iterationBudget();
        this.deadLetterLogNanos = settings.deadLetterLogInterval().toNanos();
        this.lastDeadLetterLog = System.nanoTime() - deadLetterLogNanos;
    }

    // ---- turns ----

    /** {@code cell} has work: queue it for a turn, and this part's task on the shard if it is not queued. */
    void schedule(ActorCell<?> cell) {
        ready.addLast(cell);
        if (!drainScheduled) {
            drainScheduled = true;
            shard.execute(this);
        }
    }

    @Override
    public void run() {
        int budget = iterationBudget;
        try {
            ActorCell<?> cell;
            while (budget > 0 && (cell = ready.pollFirst()) != null) {
                inTurn = cell;
                budget -= Math.max(1, cell.turn(Math.min(throughput, budget)));
            }
        } finally {
            inTurn = null;
            if (ready.isEmpty()) {
                drainScheduled = false;
            } else {
                shard.execute(this);   // behind the shard's other work: inbound queues, timers, I/O
            }
        }
    }

    // ---- lifecycle ----

    /** A spawn arrived: the actor joins the live list and its first turn runs its factory. */
    void startLocal(ActorCell<?> cell) {
        if (closing) {
            cell.finishStop();
            return;
        }
        cell.nextLive = liveHead;
        if (liveHead != null) {
            liveHead.previousLive = cell;
        }
        liveHead = cell;
        add(LIVE, 1);
        add(SPAWNED, 1);
        cell.startPending();
    }

    void unlinkLive(ActorCell<?> cell) {
        if (liveHead != cell && cell.previousLive == null) {
            return;   // never started here
        }
        if (cell.previousLive != null) {
            cell.previousLive.nextLive = cell.nextLive;
        } else {
            liveHead = cell.nextLive;
        }
        if (cell.nextLive != null) {
            cell.nextLive.previousLive = cell.previousLive;
        }
        cell.previousLive = null;
        cell.nextLive = null;
        add(LIVE, -1);
        add(STOPPED, 1);
        ActorLifecycleEvent.emit(id, cell, ActorLifecycleEvent.Change.STOPPED);
    }

    /** The system is closing: stop every actor of this shard; later spawns stop at once. */
    void stopAll() {
        closing = true;
        ActorCell<?> cell = liveHead;
        while (cell != null) {
            ActorCell<?> next = cell.nextLive;
            cell.finishStop();
            cell = next;
        }
    }

    /** The guardian's part: a top-level actor escalated, so it has stopped; nothing above it to fail. */
    void topLevelFailed(ActorCell<?> cell, Throwable failure) {
        log.error("{} escalated a failure to the guardian of shard {}; it stays stopped", cell, id, failure);
    }

    /**
     * Runs {@code action} on {@code target}'s shard, later (never inline: the caller may be iterating
     * what the action changes). Lifecycle messages are never refused by the mesh's overflow limit:
     * a lost one would break exactly-once termination signals. False only from a thread that is not
     * a shard, when the runtime refuses it.
     */
    boolean control(ShardActors target, Runnable action) {
        Shard here = Shard.current();
        if (here == target.shard) {
            here.execute(action);
            return true;
        }
        if (here != null && here.runtime() == system.runtime()) {
            here.sendReply(target.id, action);
            return true;
        }
        if (system.runtime().execute(target.id, action)) {
            return true;
        }
        log.warn("a lifecycle message for shard {} was refused (the runtime is stopping)", target.id);
        return false;
    }

    // ---- names (for the names that hash to this shard) ----

    void registerAndStart(String name, ActorCell<?> cell) {
        ActorCell<?> holder = names.putIfAbsent(name, cell);
        if (holder == null) {
            control(cell.home, () -> cell.home.startLocal(cell));
        } else {
            log.warn("the name '{}' is taken by {}; the new actor is stopped before it starts", name, holder);
            control(cell.home, cell::finishStop);
        }
    }

    void unregister(String name, ActorCell<?> cell) {
        names.remove(name, cell);
    }

    ActorCell<?> lookup(String name) {
        return names.get(name);
    }

    // ---- dead letters and counters ----

    void deadLetter(Object message, ActorCell<?> recipient, DeadLetter.Reason reason) {
        DeadLetterEvent.emit(id, message, recipient, reason);
        system.publish(message, recipient, reason);
        // Counted once its listeners have it, with a release store (the other counters are opaque): a reader whose
        // acquiring load sees the count sees what the listeners did.
        COUNTS.setRelease(counts, DEAD_LETTERS, counts[DEAD_LETTERS] + 1);
        deadLettersSinceLog++;
        if (deadLetterLogNanos > 0) {
            long now = System.nanoTime();
            if (now - lastDeadLetterLog >= deadLetterLogNanos) {
                log.info("{} dead letter(s) on shard {} since the last report; the latest: {} to {} ({})",
                        deadLettersSinceLog, id, message, recipient, reason);
                lastDeadLetterLog = now;
                deadLettersSinceLog = 0;
            }
        }
    }

    void queued(int delta) {
        add(QUEUED, delta);
    }

    void handled(int n) {
        add(QUEUED, -n);
        add(HANDLED, n);
    }

    void failed() {
        add(FAILURES, 1);
    }

    void restarted(ActorCell<?> cell) {
        add(RESTARTS, 1);
        ActorLifecycleEvent.emit(id, cell, ActorLifecycleEvent.Change.RESTARTED);
    }

    private void add(int counter, long delta) {
        COUNTS.setOpaque(counts, counter, counts[counter] + delta);
    }

    /** A counter as last written by the shard (opaque load). Any thread. */
    long read(int counter) {
        return (long) COUNTS.getOpaque(counts, counter);
    }

    /** Messages waiting in this shard's mailboxes, as last written by the shard. Any thread. */
    long queuedMessages() {
        return read(QUEUED);
    }

    /** The shard's dead letters (an acquiring load: see {@link #deadLetter}). Any thread. */
    long deadLetters() {
        return (long) COUNTS.getAcquire(counts, DEAD_LETTERS);
    }

    /** A snapshot of the counters. Any thread. */
    ActorStats stats() {
        return new ActorStats(id, read(LIVE), read(QUEUED), read(HANDLED), read(DEAD_LETTERS), read(FAILURES),
                read(RESTARTS), read(SPAWNED), read(STOPPED));
    }
}
