package dev.atoll.io;

import dev.atoll.drivers.Completion;
import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.LibC;
import dev.atoll.drivers.ffi.OsConstants;
import dev.atoll.drivers.ffi.SocketAddresses;
import dev.atoll.drivers.ffi.Sockets;
import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A connected stream socket — TCP (IPv4 or IPv6) or Unix domain — owned by one shard. Every method
 * runs on that shard; results are shard-local {@link Promise}s.
 *
 * <p>Reading, one of two ways: {@link #read(Buffer)} fills a buffer the caller passes and hands it
 * back with the count; {@link #receive(Receiver)} delivers buffers the runtime picks, which the
 * receiver releases. One read at a time. Writing: {@link #write(Buffer)} sends once (possibly part
 * of the data), {@link #writeAll(Buffer)} sends everything; writes issued while one is in progress
 * queue behind it in order, up to {@code atoll.io.write-backlog.limit} bytes. A buffer passed to an
 * operation belongs to it until its promise completes. {@link #writeAll(Buffer, WriteListener)} tells a
 * {@link WriteListener} instead of completing a promise, so a write allocates nothing.
 *
 * <p>Every operation takes an optional timeout; when it passes, the operation is cancelled and its
 * promise fails with {@link IoTimeoutException}. {@link #cancelRead()} cancels explicitly; the promise
 * reports what happened (cancelled, or the result if the read completed first).
 */
public final class Connection implements IoShard.Resource {
    static {
        // A write's completion is checked against WriteListener; a process out of descriptors (EMFILE)
        // could not load that class at its first write (EmfileTest), so it is loaded with this one.
        WriteListener.class.getName();
    }

    private final IoShard io;
    private final int fd;
    private final boolean tcp;
    private final IoOperation readOp;
    private final IoOperation writeOp;
    private boolean open = true;
    private SocketAddress remote;
    private Runnable closeListener;

    // reads
    private Input input = Input.IDLE;
    /** The read in flight (READING). */
    private Buffer readBuffer;
    private Promise<Integer> readPromise;
    /** Who gets what arrives, from {@link #receive} to its {@code onEnd}. */
    private Receiver receiver;
    /** The single receive's buffer (RECEIVING), or none while it waits for data. */
    private Buffer receiveBuffer;
    /** Buffers handed to the receiver and not released yet. */
    private int unreleased;
    /**
     * {@code onData} is running: a buffer released inside it resumes nothing (every caller of
     * {@link #deliver} looks again afterwards), so the receiver is never called inside its own call.
     */
    private boolean delivering;
    /** Data that came after the receiver fell behind (multishot only), delivered when it catches up. */
    private ArrayDeque<Buffer> parked;
    /** In ENDING: why receiving ended (null: the end of stream), reported once the parked data is delivered. */
    private Throwable parkedEnd;
    private final Runnable receivedBufferReleased = this::receivedBufferReleased;

    // writes: the one in flight, then the queue behind it
    private Output output = Output.IDLE;
    // The write in flight (states WRITING and DRAINING), in fields: a write allocates at most its promise.
    private Buffer writeBuffer;
    /** Who is told when it ends: a {@code Promise<Object>} or a {@link WriteListener}. */
    private Object writeCompletion;
    private boolean writeAllMode;
    /** Its readable bytes when it was issued. */
    private int writeLength;
    /** System.nanoTime() by which the write in progress must finish, or Long.MAX_VALUE: none. */
    private long writeDeadline = Long.MAX_VALUE;
    private final ArrayDeque<PendingWrite> queued = new ArrayDeque<>();
    private long queuedBytes;
    /** What {@link #shutdownOutput()} returned, while the shutdown waits (DRAINING) or runs (SHUTTING_DOWN). */
    private Promise<Void> shutdownPromise;

    // connect
    private MemorySegment connectAddress;
    private Promise<Connection> connectPromise;

    Connection(IoShard io, int fd, boolean tcp) {
        this.io = io;
        this.fd = fd;
        this.tcp = tcp;
        this.readOp = new IoOperation(io, new Reads());
        this.writeOp = new IoOperation(io, this::writeCompleted, true);
        io.opened(this);
    }

    /** Connects to {@code remote} with the default socket options ({@code atoll.io.socket}), on the calling shard. */
    public static Promise<Connection> connect(SocketAddress remote, Duration timeout) {
        return connect(remote, timeout, IoShard.current().settings().socketOptions());
    }

    /**
     * Connects to {@code remote} (an {@link InetSocketAddress}, IPv4 or IPv6, or a
     * {@link java.net.UnixDomainSocketAddress}) on the calling shard; fails with {@link IoTimeoutException}
     * when {@code timeout} (null: none) passes first, or an {@link IoException} such as {@code ECONNREFUSED}.
     */
    public static Promise<Connection> connect(SocketAddress remote, Duration timeout, SocketOptions options) {
        IoShard io = IoShard.current();
        boolean tcp = remote instanceof InetSocketAddress;
        int fd = SocketCalls.open(io, SocketAddresses.family(remote), OsConstants.SOCK_STREAM);
        Connection connection;
        try {
            SocketCalls.apply(io, fd, options, tcp);
            connection = new Connection(io, fd, tcp);
        } catch (RuntimeException e) {
            LibC.close(io.errno, fd);
            return Promise.failed(e);
        }
        connection.remote = remote;
        connection.connectAddress = Arena.ofAuto().allocate(SocketAddresses.STORAGE_SIZE);
        int length = SocketAddresses.encode(remote, connection.connectAddress);
        connection.connectPromise = new Promise<>();
        connection.output = Output.CONNECTING;
        connection.writeOp.prepareConnect(fd, connection.connectAddress, length);
        connection.writeOp.submit(timeout);
        return connection.connectPromise;
    }

    // ---- reading ----

    /** {@link #read(Buffer, Duration)} without a timeout. */
    public Promise<Integer> read(Buffer buffer) {
        return read(buffer, null);
    }

    /**
     * Reads what is available (at least one byte) into {@code buffer} after its write index. Completes
     * with the count, or -1 at the peer's end of stream; the buffer is the operation's until then.
     */
    public Promise<Integer> read(Buffer buffer, Duration timeout) {
        Objects.requireNonNull(buffer, "buffer");
        if (!open) {
            return Promise.failed(closedException("read"));
        }
        if (input != Input.IDLE) {
            throw new IllegalStateException("a read or receive is already in progress on " + this);
        }
        if (buffer.writableBytes() == 0) {
            throw new IllegalArgumentException("the buffer has no room to read into: " + buffer);
        }
        buffer.lend();
        input = Input.READING;
        readBuffer = buffer;
        readPromise = new Promise<>();
        readOp.prepareRecv(fd, buffer.address() + buffer.writeIndex(), buffer.writableBytes());
        readOp.submit(timeout);
        return readPromise;
    }

    /**
     * Delivers everything this connection receives to {@code receiver}, in buffers of
     * {@code atoll.io.receive.buffer-size} from the shard's pool, until the end of stream, an error, or
     * {@link #close()}. Not together with {@link #read}.
     */
    public void receive(Receiver receiver) {
        Objects.requireNonNull(receiver, "receiver");
        if (input != Input.IDLE) {
            throw new IllegalStateException("a read or receive is already in progress on " + this);
        }
        this.receiver = receiver;
        input = Input.PAUSED; // nothing in flight yet
        if (!open) {
            endReceiving(closedException("receive"));
            return;
        }
        receiveNext();
    }

    /** Cancels the read in progress; its promise reports the outcome (cancelled, or its result if first). */
    public void cancelRead() {
        readOp.cancel();
    }

    /** With nothing in flight (PAUSED), or while PAUSING: delivers parked data, then receives again if it may. */
    private void receiveNext() {
        if (!open || receiver == null || deliverParked() || readOp.inFlight()) {
            return;
        }
        if (unreleased >= io.settings().maxUnreleased()) {
            input = Input.PAUSED; // resumed when the receiver releases one
            return;
        }
        ReceiveBufferRing ring = io.receiveRing();
        if (ring != null) {
            // One multishot receive for as long as it lasts: the kernel picks a buffer only when data arrives.
            input = Input.MULTISHOT;
            readOp.prepareRecvMultishot(fd, ring.group());
            readOp.submit(null);
            return;
        }
        Buffer buffer;
        try {
            buffer = io.pool().acquire(io.settings().receiveBufferSize());
        } catch (BufferPoolExhaustedException e) {
            pauseBriefly(); // the shard is out of buffers: the peer waits meanwhile
            return;
        }
        buffer.lend();
        receiveBuffer = buffer;
        input = Input.RECEIVING;
        readOp.prepareRecv(fd, buffer.address(), buffer.capacity());
        readOp.submit(null);
    }

    /** PAUSED for lack of buffers (the pool's or the kernel's): tries again after {@code atoll.io.tcp.accept-retry}. */
    private void pauseBriefly() {
        input = Input.PAUSED;
        io.shard().schedule(io.settings().acceptRetry(), this::resumeReceiving);
    }

    private void receivedBufferReleased() {
        unreleased--;
        if (!delivering && unreleased < io.settings().maxUnreleased()) {
            resumeReceiving();
        }
    }

    private void resumeReceiving() {
        if (input == Input.PAUSED || input == Input.PAUSING || input == Input.ENDING) {
            receiveNext();
        }
    }

    private void readCompleted(int result, boolean timedOut) {
        if (input == Input.RECEIVING) {
            input = Input.PAUSED; // nothing in flight: receiveCompleted decides what comes next
            receiveCompleted(result);
            return;
        }
        if (input != Input.READING) {
            multishotCompleted(result, readOp.completionFlags());
            return;
        }
        Buffer buffer = readBuffer;
        Promise<Integer> promise = readPromise;
        readBuffer = null;
        readPromise = null;
        input = Input.IDLE;
        buffer.giveBackFromOperation();
        if (result > 0) {
            buffer.advanceWriter(result);
            promise.complete(result);
        } else if (result == 0) {
            promise.complete(-1);
        } else {
            promise.fail(IoOperation.failure("read", this, result, timedOut, open));
        }
    }

    private void receiveCompleted(int result) {
        Buffer buffer = receiveBuffer;
        receiveBuffer = null;
        if (buffer == null) { // it ended while waiting for data, holding no buffer
            if (result == -OsConstants.ENOBUFS && open) {
                pauseBriefly(); // data came but the pool was empty
            } else {
                endReceiving(IoOperation.failure("receive", this, result, false, open));
            }
            return;
        }
        buffer.giveBackFromOperation();
        if (result > 0) {
            buffer.advanceWriter(result);
            deliver(buffer);
            receiveNext();
        } else {
            buffer.release();
            endReceiving(result == 0 ? null : IoOperation.failure("receive", this, result, false, open));
        }
    }

    /** The read side's driver callbacks: a receive waiting for data gives its buffer back to the pool. */
    private final class Reads implements IoOperation.Owner {
        @Override
        public void completed(IoOperation operation, int result, boolean timedOut) {
            readCompleted(result, timedOut);
        }

        @Override
        public void waiting(IoOperation operation) {
            if (input == Input.RECEIVING && receiveBuffer != null) {
                Buffer buffer = receiveBuffer;
                receiveBuffer = null;
                buffer.giveBackFromOperation();
                buffer.release(); // an idle connection holds no memory
            }
        }

        @Override
        public boolean retrying(IoOperation operation) {
            if (input != Input.RECEIVING || receiveBuffer != null) {
                return true;
            }
            Buffer buffer;
            try {
                buffer = io.pool().acquire(io.settings().receiveBufferSize());
            } catch (BufferPoolExhaustedException e) {
                return false;
            }
            buffer.lend();
            receiveBuffer = buffer;
            operation.retarget(buffer.address(), buffer.capacity());
            return true;
        }
    }

    /** One step of the multishot receive (MULTISHOT or PAUSING): data in a kernel ring buffer, or its end. */
    private void multishotCompleted(int result, int flags) {
        if (Completion.hasBuffer(flags)) {
            Buffer buffer = io.receiveRing().take(Completion.bufferId(flags), Math.max(result, 0));
            if (result <= 0 || !open || receiver == null) {
                buffer.release(); // back to the kernel
            } else if (input == Input.PAUSING || unreleased >= io.settings().maxUnreleased() || hasParked()) {
                // Arrived after the receiver fell behind, before the kernel saw the cancel: kept, in order,
                // for when the receiver releases what it holds.
                if (parked == null) {
                    parked = new ArrayDeque<>();
                }
                parked.add(buffer);
            } else {
                deliver(buffer);
            }
        }
        if (Completion.hasMore(flags)) {
            if (input == Input.MULTISHOT && unreleased >= io.settings().maxUnreleased() && open && receiver != null) {
                input = Input.PAUSING; // the receiver fell behind: stop the kernel; resumed when it releases one
                readOp.cancel();
            }
            return;
        }
        boolean paused = input == Input.PAUSING;
        input = Input.PAUSED; // nothing in flight: what comes next is decided below
        if (!open || receiver == null) {
            endReceiving(result == 0 ? null : IoOperation.failure("receive", this, result, false, open));
        } else if (result > 0 || (paused && result == -Errno.ECANCELED)) {
            receiveNext(); // ended by the kernel after data, or paused by us: again unless still paused
        } else if (result == -OsConstants.ENOBUFS) {
            pauseBriefly(); // every kernel buffer is out with receivers
        } else {
            Throwable failure = result == 0 ? null : IoOperation.failure("receive", this, result, false, open);
            if (hasParked()) {
                input = Input.ENDING; // the end comes after the data that arrived before it
                parkedEnd = failure;
            } else {
                endReceiving(failure);
            }
        }
    }

    private boolean hasParked() {
        return parked != null && !parked.isEmpty();
    }

    private void deliver(Buffer buffer) {
        unreleased++;
        buffer.releaseHook(receivedBufferReleased);
        delivering = true;
        try {
            receiver.onData(this, buffer);
        } catch (Throwable t) {
            callbackFailed("Receiver.onData", t); // the buffer stays the receiver's, as it was handed over
        } finally {
            delivering = false;
        }
    }

    /**
     * Hands parked buffers to the receiver while it may take more, then (ENDING) the end that came behind
     * them. True when receiving must not go on yet (still buffers parked, or it ended).
     */
    private boolean deliverParked() {
        while (hasParked()) {
            if (unreleased >= io.settings().maxUnreleased()) {
                return true; // resumed when the receiver releases one
            }
            deliver(parked.poll());
            if (!open || receiver == null) {
                return true;
            }
        }
        if (input == Input.ENDING) {
            endReceiving(parkedEnd);
            return true;
        }
        return false;
    }

    /** Nothing is in flight: the receiver learns why receiving ended, and the read side is free again. */
    private void endReceiving(Throwable failure) {
        if (parked != null) {
            for (Buffer buffer; (buffer = parked.poll()) != null; ) {
                buffer.release();
            }
        }
        parkedEnd = null;
        input = Input.IDLE;
        Receiver r = receiver;
        receiver = null;
        if (r != null) {
            try {
                r.onEnd(this, failure);
            } catch (Throwable t) {
                callbackFailed("Receiver.onEnd", t);
            }
        }
    }

    // ---- writing ----

    /** {@link #write(Buffer, Duration)} without a timeout. */
    public Promise<Integer> write(Buffer buffer) {
        return write(buffer, null);
    }

    /**
     * Sends once from {@code buffer}'s readable bytes (after the writes queued before it) and advances
     * its read index; completes with the count, which may be less than was readable.
     */
    @SuppressWarnings("unchecked")
    public Promise<Integer> write(Buffer buffer, Duration timeout) {
        Promise<Object> promise = new Promise<>();
        enqueue(buffer, false, timeout, "write", promise);
        return (Promise<Integer>) (Promise<?>) promise;
    }

    /** {@link #writeAll(Buffer, Duration)} without a timeout. */
    public Promise<Void> writeAll(Buffer buffer) {
        return writeAll(buffer, (Duration) null);
    }

    /**
     * Sends all of {@code buffer}'s readable bytes (after the writes queued before it); completes when
     * the kernel has taken the last byte. The timeout covers this write only, from when it starts.
     */
    @SuppressWarnings("unchecked")
    public Promise<Void> writeAll(Buffer buffer, Duration timeout) {
        Promise<Object> promise = new Promise<>();
        enqueue(buffer, true, timeout, "write", promise);
        return (Promise<Void>) (Promise<?>) promise;
    }

    /**
     * {@link #writeAll(Buffer)} that tells {@code listener} when the write ends instead of completing a
     * promise; a write refused at once (the connection is closed, or its backlog is full) tells it before
     * this returns.
     */
    public void writeAll(Buffer buffer, WriteListener listener) {
        Objects.requireNonNull(listener, "listener");
        enqueue(buffer, true, null, "write", listener);
    }

    /** Bytes queued behind the write in progress. */
    public long queuedWriteBytes() {
        return queuedBytes;
    }

    /** Starts or queues a write; {@code completion} (a promise or a {@link WriteListener}) is told how it ends. */
    private void enqueue(Buffer buffer, boolean all, Duration timeout, String what, Object completion) {
        Objects.requireNonNull(buffer, "buffer");
        int bytes = buffer.readableBytes();
        if (!open || output.refusesWrites()) {
            finish(completion, buffer, bytes, null, closedException(what));
            return;
        }
        if (output == Output.IDLE) {
            buffer.lend();
            startWrite(buffer, completion, all, timeout, bytes);
            return;
        }
        if (queuedBytes + bytes > io.settings().writeBacklogLimit()) {
            WriteBacklogFullException full = new WriteBacklogFullException("write of " + bytes + " bytes to " + this
                    + " refused: " + queuedBytes + " bytes already queued (atoll.io.write-backlog.limit = "
                    + io.settings().writeBacklogLimit() + ")");
            if (io.settings().writeBacklogPolicy() == IoSettings.WriteBacklogPolicy.CLOSE) {
                close();
            }
            finish(completion, buffer, bytes, null, full);
            return;
        }
        buffer.lend();
        queued.addLast(new PendingWrite(buffer, completion, all, timeout, bytes));
        queuedBytes += bytes;
    }

    /** Tells a write's {@code completion} how it ended: {@code value} (the count, or null) or {@code failure}. */
    @SuppressWarnings("unchecked")
    private void finish(Object completion, Buffer buffer, int bytes, Object value, Throwable failure) {
        if (completion instanceof WriteListener listener) {
            try {
                listener.writeDone(buffer, bytes, failure);
            } catch (Throwable t) {
                callbackFailed("WriteListener.writeDone", t);
            }
        } else if (failure != null) {
            ((Promise<Object>) completion).fail(failure);
        } else {
            ((Promise<Object>) completion).complete(value);
        }
    }

    private void startWrite(Buffer buffer, Object completion, boolean all, Duration timeout, int length) {
        writeBuffer = buffer;
        writeCompletion = completion;
        writeAllMode = all;
        writeLength = length;
        if (output == Output.IDLE) {
            output = Output.WRITING;
        }
        writeDeadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        writeOp.prepareSend(fd, buffer.address() + buffer.readIndex(), buffer.readableBytes());
        writeOp.submit(timeout);
    }

    // No switch over Output here or below: javac compiles one into a class of its own, loaded at the first
    // write, which a process out of descriptors (EMFILE) cannot load (EmfileTest).
    private void writeCompleted(IoOperation op, int result, boolean timedOut) {
        if (output == Output.CONNECTING) {
            connectCompleted(result, timedOut);
        } else if (output == Output.SHUTTING_DOWN) {
            shutdownDone(result);
        } else {
            sendCompleted(result, timedOut); // WRITING or DRAINING: only they have an operation in flight
        }
    }

    private void sendCompleted(int result, boolean timedOut) {
        Buffer buffer = writeBuffer;
        Object completion = writeCompletion;
        int length = writeLength;
        IoException failure;
        if (result >= 0) {
            buffer.setReadIndex(buffer.readIndex() + result);
            if (!writeAllMode || buffer.readableBytes() == 0) {
                boolean all = writeAllMode;
                finishWrite();
                // The next queued write starts before the callbacks run, so a write they issue queues behind it.
                startNextWrite();
                finish(completion, buffer, length, all ? null : result, null);
                return;
            }
            if (open) {
                writeOp.prepareSend(fd, buffer.address() + buffer.readIndex(), buffer.readableBytes());
                // The rest is still under the write's deadline (each submit arms a new timer).
                writeOp.submit(writeDeadline == Long.MAX_VALUE ? null
                        : Duration.ofNanos(Math.max(1, writeDeadline - System.nanoTime())));
                return;
            }
            // Closed between two sends of a writeAll: what is left can never go out, so it did not succeed.
            failure = new IoCancelledException("write of " + writeLength + " bytes on " + this
                    + ": the connection was closed after " + (writeLength - buffer.readableBytes()) + " were sent");
        } else {
            failure = IoOperation.failure("write", this, result, timedOut, open);
        }
        // The stream is broken or the write timed out: nothing queued behind it may go out after a gap.
        finishWrite();
        failQueuedWrites(failure);
        finish(completion, buffer, length, null, failure);
    }

    /** The write in flight is over: its buffer comes back; the side is idle (or waits to shut down). */
    private void finishWrite() {
        writeBuffer.giveBackFromOperation();
        writeBuffer = null;
        writeCompletion = null;
        if (output == Output.WRITING) {
            output = Output.IDLE;
        }
    }

    private void startNextWrite() {
        PendingWrite next = queued.pollFirst();
        if (next == null) {
            if (output == Output.DRAINING && open) {
                shutdownNow();
            }
            return;
        }
        queuedBytes -= next.length;
        if (!open) {
            next.buffer.giveBackFromOperation();
            finish(next.completion, next.buffer, next.length, null, closedException("write"));
            failQueuedWrites(closedException("write"));
            return;
        }
        startWrite(next.buffer, next.completion, next.all, next.timeout, next.length);
    }

    /** Fails the queued writes, and a shutdown waiting for them (writing is then over: SHUT). */
    private void failQueuedWrites(IoException failure) {
        for (PendingWrite pending; (pending = queued.pollFirst()) != null; ) {
            pending.buffer.giveBackFromOperation();
            finish(pending.completion, pending.buffer, pending.length, null, failure);
        }
        queuedBytes = 0;
        if (output == Output.DRAINING) {
            Promise<Void> promise = shutdownPromise;
            shutdownPromise = null;
            // With a write still in flight only close() gets here: the closed connection refuses new writes.
            output = writeBuffer == null ? Output.SHUT : Output.WRITING;
            promise.fail(failure);
        }
    }

    /**
     * Half-closes: once the queued writes are out, sends the end of stream ({@code shutdown(SHUT_WR)});
     * reading goes on. Completes when the shutdown was made.
     */
    public Promise<Void> shutdownOutput() {
        if (!open) {
            return Promise.failed(closedException("shutdown"));
        }
        if (output == Output.DRAINING || output == Output.SHUTTING_DOWN) {
            return shutdownPromise;
        }
        if (output == Output.SHUT) {
            return Promise.completed(null);
        }
        Promise<Void> promise = new Promise<>();
        shutdownPromise = promise;
        if (output == Output.WRITING) {
            output = Output.DRAINING;
        } else {
            shutdownNow(); // IDLE; completes the promise when the call is synchronous
        }
        return promise;
    }

    /** On io_uring an operation on the ring; on readiness drivers the call itself (it never blocks). */
    private void shutdownNow() {
        output = Output.SHUTTING_DOWN;
        if (io.driver().supportsShutdown()) {
            writeOp.prepareShutdown(fd, OsConstants.SHUT_WR);
            writeOp.submit(null);
            return;
        }
        shutdownDone(Sockets.shutdown(io.errno, fd, OsConstants.SHUT_WR));
    }

    private void shutdownDone(int result) {
        Promise<Void> promise = shutdownPromise;
        shutdownPromise = null;
        output = Output.SHUT;
        if (result < 0 && -result != OsConstants.ENOTCONN) {
            promise.fail(IoOperation.failure("shutdown", this, result, false, open));
        } else {
            promise.complete(null);
        }
    }

    // ---- connect ----

    private void connectCompleted(int result, boolean timedOut) {
        Promise<Connection> promise = connectPromise;
        connectPromise = null;
        connectAddress = null;
        output = Output.IDLE;
        if (result == 0) {
            promise.complete(this);
            return;
        }
        IoException failure = timedOut ? new IoTimeoutException("connect to " + remote + " timed out")
                : result == -Errno.ECANCELED ? new IoCancelledException("connect to " + remote + " was cancelled")
                : new IoException("connect to " + remote, -result);
        close();
        promise.fail(failure);
    }

    // ---- life cycle ----

    /**
     * Closes the connection: operations in progress complete (their promises fail with
     * {@link IoCancelledException}, a receiver gets {@code onEnd}), queued writes fail, the descriptor is
     * closed. Unsent data may be lost: to finish sending first, close after {@link #writeAll}'s promise.
     */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        io.closed(this);
        SocketCalls.close(io, fd);
        failQueuedWrites(closedException("write"));
        if (input == Input.PAUSED || input == Input.ENDING) {
            endReceiving(closedException("receive")); // nothing in flight: no completion will come to end it
        }
        Runnable listener = closeListener;
        closeListener = null;
        if (listener != null) {
            listener.run();
        }
    }

    public boolean isOpen() {
        return open;
    }

    /**
     * Hands this connection to shard {@code target}, where {@code onArrival} receives it as a new
     * {@code Connection} owned by that shard (the descriptor stays the same, so socket options stay).
     * Nothing may be in progress on it. This object is closed for use at once; the promise completes
     * on this shard when the connection has arrived.
     */
    public Promise<Void> moveTo(int target, Consumer<Connection> onArrival) {
        Objects.requireNonNull(onArrival, "onArrival");
        if (!open) {
            return Promise.failed(closedException("move"));
        }
        if (readOp.inFlight() || writeOp.inFlight() || receiver != null || !queued.isEmpty()) {
            throw new IllegalStateException("cannot move " + this + " with operations in progress");
        }
        Shard shard = io.shard();
        if (target == shard.id()) {
            onArrival.accept(this);
            return Promise.completed(null);
        }
        open = false;
        io.closed(this);
        io.driver().detach(fd);
        Runnable listener = closeListener;
        closeListener = null;
        int movedFd = fd;
        boolean movedTcp = tcp;
        SocketAddress movedRemote = remote;
        return shard.call(target, () -> {
            Connection arrived = new Connection(IoShard.current(), movedFd, movedTcp);
            arrived.remote = movedRemote;
            arrived.closeListener = listener;
            try {
                onArrival.accept(arrived);
            } catch (Throwable t) {
                arrived.callbackFailed("moveTo's onArrival", t);
                throw t; // and the move's promise fails with it
            }
            return (Void) null;
        }).whenComplete((ignored, failure) -> {
            if (failure instanceof dev.atoll.shards.MeshOverflowException) {
                LibC.close(io.errno, movedFd); // it never left: the target's queue refused it
                if (listener != null) {
                    listener.run();
                }
            }
        });
    }

    /** The peer's address (for a Unix socket, its path, often empty). */
    public SocketAddress remoteAddress() {
        if (remote == null && open) {
            remote = SocketCalls.remoteAddress(io, fd);
        }
        return remote;
    }

    /** This end's address. */
    public SocketAddress localAddress() {
        return SocketCalls.localAddress(io, fd);
    }

    /** Changes socket options of this open connection. */
    public void setOptions(SocketOptions options) {
        SocketCalls.apply(io, fd, options, tcp);
    }

    /** The shard that owns this connection. */
    public Shard shard() {
        return io.shard();
    }

    /** The descriptor, for diagnostics and for options this API does not cover. */
    public int fd() {
        return fd;
    }

    /** User code ({@code callback}) threw for this connection: reported, and the connection closes. */
    void callbackFailed(String callback, Throwable failure) {
        io.userCodeFailed(callback, this, failure);
        close();
    }

    /** Runs {@code listener} once when this connection is closed (or leaves this shard for good). */
    void onClose(Runnable listener) {
        this.closeListener = listener;
    }

    /** A write (or connect, or shutdown) is in flight: one a graceful stop waits for. */
    boolean writeInFlight() {
        return writeOp.inFlight();
    }

    @Override
    public String toString() {
        return "connection fd=" + fd + (remote != null ? " to " + remote : "") + " on shard " + io.shard().id();
    }

    private IoException closedException(String what) {
        return new IoCancelledException(what + " on " + this + ": the connection is closed");
    }

    /** A write waiting behind the one in progress ({@code length}: its readable bytes when it was issued). */
    private record PendingWrite(Buffer buffer, Object completion, boolean all, Duration timeout, int length) { }

    /** The read side's states; each names what is in flight on {@link #readOp}. */
    private enum Input {
        /** Nothing: a read or a receive may start. */
        IDLE,
        /** A {@link #read} is in flight. */
        READING,
        /** A receive into {@link #receiveBuffer} is in flight (readiness drivers), or waits for data holding none. */
        RECEIVING,
        /** A multishot receive into the shard's {@link ReceiveBufferRing} is in flight (io_uring). */
        MULTISHOT,
        /** The multishot receive is being cancelled: the receiver holds too many buffers; it resumes later. */
        PAUSING,
        /**
         * A receiver, nothing in flight: it holds too many buffers, or buffers ran out for a moment; it
         * resumes when one is released, or after {@code atoll.io.tcp.accept-retry}.
         */
        PAUSED,
        /** As PAUSED, and the stream ended behind {@link #parked} data: {@link #parkedEnd} comes after it. */
        ENDING
    }

    /** The write side's states; each names what is in flight on {@link #writeOp}. */
    private enum Output {
        /** The connect is in flight ({@link #connect}): the connection is not handed out yet. */
        CONNECTING,
        /** Nothing in flight: a write starts at once. */
        IDLE,
        /** {@link #writeBuffer} is in flight, {@link #queued} waits behind it. */
        WRITING,
        /** As WRITING, and {@link #shutdownOutput()} was asked: no new writes; the shutdown follows the queue. */
        DRAINING,
        /** The shutdown is in flight. */
        SHUTTING_DOWN,
        /** The end of stream was sent, or a shutdown failed: writing is over. */
        SHUT;

        boolean refusesWrites() {
            return this != IDLE && this != WRITING;
        }
    }
}
