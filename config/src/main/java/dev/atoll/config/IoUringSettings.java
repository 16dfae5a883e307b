package dev.atoll.config;

/**
 * Settings of {@code atoll.io-uring}.
 *
 * @param entries                 submission queue entries per shard ring (a power of two)
 * @param wake                    how an io_uring shard wakes another io_uring shard
 * @param maxBoundedWorkers       cap on the kernel's bounded worker threads per ring (file I/O); 0 = kernel default
 * @param maxUnboundedWorkers     cap on the kernel's unbounded worker threads per ring; 0 = kernel default
 * @param sendZeroCopyThreshold   sends of at least this many bytes use {@code SEND_ZC}; 0 = never
 * @param registeredBuffers       entries of each ring's registered-buffer table (READ_FIXED/WRITE_FIXED); 0 = none
 * @param registeredFiles         entries of each ring's registered-file table; 0 = none
 */
public record IoUringSettings(int entries, Wake wake, int maxBoundedWorkers, int maxUnboundedWorkers,
                              long sendZeroCopyThreshold, int registeredBuffers, int registeredFiles) {

    /** The default settings ({@code reference.conf}'s values). */
    public static IoUringSettings defaults() {
        return AtollConfig.defaults().settings().ioUring();
    }

    /** The wake-up path between two io_uring shards. */
    public enum Wake {
        /** {@code IORING_OP_MSG_RING} from the waker's own ring: no file descriptor in between. */
        MSG_RING,
        /** A write to the target's eventfd, on which its ring keeps a read pending. */
        EVENTFD
    }
}
