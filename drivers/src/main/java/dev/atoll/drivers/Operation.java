package dev.atoll.drivers;

import java.lang.foreign.MemorySegment;

/**
 * One request to a {@link Driver}, completed on the shard thread through {@link #complete(int, int)}.
 *
 * <p>An operation is owned by its driver from {@link Driver#submit(Operation)} until its final
 * completion; only then may it, and the memory it names, be reused. Results follow the kernel's
 * convention: a value {@code >= 0} on success, {@code -errno} on failure.
 *
 * <p>An operation is prepared again for each use, so one object per connection direction serves every
 * read or write it makes. The driver keeps its bookkeeping in {@link #driverSlot()} (the generation that
 * tells a stale completion from a current one belongs to the slot, see {@link OperationSlots}): a
 * submission allocates nothing.
 */
public abstract class Operation {
    private Opcode opcode = Opcode.NOP;
    private int fd = -1;
    private int pollEvents;
    private long bufferAddress;
    private int length;
    private MemorySegment address = MemorySegment.NULL;
    private int addressLength;
    private long offset;
    private int flags;
    private int mode;
    private long timeoutNanos;
    private boolean registeredFile;
    /** Driver bookkeeping: index of the operation in the driver's table, or -1 when not submitted. */
    private int driverSlot = -1;

    /** A NOP, owned by no driver; subclasses say what its completion does. */
    protected Operation() {
    }

    /** Makes this a NOP. */
    public final Operation prepareNop() {
        return prepare(Opcode.NOP, -1);
    }

    /** Makes this a one-shot readiness wait on {@code fd} for {@link PollEvents} bits. */
    public final Operation preparePoll(int fd, int pollEvents) {
        prepare(Opcode.POLL, fd);
        this.pollEvents = pollEvents;
        return this;
    }

    /** Makes this an accept on the listening socket {@code fd}. */
    public final Operation prepareAccept(int fd) {
        return prepare(Opcode.ACCEPT, fd);
    }

    /** Makes this a multishot accept on the listening socket {@code fd} (see {@link Driver#supportsMultishotAccept()}). */
    public final Operation prepareAcceptMultishot(int fd) {
        return prepare(Opcode.ACCEPT_MULTISHOT, fd);
    }

    /**
     * Makes this a connect of socket {@code fd} to the {@code sockaddr} of {@code addressLength} bytes in
     * {@code address} (see {@link dev.atoll.drivers.ffi.SocketAddresses#encode}), which must stay
     * untouched until completion.
     */
    public final Operation prepareConnect(int fd, MemorySegment address, int addressLength) {
        prepare(Opcode.CONNECT, fd);
        this.address = address;
        this.addressLength = addressLength;
        return this;
    }

    /** Makes this a receive of up to {@code length} bytes into native memory at {@code bufferAddress}. */
    public final Operation prepareRecv(int fd, long bufferAddress, int length) {
        return prepareTransfer(Opcode.RECV, fd, bufferAddress, length);
    }

    /** Makes this a multishot receive into buffers of {@code group} (see {@link Driver#registerReceiveBuffers}). */
    public final Operation prepareRecvMultishot(int fd, int group) {
        prepare(Opcode.RECV_MULTISHOT, fd);
        this.flags = group;
        return this;
    }

    /** Makes this a send of {@code length} bytes from native memory at {@code bufferAddress}. */
    public final Operation prepareSend(int fd, long bufferAddress, int length) {
        return prepareTransfer(Opcode.SEND, fd, bufferAddress, length);
    }

    /**
     * Makes this a receive of one datagram (up to {@code length} bytes, the rest of a longer one is
     * lost) whose sender's address is written into {@code addressSlot}
     * ({@link dev.atoll.drivers.ffi.SocketAddresses#SLOT_SIZE} bytes).
     */
    public final Operation prepareRecvFrom(int fd, long bufferAddress, int length, MemorySegment addressSlot) {
        prepareTransfer(Opcode.RECV_FROM, fd, bufferAddress, length);
        this.address = addressSlot;
        return this;
    }

    /** Makes this a send of one datagram to the {@code sockaddr} in {@code address}. */
    public final Operation prepareSendTo(int fd, long bufferAddress, int length, MemorySegment address,
                                         int addressLength) {
        prepareTransfer(Opcode.SEND_TO, fd, bufferAddress, length);
        this.address = address;
        this.addressLength = addressLength;
        return this;
    }

