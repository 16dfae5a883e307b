package dev.atoll.examples.kv;

import dev.atoll.io.Buffer;
import dev.atoll.shards.Promise;

/**
 * The file operations the log needs. In production an {@link dev.atoll.io.AsyncFile} (through
 * {@link LogStore#FILES}, one adapter per open file, nothing per call); tests put a layer here that
 * keeps only what was synced, to show what a power loss would leave.
 */
interface LogFile {

    /** Writes all of {@code buffer}'s readable bytes at {@code position}; completes with the count. */
    Promise<Integer> write(Buffer buffer, long position);

    /** Completes once everything written before the call is on the device. */
    Promise<Void> fdatasync();

    /** The file's size in bytes. */
    Promise<Long> size();

    /** Closes the file once the operations in flight have finished. */
    Promise<Void> closeAsync();
}
