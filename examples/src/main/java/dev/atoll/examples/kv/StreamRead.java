package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.util.Arrays;

/**
 * XREAD [COUNT count] [BLOCK ms] STREAMS key ... id ...: the entries after each ID of each stream,
 * its keys on any shards, as Redis 7.0's xreadCommand answers. It first walks its keys, one run of
 * one owner at a time ({@link #firstStep}): on each owner it checks each key's type, turns a
 * {@code $} into the stream's last ID there, and renders the entries after the ID of each stream
 * that has some. Back home the first error in key order is the answer (a key's type before its ID,
 * as Redis checks them); else every stream that had entries, in key order; else, without BLOCK, a
 * null array. With BLOCK it then waits as the list pops do ({@link BlockedClient}: registered with
 * every owner, whose first visit serves it if an XADD came meanwhile): an XADD on any shard
 * ({@link Blocking#signal}) serves it with the entries of that one stream after its ID, as Redis
 * does; its timeout answers a null array.
 */
final class StreamRead extends BlockedClient {
    private static final byte[] COUNT = ReplyWriter.asciiBytes("count");
    private static final byte[] BLOCK = ReplyWriter.asciiBytes("block");
    private static final byte[] STREAMS = ReplyWriter.asciiBytes("streams");
    private static final byte[] GROUP = ReplyWriter.asciiBytes("group");
    private static final byte[] NOACK = ReplyWriter.asciiBytes("noack");

    private final boolean resp3;
    private final long count;
    /** Per key: the ID to read after ({@code $} resolved on its owner by the walk). */
    private final long[] afterMs;
    private final long[] afterSeq;
    /** Per key: {@code $} given, and the error its ID gave at home (null: a valid ID). */
    private final boolean[] last;
    private final String[] idErrors;
    /** Per key, set on its owner: WRONGTYPE found, and what it answers (a {@code [key, entries]} pair, rendered). */
    private final boolean[] wrongType;
    private final byte[][] parts;
    /** Per key, set on its owner while key misses are notified (null until one is): absent there. */
    private boolean[] absent;
    private int served;

    private StreamRead(KvNode node, KvConnection connection, boolean resp3, byte[][] keys, boolean blocks, long timeout,
                       long count, long[] afterMs, long[] afterSeq, boolean[] last, String[] idErrors) {
        super(node, connection, resp3, keys, blocks, timeout);
        this.resp3 = resp3;
        this.count = count;
        this.afterMs = afterMs;
        this.afterSeq = afterSeq;
        this.last = last;
        this.idErrors = idErrors;
        this.wrongType = new boolean[keys.length];
        this.parts = new byte[keys.length][];
    }

