package dev.atoll.examples.kv;

/**
 * A stream entry ID, {@code ms-seq}, both parts unsigned 64-bit numbers held in Java longs (compared
 * with {@link Long#compareUnsigned}): mutable, so a command parses into the few it keeps and an
 * XADD allocates none. Parsing follows Redis 7.0's streamGenericParseIDOrReply: {@code -} and
 * {@code +} unless strict, {@code ms} alone takes a given sequence, {@code ms-*} (XADD) leaves the
 * sequence to be chosen, and each number is read as Redis's string2ull reads it.
 */
final class StreamId {
    /** The largest part, 2^64 - 1, as an unsigned long. */
    static final long MAX = -1L;
    static final String INVALID = "ERR Invalid stream ID specified as stream command argument";

    long ms;
    long seq;
    /** After {@link #parse}: false when the ID was {@code ms-*} (XADD chooses the sequence). */
    boolean seqGiven;
    /** The number {@link #unsigned} read last. */
    private long parsed;

    StreamId set(long ms, long seq) {
        this.ms = ms;
        this.seq = seq;
        return this;
    }

    StreamId set(StreamId other) {
        return set(other.ms, other.seq);
    }

    boolean isZero() {
        return ms == 0 && seq == 0;
    }

    /** Orders two IDs as Redis's streamCompareID does. */
    static int compare(long ms1, long seq1, long ms2, long seq2) {
        int c = Long.compareUnsigned(ms1, ms2);
        return c != 0 ? c : Long.compareUnsigned(seq1, seq2);
    }

    int compareTo(long otherMs, long otherSeq) {
        return compare(ms, seq, otherMs, otherSeq);
    }

    int compareTo(StreamId other) {
        return compare(ms, seq, other.ms, other.seq);
    }

    /** The next ID; false (unchanged) at the last possible one. */
    boolean increment() {
        if (seq != MAX) {
            seq++;
        } else if (ms != MAX) {
            ms++;
            seq = 0;
        } else {
            return false;
        }
        return true;
    }

    /** The previous ID; false (unchanged) at 0-0. */
    boolean decrement() {
        if (seq != 0) {
            seq--;
        } else if (ms != 0) {
            ms--;
            seq = MAX;
        } else {
            return false;
        }
        return true;
    }

    /**
     * Parses argument {@code i} of {@code r}: false when it is no ID. {@code strict} refuses
     * {@code -} and {@code +}; {@code missingSeq} is the sequence of an ID given as {@code ms} alone;
     * {@code starSeq} accepts {@code ms-*} (then {@link #seqGiven} is false).
     */
    boolean parse(Request r, int i, boolean strict, long missingSeq, boolean starSeq) {
        return parse(r.bytes, r.offset(i), r.length(i), strict, missingSeq, starSeq);
    }

    boolean parse(byte[] b, int offset, int length, boolean strict, long missingSeq, boolean starSeq) {
        if (length > 127) {
            return false;
        }
        int end = offset;
        while (end < offset + length && b[end] != 0) {
            end++; // Redis reads it as a C string: it ends at a NUL
        }
        seqGiven = true;
        if (end - offset == 1 && (b[offset] == '-' || b[offset] == '+')) {
            if (strict) {
                return false;
            }
            long part = b[offset] == '-' ? 0 : MAX;
            set(part, part);
            return true;
        }
        int dash = offset;
        while (dash < end && b[dash] != '-') {
            dash++;
        }
        if (!unsigned(b, offset, dash)) {
            return false;
        }
        long msPart = parsed;
        if (dash == end) {
            set(msPart, missingSeq);
            return true;
        }
        if (starSeq && end - dash == 2 && b[dash + 1] == '*') {
            seqGiven = false;
            set(msPart, 0);
            return true;
        }
        if (!unsigned(b, dash + 1, end)) {
            return false;
        }
        set(msPart, parsed);
        return true;
    }

    /**
     * Redis's string2ull over {@code b[from, to)} into {@link #parsed}: a long long that is not
     * negative, or else what C's strtoull accepts (leading spaces, a sign, a negative taken modulo
     * 2^64) without overflow.
     */
    private boolean unsigned(byte[] b, int from, int to) {
        int i = from;
        while (i < to && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r'))) {
            i++;
        }
        boolean negative = false;
        if (i < to && (b[i] == '+' || b[i] == '-')) {
            negative = b[i] == '-';
            i++;
        }
        if (i == to) {
            return false;
        }
        long value = 0;
        for (; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return false;
            }
            if (Long.compareUnsigned(value, Long.divideUnsigned(MAX - d, 10)) > 0) {
                return false; // ERANGE
            }
            value = value * 10 + d;
        }
        // string2ll reads "-" then digits without a leading zero down to -2^63: a negative long long is out of range
        boolean longLong = b[from] == '-' && to - from > 1 && b[from + 1] != '0'
                && Long.compareUnsigned(value, Long.MIN_VALUE) <= 0;
        if (negative && longLong) {
            return false;
        }
        parsed = negative ? -value : value;
        return true;
    }

    /** Writes {@code ms-seq} into {@code into} from 0; returns its length (at most 41). */
    static int format(long ms, long seq, byte[] into) {
        int n = digits(ms, into, 0);
        into[n++] = '-';
        return digits(seq, into, n);
    }

    private static int digits(long v, byte[] into, int at) {
        if (v >= 0 && v < 10) {
            into[at] = (byte) ('0' + v);
            return at + 1;
        }
        int len = 0;
        for (long t = v; t != 0; t = Long.divideUnsigned(t, 10)) {
            len++;
        }
        for (int i = at + len - 1; v != 0; i--) {
            into[i] = (byte) ('0' + Long.remainderUnsigned(v, 10));
            v = Long.divideUnsigned(v, 10);
        }
        return at + len;
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }
}
