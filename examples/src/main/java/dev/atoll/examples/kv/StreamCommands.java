package dev.atoll.examples.kv;

/**
 * The stream commands of one key, as Redis 7.0's t_stream.c answers them: XADD (explicit, {@code *}
 * and {@code ms-*} IDs, NOMKSTREAM, MAXLEN/MINID with {@code =} or {@code ~} and LIMIT), XLEN,
 * XRANGE, XREVRANGE (exclusive {@code (} bounds, COUNT), XDEL, XTRIM, XSETID (ENTRIESADDED,
 * MAXDELETEDID) and XINFO STREAM [FULL [COUNT n]] / HELP; the checks in Redis's order (some parse
 * before the key is looked up, some after). Runs on the shard that owns the key. Logs each change so
 * that {@link #replay} rebuilds it: XADD with the ID it was given, a trim as {@code XTRIM key MAXLEN =
 * length-left} (a trim removes from the head, so the length left says exactly what went), XDEL as
 * given, XSETID with every field.
 */
final class StreamCommands {
    static final byte[] XADD = ReplyWriter.asciiBytes("XADD");
    private static final byte[] XTRIM = ReplyWriter.asciiBytes("XTRIM");
    private static final byte[] XDEL = ReplyWriter.asciiBytes("XDEL");
    private static final byte[] XSETID = ReplyWriter.asciiBytes("XSETID");
    private static final byte[] MAXLEN_RECORD = ReplyWriter.asciiBytes("MAXLEN");
    private static final byte[] EXACT = ReplyWriter.asciiBytes("=");
    private static final byte[] ENTRIESADDED_RECORD = ReplyWriter.asciiBytes("ENTRIESADDED");
    private static final byte[] MAXDELETEDID_RECORD = ReplyWriter.asciiBytes("MAXDELETEDID");
    private static final byte[] LOWER_XADD = ReplyWriter.asciiBytes("xadd");
    private static final byte[] LOWER_XTRIM = ReplyWriter.asciiBytes("xtrim");
    private static final byte[] LOWER_XDEL = ReplyWriter.asciiBytes("xdel");
    private static final byte[] LOWER_XSETID = ReplyWriter.asciiBytes("xsetid");
    private static final byte[] MAXLEN = ReplyWriter.asciiBytes("maxlen");
    private static final byte[] MINID = ReplyWriter.asciiBytes("minid");
    private static final byte[] LIMIT = ReplyWriter.asciiBytes("limit");
    private static final byte[] NOMKSTREAM = ReplyWriter.asciiBytes("nomkstream");
    private static final byte[] COUNT = ReplyWriter.asciiBytes("count");
    private static final byte[] ENTRIESADDED = ReplyWriter.asciiBytes("entriesadded");
    private static final byte[] MAXDELETEDID = ReplyWriter.asciiBytes("maxdeletedid");
    private static final byte[] STREAM = ReplyWriter.asciiBytes("stream");
    private static final byte[] FULL = ReplyWriter.asciiBytes("full");
    private static final byte[] HELP = ReplyWriter.asciiBytes("help");
    private static final byte[] GROUPS = ReplyWriter.asciiBytes("groups");
    private static final byte[] CONSUMERS = ReplyWriter.asciiBytes("consumers");
    private static final String TOP_ITEM = "ERR The ID specified in XADD is equal or smaller than the target stream top item";
    private static final String[] XINFO_HELP = {
        "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        "HELP",
        "    Prints this help.",
    };

    private final KvShard shard;
    // A command's parsed IDs and scratch, one set per shard: an XADD or XRANGE allocates none.
    private final StreamId id = new StreamId();
    private final StreamId start = new StreamId();
    private final StreamId end = new StreamId();
    private final StreamId minId = new StreamId();
    private final StreamId other = new StreamId();
    private final byte[] idBytes = new byte[41];
    private final int[] cursor = new int[1];

    /** What XADD's and XTRIM's options said (Redis's streamAddTrimArgs). */
    private boolean hasMaxLen;
    private boolean hasMinId;
    private boolean approx;
    private long maxLen;
    private long limit;
    private boolean noMkStream;
    private boolean idGiven;

    /** The XADD being logged, for {@link #xaddRecord}. */
    private Request logged;
    private int loggedFields;
    private int loggedIdLength;
    private final java.util.function.Consumer<ReplyWriter> xaddRecord = this::writeXaddRecord;

