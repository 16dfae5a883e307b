package dev.atoll.actors;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * What happens to an actor when its {@code receive}, its factory or its {@code preStart} throws:
 * a {@link Directive} chosen for the failure, and a limit on restarts within a time window. Past the
 * limit the failure escalates to the parent (the actor that spawned it; for top-level actors, the
 * guardian of their shard, which logs it). Given per actor with {@link SpawnOptions#supervision};
 * the default comes from {@code atoll.actors.supervision}.
 *
 * <pre>{@code
 * Supervision.restart(3, Duration.ofSeconds(10))                 // at most 3 restarts within 10 s
 * Supervision.deciding(e -> e instanceof IllegalArgumentException ? Directive.RESUME : Directive.RESTART,
 *                      5, Duration.ofMinutes(1))
 * }</pre>
 */
public final class Supervision {

    /** The reaction to one failure. */
    public enum Directive {
        /** Drop the message that failed and go on with the same instance and its state. */
        RESUME,
        /** Replace the instance with a fresh one from the factory; the mailbox is kept. */
        RESTART,
        /** Stop the actor: {@code postStop}, watchers told, the mailbox becomes dead letters. */
        STOP,
        /** Stop the actor and fail its parent with an {@link EscalatedFailure}. */
        ESCALATE
    }

    private final Function<? super Throwable, Directive> decider;
    private final int maxRestarts;
    private final long withinNanos;

    private Supervision(Function<? super Throwable, Directive> decider, int maxRestarts, Duration within) {
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts must not be negative: " + maxRestarts);
        }
        if (within.isNegative() || within.isZero()) {
            throw new IllegalArgumentException("the restart window must be positive: " + within);
        }
        this.decider = Objects.requireNonNull(decider, "decider");
        this.maxRestarts = maxRestarts;
        this.withinNanos = within.toNanos();
    }

    /** Restart on every failure, at most {@code maxRestarts} times within {@code within}; then escalate. */
    public static Supervision restart(int maxRestarts, Duration within) {
        return new Supervision(failure -> Directive.RESTART, maxRestarts, within);
    }

    /** Resume on every failure (the failing message is dropped). */
    public static Supervision resume() {
        return new Supervision(failure -> Directive.RESUME, 0, Duration.ofSeconds(1));
    }

    /** Stop on the first failure. */
    public static Supervision stop() {
        return new Supervision(failure -> Directive.STOP, 0, Duration.ofSeconds(1));
    }

    /** Escalate the first failure to the parent. */
    public static Supervision escalate() {
        return new Supervision(failure -> Directive.ESCALATE, 0, Duration.ofSeconds(1));
    }

    /** Choose per failure; restarts are limited to {@code maxRestarts} within {@code within}, then escalate. */
    public static Supervision deciding(Function<? super Throwable, Directive> decider, int maxRestarts, Duration within) {
        return new Supervision(decider, maxRestarts, within);
    }

    /** The directive for {@code failure}; a decider that throws or returns null counts as {@link Directive#STOP}. */
    Directive decide(Throwable failure) {
        try {
            Directive d = decider.apply(failure);
            return d == null ? Directive.STOP : d;
        } catch (RuntimeException e) {
            e.addSuppressed(failure);
            return Directive.STOP;
        }
    }

    /** Restarts allowed within one window. */
    public int maxRestarts() {
        return maxRestarts;
    }

    /** The window's length in nanoseconds. */
    long withinNanos() {
        return withinNanos;
    }

    @Override
    public String toString() {
        return "Supervision(maxRestarts=" + maxRestarts + ", within=" + Duration.ofNanos(withinNanos) + ")";
    }
}
