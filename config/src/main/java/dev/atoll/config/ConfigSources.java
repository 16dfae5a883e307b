package dev.atoll.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The user-supplied layers above {@code application.conf}: an extra HOCON file ({@code --config FILE})
 * and command-line options, each option mapped to the configuration path it sets.
 *
 * @param file    the extra HOCON file, if any
 * @param options command-line options, highest precedence, in the order given
 */
public record ConfigSources(Optional<Path> file, List<Option> options) {

    /** One command-line option: the path it sets, the value as typed, and the option's name for errors. */
    public record Option(String path, String value, String name) { }

    public ConfigSources {
        options = List.copyOf(options);
    }

    /** No extra file and no options: {@code application.conf}, system properties and defaults only. */
    public static ConfigSources none() {
        return new ConfigSources(Optional.empty(), List.of());
    }

    public ConfigSources withFile(Path path) {
        return new ConfigSources(Optional.of(path), options);
    }

    /** Adds an option (later ones win over earlier ones for the same path). */
    public ConfigSources withOption(String path, String value, String name) {
        List<Option> all = new ArrayList<>(options);
        all.add(new Option(path, value, name));
        return new ConfigSources(file, all);
    }
}
