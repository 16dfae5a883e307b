package dev.atoll.examples.kv;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.io.ByteArrayOutputStream;

/**
 * lua-cjson 2.1.0 as Redis bundles it ({@code cjson}): encode, decode, {@code cjson.null} and the
 * configuration functions, with its texts and limits (numbers as {@code %.14g}, {@code /} escaped,
 * excessively sparse arrays refused, 1000 levels of nesting, its error messages). The configuration
 * belongs to one table ({@code cjson.new()} makes another) and lasts as long as the Lua state, as in
 * Redis. A hand-written parser rather than Jackson: the errors must name cjson's tokens and positions,
 * and cjson reads what Jackson refuses ({@code 0x1F}, {@code inf}, {@code nan}, a leading {@code +}).
 */
final class LuaCjson {
    /** JSON's null (Redis: a NULL light userdata). */
    static final LuaValue NULL = new LuaUserdata("cjson.null") {
        @Override
        public String tojstring() {
            return "userdata: (nil)";
        }
    };

    private enum Token { OBJ_BEGIN, OBJ_END, ARR_BEGIN, ARR_END, STRING, NUMBER, BOOLEAN, NULL, COLON, COMMA, END, ERROR }

    private static final String[] ESCAPES = new String[256];

    static {
        for (int c = 0; c < 32; c++) {
            ESCAPES[c] = String.format("\\u%04x", c);
        }
        ESCAPES['\b'] = "\\b";
        ESCAPES['\t'] = "\\t";
        ESCAPES['\n'] = "\\n";
        ESCAPES['\f'] = "\\f";
        ESCAPES['\r'] = "\\r";
        ESCAPES['"'] = "\\\"";
        ESCAPES['/'] = "\\/";
        ESCAPES['\\'] = "\\\\";
        ESCAPES[127] = "\\u007f";
    }

    /** Lua 5.1's LUAI_MAXCSTACK: the stack slots a C function may use, which bounds nesting beyond the configured depths. */
    private static final int MAX_C_STACK = 8000;

    // The configuration (lua-cjson's defaults as Redis builds it).
    private int sparseConvert;
    private int sparseRatio = 2;
    private int sparseSafe = 10;
    private int encodeMaxDepth = 1000;
    private int decodeMaxDepth = 1000;
    private int encodeInvalidNumbers;
    private int decodeInvalidNumbers = 1;
    private int keepBuffer = 1;
    private int precision = 14;
    /** The deepest table the encode in progress reached (its error when the JVM's stack ends first). */
    private int deepest;

    private LuaCjson() {
    }

    /** A {@code cjson} table with a configuration of its own. */
    static LuaTable library() {
        LuaCjson c = new LuaCjson();
        LuaTable t = new LuaTable();
        LuaArgs.put(t, "encode", c::encode);
        LuaArgs.put(t, "decode", c::decode);
        LuaArgs.put(t, "encode_sparse_array", a -> {
            init(a, 3, "encode_sparse_array");
            c.sparseConvert = c.enumOption(a, "encode_sparse_array", c.sparseConvert, BOOL);
            LuaValue convert = c.enumResult(c.sparseConvert, BOOL);
            LuaValue ratio = c.integerOption(a, 2, "encode_sparse_array", v -> c.sparseRatio = v, c.sparseRatio, 0, Integer.MAX_VALUE);
            LuaValue safe = c.integerOption(a, 3, "encode_sparse_array", v -> c.sparseSafe = v, c.sparseSafe, 0, Integer.MAX_VALUE);
            return LuaValue.varargsOf(convert, ratio, safe);
        });
        LuaArgs.put(t, "encode_max_depth", a -> {
            init(a, 1, "encode_max_depth");
            return c.integerOption(a, 1, "encode_max_depth", v -> c.encodeMaxDepth = v, c.encodeMaxDepth, 1, Integer.MAX_VALUE);
        });
        LuaArgs.put(t, "decode_max_depth", a -> {
            init(a, 1, "decode_max_depth");
            return c.integerOption(a, 1, "decode_max_depth", v -> c.decodeMaxDepth = v, c.decodeMaxDepth, 1, Integer.MAX_VALUE);
        });
        LuaArgs.put(t, "encode_number_precision", a -> {
            init(a, 1, "encode_number_precision");
            return c.integerOption(a, 1, "encode_number_precision", v -> c.precision = v, c.precision, 1, 14);
        });
        LuaArgs.put(t, "encode_keep_buffer", a -> {
            init(a, 1, "encode_keep_buffer");
            c.keepBuffer = c.enumOption(a, "encode_keep_buffer", c.keepBuffer, BOOL);
            return c.enumResult(c.keepBuffer, BOOL);
        });
        LuaArgs.put(t, "encode_invalid_numbers", a -> {
            init(a, 1, "encode_invalid_numbers");
            c.encodeInvalidNumbers = c.enumOption(a, "encode_invalid_numbers", c.encodeInvalidNumbers, INVALID_NUMBERS);
            return c.enumResult(c.encodeInvalidNumbers, INVALID_NUMBERS);
        });
        LuaArgs.put(t, "decode_invalid_numbers", a -> {
            init(a, 1, "decode_invalid_numbers");
            c.decodeInvalidNumbers = c.enumOption(a, "decode_invalid_numbers", c.decodeInvalidNumbers, BOOL);
            return c.enumResult(c.decodeInvalidNumbers, BOOL);
        });
        LuaArgs.put(t, "new", a -> library());
        t.rawset("null", NULL);
        t.rawset("_NAME", "cjson");
        t.rawset("_VERSION", "2.1.0");
        return t;
    }

