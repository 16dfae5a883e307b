package dev.atoll.drivers.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Linux's {@code struct statx} (the same on x86_64 and aarch64), as the buffer a
 * {@link dev.atoll.drivers.Opcode#STATX} operation fills: allocate one with {@link #allocate}, read the
 * fields after the operation's completion.
 */
public final class Statx {
    /** {@code struct statx} (256 bytes): the fields up to {@code stx_size}, then the rest as padding. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("stx_mask"), JAVA_INT.withName("stx_blksize"), JAVA_LONG.withName("stx_attributes"),
            JAVA_INT.withName("stx_nlink"), JAVA_INT.withName("stx_uid"), JAVA_INT.withName("stx_gid"),
            JAVA_SHORT.withName("stx_mode"), MemoryLayout.paddingLayout(2), JAVA_LONG.withName("stx_ino"),
            JAVA_LONG.withName("stx_size"), MemoryLayout.paddingLayout(256 - 48)).withName("statx");
    private static final long MASK = LAYOUT.byteOffset(groupElement("stx_mask"));
    private static final long SIZE = LAYOUT.byteOffset(groupElement("stx_size"));

    private Statx() {
    }

    /** A zeroed buffer for one {@code struct statx}. */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(LAYOUT);
    }

    /** The file size in a filled buffer. */
    public static long size(MemorySegment statx) {
        return statx.get(JAVA_LONG, SIZE);
    }

    /** The {@code STATX_*} bits of the fields the kernel filled in. */
    public static int mask(MemorySegment statx) {
        return statx.get(JAVA_INT, MASK);
    }
}
