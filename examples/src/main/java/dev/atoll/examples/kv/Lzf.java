package dev.atoll.examples.kv;

/**
 * liblzf's compressor as Redis builds it (HLOG 16, VERY_FAST, a hash table that starts empty), so
 * that what Atoll writes compressed in an RDB payload is byte for byte what redis-server writes.
 * (Redis leaves the table uninitialised on its stack; an entry left from an earlier call could only
 * find another valid match, which would still decompress to the same bytes.)
 */
final class Lzf {
    private static final int HLOG = 16;
    private static final int HSIZE = 1 << HLOG;
    private static final int MAX_LIT = 1 << 5;
    private static final int MAX_OFF = 1 << 13;
    private static final int MAX_REF = (1 << 8) + (1 << 3);

    /**
     * The hash table of one thread, kept between calls: 512 KiB a call cost more than compressing a short
     * string. A slot counts only when stamped by this call, so every call starts from an empty table, as a
     * new one does.
     */
    private static final ThreadLocal<Table> TABLES = ThreadLocal.withInitial(Table::new);

    private static final class Table {
        final int[] positions = new int[HSIZE];
        final int[] stamps = new int[HSIZE];
        int call;

        /** Starts a call: every slot reads empty. */
        void clear() {
            if (++call == 0) { // wrapped after 2^32 calls: the stamps could match again
                java.util.Arrays.fill(stamps, 0);
                call = 1;
            }
        }

        /** The position in slot {@code slot} (0: empty; a match must lie after the input's start), then {@code ip} there. */
        int swap(int slot, int ip) {
            int ref = stamps[slot] == call ? positions[slot] : 0;
            put(slot, ip);
            return ref;
        }

        void put(int slot, int ip) {
            positions[slot] = ip;
            stamps[slot] = call;
        }
    }

    private final byte[] in;
    /** Where the input starts and ends in {@link #in}: a string is compressed where it lies, not copied first. */
    private final int start;
    private final int end;
    private final byte[] out;
    private int ip;
    private int op = 1; // after the first literal run's length byte
    private int lit;

    private Lzf(byte[] in, int start, int end, byte[] out) {
        this.in = in;
        this.start = start;
        this.end = end;
        this.out = out;
        this.ip = start;
    }

    private static int index(int hval) {
        return ((hval >>> (3 * 8 - HLOG)) - hval * 5) & (HSIZE - 1);
    }

    private static int next(int hval, byte[] in, int ip) {
        return hval << 8 | in[ip + 2] & 0xff;
    }

    /**
     * lzf_compress of {@code in[offset, offset + length)} into {@code out}: the compressed length, or 0 when it does not fit in
     * {@code outLength} bytes (the caller then writes the bytes plain, as Redis does). {@code out} holds
     * one byte more, as Redis allocates it.
     */
    static int compress(byte[] in, int offset, int length, byte[] out, int outLength) {
        if (length < 3 || outLength == 0) {
            return 0; // Redis compresses nothing under 21 bytes
        }
        return new Lzf(in, offset, offset + length, out).run(outLength);
    }

    private int run(int outEnd) {
        int inEnd = end;
        Table htab = TABLES.get();
        htab.clear();
        int hval = (in[start] & 0xff) << 8 | in[start + 1] & 0xff;
        while (ip < inEnd - 2) {
            hval = next(hval, in, ip);
            int slot = index(hval);
            int ref = htab.swap(slot, ip);
            int off = ip - ref - 1;
            if (ref > start && off < MAX_OFF && ip + 4 < inEnd
                    && in[ref] == in[ip] && in[ref + 1] == in[ip + 1] && in[ref + 2] == in[ip + 2]) {
                int len = 2;
                int maxlen = Math.min(inEnd - ip - len, MAX_REF);
                out[op - lit - 1] = (byte) (lit - 1); // stop the run
                op -= lit == 0 ? 1 : 0;               // none: undo it
                if (op + 3 + 1 >= outEnd) {
                    return 0;
                }
                boolean differed = false;
                if (maxlen > 16) { // liblzf's unrolled 16 steps, which do not look at maxlen
                    for (int k = 0; k < 16 && !differed; k++) {
                        len++;
                        differed = in[ref + len] != in[ip + len];
                    }
                }
                if (!differed) {
                    do {
                        len++;
                    } while (len < maxlen && in[ref + len] == in[ip + len]);
                }
                len -= 2;
                ip++;
                if (len < 7) {
                    out[op++] = (byte) ((off >> 8) + (len << 5));
                } else {
                    out[op++] = (byte) ((off >> 8) + (7 << 5));
                    out[op++] = (byte) (len - 7);
                }
                out[op++] = (byte) off;
                lit = 0;
                op++; // start a run
                ip += len + 1;
                if (ip >= inEnd - 2) {
                    break;
                }
                ip -= 2;
                hval = (in[ip] & 0xff) << 8 | in[ip + 1] & 0xff;
                hval = next(hval, in, ip);
                htab.put(index(hval), ip);
                ip++;
                hval = next(hval, in, ip);
                htab.put(index(hval), ip);
                ip++;
            } else {
                if (op >= outEnd) {
                    return 0;
                }
                literal();
            }
        }
        if (op + 3 > outEnd) {
            return 0;
        }
        while (ip < inEnd) {
            literal();
        }
        out[op - lit - 1] = (byte) (lit - 1);
        op -= lit == 0 ? 1 : 0;
        return op;
    }

    /** Copies one byte into the literal run, closing the run at its 32 bytes. */
    private void literal() {
        lit++;
        out[op++] = in[ip++];
        if (lit == MAX_LIT) {
            out[op - lit - 1] = (byte) (lit - 1);
            lit = 0;
            op++;
        }
    }
}
