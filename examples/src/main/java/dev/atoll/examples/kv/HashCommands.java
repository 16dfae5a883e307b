package dev.atoll.examples.kv;

import java.math.BigDecimal;

/**
 * The hash commands, as Redis 7.0's t_hash.c answers them: HSET, HMSET, HSETNX, HGET, HMGET, HDEL,
 * HLEN, HEXISTS, HGETALL, HKEYS, HVALS, HINCRBY, HINCRBYFLOAT, HSTRLEN, HRANDFIELD, HSCAN. A hash
 * with no field left is no key, as in Redis. Runs on the shard that owns the key; logs what it
 * changes as HSET and HDEL records.
 */
final class HashCommands {
    private static final byte[] HSET = ReplyWriter.asciiBytes("HSET");
    private static final byte[] HDEL = ReplyWriter.asciiBytes("HDEL");
    private static final byte[] WITHVALUES = ReplyWriter.asciiBytes("withvalues");

    private final KvShard shard;
    private final Request number = new Request();
    /** Where the field a command asks for was found: one for the shard, so that a lookup allocates nothing. */
    private final Hashes.Found found = new Hashes.Found();

    HashCommands(KvShard shard) {
        this.shard = shard;
    }

    void run(Command command, Request r, long now, ReplyWriter out) {
        byte[] b = r.bytes;
        KeyTable.Entry e = shard.live(b, r.offset(1), r.length(1), now);
        if (e != null && !Hashes.isHash(e)) {
            // Redis checks an increment before the key's type.
            if (command == Command.HINCRBY && !r.longAt(3)) {
                out.error(KvShard.NOT_INTEGER);
            } else if (command != Command.HINCRBYFLOAT || validIncrement(r, out)) {
                out.error(KvShard.WRONGTYPE);
            }
            return;
        }
        KeyTable table = shard.table;
        if (e != null && command.writes) {
            e.version++; // changed, or as good as: a move of the key in progress keeps its source
        }
        switch (command) {
            case HSET, HMSET -> {
                if (r.count() % 2 != 0) {
                    out.error(KvConnection.wrongArity(command.lowerName));
                    return;
                }
                KeyTable.Entry h = create(e, r, now);
                int added = 0;
                for (int i = 2; i < r.count(); i += 2) {
                    added += Hashes.put(table, h, b, r.offset(i), r.length(i), b, r.offset(i + 1), r.length(i + 1)) ? 1 : 0;
                }
                if (shard.aof != null) {
                    shard.aof.command(HSET, r);
                }
                if (command == Command.HSET) {
                    out.integer(added);
                } else {
                    out.ok();
                }
            }
            case HSETNX -> {
                if (e != null && Hashes.get(e, b, r.offset(2), r.length(2), found)) {
                    out.integer(0);
                    return;
                }
                set(create(e, r, now), r, r.copy(3));
                out.integer(1);
            }
            case HGET -> field(e, r, 2, out);
            case HMGET -> {
                out.arrayHeader(r.count() - 2);
                for (int i = 2; i < r.count(); i++) {
                    field(e, r, i, out);
                }
            }
            case HDEL -> {
                int removed = 0;
                for (int i = 2; i < r.count() && e != null; i++) {
                    removed += Hashes.remove(table, e, b, r.offset(i), r.length(i)) ? 1 : 0;
                }
                if (removed > 0) {
                    if (shard.aof != null) {
                        shard.aof.command(HDEL, r);
                    }
                    if (Hashes.size(e) == 0) {
                        table.remove(e); // the replay of the HDEL removes it too
                    }
                }
                out.integer(removed);
            }
            case HLEN -> out.integer(e == null ? 0 : Hashes.size(e));
            case HEXISTS -> out.integer(e != null && Hashes.get(e, b, r.offset(2), r.length(2), found) ? 1 : 0);
            case HSTRLEN -> out.integer(e != null && Hashes.get(e, b, r.offset(2), r.length(2), found) ? found.length : 0);
            case HGETALL -> {
                out.mapHeader(e == null ? 0 : Hashes.size(e));
                if (e != null) {
                    Hashes.forEachRange(e, (f, fo, fl, v, vo, vl) -> out.bulk(f, fo, fl).bulk(v, vo, vl));
                }
            }
            case HKEYS -> {
                out.arrayHeader(e == null ? 0 : Hashes.size(e));
                if (e != null) {
                    Hashes.forEachRange(e, (f, fo, fl, v, vo, vl) -> out.bulk(f, fo, fl));
                }
            }
            case HVALS -> {
                out.arrayHeader(e == null ? 0 : Hashes.size(e));
                if (e != null) {
                    Hashes.forEachRange(e, (f, fo, fl, v, vo, vl) -> out.bulk(v, vo, vl));
                }
            }
            case HINCRBY -> incrBy(e, r, now, out);
            case HINCRBYFLOAT -> incrByFloat(e, r, now, out);
            case HRANDFIELD -> randomFields(e, r, out);
            case HSCAN -> scan(e, r, out);
            default -> throw new IllegalArgumentException(command + " is not a hash command");
        }
    }

    /** The value of the field that is argument {@code i} in the hash of {@code e} (null: absent), or a null bulk string. */
    private void field(KeyTable.Entry e, Request r, int i, ReplyWriter out) {
        if (e != null && Hashes.get(e, r.bytes, r.offset(i), r.length(i), found)) {
            out.bulk(found.array, found.offset, found.length);
        } else {
            out.nullBulk();
        }
    }

