package dev.atoll.shards;

import dev.atoll.config.ShardSettings;
import dev.atoll.drivers.Driver;
import dev.atoll.shards.jfr.LongTaskTiming;
import dev.atoll.shards.jfr.MeshOverflowEvent;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.varhandle.MpscChunkedVarHandleArrayQueue;
import org.jctools.queues.varhandle.MpscUnboundedVarHandleArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One core's event loop: a platform thread with its own driver, run queue, timer wheel, inbound
 * queues and counters. Everything a shard owns is touched only by its thread; other threads reach
 * it through messages.
 *
 * <p>One loop iteration: drain the batches published by every other shard, the queue for outside
 * threads and offload results (up to {@code drain-batch} each); run ready tasks, the work those
 * messages made included (up to {@code task-budget}); fire due timers; flush: publish what this
 * iteration sent to each shard as one batch and wake the targets that sleep; then one driver call,
 * which waits only when the idle strategy says so (until the next timer at most) and dispatches
 * completions.
 *
 * <p>Methods that do not say otherwise must be called on this shard's thread.
 */
public final class Shard {
    private static final Logger log = LoggerFactory.getLogger(Shard.class);
    /** While a send is parked in an overflow list the shard sleeps at most this long before retrying. */
    private static final long OVERFLOW_RETRY_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /** While stopping, how often a shard looks whether the others have finished too. */
    private static final long STOP_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final int id;
    private final ShardRuntime runtime;
    private final ShardThread thread;
    private final int taskBudget;
    private final int drainBatch;
    private final int overflowLimit;

    final WakeSignal wake = new WakeSignal();
    final ShardStats stats = new ShardStats();

    /** Runs a message that is a task: the receiver of {@link #execute} and of the Runnable sends. */
    private static final MeshReceiver<Runnable> RUN_TASK = Runnable::run;

    /** Ready work as (receiver, message) pairs, like the mesh's slots, so queuing allocates nothing. */
    private final ArrayDeque<Object> runQueue = new ArrayDeque<>(512);
    /** Inbound mesh queues, indexed by sender shard id; null at this shard's own index. */
    final MeshQueue[] inbound;
    private Outbox[] outboxes;
    private final int[] touchedTargets;
    private int touchedCount;
    private int overflowPending;
    /** Tasks from threads that are not shards; bounded, refused beyond its capacity. */
    final MpscChunkedVarHandleArrayQueue<Runnable> submissions;
    /** Offload results: bounded by the offload pool's own bound, never refused. */
    final MpscUnboundedVarHandleArrayQueue<Runnable> returns = new MpscUnboundedVarHandleArrayQueue<>(64);
    private final TimerWheel timers;
    /** The time of {@link #timers}: {@link TimerClock#SYSTEM} except under a test kit's manual clock. */
    private final TimerClock clock;
    // One allocation each at construction, so draining and firing allocate nothing.
    private final MessagePassingQueue.Consumer<Runnable> runMessage = this::runSafely;
    private final Consumer<Runnable> runTimer = this::runSafely;
    private final MeshQueue.Handler receiveMessage = this::receiveSafely;
    private final IdleStrategy idle;
    /** Times this shard's callbacks for the JFR event {@code dev.atoll.LongTask}, while a recording runs. */
    private final LongTaskTiming longTasks;

    // Written once by this shard's thread at start, read by wakers on any thread: volatile (release/acquire).
    private volatile Driver driver;
    private volatile String placement = "";
    // Written by the stopping thread, read by this shard every iteration: volatile; stopDeadline is a
    // plain field written just before stopRequested, so the volatile write publishes it.
    private volatile boolean stopRequested;
    private long stopDeadline;
    // Written by this shard when its loop ends, read by the stall detector: volatile.
    private volatile boolean exited;
    private boolean reportedQuiescent;
    /** Values of {@link ShardLocal}s by their index; this shard's thread only. */
    private Object[] locals = new Object[0];
    private ShardLocal<?>[] keys = new ShardLocal<?>[0];
    private int inFlightOffloads;
    /** Operations a stop waits for (writes, file operations), as Seastar's gates: see {@link #operationStarted()}. */
    private int gatedOperations;
    private int drainStart;

