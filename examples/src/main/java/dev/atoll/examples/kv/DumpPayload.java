package dev.atoll.examples.kv;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis's DUMP payload: one value in the RDB encoding, then the RDB version (2 bytes) and the CRC-64 of all
 * that ({@link Crc64}, 8 bytes), both little-endian. Atoll writes RDB types every Redis since 2.x loads —
 * {@code STRING} (0), {@code LIST} (1), {@code SET} (2), {@code HASH} (4), {@code ZSET_2} (5, binary scores) —
 * which redis-server 7.0 converts to its compact encodings on RESTORE as it would any loaded value. It reads
 * those and the types redis-server 7.0 writes: {@code SET_INTSET} (11), {@code HASH_LISTPACK} (16),
 * {@code ZSET_LISTPACK} (17), {@code LIST_QUICKLIST_2} (18, packed and plain nodes), strings stored as
 * integers or LZF-compressed. Streams are {@code STREAM_LISTPACKS_2} (19) both ways, and Redis 6's
 * {@code STREAM_LISTPACKS} (15) is read ({@link StreamPayload}). The zipmap and ziplist types of older
 * versions (9, 10, 12, 13, 14) and the text-scored {@code ZSET} (3) are refused as a bad format.
 */
final class DumpPayload {
    /** Redis 7.0's RDB version: a payload of a later one is refused, as Redis refuses it. */
    static final int RDB_VERSION = 10;

    private static final int STRING = 0;
    private static final int LIST = 1;
    private static final int SET = 2;
    private static final int HASH = 4;
    private static final int ZSET_2 = 5;
    private static final int SET_INTSET = 11;
    private static final int HASH_LISTPACK = 16;
    private static final int ZSET_LISTPACK = 17;
    private static final int LIST_QUICKLIST_2 = 18;
    private static final int QUICKLIST_NODE_PLAIN = 1;
    /** The key of a loaded value's holder. */
    private static final byte[] NO_KEY = {};
    private static final int QUICKLIST_NODE_PACKED = 2;
    /** RDB's opcode before a function library's code (7.0 GA), and the one of 7.0's release candidates. */
    private static final int FUNCTION_2 = 245;
    private static final int FUNCTION_PRE_GA = 246;

    /** What a payload holds that is no value Redis would load: RESTORE answers {@code ERR Bad data format}. */
    static final class BadFormat extends Exception {
        BadFormat(String why) {
            super(why, null, false, false);
        }
    }

    private DumpPayload() {
    }

    // ---- writing ----

    /** The payload of {@code e}'s value; {@code compress}: Redis's {@code rdbcompression}, which DUMP follows too. */
    static byte[] dump(KeyTable.Entry e, boolean compress) {
        RdbBuffer out = new RdbBuffer(e.isString() ? e.length + 16 : 64, compress);
        write(out, e, false);
        return footed(out);
    }

    /**
     * FUNCTION DUMP's payload: each library's code after the RDB function opcode (Redis 7.0's
     * {@code RDB_OPCODE_FUNCTION2}), then the footer. A code is written as Redis's rdbSaveRawString
     * writes it: LZF-compressed ({@link Lzf}) when longer than 20 bytes and shorter by more than 4
     * compressed, else plain.
     */
    static byte[] functions(List<String> codes) {
        RdbBuffer out = new RdbBuffer(256, true);
        for (String code : codes) {
            out.write(FUNCTION_2);
            string(out, code.getBytes(StandardCharsets.UTF_8));
        }
        return footed(out);
    }

    /** {@code out}'s bytes, then the RDB version and the CRC-64 of all before it. */
    private static byte[] footed(ByteArrayOutputStream out) {
        out.write(RDB_VERSION);
        out.write(RDB_VERSION >>> 8);
        byte[] body = out.toByteArray();
        long crc = Crc64.update(0, body, 0, body.length);
        byte[] payload = java.util.Arrays.copyOf(body, body.length + 8);
        for (int k = 0; k < 8; k++) {
            payload[body.length + k] = (byte) (crc >>> (8 * k));
        }
        return payload;
    }

