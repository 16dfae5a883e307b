package dev.atoll.drivers;

import dev.atoll.config.DriverKind;

import java.lang.foreign.MemorySegment;

/**
 * A shard's I/O driver: the one place where a shard thread talks to the kernel.
 *
 * <p>The SPI covers completion-based drivers (io_uring: operations are submitted, their completions
 * come back) and readiness-based ones (epoll, kqueue: the driver tries each operation, arms interest
 * on {@code EAGAIN}, retries when the descriptor is ready, and then completes it). Either way the
 * caller sees the same thing: {@link #submit(Operation)} hands an operation to the driver, and a
 * later {@link #poll(long)} calls {@link Operation#complete(int, int)} on the shard thread.
 *
 * <p>Threading: everything except {@link #wake()} is called only by the owning shard thread. The
 * driver must be opened on that thread (io_uring rings are single-issuer).
 */
public interface Driver extends AutoCloseable {

    /** Which implementation this is. */
    DriverKind kind();

    /**
     * Queues an operation; it is submitted to the kernel by the next {@link #poll(long)} at the latest.
     * The driver owns the operation, and any memory it refers to, until its final completion (one
     * without {@link Completion#MORE}).
     */
    void submit(Operation operation);

    /**
     * Asks for an operation to be cancelled. The outcome arrives as its completion: {@code -ECANCELED}
     * when it was cancelled, or its normal result when it completed first. Cancelling an operation
     * that has already completed does nothing.
     */
    void cancel(Operation operation);

    /**
     * Forgets descriptor {@code fd} before its owner closes it or hands it to another shard: operations
     * in flight on it complete with {@code -ECANCELED} (by the next {@link #poll(long)}) and the driver
     * drops any registration it holds for it. The caller still owns the descriptor.
     */
    void detach(int fd);

    /**
     * Submits what is queued, then waits for at least one completion or a {@link #wake()}, at most
     * {@code timeoutNanos} (0: do not wait; negative: no limit), and dispatches every completion that
     * is ready. One call is one kernel round trip where the driver allows it.
     *
     * @return the number of completions dispatched
     */
    int poll(long timeoutNanos);

    /**
     * Interrupts a current or the next {@link #poll(long)} of this driver. Callable from any thread;
     * cheap but a system call, which is why shards call it only for a target that is asleep.
     */
    void wake();

    /**
     * Wakes another shard's driver from this driver's shard thread. A driver may use a faster path
     * between drivers of its own kind (io_uring's {@code MSG_RING}); the default is
     * {@code target.wake()}.
     */
    default void wake(Driver target) {
        target.wake();
    }

    /**
     * True when this driver runs the file opcodes ({@link Opcode#READ}, {@link Opcode#WRITE},
     * {@link Opcode#FSYNC}, {@link Opcode#OPEN}, {@link Opcode#CLOSE}, {@link Opcode#STATX}) asynchronously; readiness drivers do
     * not (the kernel offers no readiness for regular files) and complete them with {@code -EOPNOTSUPP}.
     */
    default boolean supportsFiles() {
        return false;
    }

    /**
     * True when this driver runs {@link Opcode#SHUTDOWN} (io_uring); readiness drivers complete it with
     * {@code -EOPNOTSUPP}, their callers call {@code shutdown(2)} directly (it never blocks).
     */
    default boolean supportsShutdown() {
        return false;
    }

    /**
     * True when this driver runs {@link Opcode#ACCEPT_MULTISHOT} (io_uring on kernels that have it): one
     * submission accepts connection after connection. Readiness drivers complete it with {@code -EOPNOTSUPP}.
     */
    default boolean supportsMultishotAccept() {
        return false;
    }

    /**
     * True when this driver honours {@link Operation#timeoutNanos(long)}: the kernel cancels a single-shot
     * operation whose time limit passes (io_uring's linked timeouts), so no timer and no cancel request of
     * the caller's are needed. Readiness drivers ignore the limit.
     */
    default boolean supportsLinkedTimeouts() {
        return false;
    }

    /** True when this driver may accept {@link #registerReceiveBuffers} (io_uring); readiness drivers never do. */
    default boolean providesReceiveBuffers() {
        return false;
    }

    /**
     * Hands the kernel {@code buffers} (each at least {@code size} bytes; the driver keeps them reachable
     * until it closes) for {@link Opcode#RECV_MULTISHOT}: the kernel picks one per arrival of data, so a
     * connection waiting for data holds none. Buffer {@code i} is the caller's from the completion that
     * names it until {@link #recycleReceiveBuffer}.
     *
     * @return the group to name in {@link Operation#prepareRecvMultishot}, or -1 when the driver has no
     *         such buffers (readiness drivers; kernels refusing provided buffer rings)
     */
    default int registerReceiveBuffers(MemorySegment[] buffers, int size) {
        return -1;
    }

    /** Gives buffer {@code id} of {@code group} back to the kernel. */
    default void recycleReceiveBuffer(int group, int id) {
        throw new UnsupportedOperationException("no receive buffer groups on " + kind().displayName());
    }

    /**
     * Registers {@code memory} with the kernel for {@link Opcode#READ_FIXED} and {@link Opcode#WRITE_FIXED}
     * (io_uring): the kernel pins its pages once, not per operation. The driver keeps the memory reachable
     * until it closes. A driver that refuses (readiness drivers; a full table; the kernel refusing, e.g. over
     * the locked-memory limit, which the driver logs once with the reason) answers -1, and the caller uses
     * {@link Opcode#READ}/{@link Opcode#WRITE}.
     *
     * @return the buffer index to name in {@link Operation#prepareReadFixed}, or -1
     */
    default int registerBuffer(MemorySegment memory) {
        return -1;
    }

    /**
     * Registers the open file {@code fd} (io_uring): operations marked {@link Operation#onRegisteredFile()}
     * then name it by the returned index and the kernel skips its file-table lookup. The table holds its own
     * reference to the file until {@link #unregisterFile}; the caller still closes {@code fd}.
     *
     * @return the index, or -1 when the driver has no such table or it is full or refused
     */
    default int registerFile(int fd) {
        return -1;
    }

    /** Empties registered file {@code index}; operations in flight on it keep their reference until they complete. */
    default void unregisterFile(int index) {
        throw new UnsupportedOperationException("no registered files on " + kind().displayName());
    }

    /** System calls this driver has made (single writer: the shard thread; read with opaque ordering). */
    long syscalls();

    /** Releases the kernel objects of this driver. Pending operations complete with {@code -ECANCELED}. */
    @Override
    void close();
}