    /** Parses XREAD on the connection's shard; null after answering an argument error. */
    static StreamRead parse(KvNode node, KvConnection connection, ReplyWriter out, Request r) {
        long count = 0;
        long timeout = -1;
        int streamsAt = 0;
        for (int i = 1; i < r.count(); i++) {
            boolean more = i + 1 < r.count();
            if (r.is(i, BLOCK) && more) {
                i++;
                if (!r.longAt(i)) {
                    out.error("ERR timeout is not an integer or out of range");
                    return null;
                }
                if (r.number < 0) {
                    out.error("ERR timeout is negative");
                    return null;
                }
                if (r.number > Long.MAX_VALUE - System.currentTimeMillis()) {
                    out.error("ERR timeout is out of range");
                    return null;
                }
                timeout = r.number;
            } else if (r.is(i, COUNT) && more) {
                i++;
                if (!r.longAt(i)) {
                    out.error(KvShard.NOT_INTEGER);
                    return null;
                }
                count = Math.max(0, r.number);
            } else if (r.is(i, STREAMS) && more) {
                streamsAt = i + 1;
                if ((r.count() - streamsAt) % 2 != 0) {
                    out.error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
                    return null;
                }
                break;
            } else if ((r.is(i, GROUP) && i + 2 < r.count()) || r.is(i, NOACK)) {
                out.error("ERR The " + (r.is(i, GROUP) ? "GROUP" : "NOACK") + " option is only supported by XREADGROUP."
                        + " You called XREAD instead.");
                return null;
            } else {
                out.error(KvShard.SYNTAX);
                return null;
            }
        }
        if (streamsAt == 0) {
            out.error(KvShard.SYNTAX);
            return null;
        }
        int n = (r.count() - streamsAt) / 2;
        byte[][] keys = new byte[n][];
        long[] ms = new long[n];
        long[] seq = new long[n];
        boolean[] last = new boolean[n];
        String[] errors = new String[n];
        StreamId id = new StreamId();
        for (int k = 0; k < n; k++) {
            keys[k] = r.copy(streamsAt + k);
            int at = streamsAt + n + k;
            if (r.length(at) == 1 && r.bytes[r.offset(at)] == '$') {
                last[k] = true;
            } else if (r.length(at) == 1 && r.bytes[r.offset(at)] == '>') {
                errors[k] = "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.";
            } else if (!id.parse(r, at, true, 0, false)) {
                errors[k] = StreamId.INVALID;
            } else {
                ms[k] = id.ms;
                seq[k] = id.seq;
            }
        }
        return new StreamRead(node, connection, out.resp3(), keys, timeout >= 0, Math.max(timeout, 0), count, ms, seq,
                last, errors);
    }

    @Override
    Command command() {
        return Command.XREAD;
    }

    /** The first walk: every key's type, {@code $} and entries, owner by owner; then {@link #gathered} at home. */
    @Override
    void firstStep() {
        viaHome(owners[0], () -> gather(0));
    }

    /** On the owner of {@code keys[from]}: the run of keys it owns from there. */
    private void gather(int from) {
        if (!waiting()) {
            return; // timed out or closed meanwhile
        }
        KvShard owner = node.shards[owners[from]];
        long now = System.currentTimeMillis();
        int to = from;
        while (to < keys.length && owners[to] == owners[from]) {
            KeyTable.Entry e = owner.live(keys[to], 0, keys[to].length, now);
            if (e == null && owner.events.on(KeyspaceEvents.KEY_MISS)) {
                (absent == null ? absent = new boolean[keys.length] : absent)[to] = true;
            }
            if (e != null && !(e.aggregate() instanceof StreamValue)) {
                wrongType[to] = true;
            } else if (e != null && idErrors[to] == null) {
                StreamValue s = (StreamValue) e.aggregate();
                if (last[to]) {
                    afterMs[to] = s.lastId.ms;
                    afterSeq[to] = s.lastId.seq;
                } else if (hasAfter(s, to, true)) {
                    parts[to] = render(to, s);
                }
            }
            to++;
        }
        if (to < keys.length) {
            int next = to;
            viaHome(owners[next], () -> gather(next));
        } else {
            viaHome(home, this::gathered);
        }
    }

    /** At home after the first walk: an error, the streams that had entries, nothing, or the wait. */
    private void gathered() {
        if (absent != null) {
            missed(node.shards[home].events);
        }
        for (int k = 0; k < keys.length; k++) {
            String error = wrongType[k] ? KvShard.WRONGTYPE : idErrors[k];
            if (error != null) {
                if (claim()) {
                    failed(error);
                    finish(node.shards[home]);
                }
                return;
            }
            if (parts[k] != null) {
                served++;
            }
        }
        if (served > 0 || !blocks) {
            if (claim()) {
                finish(node.shards[home]);
            }
            return;
        }
        super.firstStep(); // the wait: each owner's first visit checks again, so an XADD meanwhile serves it
    }

