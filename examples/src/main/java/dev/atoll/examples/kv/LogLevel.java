package dev.atoll.examples.kv;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Redis's {@code loglevel} as the level of logback's root logger, which every log line of the process goes
 * through: {@code debug} is TRACE, {@code verbose} DEBUG, {@code notice} INFO (logback.xml's), {@code warning}
 * WARN. CONFIG GET reads the root logger's level back (a level between them shows as the next one up), CONFIG SET
 * sets it; the start keeps what the logging configuration says.
 */
final class LogLevel {
    /** Redis 7.0's names, in its order, and the logback level each stands for. */
    private static final String[] NAMES = {"debug", "verbose", "notice", "warning"};
    private static final Level[] LEVELS = {Level.TRACE, Level.DEBUG, Level.INFO, Level.WARN};

    private LogLevel() {
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    /** What CONFIG GET loglevel shows. */
    static String current() {
        Level level = root().getEffectiveLevel();
        for (int i = 0; i < LEVELS.length; i++) {
            if (level.toInt() <= LEVELS[i].toInt()) {
                return NAMES[i];
            }
        }
        return NAMES[NAMES.length - 1];
    }

    /** The logback level for {@code value}; throws with Redis's reason when it is not one of Redis's names. */
    static Level parse(String value) {
        String name = value.toLowerCase(Locale.ROOT);
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return LEVELS[i];
            }
        }
        throw new IllegalArgumentException("argument(s) must be one of the following: " + String.join(", ", NAMES));
    }

    /** CONFIG SET loglevel, once every parameter of the command was accepted. */
    static void set(Level level) {
        root().setLevel(level);
    }
}
