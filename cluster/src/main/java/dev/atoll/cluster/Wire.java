package dev.atoll.cluster;

/**
 * The byte layout between nodes, big-endian. A connection opens with a handshake from the sender
 * ({@value #MAGIC} as 4 bytes, version, target shard, target incarnation, sender incarnation: 24 bytes);
 * the receiving node moves the connection to the target shard and answers one byte {@value #ACK}.
 * Then frames flow one way: length of what follows (4 bytes), actor id (8 bytes), serialized message.
 */
final class Wire {
    static final int MAGIC = 0x41544C43;   // "ATLC"
    static final short VERSION = 1;
    static final int HANDSHAKE_BYTES = 24;
    static final byte ACK = 1;
    /** Length and actor id. */
    static final int FRAME_HEADER = 12;

    private Wire() {
    }

    static byte[] handshake(int targetShard, long targetIncarnation, long senderIncarnation) {
        byte[] b = new byte[HANDSHAKE_BYTES];
        putInt(b, 0, MAGIC);
        putShort(b, 4, VERSION);
        putShort(b, 6, (short) targetShard);
        putLong(b, 8, targetIncarnation);
        putLong(b, 16, senderIncarnation);
        return b;
    }

    /** A frame for actor {@code id}: header and {@code payload}. */
    static byte[] frame(long id, byte[] payload) {
        byte[] b = new byte[FRAME_HEADER + payload.length];
        putInt(b, 0, 8 + payload.length);
        putLong(b, 4, id);
        System.arraycopy(payload, 0, b, FRAME_HEADER, payload.length);
        return b;
    }

    static void putShort(byte[] b, int at, short v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static void putInt(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (24 - 8 * i));
        }
    }

    static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    static int getShort(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    static int getInt(byte[] b, int at) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}
