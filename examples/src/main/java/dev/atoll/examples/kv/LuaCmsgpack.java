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
 * lua-cmsgpack 0.4.0 as Redis bundles it ({@code cmsgpack}): pack (each argument one value of the
 * stream), unpack, unpack_one and unpack_limit. Its choices, kept byte for byte: a table is an array
 * when its keys are exactly 1..n, else a map; nesting deeper than 16 tables packs nil; a whole number
 * that fits 64 bits packs as the smallest integer, any other number as a float when a float holds it
 * exactly, else a double; strings use the str8/16/32 and fixstr headers; functions and other values
 * pack as nil. Written here rather than on msgpack-java: its packer picks other encodings (bin for
 * bytes, no float for a double) and unpacking must answer cmsgpack's errors.
 */
final class LuaCmsgpack {
    private static final int MAX_NESTING = 16;
    /** Lua 5.1's LUAI_MAXCSTACK: the stack slots a C function may use, which bounds what unpack returns. */
    private static final int MAX_C_STACK = 8000;

    private LuaCmsgpack() {
    }

    /** The {@code cmsgpack} table. */
    static LuaTable library() {
        LuaTable t = new LuaTable();
        LuaArgs.put(t, "pack", LuaCmsgpack::pack);
        LuaArgs.put(t, "unpack", a -> unpack(a, "unpack", 0, 0));
        LuaArgs.put(t, "unpack_one", a -> unpack(a, "unpack_one", 1, LuaArgs.optInteger(a, 2, "unpack_one", 0)));
        LuaArgs.put(t, "unpack_limit", a -> {
            long limit = LuaArgs.integer(a, 2, "unpack_limit");
            return unpack(a, "unpack_limit", limit, LuaArgs.optInteger(a, 3, "unpack_limit", 0));
        });
        t.rawset("_NAME", "cmsgpack");
        t.rawset("_VERSION", "lua-cmsgpack 0.4.0");
        t.rawset("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo");
        t.rawset("_DESCRIPTION", "MessagePack C implementation for Lua");
        return t;
    }

    // ---- packing ----

    private static Varargs pack(Varargs args) {
        if (args.narg() == 0) {
            throw LuaArgs.argError(0, "pack", "MessagePack pack needs input.");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i <= args.narg(); i++) {
            encode(args.arg(i), 0, out);
        }
        return LuaValue.valueOf(out.toByteArray());
    }

    private static void encode(LuaValue v, int level, ByteArrayOutputStream out) {
        switch (v.type()) {
            case LuaValue.TSTRING -> {
                LuaString s = v.checkstring();
                int n = s.m_length;
                if (n < 32) {
                    out.write(0xa0 | n);
                } else if (n <= 0xff) {
                    out.write(0xd9);
                    out.write(n);
                } else if (n <= 0xffff) {
                    out.write(0xda);
                    big(out, n, 2);
                } else {
                    out.write(0xdb);
                    big(out, n, 4);
                }
                out.write(s.m_bytes, s.m_offset, n);
            }
            case LuaValue.TBOOLEAN -> out.write(v.toboolean() ? 0xc3 : 0xc2);
            case LuaValue.TNUMBER -> number(v.todouble(), out);
            case LuaValue.TTABLE -> {
                if (level == MAX_NESTING) {
                    out.write(0xc0);
                } else {
                    table((LuaTable) v, level, out);
                }
            }
            default -> out.write(0xc0);
        }
    }

    private static void number(double n, ByteArrayOutputStream out) {
        if (!Double.isNaN(n) && n >= -0x1p63 && n < 0x1p63 && (long) n == n) {
            integer((long) n, out);
            return;
        }
        float f = (float) n;
        if (n == (double) f) {
            out.write(0xca);
            big(out, Float.floatToRawIntBits(f), 4);
        } else {
            out.write(0xcb);
            big(out, LuaArgs.x86Bits(n), 8);
        }
    }

    private static void integer(long n, ByteArrayOutputStream out) {
        if (n >= 0) {
            if (n <= 127) {
                out.write((int) n);
            } else if (n <= 0xff) {
                out.write(0xcc);
                big(out, n, 1);
            } else if (n <= 0xffff) {
                out.write(0xcd);
                big(out, n, 2);
            } else if (n <= 0xffffffffL) {
                out.write(0xce);
                big(out, n, 4);
            } else {
                out.write(0xcf);
                big(out, n, 8);
            }
        } else if (n >= -32) {
            out.write((int) n & 0xff);
        } else if (n >= -128) {
            out.write(0xd0);
            big(out, n, 1);
        } else if (n >= -32768) {
            out.write(0xd1);
            big(out, n, 2);
        } else if (n >= Integer.MIN_VALUE) {
            out.write(0xd2);
            big(out, n, 4);
        } else {
            out.write(0xd3);
            big(out, n, 8);
        }
    }