    StreamCommands(KvShard shard) {
        this.shard = shard;
    }

    void run(Command command, Request r, long now, ReplyWriter out) {
        switch (command) {
            case XADD -> add(r, now, out);
            case XLEN -> {
                KeyTable.Entry e = stream(r, 1, now, out);
                if (e != WRONG) {
                    out.integer(e == null ? 0 : ((StreamValue) e.aggregate()).length());
                }
            }
            case XRANGE, XREVRANGE -> range(command == Command.XREVRANGE, r, now, out);
            case XDEL -> delete(r, now, out);
            case XTRIM -> trim(r, now, out);
            case XSETID -> setId(r, now, out);
            case XINFO -> info(r, now, out);
            default -> throw new IllegalArgumentException(command + " is not a stream command");
        }
    }

    /** Marks a key of another type (after its WRONGTYPE). */
    private static final KeyTable.Entry WRONG = new KeyTable.Entry(new byte[0], new StreamValue());

    /** The live key that is argument {@code i}: null when absent, {@link #WRONG} after answering WRONGTYPE. */
    private KeyTable.Entry stream(Request r, int i, long now, ReplyWriter out) {
        KeyTable.Entry e = shard.live(r.bytes, r.offset(i), r.length(i), now);
        if (e != null && !(e.aggregate() instanceof StreamValue)) {
            out.error(KvShard.WRONGTYPE);
            return WRONG;
        }
        return e;
    }

    /**
     * Redis's streamParseAddOrTrimArgsOrReply: the options from argument 2 on; for XADD up to and
     * including the ID. Returns where it stopped (XADD: the ID's index), or -1 after an error reply.
     */
    private int options(Request r, boolean xadd, ReplyWriter out) {
        hasMaxLen = false;
        hasMinId = false;
        approx = false;
        maxLen = 0;
        limit = 0;
        noMkStream = false;
        idGiven = false;
        boolean limitGiven = false;
        int i = 2;
        for (; i < r.count(); i++) {
            int more = r.count() - 1 - i;
            if (xadd && r.length(i) == 1 && r.bytes[r.offset(i)] == '*') {
                break;
            } else if ((r.is(i, MAXLEN) || r.is(i, MINID)) && more > 0) {
                if (hasMaxLen || hasMinId) {
                    out.error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                    return -1;
                }
                boolean byLength = r.is(i, MAXLEN);
                approx = false;
                if (more >= 2 && r.length(i + 1) == 1 && (r.bytes[r.offset(i + 1)] == '~' || r.bytes[r.offset(i + 1)] == '=')) {
                    approx = r.bytes[r.offset(i + 1)] == '~';
                    i++;
                }
                if (byLength) {
                    maxLen = notNegative(r, i + 1, "MAXLEN", out);
                    if (maxLen < 0) {
                        return -1;
                    }
                    hasMaxLen = true;
                } else {
                    if (!minId.parse(r, i + 1, true, 0, false)) {
                        out.error(StreamId.INVALID);
                        return -1;
                    }
                    hasMinId = true;
                }
                i++;
            } else if (r.is(i, LIMIT) && more > 0) {
                limit = notNegative(r, i + 1, "LIMIT", out);
                if (limit < 0) {
                    return -1;
                }
                limitGiven = true;
                i++;
            } else if (xadd && r.is(i, NOMKSTREAM)) {
                noMkStream = true;
            } else if (xadd) {
                if (!id.parse(r, i, true, 0, true)) {
                    out.error(StreamId.INVALID);
                    return -1;
                }
                idGiven = true;
                break;
            } else {
                out.error(KvShard.SYNTAX);
                return -1;
            }
        }
        boolean trims = hasMaxLen || hasMinId;
        if (limit != 0 && !trims) {
            out.error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
            return -1;
        }
        if (!xadd && !trims) {
            out.error("ERR syntax error, XTRIM must be called with a trimming strategy");
            return -1;
        }
        if (limitGiven) {
            if (!approx) {
                out.error("ERR syntax error, LIMIT cannot be used without the special ~ option");
                return -1;
            }
        } else {
            limit = approx ? StreamValue.DEFAULT_APPROX_LIMIT : 0;
        }
        return i;
    }

