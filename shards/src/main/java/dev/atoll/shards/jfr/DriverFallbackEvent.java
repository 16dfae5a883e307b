package dev.atoll.shards.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * The runtime runs another I/O driver than the one it would prefer: {@code atoll.driver = auto} found
 * io_uring unavailable, or a shard could not set up its ring and every shard started on epoll.
 */
@Name("dev.atoll.DriverFallback")
@Label("Driver Fallback")
@Category("Atoll")
@Description("The shards run a fallback I/O driver instead of the preferred one")
public final class DriverFallbackEvent extends Event {
    @Label("Preferred")
    String preferred;

    @Label("Used")
    String used;

    @Label("Reason")
    String reason;

    private DriverFallbackEvent() {
    }

    /** Commits one fallback if a recording wants it. */
    public static void emit(String preferred, String used, String reason) {
        if (!AtollEvents.recording()) {
            return;
        }
        DriverFallbackEvent event = new DriverFallbackEvent();
        if (event.shouldCommit()) {
            event.preferred = preferred;
            event.used = used;
            event.reason = reason;
            event.commit();
        }
    }
}
