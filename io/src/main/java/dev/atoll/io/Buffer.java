package dev.atoll.io;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * An off-heap buffer from a shard's {@link BufferPool}: bytes {@code [readIndex, writeIndex)} are the
 * data, {@code [writeIndex, capacity)} the room for more. A read appends at the write index; a write
 * sends from the read index and advances it.
 *
 * <p>Ownership: a buffer belongs to one shard. While an operation is in flight with it, the
 * operation owns it and every access throws {@link IllegalStateException}; it comes back with the
 * operation's result, and only then may it be used, reused or {@linkplain #release() released} —
 * so the kernel never writes into memory that may be reused.
 */
public final class Buffer {
    private final BufferPool pool;
    private final MemorySegment segment;
    private final long address;
    private final int sizeClass;
    /** The number of the pool slab it was cut from. */
    private final int slab;
    private int readIndex;
    private int writeIndex;
    /** An operation in flight owns it. */
    private boolean lent;
    private boolean released;
    /** Told when a buffer handed out by {@link Connection#receive} comes back; null otherwise. */
    private Runnable releaseHook;
    /** Set for buffers of a {@link ReceiveBufferRing}: released, they go back to the kernel, not to the pool. */
    private ReceiveBufferRing ring;
    private int ringId;
    /** Debug mode ({@code atoll.io.buffers.debug}): the leak detector's tracking while out, where it was released. */
    private BufferLeaks.Tracked tracked;
    private Throwable releasedAt;

    Buffer(BufferPool pool, MemorySegment segment, int sizeClass, int slab) {
        this.pool = pool;
        this.segment = segment;
        this.address = segment.address();
        this.sizeClass = sizeClass;
        this.slab = slab;
    }

    /** The whole buffer's memory ({@link #capacity()} bytes); indexes are offsets in it. */
    public MemorySegment segment() {
        checkUsable();
        return segment;
    }

    public int capacity() {
        return (int) segment.byteSize();
    }

    public int readIndex() {
        checkNotReleasedInDebug();
        return readIndex;
    }

    public int writeIndex() {
        checkNotReleasedInDebug();
        return writeIndex;
    }

    /** Bytes of data: {@code writeIndex - readIndex}. */
    public int readableBytes() {
        checkNotReleasedInDebug();
        return writeIndex - readIndex;
    }

    /** Room left: {@code capacity - writeIndex}. */
    public int writableBytes() {
        checkNotReleasedInDebug();
        return capacity() - writeIndex;
    }

    /** Marks {@code n} bytes of data as consumed. */
    public Buffer advanceReader(int n) {
        checkUsable();
        if (n < 0 || n > readableBytes()) {
            throw new IndexOutOfBoundsException("advance the reader by " + n + " with " + readableBytes() + " readable");
        }
        readIndex += n;
        return this;
    }

    /** Marks {@code n} bytes written directly into {@link #segment()} at the write index as data. */
    public Buffer advanceWriter(int n) {
        checkUsable();
        if (n < 0 || n > writableBytes()) {
            throw new IndexOutOfBoundsException("advance the writer by " + n + " with " + writableBytes() + " writable");
        }
        writeIndex += n;
        return this;
    }

    /** Empties the buffer (both indexes to 0). */
    public Buffer clear() {
        checkUsable();
        readIndex = 0;
        writeIndex = 0;
        return this;
    }

    /** Moves the data to the start of the buffer, making all free room contiguous. */
    public Buffer compact() {
        checkUsable();
        int readable = readableBytes();
        if (readIndex > 0 && readable > 0) {
            MemorySegment.copy(segment, readIndex, segment, 0, readable);
        }
        readIndex = 0;
        writeIndex = readable;
        return this;
    }

    /** The byte at absolute offset {@code index}. */
    public byte getByte(int index) {
        checkUsable();
        return segment.get(JAVA_BYTE, index);
    }

    /** Appends one byte. */
    public Buffer writeByte(int value) {
        checkRoom(1);
        segment.set(JAVA_BYTE, writeIndex++, (byte) value);
        return this;
    }

    /** Appends {@code bytes}. */
    public Buffer writeBytes(byte[] bytes) {
        return writeBytes(bytes, 0, bytes.length);
    }

    /** Appends {@code length} bytes of {@code bytes} from {@code offset}. */
    public Buffer writeBytes(byte[] bytes, int offset, int length) {
        checkRoom(length);
        MemorySegment.copy(bytes, offset, segment, JAVA_BYTE, writeIndex, length);
        writeIndex += length;
        return this;
    }

    /** Appends the readable bytes of {@code source} and consumes them there. */
    public Buffer writeBytes(Buffer source) {
        int length = source.readableBytes();
        checkRoom(length);
        MemorySegment.copy(source.segment(), source.readIndex, segment, writeIndex, length);
        writeIndex += length;
        source.readIndex += length;
        return this;
    }

