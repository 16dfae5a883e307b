package dev.atoll.examples.kv;

import java.util.Locale;

/**
 * The options of SCAN and HSCAN, as Redis 7.0 parses them: MATCH pattern (null: everything), COUNT
 * hint (at least 1; 10 by default), and for SCAN only TYPE (null: any; an unknown type matches no key).
 */
record ScanOptions(byte[] pattern, int count, String type) {
    private static final byte[] MATCH = ReplyWriter.asciiBytes("match");
    private static final byte[] COUNT = ReplyWriter.asciiBytes("count");
    private static final byte[] TYPE = ReplyWriter.asciiBytes("type");

    /** The options from argument {@code from} on; null after the error reply. */
    static ScanOptions parse(Request r, int from, boolean typeAllowed, ReplyWriter out) {
        byte[] pattern = null;
        int count = 10;
        String type = null;
        for (int i = from; i < r.count(); i += 2) {
            if (i + 1 >= r.count()) {
                out.error(KvShard.SYNTAX);
                return null;
            }
            if (r.is(i, MATCH)) {
                pattern = r.copy(i + 1);
                if (Glob.isEverything(pattern)) {
                    pattern = null;
                }
            } else if (r.is(i, COUNT)) {
                if (!r.longAt(i + 1)) {
                    out.error(KvShard.NOT_INTEGER);
                    return null;
                }
                if (r.number < 1) {
                    out.error(KvShard.SYNTAX);
                    return null;
                }
                count = (int) Math.min(r.number, 1_000_000);
            } else if (typeAllowed && r.is(i, TYPE)) {
                type = r.string(i + 1).toLowerCase(Locale.ROOT);
            } else {
                out.error(KvShard.SYNTAX);
                return null;
            }
        }
        return new ScanOptions(pattern, count, type);
    }

    /** A walk of a hash's or sorted set's elements, each with its value (HSCAN, ZSCAN). */
    interface PairWalk {
        long scan(long cursor, int count, java.util.function.BiConsumer<byte[], byte[]> visitor);
    }

    /** Whether argument 2 of HSCAN, ZSCAN is a cursor (checked before the key's type, as Redis does); false after the error. */
    static boolean validCursor(Request r, ReplyWriter out) {
        try {
            Long.parseUnsignedLong(r.string(2));
            return true;
        } catch (NumberFormatException e) {
            out.error("ERR invalid cursor");
            return false;
        }
    }

    /**
     * The rest of HSCAN and ZSCAN once the key's type is checked: an empty reply for an absent key
     * ({@code walk} null), else the options from argument 3, one step of {@code walk} from the cursor
     * (a {@link #validCursor}), and the reply (next cursor; elements and values, flat).
     */
    static void scanPairs(Request r, PairWalk walk, ReplyWriter out) {
        if (walk == null) {
            out.arrayHeader(2).bulk("0").arrayHeader(0);
            return;
        }
        long cursor = Long.parseUnsignedLong(r.string(2));
        ScanOptions options = parse(r, 3, false, out);
        if (options == null) {
            return;
        }
        java.util.List<byte[]> found = new java.util.ArrayList<>();
        long next = walk.scan(cursor, options.count(), (element, value) -> {
            if (options.matches(element)) {
                found.add(element);
                found.add(value);
            }
        });
        out.arrayHeader(2).bulk(Long.toUnsignedString(next)).arrayHeader(found.size());
        found.forEach(out::bulk);
    }

    /** Whether {@code name} matches the pattern. */
    boolean matches(byte[] name) {
        return pattern == null || Glob.matches(pattern, name);
    }
}
