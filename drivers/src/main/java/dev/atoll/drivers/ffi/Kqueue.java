package dev.atoll.drivers.ffi;

import dev.atoll.drivers.Os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * kqueue: {@code struct kevent}, the constants, and {@code kqueue()} / {@code kevent()} of one
 * {@link Flavor} (the macOS kernel's, or libkqueue's on Linux). The one place where kqueue numbers
 * live: what differs between flavours is a field of {@link Flavor}, everything else is the same on all.
 *
 * <p>Sources: xnu {@code bsd/sys/event.h} and libkqueue {@code include/sys/event.h.in}, as recorded in
 * the project's {@code reference/macos-kqueue.md}.
 */
public final class Kqueue implements KqueueCalls {
    /**
     * {@code struct kevent} on LP64: the same 32 bytes on macOS (declared under {@code pack(4)}, but every
     * field sits on its natural alignment anyway) and in libkqueue. {@code udata} is a {@code void*}; it
     * carries a 64-bit token here, so it is read and written as a long.
     */
    public static final StructLayout KEVENT = MemoryLayout.structLayout(
            JAVA_LONG.withName("ident"),
            JAVA_SHORT.withName("filter"),
            JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("fflags"),
            JAVA_LONG.withName("data"),
            JAVA_LONG.withName("udata")).withName("kevent");
    /** {@code kevent.ident} (uintptr_t); coordinates {@code (segment, offset of the struct)}. */
    public static final VarHandle IDENT = KEVENT.varHandle(groupElement("ident"));
    /** {@code kevent.filter} (int16_t). */
    public static final VarHandle FILTER = KEVENT.varHandle(groupElement("filter"));
    /** {@code kevent.flags} (uint16_t: read it with {@code & 0xffff}). */
    public static final VarHandle FLAGS = KEVENT.varHandle(groupElement("flags"));
    /** {@code kevent.fflags} (uint32_t). */
    public static final VarHandle FFLAGS = KEVENT.varHandle(groupElement("fflags"));
    /** {@code kevent.data} (intptr_t): bytes ready, or the errno of an {@link #EV_ERROR} entry. */
    public static final VarHandle DATA = KEVENT.varHandle(groupElement("data"));
    /** {@code kevent.udata} (void*), handed back untouched with every event of the registration. */
    public static final VarHandle UDATA = KEVENT.varHandle(groupElement("udata"));

    public static final short EVFILT_READ = -1;
    public static final short EVFILT_WRITE = -2;
    /** macOS's {@code EVFILT_USER}; see {@link Flavor#evfiltUser()}. */
    public static final short EVFILT_USER_MACOS = -10;
    /** {@code EVFILT_USER} of libkqueue and FreeBSD (where -10 is {@code EVFILT_LIO}). */
    public static final short EVFILT_USER_LIBKQUEUE = -11;

    public static final int EV_ADD = 0x0001;
    public static final int EV_DELETE = 0x0002;
    /** Edge-triggered: the state is reset once the event has been reported. */
    public static final int EV_CLEAR = 0x0020;
    /** Report the outcome of this change as an {@link #EV_ERROR} entry (data 0 on success). */
    public static final int EV_RECEIPT = 0x0040;
    public static final int EV_ERROR = 0x4000;
    /** The peer closed (read filter) or the socket cannot send any more (write filter). */
    public static final int EV_EOF = 0x8000;

    public static final int NOTE_FFNOP = 0;
    /** {@code EVFILT_USER}: fire the user event. */
    public static final int NOTE_TRIGGER = 0x0100_0000;

    /** The kqueues Atoll knows; each has its own {@code EVFILT_USER} and its own library. */
    public enum Flavor {
        /** The macOS kernel's, through libSystem (the default lookup). */
        MACOS(EVFILT_USER_MACOS, "libSystem"),
        /** mheily/libkqueue, a kqueue on top of epoll for Linux (Debian/Ubuntu package libkqueue0). */
        LIBKQUEUE(EVFILT_USER_LIBKQUEUE, "libkqueue.so.0");

        private final short evfiltUser;
        private final String library;

        Flavor(short evfiltUser, String library) {
            this.evfiltUser = evfiltUser;
            this.library = library;
        }

        /** The flavour for {@code os}: macOS's kernel, or libkqueue on Linux; null where there is none. */
        public static Flavor of(Os os) {
            return switch (os) {
                case MACOS -> MACOS;
                case LINUX -> LIBKQUEUE;
                case OTHER -> null;
            };
        }

        /** {@code EVFILT_USER}: -10 on macOS, -11 in libkqueue (and FreeBSD). */
        public short evfiltUser() {
            return evfiltUser;
        }

        /** The library {@code kqueue} and {@code kevent} come from. */
        public String library() {
            return library;
        }
    }

    private final Flavor flavor;
    private final MethodHandle kqueue;
    private final MethodHandle kevent;

    private Kqueue(Flavor flavor, SymbolLookup library) {
        this.flavor = flavor;
        this.kqueue = Ffi.errnoCall(library, "kqueue", FunctionDescriptor.of(JAVA_INT));
        this.kevent = Ffi.errnoCall(library, "kevent",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    }

    /**
     * The kqueue functions of {@code flavor}, linked once per process.
     *
     * @throws UnsatisfiedLinkError when the library or its functions cannot be found; the message says which
     */
    public static Kqueue load(Flavor flavor) {
        Object loaded = flavor == Flavor.MACOS ? Loaded.MACOS : Loaded.LIBKQUEUE;
        if (loaded instanceof Kqueue kqueue) {
            return kqueue;
        }
        throw new UnsatisfiedLinkError((String) loaded);
    }

    /** Links on first use, once per flavour; holds the {@link Kqueue} or the reason it failed. */
    private static final class Loaded {
        static final Object MACOS = link(Flavor.MACOS);
        static final Object LIBKQUEUE = link(Flavor.LIBKQUEUE);

        private static Object link(Flavor flavor) {
            if (ADDRESS.byteSize() != Long.BYTES) {
                return "kqueue needs a 64-bit process (struct kevent is laid out for LP64 here)";
            }
            try {
                SymbolLookup library = flavor == Flavor.MACOS ? Ffi.defaultLookup()
                        // The global arena: a library stays loaded for the life of the process.
                        : SymbolLookup.libraryLookup(flavor.library(), Arena.global());
                return new Kqueue(flavor, library);
            } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
                return flavor.library() + " cannot be loaded: " + e.getMessage();
            }
        }
    }

    @Override
    public Flavor flavor() {
        return flavor;
    }

    @Override
    public int kqueue(MemorySegment errno) {
        try {
            return (int) kqueue.invokeExact(errno);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    @Override
    public int kevent(MemorySegment errno, int kq, MemorySegment changes, int nchanges, MemorySegment events,
                      int nevents, MemorySegment timeout) {
        try {
            return (int) kevent.invokeExact(errno, kq, changes, nchanges, events, nevents, timeout);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    @Override
    public int close(MemorySegment errno, int fd) {
        return LibC.close(errno, fd);
    }

    /** Writes one {@code struct kevent} at {@code index} of {@code list}. */
    public static void set(MemorySegment list, int index, long ident, short filter, int flags, int fflags, long udata) {
        long offset = index * KEVENT.byteSize();
        IDENT.set(list, offset, ident);
        FILTER.set(list, offset, filter);
        FLAGS.set(list, offset, (short) flags);
        FFLAGS.set(list, offset, fflags);
        DATA.set(list, offset, 0L);
        UDATA.set(list, offset, udata);
    }
}
