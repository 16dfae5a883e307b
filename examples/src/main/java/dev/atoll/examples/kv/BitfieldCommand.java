package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * BITFIELD and BITFIELD_RO as Redis 7.0's bitops.c runs them: integers of 1 to 64 bits (signed
 * {@code i1}..{@code i64}, unsigned {@code u1}..{@code u63}) at any bit offset of a string ({@code #n}:
 * the n-th field of that width), read with GET, written with SET (answers the old value) and INCRBY
 * (answers the new one), with the OVERFLOW policy in force — WRAP (the default), SAT, or FAIL (nil, no
 * write). Every operation is parsed before any runs; a command with a write grows the string, zero-filled,
 * to its farthest written bit (creating the key), as Redis does. A change is logged as a SETRANGE of the
 * bytes from the first one it touched to the string's end.
 */
final class BitfieldCommand {
    private static final String BAD_TYPE =
            "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
    private static final byte[] GET = ReplyWriter.asciiBytes("get");
    private static final byte[] SET = ReplyWriter.asciiBytes("set");
    private static final byte[] INCRBY = ReplyWriter.asciiBytes("incrby");
    private static final byte[] OVERFLOW = ReplyWriter.asciiBytes("overflow");
    private static final byte[] WRAP = ReplyWriter.asciiBytes("wrap");
    private static final byte[] SAT = ReplyWriter.asciiBytes("sat");
    private static final byte[] FAIL = ReplyWriter.asciiBytes("fail");

    private enum Op { GET, SET, INCRBY }

    private enum Overflow { WRAP, SAT, FAIL }

    /** One parsed operation: what, how wide, where, the SET value or INCRBY increment, the overflow policy then in force. */
    private record Field(Op op, boolean signed, int bits, long offset, long value, Overflow overflow) { }

    private final KvShard shard;

    BitfieldCommand(KvShard shard) {
        this.shard = shard;
    }

    void run(Command command, Request r, long now, ReplyWriter out) {
        List<Field> fields = parse(r, out);
        if (fields == null) {
            return;
        }
        long highestWrite = -1;
        for (Field f : fields) {
            if (f.op != Op.GET) {
                highestWrite = Math.max(highestWrite, f.offset + f.bits - 1);
            }
        }
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (KvShard.wrongType(e, out)) {
            return;
        }
        if (highestWrite >= 0 && command == Command.BITFIELD_RO) {
            out.error("ERR BITFIELD_RO only supports the GET subcommand");
            return;
        }
        int firstTouched = Integer.MAX_VALUE;
        if (highestWrite >= 0) {
            int needed = (int) (highestWrite >> 3) + 1;
            if (e == null) {
                e = shard.put(r.bytes, r.offset(1), r.length(1), new byte[needed], 0, false);
                firstTouched = 0;
            } else if (e.length < needed) {
                firstTouched = e.length;
                e.ensureLength(shard.table, needed, shard.settings.input().protoMaxBulkLen());
            }
            e.raw(true);   // as Redis, which unshares the string for any write: OBJECT ENCODING says raw
        }
        out.arrayHeader(fields.size());
        for (Field f : fields) {
            if (f.op == Op.GET) {
                out.integer(e == null ? 0 : read(e, f.offset, f.bits, f.signed));
                continue;
            }
            long old = read(e, f.offset, f.bits, f.signed);
            long[] result = new long[1];
            boolean overflow = f.signed
                    ? signedOverflow(f.op == Op.INCRBY ? old : f.value, f.op == Op.INCRBY ? f.value : 0, f.bits, f.overflow, result)
                    : unsignedOverflow(f.op == Op.INCRBY ? old : f.value, f.op == Op.INCRBY ? f.value : 0, f.bits, f.overflow, result);
            if (overflow && f.overflow == Overflow.FAIL) {
                out.nullBulk();
                continue;
            }
            long written = overflow ? result[0] : f.op == Op.INCRBY ? old + f.value : f.value;
            out.integer(f.op == Op.INCRBY ? written : old);
            write(e, f.offset, f.bits, written);
            firstTouched = Math.min(firstTouched, (int) (f.offset >> 3));
        }
        if (firstTouched != Integer.MAX_VALUE) {
            e.version++;   // a change WATCH sees
            if (shard.aof != null) {
                shard.aof.setRange(e, firstTouched, e.valueArray(), e.valueOffset() + firstTouched, e.length - firstTouched);
            }
        }
    }

    /** Parses every operation first, as Redis: null when it answered an error. */
    private List<Field> parse(Request r, ReplyWriter out) {
        List<Field> fields = new ArrayList<>();
        Overflow overflow = Overflow.WRAP;
        for (int j = 2; j < r.count(); j++) {
            int left = r.count() - j - 1;
            Op op;
            if (r.is(j, GET) && left >= 2) {
                op = Op.GET;
            } else if (r.is(j, SET) && left >= 3) {
                op = Op.SET;
            } else if (r.is(j, INCRBY) && left >= 3) {
                op = Op.INCRBY;
            } else if (r.is(j, OVERFLOW) && left >= 1) {
                j++;
                if (r.is(j, WRAP)) {
                    overflow = Overflow.WRAP;
                } else if (r.is(j, SAT)) {
                    overflow = Overflow.SAT;
                } else if (r.is(j, FAIL)) {
                    overflow = Overflow.FAIL;
                } else {
                    out.error("ERR Invalid OVERFLOW type specified");
                    return null;
                }
                continue;
            } else {
                out.error(KvShard.SYNTAX);
                return null;
            }
            int bits = type(r, j + 1);
            if (bits == 0) {
                out.error(BAD_TYPE);
                return null;
            }
            boolean signed = r.bytes[r.offset(j + 1)] == 'i';
            long offset = StringCommands.bitOffset(r, j + 2, bits, shard.settings.input().protoMaxBulkLen(), out);
            if (offset < 0) {
                return null;
            }
            long value = 0;
            if (op != Op.GET) {
                if (!r.longAt(j + 3)) {
                    out.error(KvShard.NOT_INTEGER);
                    return null;
                }
                value = r.number;
            }
            fields.add(new Field(op, signed, bits, offset, value, overflow));
            j += op == Op.GET ? 2 : 3;
        }
        return fields;
    }

    /** The width of a type argument ({@code i1}..{@code i64}, {@code u1}..{@code u63}; lower case only, as Redis), or 0. */
    private static int type(Request r, int i) {
        int length = r.length(i);
        byte kind = length == 0 ? 0 : r.bytes[r.offset(i)];
        if ((kind != 'i' && kind != 'u') || length < 2 || length > 3) {
            return 0;
        }
        int bits = 0;
        for (int k = 1; k < length; k++) {
            byte c = r.bytes[r.offset(i) + k];
            if (c < '0' || c > '9' || (k == 1 && c == '0')) {
                return 0;
            }
            bits = bits * 10 + (c - '0');
        }
        return bits >= 1 && bits <= (kind == 'i' ? 64 : 63) ? bits : 0;
    }

    /** Bits {@code [offset, offset + bits)}, the first the most significant, past the string's end zeros. */
    private static long read(KeyTable.Entry e, long offset, int bits, boolean signed) {
        long value = 0;
        for (int i = 0; i < bits; i++) {
            long bit = offset + i;
            int at = (int) (bit >> 3);
            int b = at < e.length ? e.valueArray()[e.valueOffset() + at] & 0xFF : 0;
            value = (value << 1) | ((b >> (7 - (int) (bit & 7))) & 1);
        }
        if (signed && bits < 64 && (value & (1L << (bits - 1))) != 0) {
            value |= -1L << bits;
        }
        return value;
    }

    private static void write(KeyTable.Entry e, long offset, int bits, long value) {
        byte[] bytes = e.valueArray();
        int base = e.valueOffset();
        for (int i = 0; i < bits; i++) {
            long bit = offset + i;
            int at = base + (int) (bit >> 3);
            int mask = 1 << (7 - (int) (bit & 7));
            boolean one = ((value >>> (bits - 1 - i)) & 1) != 0;
            bytes[at] = (byte) (one ? bytes[at] | mask : bytes[at] & ~mask);
        }
    }

    /** Redis's checkUnsignedBitfieldOverflow: whether {@code value + incr} leaves u{@code bits}; the wrapped or saturated result in {@code limit[0]}. */
    static boolean unsignedOverflow(long value, long incr, int bits, Overflow policy, long[] limit) {
        long max = (1L << bits) - 1;
        long maxIncr = max - value;
        long minIncr = -value;
        if (Long.compareUnsigned(value, max) > 0 || (incr > 0 && incr > maxIncr)) {
            limit[0] = policy == Overflow.WRAP ? (value + incr) & ~(-1L << bits) : max;
            return true;
        }
        if (incr < 0 && incr < minIncr) {
            limit[0] = policy == Overflow.WRAP ? (value + incr) & ~(-1L << bits) : 0;
            return true;
        }
        return false;
    }

    /** Redis's checkSignedBitfieldOverflow, for i{@code bits}. */
    static boolean signedOverflow(long value, long incr, int bits, Overflow policy, long[] limit) {
        long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
        long min = -max - 1;
        long maxIncr = max - value;
        long minIncr = min - value;
        if (value > max || (bits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr)) {
            limit[0] = policy == Overflow.WRAP ? wrapSigned(value, incr, bits) : max;
            return true;
        }
        if (value < min || (bits != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr)) {
            limit[0] = policy == Overflow.WRAP ? wrapSigned(value, incr, bits) : min;
            return true;
        }
        return false;
    }

    private static long wrapSigned(long value, long incr, int bits) {
        long c = value + incr;
        if (bits < 64) {
            long mask = -1L << bits;
            c = (c & (1L << (bits - 1))) != 0 ? c | mask : c & ~mask;
        }
        return c;
    }
}
