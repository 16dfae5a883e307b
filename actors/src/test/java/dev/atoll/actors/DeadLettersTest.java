package dev.atoll.actors;

import dev.atoll.shards.MeshOverflowException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static dev.atoll.actors.TestSystems.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadLettersTest {

    /** Stops on "stop", ignores the rest. */
    static final class Sink extends Actor<String> {
        @Override
        protected void receive(String message) {
            if (message.equals("stop")) {
                context().stop();
            }
        }
    }

    @Test
    void messagesToAStoppedActorAndLeftInItsMailboxAreCountedAndObservable() throws InterruptedException {
        try (ActorSystem system = TestSystems.start(2)) {
            List<DeadLetter> letters = new CopyOnWriteArrayList<>();
            system.onDeadLetter(letters::add);
            var sink = system.spawn(Sink::new, Placement.shard(1));
            sink.tell("stop");
            sink.tell("left in the mailbox");
            await(system.terminationOf(sink));
            sink.tell("after");
            TestSystems.eventually("two dead letters", () -> system.deadLetters() == 2);
            assertEquals(List.of("left in the mailbox", "after"), letters.stream().map(DeadLetter::message).toList());
            assertTrue(letters.stream().allMatch(l -> l.recipient() == sink && l.reason() == DeadLetter.Reason.STOPPED));
            assertEquals(2, system.stats().get(1).deadLetters());
        }
    }

    /** Sends a burst to a target on another shard while that shard is held busy. */
    static final class Burst extends Actor<Burst.Go> {
        record Go(ActorRef<String> target, int n, ActorRef<AskMe> askTarget, CompletableFuture<Throwable> askOutcome) {}
        record AskMe(Reply<String> reply) {}

        @Override
        protected void receive(Go go) {
            for (int i = 0; i < go.n(); i++) {
                go.target().tell("m" + i);
            }
            context().ask(go.askTarget(), AskMe::new, TestSystems.ASK_TIMEOUT)
                    .whenComplete((v, failure) -> go.askOutcome().complete(failure));
        }
    }

    @Test
    void beyondTheOverflowLimitATellIsADeadLetterAndAnAskFails() {
        try (ActorSystem system = TestSystems.start(2, "atoll.mesh { queue-capacity = 4, overflow-limit = 10 }")) {
            var sink = system.spawn(Sink::new, Placement.shard(1));
            ActorRef<Burst.AskMe> answerer = system.spawn(() -> new Actor<Burst.AskMe>() {
                @Override
                protected void receive(Burst.AskMe message) {
                    message.reply().send("answer");
                }
            }, Placement.shard(1));
            await(answerer.ask(Burst.AskMe::new, TestSystems.ASK_TIMEOUT));   // both started
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            system.runtime().execute(1, () -> {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                running.await();
                var burst = system.spawn(Burst::new, Placement.shard(0));
                var askOutcome = new CompletableFuture<Throwable>();
                burst.tell(new Burst.Go(sink, 100, answerer, askOutcome));
                assertInstanceOf(MeshOverflowException.class, await(askOutcome));
                // 4 fit in the queue and 10 wait in the overflow list; the other 86 are refused.
                assertEquals(86, system.stats().getFirst().deadLetters());
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                release.countDown();
            }
        }
    }
}
