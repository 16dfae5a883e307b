package dev.atoll.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.ToIntFunction;

/**
 * A shard's pool of off-heap {@link Buffer}s in power-of-two size classes, carved from slabs of a
 * shared arena (shared so a blocking file worker may pass a buffer to a system call; ownership, not
 * the arena, keeps each buffer on one thread at a time). Bounded by {@code atoll.io.buffers.max-bytes};
 * released buffers are reused, never freed, and the memory goes when the pool becomes unreachable
 * (an automatic arena: a buffer still referenced by an operation keeps its slab alive). Every buffer
 * is aligned to its size, at most to a page: buffers of 4 KiB and more suit {@code O_DIRECT}.
 * A slab is registered with the shard's driver ({@link dev.atoll.drivers.Driver#registerBuffer}) the
 * first time one of its buffers takes part in file I/O, so file reads and writes become
 * {@code READ_FIXED}/{@code WRITE_FIXED} on io_uring.
 *
 * <p>One per shard ({@link #current()}); used only by that shard's thread.
 */
public final class BufferPool {
    /** The alignment of slabs, and of every buffer at least this large (O_DIRECT needs block alignment). */
    private static final long PAGE = 4096;
    /** A slab's registered-buffer index before anyone asked for it. */
    private static final int NOT_ASKED = -2;
    private final Thread owner;
    private final int minShift;
    private final int maxSize;
    private final int slabSize;
    private final long maxBytes;
    private final Arena arena = Arena.ofAuto();
    private final ArrayDeque<Buffer>[] free;
    private final ToIntFunction<MemorySegment> slabRegistrar;
    /** The debug mode's poisoning and leak tracking ({@code atoll.io.buffers.debug}), or null. */
    private final BufferLeaks leaks;
    private MemorySegment slab = MemorySegment.NULL;
    /** Every slab, by number, and its registered-buffer index ({@link #NOT_ASKED}, -1 refused, or the index). */
    private MemorySegment[] slabs = new MemorySegment[4];
    private int[] slabRegistrations = new int[4];
    private int slabCount;
    private long slabUsed;
    private long carvedBytes;
    private long slabBytes;
    private long acquired;
    private long released;
    private long inUseBytes;
    private long exhausted;
    /** Buffers of the shard's {@link ReceiveBufferRing} that the kernel holds now (counted in {@code inUse} too). */
    private long kernelHeld;

    /**
     * A pool for the shard thread {@code owner}; {@code slabRegistrar} registers a slab for fixed file
     * I/O and answers its index, or -1.
     */
    @SuppressWarnings("unchecked")
    BufferPool(Thread owner, IoSettings settings, ToIntFunction<MemorySegment> slabRegistrar) {
        this.owner = owner;
        this.slabRegistrar = slabRegistrar;
        this.minShift = Integer.numberOfTrailingZeros(settings.bufferMinSize());
        this.maxSize = settings.bufferMaxSize();
        this.slabSize = settings.slabSize();
        this.maxBytes = settings.poolMaxBytes();
        this.leaks = settings.bufferDebug() ? new BufferLeaks(owner.getName()) : null;
        int classes = Integer.numberOfTrailingZeros(maxSize) - minShift + 1;
        this.free = new ArrayDeque[classes];
        for (int i = 0; i < classes; i++) {
            free[i] = new ArrayDeque<>();
        }
    }

    /**
     * The pool of the shard running the caller.
     *
     * @throws IllegalStateException outside a shard thread
     */
    public static BufferPool current() {
        return IoShard.current().pool();
    }

    /**
     * An empty buffer of at least {@code minCapacity} bytes (its size class: the next power of two).
     *
     * @throws IllegalArgumentException     above {@code atoll.io.buffers.max-size}
     * @throws BufferPoolExhaustedException when the pool is at {@code max-bytes} and has no free buffer of that class
     */
    public Buffer acquire(int minCapacity) {
        checkOwner();
        if (minCapacity > maxSize || minCapacity < 0) {
            throw new IllegalArgumentException("a buffer of " + minCapacity + " bytes: sizes go from 0 to " + maxSize
                    + " (atoll.io.buffers.max-size)");
        }
        int sizeClass = sizeClass(minCapacity);
        Buffer buffer = free[sizeClass].pollFirst();
        boolean reused = buffer != null;
        if (!reused) {
            buffer = carve(sizeClass);
        }
        buffer.reuse();
        if (leaks != null) {
            leaks.acquired(buffer, reused);
        }
        acquired++;
        inUseBytes += buffer.capacity();
        return buffer;
    }

