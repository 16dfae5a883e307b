package dev.atoll.drivers.ffi;

import dev.atoll.drivers.Os;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The errno of a downcall: where it is captured ({@link Linker.Option#captureCallState}), how it is
 * read, and its name on this OS. Bindings take a capture segment from {@link #allocate(Arena)} as
 * their first argument and return {@code -errno} on failure.
 */
public final class Errno {
    private static final MemoryLayout LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** {@code ECANCELED} of this OS: the result of a cancelled operation is {@code -ECANCELED}. */
    public static final int ECANCELED =
            Os.current() == Os.MACOS ? MacosConstants.ECANCELED : LinuxConstants.ECANCELED;

    private Errno() {
    }

    /** A segment that receives the errno of the downcalls it is passed to. */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(LAYOUT);
    }

    /** The errno the last call stored in {@code captureState}; meaningful only after a call returned -1. */
    public static int read(MemorySegment captureState) {
        return (int) ERRNO.get(captureState, 0L);
    }

    /** The symbolic name of {@code errno} on this OS, e.g. {@code EBADF}, or {@code "?"}. */
    public static String name(int errno) {
        return Os.current() == Os.MACOS ? MacosConstants.errnoName(errno) : LinuxConstants.errnoName(errno);
    }

    /** {@code "errno 9 (EBADF)"}. */
    public static String describe(int errno) {
        return "errno " + errno + " (" + name(errno) + ")";
    }
}
