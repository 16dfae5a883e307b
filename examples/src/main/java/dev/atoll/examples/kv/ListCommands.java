package dev.atoll.examples.kv;

/**
 * The list commands of one shard, as Redis 7.0's t_list.c answers them: LPUSH, RPUSH, LPUSHX,
 * RPUSHX, LPOP, RPOP (with a count), LLEN, LRANGE, LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS, and
 * LMOVE and RPOPLPUSH with both keys here (across shards, and the blocking commands: {@link ListPop}).
 * A list with no element left is no key, as in Redis. Runs on the shard that owns the key; logs
 * pushes as LPUSH/RPUSH, pops as {@code LPOP key n}/{@code RPOP key n}, and LSET, LINSERT, LREM and
 * LTRIM as given (they replay the same on the same list); {@link #replay} reads them back. Every push
 * tells the shard's {@link Blocking} registry that the key may serve a blocked client.
 */
final class ListCommands {
    static final byte[] LPUSH = ReplyWriter.asciiBytes("LPUSH");
    static final byte[] RPUSH = ReplyWriter.asciiBytes("RPUSH");
    static final byte[] LPOP = ReplyWriter.asciiBytes("LPOP");
    static final byte[] RPOP = ReplyWriter.asciiBytes("RPOP");
    private static final byte[] LSET = ReplyWriter.asciiBytes("LSET");
    private static final byte[] LINSERT = ReplyWriter.asciiBytes("LINSERT");
    private static final byte[] LREM = ReplyWriter.asciiBytes("LREM");
    private static final byte[] LTRIM = ReplyWriter.asciiBytes("LTRIM");
    static final byte[] LEFT = ReplyWriter.asciiBytes("left");
    static final byte[] RIGHT = ReplyWriter.asciiBytes("right");
    private static final byte[] BEFORE = ReplyWriter.asciiBytes("before");
    private static final byte[] AFTER = ReplyWriter.asciiBytes("after");
    private static final byte[] RANK = ReplyWriter.asciiBytes("rank");
    private static final byte[] COUNT = ReplyWriter.asciiBytes("count");
    private static final byte[] MAXLEN = ReplyWriter.asciiBytes("maxlen");
    private static final byte[] LOWER_LPUSH = ReplyWriter.asciiBytes("lpush");
    private static final byte[] LOWER_RPUSH = ReplyWriter.asciiBytes("rpush");
    private static final byte[] LOWER_LPOP = ReplyWriter.asciiBytes("lpop");
    private static final byte[] LOWER_RPOP = ReplyWriter.asciiBytes("rpop");
    private static final byte[] LOWER_LSET = ReplyWriter.asciiBytes("lset");
    private static final byte[] LOWER_LINSERT = ReplyWriter.asciiBytes("linsert");
    private static final byte[] LOWER_LREM = ReplyWriter.asciiBytes("lrem");
    private static final byte[] LOWER_LTRIM = ReplyWriter.asciiBytes("ltrim");
    static final String MUST_BE_POSITIVE = "ERR value is out of range, must be positive";

    private final KvShard shard;
    /** The range {@link #range} parsed last. */
    private long start;
    private long stop;

    ListCommands(KvShard shard) {
        this.shard = shard;
    }

