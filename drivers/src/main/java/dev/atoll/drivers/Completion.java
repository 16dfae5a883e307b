package dev.atoll.drivers;

/** Flags passed to {@link Operation#complete(int, int)}. */
public final class Completion {
    /** More completions will follow for the same operation (multishot); it is still owned by the driver. */
    public static final int MORE = 1;
    /** The kernel filled one of the registered receive buffers; {@link #bufferId(int)} says which. */
    public static final int BUFFER = 2;
    /** The operation's {@link Operation#timeoutNanos(long) time limit} passed and the kernel cancelled it. */
    public static final int TIMED_OUT = 4;
    private static final int BUFFER_ID_SHIFT = 16;

    private Completion() {
    }

    /** True when this completion is not the operation's last. */
    public static boolean hasMore(int flags) {
        return (flags & MORE) != 0;
    }

    /** True when this completion carries a registered receive buffer. */
    public static boolean hasBuffer(int flags) {
        return (flags & BUFFER) != 0;
    }

    /** True when the operation's own time limit ended it (see {@link Operation#timeoutNanos(long)}). */
    public static boolean timedOut(int flags) {
        return (flags & TIMED_OUT) != 0;
    }

    /** The id of the registered receive buffer of a completion with {@link #BUFFER}. */
    public static int bufferId(int flags) {
        return flags >>> BUFFER_ID_SHIFT;
    }

    /** The flags of a completion carrying receive buffer {@code id}. */
    public static int withBuffer(int flags, int id) {
        return flags | BUFFER | (id << BUFFER_ID_SHIFT);
    }
}
