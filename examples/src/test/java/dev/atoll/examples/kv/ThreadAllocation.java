package dev.atoll.examples.kv;

import java.lang.management.ManagementFactory;

/** The heap bytes the calling thread allocates while it runs a piece of code (HotSpot's per-thread counter). */
final class ThreadAllocation {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ThreadAllocation() {
    }

    /** The bytes {@code code} allocated on this thread. */
    static long of(Runnable code) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        code.run();
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