    /**
     * {@code e}'s RDB type, its key when {@code withKey} (an RDB file's key-value pair; a DUMP payload has none),
     * then its value's encoding.
     */
    static void write(RdbBuffer out, KeyTable.Entry e, boolean withKey) {
        if (e.isString()) {
            out.write(STRING);
            key(out, e, withKey);
            string(out, e.valueArray(), e.valueOffset(), e.length);
        } else if (Hashes.isHash(e)) {
            out.write(HASH);
            key(out, e, withKey);
            length(out, Hashes.size(e));
            Hashes.forEachRange(e, (f, fo, fl, v, vo, vl) -> {
                string(out, f, fo, fl);
                string(out, v, vo, vl);
            });
        } else {
            switch (e.aggregate()) {
                case ListValue list -> {
                    out.write(LIST);
                    key(out, e, withKey);
                    length(out, list.size());
                    for (int i = 0; i < list.size(); i++) {
                        string(out, list.get(i));
                    }
                }
                case SetValue set -> {
                    out.write(SET);
                    key(out, e, withKey);
                    length(out, set.size());
                    set.forEach(member -> string(out, member));
                }
                case ZSetValue zset -> {
                    out.write(ZSET_2);
                    key(out, e, withKey);
                    length(out, zset.size());
                    zset.forEach((member, score) -> {
                        string(out, member);
                        score(out, score);
                    });
                }
                case StreamValue stream -> {
                    out.write(StreamPayload.STREAM_LISTPACKS_2);
                    key(out, e, withKey);
                    StreamPayload.write(out, stream);
                }
                default -> throw new IllegalStateException("no RDB encoding for " + e.type());
            }
        }
    }

    /** A sorted set's score as RDB's ZSET_2 keeps it: the double's 8 bytes, little-endian. */
    private static void score(RdbBuffer out, double score) {
        littleEndian(out, Double.doubleToRawLongBits(score), 8);
    }

    /**
     * The start of a large hash's, set's, sorted set's, list's or stream's pair in an RDB file, which {@link #element}
     * (a stream: {@link StreamSnapshot}) then writes {@code count} elements (nodes) of, as {@link #write} writes the
     * whole: its type, key and element count.
     */
    static void pairStart(RdbBuffer out, Aggregate value, byte[] key, long count) {
        out.write(switch (value) {
            case HashValue h -> HASH;
            case SetValue s -> SET;
            case ZSetValue z -> ZSET_2;
            case ListValue l -> LIST;
            case StreamValue st -> StreamPayload.STREAM_LISTPACKS_2;
            default -> throw new IllegalStateException("no RDB encoding in pieces for " + value.type());
        });
        string(out, key);
        length(out, count);
    }

    /** One element of {@code value}'s {@link Aggregate#elementTable} as its pair holds it (a hash's field and value, a member, a member and score). */
    static void element(RdbBuffer out, Aggregate value, KeyTable.Entry element) {
        string(out, element.data, 0, element.keyLength());
        switch (value) {
            case HashValue h -> string(out, element.valueArray(), element.valueOffset(), element.length);
            case ZSetValue z -> score(out, ZSetValue.score(element));
            default -> { } // a set's member has no value
        }
    }

    private static void key(RdbBuffer out, KeyTable.Entry e, boolean withKey) {
        if (withKey) {
            string(out, e.data, 0, e.keyLength());
        }
    }

    /** The low {@code width} bytes of {@code value}, least significant first. */
    static void littleEndian(ByteArrayOutputStream out, long value, int width) {
        for (int k = 0; k < width; k++) {
            out.write((int) (value >>> (8 * k)));
        }
    }

    static void string(RdbBuffer out, byte[] bytes) {
        string(out, bytes, 0, bytes.length);
    }

    /**
     * A string as Redis's rdbSaveRawString writes one: up to 11 bytes that are an integer's canonical text in
     * 32 bits as that integer (8, 16 or 32 bits); over 20 bytes LZF-compressed ({@link Lzf}) when that saves more
     * than 4 bytes; else its length and bytes.
     */
    static void string(RdbBuffer out, byte[] bytes, int offset, int length) {
        if (length <= 11 && integer(out, bytes, offset, length)) {
            return;
        }
        if (length > 20 && out.compress) {
            byte[] compressed = new byte[length - 4 + 1];
            int compressedLength = Lzf.compress(bytes, offset, length, compressed, length - 4);
            if (compressedLength > 0) {
                out.write(0xc0 | 3); // RDB_ENCVAL, RDB_ENC_LZF
                length(out, compressedLength);
                length(out, length);
                out.write(compressed, 0, compressedLength);
                return;
            }
        }
        length(out, length);
        out.write(bytes, offset, length);
    }

