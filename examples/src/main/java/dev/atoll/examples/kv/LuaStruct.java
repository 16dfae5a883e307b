package dev.atoll.examples.kv;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Roberto Ierusalimschy's struct library as Redis 7.0 bundles it ({@code struct}): pack, unpack and
 * size of binary records, as on Redis's x86-64 Linux build: native order little-endian, {@code long}
 * and {@code size_t} 8 bytes, {@code int} 4, {@code !} aligning to at most 8, integers of up to 32
 * bytes that hold at most 64 bits (C's conversions of out-of-range numbers included).
 */
final class LuaStruct {
    private static final int MAX_INT_SIZE = 32;
    private static final int MAX_ALIGN = 8;

    private LuaStruct() {
    }

    /** The {@code struct} table. */
    static LuaTable library() {
        LuaTable t = new LuaTable();
        LuaArgs.put(t, "pack", LuaStruct::pack);
        LuaArgs.put(t, "unpack", LuaStruct::unpack);
        LuaArgs.put(t, "size", LuaStruct::size);
        return t;
    }

    /** A format being read: where it is, the byte order and alignment its options set. */
    private static final class Format {
        final byte[] text;
        int at;
        boolean little = true;
        int align = 1;

        Format(LuaString format) {
            this.text = LuaArgs.bytes(format);
        }

        boolean more() {
            return at < text.length && text[at] != 0;
        }

        int option() {
            return text[at++] & 0xff;
        }

        int number(int otherwise) {
            if (!digit()) {
                return otherwise;
            }
            int a = 0;
            do {
                int d = text[at] - '0';
                if (a > Integer.MAX_VALUE / 10 || a * 10 > Integer.MAX_VALUE - d) {
                    throw new LuaError("integral size overflow");
                }
                a = a * 10 + d;
                at++;
            } while (digit());
            return a;
        }

        private boolean digit() {
            return at < text.length && text[at] >= '0' && text[at] <= '9';
        }

        /** optsize: the bytes option {@code opt} takes (0 for the control options). */
        int size(int opt) {
            return switch (opt) {
                case 'B', 'b' -> 1;
                case 'H', 'h' -> 2;
                case 'L', 'l', 'T', 'd' -> 8;
                case 'f' -> 4;
                case 'x' -> 1;
                case 'c' -> number(1);
                case 'i', 'I' -> {
                    int size = number(4);
                    if (size > MAX_INT_SIZE) {
                        throw new LuaError("integral size " + size + " is larger than limit of " + MAX_INT_SIZE);
                    }
                    yield size;
                }
                default -> 0;
            };
        }

        /** gettoalign: the padding before an item of {@code size} at {@code position}. */
        long padding(long position, int opt, int size) {
            if (size == 0 || opt == 'c') {
                return 0;
            }
            long s = Math.min(size, align);
            return (s - (position & (s - 1))) & (s - 1);
        }

        /** controloptions: byte order, alignment and spaces; any other letter is an error of argument 1. */
        void control(int opt, String function) {
            switch (opt) {
                case ' ' -> { }
                case '>' -> little = false;
                case '<' -> little = true;
                case '!' -> {
                    int a = number(MAX_ALIGN);
                    if (a <= 0 || (a & (a - 1)) != 0) {
                        throw new LuaError("alignment " + a + " is not a power of 2");
                    }
                    align = a;
                }
                default -> throw LuaArgs.argError(1, function, "invalid format option '" + (char) opt + "'");
            }
        }
    }

    private static Varargs pack(Varargs args) {
        Format f = new Format(LuaArgs.string(args, 1, "pack"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int arg = 2;
        long total = 0;
        while (f.more()) {
            int opt = f.option();
            int size = f.size(opt);
            long pad = f.padding(total, opt, size);
            total += pad;
            for (long i = 0; i < pad; i++) {
                out.write(0);
            }
            switch (opt) {
                case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' -> putInteger(out, cLong(packNumber(args, arg++)), f.little, size);
                case 'x' -> out.write(0);
                case 'f' -> {
                    int bits = Float.floatToRawIntBits((float) packNumber(args, arg++));
                    putInteger(out, bits == 0x7fc00000 ? 0xffc00000 : bits, f.little, 4); // x86's NaN, see LuaArgs.x86Bits
                }
                case 'd' -> putInteger(out, LuaArgs.x86Bits(packNumber(args, arg++)), f.little, 8);
                case 'c', 's' -> {
                    LuaString s = packString(args, arg++);
                    if (size == 0) {
                        size = s.m_length;
                    }
                    if (s.m_length < size) {
                        throw LuaArgs.argError(arg, "pack", "string too short");
                    }
                    out.write(s.m_bytes, s.m_offset, size);
                    if (opt == 's') {
                        out.write(0);
                        size++;
                    }
                }
                default -> f.control(opt, "pack");
            }
            total += size;
        }
        return LuaValue.valueOf(out.toByteArray());
    }

    /** pack's luaL_checknumber: pack pushed a nil after its arguments, so the first missing one is "nil". */
    private static double packNumber(Varargs args, int i) {
        if (i == args.narg() + 1) {
            throw LuaArgs.argError(i, "pack", "number expected, got nil");
        }
        return LuaArgs.number(args, i, "pack");
    }

    private static LuaString packString(Varargs args, int i) {
        if (i == args.narg() + 1) {
            throw LuaArgs.argError(i, "pack", "string expected, got nil");
        }
        return LuaArgs.string(args, i, "pack");
    }

    /** C's conversion of a double to the 64 bits struct writes: (long) when negative, (unsigned long) else, as x86-64 does them. */
    private static long cLong(double n) {
        if (n < 0) {
            return LuaArgs.x86Truncate(n);
        }
        return n < 0x1p63 ? LuaArgs.x86Truncate(n) : LuaArgs.x86Truncate(n - 0x1p63) ^ Long.MIN_VALUE;
    }


    private static void putInteger(ByteArrayOutputStream out, long value, boolean little, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[little ? i : size - 1 - i] = (byte) (i < 8 ? value >>> (8 * i) : 0);
        }
        out.write(b, 0, size);
    }

    private static Varargs unpack(Varargs args) {
        Format f = new Format(LuaArgs.string(args, 1, "unpack"));
        LuaString data = LuaArgs.string(args, 2, "unpack");
        long length = data.m_length;
        long pos = LuaArgs.optInteger(args, 3, "unpack", 1) - 1;
        List<LuaValue> results = new ArrayList<>();
        while (f.more()) {
            int opt = f.option();
            long size = f.size(opt);
            pos += f.padding(pos, opt, (int) size);
            checkRoom(size, pos, length);
            switch (opt) {
                case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' ->
                        results.add(LuaValue.valueOf(getInteger(data, (int) pos, f.little, Character.isLowerCase(opt), (int) size)));
                case 'x' -> { }
                case 'f' -> results.add(LuaValue.valueOf(Float.intBitsToFloat((int) getRaw(data, (int) pos, f.little, 4))));
                case 'd' -> results.add(LuaValue.valueOf(Double.longBitsToDouble(getRaw(data, (int) pos, f.little, 8))));
                case 'c' -> {
                    if (size == 0) {
                        LuaValue previous = results.isEmpty() ? LuaValue.NIL : results.get(results.size() - 1);
                        LuaValue n = previous.type() == LuaValue.TNUMBER ? previous
                                : previous.type() == LuaValue.TSTRING ? previous.tonumber() : LuaValue.NIL;
                        if (n.isnil()) {
                            throw new LuaError("format 'c0' needs a previous size");
                        }
                        size = cLong(n.todouble());
                        results.remove(results.size() - 1);
                        checkRoom(size, pos, length);
                    }
                    results.add(data.substring((int) pos, (int) (pos + size)));
                }
                case 's' -> {
                    int end = -1;
                    for (int i = (int) pos; i < length; i++) {
                        if (data.m_bytes[data.m_offset + i] == 0) {
                            end = i;
                            break;
                        }
                    }
                    if (end < 0) {
                        throw new LuaError("unfinished string in data");
                    }
                    results.add(data.substring((int) pos, end));
                    size = end - pos + 1;
                }
                default -> f.control(opt, "unpack");
            }
            pos += size;
        }
        results.add(LuaValue.valueOf(pos + 1));
        return LuaValue.varargsOf(results.toArray(new LuaValue[0]));
    }

    /** {@code size <= ld && pos <= ld - size}, with C's unsigned size_t (a negative position is huge). */
    private static void checkRoom(long size, long pos, long length) {
        if (Long.compareUnsigned(size, length) > 0 || Long.compareUnsigned(pos, length - size) > 0) {
            throw LuaArgs.argError(2, "unpack", "data string too short");
        }
    }

    private static long getRaw(LuaString data, int pos, boolean little, int size) {
        long l = 0;
        for (int i = 0; i < size; i++) {
            int b = data.m_bytes[data.m_offset + pos + (little ? size - 1 - i : i)] & 0xff;
            l = l << 8 | b;
        }
        return l;
    }

    /** getinteger: the bytes as a 64-bit integer (wider ones keep their low 64 bits), sign-extended when signed. */
    private static double getInteger(LuaString data, int pos, boolean little, boolean signed, int size) {
        long l = getRaw(data, pos, little, size);
        if (!signed) {
            return l >= 0 ? (double) l : (double) (l >>> 1 | (l & 1)) * 2.0; // unsigned, rounded as C converts it
        }
        long mask = -1L << ((size * 8 - 1) & 63); // x86 masks the shift count
        if ((l & mask) != 0) {
            l |= mask;
        }
        return l;
    }

    private static Varargs size(Varargs args) {
        Format f = new Format(LuaArgs.string(args, 1, "size"));
        long pos = 0;
        while (f.more()) {
            int opt = f.option();
            int size = f.size(opt);
            pos += f.padding(pos, opt, size);
            if (opt == 's') {
                throw LuaArgs.argError(1, "size", "option 's' has no fixed size");
            } else if (opt == 'c' && size == 0) {
                throw LuaArgs.argError(1, "size", "option 'c0' has no fixed size");
            }
            if (!(opt >= '0' && opt <= '9' || opt >= 'a' && opt <= 'z' || opt >= 'A' && opt <= 'Z')) { // C's isalnum
                f.control(opt, "size");
            }
            pos += size;
        }
        return LuaValue.valueOf(pos);
    }
}
