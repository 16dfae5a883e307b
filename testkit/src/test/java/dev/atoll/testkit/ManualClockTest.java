package dev.atoll.testkit;

import dev.atoll.actors.ActorRef;
import dev.atoll.actors.Placement;
import dev.atoll.actors.Reply;
import dev.atoll.config.DriverKind;
import dev.atoll.shards.Shard;
import dev.atoll.testkit.ported.Ticker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** A ticker on shard 1 reporting to {@code ticks} on shard 0, with the timer {@code label} started. */
    private ActorRef<Ticker.Msg> tickerWith(TestProbe<String> ticks, Ticker.Msg start, String label) {
        ActorRef<Ticker.Msg> ticker = kit.spawn(() -> new Ticker(ticks.ref()), Placement.shard(1));
        ticker.tell(start);
        assertTrue(kit.ask(ticker, (Reply<Boolean> r) -> new Ticker.Active(label, r)), "the timer is set");
        return ticker;
    }

    @Test
    void aSingleTimerFiresOnlyOnceTheClockPassesItsDelay() {
        TestProbe<String> ticks = kit.probe();
        tickerWith(ticks, new Ticker.Once("in an hour", Duration.ofHours(1)), "in an hour");
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
        tickerWith(ticks, new Ticker.Every("tick", Duration.ofSeconds(10)), "tick");
        kit.clock().advance(Duration.ofSeconds(35));
        ticks.expectMessage("tick");
        ticks.expectMessage("tick");
        ticks.expectMessage("tick");
        ticks.expectNoMessage(SHORT);
        kit.clock().advance(Duration.ofSeconds(5));
        ticks.expectMessage("tick");
    }

    /**
     * What a timer due by the new time sends is on its way before {@code advance} returns, so it comes
     * before anything sent after: advance after advance, as a loop of tests runs them. (The shard can take
     * two of the clock's round trips in one loop iteration; an advance that took that for the end of the
     * iteration's timer step returned before the timer fired, here within a few hundred advances.)
     */
    @Test
    void whatADueTimerSendsComesBeforeAnythingSentAfterTheAdvance() {
        TestProbe<String> ticks = kit.probe();
        for (int advance = 0; advance < 2_000; advance++) {
            ActorRef<Ticker.Msg> ticker = tickerWith(ticks, new Ticker.Once("due", Duration.ofMinutes(1)), "due");
            kit.clock().advance(Duration.ofMinutes(1));
            ticker.tell(new Ticker.Tick("after the advance"));
            assertEquals("due", ticks.receiveMessage(), "advance " + advance);
            assertEquals("after the advance", ticks.receiveMessage(), "advance " + advance);
        }
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
