package dev.atoll.actors;

import dev.atoll.config.AtollConfig;
import dev.atoll.shards.MeshOverflowException;
import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Actors on a shard runtime: spawns them (on a given shard, the caller's, or by placement policy),
 * finds them by name, stops them, counts dead letters, and stops them all on {@link #close()}.
 * There is no global mutable registry: each shard keeps the actors and names it owns.
 *
 * <pre>{@code
 * try (ActorSystem system = ActorSystem.start(AtollConfig.load())) {
 *     ActorRef<Counter.Msg> counter = system.spawn(Counter::new, Placement.shard(1));
 *     counter.tell(new Counter.Add(5));
 *     long total = counter.ask(Counter.Get::new, Duration.ofSeconds(1)).join();
 * }
 * }</pre>
 */
public final class ActorSystem implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ActorSystem.class);
    private static final long REFUSAL_LOG_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ShardRuntime runtime;
    private final boolean ownsRuntime;
    private final ActorSettings settings;
    private final ShardActors[] parts;
    private final AtomicInteger nextShard = new AtomicInteger();
    /** Dead letters refused to threads that are not shards (each shard counts its own). */
    private final AtomicLong refusedOutside = new AtomicLong();
    private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - REFUSAL_LOG_NANOS);
    // Read on every dead letter, written only by onDeadLetter: copy-on-write keeps readers lock-free.
    private final CopyOnWriteArrayList<Consumer<? super DeadLetter>> deadLetterListeners = new CopyOnWriteArrayList<>();
    // Written by close(), read by spawners on any thread: volatile.
    private volatile boolean closed;

    private ActorSystem(ShardRuntime runtime, ActorSettings settings, boolean ownsRuntime) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ownsRuntime = ownsRuntime;
        this.parts = new ShardActors[runtime.shardCount()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = new ShardActors(this, runtime.shard(i), settings);
        }
    }

    /** Starts shards and actors with {@code application.conf}, system properties and the defaults. */
    public static ActorSystem start() {
        return start(AtollConfig.load());
    }

    /** Starts shards ({@code atoll.shards}, ...) and actors ({@code atoll.actors}) configured by {@code config}. */
    public static ActorSystem start(AtollConfig config) {
        ActorSettings actorSettings = ActorSettings.from(config);   // a bad setting fails before any thread starts
        ShardRuntime runtime = ShardRuntime.start(config);
        return new ActorSystem(runtime, actorSettings, true);
    }

    /** Actors on a runtime the caller started (and closes, after this system). */
    public static ActorSystem start(ShardRuntime runtime, ActorSettings settings) {
        return new ActorSystem(runtime, settings, false);
    }

    // ---- spawning ----

    /** Spawns a top-level actor on the caller's shard (from a thread that is not a shard: round-robin). */
    public <M> ActorRef<M> spawn(Supplier<? extends Actor<M>> factory) {
        return spawn(factory, Placement.here(), SpawnOptions.DEFAULT);
    }

    /** Spawns a top-level actor where {@code placement} says. */
    public <M> ActorRef<M> spawn(Supplier<? extends Actor<M>> factory, Placement placement) {
        return spawn(factory, placement, SpawnOptions.DEFAULT);
    }

    /**
     * Spawns a top-level actor where {@code placement} says, with a name and/or its own supervision.
     * Returns at once: the factory runs later on the target shard, and messages sent meanwhile wait
     * in the mailbox. A name already taken stops the new actor before it starts (logged; its
     * messages become dead letters). Any thread.
     *
     * @throws MeshOverflowException      when the target shard refused the spawn (its queues are full)
     * @throws RejectedExecutionException when the system is closed
     */
    public <M> ActorRef<M> spawn(Supplier<? extends Actor<M>> factory, Placement placement, SpawnOptions options) {
        return spawnCell(null, factory, placement, options);
    }

    /**
     * One instance of the actor on every shard, from one factory, as a {@link Sharded} reference that
     * routes by key and broadcasts. A name in {@code options} names instance {@code i}
     * {@code name-i}.
     */
    public <M> Sharded<M> spawnSharded(Supplier<? extends Actor<M>> factory, SpawnOptions options) {
        List<ActorRef<M>> instances = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            SpawnOptions each = options.name() == null ? options
                    : new SpawnOptions(options.name() + "-" + i, options.supervision());
            instances.add(spawnCell(null, factory, Placement.shard(i), each));
        }
        return new Sharded<>(instances);
    }

    /** {@link #spawnSharded(Supplier, SpawnOptions)} without a name, with the default supervision. */
    public <M> Sharded<M> spawnSharded(Supplier<? extends Actor<M>> factory) {
        return spawnSharded(factory, SpawnOptions.DEFAULT);
    }

    <M> ActorCell<M> spawnCell(ActorCell<?> parent, Supplier<? extends Actor<M>> factory, Placement placement,
                               SpawnOptions options) {
        if (closed) {
            throw new RejectedExecutionException("the actor system is closed");
        }
        ShardActors target = parts[choose(placement)];
        Supervision supervision = options.supervision() != null ? options.supervision() : settings.supervision();
        ActorCell<M> cell = new ActorCell<>(target, factory, parent, supervision, options.name());
        if (options.name() != null) {
            ShardActors registry = parts[shardFor(options.name(), parts.length)];
            admit(registry, () -> registry.registerAndStart(options.name(), cell));
        } else if (Shard.current() == target.shard) {
            target.startLocal(cell);
        } else {
            admit(target, () -> target.startLocal(cell));
        }
        return cell;
    }

    /** Runs a spawn's first step on {@code part}'s shard (inline when already there), or throws when refused. */
    private void admit(ShardActors part, Runnable step) {
        if (Shard.current() == part.shard) {
            step.run();
        } else if (!runtime.execute(part.id, step)) {
            throw closed ? new RejectedExecutionException("the actor system is closed")
                    : new MeshOverflowException("shard " + part.id + " refused a spawn: too many messages wait for it");
        }
    }

    private int choose(Placement placement) {
        return switch (placement) {
            case Placement.OnShard(int id) -> {
                if (id >= parts.length) {
                    throw new IllegalArgumentException("no shard " + id + ": there are " + parts.length);
                }
                yield id;
            }
            case Placement.Here here -> {
                Shard current = Shard.current();
                yield current != null && current.runtime() == runtime ? current.id() : roundRobin();
            }
            case Placement.RoundRobin next -> roundRobin();
            case Placement.LeastLoaded least -> {
                int best = 0;
                long fewest = Long.MAX_VALUE;
                for (ShardActors part : parts) {
                    long queued = part.queuedMessages();
                    if (queued < fewest) {
                        fewest = queued;
                        best = part.id;
                    }
                }
                yield best;
            }
        };
    }

    private int roundRobin() {
        return Math.floorMod(nextShard.getAndIncrement(), parts.length);
    }

    /** The shard a key belongs to: a stable spread of {@code key.hashCode()} over {@code shards}. */
    static int shardFor(Object key, int shards) {
        int h = key.hashCode() * 0x9E3779B9;   // Fibonacci hashing: neighbouring hash codes spread out
        return (int) (((h ^ (h >>> 16)) & 0xFFFFFFFFL) % shards);
    }

    // ---- finding and stopping ----

    /**
     * The actor registered under {@code name}, asked of the shard the name hashes to. The type is the
     * caller's claim (as with any name lookup). Any thread; on a shard, prefer {@link ActorContext#lookup}.
     */
    @SuppressWarnings("unchecked")
    public <M> CompletableFuture<Optional<ActorRef<M>>> lookup(String name) {
        ShardActors registry = parts[shardFor(name, parts.length)];
        return runtime.submit(registry.id, () -> Optional.ofNullable((ActorRef<M>) registry.lookup(name)));
    }

    @SuppressWarnings("unchecked")
    <M> Promise<Optional<ActorRef<M>>> lookupPromise(String name) {
        ShardActors registry = parts[shardFor(name, parts.length)];
        return Shard.current().call(registry.id, () -> Optional.ofNullable((ActorRef<M>) registry.lookup(name)));
    }

    void unregister(ShardActors from, String name, ActorCell<?> cell) {
        ShardActors registry = parts[shardFor(name, parts.length)];
        from.control(registry, () -> registry.unregister(name, cell));
    }

    /** Stops {@code actor} between two of its messages; what is left in its mailbox becomes dead letters. Any thread. */
    public void stop(ActorRef<?> actor) {
        if (!(actor instanceof ActorCell<?> cell)) {
            throw ForeignRef.unsupported("stop", actor);
        }
        cell.home.control(cell.home, cell::stopRequested);
    }

    /** Completes when {@code actor} has stopped (at once if it has). Any thread. */
    public CompletableFuture<Void> terminationOf(ActorRef<?> actor) {
        if (!(actor instanceof ActorCell<?> cell)) {
            throw ForeignRef.unsupported("terminationOf", actor);
        }
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        if (!cell.home.control(cell.home, () -> cell.addWatcher(stopped))) {
            stopped.completeExceptionally(new RejectedExecutionException("the runtime is stopping"));
        }
        return stopped;
    }

    // ---- dead letters ----

    /**
     * Dead letters so far, over all shards and outside threads. Any thread. A dead letter is counted once every
     * {@link #onDeadLetter} listener returned from it, so a thread that reads the count sees what they did.
     */
    public long deadLetters() {
        long total = refusedOutside.get();
        for (ShardActors part : parts) {
            total += part.deadLetters();
        }
        return total;
    }

    /**
     * Calls {@code listener} with every dead letter from now on, on the thread where it happened (a
     * shard, usually): it must be quick, thread-safe and must not block. Returns what removes it.
     */
    public Runnable onDeadLetter(Consumer<? super DeadLetter> listener) {
        deadLetterListeners.add(Objects.requireNonNull(listener, "listener"));
        return () -> deadLetterListeners.remove(listener);
    }

    void publish(Object message, ActorCell<?> recipient, DeadLetter.Reason reason) {
        if (!deadLetterListeners.isEmpty()) {
            DeadLetter letter = new DeadLetter(message, recipient, reason);
            for (Consumer<? super DeadLetter> listener : deadLetterListeners) {
                try {
                    listener.accept(letter);
                } catch (RuntimeException e) {
                    log.warn("a dead-letter listener threw", e);
                }
            }
        }
    }

    /** A tell the mesh or the outside queue refused: a dead letter where the sender is. */
    void refused(ActorCell<?> recipient, Object message) {
        Shard here = Shard.current();
        if (here != null && here.runtime() == runtime) {
            parts[here.id()].deadLetter(message, recipient, DeadLetter.Reason.OVERFLOW);
            return;
        }
        publish(message, recipient, DeadLetter.Reason.REFUSED);
        refusedOutside.incrementAndGet(); // after its listeners, as a shard counts its dead letters
        long last = lastRefusalLog.get();
        long now = System.nanoTime();
        if (now - last >= REFUSAL_LOG_NANOS && lastRefusalLog.compareAndSet(last, now)) {
            log.info("a message from {} to {} was refused (queue full or runtime stopping): a dead letter"
                    + " ({} refused from outside threads so far)", Thread.currentThread().getName(), recipient,
                    refusedOutside.get());
        }
    }

    /** Why an ask could not be sent. */
    Throwable refusal(ActorCell<?> recipient) {
        return closed ? new RejectedExecutionException("the actor system is closed")
                : new MeshOverflowException("the message to " + recipient + " was refused: too many messages wait for shard "
                        + recipient.shardId() + " (or its runtime is stopping)");
    }

    // ---- the rest ----

    /** The shard runtime the actors run on. */
    public ShardRuntime runtime() {
        return runtime;
    }

    /** The settings of {@code atoll.actors} this system uses. */
    public ActorSettings settings() {
        return settings;
    }

    /** The number of shards. */
    public int shardCount() {
        return parts.length;
    }

    /** The part of this system on shard {@code shard} (for {@link ActorMetrics}). */
    ShardActors part(int shard) {
        return parts[shard];
    }

    /** The counters of every shard, in shard order. Any thread. */
    public List<ActorStats> stats() {
        List<ActorStats> all = new ArrayList<>(parts.length);
        for (ShardActors part : parts) {
            all.add(part.stats());
        }
        return all;
    }

    /**
     * Stops every actor (each runs {@code postStop}; messages left become dead letters; spawns and
     * tells after this are refused), then, if this system started the runtime, stops the runtime.
     * Idempotent; must not be called from a shard thread.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        Shard here = Shard.current();
        if (here != null && here.runtime() == runtime) {
            throw new IllegalStateException("a shard cannot close its own actor system; call close() from another thread");
        }
        closed = true;
        long timeoutNanos = runtime.settings().shards().shutdownTimeout().toNanos() + TimeUnit.SECONDS.toNanos(1);
        List<CompletableFuture<Object>> stopped = new ArrayList<>(parts.length);
        for (ShardActors part : parts) {
            stopped.add(runtime.submit(part.id, () -> {
                part.stopAll();
                return null;
            }));
        }
        for (int i = 0; i < stopped.size(); i++) {
            try {
                stopped.get(i).get(timeoutNanos, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                log.warn("the actors of shard {} did not all stop: {}", i, e.toString());
            }
        }
        if (ownsRuntime) {
            runtime.close();
        }
    }
}
