package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.util.Arrays;

/**
 * XREADGROUP with BLOCK, or with its keys on several shards (without either it runs as a command of
 * its keys' shard, {@link StreamGroupCommands#readGroup}). It writes as it reads (it delivers entries
 * into the group's pending list and moves the group's last-delivered ID), so each owner applies its
 * own part, and it is claimed ({@link #claim}) before any owner delivers: no timeout or close ends it
 * while entries travel home, and no XADD serves it a second time.
 *
 * <p>Keys on one shard: the owner runs the whole command. Keys on several shards: a first walk checks
 * every key on its owner (WRONGTYPE, NOGROUP; changing nothing); home answers the first error in key
 * order as Redis does (a key's type, its group, then its ID); else, claimed, a second walk delivers on
 * each owner in turn (each logs its XDELIVER records and syncs them before the walk goes on) and home
 * answers the streams that had entries, in key order. A key whose group went away between the two
 * walks (a DESTROY from another connection) gives nothing: what the reply carries is exactly what
 * the owners delivered.
 *
 * <p>With BLOCK, when nothing could be read, home reopens it ({@link #reopen}: unless its timeout
 * passed meanwhile) and it waits as XREAD does ({@link BlockedClient}: registered on every owner,
 * whose first visit serves it if an XADD came meanwhile). An XADD on any shard signals its key
 * ({@link Blocking#signal}); the first owner to claim the client serves it the group's new entries of
 * that one stream (delivered to its consumer and logged), as Redis's serveClientsBlockedOnStreamKey;
 * a second XADD, on another owner, finds it claimed and delivers nothing. An XGROUP DESTROY of its
 * group answers Redis's NOGROUP; the timeout a null array.
 */
final class StreamGroupRead extends BlockedClient {
    private static final byte[] BLOCK = ReplyWriter.asciiBytes("block");
    private static final byte[] COUNT = ReplyWriter.asciiBytes("count");
    private static final byte[] GROUP = ReplyWriter.asciiBytes("group");
    private static final byte[] NOACK = ReplyWriter.asciiBytes("noack");
    private static final String DESTROYED = "NOGROUP the consumer group this client was blocked on no longer exists";

    private final Request request;
    private final StreamGroupCommands.ReadOptions options;
    private final boolean resp3;
    private final byte[] group;
    private final byte[] consumer;
    /** Per key, found at home: its ID's error (null: {@code >} or an ID). */
    private final String[] idErrors;
    /** Per key, set on its owner by the first walk: WRONGTYPE or NOGROUP (null: it has the group). */
    private final String[] keyErrors;
    /** Per key, set on its owner by the second walk: its rendered {@code [key, entries]} part, null when it had none. */
    private final byte[][] parts;
    private int served;
    /** The whole reply, rendered on the owner that served it (read at home: the mesh orders the two). */
    private byte[] result;

    private StreamGroupRead(KvNode node, KvConnection connection, boolean resp3, byte[][] keys, boolean blocks,
                            long timeout, Request request, StreamGroupCommands.ReadOptions options, String[] idErrors) {
        super(node, connection, resp3, keys, blocks, timeout);
        this.request = request;
        this.options = options;
        this.resp3 = resp3;
        this.group = request.copy(options.groupAt);
        this.consumer = request.copy(options.groupAt + 1);
        this.idErrors = idErrors;
        this.keyErrors = new String[keys.length];
        this.parts = new byte[keys.length][];
    }