    /** Argument {@code i} as MAXLEN's or LIMIT's count ({@code name}); -1 after its error reply. */
    private static long notNegative(Request r, int i, String name, ReplyWriter out) {
        if (!r.longAt(i)) {
            out.error(KvShard.NOT_INTEGER);
            return -1;
        }
        if (r.number < 0) {
            out.error("ERR The " + name + " argument must be >= 0.");
            return -1;
        }
        return r.number;
    }

    /** XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]. */
    private void add(Request r, long now, ReplyWriter out) {
        int at = options(r, true, out);
        if (at < 0) {
            return;
        }
        int fields = at + 1;
        if (r.count() - fields < 2 || (r.count() - fields) % 2 == 1) {
            out.error(KvConnection.wrongArity("xadd"));
            return;
        }
        if (idGiven && id.seqGiven && id.isZero()) {
            out.error("ERR The ID specified in XADD must be greater than 0-0");
            return;
        }
        KeyTable.Entry e = stream(r, 1, now, out);
        if (e == WRONG) {
            return;
        }
        if (e == null) {
            if (noMkStream) {
                out.nullBulk();
                return;
            }
            byte[] key = r.copy(1);
            e = shard.table.insert(key, KeyTable.hash(key, 0, key.length), new StreamValue());
            shard.created(e, now);
        }
        e.version++;
        StreamValue s = (StreamValue) e.aggregate();
        StreamId last = s.lastId;
        if (last.ms == StreamId.MAX && last.seq == StreamId.MAX) {
            out.error("ERR The stream has exhausted the last possible ID, unable to add more items");
            return;
        }
        if (!idGiven) {
            if (Long.compareUnsigned(now, last.ms) > 0) {
                id.set(now, 0);
            } else {
                id.set(last).increment();
            }
        } else if (!id.seqGiven && id.ms == last.ms) {
            if (last.seq == StreamId.MAX) {
                out.error("ERR Elements are too large to be stored");
                return;
            }
            id.seq = last.seq + 1;
        }
        if (id.compareTo(last) <= 0) {
            out.error(TOP_ITEM);
            return;
        }
        s.append(id.ms, id.seq, r, fields, r.count());
        int idLength = StreamId.format(id.ms, id.seq, idBytes);
        if (shard.aof != null) {
            logged = r;
            loggedFields = fields;
            loggedIdLength = idLength;
            shard.aof.record(3 + r.count() - fields, xaddRecord);
            logged = null;
        }
        out.bulk(idBytes, 0, idLength);
        if (hasMaxLen || hasMinId) {
            trimmed(r, s, s.trim(maxLen, hasMinId ? minId : null, approx, limit));
        }
        shard.blocking.signal(r.bytes, r.offset(1), r.length(1));
    }

    /** {@code XADD key id field value ...} of the XADD in {@link #logged}, with the ID it got: one writer for every record, so a logged XADD allocates nothing. */
    private void writeXaddRecord(ReplyWriter w) {
        Request r = logged;
        w.bulk(XADD).bulk(r.bytes, r.offset(1), r.length(1)).bulk(idBytes, 0, loggedIdLength);
        for (int i = loggedFields; i < r.count(); i++) {
            w.bulk(r.bytes, r.offset(i), r.length(i));
        }
    }

    /** Logs what a trim removed as the length it left. */
    private void trimmed(Request r, StreamValue s, long removed) {
        if (removed > 0 && shard.aof != null) {
            shard.aof.record(5, w -> w.bulk(XTRIM).bulk(r.bytes, r.offset(1), r.length(1)).bulk(MAXLEN_RECORD).bulk(EXACT)
                    .bulkDecimal(s.length()));
        }
    }

    /** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]: the options first, then the key. */
    private void trim(Request r, long now, ReplyWriter out) {
        if (options(r, false, out) < 0) {
            return;
        }
        KeyTable.Entry e = stream(r, 1, now, out);
        if (e == WRONG) {
            return;
        }
        if (e == null) {
            out.integer(0);
            return;
        }
        StreamValue s = (StreamValue) e.aggregate();
        long removed = s.trim(maxLen, hasMinId ? minId : null, approx, limit);
        if (removed > 0) {
            e.version++;
        }
        trimmed(r, s, removed);
        out.integer(removed);
    }

