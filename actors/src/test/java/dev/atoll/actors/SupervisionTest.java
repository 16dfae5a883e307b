package dev.atoll.actors;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static dev.atoll.actors.TestSystems.ASK_TIMEOUT;
import static dev.atoll.actors.TestSystems.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SupervisionTest {

    /** Counts, fails on request, reports its instance number; logs its hooks. */
    static final class Fragile extends Actor<Fragile.Msg> {
        sealed interface Msg {}
        record Inc() implements Msg {}
        record Fail() implements Msg {}
        record Get(Reply<String> reply) implements Msg {}

        private final int instance;
        private final ConcurrentLinkedQueue<String> hooks;
        private int count;

        Fragile(AtomicInteger instances, ConcurrentLinkedQueue<String> hooks) {
            this.instance = instances.incrementAndGet();
            this.hooks = hooks;
        }

        @Override
        protected void receive(Msg msg) {
            switch (msg) {
                case Inc() -> count++;
                case Fail() -> throw new IllegalStateException("asked to fail");
                case Get(Reply<String> reply) -> reply.send("instance " + instance + " count " + count);
            }
        }

        @Override
        protected void preStart() {
            hooks.add("preStart " + instance);
        }

        @Override
        protected void postStop() {
            hooks.add("postStop " + instance);
        }

        @Override
        protected void preRestart(Throwable reason) {
            hooks.add("preRestart " + instance + " " + reason.getMessage());
        }

        @Override
        protected void postRestart(Throwable reason) throws Exception {
            hooks.add("postRestart " + instance);
            super.postRestart(reason);
        }
    }

    private final AtomicInteger instances = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> hooks = new ConcurrentLinkedQueue<>();

    private Supplier<Fragile> fragile() {
        return () -> new Fragile(instances, hooks);
    }

    private static String get(ActorRef<Fragile.Msg> actor) {
        return await(actor.ask(Fragile.Get::new, ASK_TIMEOUT));
    }

    private static long total(ActorSystem system, java.util.function.ToLongFunction<ActorStats> counter) {
        return system.stats().stream().mapToLong(counter).sum();
    }

    @Test
    void restartMakesAFreshInstanceAndKeepsTheMailbox() {
        try (ActorSystem system = TestSystems.start(2)) {
            var actor = system.spawn(fragile(), Placement.shard(1), SpawnOptions.supervised(Supervision.restart(3, Duration.ofMinutes(1))));
            actor.tell(new Fragile.Inc());
            actor.tell(new Fragile.Inc());
            actor.tell(new Fragile.Fail());
            actor.tell(new Fragile.Inc());   // queued behind the failure: kept for the fresh instance
            assertEquals("instance 2 count 1", get(actor));
            assertEquals(List.of("preStart 1", "preRestart 1 asked to fail", "postRestart 2", "preStart 2"), List.copyOf(hooks));
            assertEquals(1, total(system, ActorStats::restarts));
        }
    }

    @Test
    void resumeKeepsTheInstanceAndItsState() {
        try (ActorSystem system = TestSystems.start(1)) {
            var actor = system.spawn(fragile(), Placement.shard(0), SpawnOptions.supervised(Supervision.resume()));
            actor.tell(new Fragile.Inc());
            actor.tell(new Fragile.Fail());
            actor.tell(new Fragile.Inc());
            assertEquals("instance 1 count 2", get(actor));
            assertEquals(1, total(system, ActorStats::failures));
        }
    }

    @Test
    void stopEndsTheActorWithPostStopAndDeadLettersAfter() {
        try (ActorSystem system = TestSystems.start(1)) {
            var actor = system.spawn(fragile(), Placement.shard(0), SpawnOptions.supervised(Supervision.stop()));
            actor.tell(new Fragile.Fail());
            await(system.terminationOf(actor));
            assertEquals(List.of("preStart 1", "postStop 1"), List.copyOf(hooks));
            actor.tell(new Fragile.Inc());
            TestSystems.eventually("a dead letter", () -> system.deadLetters() == 1);
        }
    }

    @Test
    void pastTheRestartLimitTheFailureEscalatesAndATopLevelActorStops() {
        try (ActorSystem system = TestSystems.start(1)) {
            var actor = system.spawn(fragile(), Placement.shard(0), SpawnOptions.supervised(Supervision.restart(2, Duration.ofMinutes(1))));
            for (int i = 0; i < 3; i++) {
                actor.tell(new Fragile.Fail());
            }
            await(system.terminationOf(actor));
            assertEquals(3, instances.get(), "two restarts, then the guardian stops it");
            assertEquals(2, total(system, ActorStats::restarts));
            assertTrue(hooks.contains("postStop 3"), hooks.toString());
        }
    }

    @Test
    void restartsOutsideTheWindowDoNotCount() throws InterruptedException {
        try (ActorSystem system = TestSystems.start(1)) {
            var actor = system.spawn(fragile(), Placement.shard(0), SpawnOptions.supervised(Supervision.restart(1, Duration.ofMillis(20))));
            for (int i = 0; i < 3; i++) {
                actor.tell(new Fragile.Fail());
                assertTrue(get(actor).startsWith("instance " + (i + 2)));
                Thread.sleep(40);
            }
        }
    }

    /** Spawns a child that escalates, and reports its own instance number. */
    static final class Parent extends Actor<Parent.Msg> {
        sealed interface Msg {}
        record SpawnChild(Supplier<Fragile> factory, Reply<ActorRef<Fragile.Msg>> reply) implements Msg {}
        record Which(Reply<Integer> reply) implements Msg {}

        static final AtomicInteger instances = new AtomicInteger();
        private final int instance = instances.incrementAndGet();

        @Override
        protected void receive(Msg msg) {
            switch (msg) {
                case SpawnChild(Supplier<Fragile> factory, Reply<ActorRef<Fragile.Msg>> reply) ->
                        reply.send(context().spawn(factory, Placement.roundRobin(), SpawnOptions.supervised(Supervision.escalate())));
                case Which(Reply<Integer> reply) -> reply.send(instance);
            }
        }
    }

    @Test
    void escalationStopsTheChildAndFailsTheParentUnderItsOwnSupervision() {
        Parent.instances.set(0);
        try (ActorSystem system = TestSystems.start(2)) {
            var parent = system.spawn(Parent::new, Placement.shard(0), SpawnOptions.supervised(Supervision.restart(5, Duration.ofMinutes(1))));
            for (int round = 1; round <= 2; round++) {
                var child = await(parent.ask((Reply<ActorRef<Fragile.Msg>> r) -> new Parent.SpawnChild(fragile(), r), ASK_TIMEOUT));
                child.tell(new Fragile.Fail());
                await(system.terminationOf(child));
                int expected = round + 1;
                TestSystems.eventually("the parent restarted", () -> await(parent.ask(Parent.Which::new, ASK_TIMEOUT)) == expected);
            }
            var stoppingParent = system.spawn(Parent::new, Placement.shard(1), SpawnOptions.supervised(Supervision.stop()));
            var child = await(stoppingParent.ask((Reply<ActorRef<Fragile.Msg>> r) -> new Parent.SpawnChild(fragile(), r), ASK_TIMEOUT));
            child.tell(new Fragile.Fail());
            await(system.terminationOf(stoppingParent));
        }
    }

    @Test
    void aStoppingParentStopsItsChildren() {
        try (ActorSystem system = TestSystems.start(2)) {
            var parent = system.spawn(Parent::new, Placement.shard(0));
            var a = await(parent.ask((Reply<ActorRef<Fragile.Msg>> r) -> new Parent.SpawnChild(fragile(), r), ASK_TIMEOUT));
            var b = await(parent.ask((Reply<ActorRef<Fragile.Msg>> r) -> new Parent.SpawnChild(fragile(), r), ASK_TIMEOUT));
            assertTrue(a.shardId() != b.shardId(), "round-robin put the children on both shards");
            system.stop(parent);
            await(system.terminationOf(a));
            await(system.terminationOf(b));
        }
    }

    @Test
    void aFailingFactoryIsRestartedByTheSameStrategy() {
        AtomicInteger attempts = new AtomicInteger();
        Supplier<Fragile> flaky = () -> {
            if (attempts.incrementAndGet() <= 2) {
                throw new IllegalStateException("factory fails, attempt " + attempts.get());
            }
            return new Fragile(instances, hooks);
        };
        try (ActorSystem system = TestSystems.start(1)) {
            var actor = system.spawn(flaky, Placement.shard(0), SpawnOptions.supervised(Supervision.restart(5, Duration.ofMinutes(1))));
            actor.tell(new Fragile.Inc());
            assertEquals("instance 1 count 1", get(actor));
            assertEquals(3, attempts.get());
            assertEquals(List.of("postRestart 1", "preStart 1"), List.copyOf(hooks));
        }
    }

    @Test
    void aFactoryThatAlwaysFailsEndsStoppedAfterTheRestartLimit() {
        try (ActorSystem system = TestSystems.start(1)) {
            ActorRef<Fragile.Msg> actor = system.spawn(() -> {
                throw new IllegalStateException("never");
            }, Placement.shard(0), SpawnOptions.supervised(Supervision.restart(3, Duration.ofMinutes(1))));
            actor.tell(new Fragile.Inc());
            await(system.terminationOf(actor));
            assertEquals(4, total(system, ActorStats::failures));
            TestSystems.eventually("the message became a dead letter", () -> system.deadLetters() == 1);
        }
    }

    /** Fails in preStart the first {@code failures} times. */
    static final class BadStart extends Actor<Fragile.Msg> {
        static final AtomicInteger starts = new AtomicInteger();
        static final AtomicInteger stops = new AtomicInteger();
        private final int failures;

        BadStart(int failures) {
            this.failures = failures;
        }

        @Override
        protected void preStart() {
            if (starts.incrementAndGet() <= failures) {
                throw new IllegalStateException("preStart fails");
            }
        }

        @Override
        protected void postStop() {
            stops.incrementAndGet();
        }

        @Override
        protected void receive(Fragile.Msg msg) {
            if (msg instanceof Fragile.Get(Reply<String> reply)) {
                reply.send("started after " + starts.get());
            }
        }
    }

    @Test
    void aFailureInPreStartIsSupervised() {
        BadStart.starts.set(0);
        BadStart.stops.set(0);
        try (ActorSystem system = TestSystems.start(1)) {
            var restarted = system.spawn(() -> new BadStart(2), Placement.shard(0),
                    SpawnOptions.supervised(Supervision.restart(5, Duration.ofMinutes(1))));
            assertEquals("started after 3", get(restarted));

            BadStart.starts.set(0);
            var stopped = system.spawn(() -> new BadStart(1), Placement.shard(0), SpawnOptions.supervised(Supervision.stop()));
            await(system.terminationOf(stopped));
            assertEquals(0, BadStart.stops.get(), "an actor that never started gets no postStop");
        }
    }

    /** Throws on every message. */
    static final class AlwaysThrows extends Actor<Integer> {
        @Override
        protected void receive(Integer message) {
            throw new IllegalArgumentException("no " + message);
        }
    }

    @Test
    void anActorThatThrowsOnEveryMessageNeverHurtsItsShard() {
        try (ActorSystem system = TestSystems.start(1)) {
            var resumer = system.spawn(AlwaysThrows::new, Placement.shard(0), SpawnOptions.supervised(Supervision.resume()));
            var restarter = system.spawn(AlwaysThrows::new, Placement.shard(0),
                    SpawnOptions.supervised(Supervision.restart(Integer.MAX_VALUE, Duration.ofMinutes(1))));
            var healthy = system.spawn(fragile(), Placement.shard(0));
            for (int i = 0; i < 10_000; i++) {
                resumer.tell(i);
                restarter.tell(i);
            }
            healthy.tell(new Fragile.Inc());
            assertEquals("instance 1 count 1", get(healthy));
            TestSystems.eventually("every message failed", () -> total(system, ActorStats::failures) == 20_000);
            assertEquals(10_000, total(system, ActorStats::restarts));
        }
    }
}