    /** Whether XREADGROUP {@code r} runs as this client: it has BLOCK (see {@link #timeout}) or its keys are on several shards. */
    static boolean handles(Request r, int shards) {
        if (timeout(r) >= 0) {
            return true;
        }
        int streamsAt = StreamGroupCommands.streamsAt(r);
        if (streamsAt == 0 || shards == 1) {
            return false;
        }
        int first = KeySlots.owner(r.bytes, r.offset(streamsAt), r.length(streamsAt), shards);
        for (int i = streamsAt + 1; i < (r.count() + streamsAt) / 2; i++) {
            if (KeySlots.owner(r.bytes, r.offset(i), r.length(i), shards) != first) {
                return true;
            }
        }
        return false;
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

    /** An XREADGROUP this client runs (see {@link #handles}); null after answering an error of its arguments. */
    static StreamGroupRead parse(KvNode node, KvConnection connection, ReplyWriter out, Request r) {
        StreamGroupCommands.ReadOptions options = new StreamGroupCommands.ReadOptions();
        String error = options.parse(r);
        if (error != null) {
            out.error(error);
            return null;
        }
        long timeout = timeout(r);
        if (options.blocks && timeout < 0) {
            out.error("ERR timeout is out of range");
            return null;
        }
        int n = options.keyCount(r);
        byte[][] keys = new byte[n][];
        String[] idErrors = new String[n];
        StreamId id = new StreamId();
        for (int k = 0; k < n; k++) {
            keys[k] = r.copy(options.streamsAt + k);
            idErrors[k] = StreamGroupCommands.idError(r, options, k, id);
        }
        return new StreamGroupRead(node, connection, out.resp3(), keys, options.blocks, Math.max(timeout, 0),
                CrossShard.copyOf(r), options, idErrors);
    }

    @Override
    Command command() {
        return Command.XREADGROUP;
    }

    /** Keys on one shard: the command itself on their owner; on several: the first walk, which checks them. */
    @Override
    void firstStep() {
        for (int owner : owners) {
            if (owner != owners[0]) {
                viaHome(owners[0], () -> check(0));
                return;
            }
        }
        viaHome(owners[0], this::runOnOwner);
    }

    /** On the owner of all its keys: the whole command, claimed first; an answer, or (BLOCK, nothing to read) home to wait. */
    private void runOnOwner() {
        if (!waiting()) {
            return;
        }
        KvShard owner = node.shards[owners[0]];
        if (deferredOrRefused(owner, 0, keys.length, this::runOnOwner) || !claim()) {
            return;
        }
        ReplyWriter w = new ReplyWriter(256).resp3(resp3);
        if (owner.streamGroups.readGroup(request, System.currentTimeMillis(), w)) {
            if (w.bytes()[0] == '-') { // an error: answered (and counted in the error stats) as one
                failed(new String(w.bytes(), 1, w.size() - 3, java.nio.charset.StandardCharsets.UTF_8));
            } else {
                result = Arrays.copyOf(w.bytes(), w.size());
            }
            finish(owner);
        } else {
            owner.afterLogged(() -> Shard.current().sendReply(home, this::waitOrEnd)); // it may have logged a new consumer
        }
    }

    /** The first walk, on the owner of {@code keys[from]}: the errors of the run of keys it owns from there. */
    private void check(int from) {
        if (!waiting()) {
            return; // timed out or closed meanwhile
        }
        KvShard owner = node.shards[owners[from]];
        int to = runEnd(from);
        if (deferredOrRefused(owner, from, to, () -> check(from))) {
            return;
        }
        long now = System.currentTimeMillis();
        for (int k = from; k < to; k++) {
            keyErrors[k] = owner.streamGroups.keyError(request, options, k, now);
        }
        if (to < keys.length) {
            viaHome(owners[to], () -> check(to));
        } else {
            Shard.current().sendReply(home, this::checked);
        }
    }

    /** At home after the first walk: the first error in key order, or, claimed, the second walk. */
    private void checked() {
        for (int k = 0; k < keys.length; k++) {
            String error = keyErrors[k] != null ? keyErrors[k] : idErrors[k];
            if (error != null) {
                if (claim()) {
                    failed(error);
                    finish(node.shards[home]);
                }
                return;
            }
        }
        if (claim()) {
            viaHome(owners[0], () -> deliver(0));
        }
    }

    /** The second walk, claimed, on the owner of {@code keys[from]}: delivers the run of keys it owns from there. */
    private void deliver(int from) {
        KvShard owner = node.shards[owners[from]];
        int to = runEnd(from);
        if (deferred(owner, from, to, () -> deliver(from))) {
            return;
        }
        long now = System.currentTimeMillis();
        if (owner.writeRefusal() == null) { // its log failed since the first walk: it delivers nothing
            ReplyWriter w = new ReplyWriter(256).resp3(resp3);
            for (int k = from; k < to; k++) {
                w.clear();
                if (owner.streamGroups.keyError(request, options, k, now) == null
                        && owner.streamGroups.readStream(request, options, k, now, w)) {
                    parts[k] = Arrays.copyOf(w.bytes(), w.size());
                    served++;
                }
            }
        }
        if (to < keys.length) {
            owner.afterLogged(() -> viaHome(owners[to], () -> deliver(to)));
        } else {
            owner.afterLogged(() -> Shard.current().sendReply(home, this::delivered));
        }
    }

    /** At home after the second walk: the streams that had entries, a null array, or (BLOCK) the wait. */
    private void delivered() {
        if (served > 0 || !blocks) {
            finish(node.shards[home]);
        } else {
            waitOrEnd();
        }
    }

    /** At home, claimed, nothing read and BLOCK given: the wait (each owner's first visit checks again, so an XADD meanwhile serves it), or nothing when its time is up. */
    private void waitOrEnd() {
        if (reopen()) {
            super.firstStep();
        } else {
            finish(node.shards[home]);
        }
    }

    /** The end of the run of keys of {@code keys[from]}'s owner that starts there. */
    private int runEnd(int from) {
        int to = from;
        while (to < keys.length && owners[to] == owners[from]) {
            to++;
        }
        return to;
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
            owner.streamGroups.serveBlocked(e, g, consumer, options.count, options.noAck, now, w);
            result = Arrays.copyOf(w.bytes(), w.size());
        }
        finish(owner);
    }

    @Override
    boolean took() {
        return result != null || served > 0;
    }

    @Override
    void writeTaken(ReplyWriter out) {
        if (result != null) {
            out.raw(result);
        } else {
            StreamRead.writeStreams(out, served, parts);
        }
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
