package dev.atoll.drivers;

/** A driver that was asked for cannot run on this machine; the message says why and what to do. */
public final class DriverUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DriverUnavailableException(String message) {
        super(message);
    }

    public DriverUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
