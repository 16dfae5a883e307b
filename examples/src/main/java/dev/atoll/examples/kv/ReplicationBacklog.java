package dev.atoll.examples.kv;

/**
 * Redis's replication backlog: the last {@code repl-backlog-size} bytes of the replication stream, in a
 * ring, so that a replica that reconnects with an offset still in it gets only what it missed
 * ({@code +CONTINUE}). Touched only on the replication's home shard; INFO reads its figures through
 * {@link ReplicationMaster}'s volatile copies.
 */
final class ReplicationBacklog {
    private final byte[] ring;
    /** The stream offset of the byte after the last one held (master_repl_offset). */
    private long end;
    /** How many of the last bytes are held (repl_backlog_histlen). */
    private int held;

    /** A backlog of {@code size} bytes whose first byte will be the stream's byte {@code offset} + 1. */
    ReplicationBacklog(int size, long offset) {
        this.ring = new byte[size];
        this.end = offset;
    }

    /** A backlog of {@code size} bytes holding the last of this one's bytes that fit (Redis's resize keeps them). */
    ReplicationBacklog resized(int size) {
        ReplicationBacklog b = new ReplicationBacklog(size, end - held);
        int keep = Math.min(held, size);
        byte[] last = since(end - keep);
        b.end = end - keep;
        b.add(last, 0, keep);
        return b;
    }

    int size() {
        return ring.length;
    }

    int held() {
        return held;
    }

    /** Redis's repl_backlog_first_byte_offset: the offset of the first byte held, counted from 1. */
    long firstByteOffset() {
        return end - held + 1;
    }

    void add(byte[] bytes, int offset, int length) {
        if (length >= ring.length) { // only the last ring.length bytes stay
            offset += length - ring.length;
            end += length - ring.length;
            length = ring.length;
        }
        int at = (int) (end % ring.length);
        int first = Math.min(length, ring.length - at);
        System.arraycopy(bytes, offset, ring, at, first);
        System.arraycopy(bytes, offset + first, ring, 0, length - first);
        end += length;
        held = (int) Math.min(ring.length, (long) held + length);
    }

    /** Whether a replica that has processed the stream up to {@code offset} can continue from here. */
    boolean covers(long offset) {
        return offset >= end - held && offset <= end;
    }

    /** The bytes after stream offset {@code from} up to the end ({@link #covers} must hold). */
    byte[] since(long from) {
        int length = (int) (end - from);
        byte[] copy = new byte[length];
        int at = (int) (from % ring.length);
        int first = Math.min(length, ring.length - at);
        System.arraycopy(ring, at, copy, 0, first);
        System.arraycopy(ring, 0, copy, first, length - first);
        return copy;
    }
}