    private static void big(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) {
            out.write((int) (value >>> (8 * i)) & 0xff);
        }
    }

    private static void table(LuaTable t, int level, ByteArrayOutputStream out) {
        int count = 0;
        int max = 0;
        boolean array = true;
        for (Varargs e = t.next(LuaValue.NIL); !e.arg1().isnil(); e = t.next(e.arg1())) {
            LuaValue key = e.arg1();
            double n = key.type() == LuaValue.TNUMBER ? key.todouble() : 0;
            // IS_INT_EQUIVALENT: a C int (x86 turns anything out of range into INT_MIN)
            int asInt = Double.isNaN(n) || n >= 0x1p31 || n < -0x1p31 ? Integer.MIN_VALUE : (int) n;
            if (n <= 0 || Double.isInfinite(n) || asInt != n) {
                array = false;
                break;
            }
            max = Math.max(max, asInt);
            count++;
        }
        if (array && max == count) {
            header(out, count, 0x90, 0xdc, 0xdd);
            for (int j = 1; j <= count; j++) {
                encode(t.get(j), level + 1, out);
            }
            return;
        }
        int size = 0;
        for (Varargs e = t.next(LuaValue.NIL); !e.arg1().isnil(); e = t.next(e.arg1())) {
            size++;
        }
        header(out, size, 0x80, 0xde, 0xdf);
        for (Varargs e = t.next(LuaValue.NIL); !e.arg1().isnil(); e = t.next(e.arg1())) {
            encode(e.arg1(), level + 1, out);
            encode(e.arg(2), level + 1, out);
        }
    }

    private static void header(ByteArrayOutputStream out, int n, int fix, int sixteen, int thirtyTwo) {
        if (n <= 15) {
            out.write(fix | n);
        } else if (n <= 65535) {
            out.write(sixteen);
            big(out, n, 2);
        } else {
            out.write(thirtyTwo);
            big(out, n, 4);
        }
    }

    // ---- unpacking ----

    /** Not enough bytes for the value being read (cmsgpack's MP_CUR_ERROR_EOF). */
    private static final class Missing extends RuntimeException {
        Missing() {
            super(null, null, false, false);
        }
    }

    /** A first byte cmsgpack does not read (MP_CUR_ERROR_BADFMT: bin, ext, fixext, 0xc1). */
    private static final class BadFormat extends RuntimeException {
        BadFormat() {
            super(null, null, false, false);
        }
    }

    /** mp_unpack_full: up to {@code limit} values from {@code offset} (both 0: all, and no offset in the results). */
    private static Varargs unpack(Varargs args, String function, long limit, long offset) {
        LuaString s = LuaArgs.string(args, 1, function);
        int length = s.m_length;
        if (offset < 0 || limit < 0) {
            throw new LuaError("Invalid request to unpack with offset of " + (int) offset + " and limit of " + length + ".");
        } else if (offset > length) {
            throw new LuaError("Start offset " + (int) offset + " greater than input length " + length + ".");
        }
        boolean all = limit == 0 && offset == 0;
        if (all) {
            limit = Integer.MAX_VALUE;
        }
        Cursor c = new Cursor(s.m_bytes, s.m_offset + (int) offset, s.m_offset + length);
        List<LuaValue> values = new ArrayList<>();
        try {
            for (int count = 0; c.left() > 0 && count < limit; count++) {
                values.add(c.value());
            }
        } catch (Missing e) {
            throw new LuaError("Missing bytes in input.");
        } catch (BadFormat e) {
            throw new LuaError("Bad data format in input.");
        } catch (StackOverflowError e) {
            // nesting deeper than the shard thread's stack holds (C Lua's own limit is 4000 arrays)
            throw new LuaError("stack overflow (nesting deeper than this server's stack holds)");
        }
        if (!all) {
            values.add(0, LuaValue.valueOf(c.left() == 0 ? -1 : c.at - s.m_offset));
        }
        return LuaValue.varargsOf(values.toArray(new LuaValue[0]));
    }

    /** A read position in the packed bytes. */
    private static final class Cursor {
        private final byte[] bytes;
        private final int end;
        int at;
        /**
         * The Lua stack slots cmsgpack would hold now (its argument, the values unpacked, each open
         * table and the index or key being set), checked as its luaL_checkstack calls check them.
         */
        private int slots = 1;

        Cursor(byte[] bytes, int at, int end) {
            this.bytes = bytes;
            this.at = at;
            this.end = end;
        }

        int left() {
            return end - at;
        }

        private void need(long n) {
            if (left() < n) {
                throw new Missing();
            }
        }

        private long read(int offset, int n) {
            long v = 0;
            for (int i = 0; i < n; i++) {
                v = v << 8 | (bytes[at + offset + i] & 0xff);
            }
            return v;
        }

        private LuaValue fixed(int n, boolean signed) {
            need(1 + n);
            long v = read(1, n);
            if (signed && n < 8) {
                v = v << (64 - 8 * n) >> (64 - 8 * n);
            }
            at += 1 + n;
            return LuaValue.valueOf((double) v);
        }

        private LuaValue string(int headerBytes) {
            need(1 + headerBytes);
            long n = read(1, headerBytes);
            need(1 + headerBytes + n);
            LuaValue s = LuaValue.valueOf(java.util.Arrays.copyOfRange(bytes, at + 1 + headerBytes, at + 1 + headerBytes + (int) n));
            at += 1 + headerBytes + (int) n;
            return s;
        }

        private long length(int headerBytes) {
            need(1 + headerBytes);
            long n = read(1, headerBytes);
            at += 1 + headerBytes;
            return n;
        }

        /** One value, which then takes a stack slot until its table takes it. */
        LuaValue value() {
            need(1);
            if (slots + 1 > MAX_C_STACK) {
                throw new LuaError("stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)");
            }
            LuaValue v = decode();
            slots++;
            return v;
        }

        private LuaValue decode() {
            int b = bytes[at] & 0xff;
            switch (b) {
                case 0xcc, 0xcd, 0xce -> {
                    return fixed(b == 0xcc ? 1 : b == 0xcd ? 2 : 4, false);
                }
                case 0xcf -> {
                    return fixed(8, false); // lua_pushinteger: 2^63 and above turn negative, as in Redis
                }
                case 0xd0, 0xd1, 0xd2, 0xd3 -> {
                    return fixed(1 << (b - 0xd0), true);
                }
                case 0xc0 -> {
                    at++;
                    return LuaValue.NIL;
                }
                case 0xc2, 0xc3 -> {
                    at++;
                    return LuaValue.valueOf(b == 0xc3);
                }
                case 0xca -> {
                    need(5);
                    float f = Float.intBitsToFloat((int) read(1, 4));
                    at += 5;
                    return LuaValue.valueOf(f);
                }
                case 0xcb -> {
                    need(9);
                    double d = Double.longBitsToDouble(read(1, 8));
                    at += 9;
                    return LuaValue.valueOf(d);
                }
                case 0xd9 -> {
                    return string(1);
                }
                case 0xda -> {
                    return string(2);
                }
                case 0xdb -> {
                    return string(4);
                }
                case 0xdc, 0xdd -> {
                    return array(length(b == 0xdc ? 2 : 4));
                }
                case 0xde, 0xdf -> {
                    return map(length(b == 0xde ? 2 : 4));
                }
                default -> {
                    if ((b & 0x80) == 0) {
                        at++;
                        return LuaValue.valueOf(b);
                    } else if ((b & 0xe0) == 0xe0) {
                        at++;
                        return LuaValue.valueOf((byte) b);
                    } else if ((b & 0xe0) == 0xa0) {
                        return fixString(b & 0x1f);
                    } else if ((b & 0xf0) == 0x90) {
                        at++;
                        return array(b & 0xf);
                    } else if ((b & 0xf0) == 0x80) {
                        at++;
                        return map(b & 0xf);
                    }
                    throw new BadFormat();
                }
            }
        }

        private LuaValue fixString(int n) {
            need(1 + n);
            LuaValue s = LuaValue.valueOf(java.util.Arrays.copyOfRange(bytes, at + 1, at + 1 + n));
            at += 1 + n;
            return s;
        }

        private LuaValue array(long n) {
            LuaTable t = new LuaTable();
            slots++;
            if (slots + 1 > MAX_C_STACK) {
                throw new LuaError("stack overflow (in function mp_decode_to_lua_array)");
            }
            for (long i = 1; i <= n; i++) {
                slots++; // the index
                LuaValue v = value();
                slots -= 2;
                if (!v.isnil()) {
                    t.rawset((int) i, v);
                }
            }
            slots--;
            return t;
        }

        private LuaValue map(long n) {
            LuaTable t = new LuaTable();
            slots++;
            for (long i = 0; i < n; i++) {
                LuaValue key = value();
                LuaValue v = value();
                slots -= 2;
                if (key.isnil()) {
                    throw new LuaArgs.Unplaced("table index is nil");
                }
                if (key.type() == LuaValue.TNUMBER && Double.isNaN(key.todouble())) {
                    throw new LuaArgs.Unplaced("table index is NaN");
                }
                t.rawset(key, v);
            }
            slots--;
            return t;
        }
    }
}
