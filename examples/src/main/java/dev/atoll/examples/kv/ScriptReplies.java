package dev.atoll.examples.kv;

import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

import java.nio.charset.StandardCharsets;

/**
 * Redis's conversions between replies and Lua values (script_lua.c): a command's reply, read back
 * from the RESP it wrote, becomes a Lua value for {@code redis.call}; a script's result becomes the
 * reply. RESP2: integer to number, bulk to string, null bulk or array to {@code false}, status to
 * {@code {ok=...}}, error to {@code {err=...}}. RESP3 ({@code redis.setresp(3)}) adds null to nil,
 * booleans, {@code {double=n}}, {@code {map=t}}, {@code {set=t}}, {@code {big_number=s}}. Back:
 * numbers truncate to integers, {@code true} to 1 and {@code false} to null (booleans in RESP3 after
 * setresp 3), tables to arrays up to their first nil unless they carry err, ok, double, map, set or
 * big_number; anything else to null.
 */
final class ScriptReplies {
    private static final LuaString OK = LuaValue.valueOf("ok");
    private static final LuaString ERR = LuaValue.valueOf("err");
    private static final LuaString DOUBLE = LuaValue.valueOf("double");
    private static final LuaString MAP = LuaValue.valueOf("map");
    private static final LuaString SET = LuaValue.valueOf("set");
    private static final LuaString BIG_NUMBER = LuaValue.valueOf("big_number");
    private static final LuaString VERBATIM = LuaValue.valueOf("verbatim_string");
    private static final LuaString FORMAT = LuaValue.valueOf("format");
    private static final LuaString STRING = LuaValue.valueOf("string");
    private static final byte[] TRUE = ReplyWriter.asciiBytes("#t\r\n");
    private static final byte[] FALSE = ReplyWriter.asciiBytes("#f\r\n");
    private static final byte[] BIG = ReplyWriter.asciiBytes("(");
    private static final byte[] CRLF = ReplyWriter.asciiBytes("\r\n");
    /** Nesting beyond this is refused (a table that contains itself would never end). */
    private static final int MAX_DEPTH = 1000;

    private ScriptReplies() {
    }

    /** A result nested deeper than Redis converts (a table that contains itself). */
    static final class TooDeep extends RuntimeException {
        TooDeep() {
            super("reached lua stack limit", null, false, false);
        }
    }

    /** A table {@code {field = value}}: a status, an error, a double ... */
    static LuaTable tagged(LuaString field, LuaValue value) {
        LuaTable t = new LuaTable();
        t.rawset(field, value);
        return t;
    }

    /** {@code {err = text}}: what redis.pcall returns for an error reply, and redis.error_reply makes. */
    static LuaTable error(String text) {
        return tagged(ERR, LuaValue.valueOf(text));
    }

    /** {@code {ok = text}}. */
    static LuaTable status(String text) {
        return tagged(OK, LuaValue.valueOf(text));
    }

    /** The error text of an error table, or null when {@code v} is none. */
    static String errorText(LuaValue v) {
        if (v.istable()) {
            LuaValue err = v.rawget(ERR);
            if (err.isstring()) {
                return err.tojstring();
            }
        }
        return null;
    }

    // ---- replies to Lua ----

    /** The Lua value of the one reply {@code bytes[0, size)} holds. */
    static LuaValue toLua(byte[] bytes, int size) {
        return new Reader(bytes, size).next();
    }

    /** Reads RESP2 and RESP3 replies as redisProtocolToLuaType does. */
    private static final class Reader {
        private final byte[] b;
        private final int end;
        private int at;

        Reader(byte[] bytes, int size) {
            this.b = bytes;
            this.end = size;
        }

        LuaValue next() {
            byte type = b[at++];
            int lineEnd = lineEnd();
            String line = new String(b, at, lineEnd - at, StandardCharsets.UTF_8);
            at = lineEnd + 2;
            return switch (type) {
                case '+' -> status(line);
                case '-' -> error(line);
                case ':' -> number(Long.parseLong(line));
                case '$' -> {
                    int length = Integer.parseInt(line);
                    yield length < 0 ? LuaValue.FALSE : bulk(length);
                }
                case '=' -> { // verbatim: "txt:" then the text
                    int length = Integer.parseInt(line);
                    LuaTable t = new LuaTable();
                    t.rawset(FORMAT, LuaValue.valueOf(new String(b, at, 3, StandardCharsets.US_ASCII)));
                    at += 4;
                    t.rawset(STRING, bulk(length - 4));
                    yield tagged(VERBATIM, t);
                }
                case '*', '>' -> {
                    int count = Integer.parseInt(line);
                    if (count < 0) {
                        yield LuaValue.FALSE;
                    }
                    LuaTable t = new LuaTable(count, 0);
                    for (int i = 1; i <= count; i++) {
                        t.rawset(i, next());
                    }
                    yield t;
                }
                case '%' -> {
                    int pairs = Integer.parseInt(line);
                    LuaTable t = new LuaTable();
                    for (int i = 0; i < pairs; i++) {
                        LuaValue key = next();
                        t.rawset(key, next());
                    }
                    yield tagged(MAP, t);
                }
                case '~' -> {
                    int count = Integer.parseInt(line);
                    LuaTable t = new LuaTable();
                    for (int i = 0; i < count; i++) {
                        t.rawset(next(), LuaValue.TRUE);
                    }
                    yield tagged(SET, t);
                }
                case '_' -> LuaValue.NIL;
                case '#' -> LuaValue.valueOf(line.equals("t"));
                case ',' -> tagged(DOUBLE, LuaValue.valueOf(parseDouble(line)));
                case '(' -> tagged(BIG_NUMBER, LuaValue.valueOf(line));
                case '|' -> { // an attribute: skipped, the reply follows
                    int pairs = Integer.parseInt(line);
                    for (int i = 0; i < 2 * pairs; i++) {
                        next();
                    }
                    yield next();
                }
                default -> throw new IllegalStateException("not a reply: " + (char) type);
            };
        }

