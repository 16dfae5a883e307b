package dev.atoll.testkit;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorRef;
import dev.atoll.actors.Placement;
import dev.atoll.config.DriverKind;
import dev.atoll.shards.Shard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Timers on the manual clock fire when it is advanced past them, never before, without sleeping; on every driver. */
@ParameterizedClass
@MethodSource("dev.atoll.testkit.AtollTestKit#drivers")
class ManualClockTest {
    private static final Duration SHORT = Duration.ofMillis(200);

    @RegisterExtension
    final AtollTestKit kit;

    ManualClockTest(DriverKind driver) {
        kit = AtollTestKit.create().shards(2).driver(driver).withManualClock();
    }

    /** Starts the timers it is told to; each tick goes to the probe. */
    static final class Alarm extends Actor<Alarm.Msg> {
        sealed interface Msg { }
        record Once(String label, Duration delay) implements Msg { }
        record Every(String label, Duration interval) implements Msg { }
        record Tick(String label) implements Msg { }

        private final ActorRef<String> ticks;

        Alarm(ActorRef<String> ticks) {
            this.ticks = ticks;
        }

        @Override
        protected void receive(Msg msg) {
            switch (msg) {
                case Once(String label, Duration delay) -> context().startSingleTimer(label, new Tick(label), delay);
                case Every(String label, Duration interval) -> context().startTimerAtFixedRate(label, new Tick(label), interval);
                case Tick(String label) -> ticks.tell(label);
            }
        }
    }

    private ActorRef<Alarm.Msg> alarmReportingTo(TestProbe<String> ticks) {
        ActorRef<Alarm.Msg> alarm = kit.spawn(() -> new Alarm(ticks.ref()), Placement.shard(1));
        kit.ask(alarm, r -> {
            r.send(null);            // nothing to ask: the answer only says the actor is up
            return new Alarm.Tick("up");
        });
        ticks.expectMessage("up");
        return alarm;
    }

    @Test
    void aSingleTimerFiresOnlyOnceTheClockPassesItsDelay() {
        TestProbe<String> ticks = kit.probe();
        ActorRef<Alarm.Msg> alarm = alarmReportingTo(ticks);
        alarm.tell(new Alarm.Once("in an hour", Duration.ofHours(1)));
        kit.onShard(1, () -> null);   // the timer is set
        kit.clock().advance(Duration.ofMinutes(59));
        ticks.expectNoMessage(SHORT);
        kit.clock().advance(Duration.ofMinutes(1));
        ticks.expectMessage("in an hour");
        kit.clock().advance(Duration.ofHours(5));
        ticks.expectNoMessage(SHORT);
    }

    @Test
    void aPeriodicTimerFiresOncePerPeriodPassedEvenInOneAdvance() {
        TestProbe<String> ticks = kit.probe();
        ActorRef<Alarm.Msg> alarm = alarmReportingTo(ticks);
        alarm.tell(new Alarm.Every("tick", Duration.ofSeconds(10)));
        kit.onShard(1, () -> null);
        kit.clock().advance(Duration.ofSeconds(35));
        ticks.expectMessage("tick");
        ticks.expectMessage("tick");
        ticks.expectMessage("tick");
        ticks.expectNoMessage(SHORT);
        kit.clock().advance(Duration.ofSeconds(5));
        ticks.expectMessage("tick");
    }

    @Test
    void theShardsTellTheManualTime() {
        kit.clock().advance(Duration.ofDays(3));
        assertEquals(Duration.ofDays(3), kit.clock().elapsed());
        assertEquals(Duration.ofDays(3).toNanos(), kit.onShard(1, () -> Shard.current().nanoTime()));
        assertThrows(IllegalArgumentException.class, () -> kit.clock().advance(Duration.ofSeconds(-1)));
    }

    @Test
    void aKitOnRealTimeHasNoManualClock() {
        try (AtollTestKit real = AtollTestKit.create().shards(1).start()) {
            assertThrows(IllegalStateException.class, real::clock);
        }
    }
}
