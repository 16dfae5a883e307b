package dev.atoll.testkit;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorRef;
import dev.atoll.actors.EscalatedFailure;
import dev.atoll.actors.Placement;
import dev.atoll.actors.SpawnOptions;
import dev.atoll.actors.Terminated;
import dev.atoll.shards.ShardRuntime;

import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * An actor that a test controls: pass {@link #ref()} to the actors under test wherever they expect a
 * reference, then check what they sent it with {@code expect*}. Each expectation waits (in real time)
 * up to the kit's timeout and fails the test with what it got instead. Made by
 * {@link AtollTestKit#probe()}; it lives on one shard of the kit's runtime.
 *
 * <pre>{@code
 * TestProbe<Greeter.Greeted> replies = kit.probe();
 * ActorRef<Greeter.Msg> greeter = kit.spawn(Greeter::new);
 * greeter.tell(new Greeter.Greet("Ada", replies.ref()));
 * replies.expectMessage(new Greeter.Greeted("Hello, Ada!"));
 * replies.expectNoMessage(Duration.ofMillis(100));
 * }</pre>
 *
 * <p>As a parent ({@link #spawnChild}) it receives nothing of its children's failures unless they
 * escalate, and then {@link #expectEscalation()} sees them; as a watcher ({@link #watch},
 * {@link #expectTerminated}) it sees them stop. To stand in for an actor that others {@code ask},
 * answer the {@link dev.atoll.actors.Reply} in the request: one request at a time with
 * {@code expectMessageType(Get.class).reply().send(value)}, or every request of a type with
 * {@link #answer}.
 *
 * @param <M> the type of the messages the probe stands in for
 */
public final class TestProbe<M> {
    private final ShardRuntime runtime;
    private final ActorRef<M> ref;
    private final ProbeActor actor;
    private final Duration timeout;
    private final BlockingQueue<Object> messages;
    private final BlockingQueue<Terminated> terminations;
    private final BlockingQueue<Throwable> failures;
    /** What this probe watches and has not seen stop yet; the test thread's only. */
    private final Set<ActorRef<?>> watching = new HashSet<>();

    TestProbe(ShardRuntime runtime, ActorRef<M> ref, ProbeActor actor, Duration timeout, BlockingQueue<Object> messages,
              BlockingQueue<Terminated> terminations, BlockingQueue<Throwable> failures) {
        this.runtime = runtime;
        this.ref = ref;
        this.actor = actor;
        this.timeout = timeout;
        this.messages = messages;
        this.terminations = terminations;
        this.failures = failures;
    }

    /** The probe's reference, to hand to the actors under test. */
    public ActorRef<M> ref() {
        return ref;
    }

    /** Sends {@code message} to the probe itself (as {@code ref().tell}): it is expected like any other. */
    public void tell(M message) {
        ref.tell(message);
    }

    // ---- messages ----

    /** The next message, whatever it is, within the kit's timeout. */
    public M receiveMessage() {
        return receiveMessage(timeout);
    }

    /** The next message, whatever it is, within {@code max}. */
    @SuppressWarnings("unchecked")
    public M receiveMessage(Duration max) {
        Object message = poll(messages, max);
        if (message == null) {
            throw failure("timeout (" + max + ") waiting for a message");
        }
        return (M) message;
    }

    /** Expects the next message to equal {@code expected}, within the kit's timeout; returns it. */
    public <T extends M> T expectMessage(T expected) {
        return expectMessage(timeout, expected);
    }

    /** Expects the next message to equal {@code expected}, within {@code max}; returns it. */
    public <T extends M> T expectMessage(Duration max, T expected) {
        Objects.requireNonNull(expected, "expected");
        Object message = poll(messages, max);
        if (message == null) {
            throw failure("timeout (" + max + ") waiting for " + expected);
        }
        if (!expected.equals(message)) {
            throw failure("expected " + expected + ", got " + message);
        }
        @SuppressWarnings("unchecked")
        T same = (T) message;
        return same;
    }

    /** Expects the next message to be of {@code type}, within the kit's timeout; returns it. */
    public <T extends M> T expectMessageType(Class<T> type) {
        return expectMessageType(timeout, type);
    }

    /** Expects the next message to be of {@code type}, within {@code max}; returns it. */
    public <T extends M> T expectMessageType(Duration max, Class<T> type) {
        Object message = poll(messages, max);
        if (message == null) {
            throw failure("timeout (" + max + ") waiting for a " + type.getSimpleName());
        }
        if (!type.isInstance(message)) {
            throw failure("expected a " + type.getName() + ", got " + message);
        }
        return type.cast(message);
    }

    /**
     * Expects no message during {@code duration}: waits all of it (so keep it short), and fails at the
     * first message that arrives.
     */
    public void expectNoMessage(Duration duration) {
        Object message = poll(messages, duration);
        if (message != null) {
            throw failure("expected no message within " + duration + ", got " + message);
        }
    }

    // ---- watching and parenting ----

    /** Watches {@code target}: once it stops, {@link #expectTerminated} sees it. Returns once the watch is set. */
    public void watch(ActorRef<?> target) {
        onProbeShard("watch " + target, () -> {
            actor.contextOnShard().watch(target);
            return null;
        });
        watching.add(target);
    }

    /** Watches {@code target} if it is not watched yet, and expects it to stop within the kit's timeout. */
    public void expectTerminated(ActorRef<?> target) {
        expectTerminated(target, timeout);
    }

    /** Watches {@code target} if it is not watched yet, and expects it to stop within {@code max}. */
    public void expectTerminated(ActorRef<?> target, Duration max) {
        if (!watching.contains(target)) {
            watch(target);   // an actor that has stopped already is reported at once
        }
        Terminated terminated = poll(terminations, max);
        if (terminated != null) {
            watching.remove(terminated.actor());   // a watch ends with its signal
        }
        if (terminated == null) {
            throw failure("timeout (" + max + ") waiting for " + target + " to stop");
        }
        if (terminated.actor() != target) {
            throw failure("expected " + target + " to stop, but " + terminated.actor() + " stopped first");
        }
    }

    /** Spawns an actor whose parent is this probe, on the probe's shard. */
    public <C> ActorRef<C> spawnChild(Supplier<? extends Actor<C>> factory) {
        return spawnChild(factory, Placement.here(), SpawnOptions.DEFAULT);
    }

    /**
     * Spawns an actor whose parent is this probe, where {@code placement} says: its
     * {@code context().parent()} is {@link #ref()}, and a failure it escalates reaches
     * {@link #expectEscalation()}.
     */
    public <C> ActorRef<C> spawnChild(Supplier<? extends Actor<C>> factory, Placement placement, SpawnOptions options) {
        return onProbeShard("spawn a child", () -> actor.contextOnShard().spawn(factory, placement, options));
    }

    /**
     * Expects a child ({@link #spawnChild}) to have escalated a failure, within the kit's timeout;
     * returns it: {@link EscalatedFailure#child()} and its cause. The probe itself goes on.
     */
    public EscalatedFailure expectEscalation() {
        Throwable failure = poll(failures, timeout);
        if (failure == null) {
            throw failure("timeout (" + timeout + ") waiting for a child's escalated failure");
        }
        if (failure instanceof EscalatedFailure escalated) {
            return escalated;
        }
        throw failure("expected a child's escalated failure, but an answer of this probe threw: " + failure, failure);
    }

    // ---- standing in for an asked actor ----

    /**
     * From now on, every message of {@code type} (or a subtype) that reaches the probe goes to
     * {@code answer}, run on the probe's shard, instead of to the {@code expect*} methods: a fake for an
     * actor that the actors under test ask.
     *
     * <pre>{@code
     * TestProbe<Store.Msg> store = kit.probe();
     * store.answer(Store.Get.class, get -> get.reply().send("cached value"));
     * }</pre>
     *
     * An answer that throws is reported by the next {@link #expectEscalation()}, and by nothing else:
     * the probe goes on. Registering a type again replaces its answer.
     */
    public <T extends M> void answer(Class<T> type, Consumer<? super T> answer) {
        actor.answer(type, answer);
    }

    // ---- the rest ----

    private <T> T onProbeShard(String what, Callable<T> work) {
        return Waits.await(runtime.submit(ref.shardId(), work), timeout, "the probe to " + what);
    }

    private static <T> T poll(BlockingQueue<T> queue, Duration max) {
        try {
            return queue.poll(max.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }

    private AssertionError failure(String what) {
        return failure(what, null);
    }

    private AssertionError failure(String what, Throwable cause) {
        return new AssertionError("probe " + ref + ": " + what, cause);
    }

    @Override
    public String toString() {
        return "TestProbe(" + ref + ")";
    }
}