    /** Makes this a read of up to {@code length} bytes of file {@code fd} at {@code offset}. */
    public final Operation prepareRead(int fd, long bufferAddress, int length, long offset) {
        prepareTransfer(Opcode.READ, fd, bufferAddress, length);
        this.offset = offset;
        return this;
    }

    /** Makes this a write of {@code length} bytes to file {@code fd} at {@code offset}. */
    public final Operation prepareWrite(int fd, long bufferAddress, int length, long offset) {
        prepareTransfer(Opcode.WRITE, fd, bufferAddress, length);
        this.offset = offset;
        return this;
    }

    /**
     * Makes this a read into memory that lies inside the buffer registered as {@code bufferIndex} (see
     * {@link Driver#registerBuffer}).
     */
    public final Operation prepareReadFixed(int fd, long bufferAddress, int length, long offset, int bufferIndex) {
        prepareRead(fd, bufferAddress, length, offset);
        return fixed(Opcode.READ_FIXED, bufferIndex);
    }

    /** Makes this a write from memory that lies inside the buffer registered as {@code bufferIndex}. */
    public final Operation prepareWriteFixed(int fd, long bufferAddress, int length, long offset, int bufferIndex) {
        prepareWrite(fd, bufferAddress, length, offset);
        return fixed(Opcode.WRITE_FIXED, bufferIndex);
    }

    private Operation fixed(Opcode opcode, int bufferIndex) {
        if (bufferIndex < 0) {
            throw new IllegalArgumentException("no registered buffer " + bufferIndex);
        }
        this.opcode = opcode;
        this.flags = bufferIndex;
        return this;
    }

    /** Makes this an fsync of {@code fd}, or an fdatasync when {@code dataOnly}. */
    public final Operation prepareFsync(int fd, boolean dataOnly) {
        prepare(Opcode.FSYNC, fd);
        this.flags = dataOnly ? 1 : 0;
        return this;
    }

    /**
     * Makes this an open of the NUL-terminated {@code path} (which must stay untouched until completion)
     * with open(2) {@code flags} and {@code mode}.
     */
    public final Operation prepareOpen(MemorySegment path, int flags, int mode) {
        prepare(Opcode.OPEN, -1);
        this.address = path;
        this.flags = flags;
        this.mode = mode;
        return this;
    }

    /** Makes this a close of descriptor {@code fd}. */
    public final Operation prepareClose(int fd) {
        return prepare(Opcode.CLOSE, fd);
    }

    /**
     * Makes this a status read of file {@code fd} into {@code statx}, a
     * {@link dev.atoll.drivers.ffi.Statx#allocate buffer} that must stay untouched until completion.
     */
    public final Operation prepareStatx(int fd, MemorySegment statx) {
        prepare(Opcode.STATX, fd);
        this.address = statx;
        return this;
    }

    /** Makes this a {@code shutdown(fd, how)} of a connected socket. */
    public final Operation prepareShutdown(int fd, int how) {
        prepare(Opcode.SHUTDOWN, fd);
        this.flags = how;
        return this;
    }

