package dev.atoll.config;

/**
 * A setting that cannot be used: names the path, the value found, what was expected and where the
 * value came from (file and line, or "system properties", or the command-line option).
 */
public final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final String value;
    private final String expected;
    private final String origin;

    public InvalidConfigException(String path, String value, String expected, String origin) {
        super("Invalid setting " + path + " = " + value + " (" + origin + "): expected " + expected);
        this.path = path;
        this.value = value;
        this.expected = expected;
        this.origin = origin;
    }

    /** A problem that is not about one value, such as an unreadable file. */
    public InvalidConfigException(String message, Throwable cause) {
        super(message, cause);
        this.path = "";
        this.value = "";
        this.expected = "";
        this.origin = "";
    }

    /** The full path of the offending setting, e.g. {@code atoll.mesh.queue-capacity}. */
    public String path() {
        return path;
    }

    /** The value as written (rendered HOCON). */
    public String value() {
        return value;
    }

    /** What would have been accepted. */
    public String expected() {
        return expected;
    }

    /** Where the value came from: {@code file: line}, {@code system properties}, a command-line option. */
    public String origin() {
        return origin;
    }
}
