package dev.atoll.io;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.HashSet;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The buffer debug mode of one pool ({@code atoll.io.buffers.debug}), in the manner of Netty's leak
 * detector: every buffer handed out is tracked with where it was acquired; one that becomes
 * unreachable without {@link Buffer#release()} is reported when the pool next acquires (or gives its
 * stats). A released buffer's memory is poisoned, and checked when it is handed out again, so bytes
 * written through a segment kept past the release are reported too. Used by the pool's thread only.
 */
final class BufferLeaks {
    private static final Logger log = LoggerFactory.getLogger(BufferLeaks.class);
    /** What a released buffer is filled with. */
    static final byte POISON = (byte) 0xDE;
    private static final long POISON_WORD = 0xDEDE_DEDE_DEDE_DEDEL;

    private final String owner;
    private final ReferenceQueue<Buffer> collected = new ReferenceQueue<>();
    /** Holds the tracking references (not the buffers) so that they stay until enqueued. */
    private final Set<Tracked> live = new HashSet<>();
    private long leaked;

    BufferLeaks(String owner) {
        this.owner = owner;
    }

    /** A buffer is out: tracked from here ({@code reused}: it was released before, and must still be poisoned). */
    void acquired(Buffer buffer, boolean reused) {
        reportCollected();
        if (reused) {
            checkPoison(buffer.memory());
        }
        track(buffer, "acquired");
    }

    /** A buffer of the kernel receive ring was filled and handed out: tracked from here. */
    void taken(Buffer buffer) {
        reportCollected();
        track(buffer, "received");
    }

    /** {@code buffer} was released: poisoned and no longer tracked. */
    void released(Buffer buffer) {
        Tracked tracked = buffer.tracked();
        if (tracked != null) {
            tracked.clear();
            live.remove(tracked);
            buffer.tracked(null);
        }
        buffer.memory().fill(POISON);
    }

    /** Buffers that became garbage without being released, reported so far. */
    long leaked() {
        reportCollected();
        return leaked;
    }

    private void track(Buffer buffer, String how) {
        Tracked old = buffer.tracked();
        if (old != null) {
            old.clear();
            live.remove(old);
        }
        Tracked tracked = new Tracked(buffer, collected, new Throwable("the leaked buffer was " + how + " here"));
        live.add(tracked);
        buffer.tracked(tracked);
    }

    private void reportCollected() {
        for (Tracked tracked; (tracked = (Tracked) collected.poll()) != null; ) {
            if (live.remove(tracked)) {
                leaked++;
                log.error("LEAK: a buffer of {} bytes of {}'s pool became garbage without release() "
                        + "(atoll.io.buffers.debug); its memory is lost to the pool", tracked.capacity, owner,
                        tracked.where);
            }
        }
    }

    private void checkPoison(MemorySegment memory) {
        long size = memory.byteSize();
        for (long at = 0; at < size; at += Long.BYTES) { // sizes are powers of two of at least 64 bytes
            if (memory.get(JAVA_LONG_UNALIGNED, at) != POISON_WORD) {
                log.error("a buffer of {} bytes of {}'s pool was written after its release (at offset {} or "
                        + "just after): something kept its memory (atoll.io.buffers.debug)", size, owner, at,
                        new Throwable("found when it was acquired again here"));
                return;
            }
        }
    }

    /** A buffer's tracking: weakly, so the buffer itself can become garbage and be reported. */
    static final class Tracked extends WeakReference<Buffer> {
        final int capacity;
        final Throwable where;

        Tracked(Buffer buffer, ReferenceQueue<Buffer> queue, Throwable where) {
            super(buffer, queue);
            this.capacity = buffer.capacity();
            this.where = where;
        }
    }
}
