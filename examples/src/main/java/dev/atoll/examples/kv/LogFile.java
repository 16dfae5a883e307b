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

    /**
     * Closes a file that another was renamed over, as {@link #closeAsync} does, with the kernel's release of
     * its pages (tens of ms for a large log) off the shard's thread: see {@code AsyncFile.closeAsyncOffShard}.
     */
    default Promise<Void> closeReplaced() {
        return closeAsync();
    }
}