    Shard(int id, ShardRuntime runtime, int shardCount, ShardSettings shards, int queueCapacity,
          int overflowLimit, long tickNanos, int wheelSize) {
        this.id = id;
        this.runtime = runtime;
        this.taskBudget = shards.taskBudget();
        this.drainBatch = shards.drainBatch();
        this.overflowLimit = overflowLimit;
        this.inbound = new MeshQueue[shardCount];
        for (int from = 0; from < shardCount; from++) {
            if (from != id) {
                inbound[from] = new MeshQueue(queueCapacity);
            }
        }
        this.idle = IdleStrategy.of(shards.idle(), this::peekInbound);
        this.touchedTargets = new int[shardCount];
        // Outside threads get the same bound as a sender shard: queue plus overflow, at most 2^30.
        int submissionCapacity = roundUpPow2((int) Math.min(1 << 30, Math.max(8L, (long) queueCapacity + overflowLimit)));
        this.submissions = new MpscChunkedVarHandleArrayQueue<>(Math.min(256, submissionCapacity / 2),
                submissionCapacity);
        this.clock = runtime.timerClock();
        this.timers = new TimerWheel(clock.nanoTime(), tickNanos, wheelSize);
        this.thread = new ShardThread(this, "atoll-shard-" + id);
        this.longTasks = new LongTaskTiming(id);
    }

    /** Connects this shard's outboxes to the inbound queues of every other shard. */
    void connect(Shard[] all) {
        outboxes = new Outbox[all.length];
        for (int to = 0; to < all.length; to++) {
            if (to != id) {
                outboxes[to] = new Outbox(all[to], all[to].inbound[id]);
            }
        }
    }

    /** The shard whose thread is running this code, or null on any other thread. */
    public static Shard current() {
        return Thread.currentThread() instanceof ShardThread t ? t.shard : null;
    }

    /** This shard's index, 0 to count - 1. Any thread. */
    public int id() {
        return id;
    }

    /** The runtime this shard belongs to. Any thread. */
    public ShardRuntime runtime() {
        return runtime;
    }

    /** This shard's driver. */
    public Driver driver() {
        return driver;
    }

    /** What thread placement did for this shard, e.g. {@code cpu 1}. Any thread. */
    public String placement() {
        return placement;
    }

    /** A snapshot of this shard's counters. Any thread. */
    public ShardStats.Snapshot stats() {
        return stats.snapshot();
    }

    /** True when the calling thread is this shard's thread. */
    public boolean inShard() {
        return Thread.currentThread() == thread;
    }

    /** Queues a task to run on this shard in a later step of the loop (never inline). */
    public void execute(Runnable task) {
        checkThread();
        runQueue.addLast(RUN_TASK);
        runQueue.addLast(task);
    }

    /**
     * Sends a message (a task to run there) from this shard to shard {@code target}; to this shard
     * itself it is queued locally. Never blocks. Messages from one shard to another run in the order
     * they were sent. Returns false when the message was refused because
     * {@code atoll.mesh.overflow-limit} messages already wait for that target.
     */
    public boolean send(int target, Runnable message) {
        return send(target, RUN_TASK, message);
    }

    /**
     * Sends {@code message} to {@code receiver} on shard {@code target}: {@code receiver.receive(message)}
     * runs there (to this shard itself: later, on the local run queue). Allocates nothing: the pair
     * travels in the mesh queue's own slots. Everything a shard sends to one target during one loop
     * iteration is published as one batch at the end of the iteration, in the order it was sent.
     * {@code message} must not be null. Never blocks; returns false when refused because
     * {@code atoll.mesh.overflow-limit} messages already wait for that target.
     */
    public <M> boolean send(int target, MeshReceiver<? super M> receiver, M message) {
        checkThread();
        Objects.requireNonNull(message, "message");
        return deliver(target, receiver, message, overflowLimit);
    }

