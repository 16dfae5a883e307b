package dev.atoll.examples.kv;

/**
 * A shard's spare reply arrays: the arrays its connections' output grew into (512 bytes to 1 MiB, powers of
 * two) and gave back when they shrank again or closed. A connection's first large reply takes one instead
 * of growing a new array four to ten times: each new array lands on heap memory the JVM may never have
 * touched, whose first touch is a page fault per 4 KiB (about 30 µs for an {@code LRANGE} of 600 elements on
 * a virtual machine, measured), and a connection that closes would leave its array to the collector.
 * Redis keeps its clients' reply buffers in jemalloc's warm free lists to the same end.
 *
 * <p>Holds at most {@link #MAX_BYTES} in all; confined to its shard's thread.
 */
final class OutputArrays {
    /** The smallest and largest array kept: {@code 1 << MIN_SHIFT} and {@code 1 << MAX_SHIFT} bytes. */
    static final int MIN_SHIFT = 9;
    static final int MAX_SHIFT = 20;
    /** Spare bytes kept per shard: 64 arrays of 128 KiB (50 connections' pipelined LRANGE replies). */
    static final long MAX_BYTES = 8L << 20;

    private final byte[][][] spare = new byte[MAX_SHIFT - MIN_SHIFT + 1][][];
    private final int[] counts = new int[MAX_SHIFT - MIN_SHIFT + 1];
    private long bytes;

    /** An array of at least {@code capacity} bytes: a spare one of the power of two it rounds up to, else a new one. */
    byte[] take(int capacity) {
        int shift = shiftFor(capacity);
        if (shift < 0) {
            return new byte[capacity];
        }
        int c = shift - MIN_SHIFT;
        if (counts[c] == 0) {
            return new byte[1 << shift];
        }
        byte[] array = spare[c][--counts[c]];
        spare[c][counts[c]] = null;
        bytes -= array.length;
        return array;
    }

    /**
     * Keeps {@code array} for a later {@link #take} if it has a kept size and there is room; the caller
     * must hold no reference to it afterwards (its bytes become another connection's).
     */
    void give(byte[] array) {
        int length = array.length;
        if (Integer.bitCount(length) != 1 || length < 1 << MIN_SHIFT || length > 1 << MAX_SHIFT
                || bytes + length > MAX_BYTES) {
            return;
        }
        int c = Integer.numberOfTrailingZeros(length) - MIN_SHIFT;
        byte[][] stack = spare[c];
        if (stack == null || counts[c] == stack.length) {
            byte[][] grown = new byte[stack == null ? 4 : stack.length * 2][];
            if (stack != null) {
                System.arraycopy(stack, 0, grown, 0, counts[c]);
            }
            spare[c] = stack = grown;
        }
        stack[counts[c]++] = array;
        bytes += length;
    }

    /** The power of two a request for {@code capacity} bytes takes, or -1 when it is outside the kept sizes. */
    private static int shiftFor(int capacity) {
        if (capacity > 1 << MAX_SHIFT) {
            return -1;
        }
        return capacity <= 1 << MIN_SHIFT ? MIN_SHIFT : 32 - Integer.numberOfLeadingZeros(capacity - 1);
    }
}
