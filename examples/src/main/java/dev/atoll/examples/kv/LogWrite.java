package dev.atoll.examples.kv;

import dev.atoll.io.Buffer;
import dev.atoll.io.BufferPool;
import dev.atoll.shards.Promise;

/**
 * One write of a {@link ReplyWriter}'s bytes to a {@link LogFile} at a position, a pool buffer at a
 * time: a loop that the completions drive, so the stack stays as deep as one chunk's however many
 * chunks there are, also when a chunk completes within the call that started it. After a failure
 * {@link #resume} goes on from the first chunk not written (a write at a position may be repeated:
 * it puts the same bytes at the same place). The source is not changed while the write runs; each
 * pool buffer is released when its chunk's write completes, failed or not.
 */
final class LogWrite {
    private final LogFile target;
    private final ReplyWriter source;
    private final long position;
    private final BufferPool pool = BufferPool.current();
    /** Bytes of the source on the file. */
    private int written;
    private Promise<Integer> done;
    /** True within {@link #writeChunks}: a chunk that completes now is taken by that loop, not a new one. */
    private boolean looping;
    private boolean chunkInFlight;
    private Throwable failure;

    LogWrite(LogFile target, ReplyWriter source, long position) {
        this.target = target;
        this.source = source;
        this.position = position;
    }

    /** Writes all of the source; completes with its size, or fails with the first chunk's failure. */
    Promise<Integer> start() {
        return resume();
    }

    /** After a failure: writes what is not written yet; completes as {@link #start} does. */
    Promise<Integer> resume() {
        done = new Promise<>();
        failure = null;
        writeChunks();
        return done;
    }

    private void writeChunks() {
        looping = true;
        while (failure == null && !chunkInFlight) {
            if (written == source.size()) {
                looping = false;
                done.complete(written);
                return;
            }
            int length = Math.min(source.size() - written, pool.maxBufferSize());
            chunkInFlight = true;
            Buffer buffer = null;
            try {
                buffer = pool.acquire(length).writeBytes(source.bytes(), written, length);
                Buffer chunk = buffer;
                target.write(chunk, position + written).whenComplete((n, error) -> {
                    chunk.release();
                    chunkWritten(length, error);
                });
            } catch (RuntimeException e) { // no buffer left, or a file that throws before it took the buffer
                if (buffer != null) {
                    buffer.release();
                }
                chunkWritten(length, e);
            }
        }
        looping = false;
        if (failure != null) {
            done.fail(failure);
        }
    }

    private void chunkWritten(int length, Throwable error) {
        chunkInFlight = false;
        if (error != null) {
            failure = error;
        } else {
            written += length;
        }
        if (!looping) {
            writeChunks(); // completed later, from the event loop: the loop goes on (or ends) from here
        }
    }
}
