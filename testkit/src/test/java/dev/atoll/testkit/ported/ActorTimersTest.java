package dev.atoll.testkit.ported;

import dev.atoll.actors.ActorRef;
import dev.atoll.actors.Placement;
import dev.atoll.actors.Reply;
import dev.atoll.config.DriverKind;
import dev.atoll.testkit.AtollTestKit;
import dev.atoll.testkit.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Actor timers (actors' own tests, ported to the test kit): on the manual clock every tick is counted
 * exactly, and "no tick after a cancel or a restart" needs no sleep.
 */
@ParameterizedClass
@MethodSource("dev.atoll.testkit.AtollTestKit#drivers")
class ActorTimersTest {
    private static final Duration QUIET = Duration.ofMillis(100);

    @RegisterExtension
    final AtollTestKit kit;

    ActorTimersTest(DriverKind driver) {
        kit = AtollTestKit.create().shards(1).driver(driver).withManualClock();
    }

    private boolean active(ActorRef<Ticker.Msg> ticker, String label) {
        return kit.ask(ticker, (Reply<Boolean> r) -> new Ticker.Active(label, r));
    }

    @Test
    void singleAndPeriodicTimersDeliverAndCancel() {
        TestProbe<String> ticks = kit.probe();
        var ticker = kit.spawn(() -> new Ticker(ticks.ref()), Placement.shard(0));
        ticker.tell(new Ticker.Once("once", Duration.ofMillis(5)));
        ticker.tell(new Ticker.Every("every", Duration.ofMillis(5)));
        assertTrue(active(ticker, "once") && active(ticker, "every"));
        kit.clock().advance(Duration.ofMillis(15));
        ticks.expectMessage("once");          // due with the first periodic tick, and scheduled before it
        ticks.expectMessage("every");
        ticks.expectMessage("every");
        ticks.expectMessage("every");
        ticks.expectNoMessage(QUIET);
        assertTrue(!active(ticker, "once") && active(ticker, "every"));
        ticker.tell(new Ticker.Cancel("every"));
        assertFalse(active(ticker, "every"));
        kit.clock().advance(Duration.ofMillis(50));
        ticks.expectNoMessage(QUIET);
    }

    @Test
    void aRestartCancelsTheOldInstancesTimers() {
        TestProbe<String> ticks = kit.probe();
        var ticker = kit.spawn(() -> new Ticker(ticks.ref()), Placement.shard(0));
        ticker.tell(new Ticker.Every("every", Duration.ofMillis(2)));
        assertTrue(active(ticker, "every"));
        kit.clock().advance(Duration.ofMillis(2));
        ticks.expectMessage("every");
        ticker.tell(new Ticker.Fail());
        assertFalse(active(ticker, "every"), "the restarted instance has no timer");
        kit.clock().advance(Duration.ofMillis(20));
        ticks.expectNoMessage(QUIET);
    }
}