        private LuaValue bulk(int length) {
            byte[] copy = new byte[length];
            System.arraycopy(b, at, copy, 0, length);
            at += length + 2;
            return LuaValue.valueOf(copy);
        }

        private int lineEnd() {
            int i = at;
            while (i < end && b[i] != '\r') {
                i++;
            }
            return i;
        }
    }

    private static double parseDouble(String text) {
        return switch (text) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    /** A Lua number of {@code n}: an integer when it fits one, else a double, as Lua 5.1 holds every number. */
    static LuaValue number(long n) {
        return n == (int) n ? LuaValue.valueOf((int) n) : LuaValue.valueOf((double) n);
    }

    // ---- Lua to replies ----

    /**
     * Writes {@code v} as the script's reply; {@code luaResp3}: the script chose RESP3 with
     * redis.setresp(3), which changes how booleans are answered, as in Redis.
     */
    static void write(LuaValue v, ReplyWriter out, boolean luaResp3) {
        write(v, out, luaResp3, 0);
    }

    private static void write(LuaValue v, ReplyWriter out, boolean luaResp3, int depth) {
        if (depth > MAX_DEPTH) {
            throw new TooDeep();
        }
        switch (v.type()) {
            case LuaValue.TSTRING -> {
                LuaString s = v.checkstring();
                out.bulk(s.m_bytes, s.m_offset, s.m_length);
            }
            case LuaValue.TBOOLEAN -> {
                if (!luaResp3) {
                    if (v.toboolean()) {
                        out.integer(1);
                    } else {
                        out.nullBulk();
                    }
                } else if (out.resp3()) {
                    out.raw(v.toboolean() ? TRUE : FALSE);
                } else {
                    out.integer(v.toboolean() ? 1 : 0);
                }
            }
            case LuaValue.TNUMBER -> out.integer(LuaArgs.x86Truncate(v.todouble())); // Redis's (long long) cast
            case LuaValue.TTABLE -> table((LuaTable) v, out, luaResp3, depth);
            default -> out.nullBulk();
        }
    }

    private static void table(LuaTable t, ReplyWriter out, boolean luaResp3, int depth) {
        LuaValue err = t.rawget(ERR);
        if (err.isstring()) {
            out.error(oneLine(err.tojstring()));
            return;
        }
        LuaValue ok = t.rawget(OK);
        if (ok.isstring()) {
            out.simple(oneLine(ok.tojstring()));
            return;
        }
        LuaValue d = t.rawget(DOUBLE);
        if (d.isnumber()) {
            ZSetAlgebra.score(out, d.todouble());
            return;
        }
        LuaValue big = t.rawget(BIG_NUMBER);
        if (big.isstring()) {
            if (out.resp3()) {
                out.raw(BIG).raw(big.checkstring().m_bytes, big.checkstring().m_offset, big.checkstring().m_length).raw(CRLF);
            } else {
                write(big, out, luaResp3, depth + 1);
            }
            return;
        }
        LuaValue map = t.rawget(MAP);
        LuaValue set = t.rawget(SET);
        if (map.istable() || set.istable()) { // a map's keys and values, or a set's members (its keys)
            LuaTable m = (LuaTable) (map.istable() ? map : set);
            if (map.istable()) {
                out.mapHeader(count(m));
            } else {
                out.setHeader(count(m));
            }
            for (LuaValue k = m.next(LuaValue.NIL).arg1(); !k.isnil(); k = m.next(k).arg1()) {
                write(k, out, luaResp3, depth + 1);
                if (map.istable()) {
                    write(m.rawget(k), out, luaResp3, depth + 1);
                }
            }
            return;
        }
        int n = 0;
        while (!t.rawget(n + 1).isnil()) {
            n++;
        }
        out.arrayHeader(n);
        for (int i = 1; i <= n; i++) {
            write(t.rawget(i), out, luaResp3, depth + 1);
        }
    }

    private static int count(LuaTable t) {
        int n = 0;
        for (LuaValue k = t.next(LuaValue.NIL).arg1(); !k.isnil(); k = t.next(k).arg1()) {
            n++;
        }
        return n;
    }

    /** Redis puts an error or status on one line: CR and LF become spaces. */
    static String oneLine(String text) {
        return text.replace('\r', ' ').replace('\n', ' ');
    }
}
