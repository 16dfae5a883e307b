package dev.atoll.examples.kv;

import java.util.Arrays;

/**
 * The sorted-set commands, as Redis 7.0's t_zset.c answers them (the blocking BZPOPMIN, BZPOPMAX and
 * BZMPOP aside), run on the shard that owns their keys — all of them, for the commands of several
 * keys; across shards {@link ZSetGather} gathers the inputs and calls {@link #store} and
 * {@link #popFirst} on their owners. A sorted set with no member left is no key. Logs each change
 * as ZADD with the exact scores it left, and ZREM of what it removed.
 */
final class ZSetCommands {
    static final byte[] ZADD = ReplyWriter.asciiBytes("ZADD");
    static final byte[] ZREM = ReplyWriter.asciiBytes("ZREM");
    private static final byte[] NX = ReplyWriter.asciiBytes("nx");
    private static final byte[] XX = ReplyWriter.asciiBytes("xx");
    private static final byte[] GT = ReplyWriter.asciiBytes("gt");
    private static final byte[] LT = ReplyWriter.asciiBytes("lt");
    private static final byte[] CH = ReplyWriter.asciiBytes("ch");
    private static final byte[] INCR = ReplyWriter.asciiBytes("incr");
    private static final byte[] WITHSCORES = ReplyWriter.asciiBytes("withscores");
    private static final String NOT_FLOAT = "ERR value is not a valid float";
    private static final String NAN_RESULT = "ERR resulting score is not a number (NaN)";
    /** What {@link #find} returns for a key of another type (after no reply: the caller answers). */
    private static final ZSetValue WRONG = new ZSetValue();

    /** What a pop took from one key: members and their scores, in the order taken. */
    record Popped(byte[][] members, double[] scores) { }

    private final KvShard shard;
    /** The entry {@link #find} found last. */
    private KeyTable.Entry entry;
    /** {@link #scratchScores} and {@link #scratchChanged}. */
    private double[] parsedScores = new double[8];
    private int[] changedPairs = new int[8];

    ZSetCommands(KvShard shard) {
        this.shard = shard;
    }