    void run(Command command, Request r, long now, ReplyWriter out) {
        byte[] b = r.bytes;
        switch (command) {
            case LPUSH, RPUSH, LPUSHX, RPUSHX -> {
                KeyTable.Entry e = shard.live(b, r.offset(1), r.length(1), now);
                if (notList(e, out)) {
                    return;
                }
                boolean exists = command == Command.LPUSHX || command == Command.RPUSHX;
                if (exists && e == null) {
                    out.integer(0);
                    return;
                }
                boolean left = command == Command.LPUSH || command == Command.LPUSHX;
                ListValue list = (ListValue) (e == null ? create(r.copy(1), now) : e).aggregate();
                for (int i = 2; i < r.count(); i++) {
                    list.push(left, r.copy(i));
                }
                if (e != null) {
                    e.version++;
                }
                if (shard.aof != null) {
                    shard.aof.command(left ? LPUSH : RPUSH, r);
                }
                shard.blocking.signal(r.bytes, r.offset(1), r.length(1));
                out.integer(list.size());
            }
            case LPOP, RPOP -> pop(command, r, now, out);
            case LLEN -> {
                KeyTable.Entry e = shard.live(b, r.offset(1), r.length(1), now);
                if (!notList(e, out)) {
                    out.integer(e == null ? 0 : e.aggregate().size());
                }
            }
            case LRANGE -> {
                if (!range(r, out)) {
                    return;
                }
                KeyTable.Entry e = shard.live(b, r.offset(1), r.length(1), now);
                if (notList(e, out)) {
                    return;
                }
                if (e == null) {
                    out.arrayHeader(0);
                    return;
                }
                ListValue list = (ListValue) e.aggregate();
                long from = from(start, list.size());
                long to = to(stop, list.size());
                if (from > to) {
                    out.arrayHeader(0);
                    return;
                }
                out.arrayHeader(to - from + 1);
                for (int i = (int) from; i <= to && !out.full(); i++) {
                    out.bulk(list.get(i));
                }
            }
            case LINDEX -> {
                KeyTable.Entry e = shard.live(b, r.offset(1), r.length(1), now);
                if (e == null) {
                    out.nullBulk();
                } else if (!notList(e, out)) {
                    if (!r.longAt(2)) {
                        out.error(KvShard.NOT_INTEGER);
                        return;
                    }
                    ListValue list = (ListValue) e.aggregate();
                    int at = list.position(r.number);
                    if (at < 0) {
                        out.nullBulk();
                    } else {
                        out.bulk(list.get(at));
                    }
                }
            }
            case LSET -> {
                KeyTable.Entry e = shard.live(b, r.offset(1), r.length(1), now);
                if (e == null) {
                    out.error("ERR no such key");
                } else if (!notList(e, out)) {
                    if (!r.longAt(2)) {
                        out.error(KvShard.NOT_INTEGER);
                        return;
                    }
                    ListValue list = (ListValue) e.aggregate();
                    int at = list.position(r.number);
                    if (at < 0) {
                        out.error("ERR index out of range");
                        return;
                    }
                    list.set(at, r.copy(3));
                    e.version++;
                    log(LSET, r);
                    out.ok();
                }
            }
            case LINSERT -> {
                boolean after = r.is(2, AFTER);
                if (!after && !r.is(2, BEFORE)) {
                    out.error(KvShard.SYNTAX);
                    return;
                }
                KeyTable.Entry e = shard.live(b, r.offset(1), r.length(1), now);
                if (e == null) {
                    out.integer(0);
                } else if (!notList(e, out)) {
                    ListValue list = (ListValue) e.aggregate();
                    int pivot = list.indexOf(b, r.offset(3), r.length(3));
                    if (pivot < 0) {
                        out.integer(-1);
                        return;
                    }
                    list.insert(after ? pivot + 1 : pivot, r.copy(4));
                    e.version++;
                    log(LINSERT, r);
                    out.integer(list.size());
                }
            }
            case LREM -> {
                if (!r.longAt(2)) {
                    out.error(KvShard.NOT_INTEGER);
                    return;
                }
                KeyTable.Entry e = shard.live(b, r.offset(1), r.length(1), now);
                if (e == null) {
                    out.integer(0);
                } else if (!notList(e, out)) {
                    ListValue list = (ListValue) e.aggregate();
                    int removed = list.removeMatching(b, r.offset(3), r.length(3), r.number);
                    if (removed > 0) {
                        e.version++;
                        log(LREM, r);
                        removeIfEmpty(e, list);
                    }
                    out.integer(removed);
                }
            }
            case LTRIM -> {
                if (!range(r, out)) {
                    return;
                }
                KeyTable.Entry e = shard.live(b, r.offset(1), r.length(1), now);
                if (e == null) {
                    out.ok();
                } else if (!notList(e, out)) {
                    trim((ListValue) e.aggregate(), start, stop);
                    e.version++;
                    log(LTRIM, r);
                    removeIfEmpty(e, (ListValue) e.aggregate());
                    out.ok();
                }
            }
            case LPOS -> position(r, now, out);
            case LMOVE, RPOPLPUSH -> move(command, r, now, out);
            default -> throw new IllegalArgumentException(command + " is not a list command");
        }
    }

    /** LRANGE's and LTRIM's start (argument 2) and stop (3), into {@link #start} and {@link #stop}; false after the error. */
    private boolean range(Request r, ReplyWriter out) {
        if (!r.longAt(2)) {
            out.error(KvShard.NOT_INTEGER);
            return false;
        }
        start = r.number;
        if (!r.longAt(3)) {
            out.error(KvShard.NOT_INTEGER);
            return false;
        }
        stop = r.number;
        return true;
    }

