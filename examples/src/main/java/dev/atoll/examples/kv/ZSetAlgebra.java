package dev.atoll.examples.kv;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ZUNION, ZINTER, ZDIFF, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE and ZINTERCARD as Redis 7.0's
 * zunionInterDiffGenericCommand computes them (inputs ordered by size, WEIGHTS, AGGREGATE SUM | MIN
 * | MAX, NaN products and sums taken as 0, sets read as members of score 1), from inputs gathered
 * by the caller — on one shard, or from several ({@link ZSetGather}); where the keys of these
 * commands and of ZRANGESTORE and ZMPOP are; and the reply shapes the sorted-set commands share.
 * Touches no shard state.
 */
final class ZSetAlgebra {
    /** An input key that holds neither a sorted set nor a set. */
    static final Object WRONG_TYPE = new Object();
    private static final byte[] WEIGHTS = ReplyWriter.asciiBytes("weights");
    private static final byte[] AGGREGATE = ReplyWriter.asciiBytes("aggregate");
    private static final byte[] SUM = ReplyWriter.asciiBytes("sum");
    private static final byte[] MIN = ReplyWriter.asciiBytes("min");
    private static final byte[] MAX = ReplyWriter.asciiBytes("max");
    private static final byte[] WITHSCORES = ReplyWriter.asciiBytes("withscores");
    private static final byte[] LIMIT = ReplyWriter.asciiBytes("limit");
    private static final byte[] COUNT = ReplyWriter.asciiBytes("count");
    private static final byte[] COMMA = ReplyWriter.asciiBytes(",");
    private static final byte[] CRLF = ReplyWriter.asciiBytes("\r\n");

    /** What a command computed: the result set (null for ZINTERCARD), WITHSCORES, ZINTERCARD's count. */
    record Outcome(ZSetValue result, boolean withScores, long cardinality) { }

    /** ZMPOP's and ZPOP's choice: the lowest or highest scores, how many. */
    record Pop(boolean max, long count) { }

    private ZSetAlgebra() {
    }

    /** Whether the command stores its result at argument 1. */
    static boolean stores(Command c) {
        return c == Command.ZUNIONSTORE || c == Command.ZINTERSTORE || c == Command.ZDIFFSTORE
                || c == Command.ZRANGESTORE;
    }

    /**
     * The argument indexes of the keys of a command of kind GATHER, the destination first; null
     * when its numkeys is not valid, after the error reply if {@code out} is not null.
     */
    static int[] keys(Command c, Request r, ReplyWriter out) {
        if (GeoCommands.stores(c)) {
            return GeoCommands.keys(c, r);
        }
        if (c == Command.ZRANGESTORE) {
            return new int[] {1, 2};
        }
        boolean store = stores(c);
        int numkeysAt = store ? 2 : 1;
        boolean valid = r.longAt(numkeysAt);
        long n = r.number;
        if (c == Command.ZMPOP) {
            if (!valid || n < 1) {
                return refuse("ERR numkeys should be greater than 0", out);
            }
        } else if (!valid) {
            return refuse(KvShard.NOT_INTEGER, out);
        } else if (n < 1) {
            return refuse("ERR at least 1 input key is needed for '" + c.lowerName + "' command", out);
        }
        long room = r.count() - numkeysAt - 1 - (c == Command.ZMPOP ? 1 : 0); // ZMPOP's MIN | MAX follows
        if (n > room) {
            return refuse(KvShard.SYNTAX, out);
        }
        int[] keys = new int[(int) n + (store ? 1 : 0)];
        int k = 0;
        if (store) {
            keys[k++] = 1;
        }
        for (int i = 0; i < n; i++) {
            keys[k++] = numkeysAt + 1 + i;
        }
        return keys;
    }

    private static int[] refuse(String error, ReplyWriter out) {
        if (out != null) {
            out.error(error);
        }
        return null;
    }