    void run(Command command, Request r, long now, ReplyWriter out) {
        switch (command) {
            case ZADD -> add(r, 2, false, now, out);
            case ZINCRBY -> add(r, 2, true, now, out);
            case ZREM -> remove(r, now, out);
            case ZCARD -> {
                ZSetValue z = find(r, 1, now);
                if (!wrong(z, out)) {
                    out.integer(z == null ? 0 : z.size());
                }
            }
            case ZSCORE -> {
                ZSetValue z = find(r, 1, now);
                if (!wrong(z, out)) {
                    scoreOrNull(z, r, 2, out);
                }
            }
            case ZMSCORE -> {
                ZSetValue z = find(r, 1, now);
                if (!wrong(z, out)) {
                    out.arrayHeader(r.count() - 2);
                    for (int i = 2; i < r.count(); i++) {
                        scoreOrNull(z, r, i, out);
                    }
                }
            }
            case ZRANK, ZREVRANK -> {
                ZSetValue z = find(r, 1, now);
                if (!wrong(z, out)) {
                    int rank = z == null ? -1 : z.rank(r.bytes, r.offset(2), r.length(2));
                    if (rank < 0) {
                        out.nullBulk();
                    } else {
                        out.integer(command == Command.ZRANK ? rank : z.size() - 1 - rank);
                    }
                }
            }
            case ZCOUNT, ZLEXCOUNT -> {
                ZRange range = ZRange.of(command == Command.ZCOUNT ? ZRange.By.SCORE : ZRange.By.LEX, r, 2, out);
                if (range == null) {
                    return;
                }
                ZSetValue z = find(r, 1, now);
                if (!wrong(z, out)) {
                    int[] span = z == null ? new int[2] : range.span(z);
                    out.integer(span[1] - span[0]);
                }
            }
            case ZRANGE, ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX -> {
                ZRange range = ZRange.parse(command, r, 1, false, out);
                if (range == null) {
                    return;
                }
                ZSetValue z = find(r, 1, now);
                if (z == null) {
                    out.arrayHeader(0);
                } else if (!wrong(z, out)) {
                    range.resolve(z);
                    ZSetAlgebra.members(z, range.first, range.count, range.reverse, range.withScores, out);
                }
            }
            case ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX -> removeRange(command, r, now, out);
            case ZPOPMIN, ZPOPMAX -> popCommand(command == Command.ZPOPMAX, r, now, out);
            case ZRANDMEMBER -> randomMembers(r, now, out);
            case ZSCAN -> scan(r, now, out);
            case ZRANGESTORE -> {
                ZRange range = ZRange.parse(command, r, 2, true, out);
                if (range == null) {
                    return;
                }
                ZSetValue z = find(r, 2, now);
                if (!wrong(z, out)) {
                    byte[] target = r.copy(1);
                    out.integer(store(target, rangeResult(z, range), now));
                }
            }
            case ZUNION, ZINTER, ZDIFF, ZINTERCARD, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE -> {
                int[] keys = ZSetAlgebra.keys(command, r, out);
                if (keys == null) {
                    return;
                }
                boolean store = ZSetAlgebra.stores(command);
                Object[] inputs = new Object[keys.length - (store ? 1 : 0)];
                for (int i = 0; i < inputs.length; i++) {
                    int at = keys[i + (store ? 1 : 0)];
                    inputs[i] = input(shard.live(r.bytes, r.offset(at), r.length(at), now), false);
                }
                ZSetAlgebra.Outcome outcome = ZSetAlgebra.combine(command, r, inputs, out);
                if (outcome != null) {
                    reply(command, r.copy(1), outcome, now, out);
                }
            }
            case ZMPOP -> {
                int[] keys = ZSetAlgebra.keys(command, r, out);
                ZSetAlgebra.Pop pop = keys == null ? null : ZSetAlgebra.pop(r, keys[keys.length - 1] + 1, out);
                if (pop == null) {
                    return;
                }
                for (int at : keys) {
                    Object popped = popFirst(r.copy(at), pop, now);
                    if (popped == WRONG) {
                        out.error(KvShard.WRONGTYPE);
                        return;
                    }
                    if (popped != null) {
                        mpopReply(r.copy(at), (Popped) popped, out);
                        return;
                    }
                }
                out.nullArray();
            }
            default -> throw new IllegalArgumentException(command + " is not a sorted-set command");
        }
    }

    /**
     * What a command of several keys reads from an entry: null (absent), a {@link ZSetValue} or a
     * {@link SetMembers} (a copy when {@code snapshot}, to be sent to another shard), or
     * {@link ZSetAlgebra#WRONG_TYPE}.
     */
    static Object input(KeyTable.Entry e, boolean snapshot) {
        if (e == null) {
            return null;
        }
        if (e.aggregate() instanceof ZSetValue || e.aggregate() instanceof SetMembers) {
            return snapshot ? e.aggregate().copy() : e.aggregate();
        }
        return ZSetAlgebra.WRONG_TYPE;
    }

    /** The reply of a ZUNION-like command once computed; the STORE forms store first. */
    void reply(Command command, byte[] target, ZSetAlgebra.Outcome outcome, long now, ReplyWriter out) {
        if (command == Command.ZINTERCARD) {
            out.integer(outcome.cardinality());
        } else if (ZSetAlgebra.stores(command)) {
            out.integer(store(target, outcome.result(), now));
        } else {
            ZSetValue z = outcome.result();
            ZSetAlgebra.members(z, 0, z.size(), false, outcome.withScores(), out);
        }
    }

