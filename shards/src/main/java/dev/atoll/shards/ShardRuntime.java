package dev.atoll.shards;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.AtollSettings;
import dev.atoll.config.DriverKind;
import dev.atoll.drivers.Driver;
import dev.atoll.drivers.DriverChoice;
import dev.atoll.drivers.DriverUnavailableException;
import dev.atoll.drivers.Drivers;
import dev.atoll.drivers.Platform;
import dev.atoll.drivers.ThreadPlacement;
import dev.atoll.shards.jfr.DriverFallbackEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts and stops the shards: N platform threads, each placed on its CPU, with its own driver,
 * connected by one SPSC queue per ordered pair of shards. Also the entry point for threads that are
 * not shards: {@link #execute} and {@link #submit} work from any thread, and from a shard thread
 * they travel through the mesh.
 *
 * <pre>{@code
 * try (ShardRuntime shards = ShardRuntime.start(AtollConfig.load())) {
 *     int answer = shards.submit(1, () -> 6 * 7).join();
 * }
 * }</pre>
 */
public final class ShardRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShardRuntime.class);

    private final AtollConfig config;
    private final AtollSettings settings;
    private final Platform platform;
    private final DriverFactory driverFactory;
    private final TimerClock timerClock;
    private final Shard[] shards;
    private final OffloadPool offloadPool;
    private final StallDetector stallDetector;
    private final CountDownLatch started;
    private final AtomicReference<Throwable> startFailure = new AtomicReference<>();
    private final AtomicInteger quiescent = new AtomicInteger();
    private final CountDownLatch exited;
    /**
     * Set by close() before it cancels what is left in the queues. A submitter that offered and then
     * sees it cancels what it offered itself: with both sides writing, then reading (volatile), either
     * close() finds the submission or the submitter finds the flag, so nothing is forgotten.
     */
    private volatile boolean leftoversCancelled;
    // Read by every outside submitter, written once by close(): volatile.
    private volatile boolean stopping;
    private volatile boolean closed;
    /** Set once, when a shard's loop ends other than by a stop; every send reads it (it never changes after). */
    private volatile boolean anyShardDied;
    /** Completed by the first shard whose loop ends by an error, on its thread. */
    private final CompletableFuture<ShardDeath> firstDeath = new CompletableFuture<>();
    private volatile ErrorHandler errorHandler = ShardRuntime::logFailure;

    private ShardRuntime(AtollConfig config, AtollSettings settings, Platform platform, DriverFactory driverFactory,
                         TimerClock timerClock) {
        this.config = config;
        this.settings = settings;
        this.platform = platform;
        this.driverFactory = driverFactory;
        this.timerClock = timerClock;   // before the shards: each reads it in its constructor
        int count = settings.shards().resolveCount(platform.usableCpuCount());
        this.shards = new Shard[count];
        for (int i = 0; i < count; i++) {
            shards[i] = new Shard(i, this, count, settings.shards(), settings.mesh().queueCapacity(),
                    settings.mesh().overflowLimit(), settings.timers().tick().toNanos(),
                    settings.timers().wheelSize());
        }
        for (Shard shard : shards) {
            shard.connect(shards);
        }
        this.offloadPool = new OffloadPool(settings.offload().threads(), settings.offload().queueCapacity());
        this.stallDetector = settings.shards().stallThreshold().isZero()
                ? null : new StallDetector(shards, settings.shards().stallThreshold());
        this.started = new CountDownLatch(count);
        this.exited = new CountDownLatch(count);
    }

    /** Starts the shards configured by {@code config}, each with the driver {@code atoll.driver} picks. */
    public static ShardRuntime start(AtollConfig config) {
        return startChosen(config, config.settings(), TimerClock.SYSTEM);
    }

    /**
     * Like {@link #start(AtollConfig)}, with the shards' timers on {@code clock} instead of
     * {@link System#nanoTime()}: for a test kit's manual clock. Whatever runs on those timers follows
     * it ({@link Shard#schedule}, promise deadlines, actor timers and ask timeouts on shards, I/O
     * deadlines that the driver does not hand to the kernel); the stall detector and the shutdown
     * timeout keep real time.
     */
    public static ShardRuntime start(AtollConfig config, TimerClock clock) {
        return startChosen(config, config.settings(), java.util.Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Starts the shards configured by {@code config} with a driver of the caller's choosing (opened on
     * each shard's thread). Returns once every shard has placed its thread and opened its driver; if one
     * fails, the others are stopped and the failure is thrown.
     */
    public static ShardRuntime start(AtollConfig config, DriverFactory driverFactory) {
        return start(config, config.settings(), driverFactory, TimerClock.SYSTEM);
    }

    /**
     * Starts the shards with these settings, each with the driver {@code atoll.driver} picks.
     *
     * @throws dev.atoll.drivers.DriverUnavailableException when that driver cannot run on this machine
     */
    public static ShardRuntime start(AtollSettings settings) {
        return startChosen(AtollConfig.defaults(), settings, TimerClock.SYSTEM);
    }

    /**
     * Starts with the driver {@code atoll.driver} picks. Under {@code auto}, when a shard cannot set up its
     * io_uring ring although the start-up probe's small ring could (the rings of all shards count against
     * the locked-memory limit unless the process has CAP_IPC_LOCK), every shard starts on epoll instead:
     * shards run one kind of driver.
     */
    private static ShardRuntime startChosen(AtollConfig config, AtollSettings settings, TimerClock clock) {
        // Fail on the caller's thread, before any shard starts, when the driver cannot run here.
        DriverChoice choice = Drivers.choose(settings.driver(), Platform.current());
        if (settings.driver() == DriverKind.AUTO && choice.kind() == DriverKind.EPOLL) {
            DriverFallbackEvent.emit(DriverKind.IO_URING.displayName(), choice.kind().displayName(), choice.reason());
        }
        try {
            return start(config, settings, shardId -> Drivers.open(settings), clock);
        } catch (DriverUnavailableException e) {
            if (settings.driver() != DriverKind.AUTO || choice.kind() != DriverKind.IO_URING) {
                throw e;
            }
            log.warn("atoll.driver = auto: a shard could not set up its io_uring ring ({}); every shard starts on "
                    + "epoll instead", e.getMessage());
            DriverFallbackEvent.emit(DriverKind.IO_URING.displayName(), DriverKind.EPOLL.displayName(), e.getMessage());
            AtollSettings epoll = settings.withDriver(DriverKind.EPOLL);
            return start(config, epoll, shardId -> Drivers.open(epoll), clock);
        }
    }

    private static ShardRuntime start(AtollConfig config, AtollSettings settings, DriverFactory driverFactory,
                                      TimerClock clock) {
        ShardRuntime runtime = new ShardRuntime(config, settings, Platform.current(), driverFactory, clock);
        runtime.startThreads();
        return runtime;
    }

    /**
     * Starts the shards with a driver of the caller's choosing (opened on each shard's thread).
     * Returns once every shard has placed its thread and opened its driver; if one fails, the others
     * are stopped and the failure is thrown.
     */
    public static ShardRuntime start(AtollSettings settings, DriverFactory driverFactory) {
        return start(AtollConfig.defaults(), settings, driverFactory, TimerClock.SYSTEM);
    }

    private void startThreads() {
        for (Shard shard : shards) {
            shard.thread().start();
        }
        awaitUninterruptibly(started, -1);
        Throwable failure = startFailure.get();
        if (failure != null) {
            for (Shard shard : shards) {
                joinUninterruptibly(shard.thread());
            }
            offloadPool.shutdown(0);
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            throw new IllegalStateException("a shard failed to start", failure);
        }
        if (stallDetector != null) {
            stallDetector.start();
        }
        log.info("started {} shards on {} ({}); placement {}", shards.length, driverKind().displayName(),
                platform.describe(), placements());
    }

    // ---- called by shard threads during start and stop ----

    String placeAndOpen(Shard shard) {
        String placement = ThreadPlacement.place(shard.id(), settings.shards(), platform);
        shard.attach(driverFactory.open(shard.id()));
        return placement;
    }

    /** A shard could not place itself or open its driver; start() joins the threads and throws. */
    void shardFailedToStart(Throwable failure) {
        if (!startFailure.compareAndSet(null, failure)) {
            startFailure.get().addSuppressed(failure);
        }
        started.countDown();
    }

    /** Blocks a shard until every shard has opened its driver; false when start-up failed. */
    boolean awaitAllStarted() {
        started.countDown();
        awaitUninterruptibly(started, -1);
        return startFailure.get() == null;
    }

    void shardQuiescent() {
        quiescent.incrementAndGet();
    }

    boolean allQuiescent() {
        return quiescent.get() >= shards.length;
    }

    void shardExited() {
        exited.countDown();
    }

    /**
     * A shard's loop ended without a stop being asked for: said loudly; from now on work for it is
     * refused (outside submissions fail, sends from other shards are refused), and what was queued to it
     * is cancelled by the shard on its way out.
     */
    void shardDied(Shard shard, Throwable cause) {
        anyShardDied = true;
        log.error("shard {} stopped: its loop ended with {}; work queued to it is cancelled and new work for it is "
                + "refused", shard.id(), cause.toString(), cause);
        firstDeath.complete(new ShardDeath(shard.id(), cause));
    }

    boolean anyShardDied() {
        return anyShardDied;
    }

    /**
     * Hands a failure of user code on {@code shard} to the error handler, which must not take the shard
     * down; rethrows it, to end the shard's loop, when the handler says it is fatal.
     */
    void reportFailure(Shard shard, Object callback, Throwable failure) {
        ErrorHandler handler = errorHandler;
        boolean fatal = false;
        try {
            fatal = handler.isFatal(failure);
            if (!fatal) {
                handler.onError(shard, callback, failure);
            }
        } catch (Throwable t) {
            if (t != failure) {   // a handler that rethrows what it was given: self-suppression would throw
                t.addSuppressed(failure);
            }
            log.error("the error handler of shard {} threw", shard.id(), t);
        }
        if (fatal) {
            throw ShardRuntime.<RuntimeException>rethrow(failure);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T rethrow(Throwable failure) throws T {
        throw (T) failure;
    }

    private static void logFailure(Shard shard, Object callback, Throwable failure) {
        log.warn("{} on shard {} threw; the shard goes on", callback, shard.id(), failure);
    }

    OffloadPool offloadPool() {
        return offloadPool;
    }

    TimerClock timerClock() {
        return timerClock;
    }

    // ---- public API ----

    /**
     * A shard whose loop ended by an error rather than by a stop.
     *
     * @param shard the shard's index
     * @param cause what ended its loop
     */
    public record ShardDeath(int shard, Throwable cause) { }

    /**
     * Completes with the first shard whose loop ends by an error rather than by a stop (an error its
     * guards let through, or one the {@link ErrorHandler} calls fatal), once the runtime has logged it;
     * never completes otherwise. Continuations attached before the death run on the dying shard's
     * thread: hand anything longer than a signal (such as {@link #close()}) to another thread. For a
     * supervisor: the examples end the process (docs/getting-started.md).
     */
    public CompletionStage<ShardDeath> shardDeath() {
        return firstDeath.minimalCompletionStage();
    }

    /**
     * Replaces where failures of user code on the shards go (tasks, message receivers, completions,
     * continuations); the default logs each with its shard and callback. Any thread, any time.
     */
    public void errorHandler(ErrorHandler handler) {
        this.errorHandler = java.util.Objects.requireNonNull(handler, "handler");
    }

    /** Number of shards. */
    public int shardCount() {
        return shards.length;
    }

    /** Shard {@code id}. */
    public Shard shard(int id) {
        return shards[id];
    }

    /** The driver kind the shards run (all shards run the same kind). */
    public DriverKind driverKind() {
        Driver driver = shards[0].driver();
        return driver == null ? settings.driver() : driver.kind();
    }

    /**
     * The configuration this runtime was started with, where modules (io, actors) read their own
     * sections; the defaults when it was started from {@link AtollSettings} alone.
     */
    public AtollConfig config() {
        return config;
    }

    /** The settings this runtime was started with. */
    public AtollSettings settings() {
        return settings;
    }

    /** The platform facts the runtime used (CPUs, cache line, OS). */
    public Platform platform() {
        return platform;
    }

    /** What placement did for each shard, in shard order. */
    public List<String> placements() {
        List<String> result = new ArrayList<>(shards.length);
        for (Shard shard : shards) {
            result.add(shard.placement());
        }
        return result;
    }

    /** Counters of every shard, in shard order. */
    public List<ShardStats.Snapshot> stats() {
        List<ShardStats.Snapshot> result = new ArrayList<>(shards.length);
        for (Shard shard : shards) {
            result.add(shard.stats());
        }
        return result;
    }

    /**
     * Runs {@code task} on shard {@code target}. From a shard of this runtime it is a mesh send;
     * from any other thread it goes through the target's queue for outside threads. Never blocks.
     * Returns false when it was refused: the queue is at its bound, or the runtime is stopping.
     */
    public boolean execute(int target, Runnable task) {
        Shard here = Shard.current();
        if (here != null && here.runtime() == this) {
            return here.send(target, task);
        }
        Shard shard = shards[target];
        if (stopping || shard.hasExited() || !shard.submissions.offer(task)) {
            return false;
        }
        if (leftoversCancelled) {
            cancelLeftovers();   // close() may have drained before this offer: it was accepted, now cancelled
            return true;
        }
        shard.wakeFromOutside();
        return true;
    }

    /**
     * Runs {@code work} on shard {@code target} and completes the future with its result, from any
     * thread. A refused submission returns a future failed with {@link MeshOverflowException} (or
     * {@link RejectedExecutionException} once the runtime is stopping). Never block on the future from
     * a shard thread; use {@link Shard#call} there.
     */
    public <T> CompletableFuture<T> submit(int target, Callable<T> work) {
        Submission<T> submission = new Submission<>(work);
        if (!execute(target, submission)) {
            submission.future.completeExceptionally(stopping
                    ? new RejectedExecutionException("the shard runtime is stopping")
                    : shards[target].hasExited()
                    ? new RejectedExecutionException("shard " + target + " has stopped (see the log for why)")
                    : new MeshOverflowException("shard " + target + " has too many waiting messages"));
        }
        return submission.future;
    }

    /**
     * Stops every shard: new outside submissions are refused, queued work runs until the shards are
     * idle or {@code atoll.shards.shutdown-timeout} passes, then what is left is cancelled (futures
     * fail with a {@link java.util.concurrent.CancellationException}), timers are dropped, threads
     * joined and drivers closed. Idempotent; must not be called from a shard thread.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Shard.current() != null && Shard.current().runtime() == this) {
            throw new IllegalStateException("a shard cannot stop its own runtime; call close() from another thread");
        }
        closed = true;
        stopping = true;
        long timeout = settings.shards().shutdownTimeout().toNanos();
        long deadline = System.nanoTime() + timeout;
        for (Shard shard : shards) {
            shard.requestStop(deadline);
        }
        // A shard stuck in a task cannot be stopped from outside; say which and where, and leave it.
        long grace = TimeUnit.SECONDS.toNanos(10);
        if (!awaitUninterruptibly(exited, Math.max(0, deadline - System.nanoTime()) + grace)) {
            for (Shard shard : shards) {
                if (shard.thread().isAlive()) {
                    log.error("shard {} did not stop within the shutdown timeout plus {} s; it is left running at:{}",
                            shard.id(), TimeUnit.NANOSECONDS.toSeconds(grace),
                            StallDetector.format(shard.thread().getStackTrace()));
                }
            }
            throw new IllegalStateException("shards did not stop; see the log for where they are stuck");
        }
        for (Shard shard : shards) {
            joinUninterruptibly(shard.thread());
        }
        leftoversCancelled = true;
        int cancelled = cancelLeftovers();
        if (stallDetector != null) {
            stallDetector.stop();
        }
        offloadPool.shutdown(Math.max(0, deadline - System.nanoTime()));
        log.info("stopped {} shards{}", shards.length, cancelled > 0 ? " (" + cancelled + " queued tasks cancelled)" : "");
    }

    /**
     * After the shard threads ended: cancels whatever is still queued for any shard. Under the runtime's
     * lock, because a late outside submitter may call it too (it is then each queue's only consumer).
     */
    private synchronized int cancelLeftovers() {
        int cancelled = 0;
        for (Shard shard : shards) {
            cancelled += shard.cancelLeftovers(shards);
        }
        return cancelled;
    }

    /** Waits at most {@code timeoutNanos} (no limit when negative); false when the latch did not reach zero. */
    private static boolean awaitUninterruptibly(CountDownLatch latch, long timeoutNanos) {
        long end = System.nanoTime() + timeoutNanos;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (timeoutNanos < 0) {
                        latch.await();
                        return true;
                    }
                    return latch.await(end - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