    /**
     * {@code keymiss} for the absent keys, as Redis 7.0's xreadCommand looks its keys up: once each while
     * it checks their types and IDs, up to the first that fails, then, when none did, once each again to read.
     */
    private void missed(KeyspaceEvents events) {
        int failed = 0;
        while (failed < keys.length && !wrongType[failed] && idErrors[failed] == null) {
            failed++;
        }
        for (int pass = failed < keys.length ? 1 : 2; pass > 0; pass--) {
            for (int k = 0; k <= failed && k < keys.length; k++) {
                if (absent[k]) {
                    events.send(KeyspaceEvents.KEY_MISS, "keymiss", keys[k], 0, keys[k].length);
                }
            }
        }
    }

    /** {@code [key, entries after its ID]} as this client's protocol writes one stream of the reply. */
    private byte[] render(int k, StreamValue s) {
        ReplyWriter w = new ReplyWriter(256).resp3(resp3);
        if (!resp3) {
            w.arrayHeader(2);
        }
        w.bulk(keys[k]);
        StreamId start = new StreamId().set(afterMs[k], afterSeq[k]);
        start.increment(); // below the last ID: there is a next one
        StreamId end = new StreamId().set(StreamId.MAX, StreamId.MAX);
        byte[] id = new byte[41];
        int[] cursor = new int[1];
        w.arrayHeader(s.range(start, end, count, false, null, id, cursor));
        s.range(start, end, count, false, w, id, cursor);
        return Arrays.copyOf(w.bytes(), w.size());
    }

    /** Which of its keys {@code e} is, among those {@code owner} owns. */
    private int indexOf(KvShard owner, KeyTable.Entry e) {
        for (int k = 0; k < keys.length; k++) {
            if (owners[k] == owner.id && keys[k].length == e.keyLength()
                    && Arrays.equals(keys[k], 0, keys[k].length, e.data, 0, e.keyLength())) {
                return k;
            }
        }
        return -1;
    }

    /** A stream with entries after the ID (or, on the first visit, a key of another type: WRONGTYPE). */
    @Override
    boolean accepts(KeyTable.Entry e, boolean initial) {
        if (!(e.aggregate() instanceof StreamValue s)) {
            return initial;
        }
        int k = indexOf(node.shards[Shard.current().id()], e);
        return k >= 0 && hasAfter(s, k, initial);
    }

    /**
     * Whether stream {@code s} serves key {@code k}: on a first look (the command's own, as Redis's
     * xreadCommand) when its last live entry is after the ID; when an XADD woke it (Redis's
     * serveClientsBlockedOnStreamKey) when its last ID is.
     */
    private boolean hasAfter(StreamValue s, int k, boolean firstLook) {
        if (!firstLook) {
            return s.lastId.compareTo(afterMs[k], afterSeq[k]) > 0;
        }
        StreamId lastLive = new StreamId();
        return s.edge(false, lastLive) && lastLive.compareTo(afterMs[k], afterSeq[k]) > 0;
    }

    @Override
    void serve(KvShard owner, KeyTable.Entry e, boolean initial, long now) {
        if (!(e.aggregate() instanceof StreamValue s)) {
            failed(KvShard.WRONGTYPE);
        } else {
            int k = indexOf(owner, e);
            parts[k] = render(k, s);
            served = 1;
        }
        finish(owner);
    }

    @Override
    boolean took() {
        return served > 0;
    }

    @Override
    void writeTaken(ReplyWriter out) {
        writeStreams(out, served, parts);
    }

    /** A read's reply: the {@code served} streams' rendered parts (null: none), in key order, as a map in RESP3. */
    static void writeStreams(ReplyWriter out, int served, byte[][] parts) {
        if (out.resp3()) {
            out.mapHeader(served);
        } else {
            out.arrayHeader(served);
        }
        for (byte[] part : parts) {
            if (part != null) {
                out.raw(part);
            }
        }
    }

    @Override
    void writeNothing(ReplyWriter out) {
        out.nullArray();
    }

    /** A read takes nothing: nothing to give back. */
    @Override
    void returnResult() {
    }
}
