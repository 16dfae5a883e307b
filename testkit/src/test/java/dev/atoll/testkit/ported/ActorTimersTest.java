package dev.atoll.testkit.ported;

import dev.atoll.actors.Actor;
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

    /** Starts timers on request and reports what they deliver. */
    static final class Ticker extends Actor<Ticker.Msg> {
        sealed interface Msg { }
        record Once(String label, Duration delay) implements Msg { }
        record Every(String label, Duration interval) implements Msg { }
        record Cancel(String label) implements Msg { }
        record Tick(String label) implements Msg { }
        record Active(String label, Reply<Boolean> reply) implements Msg { }
        record Fail() implements Msg { }

        private final ActorRef<String> ticks;

        Ticker(ActorRef<String> ticks) {
            this.ticks = ticks;
        }

        @Override
        protected void receive(Msg msg) {
            switch (msg) {
                case Once(String label, Duration delay) -> context().startSingleTimer(label, new Tick(label), delay);
                case Every(String label, Duration interval) -> context().startTimerAtFixedRate(label, new Tick(label), interval);
                case Cancel(String label) -> context().cancelTimer(label);
                case Tick(String label) -> ticks.tell(label);
                case Active(String label, Reply<Boolean> reply) -> reply.send(context().isTimerActive(label));
                case Fail() -> throw new IllegalStateException("restart me");
            }
        }
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
