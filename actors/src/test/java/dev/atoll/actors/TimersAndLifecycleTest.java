package dev.atoll.actors;

import dev.atoll.shards.Promise;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static dev.atoll.actors.TestSystems.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TimersAndLifecycleTest {

    /**
     * Starts timers on request and records what they deliver. (The tests of delivery, cancelling and
     * restarts run on the test kit's manual clock: testkit's ported.ActorTimersTest.)
     */
    static final class Ticker extends Actor<Ticker.Msg> {
        sealed interface Msg {}
        record Once(String label, Duration delay) implements Msg {}
        record Every(String label, Duration interval) implements Msg {}
        record Tick(String label) implements Msg {}

        static final AtomicReference<WeakReference<Ticker>> latest = new AtomicReference<>();
        private final List<String> ticks;

        Ticker(List<String> ticks) {
            this.ticks = ticks;
            latest.set(new WeakReference<>(this));
        }

        @Override
        protected void receive(Msg msg) {
            switch (msg) {
                case Once(String label, Duration delay) -> context().startSingleTimer(label, new Tick(label), delay);
                case Every(String label, Duration interval) -> context().startTimerAtFixedRate(label, new Tick(label), interval);
                case Tick(String label) -> ticks.add(label);
            }
        }
    }

    @Test
    void aStoppedActorLeavesNoTimerAndNoMemory() throws InterruptedException {
        try (ActorSystem system = TestSystems.start(1)) {
            List<String> ticks = new CopyOnWriteArrayList<>();
            var ticker = system.spawn(() -> new Ticker(ticks), Placement.shard(0));
            ticker.tell(new Ticker.Every("every", Duration.ofMillis(2)));
            ticker.tell(new Ticker.Once("later", Duration.ofSeconds(5)));
            TestSystems.eventually("a tick", () -> !ticks.isEmpty());
            system.stop(ticker);
            await(system.terminationOf(ticker));
            Thread.sleep(30);
            assertEquals(0, system.deadLetters(), "no timer fired into the stopped actor");
            WeakReference<Ticker> instance = Ticker.latest.get();
            TestSystems.eventually("the instance is collected", () -> {
                System.gc();
                return instance.get() == null;
            });
            assertEquals(0, system.stats().getFirst().liveActors());
        }
    }

    /** Offloads blocking work and gets its result (or failure) back as a message. */
    static final class Piper extends Actor<Piper.Msg> {
        sealed interface Msg {}
        record Work(String input, CompletableFuture<String> out) implements Msg {}
        record Done(String result, CompletableFuture<String> out) implements Msg {}

        @Override
        protected void receive(Msg msg) {
            switch (msg) {
                case Work(String input, CompletableFuture<String> out) -> {
                    Promise<String> promise = context().shard().offload(() -> {
                        if (input.isEmpty()) {
                            throw new IllegalArgumentException("empty");
                        }
                        return input.toUpperCase();
                    });
                    context().pipeToSelf(promise, (value, failure) ->
                            new Done(failure != null ? "failed: " + failure.getMessage() : value, out));
                }
                case Done(String result, CompletableFuture<String> out) ->
                        out.complete(result + " on " + Thread.currentThread().getName());
            }
        }
    }

    @Test
    void pipeToSelfTurnsAPromiseIntoAMessage() {
        try (ActorSystem system = TestSystems.start(2)) {
            var piper = system.spawn(Piper::new, Placement.shard(1));
            var ok = new CompletableFuture<String>();
            var bad = new CompletableFuture<String>();
            piper.tell(new Piper.Work("abc", ok));
            piper.tell(new Piper.Work("", bad));
            assertEquals("ABC on atoll-shard-1", await(ok));
            assertEquals("failed: empty on atoll-shard-1", await(bad));
        }
    }
}
