package dev.atoll.testkit.ported;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorRef;
import dev.atoll.actors.Reply;

import java.time.Duration;

/** Starts timers on request and reports what they deliver to a probe (ActorTimersTest, ManualClockTest). */
public final class Ticker extends Actor<Ticker.Msg> {
    /** What it does. */
    public sealed interface Msg { }
    /** Starts a single timer. */
    public record Once(String label, Duration delay) implements Msg { }
    /** Starts a fixed-rate timer. */
    public record Every(String label, Duration interval) implements Msg { }
    /** Cancels a timer. */
    public record Cancel(String label) implements Msg { }
    /** What a timer delivers: reported to the probe. */
    public record Tick(String label) implements Msg { }
    /** Asks whether a timer is active. */
    public record Active(String label, Reply<Boolean> reply) implements Msg { }
    /** Fails, for a restart. */
    public record Fail() implements Msg { }

    private final ActorRef<String> ticks;

    public Ticker(ActorRef<String> ticks) {
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