    /** ZMPOP's MIN | MAX [COUNT count] after its keys; null after the error reply. */
    static Pop pop(Request r, int whereAt, ReplyWriter out) {
        boolean max;
        if (r.is(whereAt, MIN)) {
            max = false;
        } else if (r.is(whereAt, MAX)) {
            max = true;
        } else {
            out.error(KvShard.SYNTAX);
            return null;
        }
        long count = -1;
        for (int j = whereAt + 1; j < r.count(); j++) {
            if (count == -1 && r.is(j, COUNT) && j + 1 < r.count()) {
                j++;
                if (!r.longAt(j) || r.number < 1) {
                    out.error("ERR count should be greater than 0");
                    return null;
                }
                count = r.number;
            } else {
                out.error(KvShard.SYNTAX);
                return null;
            }
        }
        return new Pop(max, count == -1 ? 1 : count);
    }

    /**
     * Computes a ZUNION, ZINTER, ZDIFF (and STORE forms) or ZINTERCARD from {@code inputs} — per
     * source key in order: null (absent), a {@link ZSetValue}, a {@link SetMembers} or
     * {@link #WRONG_TYPE} — checking the types before the options, as Redis does. Null after the
     * error reply.
     */
    static Outcome combine(Command c, Request r, Object[] inputs, ReplyWriter out) {
        for (Object input : inputs) {
            if (input == WRONG_TYPE) {
                out.error(KvShard.WRONGTYPE);
                return null;
            }
        }
        boolean store = stores(c);
        boolean diff = c == Command.ZDIFF || c == Command.ZDIFFSTORE;
        boolean cardinalityOnly = c == Command.ZINTERCARD;
        int n = inputs.length;
        double[] weights = new double[n];
        Arrays.fill(weights, 1);
        int aggregate = 0; // SUM, MIN, MAX
        boolean withScores = false;
        long limit = 0;
        int j = (store ? 3 : 2) + n;
        while (j < r.count()) {
            int remaining = r.count() - j;
            if (!diff && !cardinalityOnly && remaining >= n + 1 && r.is(j, WEIGHTS)) {
                j++;
                for (int i = 0; i < n; i++, j++) {
                    weights[i] = Score.parse(r.bytes, r.offset(j), r.length(j));
                    if (Double.isNaN(weights[i])) {
                        out.error("ERR weight value is not a float");
                        return null;
                    }
                }
            } else if (!diff && !cardinalityOnly && remaining >= 2 && r.is(j, AGGREGATE)) {
                if (r.is(j + 1, SUM)) {
                    aggregate = 0;
                } else if (r.is(j + 1, MIN)) {
                    aggregate = 1;
                } else if (r.is(j + 1, MAX)) {
                    aggregate = 2;
                } else {
                    out.error(KvShard.SYNTAX);
                    return null;
                }
                j += 2;
            } else if (!store && !cardinalityOnly && r.is(j, WITHSCORES)) {
                withScores = true;
                j++;
            } else if (cardinalityOnly && remaining >= 2 && r.is(j, LIMIT)) {
                if (!r.longAt(j + 1) || r.number < 0) {
                    out.error("ERR LIMIT can't be negative");
                    return null;
                }
                limit = r.number;
                j += 2;
            } else {
                out.error(KvShard.SYNTAX);
                return null;
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (!diff) { // smallest first (stable: Redis's qsort is not, which only matters to float sums of 3+ inputs)
            Arrays.sort(order, Comparator.comparingInt(i -> size(inputs[i])));
        }
        Map<ByteBuffer, double[]> acc = new LinkedHashMap<>();
        long cardinality = 0;
        Object smallest = inputs[order[0]];
        if (c == Command.ZUNION || c == Command.ZUNIONSTORE) {
            for (int i : order) {
                double weight = weights[i];
                int how = aggregate;
                forEach(inputs[i], (member, score) -> {
                    double value = weight * score;
                    double[] existing = acc.get(ByteBuffer.wrap(member));
                    if (existing == null) {
                        acc.put(ByteBuffer.wrap(member), new double[] {Double.isNaN(value) ? 0 : value});
                    } else {
                        existing[0] = aggregate(existing[0], Double.isNaN(value) ? 0 : value, how);
                    }
                });
            }
        } else if (!diff) {
            double[] found = {0};
            long cap = limit;
            int how = aggregate;
            long[] count = {0};
            forEach(smallest, (member, score) -> {
                if (cap > 0 && count[0] >= cap) {
                    return;
                }
                double value = weights[order[0]] * score;
                if (Double.isNaN(value)) {
                    value = 0;
                }
                for (int k = 1; k < n; k++) {
                    found[0] = scoreOf(inputs[order[k]], member);
                    if (Double.isNaN(found[0])) {
                        return;
                    }
                    value = aggregate(value, found[0] * weights[order[k]], how);
                }
                count[0]++;
                if (!cardinalityOnly) {
                    acc.put(ByteBuffer.wrap(member), new double[] {value});
                }
            });
            cardinality = count[0];
        } else {
            forEach(inputs[0], (member, score) -> {
                for (int k = 1; k < n; k++) {
                    if (!Double.isNaN(scoreOf(inputs[k], member))) {
                        return;
                    }
                }
                acc.put(ByteBuffer.wrap(member), new double[] {score});
            });
        }
        if (cardinalityOnly) {
            return new Outcome(null, false, cardinality);
        }
        int longest = 0;
        for (ByteBuffer member : acc.keySet()) {
            longest = Math.max(longest, member.remaining());
        }
        ZSetValue result = ZSetValue.forResult(acc.size(), longest);
        acc.forEach((member, score) -> result.put(member.array(), score[0]));
        return new Outcome(result, withScores, 0);
    }

    private static double aggregate(double target, double value, int how) {
        return switch (how) {
            case 0 -> {
                double sum = target + value;
                yield Double.isNaN(sum) ? 0 : sum; // inf + -inf
            }
            case 1 -> value < target ? value : target;
            default -> value > target ? value : target;
        };
    }

    private static int size(Object input) {
        return input == null ? 0 : ((Aggregate) input).size();
    }

    /** The score of {@code member} in a sorted set or set (1), or NaN. */
    private static double scoreOf(Object input, byte[] member) {
        if (input instanceof ZSetValue z) {
            return z.score(member, 0, member.length);
        }
        return input != null && ((SetMembers) input).contains(member, 0, member.length) ? 1 : Double.NaN;
    }

    private static void forEach(Object input, ZSetValue.EntryVisitor visitor) {
        if (input instanceof ZSetValue z) {
            z.forEach(visitor);
        } else if (input != null) {
            ((SetMembers) input).forEachMember(member -> visitor.visit(member, 1));
        }
    }

    /** Writes a score: a RESP3 double, or a bulk string of its text in RESP2. */
    static void score(ReplyWriter out, double score) {
        byte[] text = Score.format(score);
        if (out.resp3()) {
            out.raw(COMMA).raw(text).raw(CRLF);
        } else {
            out.bulk(text);
        }
    }

    /**
     * Writes {@code count} members of {@code z} from rank {@code first} (downwards if {@code reverse}):
     * with their scores flat in RESP2, as [member, score] pairs in RESP3.
     */
    static void members(ZSetValue z, int first, int count, boolean reverse, boolean withScores, ReplyWriter out) {
        out.arrayHeader(withScores && !out.resp3() ? 2L * count : count);
        z.visit(first, count, reverse, (member, score) -> member(out, member, score, withScores));
    }

    /** One member of a reply of members: with its score, flat in RESP2, as a [member, score] pair in RESP3. */
    static void member(ReplyWriter out, byte[] member, double score, boolean withScores) {
        if (withScores && out.resp3()) {
            out.arrayHeader(2);
        }
        out.bulk(member);
        if (withScores) {
            score(out, score);
        }
    }

    /** Writes what a pop took: flat member, score, ... or [member, score] pairs ({@code nested}). */
    static void popped(byte[][] members, double[] scores, boolean nested, ReplyWriter out) {
        out.arrayHeader(nested ? members.length : 2L * members.length);
        for (int i = 0; i < members.length; i++) {
            if (nested) {
                out.arrayHeader(2);
            }
            out.bulk(members[i]);
            score(out, scores[i]);
        }
    }
}
