package dev.atoll.actors;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.ConfigReader;

import java.time.Duration;

/**
 * The typed settings of {@code atoll.actors}.
 *
 * @param throughput            messages one actor handles per turn
 * @param iterationBudget       messages all actors of a shard handle per loop iteration
 * @param supervision           the supervision of actors spawned without their own
 * @param deadLetterLogInterval at most one summary log line per shard per interval; zero = never
 */
public record ActorSettings(int throughput, int iterationBudget, Supervision supervision,
                            Duration deadLetterLogInterval) {

    /** The settings of {@code config}'s {@code atoll.actors} section. */
    public static ActorSettings from(AtollConfig config) {
        return read(config.reader());
    }

    /** The defaults of this module's {@code reference.conf}. */
    public static ActorSettings defaults() {
        return from(AtollConfig.defaults());
    }

    static ActorSettings read(ConfigReader r) {
        int maxRestarts = r.intIn("atoll.actors.supervision.max-restarts", 0, Integer.MAX_VALUE);
        Duration within = r.duration("atoll.actors.supervision.within", Duration.ofMillis(1), Duration.ofDays(1));
        Supervision supervision = switch (r.enumOf("atoll.actors.supervision.strategy", Supervision.Directive.class)) {
            case RESTART -> Supervision.restart(maxRestarts, within);
            case RESUME -> Supervision.resume();
            case STOP -> Supervision.stop();
            case ESCALATE -> Supervision.escalate();
        };
        return new ActorSettings(
                r.intIn("atoll.actors.throughput", 1, 1 << 20),
                r.intIn("atoll.actors.iteration-budget", 1, 1 << 24),
                supervision,
                r.duration("atoll.actors.dead-letters.log-interval", Duration.ZERO, Duration.ofHours(1)));
    }
}
