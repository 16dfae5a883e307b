package dev.atoll.examples.kv;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * LuaBitOp 1.0.2 as Redis bundles it ({@code bit}): 32-bit operations on Lua numbers, results signed
 * ({@code bit.tobit(0xffffffff)} is -1). A number becomes 32 bits as LuaBitOp does it, by adding
 * 2^52 + 2^51 and keeping the low word of the double (so 2^32 + 5 is 5 and 1.5 rounds to 2).
 */
final class LuaBitOp {
    private static final double NORMALIZE = 6755399441055744.0; // 2^52 + 2^51
    private static final char[] HEX_LOWER = "0123456789abcdef".toCharArray();
    private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();

    private LuaBitOp() {
    }

    /** The {@code bit} table. */
    static LuaTable library() {
        LuaTable bit = new LuaTable();
        LuaArgs.put(bit, "tobit", a -> result(arg(a, 1, "tobit")));
        LuaArgs.put(bit, "bnot", a -> result(~arg(a, 1, "bnot")));
        LuaArgs.put(bit, "band", a -> fold(a, "band", 0));
        LuaArgs.put(bit, "bor", a -> fold(a, "bor", 1));
        LuaArgs.put(bit, "bxor", a -> fold(a, "bxor", 2));
        LuaArgs.put(bit, "lshift", a -> result(arg(a, 1, "lshift") << arg(a, 2, "lshift")));
        LuaArgs.put(bit, "rshift", a -> result(arg(a, 1, "rshift") >>> arg(a, 2, "rshift")));
        LuaArgs.put(bit, "arshift", a -> result(arg(a, 1, "arshift") >> arg(a, 2, "arshift")));
        LuaArgs.put(bit, "rol", a -> result(Integer.rotateLeft(arg(a, 1, "rol"), arg(a, 2, "rol"))));
        LuaArgs.put(bit, "ror", a -> result(Integer.rotateRight(arg(a, 1, "ror"), arg(a, 2, "ror"))));
        LuaArgs.put(bit, "bswap", a -> result(Integer.reverseBytes(arg(a, 1, "bswap"))));
        LuaArgs.put(bit, "tohex", LuaBitOp::tohex);
        return bit;
    }

    /** LuaBitOp's barg: argument {@code i} as 32 bits (a shift count uses its low 5 bits, as Java's shifts do). */
    static int arg(Varargs args, int i, String function) {
        LuaValue v = args.arg(i);
        double n;
        if (v.type() == LuaValue.TNUMBER) {
            n = v.todouble();
        } else {
            LuaValue converted = v.type() == LuaValue.TSTRING ? v.tonumber() : LuaValue.NIL;
            if (converted.isnil()) {
                throw LuaArgs.typeError(args, i, function, "number");
            }
            n = converted.todouble();
        }
        return (int) Double.doubleToRawLongBits(n + NORMALIZE);
    }

    private static LuaValue result(int bits) {
        return LuaValue.valueOf(bits);
    }

    private static LuaValue fold(Varargs args, String function, int operation) {
        int b = arg(args, 1, function);
        for (int i = args.narg(); i > 1; i--) {
            int x = arg(args, i, function);
            b = switch (operation) {
                case 0 -> b & x;
                case 1 -> b | x;
                default -> b ^ x;
            };
        }
        return result(b);
    }

    private static LuaValue tohex(Varargs args) {
        int b = arg(args, 1, "tohex");
        int n = args.narg() < 2 ? 8 : arg(args, 2, "tohex"); // none, not nil: tohex(x, nil) is an error
        char[] digits = HEX_LOWER;
        if (n < 0) {
            n = -n;
            digits = HEX_UPPER;
        }
        if (n > 8) {
            n = 8;
        }
        char[] text = new char[n];
        for (int i = n - 1; i >= 0; i--) {
            text[i] = digits[b & 15];
            b >>>= 4;
        }
        return LuaValue.valueOf(new String(text));
    }
}
