package dev.atoll.io.jfr;

import dev.atoll.drivers.ffi.Errno;
import dev.atoll.shards.jfr.AtollEvents;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * The kernel reported an error for an I/O operation (a refused connect, a reset, a failed file
 * write): one per {@link dev.atoll.io.IoException} that carries an error number.
 */
@Name("dev.atoll.IoError")
@Label("I/O Error")
@Category("Atoll")
@Description("An I/O operation failed with an error number from the kernel")
public final class IoErrorEvent extends Event {
    @Label("Operation")
    String operation;

    @Label("Errno")
    int errno;

    @Label("Errno Name")
    String errnoName;

    private IoErrorEvent() {
    }

    /** Loads and initializes this class and its recording check, for a failure path that cannot load classes. */
    public static void load() {
        AtollEvents.recording();
    }

    /** Commits one I/O error if a recording wants it. */
    public static void emit(String operation, int errno) {
        if (!AtollEvents.recording()) {
            return;
        }
        IoErrorEvent event = new IoErrorEvent();
        if (event.shouldCommit()) {
            event.operation = operation;
            event.errno = errno;
            event.errnoName = Errno.name(errno);
            event.commit();
        }
    }
}
