package dev.atoll.examples.kv;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The string commands beyond GET, SET and the counters, as Redis 7.0's t_string.c and bitops.c
 * answer them: SETEX, PSETEX, GETEX, GETSET, SETRANGE, GETRANGE (SUBSTR), INCRBYFLOAT, LCS, SETBIT,
 * GETBIT, BITCOUNT, BITPOS. Runs on the shard that owns the key(s); logs what it changes.
 */
final class StringCommands {
    private static final byte[] PERSIST = ReplyWriter.asciiBytes("persist");
    private static final byte[] BIT = ReplyWriter.asciiBytes("bit");
    private static final byte[] BYTE = ReplyWriter.asciiBytes("byte");
    private static final byte[] IDX = ReplyWriter.asciiBytes("idx");
    private static final byte[] LEN = ReplyWriter.asciiBytes("len");
    private static final byte[] WITHMATCHLEN = ReplyWriter.asciiBytes("withmatchlen");
    private static final byte[] MINMATCHLEN = ReplyWriter.asciiBytes("minmatchlen");
    private static final String BIT_OFFSET = "ERR bit offset is not an integer or out of range";
    static final String NOT_FLOAT = "ERR value is not a valid float";
    /** The largest long double: what strtold still parses (Redis's INCRBYFLOAT works in long double). */
    private static final BigDecimal LONG_DOUBLE_MAX = new BigDecimal("1.18973149535723176502e4932");
    /** Redis's MAX_LONG_DOUBLE_CHARS: a longer text is not a number to it. */
    private static final int MAX_FLOAT_CHARS = 5 * 1024;
    /** An infinite float (strtold's "inf"): any sum with it is NaN or infinite. */
    static final BigDecimal INFINITE = new BigDecimal(0); // compared by identity

    private final KvShard shard;

    StringCommands(KvShard shard) {
        this.shard = shard;
    }

    void run(Command command, Request r, long now, ReplyWriter out) {
        switch (command) {
            case SETEX, PSETEX -> setex(command, r, now, out);
            case GETEX -> getex(r, now, out);
            case GETSET -> {
                KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
                if (KvShard.wrongType(e, out)) {
                    return;
                }
                if (e == null) {
                    out.nullBulk();
                } else {
                    out.bulk(e.valueArray(), e.valueOffset(), e.length);
                }
                shard.store(r, 1, 2, 0, false);
            }
            case SETRANGE -> setRange(r, now, out);
            case GETRANGE, SUBSTR -> getRange(r, now, out);
            case INCRBYFLOAT -> incrByFloat(r, now, out);
            case LCS -> lcs(r, now, out);
            case SETBIT -> setBit(r, now, out);
            case GETBIT -> getBit(r, now, out);
            case BITCOUNT -> bitCount(r, now, out);
            case BITPOS -> bitPos(r, now, out);
            default -> throw new IllegalArgumentException(command + " is not a string command");
        }
    }

    /** SETEX key seconds value, PSETEX key milliseconds value. */
    private void setex(Command command, Request r, long now, ReplyWriter out) {
        if (!r.longAt(2)) {
            out.error(KvShard.NOT_INTEGER);
            return;
        }
        long expireAt = r.number <= 0 ? KvShard.INVALID
                : KvShard.absolute(command == Command.SETEX ? KvShard.EX : KvShard.PX, r.number, now);
        if (expireAt == KvShard.INVALID) {
            out.error("ERR invalid expire time in '" + command.lowerName + "' command");
            return;
        }
        shard.store(r, 1, 3, expireAt, false);
        out.ok();
    }