    /** XRANGE key start end [COUNT n], XREVRANGE key end start [COUNT n]. */
    private void range(boolean rev, Request r, long now, ReplyWriter out) {
        int startAt = rev ? 3 : 2;
        int endAt = rev ? 2 : 3;
        if (!bound(r, startAt, start, 0, out)) {
            return;
        }
        if (exclusive(r, startAt) && !start.increment()) {
            out.error("ERR invalid start ID for the interval");
            return;
        }
        if (!bound(r, endAt, end, StreamId.MAX, out)) {
            return;
        }
        if (exclusive(r, endAt) && !end.decrement()) {
            out.error("ERR invalid end ID for the interval");
            return;
        }
        long count = -1;
        for (int j = 4; j < r.count(); j++) {
            if (r.is(j, COUNT) && j + 1 < r.count()) {
                if (!r.longAt(j + 1)) {
                    out.error(KvShard.NOT_INTEGER);
                    return;
                }
                count = Math.max(0, r.number);
                j++;
            } else {
                out.error(KvShard.SYNTAX);
                return;
            }
        }
        KeyTable.Entry e = stream(r, 1, now, out);
        if (e == WRONG) {
            return;
        }
        if (e == null) {
            out.arrayHeader(0);
        } else if (count == 0) {
            out.nullArray();
        } else {
            StreamValue s = (StreamValue) e.aggregate();
            long n = count < 0 ? 0 : count;
            out.arrayHeader(s.range(start, end, n, rev, null, idBytes, cursor));
            s.range(start, end, n, rev, out, idBytes, cursor);
        }
    }

    static boolean exclusive(Request r, int i) {
        return r.length(i) > 1 && r.bytes[r.offset(i)] == '(';
    }

    /** Redis's streamParseIntervalIDOrReply: {@code (id} (strict) or an ID, {@code -} or {@code +}. */
    static boolean bound(Request r, int i, StreamId into, long missingSeq, ReplyWriter out) {
        boolean ok = exclusive(r, i)
                ? into.parse(r.bytes, r.offset(i) + 1, r.length(i) - 1, true, missingSeq, false)
                : into.parse(r, i, false, missingSeq, false);
        if (!ok) {
            out.error(StreamId.INVALID);
        }
        return ok;
    }

    /** XDEL key id [id ...]: the key first, then every ID checked before any is deleted. */
    private void delete(Request r, long now, ReplyWriter out) {
        KeyTable.Entry e = stream(r, 1, now, out);
        if (e == WRONG) {
            return;
        }
        if (e == null) {
            out.integer(0);
            return;
        }
        for (int i = 2; i < r.count(); i++) {
            if (!id.parse(r, i, true, 0, false)) {
                out.error(StreamId.INVALID);
                return;
            }
        }
        StreamValue s = (StreamValue) e.aggregate();
        int deleted = deleteIds(s, r, id);
        if (deleted > 0) {
            e.version++;
            if (shard.aof != null) {
                shard.aof.command(XDEL, r);
            }
        }
        out.integer(deleted);
    }

    /**
     * Deletes the IDs that are arguments 2 on of {@code r} with XDEL's bookkeeping, parsed into {@code id};
     * returns how many were there, or -1 at one that is no ID (those before it are deleted).
     */
    private static int deleteIds(StreamValue s, Request r, StreamId id) {
        int deleted = 0;
        for (int i = 2; i < r.count(); i++) {
            if (!id.parse(r, i, true, 0, false)) {
                return -1;
            }
            boolean wasFirst = id.compareTo(s.firstId) == 0;
            if (s.delete(id.ms, id.seq)) {
                s.deleted(id, wasFirst);
                deleted++;
            }
        }
        return deleted;
    }

