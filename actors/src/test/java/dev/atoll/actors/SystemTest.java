package dev.atoll.actors;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SystemTest {

    /** Keeps itself busy forever by telling itself; counts its stops. */
    static final class Busy extends Actor<Integer> {
        static final AtomicInteger stops = new AtomicInteger();

        @Override
        protected void preStart() {
            self().tell(0);
        }

        @Override
        protected void receive(Integer n) {
            self().tell(n + 1);
        }

        @Override
        protected void postStop() {
            stops.incrementAndGet();
        }
    }

    @Test
    void closingStopsBusyActorsAndRunsTheirPostStop() {
        Busy.stops.set(0);
        ActorSystem system = TestSystems.start(2);
        for (int i = 0; i < 100; i++) {
            system.spawn(Busy::new, Placement.roundRobin());
        }
        var loaded = system.spawn(DeadLettersTest.Sink::new, Placement.shard(1));
        for (int i = 0; i < 100_000; i++) {
            loaded.tell("m" + i);
        }
        TestSystems.eventually("busy", () -> system.stats().stream().mapToLong(ActorStats::handled).sum() > 10_000);
        long start = System.nanoTime();
        system.close();
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "close does not wait for the mailboxes");
        assertEquals(100, Busy.stops.get());
        assertEquals(0, system.stats().stream().mapToLong(ActorStats::liveActors).sum());
        loaded.tell("after close");   // refused, never thrown
        assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> system.spawn(Busy::new));
    }

    @Test
    void settingsComeFromAtollActors() {
        ActorSettings defaults = ActorSettings.defaults();
        assertEquals(64, defaults.throughput());
        assertEquals(4096, defaults.iterationBudget());
        assertEquals(10, defaults.supervision().maxRestarts());
        ActorSettings custom = ActorSettings.from(AtollConfig.parse(
                "atoll.actors { throughput = 5, supervision { strategy = stop } }", "test"));
        assertEquals(5, custom.throughput());
        assertEquals(0, custom.supervision().maxRestarts());
    }

    @Test
    void aBadSettingNamesKeyValueAndOrigin() {
        var e = assertThrows(InvalidConfigException.class,
                () -> ActorSettings.from(AtollConfig.parse("atoll.actors.throughput = lots", "app.conf")));
        assertEquals("atoll.actors.throughput", e.path());
        assertTrue(e.getMessage().contains("\"lots\"") && e.getMessage().contains("app.conf"), e.getMessage());
        var typo = assertThrows(InvalidConfigException.class,
                () -> AtollConfig.parse("atoll.actors.througput = 3", "app.conf"));
        assertTrue(typo.getMessage().contains("did you mean atoll.actors.throughput"), typo.getMessage());
        var strategy = assertThrows(InvalidConfigException.class,
                () -> ActorSettings.from(AtollConfig.parse("atoll.actors.supervision.strategy = retry", "app.conf")));
        assertTrue(strategy.getMessage().contains("one of resume, restart, stop, escalate"), strategy.getMessage());
    }

    /** An idle actor with no fields of its own. */
    static final class Idle extends Actor<Object> {
        @Override
        protected void receive(Object message) {
        }
    }

    @Test
    void anIdleActorCostsAtMost200Bytes() {
        int n = Integer.getInteger("atolltest.actors.memory", 1_000_000);
        try (ActorSystem system = TestSystems.start(1)) {
            ActorFootprint footprint = ActorFootprint.measure(system, Idle::new, n);
            System.out.printf("%,d idle actors: %.1f bytes each (never messaged), %.1f after one message%n",
                    n, footprint.bytesPerActor(), footprint.bytesPerActorAfterOneMessage());
            assertTrue(footprint.bytesPerActor() <= 200, footprint.toString());
            assertTrue(footprint.bytesPerActorAfterOneMessage() <= 200, footprint.toString());
        }
    }
}
