package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * SORT and SORT_RO as Redis 7.0's sort.c runs them, on the shard that owns the sorted key: the
 * elements of a list, set or sorted set, as numbers (C's {@code strtod}, ties in the order of the
 * elements' bytes) or with ALPHA as bytes; BY a pattern ({@code weight_*}, {@code h_*->field}; a
 * pattern without {@code *} does not sort), LIMIT, GET patterns ({@code #} is the element), DESC,
 * and STORE into a list.
 *
 * <p>With several shards, every key a BY or GET pattern forms must be on the sorted key's shard (a
 * hash tag in the pattern puts them there); otherwise the command answers an error and changes
 * nothing. Redis Cluster refuses BY and GET patterns outright. A STORE destination on another shard
 * makes it an {@link AcrossShards}: the sorted key's owner sorts, the destination's owner stores.
 */
final class SortCommand {
    static final String NOT_DOUBLE = "ERR One or more scores can't be converted into double";
    private static final byte[] ASC = ReplyWriter.asciiBytes("asc");
    private static final byte[] DESC = ReplyWriter.asciiBytes("desc");
    private static final byte[] ALPHA = ReplyWriter.asciiBytes("alpha");
    private static final byte[] LIMIT = ReplyWriter.asciiBytes("limit");
    private static final byte[] STORE = ReplyWriter.asciiBytes("store");
    private static final byte[] BY = ReplyWriter.asciiBytes("by");
    private static final byte[] GET = ReplyWriter.asciiBytes("get");
    private static final byte[] EMPTY = new byte[0];

    private final KvShard shard;
    private final Hashes.Found found = new Hashes.Found();
    /** A key a pattern formed that another shard owns, seen by {@link #lookup} during this command; else null. */
    private byte[] foreign;

    SortCommand(KvShard shard) {
        this.shard = shard;
    }

    /** One element and what it is sorted by: a number, or bytes (null: BY found no value). */
    private record Item(byte[] element, double score, byte[] by) { }

    /** The options of one SORT, as parsed. */
    private static final class Options {
        boolean desc;
        boolean alpha;
        long limitStart;
        long limitCount = -1;
        int by = -1;
        int store = -1;
        boolean dontSort;
        final List<Integer> gets = new ArrayList<>(2);
    }

    /**
     * Where SORT's STORE destination is among the arguments of {@code r}, or -1 (for WATCH, locks and
     * transactions, which need every key). Read as {@link #run} reads the options.
     */
    static int storeIndex(Command command, Request r) {
        if (command != Command.SORT) {
            return -1;
        }
        int store = -1;
        for (int j = 2; j < r.count(); j++) {
            int left = r.count() - j - 1;
            if (r.is(j, LIMIT) && left >= 2) {
                j += 2;
            } else if ((r.is(j, BY) || r.is(j, GET)) && left >= 1) {
                j++;
            } else if (r.is(j, STORE) && left >= 1) {
                store = ++j;
            }
        }
        return store;
    }

    void run(Command command, Request r, long now, ReplyWriter out) {
        Options o = parse(command == Command.SORT_RO, r, out);
        if (o == null) {
            return;
        }
        byte[] b = r.bytes;
        if (o.store >= 0 && !local(b, r.offset(o.store), r.length(o.store))) {
            out.error("CROSSSHARD SORT's STORE destination is owned by another shard than the sorted key");
            return; // not reached from the connection, which starts an AcrossShards
        }
        List<byte[]> result = sorted(r, o, now, out);
        if (result == null) {
            return;
        }
        if (o.store >= 0) {
            out.integer(shard.store(b, r.offset(o.store), r.length(o.store), listOf(result), now));
            return;
        }
        out.arrayHeader(result.size());
        for (int i = 0; i < result.size() && !out.full(); i++) {
            byte[] answer = result.get(i);
            if (answer == null) {
                out.nullBulk();
            } else {
                out.bulk(answer);
            }
        }
    }

    /** What a STORE stores: the result as a list, a GET that found nothing as an empty string. */
    private static ListValue listOf(List<byte[]> result) {
        ListValue list = new ListValue();
        for (byte[] stored : result) {
            list.push(false, stored == null ? EMPTY : stored);
        }
        return list;
    }

    /** The elements (or their GET values) in their order; null after the error reply into {@code out}. */
    private List<byte[]> sorted(Request r, Options o, long now, ReplyWriter out) {
        byte[] b = r.bytes;
        foreign = null;
        KeyTable.Entry e = shard.live(b, r.offset(1), r.length(1), now);
        Aggregate value = e == null ? null : e.aggregate();
        if (e != null && !(value instanceof ListValue || value instanceof SetValue || value instanceof ZSetValue)) {
            out.error(KvShard.WRONGTYPE);
            return null;
        }
        boolean dontSort = o.dontSort;
        boolean alpha = o.alpha;
        int by = o.by;
        if (dontSort && value instanceof SetValue && o.store >= 0) {
            dontSort = false;   // as Redis: a stored set is sorted, so that the result does not depend on hash order
            alpha = true;
            by = -1;
        }
        int size = value == null ? 0 : value.size();
        long start = o.limitStart < 0 ? 0 : o.limitStart;
        long end = o.limitCount < 0 ? size - 1 : start + o.limitCount - 1;
        if (start >= size) {
            start = size - 1;
            end = size - 2;
        }
        if (end >= size) {
            end = size - 1;
        }
        List<byte[]> elements;
        if (dontSort && !(value instanceof SetValue)) {
            elements = inOrder(value, (int) start, (int) Math.max(0, end - start + 1), o.desc);
            end -= start;
            start = 0;
        } else {
            elements = all(value);
        }
        List<Item> items = new ArrayList<>(elements.size());
        if (!dontSort) {
            boolean notANumber = false;
            for (byte[] element : elements) {
                byte[] weight = by < 0 ? element : lookup(r, by, element, now);
                if (alpha) {
                    items.add(new Item(element, 0, by < 0 ? null : weight));
                } else {
                    double score = weight == null ? 0 : Score.parseWeight(weight, 0, weight.length);
                    notANumber |= Double.isNaN(score);
                    items.add(new Item(element, score, null));
                }
            }
            if (foreign(out)) {
                return null;
            }
            if (notANumber) {
                out.error(NOT_DOUBLE);
                return null;
            }
            Comparator<Item> order = alpha
                    ? (by < 0 ? (x, y) -> Arrays.compareUnsigned(x.element, y.element) : SortCommand::byWeight)
                    : SortCommand::byScore;
            items.sort(o.desc ? order.reversed() : order);
        } else {
            for (byte[] element : elements) {
                items.add(new Item(element, 0, null));
            }
        }
        List<byte[]> result = result(r, o, items, (int) start, (int) end, now);
        return foreign(out) ? null : result;
    }

    /**
     * SORT ... STORE with the destination on another shard than the sorted key, as a {@link
     * CrossCommand}: the sorted key's owner sorts in the first round, the destination's owner stores
     * the list in the second, under the locks of both keys (its BY and GET keys, on the sorted key's
     * shard, are read in the first round's one step there).
     */
    static final class AcrossShards extends CrossCommand {
        private final Request r;
        private final ReplyWriter error = new ReplyWriter(64);
        private ListValue list;

        AcrossShards(KvNode node, Request r) {
            super(node, new byte[][] {r.copy(1), r.copy(storeIndex(Command.SORT, r))});
            this.r = r;
        }

        /** Whether {@code r} (SORT) stores into a key another shard than the sorted key's owns. */
        static boolean storesAcross(KvNode node, Request r) {
            int store = storeIndex(Command.SORT, r);
            int shards = node.shardCount();
            return store >= 0 && KeySlots.owner(r.bytes, r.offset(store), r.length(store), shards)
                    != KeySlots.owner(r.bytes, r.offset(1), r.length(1), shards);
        }

        @Override
        Transaction.Work first() {
            return eachOwned(0, 1, (k, shard, e, now) -> {
                SortCommand sort = new SortCommand(shard);
                Options o = sort.parse(false, r, error);
                List<byte[]> result = o == null ? null : sort.sorted(r, o, now, error);
                list = result == null ? null : listOf(result);
            });
        }

        @Override
        void then(Transaction tx, ReplyWriter out, Runnable done) {
            if (list == null) {
                out.raw(error.bytes(), 0, error.size());
                done.run();
                return;
            }
            long[] size = new long[1];
            String[] refused = new String[1];
            tx.roundOn(owner(keys[1]), (part, shard, now) -> {
                refused[0] = shard.writeRefusal();
                if (refused[0] == null) {
                    boolean existed = shard.events.exists(keys[1]);
                    size[0] = shard.store(keys[1], 0, keys[1].length, list, now);
                    wrote(shard, keys[1]);
                    shard.events.stored(Command.SORT, keys[1], existed);
                }
            }, () -> {
                if (refused[0] != null) {
                    ErrorStats.answerFailed(Command.SORT, out, refused[0]);
                } else {
                    out.integer(size[0]);
                }
                done.run();
            });
        }
    }

    /** Answers the error when a pattern formed a key of another shard. */
    private boolean foreign(ReplyWriter out) {
        if (foreign == null) {
            return false;
        }
        out.error("CROSSSHARD SORT's BY or GET pattern formed the key '" + new String(foreign, java.nio.charset.StandardCharsets.UTF_8)
                + "', owned by another shard than the sorted key (a hash tag in the pattern keeps them together)");
        foreign = null;
        return true;
    }

    /** What the command answers or stores: for each element of [start, end], itself or its GET values (null: none). */
    private List<byte[]> result(Request r, Options o, List<Item> items, int start, int end, long now) {
        int gets = o.gets.size();
        List<byte[]> result = new ArrayList<>(Math.max(0, end - start + 1) * Math.max(1, gets));
        for (int j = start; j <= end; j++) {
            byte[] element = items.get(j).element;
            if (gets == 0) {
                result.add(element);
            }
            for (int g : o.gets) {
                result.add(lookup(r, g, element, now));
            }
        }
        return result;
    }

    private static int byScore(Item x, Item y) {
        if (x.score < y.score) {
            return -1;
        }
        if (x.score > y.score) {
            return 1;
        }
        return Arrays.compareUnsigned(x.element, y.element);   // as Redis: equal scores in the order of the elements' bytes
    }

    private static int byWeight(Item x, Item y) {
        if (x.by == null || y.by == null) {
            return x.by == y.by ? 0 : x.by == null ? -1 : 1;
        }
        return Arrays.compareUnsigned(x.by, y.by);
    }

    /** Parses the options after the key; null when it answered an error. */
    private Options parse(boolean readOnly, Request r, ReplyWriter out) {
        Options o = new Options();
        for (int j = 2; j < r.count(); j++) {
            int left = r.count() - j - 1;
            if (r.is(j, ASC)) {
                o.desc = false;
            } else if (r.is(j, DESC)) {
                o.desc = true;
            } else if (r.is(j, ALPHA)) {
                o.alpha = true;
            } else if (r.is(j, LIMIT) && left >= 2) {
                if (!r.longAt(j + 1)) {
                    out.error(KvShard.NOT_INTEGER);
                    return null;
                }
                o.limitStart = r.number;
                if (!r.longAt(j + 2)) {
                    out.error(KvShard.NOT_INTEGER);
                    return null;
                }
                o.limitCount = r.number;
                j += 2;
            } else if (!readOnly && r.is(j, STORE) && left >= 1) {
                o.store = ++j;
            } else if (r.is(j, BY) && left >= 1) {
                o.by = ++j;
                o.dontSort |= indexOf(r, j, (byte) '*') < 0;   // as Redis: once a BY without '*' was seen
            } else if (r.is(j, GET) && left >= 1) {
                o.gets.add(++j);
            } else {
                out.error(KvShard.SYNTAX);
                return null;
            }
        }
        if (o.dontSort) {
            o.by = -1;
        }
        return o;
    }

    /** The elements in the value's own order (list, sorted set), {@code n} from {@code start}, or from the end when {@code desc}. */
    private static List<byte[]> inOrder(Aggregate value, int start, int n, boolean desc) {
        List<byte[]> elements = new ArrayList<>(n);
        if (value instanceof ListValue list) {
            for (int i = 0; i < n; i++) {
                elements.add(list.get(desc ? list.size() - 1 - start - i : start + i));
            }
        } else if (value instanceof ZSetValue z) {
            z.visit(desc ? z.size() - 1 - start : start, n, desc, (member, score) -> elements.add(member));
        }
        return elements;
    }

    private static List<byte[]> all(Aggregate value) {
        if (value == null) {
            return new ArrayList<>(0);
        }
        if (value instanceof SetValue set) {
            return new ArrayList<>(Arrays.asList(set.members()));
        }
        return inOrder(value, 0, value.size(), false);
    }

    /**
     * Redis's lookupKeyByPattern: {@code #} is the element; else the first {@code *} is replaced by it and
     * the key read — a string's value, or with {@code ->field} after the {@code *} a hash field; null for
     * a pattern without {@code *}, a missing key or field, another type, or a key of another shard.
     */
    private byte[] lookup(Request r, int pattern, byte[] element, long now) {
        byte[] b = r.bytes;
        int offset = r.offset(pattern);
        int length = r.length(pattern);
        if (length == 1 && b[offset] == '#') {
            return element;
        }
        int star = indexOf(r, pattern, (byte) '*');
        if (star < 0) {
            return null;
        }
        int field = -1;
        for (int i = star + 1; i + 2 < length; i++) {
            if (b[offset + i] == '-' && b[offset + i + 1] == '>') {
                field = i;
                break;
            }
        }
        int keyEnd = field < 0 ? length : field;
        byte[] key = new byte[keyEnd - 1 + element.length];
        System.arraycopy(b, offset, key, 0, star);
        System.arraycopy(element, 0, key, star, element.length);
        System.arraycopy(b, offset + star + 1, key, star + element.length, keyEnd - star - 1);
        if (!local(key, 0, key.length)) {
            foreign = key;
            return null;
        }
        KeyTable.Entry e = shard.live(key, 0, key.length, now);
        if (e == null) {
            return null;
        }
        if (field < 0) {
            return e.isString() ? Arrays.copyOfRange(e.valueArray(), e.valueOffset(), e.valueOffset() + e.length) : null;
        }
        if (!Hashes.isHash(e) || !Hashes.get(e, b, offset + field + 2, length - field - 2, found)) {
            return null;
        }
        return Arrays.copyOfRange(found.array, found.offset, found.offset + found.length);
    }

    private boolean local(byte[] key, int offset, int length) {
        return KeySlots.owner(key, offset, length, shard.shardCount()) == shard.id;
    }

    private static int indexOf(Request r, int i, byte c) {
        for (int k = 0; k < r.length(i); k++) {
            if (r.bytes[r.offset(i) + k] == c) {
                return k;
            }
        }
        return -1;
    }
}
