package dev.atoll.testkit;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorRef;
import dev.atoll.actors.EscalatedFailure;
import dev.atoll.actors.Placement;
import dev.atoll.actors.Reply;
import dev.atoll.actors.SpawnOptions;
import dev.atoll.actors.Supervision;
import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a probe expects, and that each expectation fails when its message does not come; on every driver. */
@ParameterizedClass
@MethodSource("dev.atoll.testkit.AtollTestKit#drivers")
class TestProbeTest {
    private static final Duration SHORT = Duration.ofMillis(200);

    @RegisterExtension
    final AtollTestKit kit;

    TestProbeTest(DriverKind driver) {
        kit = AtollTestKit.create().shards(2).driver(driver).timeout(Duration.ofSeconds(10));
    }

    /** Forwards what it is told to the reference it was given, from another shard than the probe's. */
    static final class Forwarder extends Actor<String> {
        private final ActorRef<String> to;

        Forwarder(ActorRef<String> to) {
            this.to = to;
        }

        @Override
        protected void receive(String message) {
            switch (message) {
                case "stop" -> context().stop();
                case "fail" -> throw new IllegalStateException("failing on purpose");
                case "parent" -> to.tell("my parent is " + context().parent().map(Object::toString).orElse("none"));
                default -> to.tell(message);
            }
        }
    }

    @Test
    void expectsMessagesInOrderAndFailsOnAnotherOne() {
        TestProbe<String> probe = kit.probe(Placement.shard(0));
        ActorRef<String> forwarder = kit.spawn(() -> new Forwarder(probe.ref()), Placement.shard(1));
        forwarder.tell("one");
        forwarder.tell("two");
        forwarder.tell("three");
        assertEquals("one", probe.expectMessage("one"));
        AssertionError wrong = assertThrows(AssertionError.class, () -> probe.expectMessage("three"));
        assertTrue(wrong.getMessage().contains("expected three, got two"), wrong.getMessage());
        assertEquals("three", probe.expectMessageType(String.class));
        AssertionError none = assertThrows(AssertionError.class, () -> probe.receiveMessage(SHORT));
        assertTrue(none.getMessage().contains("timeout"), none.getMessage());
    }

    @Test
    void expectNoMessageFailsWhenOneArrives() {
        TestProbe<String> probe = kit.probe();
        probe.expectNoMessage(SHORT);
        probe.tell("late");
        AssertionError error = assertThrows(AssertionError.class, () -> probe.expectNoMessage(SHORT));
        assertTrue(error.getMessage().contains("got late"), error.getMessage());
    }

    @Test
    void expectTerminatedSeesAStopAndFailsWithoutOne() {
        TestProbe<String> probe = kit.probe();
        ActorRef<String> target = kit.spawn(() -> new Forwarder(probe.ref()), Placement.shard(1));
        assertThrows(AssertionError.class, () -> probe.expectTerminated(target, SHORT));
        target.tell("stop");
        probe.expectTerminated(target);
        probe.expectTerminated(target);   // watching a stopped actor reports it again, at once

        ActorRef<String> watched = kit.spawn(() -> new Forwarder(probe.ref()), Placement.shard(1));
        ActorRef<String> other = kit.spawn(() -> new Forwarder(probe.ref()), Placement.shard(1));
        probe.watch(watched);
        watched.tell("stop");
        kit.awaitTermination(watched);
        probe.expectTerminated(watched);   // seen through the earlier watch: no second signal left behind
        probe.watch(other);
        other.tell("stop");
        probe.expectTerminated(other);
    }

    @Test
    void aChildOfTheProbeKnowsItsParentAndEscalatesToIt() {
        TestProbe<String> parent = kit.probe(Placement.shard(0));
        ActorRef<String> child = parent.spawnChild(() -> new Forwarder(parent.ref()), Placement.shard(1),
                SpawnOptions.supervised(Supervision.escalate()));
        child.tell("parent");
        assertEquals("my parent is " + parent.ref(), parent.receiveMessage());
        child.tell("fail");
        EscalatedFailure failure = parent.expectEscalation();
        assertSame(child, failure.child());
        assertEquals("failing on purpose", failure.getCause().getMessage());
        parent.expectTerminated(child);
        parent.tell("still here");
        parent.expectMessage("still here");
    }

    /** Asks another actor for a number and reports it (or the failure) to the reference it was given. */
    static final class Asker extends Actor<String> {
        record Next(Reply<Integer> reply) { }

        private final ActorRef<Next> numbers;
        private final ActorRef<String> report;

        Asker(ActorRef<Next> numbers, ActorRef<String> report) {
            this.numbers = numbers;
            this.report = report;
        }

        @Override
        protected void receive(String message) {
            context().ask(numbers, Next::new, Duration.ofSeconds(10))
                    .whenComplete((n, failure) -> report.tell(failure == null ? "got " + n : "failed: " + failure.getMessage()));
        }
    }

    @Test
    void aProbeAnswersAsksWhenToldHowAndOneAtATimeOtherwise() {
        TestProbe<Asker.Next> numbers = kit.probe(Placement.shard(0));
        TestProbe<String> report = kit.probe(Placement.shard(1));
        ActorRef<String> asker = kit.spawn(() -> new Asker(numbers.ref(), report.ref()), Placement.shard(1));

        asker.tell("go");
        numbers.expectMessageType(Asker.Next.class).reply().send(1);        // by hand
        report.expectMessage("got 1");

        numbers.answer(Asker.Next.class, next -> next.reply().send(42));   // every one from now on
        asker.tell("go");
        asker.tell("go");
        report.expectMessage("got 42");
        report.expectMessage("got 42");
        numbers.expectNoMessage(SHORT);

        numbers.answer(Asker.Next.class, next -> next.reply().fail(new IllegalStateException("no numbers left")));
        asker.tell("go");
        report.expectMessage("failed: no numbers left");

        numbers.answer(Asker.Next.class, next -> {
            throw new IllegalArgumentException("a broken fake");
        });
        asker.tell("go");
        AssertionError broken = assertThrows(AssertionError.class, numbers::expectEscalation);
        assertTrue(broken.getMessage().contains("a broken fake"), broken.getMessage());
    }

    @Test
    void theKitsAskWaitsForTheAnswer() {
        TestProbe<Asker.Next> numbers = kit.probe();
        numbers.answer(Asker.Next.class, next -> next.reply().send(7));
        assertEquals(7, kit.<Asker.Next, Integer>ask(numbers.ref(), Asker.Next::new));
        assertEquals(Optional.empty(), kit.system().lookup("nobody").join());
    }
}