    /** Writes {@code b[offset, offset + length)} as RDB's integer encoding if it is the canonical text of a 32-bit integer. */
    private static boolean integer(ByteArrayOutputStream out, byte[] b, int offset, int length) {
        if (length == 0 || length > 11) {
            return false;
        }
        int i = offset;
        int end = offset + length;
        boolean negative = b[i] == '-';
        if (negative && ++i == end) {
            return false;
        }
        if (b[i] == '0' && (end - i > 1 || negative)) {
            return false; // "007", "-0": not what the integer prints back
        }
        long value = 0;
        for (; i < end; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return false;
            }
            value = value * 10 + (b[i] - '0');
        }
        value = negative ? -value : value;
        if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) {
            out.write(0xc0); // RDB_ENC_INT8
            littleEndian(out, value, 1);
        } else if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
            out.write(0xc1); // RDB_ENC_INT16
            littleEndian(out, value, 2);
        } else if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            out.write(0xc2); // RDB_ENC_INT32
            littleEndian(out, value, 4);
        } else {
            return false;
        }
        return true;
    }

    /** RDB's length: 6 bits, 14 bits, 0x80 and 32 bits, or 0x81 and 64 bits (a negative count as Redis's cast), big-endian. */
    static void length(ByteArrayOutputStream out, long length) {
        if (length >= 0 && length < 1 << 6) {
            out.write((int) length);
        } else if (length >= 0 && length < 1 << 14) {
            out.write(0x40 | (int) (length >>> 8));
            out.write((int) length);
        } else if (length >= 0 && length <= 0xffffffffL) {
            out.write(0x80);
            for (int k = 3; k >= 0; k--) {
                out.write((int) (length >>> (8 * k)));
            }
        } else {
            out.write(0x81);
            for (int k = 7; k >= 0; k--) {
                out.write((int) (length >>> (8 * k)));
            }
        }
    }

    // ---- reading ----

    /** Whether the payload's footer holds an RDB version Redis 7.0 reads and the CRC of the rest. */
    static boolean verify(byte[] b, int offset, int length) {
        if (length < 10) {
            return false;
        }
        int footer = offset + length - 10;
        int version = (b[footer] & 0xff) | (b[footer + 1] & 0xff) << 8;
        if (version > RDB_VERSION) {
            return false;
        }
        long crc = 0;
        for (int k = 7; k >= 0; k--) {
            crc = crc << 8 | (b[footer + 2 + k] & 0xff);
        }
        return Crc64.update(0, b, offset, length - 8) == crc;
    }

    /**
     * The codes of the libraries in a FUNCTION DUMP payload, or FUNCTION RESTORE's error (Redis's texts,
     * without the {@code ERR }) as a {@link BadFormat}. As Redis, it reads records until the 10 bytes of
     * the footer are left.
     */
    static List<String> functionCodes(byte[] b, int offset, int length) throws BadFormat {
        if (!verify(b, offset, length)) {
            throw new BadFormat("DUMP payload version or checksum are wrong");
        }
        ArrayReader in = new ArrayReader(b, offset, offset + length);
        List<String> codes = new ArrayList<>();
        while (offset + length - in.at > 10) {
            int type = in.u8();
            if (type == FUNCTION_PRE_GA) {
                codes.add(preGa(in));
            } else if (type == FUNCTION_2) {
                codes.add(new String(in.string("Failed loading library payload"), StandardCharsets.UTF_8));
            } else {
                throw new BadFormat("given type is not a function");
            }
        }
        return codes;
    }

    /**
     * A library as Redis 7.0's release candidates wrote it (name, engine, optional description, code),
     * as the code with its shebang Redis 7.0 makes of it.
     */
    private static String preGa(Reader in) throws BadFormat {
        String name = new String(in.string("Failed loading library name"), StandardCharsets.UTF_8);
        String engine = new String(in.string("Failed loading engine name"), StandardCharsets.UTF_8);
        long hasDescription;
        try {
            hasDescription = in.length();
        } catch (BadFormat e) {
            throw new BadFormat("Failed loading library description indicator");
        }
        if (hasDescription != 0) {
            in.string("Failed loading library description");
        }
        String code = new String(in.string("Failed loading library blob"), StandardCharsets.UTF_8);
        return "#!" + engine + " name=" + name + "\n" + code;
    }

    /** The value of a {@link #verify verified} payload, held by a key of no name in no table (RESTORE's key takes it). */
    static KeyTable.Entry load(byte[] b, int offset, int length, Request scratch) throws BadFormat {
        Reader in = new ArrayReader(b, offset, offset + length - 10);
        return value(in.u8(), in, scratch);
    }

    /** The value of RDB type {@code type} that {@code in} holds next, held by a key of no name in no table. */
    static KeyTable.Entry value(int type, Reader in, Request scratch) throws BadFormat {
        return switch (type) {
            case STRING -> new KeyTable.Entry(NO_KEY, in.string());
            case LIST -> {
                ListValue list = new ListValue();
                for (long n = in.count(); n > 0; n--) {
                    list.push(false, in.string());
                }
                yield held(list);
            }
            case LIST_QUICKLIST_2 -> {
                ListValue list = new ListValue();
                for (long nodes = in.count(); nodes > 0; nodes--) {
                    long container = in.length();
                    byte[] node = in.string();
                    if (container == QUICKLIST_NODE_PLAIN) {
                        list.push(false, node);
                    } else if (container == QUICKLIST_NODE_PACKED) {
                        for (byte[] element : listpack(node)) {
                            list.push(false, element);
                        }
                    } else {
                        throw new BadFormat("quicklist node container " + container);
                    }
                }
                if (list.size() == 0) {
                    throw new BadFormat("an empty list");
                }
                yield held(list);
            }
            case SET -> {
                SetValue set = new SetValue();
                for (long n = in.count(); n > 0; n--) {
                    byte[] member = in.string();
                    if (!set.add(member, 0, member.length, scratch)) {
                        throw new BadFormat("a member twice");
                    }
                }
                yield held(set);
            }
            case SET_INTSET -> held(intset(in.string()));
            case HASH -> {
                KeyTable.Entry hash = HashListpack.detached();   // a listpack unless too large, as Redis loads it
                for (long n = in.count(); n > 0; n--) {
                    if (!Hashes.put(null, hash, in.string(), in.string())) {
                        throw new BadFormat("a field twice");
                    }
                }
                yield hash;
            }
            case HASH_LISTPACK -> {
                List<byte[]> entries = pairs(listpack(in.string()));
                KeyTable.Entry hash = HashListpack.detached();
                for (int i = 0; i < entries.size(); i += 2) {
                    if (!Hashes.put(null, hash, entries.get(i), entries.get(i + 1))) {
                        throw new BadFormat("a field twice");
                    }
                }
                yield hash;
            }
            case ZSET_2 -> {
                long n = in.count();
                List<byte[]> members = new ArrayList<>();
                List<Double> scores = new ArrayList<>();
                for (; n > 0; n--) {
                    members.add(in.string());
                    double score = Double.longBitsToDouble(in.littleEndian(8));
                    if (Double.isNaN(score)) {
                        throw new BadFormat("a NaN score");
                    }
                    scores.add(score);
                }
                yield held(zset(members, scores));
            }
            case ZSET_LISTPACK -> {
                List<byte[]> entries = pairs(listpack(in.string()));
                List<byte[]> members = new ArrayList<>();
                List<Double> scores = new ArrayList<>();
                for (int i = 0; i < entries.size(); i += 2) {
                    members.add(entries.get(i));
                    scores.add(score(entries.get(i + 1)));
                }
                yield held(zset(members, scores));
            }
            case StreamPayload.STREAM_LISTPACKS, StreamPayload.STREAM_LISTPACKS_2 -> held(StreamPayload.read(type, in, scratch));
            default -> throw new BadFormat("RDB type " + type);
        };
    }

    /** {@code value} held by a key of no name in no table. */
    private static KeyTable.Entry held(Aggregate value) {
        return new KeyTable.Entry(NO_KEY, value);
    }

    private static ZSetValue zset(List<byte[]> members, List<Double> scores) throws BadFormat {
        int longest = 0;
        for (byte[] member : members) {
            longest = Math.max(longest, member.length);
        }
        ZSetValue zset = ZSetValue.forResult(members.size(), longest);
        for (int i = 0; i < members.size(); i++) {
            if (!zset.put(members.get(i), scores.get(i))) {
                throw new BadFormat("a member twice");
            }
        }
        return zset;
    }

    /** A listpack zset's score: an integer entry, or the text Redis's d2string wrote. */
    private static double score(byte[] text) throws BadFormat {
        String s = new String(text, StandardCharsets.US_ASCII);
        try {
            return switch (s) {
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(s);
            };
        } catch (NumberFormatException e) {
            throw new BadFormat("a score " + s);
        }
    }

    private static List<byte[]> pairs(List<byte[]> entries) throws BadFormat {
        if (entries.isEmpty() || entries.size() % 2 != 0) {
            throw new BadFormat("a listpack of " + entries.size() + " entries where pairs are expected");
        }
        return entries;
    }

    /** An intset: its width (2, 4 or 8 bytes), its length, then its integers, little-endian. */
    private static SetValue intset(byte[] blob) throws BadFormat {
        Reader in = new ArrayReader(blob, 0, blob.length);
        int width = (int) in.littleEndian(4);
        long n = in.littleEndian(4) & 0xffffffffL;
        if (width != 2 && width != 4 && width != 8 || n == 0 || n * width != blob.length - 8) {
            throw new BadFormat("an intset of width " + width + " and length " + n);
        }
        SetValue set = new SetValue();
        for (long i = 0; i < n; i++) {
            long value = in.littleEndian(width);
            long shift = 64 - 8L * width;
            if (!set.add(value << shift >> shift)) {
                throw new BadFormat("an integer twice");
            }
        }
        return set;
    }

    /** The entries of a listpack (integers as their decimal text). */
    static List<byte[]> listpack(byte[] lp) throws BadFormat {
        if (lp.length < 7 || (lp[lp.length - 1] & 0xff) != 0xff) {
            throw new BadFormat("a listpack without its end");
        }
        List<byte[]> entries = new ArrayList<>();
        int at = 6; // total bytes (4), number of elements (2)
        int end = lp.length - 1;
        while (at < end) {
            int b = lp[at] & 0xff;
            int header;
            int strLength = -1;
            long value = 0;
            if ((b & 0x80) == 0) { // 7-bit unsigned integer
                header = 1;
                value = b;
            } else if ((b & 0xc0) == 0x80) { // string of up to 63 bytes
                header = 1;
                strLength = b & 0x3f;
            } else if ((b & 0xe0) == 0xc0) { // 13-bit signed integer
                header = 2;
                value = ((b & 0x1f) << 8 | byteAt(lp, at + 1, end)) << 51 >> 51;
            } else if ((b & 0xf0) == 0xe0) { // string of up to 4095 bytes
                header = 2;
                strLength = (b & 0x0f) << 8 | byteAt(lp, at + 1, end);
            } else {
                int width = switch (b) {
                    case 0xf0 -> 4; // a string's 32-bit length
                    case 0xf1 -> 2;
                    case 0xf2 -> 3;
                    case 0xf3 -> 4;
                    case 0xf4 -> 8;
                    default -> throw new BadFormat("listpack entry encoding " + b);
                };
                header = 1 + width;
                if (at + header > end) {
                    throw new BadFormat("a listpack entry past the end");
                }
                long raw = 0;
                for (int k = width - 1; k >= 0; k--) {
                    raw = raw << 8 | (lp[at + 1 + k] & 0xff);
                }
                if (b == 0xf0) {
                    if (raw > Integer.MAX_VALUE) {
                        throw new BadFormat("a listpack string of " + raw + " bytes");
                    }
                    strLength = (int) raw;
                } else {
                    value = raw << (64 - 8 * width) >> (64 - 8 * width);
                }
            }
            int entryLength = header + Math.max(strLength, 0);
            if ((long) at + entryLength > end) {
                throw new BadFormat("a listpack entry past the end");
            }
            entries.add(strLength >= 0 ? java.util.Arrays.copyOfRange(lp, at + header, at + entryLength)
                    : Long.toString(value).getBytes(StandardCharsets.US_ASCII));
            at += entryLength + backLength(entryLength);
        }
        if (at != end) {
            throw new BadFormat("a listpack entry past the end");
        }
        return entries;
    }

    private static int byteAt(byte[] b, int at, int end) throws BadFormat {
        if (at >= end) {
            throw new BadFormat("a listpack entry past the end");
        }
        return b[at] & 0xff;
    }

    /** How many bytes a listpack entry's back length takes after an entry of {@code length} bytes. */
    private static int backLength(int length) {
        return length <= 127 ? 1 : length < 16383 ? 2 : length < 2097151 ? 3 : length < 268435455 ? 4 : 5;
    }

    /** Reads RDB's lengths and strings from what {@link #u8} and {@link #bytes} take from. */
    abstract static class Reader {
        /** Whether the last {@link #length} was a special encoding (an integer or LZF string), not a length. */
        private boolean encoded;

        /** The next byte. */
        abstract int u8() throws BadFormat;

        /** The next {@code length} bytes. */
        abstract byte[] bytes(long length) throws BadFormat;

        long littleEndian(int width) throws BadFormat {
            long v = 0;
            for (int k = 0; k < width; k++) {
                v |= (long) u8() << (8 * k);
            }
            return v;
        }

        long length() throws BadFormat {
            int first = u8();
            encoded = false;
            switch (first >>> 6) {
                case 0:
                    return first & 0x3f;
                case 1:
                    return (first & 0x3f) << 8 | u8();
                case 2:
                    if (first != 0x80 && first != 0x81) {
                        throw new BadFormat("length encoding " + first);
                    }
                    long v = 0;
                    for (int k = first == 0x80 ? 4 : 8; k > 0; k--) {
                        v = v << 8 | u8();
                    }
                    return v;
                default:
                    encoded = true;
                    return first & 0x3f;
            }
        }

        /** A count of elements: no special encoding, more than 0 (Redis refuses an empty aggregate). */
        long count() throws BadFormat {
            long n = length();
            if (encoded || n <= 0 || n > Integer.MAX_VALUE) {
                throw new BadFormat("a count of " + n);
            }
            return n;
        }

        /** {@link #string()}, or a BadFormat of {@code error} when it cannot be read. */
        byte[] string(String error) throws BadFormat {
            try {
                return string();
            } catch (BadFormat e) {
                throw new BadFormat(error);
            }
        }

        byte[] string() throws BadFormat {
            long length = length();
            if (encoded) {
                return switch ((int) length) {
                    case 0 -> Long.toString((byte) littleEndian(1)).getBytes(StandardCharsets.US_ASCII);
                    case 1 -> Long.toString((short) littleEndian(2)).getBytes(StandardCharsets.US_ASCII);
                    case 2 -> Long.toString((int) littleEndian(4)).getBytes(StandardCharsets.US_ASCII);
                    case 3 -> lzf();
                    default -> throw new BadFormat("string encoding " + length);
                };
            }
            return bytes(length);
        }

        /** An LZF-compressed string: its compressed and original lengths, then liblzf's format. */
        private byte[] lzf() throws BadFormat {
            long compressed = length();
            long original = length();
            if (original > Integer.MAX_VALUE - 8) {
                throw new BadFormat("an LZF string of " + original + " bytes");
            }
            byte[] in = bytes(compressed);
            byte[] out = new byte[(int) original];
            int ip = 0;
            int op = 0;
            try {
                while (ip < in.length) {
                    int ctrl = in[ip++] & 0xff;
                    if (ctrl < 32) { // a literal run of ctrl + 1 bytes
                        System.arraycopy(in, ip, out, op, ctrl + 1);
                        ip += ctrl + 1;
                        op += ctrl + 1;
                    } else { // a back reference
                        int len = ctrl >>> 5;
                        int ref = op - ((ctrl & 0x1f) << 8) - 1;
                        if (len == 7) {
                            len += in[ip++] & 0xff;
                        }
                        ref -= in[ip++] & 0xff;
                        len += 2;
                        if (ref < 0) {
                            throw new BadFormat("an LZF reference before the start");
                        }
                        for (int k = 0; k < len; k++) {
                            out[op++] = out[ref++];
                        }
                    }
                }
            } catch (IndexOutOfBoundsException e) {
                throw new BadFormat("an LZF string past its bounds");
            }
            if (op != out.length) {
                throw new BadFormat("an LZF string of " + op + " bytes, not " + out.length);
            }
            return out;
        }
    }

    /** A {@link Reader} of {@code b[at, end)}. */
    private static final class ArrayReader extends Reader {
        private final byte[] b;
        private int at;
        private final int end;

        ArrayReader(byte[] b, int at, int end) {
            this.b = b;
            this.at = at;
            this.end = end;
        }

        @Override
        int u8() throws BadFormat {
            if (at >= end) {
                throw new BadFormat("the payload ends early");
            }
            return b[at++] & 0xff;
        }

        @Override
        byte[] bytes(long length) throws BadFormat {
            if (length > end - at) {
                throw new BadFormat("a string past the end");
            }
            byte[] s = java.util.Arrays.copyOfRange(b, at, at + (int) length);
            at += (int) length;
            return s;
        }
    }
}
