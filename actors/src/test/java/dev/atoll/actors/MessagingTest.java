package dev.atoll.actors;

import dev.atoll.shards.Shard;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.atoll.actors.TestSystems.ASK_TIMEOUT;
import static dev.atoll.actors.TestSystems.await;
import static dev.atoll.actors.TestSystems.take;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessagingTest {

    /** Checks that the numbers from each sender arrive in order; answers how many it saw. */
    static final class SequenceChecker extends Actor<SequenceChecker.Msg> {
        sealed interface Msg {}
        record Numbered(int sender, long n) implements Msg {}
        record Count(Reply<Long> reply) implements Msg {}

        private final long[] last = new long[8];
        private long seen;
        private long outOfOrder;

        @Override
        protected void receive(Msg msg) {
            switch (msg) {
                case Numbered(int sender, long n) -> {
                    if (n != last[sender] + 1) {
                        outOfOrder++;
                    }
                    last[sender] = n;
                    seen++;
                }
                case Count(Reply<Long> reply) -> reply.send(outOfOrder > 0 ? -outOfOrder : seen);
            }
        }
    }

    /** Sends {@code n} numbered messages to a target from inside its receive. */
    static final class Sender extends Actor<Sender.Go> {
        record Go(ActorRef<SequenceChecker.Msg> target, int id, long n) {}

        @Override
        protected void receive(Go go) {
            for (long i = 1; i <= go.n(); i++) {
                go.target().tell(new SequenceChecker.Numbered(go.id(), i));
            }
        }
    }

    private static long count(ActorRef<SequenceChecker.Msg> checker) {
        return await(checker.ask(SequenceChecker.Count::new, ASK_TIMEOUT));
    }

    @Test
    void messagesKeepTheirOrderOnOneShard() {
        try (ActorSystem system = TestSystems.start(2)) {
            var checker = system.spawn(SequenceChecker::new, Placement.shard(0));
            var sender = system.spawn(Sender::new, Placement.shard(0));
            sender.tell(new Sender.Go(checker, 1, 50_000));
            TestSystems.eventually("all messages counted", () -> count(checker) == 50_000);
        }
    }

    @Test
    void messagesKeepTheirOrderAcrossShards() {
        try (ActorSystem system = TestSystems.start(2)) {
            var checker = system.spawn(SequenceChecker::new, Placement.shard(1));
            var sender = system.spawn(Sender::new, Placement.shard(0));
            long n = Long.getLong("atolltest.actors.ordering", 200_000);
            sender.tell(new Sender.Go(checker, 1, n));
            TestSystems.eventually("all messages counted", () -> count(checker) == n);
        }
    }

    @Test
    void messagesFromOutsideThreadsKeepTheirOrderPerSender() throws Exception {
        try (ActorSystem system = TestSystems.start(2)) {
            var checker = system.spawn(SequenceChecker::new, Placement.shard(1));
            List<Thread> threads = new ArrayList<>();
            for (int t = 1; t <= 3; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (long i = 1; i <= 20_000; i++) {
                        checker.tell(new SequenceChecker.Numbered(id, i));
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            TestSystems.eventually("all messages counted", () -> count(checker) == 60_000);
        }
    }

    /** Records the messages it gets and the thread its factory ran on. */
    static final class Recorder extends Actor<String> {
        static final LinkedBlockingQueue<String> log = new LinkedBlockingQueue<>();

        Recorder() {
            log.add("created on " + Thread.currentThread().getName());
        }

        @Override
        protected void receive(String message) {
            log.add(message);
        }
    }

    @Test
    void messagesSentBeforeTheFactoryRanWaitInTheMailbox() throws Exception {
        Recorder.log.clear();
        try (ActorSystem system = TestSystems.start(2)) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            system.runtime().execute(1, () -> {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            running.await();
            ActorRef<String> recorder = system.spawn(Recorder::new, Placement.shard(1));
            recorder.tell("one");
            recorder.tell("two");
            assertTrue(Recorder.log.isEmpty(), "nothing runs while shard 1 is busy: " + Recorder.log);
            release.countDown();
            assertEquals("created on atoll-shard-1", take(Recorder.log));
            assertEquals("one", take(Recorder.log));
            assertEquals("two", take(Recorder.log));
        }
    }

    /** Tells a peer on its shard and records whether the peer ran before the tell returned. */
    static final class Inline extends Actor<Object> {
        static final AtomicInteger peerRuns = new AtomicInteger();
        static final CompletableFuture<Boolean> ranInline = new CompletableFuture<>();

        @SuppressWarnings("unchecked")
        @Override
        protected void receive(Object message) {
            if (message instanceof ActorRef<?> peer) {
                ((ActorRef<Object>) peer).tell("hi");
                ranInline.complete(peerRuns.get() > 0);
            } else {
                peerRuns.incrementAndGet();
            }
        }
    }

    @Test
    void aLocalTellNeverRunsReceiveOnTheCallersStack() {
        try (ActorSystem system = TestSystems.start(1)) {
            ActorRef<Object> a = system.spawn(Inline::new, Placement.shard(0));
            ActorRef<Object> b = system.spawn(Inline::new, Placement.shard(0));
            a.tell(b);
            assertFalse(await(Inline.ranInline));
            TestSystems.eventually("the peer ran later", () -> Inline.peerRuns.get() == 1);
        }
    }

    /** Answers asks with its shard id; never answers "silent". */
    static final class Answerer extends Actor<Answerer.Msg> {
        sealed interface Msg {}
        record WhereAreYou(Reply<Integer> reply) implements Msg {}
        record Silent(Reply<Integer> reply) implements Msg {}

        @Override
        protected void receive(Msg msg) {
            if (msg instanceof WhereAreYou(Reply<Integer> reply)) {
                reply.send(context().shard().id());
            }
        }
    }

    /** Asks a target from inside an actor and hands the outcome to the test. */
    static final class Asker extends Actor<Asker.Ask> {
        record Ask(ActorRef<Answerer.Msg> target, boolean silent, Duration timeout, CompletableFuture<Object> outcome) {}

        @Override
        protected void receive(Ask ask) {
            var promise = context().ask(ask.target(),
                    ask.silent() ? Answerer.Silent::new : Answerer.WhereAreYou::new, ask.timeout());
            boolean onMyShard = Shard.current() == context().shard();
            promise.whenComplete((value, failure) -> ask.outcome().complete(
                    failure != null ? failure : (onMyShard && Shard.current() == context().shard() ? value : "wrong thread")));
        }
    }

    @Test
    void askAnswersFromOutsideAndFromActorsOnTheSameAndAnotherShard() {
        try (ActorSystem system = TestSystems.start(2)) {
            var answerer = system.spawn(Answerer::new, Placement.shard(1));
            assertEquals(1, await(answerer.ask(Answerer.WhereAreYou::new, ASK_TIMEOUT)));
            for (int shard = 0; shard < 2; shard++) {
                var asker = system.spawn(Asker::new, Placement.shard(shard));
                var outcome = new CompletableFuture<Object>();
                asker.tell(new Asker.Ask(answerer, false, ASK_TIMEOUT, outcome));
                assertEquals(1, await(outcome), "asked from shard " + shard);
            }
            long spawned = system.stats().stream().mapToLong(ActorStats::spawned).sum();
            assertEquals(3, spawned, "no temporary actor per ask");
        }
    }

    @Test
    void askTimesOutFromOutsideAndInsideAShard() {
        try (ActorSystem system = TestSystems.start(2)) {
            var answerer = system.spawn(Answerer::new, Placement.shard(1));
            var failure = assertThrows(ExecutionException.class,
                    () -> answerer.ask(Answerer.Silent::new, Duration.ofMillis(50)).get());
            assertInstanceOf(TimeoutException.class, failure.getCause());
            for (int shard = 0; shard < 2; shard++) {
                var asker = system.spawn(Asker::new, Placement.shard(shard));
                var outcome = new CompletableFuture<Object>();
                asker.tell(new Asker.Ask(answerer, true, Duration.ofMillis(50), outcome));
                assertInstanceOf(TimeoutException.class, await(outcome), "asked from shard " + shard);
            }
        }
    }

    @Test
    void askPromiseNeedsAShardThread() {
        try (ActorSystem system = TestSystems.start(1)) {
            var answerer = system.spawn(Answerer::new, Placement.shard(0));
            assertThrows(IllegalStateException.class, () -> answerer.askPromise(Answerer.WhereAreYou::new, ASK_TIMEOUT));
        }
    }
}
