package dev.atoll.examples.kv;

import java.util.Arrays;

/**
 * A HyperLogLog as Redis 7.0 stores it in a string value, byte for byte: a 16-byte header
 * ({@code "HYLL"}, the encoding, three unused bytes, the cached cardinality as 8 little-endian bytes
 * whose top bit says it is stale) and 16384 registers of 6 bits, either <em>sparse</em> (run-length
 * opcodes: ZERO {@code 00xxxxxx} for 1-64 zero registers, XZERO {@code 01xxxxxx yyyyyyyy} for
 * 1-16384, VAL {@code 1vvvvvxx} for 1-4 registers of value 1-32) or <em>dense</em> (12288 bytes, the
 * registers packed least significant bit first). A register takes the length of the run of zeros (plus
 * one) in the 50 high bits of the element's MurmurHash64A (seed {@code 0xadc83b19}); the low 14 bits
 * choose the register. A sparse value becomes dense when a register would exceed 32 or the value would
 * grow past {@link #SPARSE_MAX_BYTES} (Redis's {@code hll-sparse-max-bytes} default), in the same
 * step Redis takes, so the bytes stay Redis's. The cardinality is Ertl's estimator over the registers'
 * histogram ("New cardinality estimation algorithms for HyperLogLog sketches", as Redis's hllCount).
 *
 * <p>An instance is a mutable working copy: the commands copy the stored value into one, change it
 * and store its bytes back ({@link HllCommands}).
 */
final class HyperLogLog {
    static final int P = 14;
    static final int Q = 64 - P;
    static final int REGISTERS = 1 << P;
    static final int HEADER = 16;
    static final int DENSE_SIZE = HEADER + REGISTERS * 6 / 8;
    static final int SPARSE_MAX_BYTES = 3000;
    static final int DENSE = 0;
    static final int SPARSE = 1;
    private static final int MAX_ENCODING = SPARSE;
    private static final int VAL_MAX_VALUE = 32;
    private static final int VAL_MAX_LEN = 4;
    private static final int ZERO_MAX_LEN = 64;
    private static final long SEED = 0xadc83b19L;
    private static final double ALPHA_INF = 0.721347520444481703680; // 0.5 / ln 2

    private byte[] bytes;
    private int length;

    private HyperLogLog(byte[] bytes, int length) {
        this.bytes = bytes;
        this.length = length;
    }

    /** A new empty HyperLogLog as PFADD creates one: sparse, one XZERO of every register. */
    static HyperLogLog empty() {
        byte[] b = new byte[64];
        b[0] = 'H';
        b[1] = 'Y';
        b[2] = 'L';
        b[3] = 'L';
        b[4] = SPARSE;
        b[HEADER] = (byte) (0x40 | ((REGISTERS - 1) >>> 8));
        b[HEADER + 1] = (byte) ((REGISTERS - 1) & 0xff);
        return new HyperLogLog(b, HEADER + 2);
    }

    /** A working copy of the (valid: see {@link #valid}) value {@code v[from, from + count)}. */
    static HyperLogLog copyOf(byte[] v, int from, int count) {
        return new HyperLogLog(Arrays.copyOfRange(v, from, from + count + 8), count);
    }

    /** Whether {@code v[from, from + count)} is a HyperLogLog's string by its header (Redis's isHLLObjectOrReply). */
    static boolean valid(byte[] v, int from, int count) {
        if (count < HEADER || v[from] != 'H' || v[from + 1] != 'Y' || v[from + 2] != 'L' || v[from + 3] != 'L') {
            return false;
        }
        int encoding = v[from + 4] & 0xff;
        return encoding <= MAX_ENCODING && (encoding != DENSE || count == DENSE_SIZE);
    }

    /** PFDEBUG DECODE's text of the sparse opcodes: {@code z:n} ZERO, {@code Z:n} XZERO, {@code v:value,n} VAL. */
    String decodeSparse() {
        StringBuilder text = new StringBuilder();
        for (int p = HEADER; p < length; ) {
            int op = bytes[p] & 0xff;
            if ((op & 0xc0) == 0) {
                text.append("z:").append((op & 0x3f) + 1).append(' ');
                p++;
            } else if ((op & 0x80) == 0) {
                text.append("Z:").append(xzeroLength(op, p)).append(' ');
                p += 2;
            } else {
                text.append("v:").append(((op >>> 2) & 0x1f) + 1).append(',').append((op & 3) + 1).append(' ');
                p++;
            }
        }
        return text.toString().trim();
    }