    // ---- configuration ----

    private static final String[] BOOL = {"off", "on"};
    private static final String[] INVALID_NUMBERS = {"off", "on", "null"};

    private interface Setter {
        void set(int value);
    }

    /** json_arg_init: at most {@code count} arguments. */
    private static void init(Varargs a, int count, String function) {
        if (a.narg() > count) {
            throw LuaArgs.argError(count + 1, function, "found too many arguments");
        }
    }

    private LuaValue integerOption(Varargs a, int i, String function, Setter setter, int current, int min, int max) {
        if (!a.arg(i).isnil()) {
            long value = LuaArgs.integer(a, i, function);
            int v = (int) value;
            if (v < min || v > max) {
                throw LuaArgs.argError(1, function, "expected integer between " + min + " and " + max);
            }
            setter.set(v);
            return LuaValue.valueOf(v);
        }
        return LuaValue.valueOf(current);
    }

    /** json_enum_option with bool_true 1, argument 1 (the only enumerated one of each function). */
    private int enumOption(Varargs a, String function, int current, String[] options) {
        LuaValue v = a.arg(1);
        if (v.isnil()) {
            return current;
        }
        if (v.isboolean()) {
            return v.toboolean() ? 1 : 0;
        }
        String name = LuaArgs.string(a, 1, function).tojstring();
        for (int i = 0; i < options.length; i++) {
            if (options[i].equals(name)) {
                return i;
            }
        }
        throw LuaArgs.argError(1, function, "invalid option '" + name + "'");
    }

    private LuaValue enumResult(int setting, String[] options) {
        return setting <= 1 ? LuaValue.valueOf(setting == 1) : LuaValue.valueOf(options[setting]);
    }

    // ---- encoding ----

    private Varargs encode(Varargs a) {
        if (a.narg() != 1) {
            throw LuaArgs.argError(1, "encode", "expected 1 argument");
        }
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        deepest = 0;
        try {
            append(a.arg1(), 0, 1, json);
        } catch (StackOverflowError e) { // deeper than the shard thread's stack holds, before cjson's limits
            throw new LuaError("Cannot serialise, excessive nesting (" + deepest + ")");
        }
        return LuaValue.valueOf(json.toByteArray());
    }

