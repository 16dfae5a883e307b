/**
 * Atoll's configuration: HOCON layers, validation (unknown keys under {@code atoll} are errors) and
 * typed, immutable settings.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})   // Typesafe Config has only an Automatic-Module-Name
module dev.atoll.config {
    requires transitive typesafe.config;   // AtollConfig.config() and ConfigReader hand out its Config
    exports dev.atoll.config;
}
