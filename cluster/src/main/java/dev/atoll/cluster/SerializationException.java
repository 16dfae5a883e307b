package dev.atoll.cluster;

/** A message could not be serialized (at the sender) or deserialized (at the receiver); says which type and why. */
public final class SerializationException extends RuntimeException {
    /** An error with its explanation and its cause (may be null). */
    public SerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