    /** Makes this a wait of {@code nanos} in the kernel ({@link Opcode#TIMEOUT}). */
    public final Operation prepareTimeout(long nanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException("timeout must be positive: " + nanos + " ns");
        }
        prepare(Opcode.TIMEOUT, -1);
        this.offset = nanos;
        return this;
    }

    private Operation prepareTransfer(Opcode opcode, int fd, long bufferAddress, int length) {
        prepare(opcode, fd);
        this.bufferAddress = bufferAddress;
        this.length = length;
        return this;
    }

    private Operation prepare(Opcode opcode, int fd) {
        checkNotInFlight();
        this.opcode = opcode;
        this.fd = fd;
        this.pollEvents = 0;
        this.bufferAddress = 0;
        this.length = 0;
        this.address = MemorySegment.NULL;
        this.addressLength = 0;
        this.offset = 0;
        this.flags = 0;
        this.mode = 0;
        this.timeoutNanos = 0;
        this.registeredFile = false;
        return this;
    }

    /**
     * Says that the {@code fd} of the prepared READ, WRITE, READ_FIXED, WRITE_FIXED or FSYNC is an index
     * into the driver's registered file table (see {@link Driver#registerFile}), not a descriptor. Cleared
     * by the next {@code prepareXxx}.
     */
    public final Operation onRegisteredFile() {
        checkNotInFlight();
        switch (opcode) {
            case READ, WRITE, READ_FIXED, WRITE_FIXED, FSYNC -> registeredFile = true;
            default -> throw new IllegalStateException("a registered file is for file reads, writes and syncs, not "
                    + opcode);
        }
        return this;
    }

    private void checkNotInFlight() {
        if (driverSlot >= 0) {
            throw new IllegalStateException("operation is in flight: it belongs to its driver until it completes");
        }
    }

    /** True when {@link #fd()} is an index into the driver's registered file table. */
    public final boolean registeredFile() {
        return registeredFile;
    }

    /**
     * Gives the prepared (single-shot) operation a time limit, counted from its submission: where
     * {@link Driver#supportsLinkedTimeouts()} the kernel cancels it when the limit passes, and it completes
     * with {@code -ECANCELED} and {@link Completion#TIMED_OUT}. Other drivers ignore it (their callers
     * cancel with a timer). Cleared by the next {@code prepareXxx}.
     */
    public final Operation timeoutNanos(long nanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException("timeout must be positive: " + nanos + " ns");
        }
        checkNotInFlight();
        if (opcode == Opcode.ACCEPT_MULTISHOT || opcode == Opcode.RECV_MULTISHOT || opcode == Opcode.TIMEOUT) {
            throw new IllegalStateException("a multishot operation or a TIMEOUT takes no time limit: " + opcode);
        }
        this.timeoutNanos = nanos;
        return this;
    }

    public final Opcode opcode() {
        return opcode;
    }

    public final int fd() {
        return fd;
    }

    public final int pollEvents() {
        return pollEvents;
    }

    /** The native address of the data of a transfer. */
    public final long bufferAddress() {
        return bufferAddress;
    }

    /** The byte count of a transfer. */
    public final int length() {
        return length;
    }

    /** The {@code sockaddr} of CONNECT and SEND_TO, the address slot of RECV_FROM, the buffer of STATX. */
    public final MemorySegment address() {
        return address;
    }

    /** The length of {@link #address()} for CONNECT and SEND_TO. */
    public final int addressLength() {
        return addressLength;
    }

    /** The file offset of a READ or WRITE; the nanoseconds of a TIMEOUT. */
    public final long offset() {
        return offset;
    }

    /**
     * The flags of an OPEN (open(2) flags), an FSYNC (1: data only), the buffer group of a RECV_MULTISHOT,
     * the registered buffer of a READ_FIXED or WRITE_FIXED, the direction of a SHUTDOWN.
     */
    public final int flags() {
        return flags;
    }

    /** The time limit set by {@link #timeoutNanos(long)}, or 0 for none. */
    public final long timeoutNanos() {
        return timeoutNanos;
    }

    /** The mode of a file an OPEN creates. */
    public final int mode() {
        return mode;
    }

    public final int driverSlot() {
        return driverSlot;
    }

    public final void driverSlot(int slot) {
        this.driverSlot = slot;
    }

    /**
     * A readiness driver calls this when the operation must wait for its descriptor: until
     * {@link #beforeRetry()} the driver touches none of its memory, so the operation may lend its buffer
     * out meanwhile (an idle connection then holds no receive buffer). Completion drivers never call it.
     */
    public void onWait() {
    }

    /**
     * A readiness driver calls this when the descriptor became ready, before it tries again; an
     * operation that gave its buffer away in {@link #onWait()} takes one again here and names it with
     * {@link #rebuffer}. Returning false completes the operation with {@code -ENOBUFS}.
     */
    public boolean beforeRetry() {
        return true;
    }

    /** Points a transfer that is waiting at other memory; only from {@link #beforeRetry()}. */
    protected final void rebuffer(long bufferAddress, int length) {
        this.bufferAddress = bufferAddress;
        this.length = length;
    }

    /**
     * Called by the driver on the shard thread. {@code result} is {@code >= 0} on success or
     * {@code -errno}; {@code flags} holds {@link Completion} bits.
     */
    public abstract void complete(int result, int flags);
}
