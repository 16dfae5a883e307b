package dev.atoll.drivers.readiness;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Counts system calls: one writer (the shard thread), readers on any thread. */
public final class SyscallCounter {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(SyscallCounter.class, "count", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long count;

    /** Shard thread only. */
    public void add(int calls) {
        // Single writer: a plain read of its own last value, then an opaque store (never torn, becomes
        // visible to opaque readers eventually, costs no fence).
        COUNT.setOpaque(this, count + calls);
    }

    /** Any thread; opaque read (pairs with the opaque store in {@link #add}). */
    public long get() {
        return (long) COUNT.getOpaque(this);
    }
}
