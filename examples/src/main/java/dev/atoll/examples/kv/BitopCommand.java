package dev.atoll.examples.kv;

/**
 * BITOP AND|OR|XOR|NOT destkey srckey [srckey ...] as Redis 7.0's bitops.c: the sources' strings
 * (a missing key: an empty one; another type: WRONGTYPE) combined byte by byte, shorter ones
 * zero-padded to the longest; the result replaces the destination as a string without expiry, or
 * deletes it when empty; answers its length. On one shard it runs whole there ({@link #run}); with
 * keys on several shards {@link CrossShard} gathers the sources' copies under the locks of every key
 * and stores the result on the destination's owner, with the same {@link #combine}.
 */
final class BitopCommand {
    static final String NOT_ONE_SOURCE = "ERR BITOP NOT must be called with a single source key.";
    /** Argument 1: the operation; 2: the destination; 3 on: the sources. */
    static final int FIRST_SOURCE = 3;
    private static final byte[] AND = ReplyWriter.asciiBytes("and");
    private static final byte[] OR = ReplyWriter.asciiBytes("or");
    private static final byte[] XOR = ReplyWriter.asciiBytes("xor");
    private static final byte[] NOT = ReplyWriter.asciiBytes("not");

    enum Op { AND, OR, XOR, NOT }

    private final KvShard shard;

    BitopCommand(KvShard shard) {
        this.shard = shard;
    }

    /** The operation of {@code r}, checked as Redis does before any key is read; null when it answered an error. */
    static Op op(Request r, ReplyWriter out) {
        Op op = r.is(1, AND) ? Op.AND : r.is(1, OR) ? Op.OR : r.is(1, XOR) ? Op.XOR : r.is(1, NOT) ? Op.NOT : null;
        if (op == null) {
            out.error(KvShard.SYNTAX);
        } else if (op == Op.NOT && r.count() != FIRST_SOURCE + 1) {
            out.error(NOT_ONE_SOURCE);
            op = null;
        }
        return op;
    }

    /** The whole command, every key on this shard. */
    void run(Request r, long now, ReplyWriter out) {
        Op op = op(r, out);
        if (op == null) {
            return;
        }
        byte[][] sources = new byte[r.count() - FIRST_SOURCE][];
        for (int i = FIRST_SOURCE; i < r.count(); i++) {
            KeyTable.Entry e = shard.live(r.bytes, r.offset(i), r.length(i), now);
            if (KvShard.wrongType(e, out)) {
                return;
            }
            sources[i - FIRST_SOURCE] = copy(e);
        }
        out.integer(store(shard, r.bytes, r.offset(2), r.length(2), combine(op, sources), now));
    }

    /** A copy of a string key's bytes; null for a missing key (the caller checked the type). */
    static byte[] copy(KeyTable.Entry e) {
        return e == null ? null : java.util.Arrays.copyOfRange(e.valueArray(), e.valueOffset(), e.valueOffset() + e.length);
    }

    /** The operation over {@code sources} (null: a missing key, an empty string), zero-padded to the longest. */
    static byte[] combine(Op op, byte[][] sources) {
        int longest = 0;
        for (byte[] s : sources) {
            longest = Math.max(longest, s == null ? 0 : s.length);
        }
        byte[] result = new byte[longest];
        for (int at = 0; at < longest; at++) {
            int acc = byteAt(sources[0], at);
            if (op == Op.NOT) {
                acc = ~acc;
            }
            for (int k = 1; k < sources.length; k++) {
                int b = byteAt(sources[k], at);
                acc = op == Op.AND ? acc & b : op == Op.OR ? acc | b : acc ^ b;
            }
            result[at] = (byte) acc;
        }
        return result;
    }

    private static int byteAt(byte[] s, int at) {
        return s == null || at >= s.length ? 0 : s[at];
    }

    /** The destination becomes the result (a string, no expiry; logged), or is deleted when it is empty. Returns its length. */
    static int store(KvShard shard, byte[] b, int offset, int length, byte[] result, long now) {
        if (result.length == 0) {
            KeyTable.Entry e = shard.live(b, offset, length, now);
            if (e != null) {
                shard.remove(e);
            }
            return 0;
        }
        shard.storeCopy(b, offset, length, result, 0, result.length, 0, false).raw(true); // Redis stores a raw string
        return result.length;
    }
}
