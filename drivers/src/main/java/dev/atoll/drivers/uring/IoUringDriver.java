package dev.atoll.drivers.uring;

import dev.atoll.config.DriverKind;
import dev.atoll.config.IoUringSettings;
import dev.atoll.drivers.Completion;
import dev.atoll.drivers.Driver;
import dev.atoll.drivers.DriverUnavailableException;
import dev.atoll.drivers.Operation;
import dev.atoll.drivers.Opcode;
import dev.atoll.drivers.OperationSlots;
import dev.atoll.drivers.PollEvents;
import dev.atoll.drivers.WakeGate;
import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.ErrnoException;
import dev.atoll.drivers.ffi.LibC;
import dev.atoll.drivers.ffi.LinuxConstants;
import dev.atoll.drivers.ffi.LinuxLibC;
import dev.atoll.drivers.ffi.SocketAddresses;
import dev.atoll.drivers.readiness.SyscallCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.atoll.drivers.uring.IoUringAbi.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The io_uring driver: operations become SQEs, completions come back as CQEs, one
 * {@code io_uring_enter} per loop iteration submits and waits (the wait bounded by the next timer with
 * {@code IORING_ENTER_EXT_ARG}). Open it on the shard thread that drives it: the ring is
 * {@code SINGLE_ISSUER | DEFER_TASKRUN} where the kernel allows (see {@link IoUringSupport}).
 *
 * <p>{@code user_data} names what a CQE is for: its top byte the kind (an operation, the eventfd read
 * that carries wake-ups, a {@code MSG_RING} wake-up received, the failure of one sent, or an internal
 * request whose CQE is ignored); for an operation, its slot in the table and the slot's generation (one
 * per claim of the slot, whatever operation object claims it), so a late CQE of an earlier use of the
 * slot is recognised and dropped.
 *
 * <p>Buffers: an operation owns its memory until its final CQE. Cancelling asks the kernel
 * ({@code ASYNC_CANCEL}) and the operation completes when the kernel says so, never earlier; a
 * {@code SEND_ZC} completes only with its notification, after the kernel released the buffer.
 * {@link #close()} cancels everything and waits for the final CQEs before it unmaps the rings.
 *
 * <p>A full submission ring is submitted and refilled; the completion ring is never lost (the probe
 * requires {@code IORING_FEAT_NODROP}, and an overflow is flushed by the next enter).
 */
public final class IoUringDriver implements Driver {
    private static final Logger LOG = LoggerFactory.getLogger(IoUringDriver.class);

    private static final int KIND_OPERATION = 0;
    /** An internal request (a cancel, a detach, a MSG_RING sent): its CQE, if any, is dropped. */
    private static final int KIND_IGNORED = 1;
    private static final int KIND_WAKE_EVENTFD = 2;
    private static final int KIND_WAKE_MESSAGE = 3;
    /** The LINK_TIMEOUT after an operation with a time limit: slot and generation as for the operation. */
    private static final int KIND_LINK_TIMEOUT = 4;
    /** A MSG_RING wake-up this ring sent, with the target's {@link #id}: only a failure posts a CQE. */
    private static final int KIND_WAKE_SENT = 5;
    private static final long IGNORED = (long) KIND_IGNORED << 56;
    private static final long WAKE_EVENTFD = (long) KIND_WAKE_EVENTFD << 56;
    private static final long WAKE_MESSAGE = (long) KIND_WAKE_MESSAGE << 56;
    private static final long LINK_TIMEOUT = (long) KIND_LINK_TIMEOUT << 56;
    private static final long WAKE_SENT = (long) KIND_WAKE_SENT << 56;
    private static final int MAX_SLOTS = 1 << 24;
    /**
     * Native memory per slot, in chunks that never move: the message header (msghdr + iovec) of
     * RECV_FROM/SEND_TO, and the timespec of a linked timeout.
     */
    private static final int SLOT_CHUNK_SLOTS = 64;
    private static final long SLOT_MEMORY_SIZE = 128;
    private static final long IOVEC_AT = MSGHDR.byteSize();
    private static final long MESSAGE_SIZE = IOVEC_AT + IOVEC.byteSize();
    private static final long TIMESPEC_AT = SLOT_MEMORY_SIZE - TIMESPEC.byteSize();
    private static final long CLOSE_DRAIN_NANOS = 5_000_000_000L;
    private static final AtomicInteger IDS = new AtomicInteger();
    /**
     * The open drivers by {@link #id}: the CQE of a failed MSG_RING names its target by id, and the sender
     * wakes that target another way. Read only on that failure path.
     */
    private static final ConcurrentHashMap<Integer, IoUringDriver> OPEN_DRIVERS = new ConcurrentHashMap<>();

    private static final long SQE_OPCODE = offset(SQE, "opcode");
    private static final long SQE_FLAGS = offset(SQE, "flags");
    private static final long SQE_IOPRIO = offset(SQE, "ioprio");
    private static final long SQE_FD = offset(SQE, "fd");
    private static final long SQE_OFF = offset(SQE, "off");
    private static final long SQE_ADDR = offset(SQE, "addr");
    private static final long SQE_LEN = offset(SQE, "len");
    private static final long SQE_OP_FLAGS = offset(SQE, "op_flags");
    private static final long SQE_USER_DATA = offset(SQE, "user_data");
    /** {@code buf_index} of READ_FIXED/WRITE_FIXED and {@code buf_group} of a buffer-selecting RECV share the field. */
    private static final long SQE_BUF_INDEX = offset(SQE, "buf_index");
    private static final long CQE_USER_DATA = offset(CQE, "user_data");
    private static final long CQE_RES = offset(CQE, "res");
    private static final long CQE_FLAGS = offset(CQE, "flags");
    private static final long MSG_NAME = offset(MSGHDR, "msg_name");
    private static final long MSG_NAMELEN = offset(MSGHDR, "msg_namelen");
    private static final long MSG_IOV = offset(MSGHDR, "msg_iov");
    private static final long MSG_IOVLEN = offset(MSGHDR, "msg_iovlen");
    private static final long IOV_BASE = offset(IOVEC, "iov_base");
    private static final long IOV_LEN = offset(IOVEC, "iov_len");

    private final Ring ring;
    private final IoUringSupport support;
    private final IoUringSettings settings;
    /** Shared: {@link #wake()} passes {@link #one} and {@link #wakeErrno} to a downcall on any thread. */
    private final Arena arena;
    private final MemorySegment errno;
    private final MemorySegment wakeErrno;
    private final MemorySegment one;
    private final MemorySegment eventfdValue;
    /** The "" that STATX with AT_EMPTY_PATH names. */
    private final MemorySegment emptyPath;
    private final MemorySegment waitArgument;
    private final MemorySegment waitTimeout;
    private final int eventfd;
    private final WakeGate wakeGate = new WakeGate();
    private final SyscallCounter syscalls = new SyscallCounter();
    private final Thread owner;
    private final boolean msgRingWakes;
    private final int id = IDS.incrementAndGet();
    /** MSG_RING wake-ups of this ring that failed: the first is logged at warn level, the others at debug. */
    private long failedWakeMessages;

    private final OperationSlots slots = new OperationSlots(256, MAX_SLOTS);
    /** Per slot: the operation is a SEND_ZC whose first CQE came; its result waits for the notification. */
    private boolean[] zeroCopy = new boolean[0];
    private int[] zeroCopyResults = new int[0];
    /** Per slot: a LINK_TIMEOUT follows the operation and its CQE has not come yet. */
    private boolean[] linked = new boolean[0];
    /** Per slot: the linked timeout fired (its CQE said ETIME). */
    private boolean[] timerFired = new boolean[0];
    /** Per slot: the operation's final CQE came before its timeout's; its result waits in {@link #parkedResults}. */
    private boolean[] parked = new boolean[0];
    private int[] parkedResults = new int[0];
    private final List<MemorySegment> slotChunks = new ArrayList<>();
    private final List<ProvidedBufferRing> bufferGroups = new ArrayList<>();
    private final RegisteredTable registeredBuffers;
    private final RegisteredTable registeredFiles;
    private boolean eventfdArmed;
    private boolean closed;

    private IoUringDriver(Ring ring, IoUringSupport support, IoUringSettings settings, Arena arena, int eventfd) {
        this.ring = ring;
        this.support = support;
        this.settings = settings;
        this.arena = arena;
        this.eventfd = eventfd;
        this.owner = Thread.currentThread();
        this.msgRingWakes = settings.wake() == IoUringSettings.Wake.MSG_RING && support.msgRing();
        errno = Errno.allocate(arena);
        wakeErrno = Errno.allocate(arena);
        one = arena.allocateFrom(JAVA_LONG, 1L);
        eventfdValue = arena.allocate(JAVA_LONG);
        emptyPath = arena.allocate(JAVA_BYTE);
        waitTimeout = arena.allocate(TIMESPEC);
        waitArgument = arena.allocate(GETEVENTS_ARG);
        waitArgument.set(JAVA_LONG, offset(GETEVENTS_ARG, "ts"), waitTimeout.address());
        registeredBuffers = new RegisteredTable(ring, arena, RegisteredTable.Kind.BUFFERS, settings.registeredBuffers());
        registeredFiles = new RegisteredTable(ring, arena, RegisteredTable.Kind.FILES, settings.registeredFiles());
        growSlotState(slots.capacity());
        armEventfd();
        // Submitted during open, not by the shard's first poll: the first io_uring_enter also links the
        // downcall (tens of milliseconds once), which the stall detector would take for a stuck loop.
        submitNow();
        OPEN_DRIVERS.put(id, this);
    }

    /**
     * Sets up a ring on the calling (shard) thread with {@code settings}.
     *
     * @throws DriverUnavailableException when io_uring cannot run here (the probe says why)
     */
    public static IoUringDriver open(IoUringSettings settings) {
        IoUringSupport support = IoUringSupport.current();
        if (!support.available()) {
            throw new DriverUnavailableException("atoll.driver = io_uring: " + support.reason());
        }
        Arena arena = Arena.ofShared();
        Ring ring = null;
        int eventfd = -1;
        try {
            ring = Ring.open(arena, settings.entries(), settings.entries() * 2, support.setupFlags());
            ring.registerRingFd(arena); // a plain descriptor still works when refused
            limitWorkers(arena, ring, settings);
            MemorySegment errno = Errno.allocate(arena);
            // Blocking on purpose: io_uring honours O_NONBLOCK and would complete the pending read with EAGAIN.
            eventfd = LinuxLibC.eventfd(errno, 0, LinuxConstants.EFD_CLOEXEC);
            if (eventfd < 0) {
                throw new ErrnoException("eventfd", -eventfd);
            }
            return new IoUringDriver(ring, support, settings, arena, eventfd);
        } catch (ErrnoException e) {
            if (eventfd >= 0) {
                LibC.close(Errno.allocate(arena), eventfd);
            }
            if (ring != null) {
                ring.close();
            }
            arena.close();
            throw new DriverUnavailableException("atoll.driver = io_uring: " + e.getMessage());
        }
    }

    private static void limitWorkers(Arena arena, Ring ring, IoUringSettings settings) {
        if (settings.maxBoundedWorkers() == 0 && settings.maxUnboundedWorkers() == 0) {
            return;
        }
        MemorySegment limits = arena.allocate(JAVA_INT, 2);
        limits.setAtIndex(JAVA_INT, 0, settings.maxBoundedWorkers());
        limits.setAtIndex(JAVA_INT, 1, settings.maxUnboundedWorkers());
        long r = ring.register(REGISTER_IOWQ_MAX_WORKERS, limits, 2);
        if (r < 0) {
            LOG.warn("io_uring: capping the kernel's worker threads failed ({}); the kernel's defaults apply",
                    Errno.describe((int) -r));
        }
    }

    @Override
    public DriverKind kind() {
        return DriverKind.IO_URING;
    }

    @Override
    public boolean supportsFiles() {
        return true;
    }

    /** The setup flags, features and opcodes this driver runs with. */
    public IoUringSupport support() {
        return support;
    }

    /** The wake-up path to other io_uring shards: MSG_RING, or eventfd when configured or unsupported. */
    public IoUringSettings.Wake wakePath() {
        return msgRingWakes ? IoUringSettings.Wake.MSG_RING : IoUringSettings.Wake.EVENTFD;
    }

    // ---- submission ----

    @Override
    public void submit(Operation operation) {
        checkOpen();
        long timeout = operation.timeoutNanos();
        if (timeout > 0 && ring.freeSqes() < 2) {
            submitNow(); // the operation and its LINK_TIMEOUT go to the kernel together
        }
        int slot = slots.claim(operation);
        if (slots.capacity() > zeroCopy.length) {
            growSlotState(slots.capacity());
        }
        zeroCopy[slot] = false;
        linked[slot] = false;
        timerFired[slot] = false;
        parked[slot] = false;
        long userData = userData(slot);
        int fd = operation.fd();
        long address = operation.bufferAddress();
        int length = operation.length();
        long at = switch (operation.opcode()) {
            case NOP -> prepare(OP_NOP, -1, 0, 0, 0, 0, userData);
            case POLL -> prepare(OP_POLL_ADD, fd, 0, 0, 0, pollMask(operation.pollEvents()), userData);
            case ACCEPT -> prepare(OP_ACCEPT, fd, 0, 0, 0,
                    LinuxConstants.SOCK_NONBLOCK | LinuxConstants.SOCK_CLOEXEC, userData);
            case ACCEPT_MULTISHOT -> { // a kernel without the flag (see supportsMultishotAccept) answers -EINVAL
                long sqe = prepare(OP_ACCEPT, fd, 0, 0, 0, LinuxConstants.SOCK_NONBLOCK | LinuxConstants.SOCK_CLOEXEC,
                        userData);
                ring.sqes.set(JAVA_SHORT, sqe + SQE_IOPRIO, ACCEPT_MULTISHOT);
                yield sqe;
            }
            case CONNECT -> prepare(OP_CONNECT, fd, operation.address().address(), 0, operation.addressLength(), 0,
                    userData);
            case RECV -> prepare(OP_RECV, fd, address, length, 0, 0, userData);
            case RECV_MULTISHOT -> {
                long sqe = prepare(OP_RECV, fd, 0, 0, 0, 0, userData);
                ring.sqes.set(JAVA_SHORT, sqe + SQE_IOPRIO, RECV_MULTISHOT);
                ring.sqes.set(JAVA_BYTE, sqe + SQE_FLAGS, SQE_BUFFER_SELECT);
                ring.sqes.set(JAVA_SHORT, sqe + SQE_BUF_INDEX, (short) operation.flags());
                yield sqe;
            }
            case SEND -> {
                boolean zc = settings.sendZeroCopyThreshold() > 0 && length >= settings.sendZeroCopyThreshold()
                        && support.sendZeroCopy();
                zeroCopy[slot] = zc;
                yield prepare(zc ? OP_SEND_ZC : OP_SEND, fd, address, length, 0, LinuxConstants.MSG_NOSIGNAL, userData);
            }
            case RECV_FROM -> {
                MemorySegment message = message(slot, operation.address(), (int) SocketAddresses.STORAGE_SIZE,
                        address, length);
                yield prepare(OP_RECVMSG, fd, message.address(), 1, 0, 0, userData);
            }
            case SEND_TO -> {
                MemorySegment message = message(slot, operation.address(), operation.addressLength(), address, length);
                yield prepare(OP_SENDMSG, fd, message.address(), 1, 0, LinuxConstants.MSG_NOSIGNAL, userData);
            }
            case READ -> prepare(OP_READ, fd, address, length, operation.offset(), 0, userData);
            case WRITE -> prepare(OP_WRITE, fd, address, length, operation.offset(), 0, userData);
            case READ_FIXED, WRITE_FIXED -> {
                long sqe = prepare(operation.opcode() == Opcode.READ_FIXED ? OP_READ_FIXED : OP_WRITE_FIXED, fd,
                        address, length, operation.offset(), 0, userData);
                ring.sqes.set(JAVA_SHORT, sqe + SQE_BUF_INDEX, (short) operation.flags());
                yield sqe;
            }
            case FSYNC -> prepare(OP_FSYNC, fd, 0, 0, 0, operation.flags() == 1 ? FSYNC_DATASYNC : 0, userData);
            case OPEN -> prepare(OP_OPENAT, LinuxConstants.AT_FDCWD, operation.address().address(), operation.mode(),
                    0, operation.flags(), userData);
            case CLOSE -> prepare(OP_CLOSE, fd, 0, 0, 0, 0, userData);
            case STATX -> prepare(OP_STATX, fd, emptyPath.address(), LinuxConstants.STATX_SIZE,
                    operation.address().address(), LinuxConstants.AT_EMPTY_PATH, userData);
            case SHUTDOWN -> prepare(OP_SHUTDOWN, fd, 0, operation.flags(), 0, 0, userData);
            // count 0: only the time ends it
            case TIMEOUT -> prepare(OP_TIMEOUT, -1, timespec(slot, operation.offset()).address(), 1, 0, 0, userData);
        };
        if (operation.registeredFile()) {
            addSqeFlags(at, SQE_FIXED_FILE);
        }
        if (timeout > 0) {
            linkTimeout(at, slot, userData, timeout);
        }
    }

    /** SHUTDOWN is among the opcodes {@link IoUringSupport} requires. */
    @Override
    public boolean supportsShutdown() {
        return true;
    }

    @Override
    public boolean supportsLinkedTimeouts() {
        return support.supports(OP_LINK_TIMEOUT);
    }

    @Override
    public boolean supportsMultishotAccept() {
        return support.multishotAccept();
    }

    @Override
    public boolean providesReceiveBuffers() {
        return true;
    }

    @Override
    public int registerReceiveBuffers(MemorySegment[] buffers, int size) {
        checkOpen();
        StringBuilder reason = new StringBuilder();
        ProvidedBufferRing group = ProvidedBufferRing.register(ring, arena, bufferGroups.size(), buffers, size, reason);
        if (group == null) {
            LOG.warn("io_uring: no provided buffer ring ({}); receives use a buffer per connection", reason);
            return -1;
        }
        bufferGroups.add(group);
        return group.group;
    }

    @Override
    public void recycleReceiveBuffer(int group, int id) {
        bufferGroups.get(group).recycle(id);
    }

    @Override
    public int registerBuffer(MemorySegment memory) {
        checkOpen();
        return registeredBuffers.add(memory);
    }

    @Override
    public int registerFile(int fd) {
        checkOpen();
        return registeredFiles.add(fd);
    }

    @Override
    public void unregisterFile(int index) {
        if (!closed) { // closing the ring drops the whole table
            registeredFiles.remove(index);
        }
    }

    /** Buffers registered with {@link #registerBuffer} (for monitoring and tests). */
    public int registeredBuffers() {
        return registeredBuffers.inUse();
    }

    /** Files registered with {@link #registerFile} now. */
    public int registeredFiles() {
        return registeredFiles.inUse();
    }

    /** Why {@link #registerBuffer} answers -1 (the kernel refused, or the setting is 0), or null while it registers. */
    public String registeredBuffersRefusal() {
        return registeredBuffers.refusal();
    }

    @Override
    public void cancel(Operation operation) {
        int slot = operation.driverSlot();
        if (closed || slot < 0 || slots.get(slot) != operation) {
            return; // completed: its result stands
        }
        prepare(OP_ASYNC_CANCEL, -1, userData(slot), 0, 0, 0, IGNORED);
    }

    @Override
    public void detach(int fd) {
        if (closed || slots.inUse() == 0 || fd < 0) {
            return;
        }
        prepare(OP_ASYNC_CANCEL, fd, 0, 0, 0, ASYNC_CANCEL_FD | ASYNC_CANCEL_ALL, IGNORED);
        // Now, not at the next poll: the owner closes the descriptor next, and a cancel by descriptor
        // must find it open. And with the cancelled requests' completions run (GETEVENTS runs deferred
        // task work; their CQEs wait for the next poll): each held a reference to the file, so a listening
        // socket would otherwise go on accepting after its owner closed it.
        ring.publish();
        int r = enter(ring.unsubmitted(), 0, ENTER_GETEVENTS, false);
        if (r < 0 && r != -LinuxConstants.EINTR && r != -LinuxConstants.EAGAIN && r != -LinuxConstants.EBUSY) {
            throw new ErrnoException("io_uring_enter(detach " + fd + ")", -r);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("driver is closed");
        }
    }

    /** The ring's descriptor, which other rings' MSG_RING wake-ups name (for tests). */
    int ringFd() {
        return ring.fd;
    }

    /** The eventfd that {@link #wake()} writes (for tests). */
    int wakeFd() {
        return eventfd;
    }

    /** The {@code user_data} of the operation in {@code slot} (kind 0): the slot and the generation of its claim. */
    long userData(int slot) {
        return ((long) slot << 32) | (slots.generation(slot) & 0xFFFF_FFFFL);
    }

    /** Sets {@code flags} (IOSQE_*) on the SQE at {@code at}, beside those it has. */
    private void addSqeFlags(long at, byte flags) {
        ring.sqes.set(JAVA_BYTE, at + SQE_FLAGS, (byte) (ring.sqes.get(JAVA_BYTE, at + SQE_FLAGS) | flags));
    }

    /** Writes one SQE (the ring is submitted first when full) and returns its offset in the SQE array. */
    private long prepare(byte opcode, int fd, long address, int length, long offset, int opFlags, long userData) {
        long at = ring.nextSqe();
        if (at < 0) {
            submitNow();
            at = ring.nextSqe();
            if (at < 0) {
                throw new IllegalStateException("io_uring: the kernel consumed no submission (SQ still full)");
            }
        }
        MemorySegment sqes = ring.sqes;
        for (long i = 0; i < SQE.byteSize(); i += Long.BYTES) {
            sqes.set(JAVA_LONG, at + i, 0L);
        }
        sqes.set(JAVA_BYTE, at + SQE_OPCODE, opcode);
        sqes.set(JAVA_INT, at + SQE_FD, fd);
        sqes.set(JAVA_LONG, at + SQE_ADDR, address);
        sqes.set(JAVA_INT, at + SQE_LEN, length);
        sqes.set(JAVA_LONG, at + SQE_OFF, offset);
        sqes.set(JAVA_INT, at + SQE_OP_FLAGS, opFlags);
        sqes.set(JAVA_LONG, at + SQE_USER_DATA, userData);
        return at;
    }

    /** Submits what is queued without waiting or running completions (so no operation completes inside). */
    private void submitNow() {
        ring.publish();
        int pending = ring.unsubmitted();
        if (pending > 0) {
            int r = enter(pending, 0, 0, false);
            if (r < 0 && r != -LinuxConstants.EINTR && r != -LinuxConstants.EAGAIN && r != -LinuxConstants.EBUSY) {
                throw new ErrnoException("io_uring_enter(submit " + pending + ")", -r);
            }
        }
    }

    /** A msghdr with one iovec for RECVMSG/SENDMSG, in the slot's own memory (it must outlive the submission). */
    private MemorySegment message(int slot, MemorySegment name, int nameLength, long buffer, int length) {
        MemorySegment message = slotMemory(slot).asSlice(0, MESSAGE_SIZE);
        message.fill((byte) 0);
        message.set(ADDRESS, MSG_NAME, name);
        message.set(JAVA_INT, MSG_NAMELEN, nameLength);
        message.set(JAVA_LONG, MSG_IOV, message.address() + IOVEC_AT);
        message.set(JAVA_LONG, MSG_IOVLEN, 1L);
        message.set(JAVA_LONG, IOVEC_AT + IOV_BASE, buffer);
        message.set(JAVA_LONG, IOVEC_AT + IOV_LEN, length);
        return message;
    }

    /** The slot's own native memory ({@value #SLOT_MEMORY_SIZE} bytes), valid while the driver is open. */
    private MemorySegment slotMemory(int slot) {
        return slotChunks.get(slot / SLOT_CHUNK_SLOTS)
                .asSlice((slot % SLOT_CHUNK_SLOTS) * SLOT_MEMORY_SIZE, SLOT_MEMORY_SIZE);
    }

    /**
     * Links a LINK_TIMEOUT to the SQE at {@code at}: the kernel cancels the operation when the limit passes.
     * Both SQEs must reach the kernel in one submission (a link never spans two), hence the room checked
     * before the operation's SQE was written.
     */
    private void linkTimeout(long at, int slot, long userData, long nanos) {
        addSqeFlags(at, SQE_IO_LINK);
        prepare(OP_LINK_TIMEOUT, -1, timespec(slot, nanos).address(), 1, 0, 0, LINK_TIMEOUT | userData);
        linked[slot] = true;
    }

    /**
     * {@code nanos} as the slot's {@code __kernel_timespec}, which the kernel reads at submission: a TIMEOUT
     * or the LINK_TIMEOUT of the slot's operation (an operation has one or the other, never both).
     */
    private MemorySegment timespec(int slot, long nanos) {
        MemorySegment timespec = slotMemory(slot).asSlice(TIMESPEC_AT, TIMESPEC.byteSize());
        timespec.set(JAVA_LONG, offset(TIMESPEC, "tv_sec"), nanos / 1_000_000_000L);
        timespec.set(JAVA_LONG, offset(TIMESPEC, "tv_nsec"), nanos % 1_000_000_000L);
        return timespec;
    }

    private void armEventfd() {
        prepare(OP_READ, eventfd, eventfdValue.address(), (int) JAVA_LONG.byteSize(), 0, 0, WAKE_EVENTFD);
        eventfdArmed = true;
    }

    // ---- waiting and completions ----

    @Override
    public int poll(long timeoutNanos) {
        checkOpen();
        int completed = reap();
        long wait = completed > 0 ? 0 : timeoutNanos;
        ring.publish();
        int pending = ring.unsubmitted();
        if (wait == 0) {
            // Nothing to submit and no deferred completions to run: no system call (a busy shard polls a lot).
            if (pending == 0 && (ring.sqFlags() & (SQ_TASKRUN | SQ_CQ_OVERFLOW)) == 0) {
                return completed;
            }
            enter(pending, 0, ENTER_GETEVENTS, false);
        } else if (wait < 0) {
            enter(pending, 1, ENTER_GETEVENTS, false);
        } else {
            waitTimeout.set(JAVA_LONG, 0, wait / 1_000_000_000L);
            waitTimeout.set(JAVA_LONG, 8, wait % 1_000_000_000L);
            enter(pending, 1, ENTER_GETEVENTS, true);
        }
        return completed + reap();
    }

    /**
     * One {@code io_uring_enter}; ETIME (the wait ended), EINTR (a signal) and EBUSY/EAGAIN (completions
     * to reap first) are ordinary outcomes, returned as they are.
     */
    private int enter(int toSubmit, int minComplete, int flags, boolean timed) {
        syscalls.add(1);
        int r = timed
                ? ring.enter(toSubmit, minComplete, flags | ENTER_EXT_ARG, waitArgument, GETEVENTS_ARG.byteSize())
                : ring.enter(toSubmit, minComplete, flags, MemorySegment.NULL, 0);
        if (r < 0 && r != -LinuxConstants.ETIME && r != -LinuxConstants.EINTR && r != -LinuxConstants.EAGAIN
                && r != -LinuxConstants.EBUSY) {
            throw new ErrnoException("io_uring_enter", -r);
        }
        return r;
    }

    /** Dispatches every CQE in the ring; returns how many operations completed or progressed. */
    private int reap() {
        int head = ring.cqHead();
        int tail = ring.cqTail();
        int dispatched = 0;
        MemorySegment cqes = ring.cqes;
        while (head != tail) {
            long at = ring.cqe(head);
            long userData = cqes.get(JAVA_LONG, at + CQE_USER_DATA);
            int result = cqes.get(JAVA_INT, at + CQE_RES);
            int flags = cqes.get(JAVA_INT, at + CQE_FLAGS);
            head++;
            ring.cqAdvance(head); // the fields are copied: free the slot before running user code
            dispatched += dispatch(userData, result, flags);
        }
        return dispatched;
    }

    private int dispatch(long userData, int result, int flags) {
        switch ((int) (userData >>> 56)) {
            case KIND_OPERATION -> {
                return completed((int) (userData >>> 32) & (MAX_SLOTS - 1), (int) userData, result, flags);
            }
            case KIND_WAKE_EVENTFD -> {
                eventfdArmed = false;
                wakeGate.drained();
                if (!closed) {
                    armEventfd();
                }
            }
            case KIND_WAKE_MESSAGE -> wakeGate.drained();
            case KIND_WAKE_SENT -> wakeMessageFailed((int) userData, result);
            case KIND_LINK_TIMEOUT -> {
                return timeoutCompleted((int) (userData >>> 32) & (MAX_SLOTS - 1), (int) userData, result);
            }
            default -> {
                if (result < 0 && result != -Errno.ECANCELED && result != -LinuxConstants.ENOENT
                        && result != -LinuxConstants.EALREADY) {
                    LOG.debug("io_uring: an internal request failed: {}", Errno.describe(-result));
                }
            }
        }
        return 0;
    }

    private int completed(int slot, int generation, int result, int flags) {
        Operation operation = slots.get(slot);
        if (operation == null || slots.generation(slot) != generation) {
            return 0; // a stale CQE: the use of the slot it names already had its final completion
        }
        int buffer = (flags & CQE_F_BUFFER) != 0 ? Completion.withBuffer(0, flags >>> CQE_BUFFER_SHIFT) : 0;
        if (zeroCopy[slot]) {
            if ((flags & CQE_F_NOTIF) == 0) {
                zeroCopyResults[slot] = result;
                if ((flags & CQE_F_MORE) != 0) {
                    return 0; // the kernel still holds the buffer: complete with the notification
                }
            }
            result = zeroCopyResults[slot];
        } else if ((flags & CQE_F_MORE) != 0) {
            operation.complete(result, Completion.MORE | buffer);
            return 1;
        }
        if (linked[slot]) { // the timeout's CQE is still to come: it says whether the limit cancelled this
            parked[slot] = true;
            parkedResults[slot] = result;
            return 0;
        }
        return finish(slot, operation, result, buffer);
    }

    /**
     * The CQE of an operation's LINK_TIMEOUT: ETIME when it fired (the kernel then cancels the operation),
     * ECANCELED when the operation completed first. The operation's own final CQE may come before or after.
     */
    private int timeoutCompleted(int slot, int generation, int result) {
        Operation operation = slots.get(slot);
        if (operation == null || slots.generation(slot) != generation || !linked[slot]) {
            return 0;
        }
        linked[slot] = false;
        timerFired[slot] = result == -LinuxConstants.ETIME;
        if (result < 0 && result != -LinuxConstants.ETIME && result != -Errno.ECANCELED) {
            LOG.warn("io_uring: the kernel refused an operation's time limit ({}); the operation runs without it",
                    Errno.describe(-result));
        }
        return parked[slot] ? finish(slot, operation, parkedResults[slot], 0) : 0;
    }

    private int finish(int slot, Operation operation, int result, int flags) {
        boolean timedOut = timerFired[slot] && result == -Errno.ECANCELED;
        slots.release(slot);
        operation.complete(finalResult(operation, slot, result), timedOut ? flags | Completion.TIMED_OUT : flags);
        return 1;
    }

    private int finalResult(Operation operation, int slot, int result) {
        return switch (operation.opcode()) {
            case POLL -> result < 0 ? result : pollEvents(result);
            case RECV_FROM -> {
                if (result >= 0) {
                    operation.address().set(JAVA_INT, SocketAddresses.SLOT_LENGTH_OFFSET,
                            slotMemory(slot).get(JAVA_INT, MSG_NAMELEN));
                }
                yield result;
            }
            case TIMEOUT -> result == -LinuxConstants.ETIME ? 0 : result; // the kernel's "expired" is success here
            default -> result;
        };
    }

    private static int pollMask(int pollEvents) {
        int mask = POLLRDHUP;
        if ((pollEvents & PollEvents.READABLE) != 0) {
            mask |= POLLIN;
        }
        if ((pollEvents & PollEvents.WRITABLE) != 0) {
            mask |= POLLOUT;
        }
        return mask;
    }

    private static int pollEvents(int revents) {
        int events = 0;
        if ((revents & (POLLIN | POLLRDHUP)) != 0) {
            events |= PollEvents.READABLE;
        }
        if ((revents & POLLOUT) != 0) {
            events |= PollEvents.WRITABLE;
        }
        if ((revents & (POLLERR | POLLHUP | POLLRDHUP)) != 0) {
            events |= PollEvents.HANGUP;
        }
        return events;
    }

    // ---- wake-ups ----

    @Override
    public void wake() {
        if (wakeGate.tryEnter()) {
            long r = -1;
            try {
                do {
                    r = LibC.write(wakeErrno, eventfd, one, JAVA_LONG.byteSize());
                } while (r == -LinuxConstants.EINTR);
            } finally {
                if (r < 0) {
                    wakeGate.failed(); // no signal is on its way: the next wake-up must try again
                }
                wakeGate.exit();
            }
            if (r < 0) {
                LOG.warn("io_uring: waking a shard through its eventfd failed: {}", Errno.describe((int) -r));
            }
        }
    }

    /**
     * Wakes another io_uring driver with a {@code MSG_RING} from this ring (a CQE appears in the target's
     * ring: no descriptor, no eventfd); other drivers, or when configured so, through their {@link #wake()}.
     * A MSG_RING that cannot be submitted, or that the kernel refuses (its CQE comes back to this ring,
     * see {@link #wakeMessageFailed}), clears the target's gate and wakes it through its eventfd.
     */
    @Override
    public void wake(Driver target) {
        if (!(target instanceof IoUringDriver other) || !msgRingWakes || !other.msgRingWakes || closed) {
            target.wake();
            return;
        }
        if (other.wakeGate.tryEnter()) {
            boolean submitted = false;
            try {
                // Submitted now, while the gate keeps the target's ring open; no CQE here when it succeeds.
                long at = prepare(OP_MSG_RING, other.ring.fd, MSG_DATA, 0, WAKE_MESSAGE, 0,
                        WAKE_SENT | (other.id & 0xFFFF_FFFFL));
                addSqeFlags(at, SQE_CQE_SKIP_SUCCESS);
                submitNow();
                submitted = true;
            } catch (RuntimeException e) {
                LOG.warn("io_uring: submitting a MSG_RING wake-up failed ({}); the target is woken through its "
                        + "eventfd", e.getMessage());
            } finally {
                if (!submitted) {
                    other.wakeGate.failed();
                }
                other.wakeGate.exit();
            }
            if (!submitted) {
                other.wake();
            }
        }
    }

    /**
     * The CQE of a MSG_RING wake-up this ring sent: with {@code IOSQE_CQE_SKIP_SUCCESS} only a failure
     * posts one. The target's gate still says a signal is on its way, which would keep every later waker
     * away: it is cleared and the target woken through its eventfd (nothing to do when it has closed).
     */
    private void wakeMessageFailed(int targetId, int result) {
        IoUringDriver target = result < 0 ? OPEN_DRIVERS.get(targetId) : null;
        if (target == null) {
            return;
        }
        if (failedWakeMessages++ == 0) {
            LOG.warn("io_uring: a MSG_RING wake-up to another shard failed ({}); it is woken through its eventfd "
                    + "(further failures of this ring are logged at debug level)", Errno.describe(-result));
        } else {
            LOG.debug("io_uring: a MSG_RING wake-up to another shard failed ({})", Errno.describe(-result));
        }
        target.wakeGate.failed();
        target.wake();
    }

    @Override
    public long syscalls() {
        return syscalls.get();
    }

    // ---- closing ----

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        OPEN_DRIVERS.remove(id);
        wakeGate.seal();
        try {
            if (Thread.currentThread() == owner) {
                drainOnClose();
            } else {
                LOG.warn("io_uring: driver closed from {} instead of its shard thread; in-flight operations are "
                        + "completed without waiting for the kernel", Thread.currentThread().getName());
            }
            for (int slot = 0; slot < slots.capacity(); slot++) {
                if (slots.get(slot) != null) {
                    slots.release(slot).complete(-Errno.ECANCELED, 0);
                }
            }
        } finally {
            ring.close();
            LibC.close(errno, eventfd);
            arena.close();
        }
    }

    /** Cancels every request and dispatches their final CQEs, so no buffer is written after close returns. */
    private void drainOnClose() {
        prepare(OP_ASYNC_CANCEL, -1, 0, 0, 0, ASYNC_CANCEL_ALL | ASYNC_CANCEL_ANY, IGNORED);
        long deadline = System.nanoTime() + CLOSE_DRAIN_NANOS;
        while (slots.inUse() > 0 || eventfdArmed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.error("io_uring: {} operations did not finish within 5 s of closing; completing them anyway",
                        slots.inUse());
                return;
            }
            ring.publish();
            waitTimeout.set(JAVA_LONG, 0, 0L);
            waitTimeout.set(JAVA_LONG, 8, Math.min(left, 100_000_000L));
            enter(ring.unsubmitted(), 1, ENTER_GETEVENTS, true);
            reap();
        }
    }

    /** Grows the per-slot state with the table (rare: only when more operations are in flight than ever before). */
    private void growSlotState(int capacity) {
        zeroCopy = Arrays.copyOf(zeroCopy, capacity);
        zeroCopyResults = Arrays.copyOf(zeroCopyResults, capacity);
        linked = Arrays.copyOf(linked, capacity);
        timerFired = Arrays.copyOf(timerFired, capacity);
        parked = Arrays.copyOf(parked, capacity);
        parkedResults = Arrays.copyOf(parkedResults, capacity);
        for (int chunk = slotChunks.size(); chunk * SLOT_CHUNK_SLOTS < capacity; chunk++) {
            slotChunks.add(arena.allocate(SLOT_CHUNK_SLOTS * SLOT_MEMORY_SIZE, 8));
        }
    }
}
