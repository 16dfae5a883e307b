package dev.atoll.drivers.uring;

import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.ErrnoException;
import dev.atoll.drivers.ffi.LibC;
import dev.atoll.drivers.ffi.LinuxLibC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static dev.atoll.drivers.uring.IoUringAbi.CQE;
import static dev.atoll.drivers.uring.IoUringAbi.ENTER_REGISTERED_RING;
import static dev.atoll.drivers.uring.IoUringAbi.FEAT_SINGLE_MMAP;
import static dev.atoll.drivers.uring.IoUringAbi.MAP_POPULATE;
import static dev.atoll.drivers.uring.IoUringAbi.MAP_SHARED;
import static dev.atoll.drivers.uring.IoUringAbi.OFF_CQ_RING;
import static dev.atoll.drivers.uring.IoUringAbi.OFF_SQES;
import static dev.atoll.drivers.uring.IoUringAbi.OFF_SQ_RING;
import static dev.atoll.drivers.uring.IoUringAbi.PARAMS;
import static dev.atoll.drivers.uring.IoUringAbi.PROT_READ;
import static dev.atoll.drivers.uring.IoUringAbi.PROT_WRITE;
import static dev.atoll.drivers.uring.IoUringAbi.REGISTER_RING_FDS;
import static dev.atoll.drivers.uring.IoUringAbi.RSRC_UPDATE;
import static dev.atoll.drivers.uring.IoUringAbi.SQE;
import static dev.atoll.drivers.uring.IoUringAbi.SYS_IO_URING_ENTER;
import static dev.atoll.drivers.uring.IoUringAbi.SYS_IO_URING_REGISTER;
import static dev.atoll.drivers.uring.IoUringAbi.SYS_IO_URING_SETUP;
import static dev.atoll.drivers.uring.IoUringAbi.offset;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One io_uring instance: its file descriptor, the submission and completion rings mapped into this
 * process, and the three system calls on it. Knows nothing of operations; {@link IoUringDriver} does.
 *
 * <p>Memory ordering with the kernel, as liburing does it: the SQ tail is published with a release store
 * (the SQEs written before it become visible first); the CQ tail is read with an acquire load (the CQEs
 * it covers are then visible); the CQ head is published with a release store (the kernel may then reuse
 * the slots). The SQ head and the ring flags are read with acquire loads. Everything else is plain:
 * one thread drives the ring.
 */
final class Ring {
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final long SQE_SIZE = SQE.byteSize();
    private static final long CQE_SIZE = CQE.byteSize();

    final int fd;
    final int setupFlags;
    final int features;
    final int sqEntries;
    final int cqEntries;
    private final int sqMask;
    private final int cqMask;
    /** The mapped rings, as segments of their true size. */
    private final MemorySegment sqRing;
    private final MemorySegment cqRing;
    final MemorySegment sqes;
    final MemorySegment cqes;
    private final long sqHeadOffset;
    private final long sqTailOffset;
    private final long sqFlagsOffset;
    private final long cqHeadOffset;
    private final long cqTailOffset;
    private final long cqOverflowOffset;
    private final MemorySegment errno;
    /** The ring's index in the registered ring table, or -1: then system calls name {@link #fd}. */
    private int registeredIndex = -1;

    /** Local copy of the SQ tail: SQEs up to it are written, up to {@link #sqTailOffset}'s value published. */
    private int sqTail;

