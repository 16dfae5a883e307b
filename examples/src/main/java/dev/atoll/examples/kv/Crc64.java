package dev.atoll.examples.kv;

/**
 * Redis's CRC-64 (Jones: polynomial 0xad93d23594c935a9, reflected, initial value 0, no final xor), the
 * checksum at the end of a DUMP payload. {@code crc("123456789")} is {@code 0xe9c6d914c4b8d9caL}, the
 * check value in Redis's crc64.c.
 */
final class Crc64 {
    /** The polynomial bit-reversed, for the reflected (least significant bit first) algorithm. */
    private static final long REFLECTED_POLY = Long.reverse(0xad93d23594c935a9L);
    private static final long[] TABLE = new long[256];

    static {
        for (int n = 0; n < 256; n++) {
            long crc = n;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ REFLECTED_POLY : crc >>> 1;
            }
            TABLE[n] = crc;
        }
    }

    private Crc64() {
    }

    /** The CRC of {@code bytes[offset, offset + length)} continuing from {@code crc} (0 to start). */
    static long update(long crc, byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            crc = TABLE[(int) ((crc ^ bytes[i]) & 0xff)] ^ (crc >>> 8);
        }
        return crc;
    }

    /** The CRC of one more byte {@code b} (0..255) after {@code crc}. */
    static long update(long crc, int b) {
        return TABLE[(int) ((crc ^ b) & 0xff)] ^ (crc >>> 8);
    }
}
