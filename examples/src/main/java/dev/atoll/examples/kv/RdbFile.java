package dev.atoll.examples.kv;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Redis 7.0's RDB file (version 10): {@code REDIS0010}, aux fields, {@code SELECTDB 0}, {@code RESIZEDB}, the
 * key-value pairs (each maybe after {@code EXPIRETIME_MS}; values in {@link DumpPayload}'s encoding), {@code EOF}
 * and the CRC-64 of everything before it, little-endian. Writes the header and the end of a file
 * ({@link RdbSave} writes the pairs between them) and loads one a redis-server or Atoll wrote.
 */
final class RdbFile {
    static final int OPCODE_FUNCTION2 = 245;
    static final int OPCODE_FUNCTION_PRE_GA = 246;
    static final int OPCODE_MODULE_AUX = 247;
    static final int OPCODE_IDLE = 248;
    static final int OPCODE_FREQ = 249;
    static final int OPCODE_AUX = 250;
    static final int OPCODE_RESIZEDB = 251;
    static final int OPCODE_EXPIRETIME_MS = 252;
    static final int OPCODE_EXPIRETIME = 253;
    static final int OPCODE_SELECTDB = 254;
    static final int OPCODE_EOF = 255;
    /** The version of redis-server whose files these are, which its aux field names. */
    static final String REDIS_VERSION = "7.0.15";

    private RdbFile() {
    }

    /**
     * The start of a file: magic and version, the aux fields redis-server 7.0 writes (redis-ver, redis-bits,
     * ctime, used-mem, aof-base), the function libraries ({@code FUNCTION2}: each library's code), and unless the database is empty, {@code SELECTDB 0} and {@code RESIZEDB}.
     */
    static byte[] header(long keys, long expires, long usedMemory, long nowMillis, Iterable<String> libraries,
                         boolean compress) {
        RdbBuffer out = new RdbBuffer(128, compress);
        out.writeBytes(("REDIS" + String.format("%04d", DumpPayload.RDB_VERSION)).getBytes(StandardCharsets.US_ASCII));
        aux(out, "redis-ver", REDIS_VERSION);
        aux(out, "redis-bits", 64);
        aux(out, "ctime", nowMillis / 1000);
        aux(out, "used-mem", usedMemory);
        aux(out, "aof-base", 0);
        for (String code : libraries) { // as redis-server 7.0 writes its function libraries: before the keys
            out.write(OPCODE_FUNCTION2);
            DumpPayload.string(out, code.getBytes(StandardCharsets.UTF_8));
        }
        if (keys > 0) {
            out.write(OPCODE_SELECTDB);
            DumpPayload.length(out, 0);
            out.write(OPCODE_RESIZEDB);
            DumpPayload.length(out, (int) Math.min(keys, Integer.MAX_VALUE));
            DumpPayload.length(out, (int) Math.min(expires, Integer.MAX_VALUE));
        }
        return out.toByteArray();
    }

    private static void aux(RdbBuffer out, String name, String value) {
        out.write(OPCODE_AUX);
        DumpPayload.string(out, name.getBytes(StandardCharsets.US_ASCII));
        DumpPayload.string(out, value.getBytes(StandardCharsets.US_ASCII));
    }

    /** An aux field whose value is an integer: as Redis writes it, in RDB's integer encoding when it fits 32 bits. */
    private static void aux(RdbBuffer out, String name, long value) {
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            aux(out, name, Long.toString(value));
            return;
        }
        out.write(OPCODE_AUX);
        DumpPayload.string(out, name.getBytes(StandardCharsets.US_ASCII));
        if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) {
            out.write(0xc0);
            DumpPayload.littleEndian(out, value, 1);
        } else if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
            out.write(0xc1);
            DumpPayload.littleEndian(out, value, 2);
        } else {
            out.write(0xc2);
            DumpPayload.littleEndian(out, value, 4);
        }
    }

    /** One key-value pair as a file holds it: its expiry (if any, {@code EXPIRETIME_MS}), type, key and value. */
    static void writePair(RdbBuffer out, KeyTable.Entry e, long expireAt) {
        expiry(out, expireAt);
        DumpPayload.write(out, e, true);
    }

    /** A pair's expiry ({@code EXPIRETIME_MS}), if it has one ({@code expireAt} not 0). */
    static void expiry(RdbBuffer out, long expireAt) {
        if (expireAt != 0) {
            out.write(OPCODE_EXPIRETIME_MS);
            DumpPayload.littleEndian(out, expireAt, 8);
        }
    }

    /** A file that does not load: the message names the file, the offset and what was found there. */
    static final class Corrupt extends IOException {
        Corrupt(Path file, long offset, String what) {
            super(file + ": " + what + " at offset " + offset + " (nothing was loaded; fix or remove the file)");
        }
    }

    /**
     * What a file held: each shard's keys, the code of each function library, and how many keys it had (put in
     * the tables) and left out (already expired).
     */
    record Loaded(KeyTable[] tables, List<String> libraries, long keysLoaded, long keysExpired) { }

    /**
     * Loads {@code file} into one table per shard of {@code shards} (each key to the owner of its slot), or throws
     * {@link Corrupt} naming the file and offset: nothing is handed over unless the whole file, its checksum
     * included, is good. Keys already expired are left out, as a Redis master loads them.
     */
    static Loaded load(Path file, int shards) throws IOException {
        KeyTable[] tables = new KeyTable[shards];
        Arrays.setAll(tables, i -> new KeyTable());
        long now = System.currentTimeMillis();
        Request scratch = new Request();
        List<String> libraries = new ArrayList<>();
        long loaded = 0;
        long expired = 0;
        try (InputStream raw = Files.newInputStream(file)) {
            FileReader in = new FileReader(raw, Files.size(file));
            try {
                byte[] magic = in.bytes(9);
                String head = new String(magic, StandardCharsets.US_ASCII);
                if (!head.startsWith("REDIS") || !head.substring(5).chars().allMatch(Character::isDigit)) {
                    throw new Corrupt(file, 0, "no RDB header (found \"" + printable(magic) + "\")");
                }
                int version = Integer.parseInt(head.substring(5));
                if (version < 1 || version > DumpPayload.RDB_VERSION) {
                    throw new Corrupt(file, 5, "RDB version " + version + ", which Redis 7.0 (version "
                            + DumpPayload.RDB_VERSION + ") does not read");
                }
                long expireAt = 0;
                while (true) {
                    long at = in.offset;
                    int type = in.u8();
                    switch (type) {
                        case OPCODE_EOF -> {
                            long crc = in.crc;
                            long stored = in.littleEndian(8);
                            if (version >= 5 && stored != 0 && stored != crc) {
                                throw new Corrupt(file, at + 1, String.format(
                                        "a wrong checksum (the file says %016x, its bytes give %016x)", stored, crc));
                            }
                            return new Loaded(tables, libraries, loaded, expired);
                        }
                        case OPCODE_AUX -> {
                            in.string();
                            in.string();
                        }
                        case OPCODE_SELECTDB -> {
                            long db = in.length();
                            if (db != 0) {
                                throw new Corrupt(file, at, "keys of database " + db
                                        + ", where Atoll has one database (0)");
                            }
                        }
                        case OPCODE_RESIZEDB -> {
                            in.length();
                            in.length();
                        }
                        case OPCODE_EXPIRETIME_MS -> expireAt = in.littleEndian(8);
                        case OPCODE_EXPIRETIME -> expireAt = in.littleEndian(4) * 1000;
                        case OPCODE_FREQ -> in.u8();
                        case OPCODE_IDLE -> in.length();
                        case OPCODE_FUNCTION2 -> libraries.add(new String(in.string(), StandardCharsets.UTF_8));
                        case OPCODE_FUNCTION_PRE_GA, OPCODE_MODULE_AUX ->
                                throw new Corrupt(file, at, "opcode " + type + " (function libraries of a Redis 7.0"
                                        + " release candidate, or a module's data), which Atoll does not load");
                        default -> {
                            byte[] key = in.string();
                            KeyTable.Entry value;
                            try {
                                value = DumpPayload.value(type, in, scratch);
                            } catch (DumpPayload.BadFormat e) {
                                throw new Corrupt(file, at, "the value of key \"" + printable(key) + "\" ("
                                        + e.getMessage() + ")");
                            }
                            if (expireAt == 0 || expireAt > now) {
                                put(tables, key, value, expireAt);
                                loaded++;
                            } else {
                                expired++;
                            }
                            expireAt = 0;
                        }
                    }
                }
            } catch (DumpPayload.BadFormat e) {
                throw new Corrupt(file, in.offset, e.getMessage());
            } catch (Truncated e) {
                throw new Corrupt(file, in.offset, "the end of the file, before its EOF opcode and checksum (truncated)");
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }

    /** Puts {@code value} under {@code key} into the table of the key's owner. */
    private static void put(KeyTable[] tables, byte[] key, KeyTable.Entry value, long expireAt) throws DumpPayload.BadFormat {
        KeyTable target = tables[KeySlots.owner(key, 0, key.length, tables.length)];
        int hash = KeyTable.hash(key, 0, key.length);
        if (target.find(key, 0, key.length, hash) != null) {
            throw new DumpPayload.BadFormat("the key \"" + printable(key) + "\" a second time");
        }
        KeyTable.Entry e = target.insert(key, 0, key.length, hash, key, 0, 0);
        e.takeValueOf(target, value);
        target.account(e);
        target.setExpire(e, expireAt);
    }

    /** Up to 32 bytes as text, the others escaped, for an error message. */
    private static String printable(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 32); i++) {
            int c = bytes[i] & 0xff;
            b.append(c >= 32 && c < 127 && c != '"' && c != '\\' ? Character.toString(c) : String.format("\\x%02x", c));
        }
        return bytes.length > 32 ? b + "..." : b.toString();
    }

    /**
     * Reads a file's bytes in order through a buffer of its own (a byte at a time, without a stream's call and
     * lock per byte), keeping their CRC-64 and the offset.
     */
    private static final class FileReader extends DumpPayload.Reader {
        private final InputStream in;
        private final long size;
        private final byte[] buffer = new byte[1 << 16];
        private int at;
        private int end;
        long offset;
        long crc;

        FileReader(InputStream in, long size) {
            this.in = in;
            this.size = size;
        }

        @Override
        int u8() {
            if (at == end) {
                fill();
            }
            int b = buffer[at++] & 0xff;
            crc = Crc64.update(crc, b);
            offset++;
            return b;
        }

        /** Refills the empty buffer; the file ended when nothing comes. */
        private void fill() {
            try {
                int n = in.read(buffer, 0, buffer.length);
                if (n <= 0) {
                    throw new Truncated();
                }
                at = 0;
                end = n;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        byte[] bytes(long length) {
            if (length > size - offset) { // a corrupt length: no array of it
                offset = size;
                throw new Truncated();
            }
            byte[] b = new byte[(int) length];
            int copied = 0;
            while (copied < b.length) {
                if (at == end) {
                    fill();
                }
                int n = Math.min(end - at, b.length - copied);
                System.arraycopy(buffer, at, b, copied, n);
                at += n;
                copied += n;
            }
            crc = Crc64.update(crc, b, 0, b.length);
            offset += length;
            return b;
        }
    }

    /** The file ended inside what it was reading. */
    private static final class Truncated extends RuntimeException {
        Truncated() {
            super(null, null, false, false);
        }
    }
}
