package dev.atoll.examples.kv;

import java.util.Arrays;

/**
 * A range of a sorted set as the ZRANGE family gives it — by rank, by score ({@code (} for an
 * exclusive bound, {@code -inf}, {@code +inf}) or by member ({@code [a}, {@code (a}, {@code -},
 * {@code +}) — parsed as Redis 7.0's zrangeGenericCommand, zslParseRange and zslParseLexRange do,
 * with their errors, and resolved against a set to ranks: {@link #first} and {@link #count}, the
 * members to visit from rank {@code first} on, downwards if {@link #reverse}.
 */
final class ZRange {
    enum By { RANK, SCORE, LEX }

    static final String NOT_FLOAT = "ERR min or max is not a float";
    static final String NOT_LEX = "ERR min or max not valid string range item";
    private static final byte[] WITHSCORES = ReplyWriter.asciiBytes("withscores");
    private static final byte[] LIMIT = ReplyWriter.asciiBytes("limit");
    private static final byte[] REV = ReplyWriter.asciiBytes("rev");
    private static final byte[] BYLEX = ReplyWriter.asciiBytes("bylex");
    private static final byte[] BYSCORE = ReplyWriter.asciiBytes("byscore");

    By by;
    boolean reverse;
    boolean withScores;
    long offset;
    long limit = -1;
    private long start;
    private long end;
    private ZTree.Before min;
    private ZTree.Before max;
    /** Resolved by {@link #resolve}. */
    int first;
    int count;

    /**
     * ZRANGE key min max [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES], its older forms
     * (the command fixes {@code by} and {@code reverse}), and ZRANGESTORE dst src ... ({@code store}:
     * no WITHSCORES); the key is argument {@code keyAt}. Null after the error reply.
     */
    static ZRange parse(Command command, Request r, int keyAt, boolean store, ReplyWriter out) {
        ZRange range = new ZRange();
        By preset = switch (command) {
            case ZRANGEBYSCORE, ZREVRANGEBYSCORE -> By.SCORE;
            case ZRANGEBYLEX, ZREVRANGEBYLEX -> By.LEX;
            case ZREVRANGE -> By.RANK;
            default -> null;
        };
        boolean directionFixed = command == Command.ZREVRANGE || command == Command.ZREVRANGEBYSCORE
                || command == Command.ZREVRANGEBYLEX;
        range.reverse = directionFixed;
        By by = preset;
        for (int j = keyAt + 3; j < r.count(); j++) {
            int left = r.count() - j - 1;
            if (!store && r.is(j, WITHSCORES)) {
                range.withScores = true;
            } else if (r.is(j, LIMIT) && left >= 2) {
                if (!r.longAt(j + 1)) {
                    out.error(KvShard.NOT_INTEGER);
                    return null;
                }
                range.offset = r.number;
                if (!r.longAt(j + 2)) {
                    out.error(KvShard.NOT_INTEGER);
                    return null;
                }
                range.limit = r.number;
                j += 2;
            } else if (!directionFixed && !range.reverse && r.is(j, REV)) {
                range.reverse = true;
            } else if (by == null && r.is(j, BYLEX)) {
                by = By.LEX;
            } else if (by == null && r.is(j, BYSCORE)) {
                by = By.SCORE;
            } else {
                out.error(KvShard.SYNTAX);
                return null;
            }
        }
        range.by = by == null ? By.RANK : by;
        if (range.limit != -1 && range.by == By.RANK) { // LIMIT 5 -1 passes, as in Redis
            out.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
            return null;
        }
        if (range.withScores && range.by == By.LEX) {
            out.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
            return null;
        }
        int minAt = keyAt + 1;
        int maxAt = keyAt + 2;
        if (range.reverse && range.by != By.RANK) { // given as max, min
            minAt = keyAt + 2;
            maxAt = keyAt + 1;
        }
        return range.bounds(r, minAt, maxAt, out) ? range : null;
    }

    /** A range alone, its bounds at {@code minAt} and the next argument (ZCOUNT, ZLEXCOUNT, ZREMRANGEBY*); null after the error reply. */
    static ZRange of(By by, Request r, int minAt, ReplyWriter out) {
        ZRange range = new ZRange();
        range.by = by;
        return range.bounds(r, minAt, minAt + 1, out) ? range : null;
    }

