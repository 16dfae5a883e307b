package dev.atoll.testkit.ported;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorRef;
import dev.atoll.actors.Placement;
import dev.atoll.actors.Reply;
import dev.atoll.actors.Signal;
import dev.atoll.actors.SpawnOptions;
import dev.atoll.actors.Terminated;
import dev.atoll.config.DriverKind;
import dev.atoll.testkit.AtollTestKit;
import dev.atoll.testkit.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Death watch (actors' own tests, ported to the test kit): what the watcher sees goes to a probe, so
 * "exactly once" and "nothing after unwatch" are expectNoMessage rather than a sleep and a list.
 */
@ParameterizedClass
@MethodSource("dev.atoll.testkit.AtollTestKit#drivers")
class DeathWatchTest {
    private static final Duration QUIET = Duration.ofMillis(100);

    @RegisterExtension
    final AtollTestKit kit;

    DeathWatchTest(DriverKind driver) {
        kit = AtollTestKit.create().shards(2).driver(driver);
    }

    /** Does nothing; stops when told "stop". */
    static final class Target extends Actor<String> {
        @Override
        protected void receive(String message) {
            if (message.equals("stop")) {
                context().stop();
            }
        }
    }

    /** Watches what it is told to, and reports the signals and messages it gets. */
    static final class Watcher extends Actor<Watcher.Msg> {
        sealed interface Msg { }
        record Watch(ActorRef<?> target) implements Msg { }
        record WatchWith(ActorRef<?> target, String label) implements Msg { }
        record Unwatch(ActorRef<?> target) implements Msg { }
        record Gone(String label) implements Msg { }
        record Sync(Reply<Boolean> reply) implements Msg { }

        private final ActorRef<String> report;

        Watcher(ActorRef<String> report) {
            this.report = report;
        }

        @Override
        protected void receive(Msg msg) {
            switch (msg) {
                case Watch(ActorRef<?> target) -> context().watch(target);
                case WatchWith(ActorRef<?> target, String label) -> context().watchWith(target, new Gone(label));
                case Unwatch(ActorRef<?> target) -> context().unwatch(target);
                case Gone(String label) -> report.tell("message " + label);
                case Sync(Reply<Boolean> reply) -> reply.send(true);
            }
        }

        @Override
        protected void onSignal(Signal signal) {
            if (signal instanceof Terminated(ActorRef<?> actor)) {
                report.tell("terminated " + actor.name());
            }
        }
    }

    private void sync(ActorRef<Watcher.Msg> watcher) {
        kit.ask(watcher, Watcher.Sync::new);
    }

    @Test
    void aTerminationSignalArrivesExactlyOnceOnEachShardPair() {
        for (int targetShard = 0; targetShard < 2; targetShard++) {
            TestProbe<String> report = kit.probe();
            var watcher = kit.spawn(() -> new Watcher(report.ref()), Placement.shard(0));
            var target = kit.spawn(Target::new, Placement.shard(targetShard), SpawnOptions.named("t" + targetShard));
            watcher.tell(new Watcher.Watch(target));
            watcher.tell(new Watcher.Watch(target));   // twice: still one signal
            sync(watcher);
            target.tell("stop");
            report.expectMessage("terminated t" + targetShard);
            report.expectNoMessage(QUIET);
        }
    }

    @Test
    void watchWithDeliversTheWatchersOwnMessage() {
        TestProbe<String> report = kit.probe();
        var watcher = kit.spawn(() -> new Watcher(report.ref()), Placement.shard(0));
        var target = kit.spawn(Target::new, Placement.shard(1));
        watcher.tell(new Watcher.WatchWith(target, "target"));
        sync(watcher);
        kit.system().stop(target);
        report.expectMessage("message target");
    }

    @Test
    void watchingAnActorThatAlreadyStoppedSignalsAtOnce() {
        TestProbe<String> report = kit.probe();
        var target = kit.spawn(Target::new, Placement.shard(1), SpawnOptions.named("early"));
        kit.system().stop(target);
        kit.awaitTermination(target);
        var watcher = kit.spawn(() -> new Watcher(report.ref()), Placement.shard(0));
        watcher.tell(new Watcher.Watch(target));
        report.expectMessage("terminated early");
    }

    @Test
    void afterUnwatchNoSignalArrives() {
        TestProbe<String> report = kit.probe();
        var watcher = kit.spawn(() -> new Watcher(report.ref()), Placement.shard(0));
        var target = kit.spawn(Target::new, Placement.shard(1));
        var other = kit.spawn(Target::new, Placement.shard(1), SpawnOptions.named("other"));
        watcher.tell(new Watcher.Watch(target));
        watcher.tell(new Watcher.Unwatch(target));
        watcher.tell(new Watcher.Watch(other));
        sync(watcher);
        kit.system().stop(target);
        kit.awaitTermination(target);
        kit.system().stop(other);
        report.expectMessage("terminated other");
        report.expectNoMessage(QUIET);
    }

    @Test
    void aWatcherThatStopsFirstIsForgotten() {
        TestProbe<String> report = kit.probe();
        var watcher = kit.spawn(() -> new Watcher(report.ref()), Placement.shard(0));
        var target = kit.spawn(Target::new, Placement.shard(1));
        watcher.tell(new Watcher.Watch(target));
        sync(watcher);
        kit.system().stop(watcher);
        kit.awaitTermination(watcher);
        kit.system().stop(target);
        kit.awaitTermination(target);
        report.expectNoMessage(QUIET);
        assertEquals(0, kit.system().deadLetters(), "the signal to a stopped watcher is not a dead letter");
    }
}
