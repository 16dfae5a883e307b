package dev.atoll.drivers.ffi;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.Optional;

/** Links C functions of the default library; every handle captures errno unless told otherwise. */
final class Ffi {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private Ffi() {
    }

    /** A handle whose first parameter is an errno capture segment (see {@link Errno#allocate}). */
    static MethodHandle errnoCall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return find(name, descriptor, withCapture(options))
                .orElseThrow(() -> new UnsatisfiedLinkError("C function not found: " + name));
    }

    /** As {@link #errnoCall}, or empty when the C library lacks the function. */
    static Optional<MethodHandle> optionalErrnoCall(String name, FunctionDescriptor descriptor) {
        return find(name, descriptor, CAPTURE_ERRNO);
    }

    /** A handle for a function that does not report through errno. */
    static MethodHandle plainCall(String name, FunctionDescriptor descriptor) {
        return find(name, descriptor)
                .orElseThrow(() -> new UnsatisfiedLinkError("C function not found: " + name));
    }

    private static Optional<MethodHandle> find(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Optional<MemorySegment> symbol = LOOKUP.find(name);
        return symbol.map(address -> LINKER.downcallHandle(address, descriptor, options));
    }

    private static Linker.Option[] withCapture(Linker.Option[] options) {
        Linker.Option[] all = Arrays.copyOf(options, options.length + 1);
        all[options.length] = CAPTURE_ERRNO;
        return all;
    }

    /** The value of a failed call in the kernel's convention: {@code -errno}. */
    static int failed(MemorySegment captureState) {
        return -Errno.read(captureState);
    }

    /**
     * What a downcall threw, for rethrowing: runtime exceptions (a closed arena, a wrong thread) as they
     * are, errors thrown here, anything else (only a broken binding can cause it) wrapped.
     */
    static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed unexpectedly", t);
    }
}