    /** Reads the bounds of {@link #by}; false after the error reply. */
    private boolean bounds(Request r, int minAt, int maxAt, ReplyWriter out) {
        switch (by) {
            case RANK -> {
                if (!r.longAt(minAt)) {
                    out.error(KvShard.NOT_INTEGER);
                    return false;
                }
                start = r.number;
                if (!r.longAt(maxAt)) {
                    out.error(KvShard.NOT_INTEGER);
                    return false;
                }
                end = r.number;
            }
            case SCORE -> {
                if (!scores(r, minAt, maxAt)) {
                    out.error(NOT_FLOAT);
                    return false;
                }
            }
            case LEX -> {
                if (!lex(r, minAt, maxAt)) {
                    out.error(NOT_LEX);
                    return false;
                }
            }
        }
        return true;
    }

    private boolean scores(Request r, int minAt, int maxAt) {
        double[] bound = new double[2];
        boolean[] exclusive = new boolean[2];
        int[] at = {minAt, maxAt};
        for (int i = 0; i < 2; i++) {
            int offset = r.offset(at[i]);
            int length = r.length(at[i]);
            if (length > 0 && r.bytes[offset] == '(') {
                exclusive[i] = true;
                offset++;
                length--;
            }
            bound[i] = Score.parseBound(r.bytes, offset, length);
            if (Double.isNaN(bound[i])) {
                return false;
            }
        }
        double low = bound[0];
        double high = bound[1];
        min = exclusive[0] ? (score, member) -> score <= low : (score, member) -> score < low;
        max = exclusive[1] ? (score, member) -> score < high : (score, member) -> score <= high;
        return true;
    }

    private boolean lex(Request r, int minAt, int maxAt) {
        ZTree.Before low = lexBound(r, minAt, true);
        ZTree.Before high = lexBound(r, maxAt, false);
        if (low == null || high == null) {
            return false;
        }
        min = low;
        max = high;
        return true;
    }

    /** The predicate "before the start" ({@code isMin}) or "not after the end" of one lex item; null if it is none. */
    private static ZTree.Before lexBound(Request r, int at, boolean isMin) {
        int offset = r.offset(at);
        int length = r.length(at);
        if (length == 0) {
            return null;
        }
        byte kind = r.bytes[offset];
        if (length == 1 && (kind == '+' || kind == '-')) {
            boolean all = kind == '-' == isMin; // "-" as min and "+" as max take everything on that side
            return isMin == all ? (score, member) -> false : (score, member) -> true;
        }
        if (kind != '(' && kind != '[') {
            return null;
        }
        byte[] item = Arrays.copyOfRange(r.bytes, offset + 1, offset + length);
        boolean inclusive = kind == '[';
        if (isMin) {
            return inclusive ? (score, member) -> Arrays.compareUnsigned(member, item) < 0
                    : (score, member) -> Arrays.compareUnsigned(member, item) <= 0;
        }
        return inclusive ? (score, member) -> Arrays.compareUnsigned(member, item) <= 0
                : (score, member) -> Arrays.compareUnsigned(member, item) < 0;
    }

    /**
     * The ranks of {@code z} in the range: sets {@link #first} and {@link #count} (LIMIT applied);
     * the members are visited from {@code first}, downwards if {@link #reverse}.
     */
    void resolve(ZSetValue z) {
        int size = z.size();
        if (by == By.RANK) {
            long s = start < 0 ? size + start : start;
            long e = end < 0 ? size + end : end;
            s = Math.max(0, s);
            if (s > e || s >= size) {
                count = 0;
                return;
            }
            e = Math.min(e, size - 1);
            count = (int) (e - s + 1);
            first = reverse ? (int) (size - 1 - s) : (int) s;
            return;
        }
        int low = z.countBefore(min);
        int high = z.countBefore(max);
        long n = Math.max(0, high - low);
        if (offset < 0) { // Redis skips "offset--" times until the end: nothing is left
            n = 0;
        } else {
            n = Math.max(0, n - offset);
            if (limit >= 0) {
                n = Math.min(n, limit);
            }
        }
        count = (int) n;
        long skip = Math.max(0, offset);
        first = (int) (reverse ? high - 1 - skip : low + skip);
    }

    /** The ranks {@code [from, to)} of the range in ascending order (ZCOUNT, ZREMRANGEBY*: no LIMIT). */
    int[] span(ZSetValue z) {
        resolve(z);
        int from = reverse ? first - count + 1 : first;
        return new int[] {from, from + count};
    }
}
