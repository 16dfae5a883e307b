package dev.atoll.drivers;

/** Readiness bits of {@link Opcode#POLL}, the same on every driver (each maps them to its own constants). */
public final class PollEvents {
    public static final int READABLE = 1;
    public static final int WRITABLE = 2;
    /** Hang-up or error on the descriptor (always reported, never needs to be asked for). */
    public static final int HANGUP = 4;

    private PollEvents() {
    }
}
