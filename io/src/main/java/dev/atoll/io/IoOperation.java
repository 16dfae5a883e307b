package dev.atoll.io;

import dev.atoll.drivers.Completion;
import dev.atoll.drivers.Driver;
import dev.atoll.drivers.Operation;
import dev.atoll.drivers.ffi.Errno;
import dev.atoll.shards.Shard;
import dev.atoll.shards.Timer;

import java.time.Duration;

/**
 * One direction of a resource (a connection's reads, its writes, a listener's accepts): an
 * {@link Operation} prepared again for each use, so an I/O operation allocates no driver object.
 * Adds the deadline and tells its owner how it ended. The deadline is the kernel's where the driver
 * {@link Driver#supportsLinkedTimeouts() links timeouts} (io_uring: one more SQE, no timer, no cancel
 * request), otherwise a shard timer that cancels the operation.
 */
final class IoOperation extends Operation {

    /** The resource side that learns each result. */
    interface Owner {
        /**
         * {@code result} is the driver's ({@code >= 0} or {@code -errno}); {@code timedOut} when the deadline
         * cancelled it. A multishot operation reports each step here too, still {@link IoOperation#inFlight()}.
         */
        void completed(IoOperation operation, int result, boolean timedOut);

        /** The operation waits for readiness and its memory is free to lend out (see {@link Operation#onWait()}). */
        default void waiting(IoOperation operation) {
        }

        /** About to be retried: take memory back ({@link IoOperation#retarget}); false fails it with ENOBUFS. */
        default boolean retrying(IoOperation operation) {
            return true;
        }
    }

    private final Owner owner;
    private final Driver driver;
    private final Shard shard;
    /** A graceful stop waits for this operation (writes, file operations; not reads or accepts, which may never end). */
    private final boolean stopWaits;
    private Timer deadline;
    private boolean timedOut;
    private boolean inFlight;
    private int completionFlags;

    /** An operation a graceful stop does not wait for (a read, a receive, an accept: they may never end). */
    IoOperation(IoShard io, Owner owner) {
        this(io, owner, false);
    }

    /** With {@code stopWaits}: the shard's graceful stop waits for it (see {@link Shard#operationStarted()}). */
    IoOperation(IoShard io, Owner owner, boolean stopWaits) {
        this.owner = owner;
        this.driver = io.driver();
        this.shard = io.shard();
        this.stopWaits = stopWaits;
    }

    /** Submits what was prepared; with a timeout unless it is null. */
    void submit(Duration timeout) {
        timedOut = false;
        boolean linked = timeout != null && driver.supportsLinkedTimeouts();
        if (linked) {
            timeoutNanos(Math.max(1, timeout.toNanos()));
        }
        if (stopWaits && !inFlight) {
            shard.operationStarted();
        }
        inFlight = true;
        driver.submit(this);
        if (timeout != null && !linked) {
            deadline = shard.schedule(timeout, this::deadlinePassed);
        }
    }

    boolean inFlight() {
        return inFlight;
    }

    /** Asks the driver to cancel; the outcome arrives as the completion ({@code -ECANCELED}, or the result). */
    void cancel() {
        if (inFlight) {
            driver.cancel(this);
        }
    }

    private void deadlinePassed() {
        deadline = null;
        if (inFlight) {
            timedOut = true;
            driver.cancel(this);
        }
    }

    /**
     * The exception for a failed {@code result} of operation {@code what} on {@code resource}: a timeout,
     * a cancellation (explicit, or by closing the resource), or the kernel's error.
     */
    static IoException failure(String what, Object resource, int result, boolean timedOut, boolean open) {
        if (timedOut) {
            return new IoTimeoutException(what + " on " + resource + " timed out");
        }
        if (result == -Errno.ECANCELED) {
            return new IoCancelledException(what + " on " + resource + (open ? " was cancelled" : ": it was closed"));
        }
        return new IoException(what + " on " + resource, -result);
    }

    @Override
    public void onWait() {
        owner.waiting(this);
    }

    @Override
    public boolean beforeRetry() {
        return owner.retrying(this);
    }

    /** Points the waiting transfer at other memory (from {@link Owner#retrying}). */
    void retarget(long address, int length) {
        rebuffer(address, length);
    }

    /** The {@link dev.atoll.drivers.Completion} flags of the completion being reported. */
    int completionFlags() {
        return completionFlags;
    }

    @Override
    public void complete(int result, int flags) {
        completionFlags = flags;
        if (Completion.hasMore(flags)) {
            owner.completed(this, result, false); // a multishot's progress: still in flight
            return;
        }
        inFlight = false;
        if (stopWaits) {
            shard.operationEnded();
        }
        if (deadline != null) {
            deadline.cancel();
            deadline = null;
        }
        owner.completed(this, result, (timedOut || Completion.timedOut(flags)) && result == -Errno.ECANCELED);
    }
}
