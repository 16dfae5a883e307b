package dev.atoll.cluster;

/** A cluster operation failed: the membership store is unreachable, a node is down, and the like. */
public final class ClusterException extends RuntimeException {
    /** An error with its explanation. */
    public ClusterException(String message) {
        super(message);
    }

    /** An error with its explanation and its cause. */
    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