    private Ring(int fd, MemorySegment params, MemorySegment sqRing, MemorySegment cqRing, MemorySegment sqes,
                 MemorySegment errno) {
        this.fd = fd;
        this.setupFlags = params.get(JAVA_INT, offset(PARAMS, "flags"));
        this.features = params.get(JAVA_INT, offset(PARAMS, "features"));
        this.sqEntries = params.get(JAVA_INT, offset(PARAMS, "sq_entries"));
        this.cqEntries = params.get(JAVA_INT, offset(PARAMS, "cq_entries"));
        this.sqRing = sqRing;
        this.cqRing = cqRing;
        this.sqes = sqes;
        this.errno = errno;
        sqHeadOffset = params.get(JAVA_INT, offset(PARAMS, "sq_off", "head"));
        sqTailOffset = params.get(JAVA_INT, offset(PARAMS, "sq_off", "tail"));
        sqFlagsOffset = params.get(JAVA_INT, offset(PARAMS, "sq_off", "flags"));
        sqMask = sqRing.get(JAVA_INT, params.get(JAVA_INT, offset(PARAMS, "sq_off", "ring_mask")));
        cqHeadOffset = params.get(JAVA_INT, offset(PARAMS, "cq_off", "head"));
        cqTailOffset = params.get(JAVA_INT, offset(PARAMS, "cq_off", "tail"));
        cqOverflowOffset = params.get(JAVA_INT, offset(PARAMS, "cq_off", "overflow"));
        cqMask = cqRing.get(JAVA_INT, params.get(JAVA_INT, offset(PARAMS, "cq_off", "ring_mask")));
        long cqesOffset = params.get(JAVA_INT, offset(PARAMS, "cq_off", "cqes"));
        cqes = cqRing.asSlice(cqesOffset, cqEntries * CQE_SIZE);
        // SQE i always sits at index i of the indirection array: filled once, never touched again.
        long array = params.get(JAVA_INT, offset(PARAMS, "sq_off", "array"));
        for (int i = 0; i < sqEntries; i++) {
            sqRing.set(JAVA_INT, array + (long) i * JAVA_INT.byteSize(), i);
        }
        sqTail = (int) INT.getAcquire(sqRing, sqTailOffset);
    }

    /**
     * {@code io_uring_setup(entries, params)} with {@code flags} (and {@code cqEntries} when
     * {@link IoUringAbi#SETUP_CQSIZE} is among them), then the mappings.
     *
     * @throws ErrnoException with the setup's errno (EPERM, ENOSYS, EINVAL, ENOMEM...) when the kernel refuses
     */
    static Ring open(Arena arena, int entries, int cqEntries, int flags) {
        MemorySegment errno = Errno.allocate(arena);
        MemorySegment params = arena.allocate(PARAMS);
        params.set(JAVA_INT, offset(PARAMS, "flags"), flags);
        params.set(JAVA_INT, offset(PARAMS, "cq_entries"), cqEntries);
        int fd = (int) LinuxLibC.syscall(errno, SYS_IO_URING_SETUP, entries, params);
        if (fd < 0) {
            throw new ErrnoException("io_uring_setup(" + entries + ", flags 0x" + Integer.toHexString(flags) + ")", -fd);
        }
        try {
            int features = params.get(JAVA_INT, offset(PARAMS, "features"));
            int sqEntries = params.get(JAVA_INT, offset(PARAMS, "sq_entries"));
            int cqSize = params.get(JAVA_INT, offset(PARAMS, "cq_entries"));
            long sqRingSize = params.get(JAVA_INT, offset(PARAMS, "sq_off", "array")) + (long) sqEntries * JAVA_INT.byteSize();
            long cqRingSize = params.get(JAVA_INT, offset(PARAMS, "cq_off", "cqes")) + cqSize * CQE_SIZE;
            MemorySegment sqRing;
            MemorySegment cqRing;
            if ((features & FEAT_SINGLE_MMAP) != 0) {
                sqRing = map(errno, fd, Math.max(sqRingSize, cqRingSize), OFF_SQ_RING);
                cqRing = sqRing;
            } else {
                sqRing = map(errno, fd, sqRingSize, OFF_SQ_RING);
                cqRing = map(errno, fd, cqRingSize, OFF_CQ_RING);
            }
            MemorySegment sqes = map(errno, fd, sqEntries * SQE_SIZE, OFF_SQES);
            return new Ring(fd, params, sqRing, cqRing, sqes, errno);
        } catch (RuntimeException e) {
            LibC.close(errno, fd); // the kernel drops the mappings with the last reference
            throw e;
        }
    }