    /** GETEX key [EX s | PX ms | EXAT s | PXAT ms | PERSIST]: options first, then the key, then the time's value. */
    private void getex(Request r, long now, ReplyWriter out) {
        byte[] unit = null;
        int amountAt = 0;
        boolean persist = false;
        for (int i = 2; i < r.count(); i++) {
            boolean timed = r.is(i, KvShard.EX) || r.is(i, KvShard.PX) || r.is(i, KvShard.EXAT) || r.is(i, KvShard.PXAT);
            if (timed && unit == null && !persist && i + 1 < r.count()) {
                unit = r.is(i, KvShard.EX) ? KvShard.EX : r.is(i, KvShard.PX) ? KvShard.PX
                        : r.is(i, KvShard.EXAT) ? KvShard.EXAT : KvShard.PXAT;
                amountAt = ++i;
            } else if (r.is(i, PERSIST) && unit == null && !persist) {
                persist = true;
            } else {
                out.error(KvShard.SYNTAX);
                return;
            }
        }
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (e == null) {
            out.nullBulk();
            return;
        }
        if (KvShard.wrongType(e, out)) {
            return;
        }
        long expireAt = 0;
        if (unit != null) {
            if (!r.longAt(amountAt)) {
                out.error(KvShard.NOT_INTEGER);
                return;
            }
            expireAt = r.number <= 0 ? KvShard.INVALID : KvShard.absolute(unit, r.number, now);
            if (expireAt == KvShard.INVALID) {
                out.error("ERR invalid expire time in 'getex' command");
                return;
            }
        }
        out.bulk(e.valueArray(), e.valueOffset(), e.length);
        if (unit != null && expireAt <= now) {
            shard.remove(e); // EXAT/PXAT in the past: gone at once, as in Redis
        } else if (unit != null) {
            shard.setExpire(e, expireAt);
            if (shard.aof != null) {
                shard.aof.pexpireAt(e, expireAt);
            }
        } else if (persist && shard.table.expireAt(e) != 0) {
            shard.setExpire(e, 0);
            if (shard.aof != null) {
                shard.aof.persist(e);
            }
        }
    }

    /** SETRANGE key offset value: zero-padded, up to proto-max-bulk-len; logs the change only. */
    private void setRange(Request r, long now, ReplyWriter out) {
        if (!r.longAt(2)) {
            out.error(KvShard.NOT_INTEGER);
            return;
        }
        long offset = r.number;
        if (offset < 0) {
            out.error("ERR offset is out of range");
            return;
        }
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (KvShard.wrongType(e, out)) {
            return;
        }
        int n = r.length(3);
        if (n == 0) {
            out.integer(e == null ? 0 : e.length); // nothing to write: no key is made
            return;
        }
        long max = shard.settings.input().protoMaxBulkLen();
        if (offset + n > max) {
            out.error(KvShard.TOO_LONG);
            return;
        }
        if (e == null) {
            e = shard.put(r.bytes, r.offset(1), r.length(1), new byte[(int) offset + n], 0, false); // exact, as Redis
            e.raw(true);
        } else {
            e.ensureLength(shard.table, (int) offset + n, max);
        }
        System.arraycopy(r.bytes, r.offset(3), e.valueArray(), e.valueOffset() + (int) offset, n);
        if (shard.aof != null) {
            shard.aof.setRange(e, offset, r.bytes, r.offset(3), n);
        }
        out.integer(e.length);
    }

    /** GETRANGE key start end: inclusive, negative from the end, clamped, as Redis 7.0. */
    private void getRange(Request r, long now, ReplyWriter out) {
        Long first = integerAt(r, 2, out);
        Long last = first == null ? null : integerAt(r, 3, out);
        if (last == null) {
            return;
        }
        long start = first;
        long end = last;
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (e == null) {
            out.bulk(r.bytes, 0, 0);
            return;
        }
        if (KvShard.wrongType(e, out)) {
            return;
        }
        long length = e.length;
        if (start < 0 && end < 0 && start > end) {
            out.bulk(e.valueArray(), e.valueOffset(), 0);
            return;
        }
        start = Math.max(0, start < 0 ? length + start : start);
        end = Math.max(0, end < 0 ? length + end : end);
        end = Math.min(end, length - 1);
        if (start > end || length == 0) {
            out.bulk(e.valueArray(), e.valueOffset(), 0);
        } else {
            out.bulk(e.valueArray(), e.valueOffset() + (int) start, (int) (end - start + 1));
        }
    }

