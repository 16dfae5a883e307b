package dev.atoll.examples.kv;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Streams' consumer groups, as Redis 7.0's t_stream.c answers them: XGROUP (CREATE with MKSTREAM,
 * ENTRIESREAD and {@code $}; SETID; DESTROY; CREATECONSUMER; DELCONSUMER; HELP), XREADGROUP (new
 * entries with {@code >}, added to the group's and the consumer's pending entries lists unless NOACK;
 * a consumer's history from an ID), XACK, XPENDING (summary and extended forms) and the groups' part
 * of XINFO (GROUPS, CONSUMERS, STREAM FULL) with 7.0's entries-read and lag. Runs on the shard that
 * owns the key (XREADGROUP: all its keys; across shards {@link StreamGroupRead} runs each owner's part).
 *
 * <p>The log: XGROUP CREATE/SETID with the ID and entries-read they set (MKSTREAM: the CREATE record
 * makes the key), DESTROY and DELCONSUMER as given, XACK as given, and what an XREADGROUP did to one
 * stream as one {@code XDELIVER key group consumer seen-time last-id entries-read [id time count] ...}
 * record (the group's new position, the consumer, and each entry delivered with its delivery time and
 * count); a rewrite writes each group as a CREATE and each consumer as an XDELIVER of its PEL.
 */
final class StreamGroupCommands {
    private static final byte[] XGROUP = ReplyWriter.asciiBytes("XGROUP");
    private static final byte[] XDELIVER = ReplyWriter.asciiBytes("XDELIVER");
    private static final byte[] XACK = ReplyWriter.asciiBytes("XACK");
    private static final byte[] CREATE_RECORD = ReplyWriter.asciiBytes("CREATE");
    private static final byte[] SETID_RECORD = ReplyWriter.asciiBytes("SETID");
    private static final byte[] DESTROY_RECORD = ReplyWriter.asciiBytes("DESTROY");
    private static final byte[] DELCONSUMER_RECORD = ReplyWriter.asciiBytes("DELCONSUMER");
    private static final byte[] ENTRIESREAD_RECORD = ReplyWriter.asciiBytes("ENTRIESREAD");
    private static final byte[] LOWER_XGROUP = ReplyWriter.asciiBytes("xgroup");
    private static final byte[] LOWER_XDELIVER = ReplyWriter.asciiBytes("xdeliver");
    private static final byte[] LOWER_XACK = ReplyWriter.asciiBytes("xack");
    private static final byte[] CREATE = ReplyWriter.asciiBytes("create");
    private static final byte[] SETID = ReplyWriter.asciiBytes("setid");
    private static final byte[] DESTROY = ReplyWriter.asciiBytes("destroy");
    private static final byte[] CREATECONSUMER = ReplyWriter.asciiBytes("createconsumer");
    private static final byte[] DELCONSUMER = ReplyWriter.asciiBytes("delconsumer");
    private static final byte[] HELP = ReplyWriter.asciiBytes("help");
    private static final byte[] MKSTREAM = ReplyWriter.asciiBytes("mkstream");
    private static final byte[] ENTRIESREAD = ReplyWriter.asciiBytes("entriesread");
    private static final byte[] IDLE = ReplyWriter.asciiBytes("idle");
    private static final byte[] BLOCK = ReplyWriter.asciiBytes("block");
    private static final byte[] COUNT = ReplyWriter.asciiBytes("count");
    private static final byte[] STREAMS = ReplyWriter.asciiBytes("streams");
    private static final byte[] GROUP = ReplyWriter.asciiBytes("group");
    private static final byte[] NOACK = ReplyWriter.asciiBytes("noack");
    private static final byte[] FORCE = ReplyWriter.asciiBytes("force");
    private static final byte[] JUSTID = ReplyWriter.asciiBytes("justid");
    private static final byte[] TIME = ReplyWriter.asciiBytes("time");
    private static final byte[] RETRYCOUNT = ReplyWriter.asciiBytes("retrycount");
    private static final byte[] LASTID = ReplyWriter.asciiBytes("lastid");
    private static final String NO_KEY = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may"
            + " want to use the MKSTREAM option to create an empty stream automatically.";
    private static final String[] XGROUP_HELP = {
        "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        "HELP",
        "    Prints this help.",
    };

    private final KvShard shard;
    private final StreamId id = new StreamId();
    private final StreamId start = new StreamId();
    private final StreamId end = new StreamId();
    private final StreamId edge = new StreamId();
    private final byte[] idBytes = new byte[41];
    private final int[] cursor = new int[1];
    /** XREADGROUP's streams, rendered before their count is known. */
    private final ReplyWriter streams = new ReplyWriter(256);
    /** What one XREADGROUP delivered on one stream, for its record: (ms, seq, count) triples. */
    private long[] delivered = new long[48];
    /** The key {@link #groupOf} found. */
    private KeyTable.Entry groupEntry;
    private int deliveredCount;

    StreamGroupCommands(KvShard shard) {
        this.shard = shard;
    }

    void run(Command command, Request r, long now, ReplyWriter out) {
        switch (command) {
            case XGROUP -> group(r, now, out);
            case XREADGROUP -> {
                if (!readGroup(r, now, out)) {
                    out.nullArray(); // BLOCK where it cannot wait (inside MULTI): as Redis, nothing to read answers null
                }
            }
            case XACK -> ack(r, now, out);
            case XPENDING -> pending(r, now, out);
            case XCLAIM -> claim(r, now, out);
            case XAUTOCLAIM -> autoClaim(r, now, out);
            default -> throw new IllegalArgumentException(command + " is not a consumer-group command");
        }
    }

    // ---- XGROUP ----

    private static String subcommandSyntax(Request r) {
        return "ERR unknown subcommand or wrong number of arguments for '" + r.string(1) + "'. Try XGROUP HELP.";
    }

    /** XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER|HELP: the options first, then the key, then the group. */
    private void group(Request r, long now, ReplyWriter out) {
        boolean create = r.is(1, CREATE);
        boolean setId = r.is(1, SETID);
        boolean destroy = r.is(1, DESTROY);
        boolean createConsumer = r.is(1, CREATECONSUMER);
        boolean delConsumer = r.is(1, DELCONSUMER);
        if (!create && !setId && !destroy && !createConsumer && !delConsumer && !r.is(1, HELP)) {
            out.error("ERR unknown subcommand '" + KeyCommands.truncated(r.string(1)) + "'. Try XGROUP HELP.");
            return;
        }
        int arity = create || setId ? -5 : destroy ? 4 : r.is(1, HELP) ? 2 : 5;
        if (arity > 0 ? r.count() != arity : r.count() < -arity) {
            out.error(KvConnection.wrongArity("xgroup|" + r.string(1).toLowerCase(java.util.Locale.ROOT)));
            return;
        }
        if (r.is(1, HELP)) {
            out.helpLines(XGROUP_HELP);
            return;
        }
        boolean mkStream = false;
        long entriesRead = -1;
        if (create) {
            for (int i = 5; i < r.count(); ) {
                if (r.count() > 8) {
                    out.error(subcommandSyntax(r));
                    return;
                }
                if (r.is(i, MKSTREAM)) {
                    mkStream = true;
                    i++;
                } else if (r.is(i, ENTRIESREAD) && i + 1 < r.count()) {
                    entriesRead = entriesRead(r, i + 1, out);
                    if (entriesRead < -1) {
                        return;
                    }
                    i += 2;
                } else {
                    out.error(subcommandSyntax(r));
                    return;
                }
            }
        } else if (setId) {
            if (r.count() == 7 && r.is(5, ENTRIESREAD)) {
                entriesRead = entriesRead(r, 6, out);
                if (entriesRead < -1) {
                    return;
                }
            } else if (r.count() != 5) {
                out.error(subcommandSyntax(r));
                return;
            }
        }
        KeyTable.Entry e = shard.live(r.bytes, r.offset(2), r.length(2), now);
        if (e != null && !(e.aggregate() instanceof StreamValue)) {
            out.error(KvShard.WRONGTYPE);
            return;
        }
        if (e == null && !mkStream) {
            out.error(NO_KEY);
            return;
        }
        StreamValue s = e == null ? null : (StreamValue) e.aggregate();
        byte[] name = r.copy(3);
        StreamGroup g = s == null ? null : s.group(name);
        if (g == null && (setId || createConsumer || delConsumer)) {
            out.error("NOGROUP No such consumer group '" + r.string(3) + "' for key name '" + r.string(2) + "'");
            return;
        }
        if (create || setId) {
            if (r.length(4) == 1 && r.bytes[r.offset(4)] == '$') {
                id.set(s == null ? new StreamId() : s.lastId);
            } else if (!id.parse(r, 4, create, 0, false)) {
                out.error(StreamId.INVALID);
                return;
            }
        }
        if (create) {
            if (s != null && g != null) {
                out.error("BUSYGROUP Consumer Group name already exists");
                return;
            }
            if (e == null) {
                byte[] key = r.copy(2);
                e = shard.table.insert(key, KeyTable.hash(key, 0, key.length), new StreamValue());
                shard.created(e, now);
                s = (StreamValue) e.aggregate();
            }
            s.addGroup(new StreamGroup(name, id.ms, id.seq, entriesRead));
            logPosition(r, CREATE_RECORD, id, entriesRead);
            out.ok();
        } else if (setId) {
            g.lastId.set(id);
            g.entriesRead = entriesRead;
            logPosition(r, SETID_RECORD, id, entriesRead);
            out.ok();
        } else if (destroy) {
            if (g == null) {
                out.integer(0);
                return;
            }
            s.removeGroup(name);
            log(r, DESTROY_RECORD, 4);
            out.integer(1);
            shard.blocking.signal(r.bytes, r.offset(2), r.length(2));
        } else if (createConsumer) {
            byte[] consumer = r.copy(4);
            if (g.consumers.containsKey(consumer)) {
                out.integer(0);
                return;
            }
            StreamGroup.Consumer c = g.consumer(consumer, now);
            deliveredCount = 0;
            logDelivery(r.bytes, r.offset(2), r.length(2), g, c);
            out.integer(1);
        } else {
            long pending = g.deleteConsumer(r.copy(4));
            log(r, DELCONSUMER_RECORD, 5);
            out.integer(pending);
        }
        e.version++;
    }

    /** ENTRIESREAD's value at {@code i}: at least -1, or below -1 after its error reply. */
    private static long entriesRead(Request r, int i, ReplyWriter out) {
        if (!r.longAt(i)) {
            out.error(KvShard.NOT_INTEGER);
            return -2;
        }
        if (r.number < -1) {
            out.error("ERR value for ENTRIESREAD must be positive or -1");
            return -2;
        }
        return r.number;
    }

    /** {@code XGROUP CREATE|SETID key group id ENTRIESREAD n}. */
    private void logPosition(Request r, byte[] sub, StreamId at, long entriesRead) {
        if (shard.aof != null) {
            shard.aof.record(7, w -> w.bulk(XGROUP).bulk(sub).bulk(r.bytes, r.offset(2), r.length(2))
                    .bulk(r.bytes, r.offset(3), r.length(3)).bulk(idBytes, 0, StreamId.format(at.ms, at.seq, idBytes))
                    .bulk(ENTRIESREAD_RECORD).bulkDecimal(entriesRead));
        }
    }

    /** {@code XGROUP sub} and the first {@code arguments - 2} arguments after the subcommand, as given. */
    private void log(Request r, byte[] sub, int arguments) {
        if (shard.aof != null) {
            shard.aof.record(arguments, w -> {
                w.bulk(XGROUP).bulk(sub);
                for (int i = 2; i < arguments; i++) {
                    w.bulk(r.bytes, r.offset(i), r.length(i));
                }
            });
        }
    }

    /** The XDELIVER record of the consumer {@code c} of {@code g}: its seen time, the group's position and {@link #delivered}. */
    private void logDelivery(byte[] key, int offset, int length, StreamGroup g, StreamGroup.Consumer c) {
        if (shard.aof != null) {
            shard.aof.record(7 + 3 * deliveredCount, w -> writeDelivery(w, key, offset, length, g, c, delivered, deliveredCount, idBytes),
                    w -> writeDeliveryForReplicas(w, key, offset, length, g, c, delivered, deliveredCount, idBytes));
        }
    }

    private static final byte[] XCLAIM = ReplyWriter.asciiBytes("XCLAIM");
    private static final byte[] ZERO = ReplyWriter.asciiBytes("0");

    /**
     * An XDELIVER record as Redis propagates the same deliveries to its replicas: the consumer
     * ({@code XGROUP CREATECONSUMER}), an {@code XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID
     * LASTID last-id} per entry delivered, and the group's position ({@code XGROUP SETID ... ENTRIESREAD n}).
     */
    private static void writeDeliveryForReplicas(ReplyWriter w, byte[] key, int offset, int length, StreamGroup g,
                                                 StreamGroup.Consumer c, long[] triples, int count, byte[] scratch) {
        w.arrayHeader(5).bulk(XGROUP).bulk(CREATECONSUMER).bulk(key, offset, length).bulk(g.name).bulk(c.name);
        for (int k = 0; k < count; k++) {
            w.arrayHeader(14).bulk(XCLAIM).bulk(key, offset, length).bulk(g.name).bulk(c.name).bulk(ZERO)
                    .bulk(scratch, 0, StreamId.format(triples[4 * k], triples[4 * k + 1], scratch))
                    .bulk(TIME).bulkDecimal(triples[4 * k + 2]).bulk(RETRYCOUNT).bulkDecimal(triples[4 * k + 3])
                    .bulk(FORCE).bulk(JUSTID).bulk(LASTID)
                    .bulk(scratch, 0, StreamId.format(g.lastId.ms, g.lastId.seq, scratch));
        }
        w.arrayHeader(7).bulk(XGROUP).bulk(SETID).bulk(key, offset, length).bulk(g.name)
                .bulk(scratch, 0, StreamId.format(g.lastId.ms, g.lastId.seq, scratch))
                .bulk(ENTRIESREAD_RECORD).bulkDecimal(g.entriesRead);
    }

    private static void writeDelivery(ReplyWriter w, byte[] key, int offset, int length, StreamGroup g, StreamGroup.Consumer c,
                                      long[] triples, int count, byte[] scratch) {
        w.bulk(XDELIVER).bulk(key, offset, length).bulk(g.name).bulk(c.name).bulkDecimal(c.seenTime)
                .bulk(scratch, 0, StreamId.format(g.lastId.ms, g.lastId.seq, scratch)).bulkDecimal(g.entriesRead);
        for (int k = 0; k < count; k++) {
            w.bulk(scratch, 0, StreamId.format(triples[4 * k], triples[4 * k + 1], scratch))
                    .bulkDecimal(triples[4 * k + 2]).bulkDecimal(triples[4 * k + 3]);
        }
    }

    private void delivered(StreamGroup.Pending p) {
        if (4 * deliveredCount + 4 > delivered.length) {
            delivered = Arrays.copyOf(delivered, delivered.length * 2);
        }
        delivered[4 * deliveredCount] = p.ms;
        delivered[4 * deliveredCount + 1] = p.seq;
        delivered[4 * deliveredCount + 2] = p.deliveryTime;
        delivered[4 * deliveredCount + 3] = p.deliveryCount;
        deliveredCount++;
    }

    // ---- XREADGROUP ----

    /**
     * Where XREADGROUP's keys start among the arguments of {@code r}, as its option loop finds STREAMS;
     * 0 when it has none (the command then answers its error where it runs).
     */
    static int streamsAt(Request r) {
        for (int i = 1; i < r.count(); i++) {
            int more = r.count() - i - 1;
            if ((r.is(i, BLOCK) || r.is(i, COUNT)) && more > 0) {
                i++;
            } else if (r.is(i, STREAMS) && more > 0) {
                return (r.count() - i - 1) % 2 == 0 ? i + 1 : 0;
            } else if (r.is(i, GROUP) && more >= 2) {
                i += 2;
            } else if (!r.is(i, NOACK)) {
                return 0;
            }
        }
        return 0;
    }

    /** XREADGROUP's options, read as Redis's xreadCommand reads them, checked in its order. */
    static final class ReadOptions {
        long count;
        boolean noAck;
        boolean blocks;
        int groupAt;
        int streamsAt;

        /** Reads {@code r}'s options: null when they are fine, else the error to answer. */
        String parse(Request r) {
            for (int i = 1; i < r.count(); i++) {
                int more = r.count() - i - 1;
                if (r.is(i, BLOCK) && more > 0) {
                    i++;
                    if (!r.longAt(i)) {
                        return "ERR timeout is not an integer or out of range";
                    }
                    if (r.number < 0) {
                        return "ERR timeout is negative";
                    }
                    blocks = true;
                } else if (r.is(i, COUNT) && more > 0) {
                    i++;
                    if (!r.longAt(i)) {
                        return KvShard.NOT_INTEGER;
                    }
                    count = Math.max(0, r.number);
                } else if (r.is(i, STREAMS) && more > 0) {
                    streamsAt = i + 1;
                    if ((r.count() - streamsAt) % 2 != 0) {
                        return "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";
                    }
                    break;
                } else if (r.is(i, GROUP) && more >= 2) {
                    groupAt = i + 1;
                    i += 2;
                } else if (r.is(i, NOACK)) {
                    noAck = true;
                } else {
                    return KvShard.SYNTAX;
                }
            }
            if (streamsAt == 0) {
                return KvShard.SYNTAX;
            }
            return groupAt == 0 ? "ERR Missing GROUP option for XREADGROUP" : null;
        }

        /** How many streams it reads. */
        int keyCount(Request r) {
            return (r.count() - streamsAt) / 2;
        }
    }

    /** The error of key {@code k}'s stream on this shard (WRONGTYPE, NOGROUP), null when it has the group. */
    String keyError(Request r, ReadOptions o, int k, long now) {
        int keyAt = o.streamsAt + k;
        KeyTable.Entry e = shard.live(r.bytes, r.offset(keyAt), r.length(keyAt), now);
        if (e != null && !(e.aggregate() instanceof StreamValue)) {
            return KvShard.WRONGTYPE;
        }
        if (e == null || ((StreamValue) e.aggregate()).group(r.copy(o.groupAt)) == null) {
            return "NOGROUP No such key '" + r.string(keyAt) + "' or consumer group '" + r.string(o.groupAt)
                    + "' in XREADGROUP with GROUP option";
        }
        return null;
    }

    /** The error of key {@code k}'s ID ({@code $}, not an ID), null when it is {@code >} or an ID; {@code id} is scratch. */
    static String idError(Request r, ReadOptions o, int k, StreamId id) {
        int idAt = o.streamsAt + o.keyCount(r) + k;
        if (isSymbol(r, idAt, '$')) {
            return "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this"
                    + " consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just"
                    + " return an empty result set.";
        }
        return !isSymbol(r, idAt, '>') && !id.parse(r, idAt, true, 0, false) ? StreamId.INVALID : null;
    }

    /**
     * XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key ... id ...: all its keys on
     * this shard. Answers false, having written nothing, when BLOCK was given and nothing can be read:
     * the caller waits ({@link StreamGroupRead}).
     */
    boolean readGroup(Request r, long now, ReplyWriter out) {
        ReadOptions o = new ReadOptions();
        String error = o.parse(r);
        int n = error == null ? o.keyCount(r) : 0;
        for (int k = 0; k < n && error == null; k++) {
            error = keyError(r, o, k, now);
            if (error == null) {
                error = idError(r, o, k, id);
            }
        }
        if (error != null) {
            out.error(error);
            return true;
        }
        streams.clear();
        streams.resp3(out.resp3());
        int served = 0;
        for (int k = 0; k < n; k++) {
            if (readStream(r, o, k, now, streams)) {
                served++;
            }
        }
        if (served == 0) {
            if (o.blocks) {
                return false;
            }
            out.nullArray();
            return true;
        }
        if (out.resp3()) {
            out.mapHeader(served);
        } else {
            out.arrayHeader(served);
        }
        out.raw(streams.bytes(), 0, streams.size());
        return true;
    }

    /**
     * Reads key {@code k} of a checked XREADGROUP ({@link #keyError} and {@link #idError} found
     * nothing): its new entries ({@code >}) delivered to the consumer and the group moved on, or the
     * consumer's history from its ID; writes its {@code [key, entries]} part into {@code streams} and
     * answers true when it has one (history always; new entries when there are some), and logs what
     * it changed (an XDELIVER record).
     */
    boolean readStream(Request r, ReadOptions o, int k, long now, ReplyWriter streams) {
        int keyAt = o.streamsAt + k;
        int idAt = o.streamsAt + o.keyCount(r) + k;
        KeyTable.Entry e = shard.live(r.bytes, r.offset(keyAt), r.length(keyAt), now);
        StreamValue s = (StreamValue) e.aggregate();
        StreamGroup g = s.group(r.copy(o.groupAt));
        if (isSymbol(r, idAt, '>')) {
            id.set(StreamId.MAX, StreamId.MAX);
        } else {
            id.parse(r, idAt, true, 0, false);
        }
        boolean history = id.ms != StreamId.MAX || id.seq != StreamId.MAX;
        if (!history && !(s.length() > 0 && s.edge(false, edge) && edge.compareTo(g.lastId) > 0)) {
            return false; // as Redis's xreadCommand: the consumer is looked up (made) only for a stream it serves
        }
        if (!history) {
            id.set(g.lastId);
        }
        byte[] consumerName = r.copy(o.groupAt + 1);
        boolean created = !g.consumers.containsKey(consumerName);
        StreamGroup.Consumer c = g.consumer(consumerName, now);
        c.seenTime = now;
        deliveredCount = 0;
        if (!streams.resp3()) {
            streams.arrayHeader(2);
        }
        streams.bulk(r.bytes, r.offset(keyAt), r.length(keyAt));
        start.set(id);
        start.increment();
        if (history) {
            history(s, c, o.count, now, streams);
        } else {
            deliverNew(s, g, c, o.count, o.noAck, now, streams);
        }
        e.version++;
        if (created || deliveredCount > 0 || !history) {
            logDelivery(r.bytes, r.offset(keyAt), r.length(keyAt), g, c);
            e.version++;
        }
        return true;
    }

    /**
     * Serves a client blocked on {@code e} for new entries of group {@code g} as Redis's
     * serveClientsBlockedOnStreamKey: false when the stream has nothing after the group's last ID;
     * else its whole reply (one stream) into {@code out}, delivered and logged. Null group: the caller
     * answers NOGROUP.
     */
    boolean serveBlocked(KeyTable.Entry e, StreamGroup g, byte[] consumerName, long count, boolean noAck, long now,
                         ReplyWriter out) {
        StreamValue s = (StreamValue) e.aggregate();
        if (s.lastId.compareTo(g.lastId) <= 0) {
            return false;
        }
        StreamGroup.Consumer c = g.consumer(consumerName, now);
        c.seenTime = now;
        if (out.resp3()) {
            out.mapHeader(1);
        } else {
            out.arrayHeader(1).arrayHeader(2);
        }
        out.bulk(e.data, 0, e.keyLength());
        start.set(g.lastId);
        start.increment();
        deliveredCount = 0;
        deliverNew(s, g, c, count, noAck, now, out);
        logDelivery(e.data, 0, e.keyLength(), g, c);
        e.version++;
        return true;
    }

    private static boolean isSymbol(Request r, int i, char symbol) {
        return r.length(i) == 1 && r.bytes[r.offset(i)] == symbol;
    }

    /** The entries after the group's last ID, at most {@code count} (0: all): each delivered to {@code c} (unless NOACK) and moving the group on. */
    private void deliverNew(StreamValue s, StreamGroup g, StreamGroup.Consumer c, long count, boolean noAck, long now,
                            ReplyWriter streams) {
        end.set(StreamId.MAX, StreamId.MAX);
        streams.arrayHeader(s.range(start, end, count, false, null, idBytes, cursor));
        if (s.nodeCount() == 0) {
            return;
        }
        long emitted = 0;
        int n = s.nodeFor(start.ms, start.seq);
        int i = s.node(n).lowerBound(start.ms, start.seq);
        for (; n < s.nodeCount(); n++, i = 0) {
            StreamValue.Node node = s.node(n);
            for (; i < node.count; i++) {
                if (count > 0 && emitted == count) {
                    return;
                }
                if (node.deleted(i)) {
                    continue;
                }
                long ms = node.ms(i);
                long seq = node.seq(i);
                StreamValue.writeEntry(node, i, streams, idBytes, cursor);
                emitted++;
                if (g.lastId.compareTo(ms, seq) < 0) {
                    edge.set(ms, seq);
                    if (g.entriesRead != -1 && !hasTombstones(s, edge)) {
                        g.entriesRead++;
                    } else if (s.entriesAdded != 0) {
                        g.entriesRead = distanceFromFirstEver(s, edge);
                    }
                    g.lastId.set(ms, seq);
                }
                if (!noAck) {
                    delivered(g.deliver(ms, seq, c, now, 1));
                }
            }
        }
    }

    /** The consumer's own pending entries from {@link #start}, at most {@code count}: each delivered again (a deleted entry: its ID and a null). */
    private void history(StreamValue s, StreamGroup.Consumer c, long count, long now, ReplyWriter streams) {
        StreamGroup.Pending from = new StreamGroup.Pending(start.ms, start.seq);
        Map<StreamGroup.Pending, StreamGroup.Pending> tail = c.pel.tailMap(from, true);
        long n = count == 0 ? tail.size() : Math.min(count, tail.size());
        streams.arrayHeader(n);
        long emitted = 0;
        for (StreamGroup.Pending p : tail.keySet()) {
            if (emitted == n) {
                break;
            }
            emitted++;
            edge.set(p.ms, p.seq);
            if (s.range(edge, edge, 1, false, null, idBytes, cursor) == 0) {
                streams.arrayHeader(2).bulk(idBytes, 0, StreamId.format(p.ms, p.seq, idBytes)).nullArray();
                continue;
            }
            s.range(edge, edge, 1, false, streams, idBytes, cursor);
            p.deliveryTime = now;
            p.deliveryCount++;
            delivered(p);
        }
    }

    // ---- entries-read and lag, as Redis 7.0 estimates them ----

    /** Redis's streamRangeHasTombstones from {@code from} to the end. */
    private static boolean hasTombstones(StreamValue s, StreamId from) {
        if (s.length() == 0 || s.maxDeletedId.isZero()) {
            return false;
        }
        if (s.firstId.compareTo(s.maxDeletedId) > 0) {
            return false;
        }
        return from.compareTo(s.maxDeletedId) <= 0;
    }

    /** Redis's streamEstimateDistanceFromFirstEverEntry: the entries-read counter of {@code id}, or -1 when it is unknowable. */
    private static long distanceFromFirstEver(StreamValue s, StreamId id) {
        if (s.entriesAdded == 0) {
            return 0;
        }
        if (s.length() == 0 && id.compareTo(s.lastId) < 1) {
            return s.entriesAdded;
        }
        int cmpLast = id.compareTo(s.lastId);
        if (cmpLast == 0) {
            return s.entriesAdded;
        } else if (cmpLast > 0) {
            return -1;
        }
        int cmpFirst = id.compareTo(s.firstId);
        if (s.maxDeletedId.isZero() || s.maxDeletedId.compareTo(s.firstId) < 0) {
            if (cmpFirst < 0) {
                return s.entriesAdded - s.length();
            } else if (cmpFirst == 0) {
                return s.entriesAdded - s.length() + 1;
            }
        }
        return -1;
    }

    /** Redis's streamReplyWithCGLag: the group's lag, or a null when it cannot be known. */
    private static void lag(StreamValue s, StreamGroup g, ReplyWriter out) {
        if (s.entriesAdded == 0) {
            out.integer(0);
        } else if (g.entriesRead != -1 && !hasTombstones(s, g.lastId)) {
            out.integer(s.entriesAdded - g.entriesRead);
        } else {
            long read = distanceFromFirstEver(s, g.lastId);
            if (read == -1) {
                out.nullBulk();
            } else {
                out.integer(s.entriesAdded - read);
            }
        }
    }

    private static void entriesRead(StreamGroup g, ReplyWriter out) {
        if (g.entriesRead == -1) {
            out.nullBulk();
        } else {
            out.integer(g.entriesRead);
        }
    }

    // ---- XACK, XPENDING ----

    /** XACK key group id [id ...]: every ID checked before any is acknowledged. */
    private void ack(Request r, long now, ReplyWriter out) {
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (e != null && !(e.aggregate() instanceof StreamValue)) {
            out.error(KvShard.WRONGTYPE);
            return;
        }
        StreamGroup g = e == null ? null : ((StreamValue) e.aggregate()).group(r.copy(2));
        if (g == null) {
            out.integer(0);
            return;
        }
        for (int i = 3; i < r.count(); i++) {
            if (!id.parse(r, i, true, 0, false)) {
                out.error(StreamId.INVALID);
                return;
            }
        }
        int acknowledged = 0;
        for (int i = 3; i < r.count(); i++) {
            id.parse(r, i, true, 0, false);
            if (g.ack(id.ms, id.seq, new StreamGroup.Pending(id.ms, id.seq))) {
                acknowledged++;
            }
        }
        if (acknowledged > 0) {
            e.version++;
            if (shard.aof != null) {
                shard.aof.command(XACK, r);
            }
        }
        out.integer(acknowledged);
    }

    /** XPENDING key group [[IDLE min-idle] start end count [consumer]]: the arguments first, then the key and group. */
    private void pending(Request r, long now, ReplyWriter out) {
        boolean summary = r.count() == 3;
        if (!summary && (r.count() < 6 || r.count() > 9)) {
            out.error(KvShard.SYNTAX);
            return;
        }
        long count = 0;
        long minIdle = 0;
        int consumerAt = -1;
        if (!summary) {
            int at = 3;
            if (r.is(3, IDLE)) {
                if (!r.longAt(4)) {
                    out.error(KvShard.NOT_INTEGER);
                    return;
                }
                minIdle = r.number;
                if (r.count() < 8) {
                    out.error(KvShard.SYNTAX);
                    return;
                }
                at += 2;
            }
            if (!r.longAt(at + 2)) {
                out.error(KvShard.NOT_INTEGER);
                return;
            }
            count = Math.max(0, r.number);
            if (!StreamCommands.bound(r, at, start, 0, out)) {
                return;
            }
            if (StreamCommands.exclusive(r, at) && !start.increment()) {
                out.error("ERR invalid start ID for the interval");
                return;
            }
            if (!StreamCommands.bound(r, at + 1, end, StreamId.MAX, out)) {
                return;
            }
            if (StreamCommands.exclusive(r, at + 1) && !end.decrement()) {
                out.error("ERR invalid end ID for the interval");
                return;
            }
            if (at + 3 < r.count()) {
                consumerAt = at + 3;
            }
        }
        StreamGroup g = groupOf(r, now, out);
        if (g == null) {
            return;
        }
        if (summary) {
            out.arrayHeader(4).integer(g.pel.size());
            if (g.pel.isEmpty()) {
                out.nullBulk().nullBulk().nullArray();
                return;
            }
            StreamGroup.Pending first = g.pel.firstKey();
            StreamGroup.Pending last = g.pel.lastKey();
            out.bulk(idBytes, 0, StreamId.format(first.ms, first.seq, idBytes));
            out.bulk(idBytes, 0, StreamId.format(last.ms, last.seq, idBytes));
            int withPending = 0;
            for (StreamGroup.Consumer c : g.consumers.values()) {
                withPending += c.pel.isEmpty() ? 0 : 1;
            }
            out.arrayHeader(withPending);
            for (StreamGroup.Consumer c : g.consumers.values()) {
                if (!c.pel.isEmpty()) {
                    out.arrayHeader(2).bulk(c.name).bulkDecimal(c.pel.size());
                }
            }
            return;
        }
        TreeMap<StreamGroup.Pending, StreamGroup.Pending> pel = g.pel;
        if (consumerAt >= 0) {
            StreamGroup.Consumer c = g.consumers.get(r.copy(consumerAt));
            if (c == null) {
                out.arrayHeader(0);
                return;
            }
            pel = c.pel;
        }
        if (start.compareTo(end) > 0) {
            out.arrayHeader(0);
            return;
        }
        Map<StreamGroup.Pending, StreamGroup.Pending> range = pel.subMap(new StreamGroup.Pending(start.ms, start.seq), true,
                new StreamGroup.Pending(end.ms, end.seq), true);
        int n = 0;
        for (StreamGroup.Pending p : range.keySet()) {
            if (n == count) {
                break;
            }
            n += now - p.deliveryTime < minIdle ? 0 : 1;
        }
        out.arrayHeader(n);
        int written = 0;
        for (StreamGroup.Pending p : range.keySet()) {
            if (written == n) {
                break;
            }
            if (now - p.deliveryTime < minIdle) {
                continue;
            }
            written++;
            out.arrayHeader(4).bulk(idBytes, 0, StreamId.format(p.ms, p.seq, idBytes)).bulk(p.consumer.name)
                    .integer(Math.max(0, now - p.deliveryTime)).integer(p.deliveryCount);
        }
    }

    /**
     * The group named by argument 2 of the stream that is argument 1, as XPENDING, XCLAIM and XAUTOCLAIM
     * look it up (its entry in {@link #groupEntry}); null after answering WRONGTYPE or NOGROUP.
     */
    private StreamGroup groupOf(Request r, long now, ReplyWriter out) {
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (e != null && !(e.aggregate() instanceof StreamValue)) {
            out.error(KvShard.WRONGTYPE);
            return null;
        }
        StreamGroup g = e == null ? null : ((StreamValue) e.aggregate()).group(r.copy(2));
        if (g == null) {
            out.error("NOGROUP No such key '" + r.string(1) + "' or consumer group '" + r.string(2) + "'");
        }
        groupEntry = e;
        return g;
    }

    // ---- XCLAIM, XAUTOCLAIM ----

    /**
     * XCLAIM key group consumer min-idle-time id ... [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE] [JUSTID]
     * [LASTID id]: the IDs up to the first that is none, then the options, as Redis 7.0's xclaimCommand.
     */
    private void claim(Request r, long now, ReplyWriter out) {
        StreamGroup g = groupOf(r, now, out);
        if (g == null) {
            return;
        }
        KeyTable.Entry e = groupEntry;
        StreamValue s = (StreamValue) e.aggregate();
        if (!r.longAt(4)) {
            out.error("ERR Invalid min-idle-time argument for XCLAIM");
            return;
        }
        long minIdle = Math.max(0, r.number);
        int j = 5;
        while (j < r.count() && id.parse(r, j, true, 0, false)) {
            j++;
        }
        int lastIdAt = j - 1;
        boolean force = false;
        boolean justId = false;
        long retryCount = -1;
        long deliveryTime = -1;
        edge.set(0, 0); // LASTID
        for (; j < r.count(); j++) {
            boolean more = j + 1 < r.count();
            if (r.is(j, FORCE)) {
                force = true;
            } else if (r.is(j, JUSTID)) {
                justId = true;
            } else if ((r.is(j, IDLE) || r.is(j, TIME) || r.is(j, RETRYCOUNT)) && more) {
                String option = r.is(j, IDLE) ? "IDLE" : r.is(j, TIME) ? "TIME" : "RETRYCOUNT";
                j++;
                if (!r.longAt(j)) {
                    out.error("ERR Invalid " + option + " option argument for XCLAIM");
                    return;
                }
                if (option.equals("RETRYCOUNT")) {
                    retryCount = r.number;
                } else {
                    deliveryTime = option.equals("IDLE") ? now - r.number : r.number;
                }
            } else if (r.is(j, LASTID) && more) {
                j++;
                if (!edge.parse(r, j, true, 0, false)) {
                    out.error(StreamId.INVALID);
                    return;
                }
            } else {
                out.error("ERR Unrecognized XCLAIM option '" + r.string(j) + "'");
                return;
            }
        }
        boolean movedOn = edge.compareTo(g.lastId) > 0;
        if (movedOn) {
            g.lastId.set(edge);
        }
        if (deliveryTime < 0 || deliveryTime > now) {
            deliveryTime = now;
        }
        byte[] name = r.copy(3);
        StreamGroup.Consumer consumer = null;
        streams.clear();
        streams.resp3(out.resp3());
        deliveredCount = 0;
        int claimed = 0;
        for (int k = 5; k <= lastIdAt; k++) {
            id.parse(r, k, true, 0, false);
            StreamGroup.Pending p = g.pel.get(new StreamGroup.Pending(id.ms, id.seq));
            if (s.range(id, id, 1, false, null, idBytes, cursor) == 0) {
                if (p != null) {
                    g.ack(id.ms, id.seq, p);
                    logAck(r.bytes, r.offset(1), r.length(1), g, p);
                }
                continue;
            }
            if (p == null && !force) {
                continue;
            }
            if (p != null && minIdle > 0 && now - p.deliveryTime < minIdle) {
                continue;
            }
            if (consumer == null) {
                consumer = g.consumer(name, now);
                consumer.seenTime = now;
            }
            long count = p == null ? 1 : p.deliveryCount;
            count = retryCount >= 0 ? retryCount : justId ? count : count + 1;
            delivered(g.deliver(id.ms, id.seq, consumer, deliveryTime, count));
            claimedEntry(s, id, justId);
            claimed++;
        }
        if (consumer != null) {
            logDelivery(r.bytes, r.offset(1), r.length(1), g, consumer);
        } else if (movedOn) {
            logLastId(r.bytes, r.offset(1), r.length(1), g);
        }
        if (consumer != null || movedOn) {
            e.version++;
        }
        out.arrayHeader(claimed);
        out.raw(streams.bytes(), 0, streams.size());
    }

    /** A claimed entry as XCLAIM and XAUTOCLAIM answer it: its ID (JUSTID) or the entry. */
    private void claimedEntry(StreamValue s, StreamId at, boolean justId) {
        if (justId) {
            streams.bulk(idBytes, 0, StreamId.format(at.ms, at.seq, idBytes));
        } else {
            s.range(at, at, 1, false, streams, idBytes, cursor);
        }
    }

    /** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]: Redis 7.0's reply of three (the next start, the claimed, the deleted). */
    private void autoClaim(Request r, long now, ReplyWriter out) {
        if (!r.longAt(4)) {
            out.error("ERR Invalid min-idle-time argument for XAUTOCLAIM");
            return;
        }
        long minIdle = Math.max(0, r.number);
        if (!StreamCommands.bound(r, 5, start, 0, out)) {
            return;
        }
        if (StreamCommands.exclusive(r, 5) && !start.increment()) {
            out.error("ERR invalid start ID for the interval");
            return;
        }
        long count = 100;
        boolean justId = false;
        for (int j = 6; j < r.count(); j++) {
            if (r.is(j, COUNT) && j + 1 < r.count()) {
                if (!r.longAt(j + 1) || r.number < 1 || r.number > Long.MAX_VALUE / 16) {
                    out.error("ERR COUNT must be > 0");
                    return;
                }
                count = r.number;
                j++;
            } else if (r.is(j, JUSTID)) {
                justId = true;
            } else {
                out.error(KvShard.SYNTAX);
                return;
            }
        }
        StreamGroup g = groupOf(r, now, out);
        if (g == null) {
            return;
        }
        KeyTable.Entry e = groupEntry;
        StreamValue s = (StreamValue) e.aggregate();
        long attempts = count * 10;
        byte[] name = r.copy(3);
        StreamGroup.Consumer consumer = null;
        streams.clear();
        streams.resp3(out.resp3());
        deliveredCount = 0;
        java.util.List<StreamGroup.Pending> deleted = new java.util.ArrayList<>();
        int claimed = 0;
        StreamGroup.Pending p = g.pel.ceilingKey(new StreamGroup.Pending(start.ms, start.seq));
        while (attempts-- > 0 && count > 0 && p != null) {
            StreamGroup.Pending next = g.pel.higherKey(p);
            id.set(p.ms, p.seq);
            if (s.range(id, id, 1, false, null, idBytes, cursor) == 0) {
                g.ack(p.ms, p.seq, p);
                logAck(r.bytes, r.offset(1), r.length(1), g, p);
                deleted.add(p);
                count--;
            } else if (minIdle == 0 || now - p.deliveryTime >= minIdle) {
                if (consumer == null) {
                    consumer = g.consumer(name, now);
                    consumer.seenTime = now;
                }
                delivered(g.deliver(p.ms, p.seq, consumer, now, justId ? p.deliveryCount : p.deliveryCount + 1));
                claimedEntry(s, id, justId);
                claimed++;
                count--;
            }
            p = next;
        }
        if (consumer != null) {
            logDelivery(r.bytes, r.offset(1), r.length(1), g, consumer);
        }
        if (consumer != null || !deleted.isEmpty()) {
            e.version++;
        }
        out.arrayHeader(3);
        if (p == null) {
            out.bulk(idBytes, 0, StreamId.format(0, 0, idBytes));
        } else {
            out.bulk(idBytes, 0, StreamId.format(p.ms, p.seq, idBytes));
        }
        out.arrayHeader(claimed);
        out.raw(streams.bytes(), 0, streams.size());
        out.arrayHeader(deleted.size());
        for (StreamGroup.Pending d : deleted) {
            out.bulk(idBytes, 0, StreamId.format(d.ms, d.seq, idBytes));
        }
    }

    /** {@code XACK key group id}: a pending entry whose stream entry is gone, dropped by a claim. */
    private void logAck(byte[] key, int offset, int length, StreamGroup g, StreamGroup.Pending p) {
        if (shard.aof != null) {
            shard.aof.record(4, w -> w.bulk(XACK).bulk(key, offset, length).bulk(g.name)
                    .bulk(idBytes, 0, StreamId.format(p.ms, p.seq, idBytes)));
        }
    }

    /** {@code XGROUP SETID key group id ENTRIESREAD n}: XCLAIM's LASTID when it claimed nothing. */
    private void logLastId(byte[] key, int offset, int length, StreamGroup g) {
        if (shard.aof != null) {
            shard.aof.record(7, w -> w.bulk(XGROUP).bulk(SETID_RECORD).bulk(key, offset, length).bulk(g.name)
                    .bulk(idBytes, 0, StreamId.format(g.lastId.ms, g.lastId.seq, idBytes))
                    .bulk(ENTRIESREAD_RECORD).bulkDecimal(g.entriesRead));
        }
    }

    // ---- XINFO ----

    /** XINFO GROUPS key: each group with its consumers, pending count, last delivered ID, entries-read and lag. */
    void infoGroups(StreamValue s, ReplyWriter out) {
        out.arrayHeader(s.groupCount());
        for (StreamGroup g : s.groups()) {
            out.mapHeader(6);
            out.bulk("name").bulk(g.name);
            out.bulk("consumers").integer(g.consumers.size());
            out.bulk("pending").integer(g.pel.size());
            out.bulk("last-delivered-id").bulk(idBytes, 0, StreamId.format(g.lastId.ms, g.lastId.seq, idBytes));
            out.bulk("entries-read");
            entriesRead(g, out);
            out.bulk("lag");
            lag(s, g, out);
        }
    }

    /** XINFO CONSUMERS key group: each consumer with its pending count and idle time. */
    void infoConsumers(StreamValue s, Request r, long now, ReplyWriter out) {
        StreamGroup g = s.group(r.copy(3));
        if (g == null) {
            out.error("NOGROUP No such consumer group '" + r.string(3) + "' for key name '" + r.string(2) + "'");
            return;
        }
        out.arrayHeader(g.consumers.size());
        for (StreamGroup.Consumer c : g.consumers.values()) {
            out.mapHeader(3);
            out.bulk("name").bulk(c.name);
            out.bulk("pending").integer(c.pel.size());
            out.bulk("idle").integer(Math.max(0, now - c.seenTime));
        }
    }

    /** XINFO STREAM FULL's groups: each with its PEL and consumers, at most {@code count} pending entries each (0: all). */
    void infoFull(StreamValue s, long count, ReplyWriter out) {
        out.arrayHeader(s.groupCount());
        for (StreamGroup g : s.groups()) {
            out.mapHeader(7);
            out.bulk("name").bulk(g.name);
            out.bulk("last-delivered-id").bulk(idBytes, 0, StreamId.format(g.lastId.ms, g.lastId.seq, idBytes));
            out.bulk("entries-read");
            entriesRead(g, out);
            out.bulk("lag");
            lag(s, g, out);
            out.bulk("pel-count").integer(g.pel.size());
            out.bulk("pending").arrayHeader(count == 0 ? g.pel.size() : Math.min(count, g.pel.size()));
            long n = 0;
            for (StreamGroup.Pending p : g.pel.keySet()) {
                if (count != 0 && n++ == count) {
                    break;
                }
                out.arrayHeader(4).bulk(idBytes, 0, StreamId.format(p.ms, p.seq, idBytes)).bulk(p.consumer.name)
                        .integer(p.deliveryTime).integer(p.deliveryCount);
            }
            out.bulk("consumers").arrayHeader(g.consumers.size());
            for (StreamGroup.Consumer c : g.consumers.values()) {
                out.mapHeader(4);
                out.bulk("name").bulk(c.name);
                out.bulk("seen-time").integer(c.seenTime);
                out.bulk("pel-count").integer(c.pel.size());
                out.bulk("pending").arrayHeader(count == 0 ? c.pel.size() : Math.min(count, c.pel.size()));
                long k = 0;
                for (StreamGroup.Pending p : c.pel.keySet()) {
                    if (count != 0 && k++ == count) {
                        break;
                    }
                    out.arrayHeader(3).bulk(idBytes, 0, StreamId.format(p.ms, p.seq, idBytes))
                            .integer(p.deliveryTime).integer(p.deliveryCount);
                }
            }
        }
    }

    // ---- the log ----

    /** A rewrite's records of {@code s}'s groups: a CREATE per group, an XDELIVER per consumer with its PEL. */
    static void writeRecords(byte[] key, StreamValue s, ReplyWriter w, byte[] scratch) {
        for (StreamGroup g : s.groups()) {
            w.arrayHeader(7).bulk(XGROUP).bulk(CREATE_RECORD).bulk(key).bulk(g.name)
                    .bulk(scratch, 0, StreamId.format(g.lastId.ms, g.lastId.seq, scratch)).bulk(ENTRIESREAD_RECORD)
                    .bulkDecimal(g.entriesRead);
            for (StreamGroup.Consumer c : g.consumers.values()) {
                long[] triples = new long[4 * c.pel.size()];
                int k = 0;
                for (StreamGroup.Pending p : c.pel.keySet()) {
                    triples[4 * k] = p.ms;
                    triples[4 * k + 1] = p.seq;
                    triples[4 * k + 2] = p.deliveryTime;
                    triples[4 * k + 3] = p.deliveryCount;
                    k++;
                }
                w.arrayHeader(7 + 3L * k);
                writeDelivery(w, key, 0, key.length, g, c, triples, k, scratch);
            }
        }
    }

    /**
     * Applies a consumer-group record to {@code table} — XGROUP CREATE|SETID key group id ENTRIESREAD n
     * (CREATE makes the key when absent), XGROUP DESTROY key group, XGROUP DELCONSUMER key group consumer,
     * XDELIVER ..., XACK key group id ... — and answers whether it was one; false also when malformed.
     */
    static boolean replay(Request r, KeyTable table) {
        boolean group = r.is(0, LOWER_XGROUP);
        boolean deliver = r.is(0, LOWER_XDELIVER);
        boolean ack = r.is(0, LOWER_XACK);
        if (!group && !deliver && !ack || r.count() < 3) {
            return false;
        }
        int keyAt = group ? 2 : 1;
        if (r.count() <= keyAt + 1) {
            return false;
        }
        byte[] b = r.bytes;
        int hash = KeyTable.hash(b, r.offset(keyAt), r.length(keyAt));
        KeyTable.Entry e = table.find(b, r.offset(keyAt), r.length(keyAt), hash);
        if (e != null && !(e.aggregate() instanceof StreamValue)) {
            return false;
        }
        StreamId id = new StreamId();
        if (group && r.is(1, CREATE)) {
            if (r.count() != 7 || !id.parse(r, 4, true, 0, false) || !r.longAt(6)) {
                return false;
            }
            if (e == null) {
                e = table.insert(r.copy(2), hash, new StreamValue());
            }
            StreamValue s = (StreamValue) e.aggregate();
            byte[] name = r.copy(3);
            if (s.group(name) != null) {
                return false;
            }
            s.addGroup(new StreamGroup(name, id.ms, id.seq, r.number));
            return true;
        }
        if (e == null) {
            return false; // a record follows the CREATE that made its group
        }
        StreamValue s = (StreamValue) e.aggregate();
        StreamGroup g = s.group(r.copy(keyAt + 1));
        if (g == null) {
            return false;
        }
        if (group && r.is(1, SETID)) {
            if (r.count() != 7 || !id.parse(r, 4, true, 0, false) || !r.longAt(6)) {
                return false;
            }
            g.lastId.set(id);
            g.entriesRead = r.number;
            return true;
        }
        if (group && r.is(1, DESTROY)) {
            s.removeGroup(g.name);
            return r.count() == 4;
        }
        if (group && r.is(1, DELCONSUMER)) {
            g.deleteConsumer(r.copy(4));
            return r.count() == 5;
        }
        if (ack) {
            for (int i = 3; i < r.count(); i++) {
                if (!id.parse(r, i, true, 0, false)) {
                    return false;
                }
                g.ack(id.ms, id.seq, new StreamGroup.Pending(id.ms, id.seq));
            }
            return true;
        }
        if (!deliver || r.count() < 7 || (r.count() - 7) % 3 != 0 || !r.longAt(4)) {
            return false;
        }
        StreamGroup.Consumer c = g.consumer(r.copy(3), r.number);
        c.seenTime = r.number;
        if (!id.parse(r, 5, true, 0, false) || !r.longAt(6)) {
            return false;
        }
        g.lastId.set(id);
        g.entriesRead = r.number;
        for (int i = 7; i < r.count(); i += 3) {
            if (!id.parse(r, i, true, 0, false) || !r.longAt(i + 1)) {
                return false;
            }
            long time = r.number;
            if (!r.longAt(i + 2)) {
                return false;
            }
            g.deliver(id.ms, id.seq, c, time, r.number);
        }
        return true;
    }
}
