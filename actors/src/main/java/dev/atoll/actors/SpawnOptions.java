package dev.atoll.actors;

import java.util.Objects;

/**
 * Optional settings of one spawn: a name, unique in the system (see {@link ActorSystem#lookup}), and
 * the supervision (null = the configured default).
 *
 * @param name        the name, or null for none
 * @param supervision how failures are handled, or null for {@code atoll.actors.supervision}
 */
public record SpawnOptions(String name, Supervision supervision) {

    /** No name, default supervision. */
    public static final SpawnOptions DEFAULT = new SpawnOptions(null, null);

    public SpawnOptions {
        if (name != null && name.isBlank()) {
            throw new IllegalArgumentException("an actor name must not be blank");
        }
    }

    /** A named actor with the default supervision. */
    public static SpawnOptions named(String name) {
        return new SpawnOptions(Objects.requireNonNull(name, "name"), null);
    }

    /** An unnamed actor with this supervision. */
    public static SpawnOptions supervised(Supervision supervision) {
        return new SpawnOptions(null, Objects.requireNonNull(supervision, "supervision"));
    }

    /** These options with {@code supervision}. */
    public SpawnOptions withSupervision(Supervision supervision) {
        return new SpawnOptions(name, Objects.requireNonNull(supervision, "supervision"));
    }
}
