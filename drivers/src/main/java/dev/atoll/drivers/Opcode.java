package dev.atoll.drivers;

/**
 * What an {@link Operation} asks the kernel to do. The io module adds socket and file operations to
 * this list together with their implementations in every driver.
 */
public enum Opcode {
    /** Completes with 0 on the next poll; measures the driver's round trip. */
    NOP,
    /**
     * Waits until a descriptor the driver does not own is ready for {@link Operation#pollEvents()}
     * ({@link PollEvents} bits); completes with the ready bits. One-shot.
     */
    POLL
}
