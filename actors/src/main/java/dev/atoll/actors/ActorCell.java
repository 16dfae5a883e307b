package dev.atoll.actors;

import dev.atoll.actors.CellExtras.ActorTimer;
import dev.atoll.actors.SystemMessage.ChildFailed;
import dev.atoll.actors.SystemMessage.SignalMessage;
import dev.atoll.shards.MeshReceiver;
import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One actor's machinery, which is also its reference and its context (one object per actor keeps an
 * idle actor small): the mailbox, the lifecycle, supervision, death watch and timers.
 *
 * <p>The final fields are set by the spawning thread and read anywhere. Every other field belongs to
 * the home shard's thread; the object reaches that thread through a mesh or submission queue, whose
 * release/acquire publishes it (and every other shard that holds the reference got it through such
 * a chain).
 */
final class ActorCell<M> extends ActorRef<M> implements ActorContext<M>, MeshReceiver<Object> {
    private static final Logger log = LoggerFactory.getLogger(ActorCell.class);
    /** The cell whose factory is running on this thread, for {@link Actor}'s constructor. */
    private static final ThreadLocal<ActorCell<?>> CONSTRUCTING = new ThreadLocal<>();

    private static final int STARTED = 1;        // an instance runs and takes messages
    private static final int SCHEDULED = 2;      // in the shard's ready queue, or in its turn
    private static final int START_PENDING = 4;  // the next turn creates an instance (first start or restart)
    private static final int STOPPING = 8;       // stops at the end of the current turn
    private static final int STOPPED = 16;       // terminal
    private static final int INITIAL_MAILBOX = 4;
    private static final int SHRINK_ABOVE = 1024;

    final ShardActors home;
    private final Supplier<? extends Actor<M>> factory;
    private final ActorCell<?> parent;
    private final Supervision supervision;
    private final String name;

    private Actor<M> actor;
    /**
     * What the home shard changes on every message, in an object of its own that the home shard creates:
     * a sender on another shard reads only this cell's final fields, so the line it reads stays shared
     * instead of moving between the cores at each message (about 40 % of a two-shard ping-pong of 100
     * pairs went there).
     */
    private Mailbox box;
    private CellExtras extras;
    ActorCell<?> previousLive;   // the home shard's list of live actors (for stopping them all)
    ActorCell<?> nextLive;

    ActorCell(ShardActors home, Supplier<? extends Actor<M>> factory, ActorCell<?> parent, Supervision supervision,
              String name) {
        this.home = home;
        this.factory = Objects.requireNonNull(factory, "factory");
        this.parent = parent;
        this.supervision = supervision;
        this.name = name;
    }

    static ActorCell<?> constructing() {
        return CONSTRUCTING.get();
    }

    // ---- ActorRef ----

    @Override
    public void tell(M message) {
        Objects.requireNonNull(message, "message");
        if (!offer(message)) {
            home.system.refused(this, message);
        }
    }