    /**
     * Messages this shard holds in its overflow list for {@code target}, waiting for room in the
     * queue: zero while the target keeps up. Senders that can wait use it as back-pressure.
     */
    public int backlog(int target) {
        checkThread();
        return target == id ? 0 : outboxes[target].parked();
    }

    /**
     * Like {@link #send} but never refused: for replies whose requests were already admitted (a
     * refused reply would leave its asker waiting for nothing).
     */
    public void sendReply(int target, Runnable message) {
        sendReply(target, RUN_TASK, message);
    }

    /** Like {@link #send(int, MeshReceiver, Object)} but never refused (see {@link #sendReply(int, Runnable)}). */
    public <M> void sendReply(int target, MeshReceiver<? super M> receiver, M message) {
        checkThread();
        Objects.requireNonNull(message, "message");
        deliver(target, receiver, message, Integer.MAX_VALUE);
    }

    /** Queues locally, fills the mesh queue, or parks in the overflow list; refused beyond {@code limit} parked. */
    private boolean deliver(int target, Object receiver, Object message, int limit) {
        if (target == id) {
            runQueue.addLast(receiver);
            runQueue.addLast(message);
            return true;
        }
        if (runtime.anyShardDied() && outboxes[target].target.hasExited()) {
            stats.increment(ShardStats.REJECTED);
            return false;
        }
        Outbox outbox = outboxes[target];
        touch(target, outbox);
        if (outbox.offer(receiver, message)) {
            return true;
        }
        if (outbox.parked() >= limit) {
            stats.increment(ShardStats.REJECTED);
            MeshOverflowEvent.emit(id, target, true, outbox.parked());
            return false;
        }
        outbox.park(receiver, message);
        overflowPending++;
        stats.increment(ShardStats.OVERFLOWED);
        MeshOverflowEvent.emit(id, target, false, outbox.parked());
        return true;
    }

    /**
     * Runs {@code work} on shard {@code target} and completes the returned promise, on this shard,
     * with its result. Fails at once with {@link MeshOverflowException} when the request is refused.
     */
    public <T> Promise<T> call(int target, Callable<T> work) {
        checkThread();
        Promise<T> reply = new Promise<>();
        if (!send(target, new CallRequest<>(work, reply, id))) {
            reply.fail(new MeshOverflowException("shard " + target + " has " + overflowLimit
                    + " messages waiting from shard " + id));
        }
        return reply;
    }

    /**
     * A {@link #call}: runs the work on the target, then travels back as its own reply and completes
     * the caller's promise there. Cancelled at stop in either direction, it fails that promise, so no
     * caller waits for ever.
     */
    private static final class CallRequest<T> implements Runnable, Cancellable {
        private final Callable<T> work;
        private final Promise<T> reply;
        private final int caller;
        private boolean executed;
        private T result;
        private Throwable failure;

        CallRequest(Callable<T> work, Promise<T> reply, int caller) {
            this.work = work;
            this.reply = reply;
            this.caller = caller;
        }

        @Override
        public void run() {
            if (!executed) {
                executed = true;
                try {
                    result = work.call();
                } catch (Throwable t) {
                    failure = t;
                }
                current().sendReply(caller, this);
            } else if (failure != null) {
                reply.fail(failure);
            } else {
                reply.complete(result);
            }
        }

        @Override
        public void cancel(Throwable reason) {
            reply.fail(reason);
        }
    }

    /** Runs {@code task} on this shard after {@code delay}, never earlier. */
    public Timer schedule(Duration delay, Runnable task) {
        return scheduleAt(clock.nanoTime() + Math.max(0, delay.toNanos()), task);
    }

