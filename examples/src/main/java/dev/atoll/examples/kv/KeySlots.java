package dev.atoll.examples.kv;

/**
 * Which shard owns a key: Redis Cluster's hash slots. A key's slot is CRC16 (XMODEM) of the key, or of
 * its hash tag (the bytes between the first {@code {}} and the next {@code }}, when not empty), modulo
 * 16384; the shards own contiguous ranges of slots. Because the mapping is Redis Cluster's, a
 * cluster-aware client (Jedis's {@code JedisCluster}, Lettuce's cluster client, {@code redis-benchmark
 * --cluster}) that reads {@code CLUSTER SLOTS} sends each command straight to the shard that owns its key
 * (see {@code kv.shard-ports}), and keys with the same hash tag always share a shard, so a command on
 * several of them never leaves it.
 */
final class KeySlots {
    /** Redis Cluster's slot count. */
    static final int SLOTS = 16384;

    /** CRC16-CCITT (XMODEM: polynomial 0x1021, initial 0), a byte at a time. */
    private static final char[] CRC16 = new char[256];

    static {
        for (int b = 0; b < 256; b++) {
            int crc = b << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            CRC16[b] = (char) crc;
        }
    }

    private KeySlots() {
    }

    /** CRC16 (XMODEM) of the bytes. */
    static int crc16(byte[] bytes, int offset, int length) {
        int crc = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            crc = (crc << 8) ^ CRC16[((crc >>> 8) ^ bytes[i]) & 0xFF];
        }
        return crc & 0xFFFF;
    }

    /** The hash slot of a key, hash tags honoured as Redis Cluster's {@code keyHashSlot} does. */
    static int slot(byte[] bytes, int offset, int length) {
        int end = offset + length;
        for (int open = offset; open < end; open++) {
            if (bytes[open] == '{') {
                for (int close = open + 1; close < end; close++) {
                    if (bytes[close] == '}') {
                        if (close == open + 1) {
                            break;   // "{}": no tag, the whole key is hashed
                        }
                        return crc16(bytes, open + 1, close - open - 1) & (SLOTS - 1);
                    }
                }
                break;   // only the first '{' counts
            }
        }
        return crc16(bytes, offset, length) & (SLOTS - 1);
    }

    /** The shard of {@code shards} that owns {@code slot}. */
    static int owner(int slot, int shards) {
        return (int) ((long) slot * shards / SLOTS);
    }

    /** The shard of {@code shards} that owns a key. */
    static int owner(byte[] bytes, int offset, int length, int shards) {
        return shards == 1 ? 0 : owner(slot(bytes, offset, length), shards);
    }

    /** The first slot {@code shard} owns (the ranges are contiguous and ascend with the shard id). */
    static int firstSlot(int shard, int shards) {
        return (int) (((long) shard * SLOTS + shards - 1) / shards);
    }

    /** The last slot {@code shard} owns. */
    static int lastSlot(int shard, int shards) {
        return firstSlot(shard + 1, shards) - 1;
    }
}