    /** The largest buffer this pool hands out. */
    public int maxBufferSize() {
        return maxSize;
    }

    /** What the pool holds and has handed out, for monitoring and leak checks. */
    public Stats stats() {
        checkOwner();
        return new Stats(slabBytes, carvedBytes, maxBytes, acquired, released, acquired - released, inUseBytes, exhausted,
                kernelHeld, leaks == null ? 0 : leaks.leaked());
    }

    /**
     * A pool's counters.
     *
     * @param slabBytes   bytes taken from the arena (whole slabs)
     * @param carvedBytes bytes cut into buffers
     * @param maxBytes    the bound
     * @param acquired    buffers handed out, ever
     * @param released    buffers given back, ever
     * @param inUse       buffers out now
     * @param inUseBytes  capacity of the buffers out now
     * @param exhausted   acquisitions refused at the bound
     * @param kernelHeld  of the buffers out, those the kernel holds for multishot receives (io_uring): a
     *                    fixed set per shard, not held by any connection
     * @param leaked      buffers that became garbage without release, found so far (only in the debug mode,
     *                    {@code atoll.io.buffers.debug}; they stay counted in {@code inUse})
     */
    public record Stats(long slabBytes, long carvedBytes, long maxBytes, long acquired, long released, long inUse,
                        long inUseBytes, long exhausted, long kernelHeld, long leaked) {
        /** Buffers out that the application (connections, receivers, user code) holds. */
        public long heldByApplication() {
            return inUse - kernelHeld;
        }
    }

    /** A buffer went to ({@code +1}) or came back from ({@code -1}) the kernel's receive ring. */
    void kernelHeld(int change) {
        kernelHeld += change;
    }

    /**
     * The registered-buffer index of slab {@code number}, registering it at the first call; -1 when the
     * driver registers none (then file I/O uses plain reads and writes).
     */
    int registeredIndex(int number) {
        int index = slabRegistrations[number];
        if (index == NOT_ASKED) {
            index = slabRegistrar.applyAsInt(slabs[number]);
            slabRegistrations[number] = index;
        }
        return index;
    }

    void giveBack(Buffer buffer) {
        released++;
        inUseBytes -= buffer.capacity();
        free[buffer.sizeClass()].addFirst(retire(buffer)); // LIFO: the warmest buffer goes out next
    }

    /** True in the debug mode ({@code atoll.io.buffers.debug}). */
    boolean debugging() {
        return leaks != null;
    }

    /**
     * The Buffer to hand out again for the memory of {@code released}: itself, or in the debug mode a new
     * one (the released one stays released for good) over the poisoned memory.
     */
    Buffer retire(Buffer released) {
        if (leaks == null) {
            return released;
        }
        leaks.released(released);
        return released.successor();
    }

    /** A buffer of the kernel receive ring was filled and goes to a receiver (tracked in the debug mode). */
    void takenFromKernel(Buffer buffer) {
        if (leaks != null) {
            leaks.taken(buffer);
        }
    }

    void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a buffer belongs to " + owner.getName() + "; used on "
                    + Thread.currentThread().getName());
        }
    }

    private int sizeClass(int capacity) {
        int shift = capacity <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(capacity - 1);
        return Math.max(0, shift - minShift);
    }

    private Buffer carve(int sizeClass) {
        long size = 1L << (sizeClass + minShift);
        long alignment = Math.min(size, PAGE);
        long offset = (slabUsed + alignment - 1) & -alignment;
        if (offset + size > slab.byteSize()) {
            if (slabBytes + slabSize > maxBytes) {
                exhausted++;
                throw new BufferPoolExhaustedException("the buffer pool of " + owner.getName() + " is at its bound of "
                        + maxBytes + " bytes (atoll.io.buffers.max-bytes) with " + (acquired - released)
                        + " buffers out; none of " + size + " bytes is free");
            }
            // The tail of the old slab stays unused: size classes are powers of two and slabs a multiple
            // of the largest, so the tail is smaller than the class that did not fit.
            slab = arena.allocate(slabSize, PAGE);
            offset = 0;
            slabBytes += slabSize;
            if (slabCount == slabs.length) {
                slabs = Arrays.copyOf(slabs, slabCount * 2);
                slabRegistrations = Arrays.copyOf(slabRegistrations, slabCount * 2);
            }
            slabs[slabCount] = slab;
            slabRegistrations[slabCount] = NOT_ASKED;
            slabCount++;
        }
        MemorySegment memory = slab.asSlice(offset, size);
        slabUsed = offset + size;
        carvedBytes += size;
        return new Buffer(this, memory, sizeClass, slabCount - 1);
    }
}