    /**
     * The time this shard's timers run on, in nanoseconds: {@link System#nanoTime()} unless the runtime
     * was started with another {@link TimerClock}. Any thread.
     */
    public long nanoTime() {
        return clock.nanoTime();
    }

    /** Runs {@code task} on this shard at {@code deadlineNanos} ({@link #nanoTime()} base), never earlier. */
    public Timer scheduleAt(long deadlineNanos, Runnable task) {
        checkThread();
        return timers.schedule(deadlineNanos, task);
    }

    /**
     * Runs blocking {@code work} on the runtime's offload pool and completes the returned promise on
     * this shard. Fails at once with {@link java.util.concurrent.RejectedExecutionException} when the
     * pool's queue is full.
     */
    public <T> Promise<T> offload(Callable<T> work) {
        checkThread();
        Promise<T> promise = new Promise<>();
        inFlightOffloads++;
        boolean accepted = runtime.offloadPool().submit(this, work, promise);
        if (!accepted) {
            inFlightOffloads--;
        }
        return promise;
    }

    /**
     * An operation that a graceful stop must let finish has started (a write, a file operation): the
     * stop waits for it, up to {@code atoll.shards.shutdown-timeout}, before the shard leaves its loop and
     * its driver cancels what is left. Pair each call with one {@link #operationEnded()}. For modules
     * built on shards (io); this shard's thread only.
     */
    public void operationStarted() {
        checkThread();
        gatedOperations++;
    }

    /** The operation of an {@link #operationStarted()} has completed, whatever its outcome. */
    public void operationEnded() {
        checkThread();
        gatedOperations--;
    }

    /** An offload result arrived on this shard (called from the returns queue). */
    void offloadReturned() {
        inFlightOffloads--;
    }

    // ---- the loop ----

    void run() {
        try {
            placement = runtime.placeAndOpen(this);
        } catch (Throwable t) {
            runtime.shardFailedToStart(t);
            return;
        }
        if (!runtime.awaitAllStarted()) {
            closeDriver();
            return;
        }
        Throwable death = null;
        try {
            loop();
        } catch (Throwable t) {
            death = t;   // an Error the guards let through (a VirtualMachineError, or a bug in the loop itself)
        } finally {
            exited = true;
            if (death != null) {
                runtime.shardDied(this, death);
                cancelLeftovers(new Shard[] {this});   // its own queues; what others park for it is refused from now on
                if (!reportedQuiescent) {
                    reportedQuiescent = true;
                    runtime.shardQuiescent();   // it holds no work again: a stop of the others does not wait for it
                }
            }
            timers.cancelAll();
            exitLocals();
            closeDriver();
            runtime.shardExited();
        }
    }

    /** The value of {@code key} on this shard, created on first use; this shard's thread only. */
    <T> T local(ShardLocal<T> key) {
        checkThread();
        if (key.index >= locals.length) {
            int length = Math.max(key.index + 1, locals.length * 2);
            locals = Arrays.copyOf(locals, length);
            keys = Arrays.copyOf(keys, length);
        }
        Object value = locals[key.index];
        if (value == null) {
            value = key.create(this);
            locals[key.index] = value;
            keys[key.index] = key;
        }
        @SuppressWarnings("unchecked")
        T typed = (T) value;
        return typed;
    }

    private void exitLocals() {
        for (int i = 0; i < locals.length; i++) {
            if (locals[i] != null) {
                try {
                    keys[i].exit(locals[i]);
                } catch (Throwable t) {
                    log.warn("clean-up of a shard-local value on shard {} failed", id, t);
                }
            }
        }
    }

    void attach(Driver opened) {
        this.driver = opened;
    }

