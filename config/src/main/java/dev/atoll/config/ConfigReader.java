package dev.atoll.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reads typed values from a validated configuration and turns every bad value into an
 * {@link InvalidConfigException} that names the path, the value, the expected form and the origin.
 * Modules use it to build their own settings records from their section.
 */
public final class ConfigReader {
    private final Config config;

    public ConfigReader(Config config) {
        this.config = config;
    }

    /** The underlying configuration (already merged and resolved). */
    public Config config() {
        return config;
    }

    public boolean bool(String path) {
        ConfigValue value = value(path);
        if (value.valueType() == ConfigValueType.BOOLEAN) {
            return (Boolean) value.unwrapped();
        }
        if (value.valueType() == ConfigValueType.STRING) {
            switch (((String) value.unwrapped()).toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> { return true; }
                case "false", "no", "off" -> { return false; }
                default -> { }
            }
        }
        throw invalid(path, value, "a boolean (true or false)");
    }

    public int intIn(String path, int min, int max) {
        return (int) longIn(path, min, max);
    }

    public long longIn(String path, long min, long max) {
        ConfigValue value = value(path);
        long result;
        try {
            result = config.getLong(path);
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw invalid(path, value, "an integer from " + min + " to " + max);
        }
        if (result < min || result > max) {
            throw invalid(path, value, "an integer from " + min + " to " + max);
        }
        return result;
    }

    /** A size in bytes, written as a number or with a unit ({@code 64KiB}, {@code 4MiB}). */
    public long bytes(String path, long min, long max) {
        ConfigValue value = value(path);
        long result;
        try {
            result = config.getBytes(path);
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw invalid(path, value, "a size such as 512, 64KiB or 4MiB, from " + min + " to " + max + " bytes");
        }
        if (result < min || result > max) {
            throw invalid(path, value, "a size from " + min + " to " + max + " bytes");
        }
        return result;
    }

    /** A string that is not blank, such as a host name. */
    public String nonBlankString(String path) {
        ConfigValue value = value(path);
        if (value.valueType() == ConfigValueType.STRING && !((String) value.unwrapped()).isBlank()) {
            return ((String) value.unwrapped()).trim();
        }
        throw invalid(path, value, "a non-empty string");
    }

    /** A positive count, or the word {@code auto} (returned as 0). */
    public int countOrAuto(String path, int min, int max) {
        ConfigValue value = value(path);
        if (value.valueType() == ConfigValueType.STRING
                && "auto".equalsIgnoreCase(((String) value.unwrapped()).trim())) {
            return 0;
        }
        try {
            long n = config.getLong(path);
            if (n >= min && n <= max) {
                return (int) n;
            }
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            // fall through to the common message
        }
        throw invalid(path, value, "auto or an integer from " + min + " to " + max);
    }

    public Duration duration(String path, Duration min, Duration max) {
        ConfigValue value = value(path);
        Duration result;
        try {
            result = config.getDuration(path);
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw invalid(path, value, "a duration such as 500us, 10ms or 2s, from " + min + " to " + max);
        }
        if (result.compareTo(min) < 0 || result.compareTo(max) > 0) {
            throw invalid(path, value, "a duration from " + min + " to " + max);
        }
        return result;
    }

    /**
     * An enum constant written in kebab-case ({@code user-interactive} for {@code USER_INTERACTIVE});
     * underscores are accepted too.
     */
    public <E extends Enum<E>> E enumOf(String path, Class<E> type) {
        ConfigValue value = value(path);
        if (value.valueType() == ConfigValueType.STRING) {
            String written = ((String) value.unwrapped()).trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(written)) {
                    return constant;
                }
            }
        }
        String choices = Arrays.stream(type.getEnumConstants())
                .map(ConfigReader::kebab)
                .collect(Collectors.joining(", "));
        throw invalid(path, value, "one of " + choices);
    }

    /** The kebab-case spelling of an enum constant, as written in configuration files. */
    public static String kebab(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The exception for a value that was read but failed a rule only the caller knows. */
    public InvalidConfigException invalid(String path, String expected) {
        return invalid(path, value(path), expected);
    }

    private ConfigValue value(String path) {
        try {
            return config.getValue(path);
        } catch (ConfigException.Missing e) {
            throw new InvalidConfigException(path, "(missing)", "a value (no reference.conf defines a default)",
                    "nowhere");
        } catch (ConfigException.BadPath e) {
            throw new InvalidConfigException(path, "(bad path)", "a valid path", "nowhere");
        }
    }

    private static InvalidConfigException invalid(String path, ConfigValue value, String expected) {
        return new InvalidConfigException(path, value.render(), expected, describe(value.origin()));
    }

    /** Where a value came from, as a person would look for it: {@code file: line}. */
    public static String describe(ConfigOrigin origin) {
        String where;
        if (origin.filename() != null) {
            where = origin.filename();
        } else if (origin.resource() != null) {
            where = origin.resource();
        } else if (origin.url() != null) {
            where = origin.url().toString();
        } else {
            return origin.description();
        }
        return origin.lineNumber() >= 0 ? where + ":" + origin.lineNumber() : where;
    }
}
