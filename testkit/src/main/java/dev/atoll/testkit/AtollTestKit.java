package dev.atoll.testkit;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorRef;
import dev.atoll.actors.ActorSettings;
import dev.atoll.actors.ActorSystem;
import dev.atoll.actors.Placement;
import dev.atoll.actors.Reply;
import dev.atoll.actors.SpawnOptions;
import dev.atoll.actors.Supervision;
import dev.atoll.actors.Terminated;
import dev.atoll.config.AtollConfig;
import dev.atoll.config.DriverKind;
import dev.atoll.drivers.DriverUnavailableException;
import dev.atoll.drivers.Drivers;
import dev.atoll.drivers.Platform;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TimerClock;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Shards and actors for a test: a JUnit 5 extension that starts an {@link ActorSystem} (on its own
 * {@link ShardRuntime}) before each test or once per class, stops it afterwards, and makes
 * {@link TestProbe}s. Configure it before it starts: shards (default 2, unpinned), driver (default
 * {@code auto}; a driver this machine lacks skips the tests, saying why), extra HOCON, a
 * {@link ManualClock}, and the timeout of every wait.
 *
 * <pre>{@code
 * class GreeterTest {
 *     // static: one runtime for the class; an instance field: one runtime per test
 *     @RegisterExtension
 *     static final AtollTestKit kit = AtollTestKit.create().shards(2).withManualClock();
 *
 *     @Test
 *     void greets() {
 *         TestProbe<Greeter.Greeted> probe = kit.probe();
 *         kit.spawn(Greeter::new).tell(new Greeter.Greet("Ada", probe.ref()));
 *         probe.expectMessage(new Greeter.Greeted("Hello, Ada!"));
 *     }
 * }
 * }</pre>
 *
 * Without the extension, {@link #start()} and {@link #close()} it yourself, e.g. once per driver:
 * {@code try (AtollTestKit kit = AtollTestKit.create().driver(driver).start()) { ... }}.
 */
public final class AtollTestKit implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        AutoCloseable {
    /** Generous, for small and busy machines: a passing test is far quicker, a failing one says what it missed. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private int shards = 2;
    private DriverKind driver = DriverKind.AUTO;
    private String extraHocon = "";
    private boolean manualClock;
    private Duration timeout = DEFAULT_TIMEOUT;

    private ActorSystem system;
    private ShardRuntime runtime;
    private ManualClock clock;
    /** The JUnit context whose end stops what it started: a class (static field) or a test (instance field). */
    private ExtensionContext startedBy;

    private AtollTestKit() {
    }

    /** A kit with the defaults: 2 shards, driver auto, real time, waits of {@link #DEFAULT_TIMEOUT}. */
    public static AtollTestKit create() {
        return new AtollTestKit();
    }

    /** Every driver kind, for tests parameterised over them; a kind this machine lacks makes {@link #start()} skip the test. */
    public static Stream<DriverKind> drivers() {
        return Stream.of(DriverKind.IO_URING, DriverKind.EPOLL, DriverKind.KQUEUE);
    }

    // ---- configuration, before the start ----

    /** The number of shards (default 2). */
    public AtollTestKit shards(int count) {
        checkNotStarted();
        if (count < 1) {
            throw new IllegalArgumentException("a runtime needs at least one shard: " + count);
        }
        this.shards = count;
        return this;
    }

    /** The I/O driver (default {@code auto}). */
    public AtollTestKit driver(DriverKind kind) {
        checkNotStarted();
        this.driver = Objects.requireNonNull(kind, "driver");
        return this;
    }

    /** More configuration in HOCON, laid over the kit's shard count and driver and Atoll's defaults. */
    public AtollTestKit config(String hocon) {
        checkNotStarted();
        this.extraHocon = Objects.requireNonNull(hocon, "hocon");
        return this;
    }

    /** Runs the shards' timers on a {@link ManualClock} that only {@link ManualClock#advance} moves. */
    public AtollTestKit withManualClock() {
        checkNotStarted();
        this.manualClock = true;
        return this;
    }

    /** How long every wait of the kit and its probes lasts before it fails the test. */
    public AtollTestKit timeout(Duration wait) {
        checkNotStarted();
        if (wait.isNegative() || wait.isZero()) {
            throw new IllegalArgumentException("the timeout must be positive: " + wait);
        }
        this.timeout = wait;
        return this;
    }

    // ---- lifecycle ----

    /**
     * Starts the shards and the actor system; returns this kit. Skips the calling test (JUnit's
     * assumption) when the configured driver cannot run on this machine.
     */
    public AtollTestKit start() {
        checkNotStarted();
        try {
            Drivers.choose(driver, Platform.current());
        } catch (DriverUnavailableException e) {
            Assumptions.abort("skipped on driver " + driver.displayName() + ": " + e.getMessage());
        }
        AtollConfig config = AtollConfig.parse("atoll.shards { count = " + shards + ", pin = false }\n"
                + "atoll.driver = " + driver.displayName() + "\n" + extraHocon, "the test kit's settings");
        ActorSettings actorSettings = ActorSettings.from(config);
        ManualClock manual = manualClock ? new ManualClock(timeout) : null;
        ShardRuntime started = ShardRuntime.start(config, manual != null ? manual : TimerClock.SYSTEM);
        if (manual != null) {
            manual.attach(started);
        }
        this.runtime = started;
        this.clock = manual;
        this.system = ActorSystem.start(started, actorSettings);
        return this;
    }

    /** Stops every actor, then the shards. Idempotent; after it the kit can be started again. */
    @Override
    public void close() {
        ActorSystem actors = system;
        ShardRuntime shardRuntime = runtime;
        system = null;
        runtime = null;
        clock = null;
        startedBy = null;
        if (actors != null) {
            try {
                actors.close();
            } finally {
                shardRuntime.close();
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (system == null) {
            start();
            startedBy = context;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (system == null) {
            start();
            startedBy = context;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (startedBy == context) {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (startedBy == context) {
            close();
        }
    }

    // ---- use, once started ----

    /** The actor system under test. */
    public ActorSystem system() {
        checkStarted();
        return system;
    }

    /** The shards the actors run on. */
    public ShardRuntime runtime() {
        checkStarted();
        return runtime;
    }

    /**
     * The clock of the shards' timers.
     *
     * @throws IllegalStateException when the kit was not configured {@link #withManualClock()}
     */
    public ManualClock clock() {
        checkStarted();
        if (clock == null) {
            throw new IllegalStateException("this test kit runs on real time: configure it withManualClock()");
        }
        return clock;
    }

    /** How long each wait lasts before it fails the test. */
    public Duration timeout() {
        return timeout;
    }

    /** A probe on shard 0. */
    public <M> TestProbe<M> probe() {
        return probe(Placement.shard(0));
    }

    /** A probe where {@code placement} says. */
    public <M> TestProbe<M> probe(Placement placement) {
        checkStarted();
        BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        BlockingQueue<Terminated> terminations = new LinkedBlockingQueue<>();
        BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
        CompletableFuture<ProbeActor> created = new CompletableFuture<>();
        // A child's escalation or a throwing answer is a failure of the probe: recorded for the test, then resumed.
        Supervision recordAndResume = Supervision.deciding(failure -> {
            failures.add(failure);
            return Supervision.Directive.RESUME;
        }, 0, Duration.ofSeconds(1));
        ActorRef<Object> ref = system.spawn(() -> new ProbeActor(messages, terminations, created), placement,
                SpawnOptions.supervised(recordAndResume));
        ProbeActor actor = Waits.await(created, timeout, "the probe to start");
        @SuppressWarnings("unchecked")
        ActorRef<M> typed = (ActorRef<M>) (ActorRef<?>) ref;
        return new TestProbe<>(runtime, typed, actor, timeout, messages, terminations, failures);
    }

    /** Spawns a top-level actor under test, round-robin over the shards. */
    public <M> ActorRef<M> spawn(Supplier<? extends Actor<M>> factory) {
        return spawn(factory, Placement.roundRobin(), SpawnOptions.DEFAULT);
    }

    /** Spawns a top-level actor under test where {@code placement} says. */
    public <M> ActorRef<M> spawn(Supplier<? extends Actor<M>> factory, Placement placement) {
        return spawn(factory, placement, SpawnOptions.DEFAULT);
    }

    /** Spawns a top-level actor under test where {@code placement} says, with a name and/or supervision. */
    public <M> ActorRef<M> spawn(Supplier<? extends Actor<M>> factory, Placement placement, SpawnOptions options) {
        checkStarted();
        return system.spawn(factory, placement, options);
    }

    /** Asks {@code target} from the test thread and waits for the answer (up to the timeout, in real time). */
    public <M, R> R ask(ActorRef<M> target, Function<Reply<R>, ? extends M> request) {
        checkStarted();
        return Waits.await(target.ask(request, timeout), timeout, "the answer of " + target);
    }

    /** Runs {@code work} on shard {@code shard} and waits for its result. */
    public <T> T onShard(int shard, Callable<T> work) {
        checkStarted();
        return Waits.await(runtime.submit(shard, work), timeout, "a task on shard " + shard);
    }

    /** Waits until {@code actor} has stopped. */
    public void awaitTermination(ActorRef<?> actor) {
        checkStarted();
        Waits.await(system.terminationOf(actor), timeout, actor + " to stop");
    }

    private void checkStarted() {
        if (system == null) {
            throw new IllegalStateException("the test kit is not running: register it with @RegisterExtension, or start() it");
        }
    }

    private void checkNotStarted() {
        if (system != null) {
            throw new IllegalStateException("the test kit is running already: configure it before it starts");
        }
    }

    @Override
    public String toString() {
        return "AtollTestKit(shards=" + shards + ", driver=" + driver.displayName() + (manualClock ? ", manual clock" : "")
                + (system != null ? ", running on " + runtime.driverKind().displayName() : "") + ")";
    }
}