    private void loop() {
        Driver d = driver;
        while (true) {
            stats.increment(ShardStats.ITERATIONS);
            int messagesIn = drainShards() + drainOutside();
            int work = messagesIn;
            work += runTasks();
            work += fireTimers();
            int published = flushOutboxes();
            if (stopRequested && stopStep()) {
                return;
            }
            if (work > 0 || published > 0 || !runQueue.isEmpty()) {
                idle.busy(messagesIn > 0 || published > 0);
                poll(d, 0);
                continue;
            }
            long decision = idle.idle();
            if (decision == IdleStrategy.POLL) {
                poll(d, 0);
            } else if (decision == IdleStrategy.SLEEP) {
                sleep(d, waitTimeout());
            } else {
                long timeout = waitTimeout();
                poll(d, timeout < 0 ? decision : Math.min(timeout, decision));   // a park: senders do not wake it
            }
        }
    }

    /** Blocks in the driver, announced (the sleeper's half of the Dekker handshake), unless work arrived. */
    private void sleep(Driver d, long timeout) {
        wake.beginSleep();
        // Dekker re-check: a sender that published before our fence is seen here; one that publishes
        // after it sees sleeping = 1 and wakes us.
        if (hasInbound() || stopRequested) {
            wake.endSleep();
            poll(d, 0);
            return;
        }
        stats.increment(ShardStats.SLEEPS);
        poll(d, timeout);
        wake.endSleep();
    }

    /**
     * The driver call, guarded: completions run user code (receivers, continuations), and a failure that
     * escapes a driver's own guards must cost one callback, not the shard.
     */
    private void poll(Driver d, long timeout) {
        try {
            int completions = d.poll(timeout);
            if (completions > 0) {
                stats.add(ShardStats.COMPLETIONS, completions);
                idle.ioCompleted();
            }
        } catch (Throwable t) {
            reportFailure(d, t);
        }
    }

    private int runTasks() {
        // Only work queued before this step: a task that re-queues itself waits for the next iteration,
        // so it cannot keep the shard from its queues and its driver.
        int limit = Math.min(runQueue.size() >> 1, taskBudget);
        for (int ran = 0; ran < limit; ran++) {
            receiveSafely(runQueue.pollFirst(), runQueue.pollFirst());
        }
        if (limit > 0) {
            stats.add(ShardStats.TASKS, limit);
        }
        return limit;
    }

    /** Takes every batch the other shards published (up to {@code drain-batch} each); returns how many messages. */
    private int drainShards() {
        int n = inbound.length;
        // Start one queue later each iteration so no sender is always served first.
        int start = drainStart = drainStart + 1 >= n ? 0 : drainStart + 1;
        int fromShards = 0;
        for (int k = 0; k < n; k++) {
            int from = start + k < n ? start + k : start + k - n;
            MeshQueue queue = inbound[from];
            if (queue != null) {
                fromShards += queue.drain(receiveMessage, drainBatch);
            }
        }
        if (fromShards > 0) {
            stats.add(ShardStats.MESSAGES_IN, fromShards);
        }
        return fromShards;
    }

    private int drainOutside() {
        int fromOutside = submissions.drain(runMessage, drainBatch) + returns.drain(runMessage, drainBatch);
        if (fromOutside > 0) {
            stats.add(ShardStats.SUBMISSIONS_IN, fromOutside);
        }
        return fromOutside;
    }

    private int fireTimers() {
        if (timers.size() == 0) {
            return 0;
        }
        int fired = timers.advance(clock.nanoTime(), runTimer);
        if (fired > 0) {
            stats.add(ShardStats.TIMERS_FIRED, fired);
        }
        return fired;
    }

