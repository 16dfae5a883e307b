package dev.atoll.drivers.ffi;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.Optional;

/**
 * Links C functions of the default library (or of a library loaded by name); {@link #errnoCall} handles
 * capture errno and return {@code -errno}.
 */
final class Ffi {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final MethodHandle CHECK_INT = check("checkInt", int.class);
    private static final MethodHandle CHECK_LONG = check("checkLong", long.class);

    private Ffi() {
    }

    /**
     * A handle whose first parameter is an errno capture segment (see {@link Errno#allocate}) and whose
     * {@code int} or {@code long} result is the C result, or {@code -errno} where C returned -1.
     */
    static MethodHandle errnoCall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return errnoCall(LOOKUP, name, descriptor, options);
    }

    /** As {@link #errnoCall(String, FunctionDescriptor, Linker.Option...)}, for a function of {@code library}. */
    static MethodHandle errnoCall(SymbolLookup library, String name, FunctionDescriptor descriptor,
                                  Linker.Option... options) {
        return find(library, name, descriptor, withCapture(options)).map(Ffi::returningMinusErrno)
                .orElseThrow(() -> new UnsatisfiedLinkError("C function not found: " + name));
    }

    /** The C library's own lookup, where {@code kqueue} and {@code kevent} are found on macOS. */
    static SymbolLookup defaultLookup() {
        return LOOKUP;
    }

    /** As {@link #errnoCall}, or empty when the C library lacks the function. */
    static Optional<MethodHandle> optionalErrnoCall(String name, FunctionDescriptor descriptor,
                                                    Linker.Option... options) {
        return find(LOOKUP, name, descriptor, withCapture(options)).map(Ffi::returningMinusErrno);
    }

    /** {@code (errno, args...) -> r} becomes {@code (errno, args...) -> r == -1 ? -errno : r}. */
    private static MethodHandle returningMinusErrno(MethodHandle call) {
        MethodType type = call.type();
        MethodHandle check = type.returnType() == long.class ? CHECK_LONG : CHECK_INT;
        // check(result, errno), widened to check(result, errno, args...) and fed the call's result first.
        MethodHandle checkAll = MethodHandles.dropArguments(check, 2, type.parameterList().subList(1, type.parameterCount()));
        return MethodHandles.foldArguments(checkAll, call);
    }

    private static int checkInt(int result, MemorySegment captureState) {
        return result == -1 ? -Errno.read(captureState) : result;
    }

    private static long checkLong(long result, MemorySegment captureState) {
        return result == -1 ? -Errno.read(captureState) : result;
    }

    /** A handle for a function that does not report through errno. */
    static MethodHandle plainCall(String name, FunctionDescriptor descriptor) {
        return find(LOOKUP, name, descriptor)
                .orElseThrow(() -> new UnsatisfiedLinkError("C function not found: " + name));
    }

    private static Optional<MethodHandle> find(SymbolLookup library, String name, FunctionDescriptor descriptor,
                                               Linker.Option... options) {
        Optional<MemorySegment> symbol = library.find(name);
        return symbol.map(address -> LINKER.downcallHandle(address, descriptor, options));
    }

    private static MethodHandle check(String name, Class<?> result) {
        try {
            return MethodHandles.lookup().findStatic(Ffi.class, name,
                    MethodType.methodType(result, result, MemorySegment.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static Linker.Option[] withCapture(Linker.Option[] options) {
        Linker.Option[] all = Arrays.copyOf(options, options.length + 1);
        all[options.length] = CAPTURE_ERRNO;
        return all;
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
