package dev.atoll.drivers.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.OptionalLong;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * macOS-only functions: {@code sysctlbyname} and {@code pthread_set_qos_class_self_np}. The handles
 * sit in a holder class that is initialised on the first call, so nothing is linked on other systems
 * where these symbols do not exist.
 */
public final class MacosLibC {

    private MacosLibC() {
    }

    /** Linked on first use only. */
    private static final class Handles {
        static final MethodHandle SYSCTLBYNAME = Ffi.errnoCall("sysctlbyname",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
        /** Returns an errno value itself; does not set errno. */
        static final MethodHandle PTHREAD_SET_QOS_CLASS_SELF_NP = Ffi.plainCall("pthread_set_qos_class_self_np",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    /**
     * Reads a numeric sysctl of either width (int32 such as {@code hw.nperflevels} or int64 such as
     * {@code hw.cachelinesize}); empty when the key does not exist here (ENOENT, EINVAL) or is not numeric.
     */
    public static OptionalLong sysctlNumber(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(arena);
            MemorySegment value = arena.allocate(JAVA_LONG);
            MemorySegment length = arena.allocate(JAVA_LONG);
            length.set(JAVA_LONG, 0, value.byteSize());
            int r = (int) Handles.SYSCTLBYNAME.invokeExact(errno, arena.allocateFrom(name), value, length,
                    MemorySegment.NULL, 0L);
            if (r < 0) { // -errno: ENOENT (no such key here), EINVAL, ENOMEM (wider than 8 bytes)
                return OptionalLong.empty();
            }
            long size = length.get(JAVA_LONG, 0);
            if (size == Integer.BYTES) {
                return OptionalLong.of(value.get(JAVA_INT, 0));
            }
            return size == Long.BYTES ? OptionalLong.of(value.get(JAVA_LONG, 0)) : OptionalLong.empty();
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }

    /** Sets the calling thread's QoS class; returns 0 or the errno value (the function returns it directly). */
    public static int pthreadSetQosClassSelfNp(int qosClass, int relativePriority) {
        try {
            return (int) Handles.PTHREAD_SET_QOS_CLASS_SELF_NP.invokeExact(qosClass, relativePriority);
        } catch (Throwable t) {
            throw Ffi.unchecked(t);
        }
    }
}