    /**
     * Step 4: move parked messages into their queues, publish each target's batch with one release
     * store, then one full fence, then wake each target that got a batch and is asleep (the sender's
     * half of the Dekker handshake). Returns the messages published.
     */
    private int flushOutboxes() {
        if (touchedCount == 0) {
            return 0;
        }
        int published = 0;
        int batches = 0;
        for (int i = 0; i < touchedCount; i++) {
            Outbox outbox = outboxes[touchedTargets[i]];
            if (overflowPending > 0) {
                overflowPending -= outbox.drainOverflow();
            }
            int batch = outbox.flush();
            if (batch > 0) {
                published += batch;
                batches++;
            }
        }
        if (published == 0) {
            return 0;   // only parked messages, and no room yet: retried next iteration
        }
        stats.add(ShardStats.MESSAGES_OUT, published);
        stats.add(ShardStats.BATCHES_OUT, batches);
        VarHandle.fullFence();
        Driver d = driver;
        int stillParked = 0;
        for (int i = 0; i < touchedCount; i++) {
            int target = touchedTargets[i];
            Outbox outbox = outboxes[target];
            if (outbox.target.wake.claimWake()) {
                stats.increment(ShardStats.WAKES_SENT);   // counted first: the woken shard may act on it at once
                wakeSafely(d, outbox.target);
            } else {
                stats.increment(ShardStats.WAKES_AVOIDED);
            }
            if (outbox.parked() == 0) {
                outbox.touched = false;
            } else {
                touchedTargets[stillParked++] = target;   // keep retrying it next iteration
            }
        }
        touchedCount = stillParked;
        return published;
    }

    private void wakeSafely(Driver d, Shard target) {
        try {
            d.wake(target.driver);
        } catch (Throwable t) {
            log.error("shard {} could not wake shard {}", id, target.id, t);
        }
    }

    /** How long a wait in the driver may last: until the next timer, or -1 for no limit. */
    private long waitTimeout() {
        long next = timers.nextDeadline();
        long timeout = next < 0 ? -1 : Math.max(1, next - clock.nanoTime());
        if (overflowPending > 0) {
            timeout = timeout < 0 ? OVERFLOW_RETRY_NANOS : Math.min(timeout, OVERFLOW_RETRY_NANOS);
        }
        if (stopRequested) {
            timeout = timeout < 0 ? STOP_POLL_NANOS : Math.min(timeout, STOP_POLL_NANOS);
        }
        return timeout;
    }

    /**
     * Like {@link #hasInbound()} but without a fence, for spinning: reads each queue's published index
     * (written once per batch, so spinning on it costs the sender little) and the outside queues' next slot.
     */
    private boolean peekInbound() {
        for (MeshQueue queue : inbound) {
            if (queue != null && queue.peekPublished()) {
                return true;
            }
        }
        return submissions.relaxedPeek() != null || returns.relaxedPeek() != null;
    }

    private boolean hasInbound() {
        if (!runQueue.isEmpty() || !submissions.isEmpty() || !returns.isEmpty()) {
            return true;
        }
        for (MeshQueue queue : inbound) {
            if (queue != null && queue.hasPublished()) {
                return true;
            }
        }
        return false;
    }

    private void touch(int target, Outbox outbox) {
        if (!outbox.touched) {
            outbox.touched = true;
            touchedTargets[touchedCount++] = target;
        }
    }

    private void runSafely(Runnable task) {
        boolean timed = longTasks.begin();   // false unless a JFR recording runs
        try {
            task.run();
        } catch (Throwable t) {
            reportFailure(task, t);
        }
        if (timed) {
            longTasks.end(task);
        }
    }

    @SuppressWarnings("unchecked")
    private void receiveSafely(Object receiver, Object message) {
        boolean timed = longTasks.begin();   // false unless a JFR recording runs
        try {
            ((MeshReceiver<Object>) receiver).receive(message);
        } catch (Throwable t) {
            reportFailure(receiver == RUN_TASK ? message : receiver, t);
        }
        if (timed) {
            longTasks.end(receiver == RUN_TASK ? message : receiver);
        }
    }

    /**
     * A callback into user code failed on this shard: counted ({@code taskFailures}) and handed to the
     * runtime's {@link ErrorHandler}; the shard goes on. For modules built on shards (io, actors) that
     * guard their own callbacks. This shard's thread only.
     */
    public void reportFailure(Object callback, Throwable failure) {
        stats.increment(ShardStats.TASK_FAILURES);
        runtime.reportFailure(this, callback, failure);
    }

