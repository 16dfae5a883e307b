package dev.atoll.drivers;

/**
 * What an {@link Operation} asks the kernel to do. Socket operations are on non-blocking sockets the
 * caller owns; their results follow the system call's convention ({@code >= 0}, or {@code -errno}).
 */
public enum Opcode {
    /** Completes with 0 on the next poll; measures the driver's round trip. */
    NOP(0),
    /**
     * Waits until a descriptor is ready for {@link Operation#pollEvents()} ({@link PollEvents} bits);
     * completes with the ready bits. One-shot.
     */
    POLL(0),
    /** Accepts one connection: completes with its descriptor (non-blocking, close-on-exec). */
    ACCEPT(PollEvents.READABLE),
    /**
     * Accepts connections on the listening socket for as long as it stays armed: one completion per
     * connection (its descriptor, non-blocking, close-on-exec) with {@link Completion#MORE}, until an error
     * (e.g. {@code -EMFILE}), a cancel, or the kernel ends it; that final completion carries no
     * {@link Completion#MORE}. Only where {@link Driver#supportsMultishotAccept()}.
     */
    ACCEPT_MULTISHOT(PollEvents.READABLE),
    /** Connects to {@link Operation#address()}: completes with 0 once connected. */
    CONNECT(PollEvents.WRITABLE),
    /** Receives into the buffer: completes with the bytes received, 0 at end of stream. */
    RECV(PollEvents.READABLE),
    /**
     * Receives repeatedly into buffers the kernel picks from the group {@link Operation#flags()} that
     * {@link Driver#registerReceiveBuffers} made: one completion per arrival with {@link Completion#MORE}
     * and {@link Completion#BUFFER}, until the end of stream (0), an error, a cancel, or the group ran
     * out of buffers ({@code -ENOBUFS}). Only where {@link Driver#registerReceiveBuffers} succeeded.
     */
    RECV_MULTISHOT(PollEvents.READABLE),
    /** Sends from the buffer (never raising SIGPIPE): completes with the bytes sent, possibly fewer than asked. */
    SEND(PollEvents.WRITABLE),
    /**
     * Receives one datagram into the buffer and its sender's address into {@link Operation#address()}
     * (a {@link dev.atoll.drivers.ffi.SocketAddresses#SLOT_SIZE} slot): completes with its length.
     */
    RECV_FROM(PollEvents.READABLE),
    /** Sends one datagram from the buffer to {@link Operation#address()}: completes with its length. */
    SEND_TO(PollEvents.WRITABLE),
    /**
     * Reads up to {@link Operation#length()} bytes of a file at {@link Operation#offset()}: completes with
     * the count, 0 at the end of the file. Only where {@link Driver#supportsFiles()}.
     */
    READ(0),
    /** Writes {@link Operation#length()} bytes to a file at {@link Operation#offset()}: completes with the count. */
    WRITE(0),
    /**
     * {@link #READ} into memory inside the registered buffer {@link Operation#flags()} (see
     * {@link Driver#registerBuffer}): the kernel skips pinning the pages per operation. Only where
     * {@link Driver#registerBuffer} succeeded.
     */
    READ_FIXED(0),
    /** {@link #WRITE} from memory inside the registered buffer {@link Operation#flags()}. */
    WRITE_FIXED(0),
    /** Flushes a file to stable storage ({@link Operation#flags()} 1: its data only, as fdatasync): completes with 0. */
    FSYNC(0),
    /**
     * Opens the NUL-terminated path in {@link Operation#address()} with open(2) {@link Operation#flags()} and
     * {@link Operation#mode()}: completes with the new descriptor.
     */
    OPEN(0),
    /** Closes a descriptor: completes with 0. */
    CLOSE(0),
    /**
     * Reads the status of the open file {@link Operation#fd()} into the {@code struct statx} buffer
     * {@link Operation#address()} ({@link dev.atoll.drivers.ffi.Statx}): completes with 0, the size then in
     * the buffer. Only where {@link Driver#supportsFiles()}.
     */
    STATX(0),
    /**
     * Shuts down one direction of a connected socket ({@link Operation#flags()}: {@code SHUT_RD},
     * {@code SHUT_WR} or {@code SHUT_RDWR}): completes with 0. Only where {@link Driver#supportsShutdown()}.
     */
    SHUTDOWN(0),
    /**
     * Waits {@link Operation#offset()} nanoseconds in the kernel: completes with 0 when they have passed,
     * {@code -ECANCELED} when cancelled first. Only where {@link Driver#supportsFiles()} (io_uring); shards
     * keep their own timers in a wheel, this is for callers that want the kernel's clock in the ring.
     */
    TIMEOUT(0);

    private final int readiness;

    Opcode(int readiness) {
        this.readiness = readiness;
    }

    /** The readiness ({@link PollEvents} bit) a readiness driver waits for when this operation would block. */
    public int readiness() {
        return readiness;
    }
}