    /** ZRANGESTORE's result: the range of {@code z} (null: absent) in a set of its own. */
    static ZSetValue rangeResult(ZSetValue z, ZRange range) {
        if (z == null) {
            return new ZSetValue();
        }
        range.resolve(z);
        ZSetValue result = ZSetValue.forResult(range.count, 0);
        z.visit(range.first, range.count, range.reverse, result::put);
        return result;
    }

    /**
     * Makes {@code key} hold {@code result} (owned from now on), whatever it held, without expiry;
     * an empty result deletes the key. Logged. Returns the result's size.
     */
    int store(byte[] key, ZSetValue result, long now) {
        return shard.store(key, 0, key.length, result, now);
    }

    /**
     * Puts back what a blocking pop took for a client whose connection closed meanwhile ({@link ZSetPop}),
     * with the scores it had, logged as a ZADD; nothing when the key holds another type by now (that
     * write came after the pop and replaced the whole set).
     */
    void putBack(byte[] key, Popped taken, long now) {
        KeyTable.Entry e = shard.live(key, 0, key.length, now);
        if (e != null && !(e.aggregate() instanceof ZSetValue)) {
            return;
        }
        if (e == null) {
            e = shard.table.insert(key, KeyTable.hash(key, 0, key.length), new ZSetValue());
            shard.created(e, now);
        }
        ZSetValue z = (ZSetValue) e.aggregate();
        for (int i = 0; i < taken.members().length; i++) {
            z.put(taken.members()[i], taken.scores()[i]);
        }
        e.version++;
        shard.table.account(e);
        if (shard.aof != null) {
            byte[][] members = taken.members();
            double[] scores = taken.scores();
            shard.aof.record(2 + 2 * members.length, w -> {
                w.bulk(ZADD).bulk(key);
                for (int i = 0; i < members.length; i++) {
                    w.bulk(Score.format(scores[i])).bulk(members[i]);
                }
            });
        }
        shard.blocking.signal(key, 0, key.length);
    }

    /**
     * ZMPOP's step on one key: pops from it if it is a sorted set with members, logged; null when
     * it is absent, {@link #WRONG} when it is of another type, else the {@link Popped}.
     */
    Object popFirst(byte[] key, ZSetAlgebra.Pop pop, long now) {
        KeyTable.Entry e = shard.live(key, 0, key.length, now);
        if (e == null) {
            return null;
        }
        if (!(e.aggregate() instanceof ZSetValue z)) {
            return WRONG;
        }
        entry = e;
        Object popped = pop(z, pop.max(), pop.count());
        if (z.size() > 0) {
            shard.table.account(e); // a step of ZMPOP across shards, outside a command here
        }
        return popped;
    }

    /** ZMPOP's reply: [key, [[member, score], ...]]. */
    static void mpopReply(byte[] key, Popped popped, ReplyWriter out) {
        out.arrayHeader(2).bulk(key);
        ZSetAlgebra.popped(popped.members(), popped.scores(), true, out);
    }

    // ---- one key ----

    /** The sorted set at argument {@code at}: null when absent, {@link #WRONG} for another type; sets {@link #entry}. */
    private ZSetValue find(Request r, int at, long now) {
        entry = shard.live(r.bytes, r.offset(at), r.length(at), now);
        if (entry == null) {
            return null;
        }
        return entry.aggregate() instanceof ZSetValue z ? z : WRONG;
    }

    /** True, after answering WRONGTYPE, when {@code z} is {@link #WRONG}. */
    private static boolean wrong(ZSetValue z, ReplyWriter out) {
        if (z == WRONG) {
            out.error(KvShard.WRONGTYPE);
            return true;
        }
        return false;
    }

    private static void scoreOrNull(ZSetValue z, Request r, int at, ReplyWriter out) {
        double score = z == null ? Double.NaN : z.score(r.bytes, r.offset(at), r.length(at));
        if (Double.isNaN(score)) {
            out.nullBulk();
        } else {
            ZSetAlgebra.score(out, score);
        }
    }