    /** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]: the options first, then the key. */
    private void setId(Request r, long now, ReplyWriter out) {
        if (!id.parse(r, 2, true, 0, false)) {
            out.error(StreamId.INVALID);
            return;
        }
        long entriesAdded = -1;
        other.set(0, 0);
        for (int i = 3; i < r.count(); i += 2) {
            boolean more = i + 1 < r.count();
            if (r.is(i, ENTRIESADDED) && more) {
                if (!r.longAt(i + 1)) {
                    out.error(KvShard.NOT_INTEGER);
                    return;
                }
                if (r.number < 0) {
                    out.error("ERR entries_added must be positive");
                    return;
                }
                entriesAdded = r.number;
            } else if (r.is(i, MAXDELETEDID) && more) {
                if (!other.parse(r, i + 1, true, 0, false)) {
                    out.error(StreamId.INVALID);
                    return;
                }
                if (id.compareTo(other) < 0) {
                    out.error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                    return;
                }
            } else {
                out.error(KvShard.SYNTAX);
                return;
            }
        }
        KeyTable.Entry e = stream(r, 1, now, out);
        if (e == WRONG) {
            return;
        }
        if (e == null) {
            out.error("ERR no such key");
            return;
        }
        StreamValue s = (StreamValue) e.aggregate();
        if (s.length() > 0) {
            s.edge(false, start);
            if (id.compareTo(start) < 0) {
                out.error("ERR The ID specified in XSETID is smaller than the target stream top item");
                return;
            }
            if (entriesAdded != -1 && s.length() > entriesAdded) {
                out.error("ERR The entries_added specified in XSETID is smaller than the target stream length");
                return;
            }
        }
        s.lastId.set(id);
        if (entriesAdded != -1) {
            s.entriesAdded = entriesAdded;
        }
        if (!other.isZero()) {
            s.maxDeletedId.set(other);
        }
        e.version++;
        if (shard.aof != null) {
            shard.aof.record(7, w -> writeSetIdBody(w, r.copy(1), s, idBytes));
        }
        out.ok();
    }

    /** {@code XSETID key last ENTRIESADDED n MAXDELETEDID id}: the whole of a stream's bookkeeping, as one record. */
    static void writeSetId(ReplyWriter w, byte[] key, StreamValue s, byte[] scratch) {
        w.arrayHeader(7);
        writeSetIdBody(w, key, s, scratch);
    }

    private static void writeSetIdBody(ReplyWriter w, byte[] key, StreamValue s, byte[] scratch) {
        w.bulk(XSETID).bulk(key).bulk(scratch, 0, StreamId.format(s.lastId.ms, s.lastId.seq, scratch))
                .bulk(ENTRIESADDED_RECORD).bulkDecimal(s.entriesAdded)
                .bulk(MAXDELETEDID_RECORD).bulk(scratch, 0, StreamId.format(s.maxDeletedId.ms, s.maxDeletedId.seq, scratch));
    }

    /** XINFO STREAM key [FULL [COUNT count]], XINFO HELP; GROUPS and CONSUMERS: {@link StreamGroupCommands}. */
    private void info(Request r, long now, ReplyWriter out) {
        if (r.is(1, HELP) && r.count() == 2) {
            out.helpLines(XINFO_HELP);
            return;
        }
        boolean known = r.is(1, STREAM) || r.is(1, GROUPS) || r.is(1, CONSUMERS) || r.is(1, HELP);
        if (!known) {
            out.error("ERR unknown subcommand '" + KeyCommands.truncated(r.string(1)) + "'. Try XINFO HELP.");
            return;
        }
        int arity = r.is(1, CONSUMERS) ? 4 : r.is(1, HELP) ? 2 : 3;
        if (r.is(1, STREAM) ? r.count() < 3 : r.count() != arity) {
            out.error(KvConnection.wrongArity("xinfo|" + r.string(1).toLowerCase(java.util.Locale.ROOT)));
            return;
        }
        KeyTable.Entry e = shard.live(r.bytes, r.offset(2), r.length(2), now);
        if (e == null) {
            out.error("ERR no such key");
            return;
        }
        if (!(e.aggregate() instanceof StreamValue s)) {
            out.error(KvShard.WRONGTYPE);
            return;
        }
        if (r.is(1, GROUPS)) {
            shard.streamGroups.infoGroups(s, out);
            return;
        }
        if (r.is(1, CONSUMERS)) {
            shard.streamGroups.infoConsumers(s, r, now, out);
            return;
        }
        boolean full = false;
        long count = 10;
        if (r.count() > 3) {
            boolean countGiven = r.count() == 6 && r.is(4, COUNT);
            if (!r.is(3, FULL) || (r.count() != 4 && !countGiven)) {
                out.error("ERR unknown subcommand or wrong number of arguments for '" + r.string(1) + "'. Try XINFO HELP.");
                return;
            }
            full = true;
            if (countGiven) {
                if (!r.longAt(5)) {
                    out.error(KvShard.NOT_INTEGER);
                    return;
                }
                count = r.number < 0 ? 10 : r.number; // 0: every entry
            }
        }
        out.mapHeader(full ? 9 : 10);
        out.bulk("length").integer(s.length());
        out.bulk("radix-tree-keys").integer(s.nodeCount());
        out.bulk("radix-tree-nodes").integer(s.raxNodes());
        out.bulk("last-generated-id").bulk(idBytes, 0, StreamId.format(s.lastId.ms, s.lastId.seq, idBytes));
        out.bulk("max-deleted-entry-id").bulk(idBytes, 0, StreamId.format(s.maxDeletedId.ms, s.maxDeletedId.seq, idBytes));
        out.bulk("entries-added").integer(s.entriesAdded);
        out.bulk("recorded-first-entry-id").bulk(idBytes, 0, StreamId.format(s.firstId.ms, s.firstId.seq, idBytes));
        start.set(0, 0);
        end.set(StreamId.MAX, StreamId.MAX);
        if (full) {
            out.bulk("entries");
            out.arrayHeader(s.range(start, end, count, false, null, idBytes, cursor));
            s.range(start, end, count, false, out, idBytes, cursor);
            out.bulk("groups");
            shard.streamGroups.infoFull(s, count, out);
            return;
        }
        out.bulk("groups").integer(s.groupCount());
        out.bulk("first-entry");
        edgeEntry(s, false, out);
        out.bulk("last-entry");
        edgeEntry(s, true, out);
    }

