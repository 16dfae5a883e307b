package dev.atoll.io;

import dev.atoll.drivers.Operation;
import dev.atoll.drivers.Os;
import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.LibC;
import dev.atoll.drivers.ffi.MacosConstants;
import dev.atoll.drivers.ffi.OsConstants;
import dev.atoll.drivers.ffi.Statx;
import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * A file on one shard: reads and writes at offsets, {@code fsync}/{@code fdatasync}, size, close. Each
 * returns a shard-local promise.
 *
 * <p>On io_uring the reads, writes, syncs, opens and closes are operations on the shard's ring: no
 * thread in between, and a timeout cancels the operation in the kernel (its buffer comes back with its
 * final completion, never before). The open file is registered with the ring, and so is the pool slab
 * of each buffer it reads into or writes from ({@code READ_FIXED}/{@code WRITE_FIXED}), where the kernel
 * allows ({@code atoll.io-uring.registered-files}, {@code registered-buffers}). On readiness drivers
 * (epoll, kqueue) the kernel offers no asynchronous file I/O, so the calls run on the runtime's bounded
 * offload pool ({@code atoll.offload}) and complete back on the owning shard. A blocking call cannot
 * be interrupted: a timeout is honoured while the operation waits for a worker (it then never runs and
 * fails with {@link IoTimeoutException}); once running it finishes, and its buffer comes back only then.
 * Several operations may be in flight at once; {@link #close()} waits for them.
 */
public final class AsyncFile implements IoShard.Resource {
    /** Each offload worker's errno capture: a call's errno is read on the thread that made it. */
    private static final ThreadLocal<MemorySegment> ERRNO = ThreadLocal.withInitial(() -> Errno.allocate(Arena.ofAuto()));
    private static final int MODE_RW_R_R = 0644;
    private static final boolean MACOS = Os.current() == Os.MACOS;

    private final IoShard io;
    private final Path path;
    private final int fd;
    /** The shard's driver runs file operations (io_uring): no offload. */
    private final boolean onRing;
    /** The file's index in the ring's registered file table, or -1 (none: operations name {@link #fd}). */
    private final int registeredFile;
    /** Reads and writes on the ring that finished, for reuse: a transfer allocates only its promise. */
    private final ArrayDeque<RingTransfer> idleTransfers = new ArrayDeque<>();
    /** The other ring operations (syncs, size) that finished, for reuse. */
    private final ArrayDeque<RingCall> idleCalls = new ArrayDeque<>();
    private int inFlight;
    private boolean open = true;
    private Promise<Void> closePromise;

    private AsyncFile(IoShard io, Path path, int fd) {
        this.io = io;
        this.path = path;
        this.fd = fd;
        this.onRing = io.driver().supportsFiles();
        this.registeredFile = onRing ? io.driver().registerFile(fd) : -1;
        io.opened(this);
    }

    /**
     * Opens {@code path} with {@link StandardOpenOption}s ({@code READ}, {@code WRITE}, {@code APPEND},
     * {@code CREATE}, {@code CREATE_NEW}, {@code TRUNCATE_EXISTING}; none means {@code READ}) and
     * {@link FileOpenOption#DIRECT}; a created file gets mode 0644 less the umask.
     */
    public static Promise<AsyncFile> open(Path path, OpenOption... options) {
        Objects.requireNonNull(path, "path");
        Set<OpenOption> optionSet = Set.of(options);
        int flags = flags(optionSet);
        boolean noCache = MACOS && optionSet.contains(FileOpenOption.DIRECT);
        IoShard io = IoShard.current();
        String name = path.toString();
        if (io.driver().supportsFiles()) {
            Promise<AsyncFile> opened = new Promise<>();
            MemorySegment cPath = Arena.ofAuto().allocateFrom(name); // the operation's until it completes
            RingCall.start(io, op -> op.prepareOpen(cPath, flags, MODE_RW_R_R), (fd, timedOut) -> {
                Reference.reachabilityFence(cPath);
                if (fd < 0) {
                    opened.fail(IoOperation.failure("open " + name, name, fd, timedOut, true));
                } else {
                    opened.complete(new AsyncFile(io, path, fd));
                }
            });
            return opened;
        }
        return io.shard().offload(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment errno = ERRNO.get();
                int fd = LibC.open(errno, arena.allocateFrom(name), flags, MODE_RW_R_R);
                if (fd < 0) {
                    throw new IoException("open " + name, -fd);
                }
                int r = noCache ? LibC.fcntl(errno, fd, MacosConstants.F_NOCACHE, 1) : 0;
                if (r < 0) {
                    LibC.close(errno, fd);
                    throw new IoException("fcntl(F_NOCACHE) of " + name, -r);
                }
                return fd;
            }
        }).map(fd -> new AsyncFile(io, path, fd));
    }

    private static int flags(Set<OpenOption> options) {
        boolean read = options.contains(StandardOpenOption.READ) || options.isEmpty()
                || options.equals(Set.of(FileOpenOption.DIRECT));
        boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        int flags = (read && write ? OsConstants.O_RDWR : write ? OsConstants.O_WRONLY : OsConstants.O_RDONLY)
                | OsConstants.O_CLOEXEC;
        for (OpenOption option : options) {
            if (option == StandardOpenOption.APPEND) {
                flags |= OsConstants.O_APPEND;
            } else if (option == StandardOpenOption.CREATE) {
                flags |= OsConstants.O_CREAT;
            } else if (option == StandardOpenOption.CREATE_NEW) {
                flags |= OsConstants.O_CREAT | OsConstants.O_EXCL;
            } else if (option == StandardOpenOption.TRUNCATE_EXISTING) {
                flags |= OsConstants.O_TRUNC;
            } else if (option == FileOpenOption.DIRECT) {
                flags |= OsConstants.O_DIRECT;
            } else if (option != StandardOpenOption.READ && option != StandardOpenOption.WRITE) {
                throw new IllegalArgumentException("unsupported open option " + option);
            }
        }
        return flags;
    }

    /** {@link #read(Buffer, long, Duration)} without a timeout. */
    public Promise<Integer> read(Buffer buffer, long position) {
        return read(buffer, position, null);
    }

    /**
     * Reads up to {@code buffer}'s free room from {@code position}, appending after its write index;
     * completes with the count, or -1 at the end of the file.
     */
    public Promise<Integer> read(Buffer buffer, long position, Duration timeout) {
        checkPosition(position);
        long address = buffer.address() + buffer.writeIndex();
        int length = buffer.writableBytes();
        if (onRing) {
            return ringTransfer(buffer, false, address, length, position, timeout);
        }
        return transfer(buffer, timeout, "read", () -> {
            long n = LibC.pread(ERRNO.get(), fd, address, length, position);
            if (n < 0) {
                throw new IoException("pread of " + path + " at " + position, (int) -n);
            }
            return (int) n;
        }).map(n -> {
            if (n == 0 && length > 0) {
                return -1;
            }
            buffer.advanceWriter(n);
            return n;
        });
    }

    /** {@link #write(Buffer, long, Duration)} without a timeout. */
    public Promise<Integer> write(Buffer buffer, long position) {
        return write(buffer, position, null);
    }

    /** Writes all of {@code buffer}'s readable bytes at {@code position} and consumes them; completes with the count. */
    public Promise<Integer> write(Buffer buffer, long position, Duration timeout) {
        checkPosition(position);
        long address = buffer.address() + buffer.readIndex();
        int length = buffer.readableBytes();
        if (onRing) {
            return ringTransfer(buffer, true, address, length, position, timeout);
        }
        return transfer(buffer, timeout, "write", () -> {
            int done = 0;
            while (done < length) { // pwrite may write less (a full disk reports ENOSPC on the next call)
                long n = LibC.pwrite(ERRNO.get(), fd, address + done, length - done, position + done);
                if (n < 0) {
                    throw new IoException("pwrite of " + path + " at " + (position + done), (int) -n);
                }
                done += (int) n;
            }
            return done;
        }).map(n -> {
            buffer.advanceReader(n);
            return n;
        });
    }

    /** Flushes data and metadata to the device ({@code fsync}; on macOS {@code F_FULLFSYNC}, which plain fsync is not). */
    public Promise<Void> fsync() {
        if (onRing) {
            return ringCall("fsync", op -> onFile(op.prepareFsync(ringFd(), false))).map(ignored -> null);
        }
        return call(null, "fsync", () -> {
            // Some file systems on macOS refuse F_FULLFSYNC; plain fsync is the best they offer.
            if (MACOS && LibC.fcntl(ERRNO.get(), fd, MacosConstants.F_FULLFSYNC, 0) == 0) {
                return null;
            }
            return check(LibC.fsync(ERRNO.get(), fd), "fsync");
        });
    }

    /** Flushes data, and only the metadata needed to read it back ({@code fdatasync}). */
    public Promise<Void> fdatasync() {
        if (onRing) {
            return ringCall("fdatasync", op -> onFile(op.prepareFsync(ringFd(), true))).map(ignored -> null);
        }
        return call(null, "fdatasync", () -> check(LibC.fdatasync(ERRNO.get(), fd), "fdatasync"));
    }

    /** The file's size in bytes (on io_uring a STATX on the ring). */
    public Promise<Long> size() {
        if (onRing) {
            MemorySegment statx = Statx.allocate(Arena.ofAuto()); // the operation's until it completes
            return ringCall("size", op -> op.prepareStatx(fd, statx)).map(ignored -> Statx.size(statx));
        }
        return call(null, "size", () -> {
            long size = LibC.lseek(ERRNO.get(), fd, 0, OsConstants.SEEK_END);
            if (size < 0) {
                throw new IoException("size of " + path, (int) -size);
            }
            return size;
        });
    }

    /** Closes the file once the operations in flight have finished; completes then. */
    public Promise<Void> closeAsync() {
        if (closePromise == null) {
            closePromise = new Promise<>();
            open = false;
            if (inFlight == 0) {
                closeNow();
            }
        }
        return closePromise;
    }

    /**
     * Closes the file as {@link #closeAsync()} does, and lets the runtime's offload pool drop the last
     * reference to it: the shard keeps a second descriptor until its own close is done, then hands it over.
     * The last close of a file that was renamed over or deleted frees its pages in the kernel, which blocks
     * the closing thread — 35 to 80 ms for 100 MB on ext4 here —, and through io_uring that is the shard's
     * thread too (the file's final release runs as its task's work). Redis closes its old append-only file
     * in a background thread for the same reason. Without a descriptor to spare, or when the offload pool's
     * queue is full, the file closes on the shard as {@link #closeAsync()} closes it.
     */
    public Promise<Void> closeAsyncOffShard() {
        if (closePromise != null) {
            return closePromise;
        }
        int kept = LibC.fcntl(ERRNO.get(), fd, OsConstants.F_DUPFD_CLOEXEC, 0);
        if (kept < 0) {
            return closeAsync();
        }
        Shard shard = Shard.current();
        Promise<Void> released = new Promise<>();
        closeAsync().whenComplete((closed, closeError) -> shard.offload(() -> check(LibC.close(ERRNO.get(), kept), "close"))
                .whenComplete((ignored, error) -> {
                    if (error instanceof RejectedExecutionException) {
                        error = closeError(LibC.close(ERRNO.get(), kept)); // the pool is full: here, rather than leak it
                    }
                    Throwable failure = closeError != null ? closeError : error;
                    if (failure != null) {
                        released.fail(failure);
                    } else {
                        released.complete(null);
                    }
                }));
        return released;
    }

    private IoException closeError(int result) {
        return result < 0 ? new IoException("close of " + path, -result) : null;
    }

    /** As {@link #closeAsync()}, without waiting for the result. */
    @Override
    public void close() {
        closeAsync();
    }

    public Path path() {
        return path;
    }

    /** Reads, writes and syncs of this file in flight (a graceful stop waits for them). */
    int operationsInFlight() {
        return inFlight;
    }

    @Override
    public String toString() {
        return "file " + path + " on shard " + io.shard().id();
    }

    private Promise<Integer> transfer(Buffer buffer, Duration timeout, String what, Callable<Integer> work) {
        Objects.requireNonNull(buffer, "buffer");
        if (!open) {
            return Promise.failed(closed(what));
        }
        buffer.lend();
        return call(timeout, what, work).whenComplete((n, failure) -> buffer.giveBackFromOperation());
    }

    private <T> Promise<T> call(Duration timeout, String what, Callable<T> work) {
        if (!open) {
            return Promise.failed(closed(what));
        }
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        inFlight++;
        Shard shard = io.shard();
        return shard.offload(() -> {
            if (System.nanoTime() - deadline > 0 && deadline != Long.MAX_VALUE) {
                throw new IoTimeoutException(what + " on " + path + " timed out waiting for a file worker");
            }
            return work.call();
        }).whenComplete((result, failure) -> finished());
    }

    /** One operation on the shard's ring; completes with its result ({@code >= 0}) or fails. */
    private Promise<Integer> ringCall(String what, Consumer<Operation> prepare) {
        if (!open) {
            return Promise.failed(closed(what));
        }
        Promise<Integer> done = new Promise<>();
        inFlight++;
        RingCall call = idleCalls.pollFirst();
        if (call == null) {
            call = new RingCall(io);
        }
        call.run(prepare, (result, timedOut) -> {
            finished();
            if (result < 0) {
                done.fail(IoOperation.failure(what, this, result, timedOut, open));
            } else {
                done.complete(result);
            }
        }, idleCalls);
        return done;
    }

    /** A read or a write of {@code buffer} on the ring, by a {@link RingTransfer} reused from {@link #idleTransfers}. */
    private Promise<Integer> ringTransfer(Buffer buffer, boolean write, long address, int length, long position,
                                          Duration timeout) {
        if (!open) {
            return Promise.failed(closed(write ? "write" : "read"));
        }
        RingTransfer transfer = idleTransfers.pollFirst();
        if (transfer == null) {
            transfer = new RingTransfer();
        }
        return transfer.start(buffer, write, address, length, position, timeout);
    }

    private void finished() {
        inFlight--;
        if (inFlight == 0 && closePromise != null && !closePromise.isDone()) {
            closeNow();
        }
    }

    /** What ring operations on this file name: its registered index, or its descriptor. */
    private int ringFd() {
        return registeredFile >= 0 ? registeredFile : fd;
    }

    /** Marks a prepared ring operation as naming the registered file, when there is one. */
    private Operation onFile(Operation op) {
        return registeredFile >= 0 ? op.onRegisteredFile() : op;
    }

    private void closeNow() {
        io.closed(this);
        if (registeredFile >= 0) {
            io.driver().unregisterFile(registeredFile); // the table's reference goes; no operation is in flight
        }
        // Once the shard stopped, the last operation's completion may come from the driver's own close,
        // which takes no new operation: then the file is closed by a plain call.
        if (onRing && !io.stopped()) {
            RingCall.start(io, op -> op.prepareClose(fd), this::closeDone);
            return;
        }
        closeDone(LibC.close(io.errno, fd), false);
    }

    private void closeDone(int result, boolean timedOut) {
        IoException error = closeError(result);
        if (error != null) {
            closePromise.fail(error);
        } else {
            closePromise.complete(null);
        }
    }

    private Void check(int result, String call) {
        if (result < 0) {
            throw new IoException(call + " of " + path, -result);
        }
        return null;
    }

    private IoException closed(String what) {
        return new IoCancelledException(what + " on " + this + ": the file is closed");
    }

    private static void checkPosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("negative file position " + position);
        }
    }

    /**
     * One read or write of a buffer on the ring (an {@link IoOperation} with its deadline), its state in
     * fields rather than captured by lambdas, so that a transfer allocates only its promise: fixed
     * (READ_FIXED/WRITE_FIXED) when the buffer's slab is registered, on the registered file when there is
     * one. A write goes on after a short write until every byte is written, an error, or the deadline.
     * The buffer is the operation's from the start until the final completion.
     */
    private final class RingTransfer implements IoOperation.Owner {
        private final IoOperation operation = new IoOperation(io, this, true);
        private Buffer buffer;
        private Promise<Integer> promise;
        private boolean write;
        private long address;
        private int length;
        private long position;
        /** Bytes written by earlier operations of this write. */
        private int done;
        private boolean timed;
        private long deadline;

        Promise<Integer> start(Buffer buffer, boolean write, long address, int length, long position,
                               Duration timeout) {
            buffer.lend();
            this.buffer = buffer;
            this.write = write;
            this.address = address;
            this.length = length;
            this.position = position;
            this.done = 0;
            this.timed = timeout != null;
            this.deadline = timed ? System.nanoTime() + timeout.toNanos() : 0;
            this.promise = new Promise<>();
            Promise<Integer> result = promise; // the field is cleared by the completion
            inFlight++;
            submitNext();
            return result;
        }

        private void submitNext() {
            int fixed = buffer.registeredIndex();
            long at = address + done;
            int rest = length - done;
            long offset = position + done;
            if (write) {
                if (fixed < 0) {
                    operation.prepareWrite(ringFd(), at, rest, offset);
                } else {
                    operation.prepareWriteFixed(ringFd(), at, rest, offset, fixed);
                }
            } else if (fixed < 0) {
                operation.prepareRead(ringFd(), at, rest, offset);
            } else {
                operation.prepareReadFixed(ringFd(), at, rest, offset, fixed);
            }
            onFile(operation);
            operation.submit(timed ? Duration.ofNanos(Math.max(1, deadline - System.nanoTime())) : null);
        }

        @Override
        public void completed(IoOperation op, int result, boolean timedOut) {
            if (write && result > 0 && done + result < length) { // a short write: the rest goes next
                done += result;
                submitNext();
                return;
            }
            Buffer lent = buffer;
            Promise<Integer> outcome = promise;
            buffer = null;
            promise = null;
            idleTransfers.addFirst(this);
            lent.giveBackFromOperation();
            finished();
            if (result < 0) {
                outcome.fail(IoOperation.failure(write ? "write" : "read", AsyncFile.this, result, timedOut, open));
            } else if (write) {
                lent.advanceReader(done + result);
                outcome.complete(done + result);
            } else if (result == 0 && length > 0) {
                outcome.complete(-1);
            } else {
                lent.advanceWriter(result);
                outcome.complete(result);
            }
        }
    }

    /**
     * One other file operation on the ring (open, sync, size, close: rarer than transfers, so a lambda
     * prepares it and another takes the result); syncs and sizes reuse theirs from {@link #idleCalls}.
     */
    private static final class RingCall implements IoOperation.Owner {
        private final IoOperation operation;
        private ResultHandler handler;
        private ArrayDeque<RingCall> idle;

        private RingCall(IoShard io) {
            this.operation = new IoOperation(io, this, true);
        }

        /** A call not kept for reuse (opens, closes). */
        static void start(IoShard io, Consumer<Operation> prepare, ResultHandler handler) {
            new RingCall(io).run(prepare, handler, null);
        }

        void run(Consumer<Operation> prepare, ResultHandler handler, ArrayDeque<RingCall> idle) {
            this.handler = handler;
            this.idle = idle;
            prepare.accept(operation);
            operation.submit(null);
        }

        @Override
        public void completed(IoOperation op, int result, boolean timedOut) {
            ResultHandler h = handler;
            handler = null;
            if (idle != null) {
                idle.addFirst(this);
            }
            h.done(result, timedOut);
        }
    }

    /** What a {@link RingCall} reports. */
    private interface ResultHandler {
        void done(int result, boolean timedOut);
    }
}
