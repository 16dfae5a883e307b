package dev.atoll.io;

import dev.atoll.drivers.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;

/**
 * A shard's receive buffers handed to the kernel once (io_uring's provided buffer ring,
 * {@code atoll.io.receive.kernel-buffers}): every connection's multishot receive takes one only when data
 * arrives, so an idle connection holds no buffer and a busy one no more than it is using. A buffer the
 * receiver releases goes back to the kernel, not to the pool.
 */
final class ReceiveBufferRing {
    private static final Logger log = LoggerFactory.getLogger(ReceiveBufferRing.class);

    private final Driver driver;
    private final BufferPool pool;
    private final Buffer[] buffers;
    private final int group;

    private ReceiveBufferRing(Driver driver, BufferPool pool, Buffer[] buffers, int group) {
        this.driver = driver;
        this.pool = pool;
        this.buffers = buffers;
        this.group = group;
        for (int id = 0; id < buffers.length; id++) {
            buffers[id].lend();
            buffers[id].belongTo(this, id);
        }
        pool.kernelHeld(buffers.length);
    }

    /** The ring for {@code io}'s shard, or null: not configured, a readiness driver, or no room in the pool. */
    static ReceiveBufferRing open(IoShard io) {
        int count = io.settings().kernelBuffers();
        Driver driver = io.driver();
        if (count == 0 || !driver.providesReceiveBuffers()) {
            return null;
        }
        int size = io.settings().receiveBufferSize();
        Buffer[] buffers = new Buffer[count];
        MemorySegment[] memory = new MemorySegment[count];
        try {
            for (int i = 0; i < count; i++) {
                buffers[i] = io.pool().acquire(size);
                memory[i] = buffers[i].segment();
            }
        } catch (BufferPoolExhaustedException e) {
            log.info("shard {}: no kernel receive ring: the pool cannot spare {} buffers of {} bytes "
                    + "(atoll.io.receive.kernel-buffers, atoll.io.buffers.max-bytes); receives use a buffer each",
                    io.shard().id(), count, size);
            releaseAll(buffers);
            return null;
        }
        int group = driver.registerReceiveBuffers(memory, size);
        if (group < 0) {
            releaseAll(buffers); // the driver said why
            return null;
        }
        return new ReceiveBufferRing(driver, io.pool(), buffers, group);
    }

    private static void releaseAll(Buffer[] buffers) {
        for (Buffer buffer : buffers) {
            if (buffer != null) {
                buffer.release();
            }
        }
    }

    /** The group to name in a multishot receive. */
    int group() {
        return group;
    }

    /** Buffer {@code id}, which the kernel filled with {@code length} bytes: the caller's until released. */
    Buffer take(int id, int length) {
        Buffer buffer = buffers[id];
        if (pool.debugging()) {
            buffers[id] = null; // the receiver alone holds it: dropped without release, it is reported as a leak
        }
        buffer.filledByKernel(length);
        pool.kernelHeld(-1);
        pool.takenFromKernel(buffer);
        return buffer;
    }

    /** Called by {@link Buffer#release()}: the buffer goes back to the kernel. */
    void returned(Buffer buffer, int id) {
        Buffer next = pool.retire(buffer); // in the debug mode a new Buffer over the same memory
        buffers[id] = next;
        next.heldByKernel();
        pool.kernelHeld(1);
        driver.recycleReceiveBuffer(group, id);
    }
}
