package dev.atoll.examples.kv;

import java.util.Arrays;

/** A key's bytes and hash as a map key (locks and watches: the slow path, which may copy keys). */
record ByteKey(byte[] bytes, int hash) {
    static ByteKey of(byte[] b, int offset, int length) {
        return new ByteKey(Arrays.copyOfRange(b, offset, offset + length), KeyTable.hash(b, offset, length));
    }

    static ByteKey of(byte[] key) {
        return new ByteKey(key, KeyTable.hash(key, 0, key.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }
}