    /**
     * Appends {@code v} at nesting {@code depth}; {@code slots} counts the Lua stack slots cjson would
     * hold there (an array level holds its value, an object level its key and value).
     */
    private void append(LuaValue v, int depth, int slots, ByteArrayOutputStream json) {
        switch (v.type()) {
            case LuaValue.TSTRING -> appendString(v.checkstring(), json);
            case LuaValue.TNUMBER -> appendNumber(v.todouble(), json);
            case LuaValue.TBOOLEAN -> ascii(v.toboolean() ? "true" : "false", json);
            case LuaValue.TNIL -> ascii("null", json);
            case LuaValue.TTABLE -> {
                depth++;
                deepest = Math.max(deepest, depth);
                if (depth > encodeMaxDepth || slots + 3 > MAX_C_STACK) {
                    throw new LuaError("Cannot serialise, excessive nesting (" + depth + ")");
                }
                LuaTable t = (LuaTable) v;
                int length = arrayLength(t);
                if (length > 0) {
                    json.write('[');
                    for (int i = 1; i <= length; i++) {
                        if (i > 1) {
                            json.write(',');
                        }
                        append(t.rawget(i), depth, slots + 1, json);
                    }
                    json.write(']');
                } else {
                    appendObject(t, depth, slots, json);
                }
            }
            default -> {
                if (v == NULL) {
                    ascii("null", json);
                } else {
                    throw new LuaError("Cannot serialise " + v.typename() + ": type not supported");
                }
            }
        }
    }

    private void appendObject(LuaTable t, int depth, int slots, ByteArrayOutputStream json) {
        json.write('{');
        boolean comma = false;
        for (Varargs entry = t.next(LuaValue.NIL); !entry.arg1().isnil(); entry = t.next(entry.arg1())) {
            if (comma) {
                json.write(',');
            }
            comma = true;
            LuaValue key = entry.arg1();
            if (key.type() == LuaValue.TNUMBER) {
                json.write('"');
                appendNumber(key.todouble(), json);
                ascii("\":", json);
            } else if (key.type() == LuaValue.TSTRING) {
                appendString(key.checkstring(), json);
                json.write(':');
            } else {
                throw new LuaError("Cannot serialise " + key.typename() + ": table key must be a number or string");
            }
            append(entry.arg(2), depth, slots + 2, json);
        }
        json.write('}');
    }

    /** lua_array_length: the array's length, or -1 for an object (some key is not a positive integer, or too sparse). */
    private int arrayLength(LuaTable t) {
        double max = 0;
        int items = 0;
        for (Varargs entry = t.next(LuaValue.NIL); !entry.arg1().isnil(); entry = t.next(entry.arg1())) {
            LuaValue key = entry.arg1();
            double k = key.type() == LuaValue.TNUMBER ? key.todouble() : 0;
            if (k == 0 || Math.floor(k) != k || k < 1) {
                return -1;
            }
            max = Math.max(max, k);
            items++;
        }
        int m = (int) max;
        if (sparseRatio > 0 && m > (long) items * sparseRatio && m > sparseSafe) {
            if (sparseConvert == 0) {
                throw new LuaError("Cannot serialise table: excessively sparse array");
            }
            return -1;
        }
        return m;
    }

    private void appendNumber(double d, ByteArrayOutputStream json) {
        boolean invalid = Double.isNaN(d) || Double.isInfinite(d);
        if (encodeInvalidNumbers == 0 && invalid) {
            throw new LuaError("Cannot serialise number: must not be NaN or Inf");
        } else if (encodeInvalidNumbers == 1 && Double.isNaN(d)) {
            ascii("nan", json);
        } else if (encodeInvalidNumbers == 2 && invalid) {
            ascii("null", json);
        } else {
            ascii(LuaArgs.formatG(d, precision), json);
        }
    }

    private static void appendString(LuaString s, ByteArrayOutputStream json) {
        json.write('"');
        for (int i = 0; i < s.m_length; i++) {
            int b = s.m_bytes[s.m_offset + i] & 0xff;
            String escape = ESCAPES[b];
            if (escape != null) {
                ascii(escape, json);
            } else {
                json.write(b);
            }
        }
        json.write('"');
    }

    private static void ascii(String text, ByteArrayOutputStream json) {
        for (int i = 0; i < text.length(); i++) {
            json.write(text.charAt(i));
        }
    }

    // ---- decoding ----

