package dev.atoll.examples.kv;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.nio.charset.StandardCharsets;

/**
 * Values and replies as Redis's Lua debugger writes them ({@link LuaDebugger}): a Lua value as
 * {@code ldbCatStackValue} (strings quoted as {@code sdscatrepr}, numbers as {@code %g}, tables as
 * {@code {1; 2}} or {@code {["k"]="v"}}, 18 levels deep), a RESP reply as {@code ldbRedisProtocolToHuman}.
 */
final class LuaDebugText {
    /** Lua 5.1's LUA_MINSTACK - 2: how deep Redis shows nested tables. */
    private static final int MAX_VALUE_DEPTH = 18;

    private LuaDebugText() {
    }

    /** Appends {@code v} as Redis's ldbCatStackValue writes it, {@code level} tables deep. */
    static void value(StringBuilder s, LuaValue v, int level) {
        if (level++ == MAX_VALUE_DEPTH) {
            s.append("<max recursion level reached! Nested table?>");
            return;
        }
        switch (v.type()) {
            case LuaValue.TSTRING -> repr(s, LuaArgs.bytes(v.checkstring()));
            case LuaValue.TBOOLEAN -> s.append(v.toboolean() ? "true" : "false");
            case LuaValue.TNUMBER -> s.append(ScriptEngine.formatG(v.todouble(), 6));
            case LuaValue.TNIL -> s.append("nil");
            case LuaValue.TTABLE -> {
                LuaTable t = (LuaTable) v;
                StringBuilder array = new StringBuilder();
                StringBuilder full = new StringBuilder();
                boolean isArray = true;
                int expected = 1;
                LuaValue k = LuaValue.NIL;
                while (true) {
                    Varargs n = t.next(k);
                    k = n.arg1();
                    if (k.isnil()) {
                        break;
                    }
                    if (isArray && (k.type() != LuaValue.TNUMBER || k.todouble() != expected)) {
                        isArray = false;
                    }
                    value(array, n.arg(2), level);
                    array.append("; ");
                    full.append('[');
                    value(full, k, level);
                    full.append("]=");
                    value(full, n.arg(2), level);
                    full.append("; ");
                    expected++;
                }
                StringBuilder chosen = isArray ? array : full;
                s.append('{').append(chosen, 0, Math.max(0, chosen.length() - 2)).append('}');
            }
            default -> s.append('"').append(v.typename()).append("@0x")
                    .append(Integer.toHexString(System.identityHashCode(v))).append('"');
        }
    }

    /** Redis's sdscatrepr (as MONITOR's lines quote their arguments). */
    private static void repr(StringBuilder s, byte[] b) {
        Monitors.quote(s, b, 0, b.length);
    }

    /** Appends the one reply {@code bytes[0, size)} holds (RESP2 or RESP3) on one line. */
    static void reply(StringBuilder s, byte[] bytes, int size) {
        new RespToHuman(bytes, size).value(s);
    }

    /** Redis's ldbRedisProtocolToHuman: a reply (RESP2 or RESP3) on one line. */
    private static final class RespToHuman {
        private final byte[] b;
        private final int end;
        private int at;

        RespToHuman(byte[] b, int end) {
            this.b = b;
            this.end = end;
        }

        private String line() {
            int start = at + 1;
            int cr = start;
            while (cr < end && b[cr] != '\r') {
                cr++;
            }
            at = Math.min(end, cr + 2);
            return new String(b, start, cr - start, StandardCharsets.ISO_8859_1);
        }

        void value(StringBuilder s) {
            if (at >= end) {
                return;
            }
            byte type = b[at];
            int start = at;
            String line = line();
            switch (type) {
                case '+', '-' -> Monitors.quote(s, b, start, at - 2 - start);
                case ':' -> s.append(line);
                case '$', '=' -> {
                    int length = Integer.parseInt(line);
                    if (length < 0) {
                        s.append("NULL");
                    } else {
                        Monitors.quote(s, b, at, length);
                        at += length + 2;
                    }
                }
                case '*', '~', '%' -> {
                    int count = Integer.parseInt(line);
                    if (count < 0) {
                        s.append("NULL");
                        return;
                    }
                    s.append(type == '*' ? "[" : type == '~' ? "~(" : "{");
                    for (int j = 0; j < count; j++) {
                        value(s);
                        if (type == '%') {
                            s.append(" => ");
                            value(s);
                        }
                        if (j != count - 1) {
                            s.append(',');
                        }
                    }
                    s.append(type == '*' ? ']' : type == '~' ? ')' : '}');
                }
                case '_' -> s.append("(null)");
                case '#' -> s.append(line.equals("t") ? "#true" : "#false");
                case ',' -> s.append("(double) ").append(line);
                default -> s.append(line);
            }
        }
    }
}