    private static MemorySegment map(MemorySegment errno, int fd, long size, long offset) {
        long address = LinuxLibC.mmap(errno, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
        if (address < 0 && address > -4096) {
            throw new ErrnoException("mmap of an io_uring ring (offset 0x" + Long.toHexString(offset) + ")", (int) -address);
        }
        return MemorySegment.ofAddress(address).reinterpret(size);
    }

    /** Registers the ring's own descriptor so that {@code io_uring_enter} skips the file table lookup; false if refused. */
    boolean registerRingFd(Arena arena) {
        MemorySegment update = arena.allocate(RSRC_UPDATE);
        update.set(JAVA_INT, offset(RSRC_UPDATE, "offset"), -1); // any free index
        update.set(JAVA_LONG, offset(RSRC_UPDATE, "data"), fd);
        long r = register(REGISTER_RING_FDS, update, 1);
        if (r != 1) {
            return false;
        }
        registeredIndex = update.get(JAVA_INT, offset(RSRC_UPDATE, "offset"));
        return true;
    }

    /** Offset in {@link #sqes} of the next free SQE, or -1 when the submission ring is full. */
    long nextSqe() {
        int head = (int) INT.getAcquire(sqRing, sqHeadOffset);
        if (sqTail - head >= sqEntries) {
            return -1;
        }
        long at = (long) (sqTail & sqMask) * SQE_SIZE;
        sqTail++;
        return at;
    }

    /** SQEs that can be written before the submission ring is full. */
    int freeSqes() {
        return sqEntries - (sqTail - (int) INT.getAcquire(sqRing, sqHeadOffset));
    }

    /** SQEs written and not yet consumed by the kernel. */
    int unsubmitted() {
        return sqTail - (int) INT.getAcquire(sqRing, sqHeadOffset);
    }

    /** Publishes the written SQEs (release: their contents become visible to the kernel first). */
    void publish() {
        INT.setRelease(sqRing, sqTailOffset, sqTail);
    }

    /** The SQ flags the kernel sets (acquire): {@link IoUringAbi#SQ_TASKRUN}, {@link IoUringAbi#SQ_CQ_OVERFLOW}. */
    int sqFlags() {
        return (int) INT.getAcquire(sqRing, sqFlagsOffset);
    }

    /** The CQ head (plain: only this thread writes it). */
    int cqHead() {
        return cqRing.get(JAVA_INT, cqHeadOffset);
    }

    /** The CQ tail (acquire: the CQEs before it are visible). */
    int cqTail() {
        return (int) INT.getAcquire(cqRing, cqTailOffset);
    }

    /** Frees CQE slots up to {@code head} (release: this thread's reads of them come first). */
    void cqAdvance(int head) {
        INT.setRelease(cqRing, cqHeadOffset, head);
    }

    /** Offset in {@link #cqes} of the CQE at ring position {@code position}. */
    long cqe(int position) {
        return (long) (position & cqMask) * CQE_SIZE;
    }

    /** Completions the kernel dropped because the CQ was full (never with FEAT_NODROP). */
    int cqOverflow() {
        return (int) INT.getAcquire(cqRing, cqOverflowOffset);
    }

    /** {@code io_uring_enter(ring, toSubmit, minComplete, flags, arg, argSize)}: its result or {@code -errno}. */
    int enter(int toSubmit, int minComplete, int flags, MemorySegment arg, long argSize) {
        int ringFd = registeredIndex >= 0 ? registeredIndex : fd;
        int allFlags = registeredIndex >= 0 ? flags | ENTER_REGISTERED_RING : flags;
        return (int) LinuxLibC.syscall(errno, SYS_IO_URING_ENTER, ringFd, toSubmit, minComplete, allFlags, arg, argSize);
    }

    /** {@code io_uring_register(ring, opcode, arg, count)}: its result or {@code -errno}. */
    long register(int opcode, MemorySegment arg, long count) {
        return LinuxLibC.syscall(errno, SYS_IO_URING_REGISTER, fd, opcode, arg, count);
    }

    /** Unmaps the rings and closes the descriptor. */
    void close() {
        LinuxLibC.munmap(errno, sqes);
        if (cqRing != sqRing) {
            LinuxLibC.munmap(errno, cqRing);
        }
        LinuxLibC.munmap(errno, sqRing);
        LibC.close(errno, fd);
    }
}
