package dev.atoll.examples.kv;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * What the C libraries Redis bundles with Lua 5.1 (cjson, cmsgpack, struct, bit) share when rebuilt
 * on luaj: Lua 5.1's argument checks with its error texts ({@code bad argument #1 to 'band' (number
 * expected, got string)}; luaj's own texts differ), its number-to-text conversion ({@code %.14g}), and
 * the read-only library tables a script sees.
 */
final class LuaArgs {
    private LuaArgs() {
    }

    /** A library function's body: its arguments in, its results out. */
    interface Body {
        Varargs apply(Varargs args);
    }

    /** A Lua function named {@code name} (the name its argument errors give) running {@code body}. */
    static VarArgFunction function(String name, Body body) {
        return new Named(name, body);
    }

    private static final class Named extends VarArgFunction {
        private final Body body;

        Named(String name, Body body) {
            this.name = name;
            this.body = body;
        }

        @Override
        public Varargs invoke(Varargs args) {
            return body.apply(args);
        }
    }

    /** Registers {@code body} in {@code library} under {@code name}. */
    static void put(LuaTable library, String name, Body body) {
        library.rawset(name, function(name, body));
    }

    /**
     * An error Lua 5.1 raises without a position (luaG_runerror while a C function runs, as "table index
     * is nil"), where luaL_error names the script's line: its reply is {@code ERR <text>}.
     */
    static final class Unplaced extends LuaError {
        final String text;

        Unplaced(String text) {
            super(text);
            this.text = text;
        }
    }

    /** Lua 5.1's luaL_argerror. */
    static LuaError argError(int arg, String function, String message) {
        return new LuaError("bad argument #" + arg + " to '" + function + "' (" + message + ")");
    }

    /** Lua 5.1's luaL_typename of argument {@code i}: "no value" past the last one. */
    static String typeName(Varargs args, int i) {
        return i > args.narg() ? "no value" : args.arg(i).typename();
    }

    static LuaError typeError(Varargs args, int i, String function, String expected) {
        return argError(i, function, expected + " expected, got " + typeName(args, i));
    }

    /** luaL_checknumber: a number, or a string that reads as one. */
    static double number(Varargs args, int i, String function) {
        LuaValue v = args.arg(i);
        if (v.type() == LuaValue.TNUMBER) {
            return v.todouble();
        }
        LuaValue n = v.type() == LuaValue.TSTRING ? v.tonumber() : LuaValue.NIL;
        if (n.isnil()) {
            throw typeError(args, i, function, "number");
        }
        return n.todouble();
    }

    /** luaL_checkinteger: a number truncated to an integer. */
    static long integer(Varargs args, int i, String function) {
        return (long) number(args, i, function);
    }

    /** luaL_optinteger. */
    static long optInteger(Varargs args, int i, String function, long otherwise) {
        return args.arg(i).isnil() ? otherwise : integer(args, i, function);
    }

    /** luaL_checklstring: a string, or a number as its text. */
    static LuaString string(Varargs args, int i, String function) {
        LuaValue v = args.arg(i);
        if (v.type() == LuaValue.TSTRING) {
            return v.checkstring();
        }
        if (v.type() == LuaValue.TNUMBER) {
            return LuaValue.valueOf(formatG(v.todouble(), 14));
        }
        throw typeError(args, i, function, "string");
    }

    /** The bytes of {@code s}, copied. */
    static byte[] bytes(LuaString s) {
        byte[] copy = new byte[s.m_length];
        System.arraycopy(s.m_bytes, s.m_offset, copy, 0, s.m_length);
        return copy;
    }

    /**
     * C's {@code (long long) d} on x86-64 (cvttsd2si): truncated, and the "integer indefinite"
     * Long.MIN_VALUE when out of range or NaN, where Java's cast saturates.
     */
    static long x86Truncate(double d) {
        return Double.isNaN(d) || d >= 0x1p63 || d < -0x1p63 ? Long.MIN_VALUE : (long) d;
    }

    /**
     * The bits of {@code d} as Redis's Lua holds them: luaj's NaN (of {@code 0/0}) is Java's canonical
     * positive one, where x86's division gives the negative default NaN.
     */
    static long x86Bits(double d) {
        long bits = Double.doubleToRawLongBits(d);
        return bits == 0x7ff8000000000000L ? 0xfff8000000000000L : bits;
    }

    /** C's {@code printf("%.<precision>g", d)} with glibc's texts for the infinities and NaN. */
    static String formatG(double d, int precision) {
        if (Double.isNaN(d)) {
            return (Double.doubleToRawLongBits(d) < 0 ? "-" : "") + "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0" : "0";
        }
        // the exact binary value rounded half-even, as glibc does
        BigDecimal rounded = new BigDecimal(d).round(new MathContext(precision, RoundingMode.HALF_EVEN));
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= precision) {
            String digits = rounded.unscaledValue().abs().toString();
            digits = digits.length() > precision ? digits.substring(0, precision) : digits;
            digits = digits.replaceAll("0+$", "");
            String mantissa = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
            int e = Math.abs(exponent);
            return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + e;
        }
        String plain = rounded.toPlainString();
        if (plain.indexOf('.') >= 0) {
            plain = plain.replaceAll("0+$", "");
            if (plain.endsWith(".")) {
                plain = plain.substring(0, plain.length() - 1);
            }
        }
        return plain;
    }
}