    /** XINFO STREAM's first-entry or last-entry: the entry, or a null. */
    private void edgeEntry(StreamValue s, boolean last, ReplyWriter out) {
        if (s.length() == 0) {
            out.nullBulk();
        } else {
            s.range(start, end, 1, last, out, idBytes, cursor);
        }
    }

    // ---- the log ----

    /**
     * Applies a stream record of the log to {@code table} — XADD key id field value ..., XTRIM key
     * MAXLEN = n, XDEL key id ..., XSETID key id ENTRIESADDED n MAXDELETEDID id (which makes the key when
     * absent: a rewrite's empty stream) — and answers whether it was one; false also when malformed.
     */
    static boolean replay(Request r, KeyTable table) {
        boolean add = r.is(0, LOWER_XADD);
        boolean trim = r.is(0, LOWER_XTRIM);
        boolean del = r.is(0, LOWER_XDEL);
        boolean setId = r.is(0, LOWER_XSETID);
        if (!add && !trim && !del && !setId || r.count() < 3) {
            return false;
        }
        byte[] b = r.bytes;
        int hash = KeyTable.hash(b, r.offset(1), r.length(1));
        KeyTable.Entry e = table.find(b, r.offset(1), r.length(1), hash);
        if (e != null && !(e.aggregate() instanceof StreamValue)) {
            return false;
        }
        StreamId id = new StreamId();
        if (add || setId) {
            if (!id.parse(r, 2, true, 0, false) || (add && (r.count() < 5 || r.count() % 2 == 0))
                    || (setId && r.count() != 7)) {
                return false;
            }
            if (e == null) {
                e = table.insert(r.copy(1), hash, new StreamValue());
            }
            StreamValue s = (StreamValue) e.aggregate();
            if (add) {
                if (id.compareTo(s.lastId) <= 0) {
                    return false;
                }
                s.append(id.ms, id.seq, r, 3, r.count());
                return true;
            }
            StreamId maxDeleted = new StreamId();
            if (!r.longAt(4) || !maxDeleted.parse(r, 6, true, 0, false)) {
                return false;
            }
            s.lastId.set(id);
            s.entriesAdded = r.number;
            s.maxDeletedId.set(maxDeleted);
            return true;
        }
        if (e == null) {
            return false; // a record follows the XADD that made its key
        }
        StreamValue s = (StreamValue) e.aggregate();
        if (trim) {
            if (r.count() != 5 || !r.longAt(4) || r.number < 0) {
                return false;
            }
            s.trim(r.number, null, false, 0);
            return true;
        }
        return deleteIds(s, r, id) >= 0;
    }
}