    /** Whether the valid value {@code v[from, ...)} is dense. */
    static boolean isDense(byte[] v, int from) {
        return v[from + 4] == DENSE;
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    /** The cardinality cached in the valid value {@code v[from, ...)}; -1 when it is stale. */
    static long cached(byte[] v, int from) {
        if ((v[from + HEADER - 1] & 0x80) != 0) {
            return -1;
        }
        long card = 0;
        for (int i = 7; i >= 0; i--) {
            card = (card << 8) | (v[from + 8 + i] & 0xff);
        }
        return card;
    }

    /** Caches {@code card} as the current cardinality. */
    void cache(long card) {
        for (int i = 0; i < 8; i++) {
            bytes[8 + i] = (byte) (card >>> (8 * i));
        }
    }

    /** Marks the cached cardinality stale (after a register grew). */
    void invalidate() {
        bytes[HEADER - 1] |= (byte) 0x80;
    }

    /** Adds an element: 1 when a register grew, 0 when none did, -1 when the sparse opcodes are corrupt. */
    int add(byte[] e, int offset, int count) {
        int slot = slot(e, offset, count);
        return set(slot & 0xffff, slot >>> 16);
    }

    /**
     * Where an element goes: its register (the low 14 bits of its hash, in bits 0-15 of the answer)
     * and its run (one more than the zeros that end the other 50 bits, in bits 16 on).
     */
    static int slot(byte[] e, int offset, int count) {
        long hash = murmurHash64A(e, offset, count, SEED);
        int index = (int) (hash & (REGISTERS - 1));
        int run = Long.numberOfTrailingZeros((hash >>> P) | (1L << Q)) + 1;
        return index | run << 16;
    }

    /** Raises register {@code index} to {@code value} when it is below: 1 when it grew, 0 when not, -1 when corrupt. */
    int set(int index, int value) {
        return bytes[4] == DENSE ? denseSet(bytes, HEADER, index, value) : sparseSet(index, value);
    }

    /** Converts a sparse value to dense (no change when dense); false when its opcodes do not cover exactly every register. */
    boolean toDense() {
        if (bytes[4] == DENSE) {
            return true;
        }
        byte[] dense = new byte[DENSE_SIZE];
        System.arraycopy(bytes, 0, dense, 0, HEADER);
        dense[4] = DENSE;
        boolean whole = forEachRun(bytes, HEADER, length, (index, run, value) -> {
            for (int k = 0; value != 0 && k < run; k++) {
                denseSet(dense, HEADER, index + k, value);
            }
        });
        if (!whole) {
            return false;
        }
        bytes = dense;
        length = DENSE_SIZE;
        return true;
    }

    private int xzeroLength(int op, int p) {
        int low = p + 1 < length ? bytes[p + 1] & 0xff : 0;
        return (((op & 0x3f) << 8) | low) + 1;
    }

    /** Redis's hllSparseSet: splits the opcode that covers {@code index}, merges equal neighbours, or turns dense. */
    private int sparseSet(int index, int value) {
        if (value > VAL_MAX_VALUE) {
            return promote(index, value);
        }
        if (bytes.length < length + 3) {
            bytes = Arrays.copyOf(bytes, Math.max(length + 3, 2 * bytes.length));
        }
        // Step 1: the opcode that covers the register, with its first register and the one before it.
        int p = HEADER;
        int end = length;
        int first = 0;
        int prev = -1;
        int span = 0;
        while (p < end) {
            int op = bytes[p] & 0xff;
            int opLength = 1;
            if ((op & 0xc0) == 0) {
                span = (op & 0x3f) + 1;
            } else if ((op & 0x80) != 0) {
                span = (op & 3) + 1;
            } else {
                span = xzeroLength(op, p);
                opLength = 2;
            }
            if (index <= first + span - 1) {
                break;
            }
            prev = p;
            p += opLength;
            first += span;
        }
        if (span == 0 || p >= end) {
            return -1;
        }
        int op = bytes[p] & 0xff;
        boolean zero = (op & 0xc0) == 0;
        boolean xzero = (op & 0xc0) == 0x40;
        int next = xzero ? p + 2 : p + 1;
        if (next >= end) {
            next = -1;
        }
        int run = zero ? (op & 0x3f) + 1 : xzero ? xzeroLength(op, p) : (op & 3) + 1;
        // Step 2: a VAL of our register alone or a ZERO of one register changes in place; else a split.
        if (!zero && !xzero) {
            int old = ((op >>> 2) & 0x1f) + 1;
            if (old >= value) {
                return 0;
            }
            if (run == 1) {
                bytes[p] = val(value, 1);
                return mergeNeighbours(prev, end);
            }
        }
        if (zero && run == 1) {
            bytes[p] = val(value, 1);
            return mergeNeighbours(prev, end);
        }
        byte[] seq = new byte[5];
        int n = 0;
        int last = first + span - 1;
        if (zero || xzero) {
            if (index != first) {
                n = putZeros(seq, n, index - first);
            }
            seq[n++] = val(value, 1);
            if (index != last) {
                n = putZeros(seq, n, last - index);
            }
        } else {
            int current = ((op >>> 2) & 0x1f) + 1;
            if (index != first) {
                seq[n++] = val(current, index - first);
            }
            seq[n++] = val(value, 1);
            if (index != last) {
                seq[n++] = val(current, last - index);
            }
        }
        // Step 3: the new opcodes replace the old one, unless the value would grow too large.
        int delta = n - (xzero ? 2 : 1);
        if (delta > 0 && length + delta > SPARSE_MAX_BYTES) {
            return promote(index, value);
        }
        if (delta != 0 && next >= 0) {
            System.arraycopy(bytes, next, bytes, next + delta, end - next);
        }
        length += delta;
        end += delta;
        System.arraycopy(seq, 0, bytes, p, n);
        return mergeNeighbours(prev, end);
    }

    /** Step 4 of hllSparseSet: up to five opcodes from the one before the change, equal adjacent VALs joined. */
    private int mergeNeighbours(int prev, int end) {
        int p = prev >= 0 ? prev : HEADER;
        int scan = 5;
        while (p < end && scan-- > 0) {
            int op = bytes[p] & 0xff;
            if ((op & 0xc0) == 0x40) {
                p += 2;
                continue;
            } else if ((op & 0xc0) == 0) {
                p++;
                continue;
            }
            if (p + 1 < end && (bytes[p + 1] & 0x80) != 0) {
                int nextOp = bytes[p + 1] & 0xff;
                int joined = (op & 3) + 1 + (nextOp & 3) + 1;
                if (((op >>> 2) & 0x1f) == ((nextOp >>> 2) & 0x1f) && joined <= VAL_MAX_LEN) {
                    bytes[p + 1] = val(((op >>> 2) & 0x1f) + 1, joined);
                    System.arraycopy(bytes, p + 1, bytes, p, end - p - 1);
                    length--;
                    end--;
                    continue; // the joined VAL may join the one after it too
                }
            }
            p++;
        }
        invalidate();
        return 1;
    }

    private int promote(int index, int value) {
        if (!toDense()) {
            return -1;
        }
        return denseSet(bytes, HEADER, index, value);
    }

    private static int putZeros(byte[] seq, int n, int count) {
        if (count > ZERO_MAX_LEN) {
            seq[n] = (byte) (0x40 | ((count - 1) >>> 8));
            seq[n + 1] = (byte) ((count - 1) & 0xff);
            return n + 2;
        }
        seq[n] = (byte) (count - 1);
        return n + 1;
    }

    private static byte val(int value, int count) {
        return (byte) (0x80 | ((value - 1) << 2) | (count - 1));
    }

    /** Register {@code index} of the dense registers at {@code b[registers, ...)}. */
    static int denseGet(byte[] b, int registers, int index) {
        int bit = index * 6;
        int at = registers + (bit >>> 3);
        int shift = bit & 7;
        int b0 = b[at] & 0xff;
        int b1 = at + 1 < b.length ? b[at + 1] & 0xff : 0; // the last register never reaches it
        return ((b0 >>> shift) | (b1 << (8 - shift))) & 63;
    }

    /** Raises dense register {@code index} to {@code value} when it is below: 1 when it grew, else 0. */
    static int denseSet(byte[] b, int registers, int index, int value) {
        if (value <= denseGet(b, registers, index)) {
            return 0;
        }
        int bit = index * 6;
        int at = registers + (bit >>> 3);
        int shift = bit & 7;
        b[at] = (byte) ((b[at] & ~(63 << shift)) | (value << shift));
        if (shift > 2) { // the register crosses into the next byte
            b[at + 1] = (byte) ((b[at + 1] & ~(63 >>> (8 - shift))) | (value >>> (8 - shift)));
        }
        return 1;
    }

    /**
     * Raises each of {@code max}'s 16384 registers (one a byte) to the valid value
     * {@code v[from, from + count)}'s (Redis's hllMerge); false when its sparse opcodes are corrupt.
     */
    static boolean mergeInto(byte[] max, byte[] v, int from, int count) {
        if (v[from + 4] == DENSE) {
            for (int i = 0; i < REGISTERS; i++) {
                max[i] = (byte) Math.max(max[i], denseGet(v, from + HEADER, i));
            }
            return true;
        }
        return forEachRun(v, from + HEADER, from + count, (index, run, value) -> {
            for (int k = 0; value != 0 && k < run; k++) {
                max[index + k] = (byte) Math.max(max[index + k], value);
            }
        });
    }

    /** What {@link #forEachRun} calls for each opcode: {@code run} registers from {@code index} hold {@code value}. */
    private interface Runs {
        void run(int index, int run, int value);
    }

    /**
     * Calls {@code runs} for each opcode of the sparse registers {@code v[from, end)}, zeros as value 0;
     * true when they cover exactly the 16384 registers (a VAL past the last one stops the walk, as Redis's).
     */
    private static boolean forEachRun(byte[] v, int from, int end, Runs runs) {
        int index = 0;
        for (int p = from; p < end; ) {
            int op = v[p] & 0xff;
            if ((op & 0xc0) == 0) {
                runs.run(index, (op & 0x3f) + 1, 0);
                index += (op & 0x3f) + 1;
                p++;
            } else if ((op & 0x80) == 0) {
                int run = (((op & 0x3f) << 8) | (p + 1 < end ? v[p + 1] & 0xff : 0)) + 1;
                runs.run(index, run, 0);
                index += run;
                p += 2;
            } else {
                int run = (op & 3) + 1;
                if (index + run > REGISTERS) {
                    break;
                }
                runs.run(index, run, ((op >>> 2) & 0x1f) + 1);
                index += run;
                p++;
            }
        }
        return index == REGISTERS;
    }

    /** This value's estimated cardinality; -1 when its sparse opcodes do not cover exactly every register. */
    long count() {
        int[] histogram = new int[64];
        if (bytes[4] == DENSE) {
            for (int i = 0; i < REGISTERS; i++) {
                histogram[denseGet(bytes, HEADER, i)]++;
            }
        } else if (!forEachRun(bytes, HEADER, length, (index, run, value) -> histogram[value] += run)) {
            return -1;
        }
        return estimate(histogram);
    }

    /** The estimated cardinality of 16384 registers held one a byte (PFCOUNT of several keys). */
    static long count(byte[] registers) {
        int[] histogram = new int[64];
        for (int i = 0; i < REGISTERS; i++) {
            histogram[registers[i]]++;
        }
        return estimate(histogram);
    }

    /** Ertl's improved estimator over the registers' histogram, as Redis 7.0's hllCount. */
    private static long estimate(int[] histogram) {
        double m = REGISTERS;
        double z = m * tau((m - histogram[Q + 1]) / m);
        for (int j = Q; j >= 1; --j) {
            z += histogram[j];
            z *= 0.5;
        }
        z += m * sigma(histogram[0] / m);
        return Math.round(ALPHA_INF * m * m / z);
    }

    private static double sigma(double x) {
        if (x == 1.0) {
            return Double.POSITIVE_INFINITY;
        }
        double previous;
        double y = 1;
        double z = x;
        do {
            x *= x;
            previous = z;
            z += x * y;
            y += y;
        } while (previous != z);
        return z;
    }

    private static double tau(double x) {
        if (x == 0.0 || x == 1.0) {
            return 0.0;
        }
        double previous;
        double y = 1.0;
        double z = 1 - x;
        do {
            x = Math.sqrt(x);
            previous = z;
            y *= 0.5;
            z -= Math.pow(1 - x, 2) * y;
        } while (previous != z);
        return z / 3;
    }

    /** Austin Appleby's MurmurHash64A of {@code b[offset, offset + count)}, as Redis hashes elements. */
    static long murmurHash64A(byte[] b, int offset, int count, long seed) {
        final long m = 0xc6a4a7935bd1e995L;
        final int r = 47;
        long h = seed ^ ((long) count * m);
        int end = offset + (count & ~7);
        for (int p = offset; p < end; p += 8) {
            long k = 0;
            for (int i = 7; i >= 0; i--) {
                k = (k << 8) | (b[p + i] & 0xff);
            }
            k *= m;
            k ^= k >>> r;
            k *= m;
            h ^= k;
            h *= m;
        }
        int tail = count & 7;
        if (tail != 0) {
            for (int i = tail - 1; i >= 0; i--) {
                h ^= (long) (b[end + i] & 0xff) << (8 * i);
            }
            h *= m;
        }
        h ^= h >>> r;
        h *= m;
        h ^= h >>> r;
        return h;
    }
}
