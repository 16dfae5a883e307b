package dev.atoll.examples;

/** A command line that cannot be used: the message names the option and the value. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