    /** The first index of a range as Redis clamps it: negative counts from the end; {@code size} or more: empty. */
    private static long from(long start, int size) {
        return start < 0 ? Math.max(0, size + start) : start;
    }

    /** The last index of a range as Redis clamps it: negative counts from the end, past the end is the end. */
    private static long to(long stop, int size) {
        return stop < 0 ? size + stop : Math.min(stop, size - 1L);
    }

    /** LTRIM of {@code list} to its range {@code start} to {@code stop}. */
    private static void trim(ListValue list, long start, long stop) {
        long from = from(start, list.size());
        long to = to(stop, list.size());
        if (from > to) {
            list.trim(1, 0); // nothing stays
        } else {
            list.trim((int) from, (int) to);
        }
    }

    /** LPOP and RPOP key [count]: a bulk without a count, an array with one; null (of that shape) when absent. */
    private void pop(Command command, Request r, long now, ReplyWriter out) {
        if (r.count() > 3) {
            out.error(KvConnection.wrongArity(command.lowerName));
            return;
        }
        boolean counted = r.count() == 3;
        long count = 1;
        if (counted) {
            if (!r.longAt(2) || r.number < 0) {
                out.error(MUST_BE_POSITIVE);
                return;
            }
            count = r.number;
        }
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (e == null) {
            if (counted) {
                out.nullArray();
            } else {
                out.nullBulk();
            }
            return;
        }
        if (notList(e, out)) {
            return;
        }
        if (count == 0) {
            out.arrayHeader(0);
            return;
        }
        if (!counted) {
            out.bulk(popOne(e, command == Command.LPOP));
            return;
        }
        byte[][] popped = pop(e, command == Command.LPOP, count);
        out.arrayHeader(popped.length);
        for (byte[] element : popped) {
            out.bulk(element);
        }
    }

    /** Pops the head ({@code left}) or tail of the list of {@code e} as {@link #pop} pops one, without an array to return it in. */
    byte[] popOne(KeyTable.Entry e, boolean left) {
        byte[] element = ((ListValue) e.aggregate()).pop(left);
        popped(e, left, 1);
        return element;
    }

    /**
     * Pops up to {@code count} elements from the head ({@code left}) or tail of the list of {@code e},
     * logs it and removes the key if it emptied. Also for {@link ListPop} on this shard.
     */
    byte[][] pop(KeyTable.Entry e, boolean left, long count) {
        ListValue list = (ListValue) e.aggregate();
        byte[][] popped = new byte[(int) Math.min(count, list.size())][];
        for (int i = 0; i < popped.length; i++) {
            popped[i] = list.pop(left);
        }
        popped(e, left, popped.length);
        return popped;
    }

    /** After {@code count} elements were popped from the list of {@code e}: logs it and removes the key if it emptied. */
    private void popped(KeyTable.Entry e, boolean left, int count) {
        e.version++;
        if (shard.aof != null) {
            shard.aof.pop(left ? LPOP : RPOP, e.key(), count);
        }
        if (((ListValue) e.aggregate()).size() == 0) {
            shard.table.remove(e); // its records replay to the same empty list, which replay removes too
        } else {
            shard.table.account(e); // also when popped for a blocked client or a move, outside a command
        }
    }

    /**
     * Pushes {@code elements} in order at the head ({@code left}) or tail of the list {@code key}
     * (created when absent; the caller checked it is no other type), logs it, and tells the blocking
     * registry. Also for {@link ListPop} on this shard.
     */
    void push(byte[] key, boolean left, byte[][] elements, long now) {
        KeyTable.Entry e = shard.live(key, 0, key.length, now);
        if (e == null) {
            e = create(key, now);
        } else {
            e.version++;
        }
        ListValue list = (ListValue) e.aggregate();
        for (byte[] element : elements) {
            list.push(left, element);
        }
        if (shard.aof != null) {
            shard.aof.push(left ? LPUSH : RPUSH, key, elements);
        }
        pushed(e);
    }

    /**
     * As {@link #push} of the one element {@code element}, without an array, to the list {@code
     * key[offset, offset + length)}: the key is copied only when the list is created (a move's).
     */
    void pushOne(byte[] key, int offset, int length, boolean left, byte[] element, long now) {
        KeyTable.Entry e = shard.live(key, offset, length, now);
        if (e == null) {
            e = create(java.util.Arrays.copyOfRange(key, offset, offset + length), now);
        } else {
            e.version++;
        }
        ((ListValue) e.aggregate()).push(left, element);
        if (shard.aof != null) {
            shard.aof.push(left ? LPUSH : RPUSH, e.key(), element); // a list's key(): its own array, not a copy
        }
        pushed(e);
    }