    /** Appends {@code text} as UTF-8. */
    public Buffer writeUtf8(String text) {
        return writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Copies up to {@code length} readable bytes into {@code target} and consumes them; returns the count. */
    public int readBytes(byte[] target, int offset, int length) {
        checkUsable();
        int n = Math.min(length, readableBytes());
        MemorySegment.copy(segment, JAVA_BYTE, readIndex, target, offset, n);
        readIndex += n;
        return n;
    }

    /** A copy of the readable bytes (not consumed). */
    public byte[] toByteArray() {
        checkUsable();
        return segment.asSlice(readIndex, readableBytes()).toArray(JAVA_BYTE);
    }

    /** The readable bytes decoded as UTF-8 (not consumed). */
    public String toUtf8String() {
        return new String(toByteArray(), StandardCharsets.UTF_8);
    }

    /** Gives the buffer back to its pool; it must not be used afterwards. Only on its shard, when no operation owns it. */
    public void release() {
        checkUsable();
        released = true;
        if (pool.debugging()) {
            releasedAt = new Throwable("the buffer was released here");
        }
        Runnable hook = releaseHook;
        releaseHook = null;
        if (ring != null) {
            ring.returned(this, ringId);
        } else {
            pool.giveBack(this);
        }
        if (hook != null) {
            hook.run();
        }
    }

    /** True while an operation in flight owns the buffer. */
    public boolean isLent() {
        return lent;
    }

    @Override
    public String toString() {
        return "Buffer[read " + readIndex + ", write " + writeIndex + ", capacity " + capacity()
                + (lent ? ", lent to an operation" : "") + (released ? ", released" : "") + "]";
    }

    // ---- for operations and the pool ----

    /** The memory without the checks of {@link #segment()} (for the pool and the leak detector). */
    MemorySegment memory() {
        return segment;
    }

    /**
     * A new, unreleased Buffer over the same memory (of the same ring, if any): in debug mode a released
     * Buffer is never handed out again, so a reference kept past {@link #release()} keeps failing.
     */
    Buffer successor() {
        Buffer next = new Buffer(pool, segment, sizeClass, slab);
        next.ring = ring;
        next.ringId = ringId;
        return next;
    }

    BufferLeaks.Tracked tracked() {
        return tracked;
    }

    void tracked(BufferLeaks.Tracked tracking) {
        this.tracked = tracking;
    }

    /** The native address of offset 0, for system calls. */
    long address() {
        return address;
    }

    /** The registered-buffer index that covers this buffer, or -1 (see {@link BufferPool#registeredIndex}). */
    int registeredIndex() {
        return pool.registeredIndex(slab);
    }

    int sizeClass() {
        return sizeClass;
    }

    /** An operation takes the buffer until its completion. */
    void lend() {
        checkUsable();
        lent = true;
    }

    /** The operation that had it completed. */
    void giveBackFromOperation() {
        lent = false;
    }

    /** Makes this a buffer of {@code ring}, known to the kernel as {@code id}. */
    void belongTo(ReceiveBufferRing ring, int id) {
        this.ring = ring;
        this.ringId = id;
    }

    /** A released ring buffer goes back to the kernel: nobody may use it until it is filled again. */
    void heldByKernel() {
        lent = true;
    }

    /** A ring buffer the kernel filled with {@code length} bytes: the application's until released. */
    void filledByKernel(int length) {
        lent = false;
        released = false;
        readIndex = 0;
        writeIndex = length;
    }

    /** Back to its pool (when its ring is given up). */
    void leaveRing() {
        ring = null;
    }

    void releaseHook(Runnable hook) {
        this.releaseHook = hook;
    }

    /** Out of the pool again: empty, usable. */
    void reuse() {
        released = false;
        lent = false;
        readIndex = 0;
        writeIndex = 0;
    }

    /** A write's completion consumes what was sent while the buffer is still lent. */
    void setReadIndex(int index) {
        readIndex = index;
    }

    private void checkRoom(int length) {
        checkUsable();
        if (length > writableBytes()) {
            throw new IndexOutOfBoundsException("writing " + length + " bytes with " + writableBytes() + " writable");
        }
    }

    private void checkUsable() {
        if (released) {
            throw releasedException();
        }
        if (lent) {
            throw new IllegalStateException("the buffer is owned by an operation in flight until it completes");
        }
        pool.checkOwner();
    }

    private void checkNotReleasedInDebug() {
        if (released && pool.debugging()) {
            throw releasedException();
        }
    }

    private IllegalStateException releasedException() {
        return releasedAt == null
                ? new IllegalStateException("the buffer was released to its pool (atoll.io.buffers.debug = true "
                        + "tells where)")
                : new IllegalStateException("the buffer was used after its release (see the cause for where)",
                        releasedAt);
    }
}
