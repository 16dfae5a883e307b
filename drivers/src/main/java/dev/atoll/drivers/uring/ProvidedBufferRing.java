package dev.atoll.drivers.uring;

import dev.atoll.drivers.ffi.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static dev.atoll.drivers.uring.IoUringAbi.BUF;
import static dev.atoll.drivers.uring.IoUringAbi.BUF_REG;
import static dev.atoll.drivers.uring.IoUringAbi.REGISTER_PBUF_RING;
import static dev.atoll.drivers.uring.IoUringAbi.offset;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A provided buffer ring ({@code IORING_REGISTER_PBUF_RING}): buffers the kernel picks from for a
 * multishot receive. The ring is shared memory: this thread appends entries and publishes the tail with a
 * release store (the entries written before it become visible first); the kernel consumes from its head.
 */
final class ProvidedBufferRing {
    private static final VarHandle SHORT = JAVA_SHORT.varHandle();
    private static final long ENTRY_SIZE = BUF.byteSize();
    private static final long ENTRY_ADDR = offset(BUF, "addr");
    private static final long ENTRY_LEN = offset(BUF, "len");
    private static final long ENTRY_BID = offset(BUF, "bid");
    /** The ring's tail overlays the first entry's {@code resv}. */
    private static final long TAIL = offset(BUF, "resv");
    private static final int MAX_ENTRIES = 32768;
    private static final long PAGE = 4096;

    final int group;
    private final MemorySegment ring;
    private final int mask;
    /** Held so that the memory stays reachable while the kernel may write into it. */
    private final MemorySegment[] buffers;
    private final int size;
    private int tail;

    private ProvidedBufferRing(int group, MemorySegment ring, int entries, MemorySegment[] buffers, int size) {
        this.group = group;
        this.ring = ring;
        this.mask = entries - 1;
        this.buffers = buffers.clone();
        this.size = size;
    }

    /**
     * Registers a ring for {@code buffers} ({@code size} bytes each) under {@code group} and hands them
     * all to the kernel.
     *
     * @throws IllegalArgumentException for more buffers than a ring holds
     * @return the ring, or null when the kernel refused it ({@code reason} holds why)
     */
    static ProvidedBufferRing register(Ring uring, Arena arena, int group, MemorySegment[] buffers, int size,
                                       StringBuilder reason) {
        if (buffers.length == 0 || buffers.length > MAX_ENTRIES) {
            throw new IllegalArgumentException("a provided buffer ring holds 1 to " + MAX_ENTRIES + " buffers, not "
                    + buffers.length);
        }
        int entries = buffers.length == 1 ? 1 : Integer.highestOneBit(buffers.length - 1) << 1;
        MemorySegment memory = arena.allocate(entries * ENTRY_SIZE, PAGE);
        MemorySegment registration = arena.allocate(BUF_REG);
        registration.set(JAVA_LONG, offset(BUF_REG, "ring_addr"), memory.address());
        registration.set(JAVA_INT, offset(BUF_REG, "ring_entries"), entries);
        registration.set(JAVA_SHORT, offset(BUF_REG, "bgid"), (short) group);
        long r = uring.register(REGISTER_PBUF_RING, registration, 1);
        if (r < 0) {
            reason.append("IORING_REGISTER_PBUF_RING failed: ").append(Errno.describe((int) -r));
            return null;
        }
        for (MemorySegment buffer : buffers) {
            if (buffer.byteSize() < size) {
                throw new IllegalArgumentException("a receive buffer of " + buffer.byteSize() + " bytes, not " + size);
            }
        }
        ProvidedBufferRing ring = new ProvidedBufferRing(group, memory, entries, buffers, size);
        for (int id = 0; id < buffers.length; id++) {
            ring.append(id);
        }
        ring.publish();
        return ring;
    }

    /** Gives buffer {@code id} back to the kernel. */
    void recycle(int id) {
        if (id < 0 || id >= buffers.length) {
            throw new IllegalArgumentException("no buffer " + id + " in group " + group);
        }
        append(id);
        publish();
    }

    private void append(int id) {
        long at = (tail & mask) * ENTRY_SIZE;
        ring.set(JAVA_LONG, at + ENTRY_ADDR, buffers[id].address());
        ring.set(JAVA_INT, at + ENTRY_LEN, size);
        ring.set(JAVA_SHORT, at + ENTRY_BID, (short) id);
        tail++;
    }

    private void publish() {
        SHORT.setRelease(ring, TAIL, (short) tail);
    }
}