    private Varargs decode(Varargs a) {
        if (a.narg() != 1) {
            throw LuaArgs.argError(1, "decode", "expected 1 argument");
        }
        byte[] data = LuaArgs.bytes(LuaArgs.string(a, 1, "decode"));
        if (data.length >= 2 && (data[0] == 0 || data[1] == 0)) {
            throw new LuaError("JSON parser does not support UTF-16 or UTF-32");
        }
        Parser p = new Parser(data);
        p.next();
        LuaValue value;
        try {
            value = p.value();
        } catch (StackOverflowError e) { // deeper than the shard thread's stack holds, before cjson's limits
            throw new LuaError("Found too many nested data structures (" + p.depth + ") at character " + p.at);
        }
        p.next();
        if (p.type != Token.END) {
            throw p.error("the end");
        }
        return value;
    }

    /** One decode: the input, where it is, and the last token read. */
    private final class Parser {
        private final byte[] data;
        private int at;
        private int depth;
        /** The Lua stack slots cjson's decode would hold now: its argument, then each open array's table, each open object's table and key. */
        private int slots = 1;
        private Token type;
        private int index;
        private LuaValue value;
        private String error;

        Parser(byte[] data) {
            this.data = data;
        }

        /** The byte at {@code i}; 0 past the end (cjson reads a C string). */
        private int peek(int i) {
            return i < data.length ? data[i] & 0xff : 0;
        }

        private void fail(String message) {
            type = Token.ERROR;
            index = at;
            error = message;
        }

        LuaError error(String expected) {
            String found = type == Token.ERROR ? error : "T_" + type.name();
            return new LuaError("Expected " + expected + " but found " + found + " at character " + (index + 1));
        }

        void next() {
            int c = peek(at);
            while (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                c = peek(++at);
            }
            index = at;
            switch (c) {
                case '{' -> single(Token.OBJ_BEGIN);
                case '}' -> single(Token.OBJ_END);
                case '[' -> single(Token.ARR_BEGIN);
                case ']' -> single(Token.ARR_END);
                case ',' -> single(Token.COMMA);
                case ':' -> single(Token.COLON);
                case 0 -> type = Token.END;
                case '"' -> string();
                default -> {
                    if (c == '-' || c >= '0' && c <= '9') {
                        if (decodeInvalidNumbers == 0 && invalidNumber()) {
                            fail("invalid number");
                        } else {
                            number();
                        }
                    } else if (c != 'f' && c != 'i' && c != 'I' && c != 'n' && c != 'N' && c != 't' && c != '+') {
                        fail("invalid token");
                    } else if (startsWith("true")) {
                        word(Token.BOOLEAN, LuaValue.TRUE, 4);
                    } else if (startsWith("false")) {
                        word(Token.BOOLEAN, LuaValue.FALSE, 5);
                    } else if (startsWith("null")) {
                        word(Token.NULL, NULL, 4);
                    } else if (decodeInvalidNumbers != 0 && invalidNumber()) {
                        number();
                    } else {
                        fail("invalid token");
                    }
                }
            }
        }

        private void single(Token t) {
            type = t;
            at++;
        }

        private void word(Token t, LuaValue v, int length) {
            type = t;
            value = v;
            at += length;
        }