    /** The key of {@link #entry} changed: a new version, which a WATCH sees. */
    private void changed() {
        entry.version++;
    }

    /** Removes the key of {@link #entry} if its set became empty (its log's ZREM empties it on replay too). */
    private void dropIfEmpty(ZSetValue z) {
        if (z.size() == 0) {
            shard.table.remove(entry);
        }
    }

    /** Logs {@code ZREM key members...}. */
    private void logRemoved(byte[] key, byte[][] members) {
        if (shard.aof != null && members.length > 0) {
            shard.aof.record(2 + members.length, w -> {
                w.bulk(ZREM).bulk(key);
                for (byte[] member : members) {
                    w.bulk(member);
                }
            });
        }
    }

    /** ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member ..., and ZINCRBY key increment member ({@code incrBy}). */
    private void add(Request r, int from, boolean incrBy, long now, ReplyWriter out) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        boolean ch = false;
        boolean incr = incrBy;
        int at = from;
        for (; !incrBy && at < r.count(); at++) {
            if (r.is(at, NX)) {
                nx = true;
            } else if (r.is(at, XX)) {
                xx = true;
            } else if (r.is(at, GT)) {
                gt = true;
            } else if (r.is(at, LT)) {
                lt = true;
            } else if (r.is(at, CH)) {
                ch = true;
            } else if (r.is(at, INCR)) {
                incr = true;
            } else {
                break;
            }
        }
        int pairs = (r.count() - at) / 2;
        if ((r.count() - at) % 2 != 0 || pairs == 0) {
            out.error(KvShard.SYNTAX);
            return;
        }
        if (nx && xx) {
            out.error("ERR XX and NX options at the same time are not compatible");
            return;
        }
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            out.error("ERR GT, LT, and/or NX options at the same time are not compatible");
            return;
        }
        if (incr && pairs > 1) {
            out.error("ERR INCR option supports a single increment-element pair");
            return;
        }
        double[] scores = scratchScores(pairs);
        for (int i = 0; i < pairs; i++) {
            int s = at + 2 * i;
            scores[i] = Score.parse(r.bytes, r.offset(s), r.length(s));
            if (Double.isNaN(scores[i])) {
                out.error(NOT_FLOAT);
                return;
            }
        }
        ZSetValue z = find(r, 1, now);
        if (wrong(z, out)) {
            return;
        }
        if (z == null && xx) {
            if (incr) {
                out.nullBulk();
            } else {
                out.integer(0);
            }
            return;
        }
        if (z == null) {
            z = new ZSetValue();
            entry = shard.table.insert(r.copy(1), KeyTable.hash(r.bytes, r.offset(1), r.length(1)), z);
            shard.created(entry, now);
        }
        changed();
        int added = 0;
        int updated = 0;
        boolean processed = false;
        double result = 0;
        int[] logged = scratchChanged(pairs); // the pairs that changed, logged as the request gave them
        int loggedCount = 0;
        String failure = null;
        for (int i = 0; i < pairs; i++) {
            int m = at + 2 * i + 1;
            double current = z.score(r.bytes, r.offset(m), r.length(m));
            double score = scores[i];
            if (!Double.isNaN(current)) {
                if (nx) {
                    continue;
                }
                if (incr) {
                    score += current;
                    if (Double.isNaN(score)) {
                        failure = NAN_RESULT;
                        break;
                    }
                }
                if ((lt && score >= current) || (gt && score <= current)) {
                    continue;
                }
                processed = true;
                result = score;
                if (score != current) {
                    z.put(r.bytes, r.offset(m), r.length(m), score);
                    updated++;
                    logged[loggedCount++] = i;
                }
            } else if (!xx) {
                z.put(r.bytes, r.offset(m), r.length(m), score);
                added++;
                processed = true;
                result = score;
                logged[loggedCount++] = i;
            }
        }
        if (shard.aof != null && loggedCount > 0) {
            logAdd(r, at, logged, loggedCount, incr ? Score.format(result) : null);
        }
        if (added > 0) {
            shard.blocking.signal(entry.data, 0, entry.keyLength()); // BZPOPMIN & co. waiting for it
        }
        if (failure != null) {
            out.error(failure);
        } else if (incr) {
            if (processed) {
                ZSetAlgebra.score(out, result);
            } else {
                out.nullBulk();
            }
        } else {
            out.integer(ch ? added + updated : added);
        }
    }

    /**
     * Logs {@code ZADD key score member ...} of the pairs {@code changed[0, count)} of the request (pairs
     * from argument {@code at}): each score as the request gave it, which reads back to the same
     * double, or {@code incrScore} (ZINCRBY, ZADD INCR: one pair) as the sum it came to.
     */
    private void logAdd(Request r, int at, int[] changed, int count, byte[] incrScore) {
        byte[] key = entry.key();
        shard.aof.record(2 + 2 * count, w -> {
            w.bulk(ZADD).bulk(key);
            for (int j = 0; j < count; j++) {
                int s = at + 2 * changed[j];
                if (incrScore != null) {
                    w.bulk(incrScore);
                } else {
                    w.bulk(r.bytes, r.offset(s), r.length(s));
                }
                w.bulk(r.bytes, r.offset(s + 1), r.length(s + 1));
            }
        });
    }

    /** A ZADD's parsed scores: kept between requests, so that a ZADD allocates none. */
    private double[] scratchScores(int pairs) {
        if (parsedScores.length < pairs) {
            parsedScores = new double[Math.max(pairs, 2 * parsedScores.length)];
        }
        return parsedScores;
    }

    /** A ZADD's changed pairs: kept between requests as {@link #scratchScores}. */
    private int[] scratchChanged(int pairs) {
        if (changedPairs.length < pairs) {
            changedPairs = new int[Math.max(pairs, 2 * changedPairs.length)];
        }
        return changedPairs;
    }

    /** ZREM key member ... */
    private void remove(Request r, long now, ReplyWriter out) {
        ZSetValue z = find(r, 1, now);
        if (wrong(z, out)) {
            return;
        }
        int removed = 0;
        for (int i = 2; i < r.count() && z != null; i++) {
            removed += z.remove(r.bytes, r.offset(i), r.length(i)) ? 1 : 0;
        }
        if (removed > 0) {
            changed();
            if (shard.aof != null) {
                shard.aof.command(ZREM, r);
            }
            dropIfEmpty(z);
        }
        out.integer(removed);
    }

    /** ZREMRANGEBYRANK key start stop, ZREMRANGEBYSCORE key min max, ZREMRANGEBYLEX key min max. */
    private void removeRange(Command command, Request r, long now, ReplyWriter out) {
        ZRange range = ZRange.of(command == Command.ZREMRANGEBYRANK ? ZRange.By.RANK
                : command == Command.ZREMRANGEBYSCORE ? ZRange.By.SCORE : ZRange.By.LEX, r, 2, out);
        if (range == null) {
            return;
        }
        ZSetValue z = find(r, 1, now);
        if (z == null) {
            out.integer(0);
            return;
        }
        if (wrong(z, out)) {
            return;
        }
        int[] span = range.span(z);
        byte[][] removed = z.removeRanks(span[0], span[1]);
        if (removed.length > 0) {
            changed();
            logRemoved(entry.key(), removed);
            dropIfEmpty(z);
        }
        out.integer(removed.length);
    }

    /** Takes {@code count} members from the low end, or the high end ({@code max}) of the set of {@link #entry}; logged. */
    private Popped pop(ZSetValue z, boolean max, long count) {
        int n = (int) Math.min(count, z.size());
        byte[][] members = new byte[n][];
        double[] scores = new double[n];
        int[] at = {0};
        z.visit(max ? z.size() - 1 : 0, n, max, (member, score) -> {
            members[at[0]] = member;
            scores[at[0]++] = score;
        });
        for (byte[] member : members) {
            z.remove(member, 0, member.length);
        }
        if (n > 0) {
            changed();
            logRemoved(entry.key(), members);
            dropIfEmpty(z);
        }
        return new Popped(members, scores);
    }

    /** ZPOPMIN / ZPOPMAX key [count]. */
    private void popCommand(boolean max, Request r, long now, ReplyWriter out) {
        if (r.count() > 3) {
            out.error(KvShard.SYNTAX);
            return;
        }
        long count = 1;
        if (r.count() == 3) {
            if (!r.longAt(2) || r.number < 0) {
                out.error("ERR value is out of range, must be positive");
                return;
            }
            if (r.number == 0) {
                out.arrayHeader(0);
                return;
            }
            count = r.number;
        }
        ZSetValue z = find(r, 1, now);
        if (z == null) {
            out.arrayHeader(0);
        } else if (!wrong(z, out)) {
            Popped popped = pop(z, max, count);
            ZSetAlgebra.popped(popped.members(), popped.scores(), out.resp3() && r.count() == 3, out);
        }
    }

    /** ZRANDMEMBER key [count [WITHSCORES]]. */
    private void randomMembers(Request r, long now, ReplyWriter out) {
        long count = 0;
        boolean withScores = false;
        if (r.count() >= 3) {
            if (!r.longAt(2)) {
                out.error(KvShard.NOT_INTEGER);
                return;
            }
            count = r.number;
            if (count == Long.MIN_VALUE) {
                out.error("ERR value is out of range, value must between " + -Long.MAX_VALUE + " and " + Long.MAX_VALUE);
                return;
            }
            if (r.count() > 4 || (r.count() == 4 && !r.is(3, WITHSCORES))) {
                out.error(KvShard.SYNTAX);
                return;
            }
            withScores = r.count() == 4;
            if (withScores && (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2)) {
                out.error("ERR value is out of range");
                return;
            }
        }
        ZSetValue z = find(r, 1, now);
        if (wrong(z, out)) {
            return;
        }
        int size = z == null ? 0 : z.size();
        if (r.count() == 2) {
            if (z == null) {
                out.nullBulk();
            } else {
                z.visit(shard.random.nextInt(size), 1, false, (member, score) -> out.bulk(member));
            }
            return;
        }
        if (z == null || count == 0) {
            out.arrayHeader(0);
            return;
        }
        if (count >= size) { // the whole set, highest first as Redis 7.0 gives it
            ZSetAlgebra.members(z, size - 1, size, true, withScores, out);
            return;
        }
        int[] picks;
        if (count < 0) { // repeats allowed
            if (-count > Integer.MAX_VALUE / 2) {
                out.error("ERR value is out of range"); // no reply of that many elements fits a client's buffer
                return;
            }
            picks = new int[(int) -count];
            for (int i = 0; i < picks.length; i++) {
                picks[i] = shard.random.nextInt(size);
            }
        } else { // distinct: a partial shuffle
            int[] order = new int[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            for (int i = 0; i < count; i++) {
                int j = i + shard.random.nextInt(size - i);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            picks = Arrays.copyOf(order, (int) count);
        }
        boolean scored = withScores;
        out.arrayHeader(withScores && !out.resp3() ? 2L * picks.length : picks.length);
        for (int pick : picks) {
            z.visit(pick, 1, false, (member, score) -> ZSetAlgebra.member(out, member, score, scored));
        }
    }

    /** ZSCAN key cursor [MATCH pattern] [COUNT count]: members and their scores' text. */
    private void scan(Request r, long now, ReplyWriter out) {
        if (!ScanOptions.validCursor(r, out)) {
            return;
        }
        ZSetValue z = find(r, 1, now);
        if (!wrong(z, out)) {
            ScanOptions.scanPairs(r, z == null ? null : (from, count, visitor) -> z.scan(from, count, visitor::accept), out);
        }
    }
}