    // ---- stopping ----

    /** Asks the loop to stop. Any thread. */
    void requestStop(long deadlineNanos) {
        stopDeadline = deadlineNanos;
        stopRequested = true;
        // Unconditionally, not through the claim: a stop must get through even if an earlier wake was
        // claimed and then lost. A spurious wake costs one loop iteration.
        Driver d = driver;
        if (d != null) {
            d.wake();
        }
    }

    /**
     * Called every iteration once a stop was requested: this shard is done when it holds no work and
     * every shard has been idle at least once since, or when the shutdown timeout has passed.
     */
    private boolean stopStep() {
        int cancelledTimers = timers.cancelAll();
        if (cancelledTimers > 0) {
            stats.add(ShardStats.CANCELLED_AT_STOP, cancelledTimers);
        }
        boolean idle = !hasInbound() && overflowPending == 0 && inFlightOffloads == 0 && gatedOperations == 0;
        if (idle && !reportedQuiescent) {
            reportedQuiescent = true;
            runtime.shardQuiescent();
        }
        if (idle && runtime.allQuiescent()) {
            return true;
        }
        if (System.nanoTime() - stopDeadline >= 0) {
            log.warn("shard {} stops with work still queued after the shutdown timeout ({} operations in flight, {} "
                    + "offloads); it is cancelled", id, gatedOperations, inFlightOffloads);
            return true;
        }
        return false;
    }

    /** Wakes this shard from a thread that is not one of the runtime's shards (or regardless of its state). */
    void wakeFromOutside() {
        VarHandle.fullFence();
        Driver d = driver;
        if (d != null && wake.claimWake()) {
            d.wake();
        }
    }

    /**
     * After the thread has ended (the caller joined it): cancel whatever is still queued for this
     * shard, including what other shards parked for it.
     */
    int cancelLeftovers(Shard[] all) {
        CancellationException reason = new CancellationException("shard " + id + " stopped before running this");
        int[] cancelled = {0};
        MeshQueue.Handler cancel = (receiver, message) -> {
            cancelled[0]++;
            cancel(message, reason);
        };
        for (Object receiver; (receiver = runQueue.pollFirst()) != null; ) {
            cancel.handle(receiver, runQueue.pollFirst());
        }
        for (MeshQueue queue : inbound) {
            if (queue != null) {
                queue.drain(cancel, Integer.MAX_VALUE);
            }
        }
        for (Runnable r; (r = submissions.poll()) != null || (r = returns.poll()) != null; ) {
            cancel.handle(RUN_TASK, r);
        }
        for (Shard sender : all) {
            if (sender != this && sender.outboxes != null) {
                for (Object m; (m = sender.outboxes[id].pollParkedMessage()) != null; ) {
                    cancel.handle(RUN_TASK, m);
                }
            }
        }
        if (cancelled[0] > 0) {
            stats.add(ShardStats.CANCELLED_AT_STOP, cancelled[0]);
        }
        return cancelled[0];
    }

    private static void cancel(Object message, Throwable reason) {
        if (message instanceof Cancellable c) {
            c.cancel(reason);
        }
    }

    private void closeDriver() {
        Driver d = driver;
        if (d != null) {
            try {
                d.close();
            } catch (Throwable t) {
                log.warn("closing the driver of shard {} failed", id, t);
            }
        }
    }

    Thread thread() {
        return thread;
    }

    /** True once the loop has ended (the thread may still be closing its driver). Any thread. */
    boolean hasExited() {
        return exited;
    }

    /** True once the loop has ended without a stop having been asked for. Any thread. */
    boolean died() {
        return exited && !stopRequested;
    }

    private void checkThread() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("this must run on " + thread.getName() + ", not on "
                    + Thread.currentThread().getName());
        }
    }

    private static int roundUpPow2(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    @Override
    public String toString() {
        return "shard " + id;
    }
}