    /**
     * INCRBYFLOAT key increment: Redis's long double arithmetic, emulated exactly (each number and
     * the sum rounded to a 64-bit significand, as strtold and the x87 addition round), printed as
     * Redis prints it (%.17Lf, zeros cut).
     */
    private void incrByFloat(Request r, long now, ReplyWriter out) {
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (KvShard.wrongType(e, out)) {
            return;
        }
        BigDecimal current = e == null ? BigDecimal.ZERO : parseFloat(e.valueArray(), e.valueOffset(), e.length);
        BigDecimal increment = parseFloat(r.bytes, r.offset(2), r.length(2));
        if (current == null || increment == null) {
            out.error(NOT_FLOAT);
            return;
        }
        BigDecimal sum = current == INFINITE || increment == INFINITE ? INFINITE : longDouble(current.add(increment));
        if (sum == INFINITE || sum.abs().compareTo(LONG_DOUBLE_MAX) > 0) {
            out.error("ERR increment would produce NaN or Infinity");
            return;
        }
        byte[] text = formatFloat(sum);
        shard.store(r.bytes, r.offset(1), r.length(1), text, 0, true, now).notInt(true); // logged as SET ... KEEPTTL
        out.bulk(text);
    }

    /**
     * A float as Redis's string2ld takes it: no space around it, at most 5 KiB, decimal or
     * exponent notation, "inf"/"infinity" with a sign ({@link #INFINITE}); null when it is none
     * (nan, hexadecimal — which strtold would take — or out of long double's range).
     */
    static BigDecimal parseFloat(byte[] b, int offset, int length) {
        if (length == 0 || length > MAX_FLOAT_CHARS) {
            return null;
        }
        String text = new String(b, offset, length, StandardCharsets.ISO_8859_1);
        String unsigned = text.charAt(0) == '+' || text.charAt(0) == '-' ? text.substring(1) : text;
        if (unsigned.equalsIgnoreCase("inf") || unsigned.equalsIgnoreCase("infinity")) {
            return INFINITE;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') {
                return null; // BigDecimal would take other scripts' digits
            }
        }
        try {
            BigDecimal value = longDouble(new BigDecimal(text));
            if (value.abs().compareTo(LONG_DOUBLE_MAX) > 0
                    || (value.signum() != 0 && value.abs().compareTo(new BigDecimal("3.3e-4951")) < 0)) {
                return null; // strtold's ERANGE
            }
            return value;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The 80-bit long double nearest to {@code x} (a 64-bit significand, ties to even), exactly: what
     * strtold makes of a decimal and what adding two long doubles gives. The exponent range is not
     * bounded here: the callers check it.
     */
    static BigDecimal longDouble(BigDecimal x) {
        if (x.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal abs = x.abs();
        int e = (int) Math.floor(abs.unscaledValue().bitLength() - 1 - abs.scale() * 3.321928094887362);
        while (powerOfTwo(e).compareTo(abs) > 0) {
            e--;
        }
        while (powerOfTwo(e + 1).compareTo(abs) <= 0) {
            e++;
        }
        BigDecimal unit = powerOfTwo(e - 63); // the value of the significand's last bit
        BigInteger significand = abs.divide(unit).setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact();
        BigDecimal rounded = new BigDecimal(significand).multiply(unit);
        return x.signum() < 0 ? rounded.negate() : rounded;
    }

    /** 2^n as an exact decimal. */
    private static BigDecimal powerOfTwo(int n) {
        BigDecimal power = new BigDecimal(BigInteger.ONE.shiftLeft(Math.abs(n)));
        return n >= 0 ? power : BigDecimal.ONE.divide(power); // exact: 1/2^k has k decimals
    }

    /** Redis's human-friendly long double: 17 decimals, trailing zeros and point cut, never "-0". */
    static byte[] formatFloat(BigDecimal value) {
        BigDecimal rounded = value.setScale(17, RoundingMode.HALF_EVEN).stripTrailingZeros();
        String text = rounded.signum() == 0 ? "0" : rounded.toPlainString();
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: Redis 7.0's dynamic programming, ported. */
    private void lcs(Request r, long now, ReplyWriter out) {
        lcs(r, shard.live(r.bytes, r.offset(1), r.length(1), now), shard.live(r.bytes, r.offset(2), r.length(2), now), out);
    }

    /** LCS of the strings of {@code ea} and {@code eb} (null: absent), {@code r}'s options; {@code eb} may be another shard's (a copy). */
    void lcs(Request r, KeyTable.Entry ea, KeyTable.Entry eb, ReplyWriter out) {
        if ((ea != null && !ea.isString()) || (eb != null && !eb.isString())) {
            out.error("ERR The specified keys must contain string values");
            return;
        }
        boolean getLen = false;
        boolean getIdx = false;
        boolean withMatchLen = false;
        long minMatchLen = 0;
        for (int j = 3; j < r.count(); j++) {
            if (r.is(j, IDX)) {
                getIdx = true;
            } else if (r.is(j, LEN)) {
                getLen = true;
            } else if (r.is(j, WITHMATCHLEN)) {
                withMatchLen = true;
            } else if (r.is(j, MINMATCHLEN) && j + 1 < r.count()) {
                if (!r.longAt(++j)) {
                    out.error(KvShard.NOT_INTEGER);
                    return;
                }
                minMatchLen = Math.max(0, r.number);
            } else {
                out.error(KvShard.SYNTAX);
                return;
            }
        }
        if (getIdx && getLen) {
            out.error("ERR If you want both the length and indexes, please just use IDX.");
            return;
        }
        byte[] a = ea == null ? new byte[0] : ea.bytes();
        byte[] b = eb == null ? new byte[0] : eb.bytes();
        int alen = ea == null ? 0 : ea.length;
        int blen = eb == null ? 0 : eb.length;
        long cells = (alen + 1L) * (blen + 1L);
        // The table is transient heap: bounded as Redis bounds it, and by what the heap can spare.
        if (cells * 4 > Math.min(shard.settings.input().protoMaxBulkLen(), Runtime.getRuntime().maxMemory() / 8)) {
            out.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
            return;
        }
        int[] dp = new int[(int) cells];
        int w = blen + 1;
        for (int i = 1; i <= alen; i++) {
            for (int j = 1; j <= blen; j++) {
                dp[i * w + j] = a[i - 1] == b[j - 1] ? dp[(i - 1) * w + j - 1] + 1
                        : Math.max(dp[(i - 1) * w + j], dp[i * w + j - 1]);
            }
        }
        int idx = dp[alen * w + blen];
        boolean computeLcs = getIdx || !getLen;
        byte[] result = new byte[computeLcs ? idx : 0];
        List<long[]> matches = new ArrayList<>();
        int arangeStart = alen;
        int arangeEnd = 0;
        int brangeStart = 0;
        int brangeEnd = 0;
        int i = alen;
        int j = blen;
        while (computeLcs && i > 0 && j > 0) {
            boolean emitRange = false;
            if (a[i - 1] == b[j - 1]) {
                result[idx - 1] = a[i - 1];
                if (arangeStart == alen) {
                    arangeStart = i - 1;
                    arangeEnd = i - 1;
                    brangeStart = j - 1;
                    brangeEnd = j - 1;
                } else if (arangeStart == i && brangeStart == j) {
                    arangeStart--;
                    brangeStart--;
                } else {
                    emitRange = true;
                }
                if (arangeStart == 0 || brangeStart == 0) {
                    emitRange = true;
                }
                idx--;
                i--;
                j--;
            } else {
                if (dp[(i - 1) * w + j] > dp[i * w + j - 1]) {
                    i--;
                } else {
                    j--;
                }
                if (arangeStart != alen) {
                    emitRange = true;
                }
            }
            if (emitRange) {
                long matchLen = arangeEnd - arangeStart + 1;
                if (minMatchLen == 0 || matchLen >= minMatchLen) {
                    matches.add(new long[] {arangeStart, arangeEnd, brangeStart, brangeEnd, matchLen});
                }
                arangeStart = alen; // restart at the next match
            }
        }
        if (getIdx) {
            out.mapHeader(2).bulk("matches").arrayHeader(matches.size());
            for (long[] m : matches) {
                out.arrayHeader(withMatchLen ? 3 : 2);
                out.arrayHeader(2).integer(m[0]).integer(m[1]);
                out.arrayHeader(2).integer(m[2]).integer(m[3]);
                if (withMatchLen) {
                    out.integer(m[4]);
                }
            }
            out.bulk("len").integer(dp[alen * w + blen]);
        } else if (getLen) {
            out.integer(dp[alen * w + blen]);
        } else {
            out.bulk(result);
        }
    }

    /** The bit offset of argument {@code i}, or -1 after the error reply (negative, or past proto-max-bulk-len bytes). */
    /**
     * A bit offset as Redis's getBitOffsetFromArgument reads it: an integer, or with {@code fieldBits} above 0
     * (BITFIELD) {@code #n}, the n-th field of that width; from 0 to below proto-max-bulk-len bytes. -1 when
     * it answered the error.
     */
    static long bitOffset(Request r, int i, int fieldBits, long maxBulkLen, ReplyWriter out) {
        boolean times = fieldBits > 0 && r.length(i) > 0 && r.bytes[r.offset(i)] == '#';
        boolean parsed = times ? r.parseLong(r.bytes, r.offset(i) + 1, r.length(i) - 1) : r.longAt(i);
        long n = !parsed ? -1 : !times ? r.number : r.number > Long.MAX_VALUE / fieldBits ? -1 : r.number * fieldBits;
        if (n < 0 || (n >> 3) >= maxBulkLen) {
            out.error(BIT_OFFSET);
            return -1;
        }
        return n;
    }

    /** SETBIT key offset 0|1: the string grows, zero-filled, to hold the bit; answers the old bit. */
    private void setBit(Request r, long now, ReplyWriter out) {
        long offset = bitOffset(r, 2, 0, shard.settings.input().protoMaxBulkLen(), out);
        if (offset < 0) {
            return;
        }
        if (!r.longAt(3) || (r.number & ~1) != 0) {
            out.error("ERR bit is not an integer or out of range");
            return;
        }
        int bit = (int) r.number;
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (KvShard.wrongType(e, out)) {
            return;
        }
        if (e == null) {
            e = shard.put(r.bytes, r.offset(1), r.length(1), new byte[(int) (offset >> 3) + 1], 0, false);
        }
        int old = setBit(shard.table, e, offset, bit, shard.settings.input().protoMaxBulkLen());
        if (shard.aof != null) {
            shard.aof.setBit(e, offset, bit);
        }
        out.integer(old);
    }

    /** Sets bit {@code offset} (bit 0: the first byte's most significant) of a string; returns the old bit. */
    static int setBit(KeyTable table, KeyTable.Entry e, long offset, int bit, long max) {
        int at = (int) (offset >> 3);
        e.ensureLength(table, Math.max(e.length, at + 1), max);
        int mask = 1 << (7 - (int) (offset & 7));
        int old = (e.valueArray()[e.valueOffset() + at] & mask) != 0 ? 1 : 0;
        e.valueArray()[e.valueOffset() + at] = (byte) (bit == 1 ? e.valueArray()[e.valueOffset() + at] | mask : e.valueArray()[e.valueOffset() + at] & ~mask);
        return old;
    }

    private void getBit(Request r, long now, ReplyWriter out) {
        long offset = bitOffset(r, 2, 0, shard.settings.input().protoMaxBulkLen(), out);
        if (offset < 0) {
            return;
        }
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (KvShard.wrongType(e, out)) {
            return;
        }
        int at = (int) (offset >> 3);
        out.integer(e == null || at >= e.length ? 0 : (e.valueArray()[e.valueOffset() + at] >> (7 - (int) (offset & 7))) & 1);
    }

    /**
     * A range of BITCOUNT or BITPOS in bits, resolved as Redis does: {@code [first, last]} inclusive,
     * negative indexes from the end, clamped; in BIT units, or in BYTE units widened to whole bytes.
     */
    private record BitRange(long first, long last) { }

    private static BitRange bitRange(long start, long end, boolean bits, long strlen) {
        long total = bits ? strlen << 3 : strlen;
        start = Math.max(0, start < 0 ? total + start : start);
        end = Math.max(0, end < 0 ? total + end : end);
        end = Math.min(end, total - 1);
        return bits ? new BitRange(start, end) : new BitRange(start << 3, (end << 3) + 7);
    }

    /** Argument {@code i} as an integer; null after the error reply. */
    private static Long integerAt(Request r, int i, ReplyWriter out) {
        if (!r.longAt(i)) {
            out.error(KvShard.NOT_INTEGER);
            return null;
        }
        return r.number;
    }

    /** Whether the range unit at argument {@code i} (BYTE when absent) is BIT; null after the syntax error. */
    private static Boolean bitUnit(Request r, int i, ReplyWriter out) {
        if (i >= r.count() || r.is(i, BYTE)) {
            return false;
        }
        if (r.is(i, BIT)) {
            return true;
        }
        out.error(KvShard.SYNTAX);
        return null;
    }

    /** BITCOUNT key [start end [BYTE | BIT]]. */
    private void bitCount(Request r, long now, ReplyWriter out) {
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (e == null) {
            out.integer(0);
            return;
        }
        if (KvShard.wrongType(e, out)) {
            return;
        }
        BitRange range;
        if (r.count() == 4 || r.count() == 5) {
            Long start = integerAt(r, 2, out);
            Long end = start == null ? null : integerAt(r, 3, out);
            Boolean bits = end == null ? null : bitUnit(r, 4, out);
            if (bits == null) {
                return;
            }
            if (start < 0 && end < 0 && start > end) {
                out.integer(0);
                return;
            }
            range = bitRange(start, end, bits, e.length);
        } else if (r.count() == 2) {
            range = new BitRange(0, ((long) e.length << 3) - 1);
        } else {
            out.error(KvShard.SYNTAX);
            return;
        }
        long count = 0;
        for (long bit = range.first(); bit <= range.last(); ) {
            if ((bit & 7) == 0 && bit + 7 <= range.last()) {
                count += Integer.bitCount(e.valueArray()[e.valueOffset() + (int) (bit >> 3)] & 0xFF);
                bit += 8;
            } else {
                count += (e.valueArray()[e.valueOffset() + (int) (bit >> 3)] >> (7 - (int) (bit & 7))) & 1;
                bit++;
            }
        }
        out.integer(count);
    }

    /** BITPOS key bit [start [end [BYTE | BIT]]]. */
    private void bitPos(Request r, long now, ReplyWriter out) {
        if (!r.longAt(2)) {
            out.error(KvShard.NOT_INTEGER);
            return;
        }
        if (r.number != 0 && r.number != 1) {
            out.error("ERR The bit argument must be 1 or 0.");
            return;
        }
        int wanted = (int) r.number;
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (e == null) {
            out.integer(wanted == 1 ? -1 : 0); // an absent key is an endless run of zeros
            return;
        }
        if (KvShard.wrongType(e, out)) {
            return;
        }
        BitRange range;
        boolean endGiven = false;
        if (r.count() >= 4 && r.count() <= 6) {
            Long start = integerAt(r, 3, out);
            Boolean bits = start == null ? null : bitUnit(r, 5, out); // Redis reads the unit before the end
            if (bits == null) {
                return;
            }
            long end;
            if (r.count() >= 5) {
                Long given = integerAt(r, 4, out);
                if (given == null) {
                    return;
                }
                end = given;
                endGiven = true;
            } else {
                end = bits ? ((long) e.length << 3) + 7 : e.length - 1L;
            }
            range = bitRange(start, end, bits, e.length);
        } else if (r.count() == 3) {
            range = new BitRange(0, ((long) e.length << 3) - 1);
        } else {
            out.error(KvShard.SYNTAX);
            return;
        }
        if (range.first() > range.last()) {
            out.integer(-1); // an empty range holds neither a 0 nor a 1
            return;
        }
        int skip = wanted == 1 ? 0 : 0xFF;
        for (long bit = range.first(); bit <= range.last(); ) {
            int octet = e.valueArray()[e.valueOffset() + (int) (bit >> 3)] & 0xFF;
            if ((bit & 7) == 0 && bit + 7 <= range.last() && octet == skip) {
                bit += 8;
            } else if (((octet >> (7 - (int) (bit & 7))) & 1) == wanted) {
                out.integer(bit);
                return;
            } else {
                bit++;
            }
        }
        // Looking for a 0 without an end given: the string is as if zero-padded on the right.
        out.integer(wanted == 1 || endGiven ? -1 : range.last() + 1);
    }
}