    /** After a push to the list of {@code e}: counted again, and the clients blocked on it told. */
    private void pushed(KeyTable.Entry e) {
        shard.table.account(e); // also when pushed by a move, outside a command
        shard.blocking.signal(e.data, 0, e.keyLength());
    }

    /** LMOVE source destination LEFT|RIGHT LEFT|RIGHT, RPOPLPUSH source destination: both keys on this shard. */
    private void move(Command command, Request r, long now, ReplyWriter out) {
        boolean fromLeft = false;
        boolean toLeft = true;
        if (command == Command.LMOVE) {
            int from = side(r, 3, out);
            int to = from < 0 ? -1 : side(r, 4, out);
            if (to < 0) {
                return;
            }
            fromLeft = from == 1;
            toLeft = to == 1;
        }
        byte[] b = r.bytes;
        KeyTable.Entry source = shard.live(b, r.offset(1), r.length(1), now);
        if (source == null) {
            out.nullBulk();
            return;
        }
        if (notList(source, out)) {
            return;
        }
        KeyTable.Entry target = shard.live(b, r.offset(2), r.length(2), now);
        if (notList(target, out)) {
            return;
        }
        out.bulk(moveHere(source, fromLeft, b, r.offset(2), r.length(2), toLeft, now));
    }

    /**
     * Moves one element from the list of {@code source} to the list {@code target[offset, offset + length)}
     * on this shard (the caller checked both types), allocating nothing when the target exists. The same
     * key rotates in place: it never empties in between, so it keeps its expiry, as in Redis.
     */
    byte[] moveHere(KeyTable.Entry source, boolean fromLeft, byte[] target, int offset, int length, boolean toLeft, long now) {
        ListValue list = (ListValue) source.aggregate();
        if (list.size() == 1 && java.util.Arrays.equals(source.data, 0, source.keyLength(), target, offset, offset + length)) {
            source.version++; // a rotation of one element leaves the list as it was: nothing to log
            return list.get(0);
        }
        byte[] element = popOne(source, fromLeft);
        pushOne(target, offset, length, toLeft, element, now);
        return element;
    }

    /** LEFT (1) or RIGHT (0) at argument {@code i}; -1 after a syntax error. */
    static int side(Request r, int i, ReplyWriter out) {
        if (r.is(i, LEFT)) {
            return 1;
        }
        if (r.is(i, RIGHT)) {
            return 0;
        }
        out.error(KvShard.SYNTAX);
        return -1;
    }