    /** HINCRBYFLOAT's increment is checked before the key's type, as Redis does; false after its error reply. */
    private static boolean validIncrement(Request r, ReplyWriter out) {
        BigDecimal increment = StringCommands.parseFloat(r.bytes, r.offset(3), r.length(3));
        if (increment == null) {
            out.error(StringCommands.NOT_FLOAT);
            return false;
        }
        if (increment == StringCommands.INFINITE) {
            out.error("ERR value is NaN or Infinity");
            return false;
        }
        return true;
    }

    /** The key holding the hash: {@code e}, or made (a hash of no field yet, no expiry) when the key is absent. */
    private KeyTable.Entry create(KeyTable.Entry e, Request r, long now) {
        if (e != null) {
            return e;
        }
        int hash = KeyTable.hash(r.bytes, r.offset(1), r.length(1));
        KeyTable.Entry created = HashListpack.insert(shard.table, r.bytes, r.offset(1), r.length(1), hash);
        shard.created(created, now);
        return created;
    }

    /** Sets the field that is argument 2 of the hash of {@code e} to {@code value} and logs it. */
    private void set(KeyTable.Entry e, Request r, byte[] value) {
        byte[] field = r.copy(2);
        Hashes.put(shard.table, e, field, value);
        if (shard.aof != null) {
            shard.aof.hset(r.copy(1), field, value);
        }
    }

    /** HINCRBY key field increment. */
    private void incrBy(KeyTable.Entry e, Request r, long now, ReplyWriter out) {
        if (!r.longAt(3)) {
            out.error(KvShard.NOT_INTEGER);
            return;
        }
        long delta = r.number;
        long value = 0;
        if (e != null && Hashes.get(e, r.bytes, r.offset(2), r.length(2), found)) {
            if (!number.parseLong(found.array, found.offset, found.length)) {
                out.error("ERR hash value is not an integer");
                return;
            }
            value = number.number;
        }
        if ((delta > 0 && value > Long.MAX_VALUE - delta) || (delta < 0 && value < Long.MIN_VALUE - delta)) {
            out.error("ERR increment or decrement would overflow");
            return;
        }
        value += delta;
        set(create(e, r, now), r, Decimal.bytes(value));
        out.integer(value);
    }

    /** HINCRBYFLOAT key field increment: INCRBYFLOAT's arithmetic and format. */
    private void incrByFloat(KeyTable.Entry e, Request r, long now, ReplyWriter out) {
        if (!validIncrement(r, out)) {
            return;
        }
        BigDecimal increment = StringCommands.parseFloat(r.bytes, r.offset(3), r.length(3));
        BigDecimal value = e == null || !Hashes.get(e, r.bytes, r.offset(2), r.length(2), found)
                ? BigDecimal.ZERO : StringCommands.parseFloat(found.array, found.offset, found.length);
        if (value == null) {
            out.error("ERR hash value is not a float");
            return;
        }
        if (value == StringCommands.INFINITE) {
            out.error("ERR increment would produce NaN or Infinity");
            return;
        }
        byte[] text = StringCommands.formatFloat(StringCommands.longDouble(value.add(increment)));
        set(create(e, r, now), r, text);
        out.bulk(text);
    }

    /** HRANDFIELD key [count [WITHVALUES]]. */
    private void randomFields(KeyTable.Entry h, Request r, ReplyWriter out) {
        if (r.count() == 2) {
            if (h == null) {
                out.nullBulk();
            } else {
                int pick = shard.random.nextInt(Hashes.size(h));
                int[] at = {0};
                Hashes.forEachRange(h, (f, fo, fl, v, vo, vl) -> {
                    if (at[0]++ == pick) {
                        out.bulk(f, fo, fl);
                    }
                });
            }
            return;
        }
        if (!r.longAt(2)) {
            out.error(KvShard.NOT_INTEGER);
            return;
        }
        long count = r.number;
        if (count == Long.MIN_VALUE) {
            out.error("ERR value is out of range, value must between " + -Long.MAX_VALUE + " and " + Long.MAX_VALUE);
            return;
        }
        boolean withValues = false;
        if (r.count() >= 4) {
            if (r.count() > 4 || !r.is(3, WITHVALUES)) {
                out.error(KvShard.SYNTAX);
                return;
            }
            if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
                out.error("ERR value is out of range");
                return;
            }
            withValues = true;
        }
        if (h == null || count == 0) {
            out.arrayHeader(0);
            return;
        }
        byte[][] pairs = Hashes.pairs(h);
        int size = Hashes.size(h);
        int[] picks;
        if (count < 0) { // repeats allowed
            long n = -count;
            if (n > Integer.MAX_VALUE / 2) {
                out.error("ERR value is out of range"); // no reply of that many elements fits a client's buffer
                return;
            }
            picks = new int[(int) n];
            for (int i = 0; i < picks.length; i++) {
                picks[i] = shard.random.nextInt(size);
            }
        } else { // distinct: a partial shuffle, or the whole hash in its order
            int n = (int) Math.min(count, size);
            int[] order = new int[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            if (n < size) {
                for (int i = 0; i < n; i++) {
                    int j = i + shard.random.nextInt(size - i);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
            }
            picks = java.util.Arrays.copyOf(order, n);
        }
        boolean nested = withValues && out.resp3();
        out.arrayHeader(withValues && !nested ? 2L * picks.length : picks.length);
        for (int pick : picks) {
            if (nested) {
                out.arrayHeader(2);
            }
            out.bulk(pairs[2 * pick]);
            if (withValues) {
                out.bulk(pairs[2 * pick + 1]);
            }
        }
    }

    /** HSCAN key cursor [MATCH pattern] [COUNT count]. */
    private void scan(KeyTable.Entry h, Request r, ReplyWriter out) {
        if (ScanOptions.validCursor(r, out)) {
            ScanOptions.scanPairs(r, h == null ? null : (from, count, visitor) -> Hashes.scan(h, from, count, visitor::accept), out);
        }
    }
}
