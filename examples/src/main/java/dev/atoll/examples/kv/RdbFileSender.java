package dev.atoll.examples.kv;

import dev.atoll.io.AsyncFile;
import dev.atoll.io.Buffer;
import dev.atoll.io.BufferPool;

import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * Sends a disk-based full sync's RDB file to a replica's connection, on the connection's shard: the file is read
 * through the io module's {@link AsyncFile} (a ring operation on io_uring, the offload pool on epoll and kqueue), a
 * pool buffer at a time, as the socket takes it, so no read blocks the shard. A buffer is the read's until the read
 * completes, then the connection's write's until that completes (which releases it): the kernel never writes into
 * memory that may be reused. One read at a time, and the next only once less than {@link #CHUNK} of the connection's
 * output waits to be written.
 */
final class RdbFileSender {
    /** Bytes read at a time; the next read starts once less than this waits in the connection's output. */
    static final int CHUNK = 64 * 1024;

    private final KvConnection connection;
    private final SyncFile file;
    private final Runnable sent;
    private final Consumer<String> failed;
    private AsyncFile input;
    /** The file's bytes read so far. */
    private long position;
    /** A buffer read and not yet handed to a write (output ahead of it still to hand), or null. */
    private Buffer ready;
    private boolean reading;
    private boolean stopped;

    /** Starts sending {@code file} to {@code connection}; then {@code sent}, or {@code failed} with why. */
    RdbFileSender(KvConnection connection, SyncFile file, Runnable sent, Consumer<String> failed) {
        this.connection = connection;
        this.file = file;
        this.sent = sent;
        this.failed = failed;
        AsyncFile.open(file.path, StandardOpenOption.READ).whenComplete((opened, error) -> {
            file.opened();
            if (error != null) {
                fail("opening " + file.path + " failed: " + error.getMessage());
            } else if (stopped) {
                opened.closeAsyncOffShard();
            } else {
                input = opened;
                pump();
            }
        });
    }

    /** The connection wrote some output: the next part of the file, if its socket took the last. */
    void pump() {
        if (stopped || input == null || reading) {
            return;
        }
        if (ready != null) {
            if (!connection.writeOwned(ready)) {
                return;
            }
            ready = null;
        }
        if (position == file.size) {
            stopped = true;
            closeInput();
            sent.run();
            return;
        }
        if (connection.outputBytes() >= CHUNK) {
            return;
        }
        BufferPool pool = connection.pool();
        Buffer buffer = pool.acquire((int) Math.min(Math.min(CHUNK, pool.maxBufferSize()), file.size - position));
        reading = true;
        input.read(buffer, position).whenComplete((n, error) -> {
            reading = false;
            if (stopped) {
                buffer.release();
                closeInput();
            } else if (error != null || n <= 0 || buffer.readableBytes() > file.size - position) {
                buffer.release();
                fail(error != null ? "reading " + file.path + " failed: " + error.getMessage()
                        : "the RDB file " + file.path + " ended at " + position + " of " + file.size + " bytes");
            } else {
                position += buffer.readableBytes();
                ready = buffer;
                pump();
            }
        });
    }

    /** Its connection closed: nothing more is read; a read in flight keeps its buffer until it completes. */
    void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (ready != null) {
            ready.release();
            ready = null;
        }
        if (!reading) {
            closeInput();
        }
    }

    private void fail(String why) {
        if (!stopped) {
            stop();
            failed.accept(why);
        }
    }

    private void closeInput() {
        if (input != null) {
            input.closeAsyncOffShard(); // its name may be gone and the file renamed over: the last close frees it
            input = null;
        }
    }
}
