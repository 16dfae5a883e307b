package dev.atoll.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Atoll's configuration: the layers merged in the order of the contract (command-line options over
 * {@code -D} system properties over {@code --config FILE} over {@code application.conf} over every
 * module's {@code reference.conf}), checked for unknown keys under {@code atoll}, and read into
 * {@link AtollSettings}. Any problem is an {@link InvalidConfigException} at load time.
 */
public final class AtollConfig {
    private static final String ROOT = "atoll";

    private final Config config;
    private final AtollSettings settings;

    private AtollConfig(Config config) {
        this.config = config;
        this.settings = AtollSettings.read(new ConfigReader(config));
    }

    /** Loads {@code application.conf}, system properties and defaults. */
    public static AtollConfig load() {
        return load(ConfigSources.none());
    }

    /** Loads every layer, with the given file and command-line options on top. */
    public static AtollConfig load(ConfigSources sources) {
        ClassLoader loader = AtollConfig.class.getClassLoader();
        Config reference = ConfigFactory.defaultReference(loader);
        Config application = ConfigFactory.parseResourcesAnySyntax(loader, "application");
        Config file = sources.file().map(AtollConfig::parseFile).orElse(ConfigFactory.empty());
        // Not ConfigFactory.systemProperties(): it caches the first snapshot, so a property set
        // after any earlier load (a test, an embedding application) would be ignored.
        Config system = ConfigFactory.parseProperties((Properties) System.getProperties().clone(),
                ConfigParseOptions.defaults().setOriginDescription("system properties"));
        Config options = ConfigFactory.empty();
        for (ConfigSources.Option option : sources.options()) {
            options = options.withValue(option.path(),
                    ConfigValueFactory.fromAnyRef(option.value(), "command-line option " + option.name()));
        }
        return merge(options.withFallback(system).withFallback(file).withFallback(application), reference);
    }

    /**
     * Builds a configuration from HOCON text laid over the defaults only (no application.conf, no
     * system properties): for tests and embedded use.
     */
    public static AtollConfig parse(String hocon, String originDescription) {
        Config user = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription(originDescription));
        return merge(user, ConfigFactory.defaultReference(AtollConfig.class.getClassLoader()));
    }

    /** The defaults of every module on the class path. */
    public static AtollConfig defaults() {
        return merge(ConfigFactory.empty(), ConfigFactory.defaultReference(AtollConfig.class.getClassLoader()));
    }

    private static AtollConfig merge(Config user, Config reference) {
        Config merged;
        try {
            merged = user.withFallback(reference).resolve();
        } catch (ConfigException e) {
            throw new InvalidConfigException("Configuration cannot be resolved: " + e.getMessage(), e);
        }
        rejectUnknownKeys(merged, reference);
        return new AtollConfig(merged);
    }

    private static Config parseFile(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new InvalidConfigException("Configuration file " + path.toAbsolutePath()
                    + " (given with --config) does not exist or is not a file", null);
        }
        try {
            return ConfigFactory.parseFile(path.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new InvalidConfigException("Configuration file " + path.toAbsolutePath()
                    + " cannot be parsed: " + e.getMessage(), e);
        }
    }

    /** A typo under {@code atoll} must not pass silently: every key must be defined by some reference.conf. */
    private static void rejectUnknownKeys(Config merged, Config reference) {
        if (!merged.hasPath(ROOT)) {
            return;
        }
        List<String> known = reference.hasPath(ROOT)
                ? reference.getConfig(ROOT).entrySet().stream().map(e -> ROOT + "." + e.getKey()).toList()
                : List.of();
        List<Map.Entry<String, ConfigValue>> entries = new ArrayList<>(merged.getConfig(ROOT).entrySet());
        entries.sort(Map.Entry.comparingByKey());
        for (Map.Entry<String, ConfigValue> entry : entries) {
            String path = ROOT + "." + entry.getKey();
            if (!reference.hasPathOrNull(path) && !underLeaf(reference, path)) {
                String hint = closest(path, known).map(k -> "a key defined by a reference.conf (did you mean " + k + "?)")
                        .orElse("a key defined by a reference.conf");
                throw new InvalidConfigException(path, entry.getValue().render(), hint,
                        ConfigReader.describe(entry.getValue().origin()));
            }
        }
    }

    /** True when a parent of the path is itself a leaf in the reference (a wrong type, reported when read). */
    private static boolean underLeaf(Config reference, String path) {
        for (int dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) {
            String parent = path.substring(0, dot);
            if (reference.hasPathOrNull(parent)) {
                try {
                    reference.getConfig(parent);
                    return false;
                } catch (ConfigException.WrongType e) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Optional<String> closest(String path, List<String> known) {
        return known.stream()
                .map(k -> Map.entry(k, editDistance(path, k)))
                .filter(e -> e.getValue() <= Math.max(2, path.length() / 5))
                .min(Comparator.comparingInt(Map.Entry::getValue))
                .map(Map.Entry::getKey);
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** The foundation's typed settings. */
    public AtollSettings settings() {
        return settings;
    }

    /** A reader over the whole merged configuration, for modules with their own sections. */
    public ConfigReader reader() {
        return new ConfigReader(config);
    }

    /** The merged, resolved, validated configuration. */
    public Config config() {
        return config;
    }
}