    @Override
    public <R> CompletableFuture<R> ask(Function<Reply<R>, ? extends M> request, Duration timeout) {
        CompletableFuture<R> answer = new CompletableFuture<>();
        M message = request.apply(new FutureReply<>(answer));
        if (!offer(message)) {
            answer.completeExceptionally(home.system.refusal(this));
            return answer;
        }
        return answer.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public <R> Promise<R> askPromise(Function<Reply<R>, ? extends M> request, Duration timeout) {
        Shard here = Shard.current();
        if (here == null) {
            throw new IllegalStateException("askPromise must run on a shard; use ask() from " + Thread.currentThread().getName());
        }
        Promise<R> answer = new Promise<>();
        M message = request.apply(new PromiseReply<>(answer, here));
        if (!offer(message)) {
            answer.fail(home.system.refusal(this));
            return answer;
        }
        return answer.withDeadline(timeout);
    }

    @Override
    public int shardId() {
        return home.id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ActorSystem system() {
        return home.system;
    }

    @Override
    public String toString() {
        return "actor " + (name != null ? name : "#" + Integer.toHexString(hashCode())) + "@shard" + home.id;
    }

    /**
     * Hands {@code message} to this actor's mailbox: directly on the home shard; from another shard as
     * the pair (this cell, message) in the mesh queue's slots, so nothing is allocated; from a thread
     * that is not a shard as a {@link Delivery} through the outside queue. False when that was refused.
     */
    boolean offer(Object message) {
        Shard here = Shard.current();
        if (here == home.shard) {
            enqueue(message);
            return true;
        }
        if (here != null && here.runtime() == home.system.runtime()) {
            return here.send(home.id, this, message);
        }
        return home.system.runtime().execute(home.id, new Delivery(this, message));
    }

    /** A message that crossed the mesh from another shard, on the home shard: into the mailbox. */
    @Override
    public void receive(Object message) {
        enqueue(message);
    }

    // ---- the mailbox (home shard only) ----

    void enqueue(Object message) {
        Mailbox b = box();
        if ((b.state & STOPPED) != 0) {
            if (!(message instanceof SystemMessage)) {
                home.deadLetter(message, this, DeadLetter.Reason.STOPPED);
            }
            return;
        }
        Object[] ring = b.mail;
        if (ring == null) {
            ring = b.mail = new Object[INITIAL_MAILBOX];
        } else if (b.size == ring.length) {
            ring = grow(b, ring);
        }
        ring[(b.head + b.size) & (ring.length - 1)] = message;
        b.size++;
        home.queued(1);
        if ((b.state & (STARTED | SCHEDULED)) == STARTED) {
            b.state |= SCHEDULED;
            home.schedule(this);
        }
    }

    private Object[] grow(Mailbox b, Object[] ring) {
        Object[] bigger = new Object[ring.length << 1];
        for (int i = 0; i < b.size; i++) {
            bigger[i] = ring[(b.head + i) & (ring.length - 1)];
        }
        b.head = 0;
        b.mail = bigger;
        return bigger;
    }

    private Object poll(Mailbox b) {
        Object[] ring = b.mail;
        Object message = ring[b.head];
        ring[b.head] = null;
        b.head = (b.head + 1) & (ring.length - 1);
        if (--b.size == 0) {
            b.head = 0;
            if (ring.length > SHRINK_ABOVE) {
                b.mail = null;   // a burst grew it; an idle actor goes back to no mailbox at all
            }
        }
        return message;
    }

    // ---- turns (home shard only) ----

    /** The spawn reached the home shard: the first turn creates the instance. */
    void startPending() {
        if ((box().state & STOPPED) != 0) {
            return;   // stopped before it started: no factory, no hooks
        }
        box().state |= START_PENDING;
        scheduleIfIdle();
    }

    private void scheduleIfIdle() {
        if ((box().state & SCHEDULED) == 0) {
            box().state |= SCHEDULED;
            home.schedule(this);
        }
    }

    /**
     * One turn: create the instance if one is pending, then handle up to {@code max} messages.
     * Returns the messages handled. Ends scheduled again when more work is waiting.
     */
    int turn(int max) {
        Mailbox b = box();
        if ((b.state & STOPPED) != 0) {
            return 0;
        }
        if ((b.state & START_PENDING) != 0) {
            b.state &= ~START_PENDING;
            start();
        }
        int handled = 0;
        while (handled < max && b.size > 0 && (b.state & (STARTED | STOPPING | START_PENDING)) == STARTED) {
            Object message = poll(b);
            handled++;
            try {
                deliver(message);
            } catch (Throwable failure) {
                failed(failure);
            }
        }
        if (handled > 0) {
            home.handled(handled);
        }
        if ((b.state & STOPPING) != 0) {
            finishStop();
        } else if ((b.state & START_PENDING) != 0 || ((b.state & STARTED) != 0 && b.size > 0)) {
            home.schedule(this);   // stays SCHEDULED
        } else {
            b.state &= ~SCHEDULED;
        }
        return handled;
    }

    @SuppressWarnings("unchecked")
    private void deliver(Object message) throws Throwable {
        if (message instanceof SystemMessage system) {
            system.deliverTo(actor);
        } else {
            actor.receive((M) message);
        }
    }

    /** Creates an instance (first start or restart) and runs its start hook; a throw goes to supervision. */
    private void start() {
        Throwable restartCause = extras == null ? null : extras.restartCause;
        if (extras != null) {
            extras.restartCause = null;
        }
        try {
            if (actor == null) {
                actor = newInstance();
            }
            if (restartCause == null) {
                actor.preStart();
            } else {
                actor.postRestart(restartCause);
            }
            box().state |= STARTED;
        } catch (Throwable failure) {
            failed(failure);
        }
    }

    private Actor<M> newInstance() {
        ActorCell<?> outer = CONSTRUCTING.get();
        CONSTRUCTING.set(this);
        try {
            Actor<M> instance = Objects.requireNonNull(factory.get(), "the actor factory returned null");
            instance.cell = this;
            return instance;
        } finally {
            CONSTRUCTING.set(outer);
        }
    }

    // ---- supervision (home shard, inside a turn) ----

    private void failed(Throwable failure) {
        home.failed();
        Supervision.Directive directive = supervision.decide(failure);
        if (directive == Supervision.Directive.RESUME && (box().state & STARTED) == 0 && actor == null) {
            directive = Supervision.Directive.STOP;   // the factory failed: nothing to resume
        }
        if (directive == Supervision.Directive.RESTART && !restartAllowed()) {
            log.warn("{} used up its {} restarts within {}; escalating", this, supervision.maxRestarts(),
                    Duration.ofNanos(supervision.withinNanos()));
            directive = Supervision.Directive.ESCALATE;
        }
        // One line per failure; the stack trace at debug level (the guardian logs an escalated one in full).
        log.warn("{} failed ({}): {}", this, failure.toString(), directive.name().toLowerCase(java.util.Locale.ROOT));
        if (log.isDebugEnabled()) {
            log.debug("failure of {}", this, failure);
        }
        switch (directive) {
            case RESUME -> box().state |= STARTED;   // a preStart that failed and resumes: the instance takes messages
            case RESTART -> restart(failure);
            case STOP -> box().state |= STOPPING;
            case ESCALATE -> {
                box().state |= STOPPING;
                escalate(failure);
            }
        }
    }

    private boolean restartAllowed() {
        CellExtras x = extras();
        long now = System.nanoTime();
        if (x.restartsInWindow == 0 || now - x.windowStartNanos > supervision.withinNanos()) {
            x.windowStartNanos = now;
            x.restartsInWindow = 0;
        }
        if (x.restartsInWindow >= supervision.maxRestarts()) {
            return false;
        }
        x.restartsInWindow++;
        return true;
    }

    /** The old instance's preRestart now; the fresh instance in the next turn, with the mailbox kept. */
    private void restart(Throwable cause) {
        Actor<M> old = actor;
        if (old != null && (box().state & STARTED) != 0) {
            try {
                old.preRestart(cause);
            } catch (Throwable t) {
                log.warn("preRestart of {} threw; restarting anyway", this, t);
            }
        }
        extras().cancelTimers();
        extras.restartCause = cause;
        actor = null;
        box().state = (box().state & ~STARTED) | START_PENDING;
        home.restarted(this);
    }

    private void escalate(Throwable failure) {
        if (parent == null) {
            home.topLevelFailed(this, failure);
        } else {
            home.control(parent.home, () -> parent.enqueue(new ChildFailed(this, failure)));
        }
    }

    // ---- stopping (home shard) ----

    /** Stops now, or at the end of the current turn when it is this actor's. */
    void stopRequested() {
        if ((box().state & STOPPED) != 0) {
            return;
        }
        if (home.inTurn == this) {
            box().state |= STOPPING;
        } else {
            finishStop();
        }
    }

    /** The end of an actor: hooks, timers, children, watchers, parent, name, and its memory released. */
    void finishStop() {
        if ((box().state & STOPPED) != 0) {
            return;
        }
        boolean started = (box().state & STARTED) != 0;
        box().state = STOPPED;
        Actor<M> instance = actor;
        actor = null;
        if (instance != null && started) {
            ActorCell<?> outer = home.inTurn;
            home.inTurn = this;
            try {
                instance.postStop();
            } catch (Throwable t) {
                log.warn("postStop of {} threw", this, t);
            } finally {
                home.inTurn = outer;
            }
        }
        Mailbox b = box();
        int left = b.size;
        while (b.size > 0) {
            Object message = poll(b);
            if (!(message instanceof SystemMessage)) {
                home.deadLetter(message, this, DeadLetter.Reason.STOPPED);
            }
        }
        home.queued(-left);
        b.mail = null;
        CellExtras x = extras;
        extras = null;
        if (x != null) {
            x.cancelTimers();
            if (x.children != null) {
                for (ActorCell<?> child : x.children) {
                    home.control(child.home, child::stopRequested);
                }
            }
            if (x.watchers != null) {
                for (Object watcher : x.watchers) {
                    notifyWatcher(watcher);
                }
            }
            if (x.watching != null) {
                for (ActorRef<?> watched : x.watching.keySet()) {
                    if (watched instanceof ActorCell<?> target) {
                        home.control(target.home, () -> target.removeWatcher(this));
                    } else {
                        ((ForeignRef<?>) watched).unwatchedBy(this);
                    }
                }
            }
        }
        if (parent != null) {
            home.control(parent.home, () -> parent.childStopped(this));
        }
        if (name != null) {
            home.system.unregister(home, name, this);
        }
        home.unlinkLive(this);
    }

    private void notifyWatcher(Object watcher) {
        if (watcher instanceof ActorCell<?> cell) {
            home.control(cell.home, () -> cell.watchedTerminated(this));
        } else if (watcher instanceof CompletableFuture<?> future) {
            future.complete(null);
        }
    }

    // ---- control messages from other actors (home shard) ----

    void childStopped(ActorCell<?> child) {
        if (extras != null && extras.children != null) {
            extras.children.remove(child);
        }
    }

    void addWatcher(Object watcher) {
        if ((box().state & STOPPED) != 0) {
            notifyWatcher(watcher);
            return;
        }
        List<Object> watchers = extras().watchers();
        if (!watchers.contains(watcher)) {
            watchers.add(watcher);
        }
    }

    void removeWatcher(ActorCell<?> watcher) {
        if (extras != null && extras.watchers != null) {
            extras.watchers.remove(watcher);
        }
    }

    /** {@code target} has stopped: deliver what the watch asked for, once. */
    void watchedTerminated(ActorRef<?> target) {
        if ((box().state & STOPPED) != 0 || extras == null || extras.watching == null) {
            return;
        }
        Object how = extras.watching.remove(target);
        if (how == CellExtras.SIGNAL) {
            enqueue(new SignalMessage(new Terminated(target)));
        } else if (how != null) {
            enqueue(how);
        }
    }

    void timerDone(Object key, ActorTimer timer) {
        if (extras != null && extras.timers != null) {
            extras.timers.remove(key, timer);
        }
    }

    private CellExtras extras() {
        if (extras == null) {
            extras = new CellExtras();
        }
        return extras;
    }

    // ---- ActorContext (home shard only) ----

    @Override
    public ActorRef<M> self() {
        return this;
    }

    @Override
    public Shard shard() {
        return home.shard;
    }

    @Override
    public Optional<ActorRef<?>> parent() {
        return Optional.ofNullable(parent);
    }

    @Override
    public List<ActorRef<?>> children() {
        checkHome();
        return extras == null || extras.children == null ? List.of() : List.copyOf(extras.children);
    }

    @Override
    public <C> ActorRef<C> spawn(Supplier<? extends Actor<C>> childFactory) {
        return spawn(childFactory, Placement.here(), SpawnOptions.DEFAULT);
    }

    @Override
    public <C> ActorRef<C> spawn(Supplier<? extends Actor<C>> childFactory, Placement placement) {
        return spawn(childFactory, placement, SpawnOptions.DEFAULT);
    }

    @Override
    public <C> ActorRef<C> spawn(Supplier<? extends Actor<C>> childFactory, Placement placement, SpawnOptions options) {
        checkHome();
        if ((box().state & STOPPED) != 0) {
            throw new IllegalStateException(this + " has stopped; it cannot spawn");
        }
        ActorCell<C> child = home.system.spawnCell(this, childFactory, placement, options);
        extras().children().add(child);
        return child;
    }

    @Override
    public void stop() {
        checkHome();
        stopRequested();
    }

    @Override
    public void stop(ActorRef<?> child) {
        checkHome();
        ActorCell<?> cell = (ActorCell<?>) child;
        if (cell == this) {
            stopRequested();
        } else if (cell.parent != this) {
            throw new IllegalArgumentException(child + " is not a child of " + this
                    + "; stop it from its parent or with ActorSystem.stop");
        } else {
            home.control(cell.home, cell::stopRequested);
        }
    }

    @Override
    public void watch(ActorRef<?> target) {
        watchFor(target, CellExtras.SIGNAL);
    }

    @Override
    public void watchWith(ActorRef<?> target, M message) {
        watchFor(target, Objects.requireNonNull(message, "message"));
    }

    private void watchFor(ActorRef<?> target, Object how) {
        checkHome();
        if (target instanceof ForeignRef<?> foreign) {
            HashMap<ActorRef<?>, Object> watching = extras().watching();
            if (!watching.containsKey(foreign)) {
                foreign.watchedBy(this);   // may refuse (a module without remote watch): then nothing is recorded
            }
            watching.put(foreign, how);
            return;
        }
        ActorCell<?> cell = (ActorCell<?>) target;
        if (extras().watching().put(cell, how) == null) {
            home.control(cell.home, () -> cell.addWatcher(this));
        }
    }

    @Override
    public void unwatch(ActorRef<?> target) {
        checkHome();
        if (extras == null || extras.watching == null || extras.watching.remove(target) == null) {
            return;
        }
        if (target instanceof ActorCell<?> cell) {
            home.control(cell.home, () -> cell.removeWatcher(this));
        } else {
            ((ForeignRef<?>) target).unwatchedBy(this);
        }
    }

    @Override
    public void startSingleTimer(Object key, M message, Duration delay) {
        startTimer(key, message, delay, 0);
    }

    @Override
    public void startTimerAtFixedRate(Object key, M message, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("a timer's interval must be positive: " + interval);
        }
        startTimer(key, message, interval, interval.toNanos());
    }

    private void startTimer(Object key, Object message, Duration delay, long intervalNanos) {
        checkHome();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
        if ((box().state & STOPPED) != 0) {
            return;   // a stopped actor keeps no timer
        }
        cancelTimer(key);
        long first = home.shard.nanoTime() + Math.max(0, delay.toNanos());   // the timers' clock, manual in a test kit
        extras().timers().put(key, new ActorTimer(this, key, message, first, intervalNanos));
    }

    @Override
    public boolean cancelTimer(Object key) {
        checkHome();
        ActorTimer timer = extras == null || extras.timers == null ? null : extras.timers.remove(key);
        return timer != null && timer.cancel();
    }

    @Override
    public boolean isTimerActive(Object key) {
        checkHome();
        return extras != null && extras.timers != null && extras.timers.containsKey(key);
    }

    @Override
    public <T> void pipeToSelf(Promise<T> promise, BiFunction<? super T, Throwable, ? extends M> mapper) {
        checkHome();
        promise.whenComplete((value, failure) -> pipe(mapper, value, failure));
    }

    @Override
    public <T> void pipeToSelf(CompletableFuture<T> future, BiFunction<? super T, Throwable, ? extends M> mapper) {
        checkHome();
        future.whenComplete((value, failure) -> pipe(mapper, value, failure));
    }

    /** Maps an outcome to a message for this actor, on whichever thread completed it. */
    private <T> void pipe(BiFunction<? super T, Throwable, ? extends M> mapper, T value, Throwable failure) {
        Object message;
        try {
            message = Objects.requireNonNull(mapper.apply(value, failure), "the pipeToSelf mapper returned null");
        } catch (Throwable t) {
            message = new SystemMessage.Failure(t);
        }
        if (!offer(message)) {
            home.system.refused(this, message);
        }
    }

    @Override
    public <R, N> Promise<R> ask(ActorRef<N> target, Function<Reply<R>, ? extends N> request, Duration timeout) {
        checkHome();
        return target.askPromise(request, timeout);
    }

    @Override
    public <N> Promise<Optional<ActorRef<N>>> lookup(String actorName) {
        checkHome();
        return home.system.lookupPromise(actorName);
    }

    private void checkHome() {
        if (Shard.current() != home.shard) {
            throw new IllegalStateException("the context of " + this + " is for its own shard, not for "
                    + Thread.currentThread().getName());
        }
    }

    /** The home shard's mutable part of this actor, created by the home shard on first use. */
    private Mailbox box() {
        Mailbox b = box;
        if (b == null) {
            b = box = new Mailbox();
        }
        return b;
    }

    /** The mailbox ring and the lifecycle state: the fields the home shard writes per message. */
    private static final class Mailbox {
        private Object[] mail;   // a ring, power-of-two length, allocated with the first message
        private int head;
        private int size;
        private int state;
    }
}
