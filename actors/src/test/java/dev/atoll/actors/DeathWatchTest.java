package dev.atoll.actors;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.atoll.actors.TestSystems.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DeathWatchTest {

    /** Does nothing; stops when told "stop". */
    static final class Target extends Actor<String> {
        @Override
        protected void receive(String message) {
            if (message.equals("stop")) {
                context().stop();
            }
        }
    }

    /** Watches what it is told to, records the signals and messages it gets. */
    static final class Watcher extends Actor<Watcher.Msg> {
        sealed interface Msg {}
        record Watch(ActorRef<?> target) implements Msg {}
        record WatchWith(ActorRef<?> target, String label) implements Msg {}
        record Unwatch(ActorRef<?> target) implements Msg {}
        record Gone(String label) implements Msg {}
        record Sync(Reply<Boolean> reply) implements Msg {}

        private final List<String> seen;

        Watcher(List<String> seen) {
            this.seen = seen;
        }

        @Override
        protected void receive(Msg msg) {
            switch (msg) {
                case Watch(ActorRef<?> target) -> context().watch(target);
                case WatchWith(ActorRef<?> target, String label) -> context().watchWith(target, new Gone(label));
                case Unwatch(ActorRef<?> target) -> context().unwatch(target);
                case Gone(String label) -> seen.add("message " + label);
                case Sync(Reply<Boolean> reply) -> reply.send(true);
            }
        }

        @Override
        protected void onSignal(Signal signal) {
            if (signal instanceof Terminated(ActorRef<?> actor)) {
                seen.add("terminated " + actor.name());
            }
        }
    }

    private static void sync(ActorRef<Watcher.Msg> watcher) {
        await(watcher.ask(Watcher.Sync::new, TestSystems.ASK_TIMEOUT));
    }

    @Test
    void aTerminationSignalArrivesExactlyOnceOnEachShardPair() throws InterruptedException {
        try (ActorSystem system = TestSystems.start(2)) {
            for (int targetShard = 0; targetShard < 2; targetShard++) {
                List<String> seen = new CopyOnWriteArrayList<>();
                var watcher = system.spawn(() -> new Watcher(seen), Placement.shard(0));
                var target = system.spawn(Target::new, Placement.shard(targetShard), SpawnOptions.named("t" + targetShard));
                watcher.tell(new Watcher.Watch(target));
                watcher.tell(new Watcher.Watch(target));   // twice: still one signal
                sync(watcher);
                target.tell("stop");
                TestSystems.eventually("the signal", () -> !seen.isEmpty());
                Thread.sleep(50);
                sync(watcher);
                assertEquals(List.of("terminated t" + targetShard), seen);
            }
        }
    }

    @Test
    void watchWithDeliversTheWatchersOwnMessage() {
        try (ActorSystem system = TestSystems.start(2)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            var watcher = system.spawn(() -> new Watcher(seen), Placement.shard(0));
            var target = system.spawn(Target::new, Placement.shard(1));
            watcher.tell(new Watcher.WatchWith(target, "target"));
            sync(watcher);
            system.stop(target);
            TestSystems.eventually("the message", () -> seen.equals(List.of("message target")));
        }
    }

    @Test
    void watchingAnActorThatAlreadyStoppedSignalsAtOnce() {
        try (ActorSystem system = TestSystems.start(2)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            var target = system.spawn(Target::new, Placement.shard(1), SpawnOptions.named("early"));
            system.stop(target);
            await(system.terminationOf(target));
            var watcher = system.spawn(() -> new Watcher(seen), Placement.shard(0));
            watcher.tell(new Watcher.Watch(target));
            TestSystems.eventually("the signal", () -> seen.equals(List.of("terminated early")));
        }
    }

    @Test
    void afterUnwatchNoSignalArrives() throws InterruptedException {
        try (ActorSystem system = TestSystems.start(2)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            var watcher = system.spawn(() -> new Watcher(seen), Placement.shard(0));
            var target = system.spawn(Target::new, Placement.shard(1));
            var other = system.spawn(Target::new, Placement.shard(1), SpawnOptions.named("other"));
            watcher.tell(new Watcher.Watch(target));
            watcher.tell(new Watcher.Unwatch(target));
            watcher.tell(new Watcher.Watch(other));
            sync(watcher);
            system.stop(target);
            await(system.terminationOf(target));
            system.stop(other);
            TestSystems.eventually("the other's signal", () -> !seen.isEmpty());
            Thread.sleep(50);
            sync(watcher);
            assertEquals(List.of("terminated other"), seen);
        }
    }

    @Test
    void aWatcherThatStopsFirstIsForgotten() {
        try (ActorSystem system = TestSystems.start(2)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            var watcher = system.spawn(() -> new Watcher(seen), Placement.shard(0));
            var target = system.spawn(Target::new, Placement.shard(1));
            watcher.tell(new Watcher.Watch(target));
            sync(watcher);
            system.stop(watcher);
            await(system.terminationOf(watcher));
            system.stop(target);
            await(system.terminationOf(target));
            assertEquals(List.of(), seen);
            assertEquals(0, system.deadLetters(), "the signal to a stopped watcher is not a dead letter");
        }
    }
}
