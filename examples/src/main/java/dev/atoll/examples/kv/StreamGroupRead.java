package dev.atoll.examples.kv;

import java.util.Arrays;

/**
 * XREADGROUP with BLOCK: its keys' owner (one shard, as for every XREADGROUP) first runs it as
 * {@link StreamGroupCommands#readGroup} does; when nothing can be read it waits as XREAD does
 * ({@link BlockedClient}: registered on the owner, whose first visit serves it if an XADD came
 * meanwhile). An XADD from a connection on any shard signals the key ({@link Blocking#signal}) and
 * serves the first client blocked on it with the group's new entries of that one stream (delivered
 * to its consumer and logged), as Redis's serveClientsBlockedOnStreamKey; an XGROUP DESTROY of its
 * group answers Redis's NOGROUP; the timeout a null array. Without BLOCK, XREADGROUP runs as a
 * command of its keys' shard.
 */
final class StreamGroupRead extends BlockedClient {
    private static final byte[] BLOCK = ReplyWriter.asciiBytes("block");
    private static final byte[] COUNT = ReplyWriter.asciiBytes("count");
    private static final byte[] GROUP = ReplyWriter.asciiBytes("group");
    private static final byte[] NOACK = ReplyWriter.asciiBytes("noack");
    private static final String DESTROYED = "NOGROUP the consumer group this client was blocked on no longer exists";

    private final Request request;
    private final boolean resp3;
    private final byte[] group;
    private final byte[] consumer;
    private final long count;
    private final boolean noAck;
    /** The whole reply, rendered on the owner that served it (read at home: the mesh orders the two). */
    private byte[] result;

    private StreamGroupRead(KvNode node, KvConnection connection, boolean resp3, byte[][] keys, long timeout, Request request,
                            byte[] group, byte[] consumer, long count, boolean noAck) {
        super(node, connection, resp3, keys, true, timeout);
        this.request = request;
        this.resp3 = resp3;
        this.group = group;
        this.consumer = consumer;
        this.count = count;
        this.noAck = noAck;
    }

    /** The BLOCK of an XREADGROUP whose options parse (its ms, at least 0); -1 when it has none or they do not (then it runs as a plain command, which answers the error). */
    static long timeout(Request r) {
        long timeout = -1;
        for (int i = 1; i < r.count(); i++) {
            int more = r.count() - i - 1;
            if (r.is(i, BLOCK) && more > 0) {
                i++;
                if (!r.longAt(i) || r.number < 0 || r.number > Long.MAX_VALUE - System.currentTimeMillis()) {
                    return -1;
                }
                timeout = r.number;
            } else if (r.is(i, COUNT) && more > 0) {
                i++;
            } else if (r.is(i, GROUP) && more >= 2) {
                i += 2;
            } else if (!r.is(i, NOACK)) {
                return StreamGroupCommands.streamsAt(r) == i + 1 ? timeout : -1;
            }
        }
        return -1;
    }

    /** An XREADGROUP with BLOCK (see {@link #timeout}); null after answering CROSSSHARD (its keys on several shards). */
    static StreamGroupRead parse(KvNode node, KvConnection connection, ReplyWriter out, Request r) {
        int streamsAt = StreamGroupCommands.streamsAt(r);
        int n = (r.count() - streamsAt) / 2;
        byte[][] keys = new byte[n][];
        int owner = -1;
        for (int k = 0; k < n; k++) {
            keys[k] = r.copy(streamsAt + k);
            int o = KeySlots.owner(keys[k], 0, keys[k].length, node.shardCount());
            if (owner >= 0 && o != owner) {
                out.error("CROSSSHARD Keys in request are owned by different shards: XREADGROUP across shards is not"
                        + " supported (see docs/kv.md)");
                return null;
            }
            owner = o;
        }
        byte[] group = null;
        byte[] consumer = null;
        long count = 0;
        boolean noAck = false;
        for (int i = 1; i < streamsAt - 1; i++) {
            if (r.is(i, GROUP)) {
                group = r.copy(i + 1);
                consumer = r.copy(i + 2);
                i += 2;
            } else if (r.is(i, COUNT)) {
                r.longAt(i + 1);
                count = Math.max(0, r.number);
                i++;
            } else if (r.is(i, BLOCK)) {
                i++;
            } else {
                noAck |= r.is(i, NOACK);
            }
        }
        return new StreamGroupRead(node, connection, out.resp3(), keys, timeout(r), CrossShard.copyOf(r), group, consumer,
                count, noAck);
    }

    @Override
    Command command() {
        return Command.XREADGROUP;
    }

    /** The command itself on its keys' owner first: an answer (entries, an error, or a null without GROUP), or the wait. */
    @Override
    void firstStep() {
        viaHome(owners[0], this::runOnOwner);
    }

    private void runOnOwner() {
        if (!waiting()) {
            return;
        }
        KvShard owner = node.shards[owners[0]];
        if (deferredOrRefused(owner, 0, keys.length, this::runOnOwner)) { // its keys are all on one shard
            return;
        }
        ReplyWriter w = new ReplyWriter(256).resp3(resp3);
        if (owner.streamGroups.readGroup(request, System.currentTimeMillis(), w)) {
            if (claim()) {
                if (w.bytes()[0] == '-') { // an error: answered (and counted in the error stats) as one
                    failed(new String(w.bytes(), 1, w.size() - 3, java.nio.charset.StandardCharsets.UTF_8));
                } else {
                    result = Arrays.copyOf(w.bytes(), w.size());
                }
                finish(owner);
            }
            return;
        }
        super.firstStep(); // the wait: the owner's first visit checks again, so an XADD meanwhile serves it
    }

    /** A stream whose last ID is after the group's (or whose group is gone: NOGROUP). */
    @Override
    boolean accepts(KeyTable.Entry e, boolean initial) {
        if (!(e.aggregate() instanceof StreamValue s)) {
            return false;
        }
        StreamGroup g = s.group(group);
        return g == null || s.lastId.compareTo(g.lastId) > 0;
    }

    @Override
    void serve(KvShard owner, KeyTable.Entry e, boolean initial, long now) {
        StreamGroup g = ((StreamValue) e.aggregate()).group(group);
        if (g == null) {
            failed(DESTROYED);
        } else {
            ReplyWriter w = new ReplyWriter(256).resp3(resp3);
            owner.streamGroups.serveBlocked(e, g, consumer, count, noAck, now, w);
            result = Arrays.copyOf(w.bytes(), w.size());
        }
        finish(owner);
    }

    @Override
    boolean took() {
        return result != null;
    }

    @Override
    void writeTaken(ReplyWriter out) {
        out.raw(result);
    }

    @Override
    void writeNothing(ReplyWriter out) {
        out.nullArray();
    }

    /** The entries were delivered to the consumer's pending list, as Redis leaves them when the client is gone. */
    @Override
    void returnResult() {
    }
}
