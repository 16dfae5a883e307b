package dev.atoll.drivers;

/** Flags passed to {@link Operation#complete(int, int)}. */
public final class Completion {
    /** More completions will follow for the same operation (multishot); it is still owned by the driver. */
    public static final int MORE = 1;

    private Completion() {
    }

    /** True when this completion is not the operation's last. */
    public static boolean hasMore(int flags) {
        return (flags & MORE) != 0;
    }
}