    /** LPOS key element [RANK rank] [COUNT count] [MAXLEN len]. */
    private void position(Request r, long now, ReplyWriter out) {
        long rank = 1;
        long count = -1;
        long maxlen = 0;
        for (int i = 3; i < r.count(); i++) {
            boolean more = i + 1 < r.count();
            if (r.is(i, RANK) && more) {
                if (!r.longAt(++i)) {
                    out.error(KvShard.NOT_INTEGER);
                    return;
                }
                rank = r.number;
                if (rank == 0) {
                    out.error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
                            + "or use negative to start from the end of the list");
                    return;
                }
            } else if (r.is(i, COUNT) && more) {
                if (!r.longAt(++i) || r.number < 0) {
                    out.error("ERR COUNT can't be negative");
                    return;
                }
                count = r.number;
            } else if (r.is(i, MAXLEN) && more) {
                if (!r.longAt(++i) || r.number < 0) {
                    out.error("ERR MAXLEN can't be negative");
                    return;
                }
                maxlen = r.number;
            } else {
                out.error(KvShard.SYNTAX);
                return;
            }
        }
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (notList(e, out)) {
            return;
        }
        if (e == null) {
            if (count != -1) {
                out.arrayHeader(0);
            } else {
                out.nullBulk();
            }
            return;
        }
        ListValue list = (ListValue) e.aggregate();
        int size = list.size();
        boolean fromHead = rank > 0;
        long wanted = Math.abs(rank);
        long limit = maxlen == 0 ? size : Math.min(maxlen, size);
        long matches = 0;
        int[] found = count > 0 ? new int[(int) Math.min(count, size)] : count == 0 ? new int[size] : null;
        int foundCount = 0;
        for (int step = 0; step < limit; step++) {
            int index = fromHead ? step : size - 1 - step;
            if (!ListValue.equal(list.get(index), r.bytes, r.offset(2), r.length(2))) {
                continue;
            }
            matches++;
            if (matches < wanted) {
                continue;
            }
            if (found == null) {
                out.integer(index);
                return;
            }
            found[foundCount++] = index;
            if (count != 0 && foundCount >= count) {
                break;
            }
        }
        if (found == null) {
            out.nullBulk();
            return;
        }
        out.arrayHeader(foundCount);
        for (int i = 0; i < foundCount; i++) {
            out.integer(found[i]);
        }
    }

    /** True, after answering WRONGTYPE, when {@code e} exists and holds no list. */
    static boolean notList(KeyTable.Entry e, ReplyWriter out) {
        if (e != null && !(e.aggregate() instanceof ListValue)) {
            out.error(KvShard.WRONGTYPE);
            return true;
        }
        return false;
    }

    /** A new empty list under {@code key} (no expiry). */
    private KeyTable.Entry create(byte[] key, long now) {
        KeyTable.Entry e = shard.table.insert(key, KeyTable.hash(key, 0, key.length), new ListValue());
        shard.created(e, now);
        return e;
    }

    private void removeIfEmpty(KeyTable.Entry e, ListValue list) {
        if (list.size() == 0) {
            shard.table.remove(e); // its records replay to the same empty list, which replay removes too
        }
    }

    private void log(byte[] name, Request r) {
        if (shard.aof != null) {
            shard.aof.command(name, r);
        }
    }

    /**
     * Applies a list record of the log to {@code table}: true when {@code r} is one (LPUSH, RPUSH,
     * LPOP, RPOP, LSET, LINSERT, LREM, LTRIM) and it applied; false for any other command, or one
     * malformed or against a key of another type — the log never writes those.
     */
    static boolean replay(Request r, KeyTable table) {
        byte[] b = r.bytes;
        int n = r.count();
        boolean push = r.is(0, LOWER_LPUSH) || r.is(0, LOWER_RPUSH);
        boolean popRecord = r.is(0, LOWER_LPOP) || r.is(0, LOWER_RPOP);
        boolean other = r.is(0, LOWER_LSET) || r.is(0, LOWER_LINSERT) || r.is(0, LOWER_LREM) || r.is(0, LOWER_LTRIM);
        if (!push && !popRecord && !other || n < 2) {
            return false;
        }
        int hash = KeyTable.hash(b, r.offset(1), r.length(1));
        KeyTable.Entry e = table.find(b, r.offset(1), r.length(1), hash);
        if (e != null && !(e.aggregate() instanceof ListValue)) {
            return false;
        }
        if (push) {
            if (n < 3) {
                return false;
            }
            if (e == null) {
                e = table.insert(r.copy(1), hash, new ListValue());
            }
            for (int i = 2; i < n; i++) {
                ((ListValue) e.aggregate()).push(r.is(0, LOWER_LPUSH), r.copy(i));
            }
            return true;
        }
        if (e == null) {
            return popRecord && n == 3 && r.longAt(2); // a pop of what a later record already removed cannot be
        }
        ListValue list = (ListValue) e.aggregate();
        if (popRecord) {
            if (n != 3 || !r.longAt(2) || r.number < 0) {
                return false;
            }
            for (long i = 0; i < r.number && list.size() > 0; i++) {
                list.pop(r.is(0, LOWER_LPOP));
            }
        } else if (r.is(0, LOWER_LSET)) {
            if (n != 4 || !r.longAt(2)) {
                return false;
            }
            int at = list.position(r.number);
            if (at < 0) {
                return false;
            }
            list.set(at, r.copy(3));
        } else if (r.is(0, LOWER_LINSERT)) {
            if (n != 5 || !(r.is(2, AFTER) || r.is(2, BEFORE))) {
                return false;
            }
            int pivot = list.indexOf(b, r.offset(3), r.length(3));
            if (pivot >= 0) {
                list.insert(r.is(2, AFTER) ? pivot + 1 : pivot, r.copy(4));
            }
        } else if (r.is(0, LOWER_LREM)) {
            if (n != 4 || !r.longAt(2)) {
                return false;
            }
            list.removeMatching(b, r.offset(3), r.length(3), r.number);
        } else {
            if (n != 4 || !r.longAt(2)) {
                return false;
            }
            long start = r.number;
            if (!r.longAt(3)) {
                return false;
            }
            trim(list, start, r.number);
        }
        if (list.size() == 0) {
            table.remove(e);
        }
        return true;
    }
}