        private boolean startsWith(String word) {
            for (int i = 0; i < word.length(); i++) {
                if (peek(at + i) != word.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private boolean startsWithIgnoringCase(int from, String word) {
            for (int i = 0; i < word.length(); i++) {
                if (Character.toLowerCase(peek(from + i)) != word.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        /** json_is_invalid_number: what strtod reads but strict JSON refuses (+1, 0x1f, 01, inf, nan). */
        private boolean invalidNumber() {
            int p = at;
            if (peek(p) == '+') {
                return true;
            }
            if (peek(p) == '-') {
                p++;
            }
            if (peek(p) == '0') {
                int c2 = peek(p + 1);
                return (c2 | 0x20) == 'x' || c2 >= '0' && c2 <= '9';
            } else if (peek(p) <= '9') {
                return false;
            }
            return startsWithIgnoringCase(p, "inf") || startsWithIgnoringCase(p, "nan");
        }

        private void number() {
            int end = strtod(at);
            if (end == at) {
                fail("invalid number");
                return;
            }
            type = Token.NUMBER;
            at = end;
        }

        /**
         * C's strtod from {@code from}: the end of what it read (from itself when nothing), the number in
         * {@link #value}. Reads a sign, then inf, infinity, nan, a hexadecimal 0x number or a decimal one.
         */
        private int strtod(int from) {
            int p = from;
            boolean negative = peek(p) == '-';
            if (peek(p) == '-' || peek(p) == '+') {
                p++;
            }
            double sign = negative ? -1 : 1;
            if (startsWithIgnoringCase(p, "inf")) {
                value = LuaValue.valueOf(sign * Double.POSITIVE_INFINITY);
                return p + (startsWithIgnoringCase(p, "infinity") ? 8 : 3);
            }
            if (startsWithIgnoringCase(p, "nan")) {
                value = LuaValue.valueOf(Double.NaN);
                p += 3;
                if (peek(p) == '(') {
                    int q = p + 1;
                    while (Character.isLetterOrDigit(peek(q)) || peek(q) == '_') {
                        q++;
                    }
                    if (peek(q) == ')') {
                        p = q + 1;
                    }
                }
                return p;
            }
            if (peek(p) == '0' && (peek(p + 1) | 0x20) == 'x' && (Character.digit(peek(p + 2), 16) >= 0
                    || peek(p + 2) == '.' && Character.digit(peek(p + 3), 16) >= 0)) {
                return hexadecimal(p + 2, sign);
            }
            int digits = p;
            while (Character.isDigit(peek(p))) {
                p++;
            }
            int count = p - digits;
            if (peek(p) == '.') {
                int q = p + 1;
                while (Character.isDigit(peek(q))) {
                    q++;
                }
                count += q - p - 1;
                p = q;
            }
            if (count == 0) {
                return from;
            }
            if ((peek(p) | 0x20) == 'e') {
                int q = p + 1;
                if (peek(q) == '+' || peek(q) == '-') {
                    q++;
                }
                if (Character.isDigit(peek(q))) {
                    while (Character.isDigit(peek(q))) {
                        q++;
                    }
                    p = q;
                }
            }
            String text = new String(data, from, p - from, java.nio.charset.StandardCharsets.US_ASCII);
            value = LuaValue.valueOf(Double.parseDouble(text.startsWith("+") ? text.substring(1) : text));
            return p;
        }

        private int hexadecimal(int p, double sign) {
            java.math.BigInteger mantissa = java.math.BigInteger.ZERO;
            int exponent = 0;
            for (int d; (d = Character.digit(peek(p), 16)) >= 0; p++) {
                mantissa = mantissa.shiftLeft(4).add(java.math.BigInteger.valueOf(d));
            }
            if (peek(p) == '.') {
                p++;
                for (int d; (d = Character.digit(peek(p), 16)) >= 0; p++) {
                    mantissa = mantissa.shiftLeft(4).add(java.math.BigInteger.valueOf(d));
                    exponent -= 4;
                }
            }
            if ((peek(p) | 0x20) == 'p') {
                int q = p + 1;
                boolean negative = peek(q) == '-';
                if (peek(q) == '+' || peek(q) == '-') {
                    q++;
                }
                if (Character.isDigit(peek(q))) {
                    int e = 0;
                    while (Character.isDigit(peek(q))) {
                        e = Math.min(100000, e * 10 + peek(q++) - '0');
                    }
                    exponent += negative ? -e : e;
                    p = q;
                }
            }
            java.math.BigDecimal exact = new java.math.BigDecimal(mantissa);
            exact = exponent >= 0 ? exact.multiply(java.math.BigDecimal.valueOf(2).pow(Math.min(exponent, 5000)))
                    : exact.divide(java.math.BigDecimal.valueOf(2).pow(Math.min(-exponent, 5000)));
            value = LuaValue.valueOf(sign * exact.doubleValue());
            return p;
        }

        private void string() {
            at++;
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            int c;
            while ((c = peek(at)) != '"') {
                if (c == 0) {
                    fail("unexpected end of string");
                    return;
                }
                if (c == '\\') {
                    int e = peek(at + 1);
                    int ch = switch (e) {
                        case '"' -> '"';
                        case '\\' -> '\\';
                        case '/' -> '/';
                        case 'b' -> '\b';
                        case 't' -> '\t';
                        case 'n' -> '\n';
                        case 'f' -> '\f';
                        case 'r' -> '\r';
                        case 'u' -> -2;
                        default -> -1;
                    };
                    if (ch == -2) {
                        if (!unicodeEscape(text)) {
                            fail("invalid unicode escape code");
                            return;
                        }
                        continue;
                    }
                    if (ch == -1) {
                        fail("invalid escape code");
                        return;
                    }
                    at++;
                    c = ch;
                }
                text.write(c);
                at++;
            }
            at++;
            type = Token.STRING;
            value = LuaValue.valueOf(text.toByteArray());
        }

        private int hex4(int from) {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(peek(from + i), 16);
                if (d < 0) {
                    return -1;
                }
                v = v << 4 | d;
            }
            return v;
        }

        /** json_append_unicode_escape: \\uXXXX (a surrogate pair as two) to UTF-8; false on a bad one. */
        private boolean unicodeEscape(ByteArrayOutputStream text) {
            int codepoint = hex4(at + 2);
            int length = 6;
            if (codepoint < 0) {
                return false;
            }
            if ((codepoint & 0xF800) == 0xD800) {
                if ((codepoint & 0x400) != 0 || peek(at + 6) != '\\' || peek(at + 7) != 'u') {
                    return false;
                }
                int low = hex4(at + 8);
                if (low < 0 || (low & 0xFC00) != 0xDC00) {
                    return false;
                }
                codepoint = (((codepoint & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
                length = 12;
            }
            if (codepoint <= 0x7F) {
                text.write(codepoint);
            } else if (codepoint <= 0x7FF) {
                text.write(codepoint >> 6 | 0xC0);
                text.write(codepoint & 0x3F | 0x80);
            } else if (codepoint <= 0xFFFF) {
                text.write(codepoint >> 12 | 0xE0);
                text.write(codepoint >> 6 & 0x3F | 0x80);
                text.write(codepoint & 0x3F | 0x80);
            } else {
                text.write(codepoint >> 18 | 0xF0);
                text.write(codepoint >> 12 & 0x3F | 0x80);
                text.write(codepoint >> 6 & 0x3F | 0x80);
                text.write(codepoint & 0x3F | 0x80);
            }
            at += length;
            return true;
        }

        LuaValue value() {
            switch (type) {
                case STRING, NUMBER, BOOLEAN, NULL -> {
                    return value;
                }
                case OBJ_BEGIN -> {
                    descend(3);
                    slots += 2;
                    LuaTable t = new LuaTable();
                    next();
                    if (type == Token.OBJ_END) {
                        ascend(2);
                        return t;
                    }
                    do {
                        if (type != Token.STRING) {
                            throw error("object key string");
                        }
                        LuaValue key = value;
                        next();
                        if (type != Token.COLON) {
                            throw error("colon");
                        }
                        next();
                        t.rawset(key, value());
                    } while (!closed(Token.OBJ_END, 2, "comma or object end"));
                    return t;
                }
                case ARR_BEGIN -> {
                    descend(2);
                    slots += 1;
                    LuaTable t = new LuaTable();
                    next();
                    if (type == Token.ARR_END) {
                        ascend(1);
                        return t;
                    }
                    int i = 1;
                    do {
                        t.rawset(i++, value());
                    } while (!closed(Token.ARR_END, 1, "comma or array end"));
                    return t;
                }
                default -> throw error("value");
            }
        }

        /** After a member: true at the container's {@code end} (left), false past a comma, else cjson's error. */
        private boolean closed(Token end, int held, String expected) {
            next();
            if (type == end) {
                ascend(held);
                return true;
            }
            if (type != Token.COMMA) {
                throw error(expected);
            }
            next();
            return false;
        }

        private void ascend(int held) {
            depth--;
            slots -= held;
        }

        /** json_decode_descend: one level deeper, which needs {@code needed} free stack slots. */
        private void descend(int needed) {
            if (++depth > decodeMaxDepth || slots + needed > MAX_C_STACK) {
                throw new LuaError("Found too many nested data structures (" + depth + ") at character " + at);
            }
        }
    }
}
