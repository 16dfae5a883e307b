package dev.atoll.examples.kv;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Redis 7.0's DEBUG DIGEST and DIGEST-VALUE (debug.c): SHA-1 digests of the keys and their values, "mixed" where order
 * counts (the digest xored with the SHA-1 of the data, then hashed again) and "xored" where it does not (a set's
 * members, a hash's fields, the keys of the dataset), so that the same dataset here and in redis-server gives the
 * same 40 hex digits whatever the order of the shards and their tables. Made per command and used by one thread (a
 * {@link MessageDigest} is not thread-safe); off the hot path, so it allocates freely.
 */
final class DatasetDigest {
    /** The bytes of a digest. */
    static final int LENGTH = 20;

    /** Redis's object types, as debug.c mixes them in (network order). */
    private static final int STRING = 0;
    private static final int LIST = 1;
    private static final int SET = 2;
    private static final int ZSET = 3;
    private static final int HASH = 4;
    private static final int STREAM = 6;
    private static final byte[] EXPIRE_MARK = "!!expire!!".getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest sha1;

    DatasetDigest() {
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /** Adds a key with its value to {@code keys}, the xor of a dataset's keys' that {@link #dataset} finishes. */
    void addKey(byte[] keys, KeyTable.Entry e, boolean hasExpire) {
        byte[] digest = new byte[LENGTH];
        mix(digest, e.data, 0, e.keyLength());
        value(digest, e, hasExpire);
        xor(keys, digest, 0, LENGTH);
    }

    /** The digest of a key's value (DEBUG DIGEST-VALUE): its type, its contents, whether it has an expiry. */
    byte[] value(KeyTable.Entry e, boolean hasExpire) {
        byte[] digest = new byte[LENGTH];
        value(digest, e, hasExpire);
        return digest;
    }

    /** The dataset's digest from its keys' ({@link #addKey}, null when there is none), as DEBUG DIGEST: database 0 mixed in first. */
    byte[] dataset(byte[] keys) {
        byte[] digest = new byte[LENGTH];
        if (keys != null) {
            mix(digest, new byte[4], 0, 4); // the database's number, 0, as a 32-bit integer in network order
            xorInto(digest, keys);
        }
        return digest;
    }

    /** {@code digest} ^= {@code other}. */
    static void xorInto(byte[] digest, byte[] other) {
        for (int i = 0; i < LENGTH; i++) {
            digest[i] ^= other[i];
        }
    }

    /** The digest as DEBUG DIGEST prints it: 40 hex digits. */
    static String hex(byte[] digest) {
        return java.util.HexFormat.of().formatHex(digest);
    }

    private void value(byte[] digest, KeyTable.Entry e, boolean hasExpire) {
        if (e.isString()) {
            type(digest, STRING);
            mix(digest, e.valueArray(), e.valueOffset(), e.length);
        } else if (Hashes.isHash(e)) {
            type(digest, HASH);
            byte[] element = new byte[LENGTH];
            Hashes.forEachRange(e, (f, fo, fl, v, vo, vl) -> {
                java.util.Arrays.fill(element, (byte) 0);
                mix(element, f, fo, fl);
                mix(element, v, vo, vl);
                xor(digest, element, 0, LENGTH);
            });
        } else {
            switch (e.aggregate()) {
                case ListValue list -> {
                    type(digest, LIST);
                    for (int i = 0; i < list.size(); i++) {
                        byte[] element = list.get(i);
                        mix(digest, element, 0, element.length);
                    }
                }
                case SetValue set -> {
                    type(digest, SET);
                    set.forEach(member -> xor(digest, member, 0, member.length));
                }
                case ZSetValue zset -> {
                    type(digest, ZSET);
                    byte[] element = new byte[LENGTH];
                    zset.forEach((member, score) -> {
                        java.util.Arrays.fill(element, (byte) 0);
                        mix(element, member, 0, member.length);
                        byte[] text = Score.format(score); // C's %.17g, as debug.c prints the score
                        mix(element, text, 0, text.length);
                        xor(digest, element, 0, LENGTH);
                    });
                }
                case StreamValue stream -> {
                    type(digest, STREAM);
                    stream(digest, stream);
                }
                default -> throw new IllegalStateException("no digest for " + e.type());
            }
        }
        if (hasExpire) {
            xor(digest, EXPIRE_MARK, 0, EXPIRE_MARK.length);
        }
    }

    /** A stream's entries in order: each ID as {@code ms.seq}, then its fields and values (consumer groups are not in it, as in Redis). */
    private void stream(byte[] digest, StreamValue stream) {
        for (int n = 0; n < stream.nodeCount(); n++) {
            StreamValue.Node node = stream.node(n);
            for (int i = 0; i < node.count; i++) {
                if (node.deleted(i)) {
                    continue;
                }
                byte[] id = (Long.toUnsignedString(node.ms(i)) + "." + Long.toUnsignedString(node.seq(i)))
                        .getBytes(StandardCharsets.US_ASCII);
                mix(digest, id, 0, id.length);
                for (byte[] fieldOrValue : StreamValue.pairs(node, i)) {
                    mix(digest, fieldOrValue, 0, fieldOrValue.length);
                }
            }
        }
    }

    private void type(byte[] digest, int type) {
        mix(digest, new byte[] {0, 0, 0, (byte) type}, 0, 4);
    }

    /** debug.c's xorDigest: {@code digest} ^= SHA-1 of the bytes. */
    private void xor(byte[] digest, byte[] bytes, int offset, int length) {
        sha1.update(bytes, offset, length);
        xorInto(digest, sha1.digest());
    }

    /** debug.c's mixDigest: xorDigest, then {@code digest} = SHA-1 of {@code digest}. */
    private void mix(byte[] digest, byte[] bytes, int offset, int length) {
        xor(digest, bytes, offset, length);
        sha1.update(digest);
        System.arraycopy(sha1.digest(), 0, digest, 0, LENGTH);
    }
}
