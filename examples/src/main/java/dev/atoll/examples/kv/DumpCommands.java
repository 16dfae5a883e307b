package dev.atoll.examples.kv;

/**
 * DUMP key and RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] on the key's
 * shard, with Redis 7.0's replies and errors; the payload is Redis's ({@link DumpPayload}). A restored key is
 * logged as its whole value (and expiry), as COPY's destination is, so a restart keeps it.
 */
final class DumpCommands {
    private static final byte[] REPLACE = "replace".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] ABSTTL = "absttl".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] IDLETIME = "idletime".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] FREQ = "freq".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final KvShard shard;
    private final Request scratch = new Request();

    DumpCommands(KvShard shard) {
        this.shard = shard;
    }

    void run(Command command, Request r, long now, ReplyWriter out) {
        switch (command) {
            case DUMP -> dump(r, now, out);
            case RESTORE, RESTORE_ASKING -> restore(r, now, out); // the same for a node of its own (Redis's restoreCommand)
            default -> throw new IllegalArgumentException(command + " is not DUMP or RESTORE");
        }
    }

    private void dump(Request r, long now, ReplyWriter out) {
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (e == null) {
            out.nullBulk();
        } else {
            byte[] payload = DumpPayload.dump(e, shard.rdbCompression());
            out.bulk(payload, 0, payload.length);
        }
    }

    /** As Redis 7.0's restoreCommand checks: options, then the key, the TTL, the payload's footer, the payload. */
    private void restore(Request r, long now, ReplyWriter out) {
        boolean replace = false;
        boolean absolute = false;
        long idleSeconds = -1;
        long frequency = -1;
        for (int j = 4; j < r.count(); j++) {
            boolean more = j + 1 < r.count();
            if (r.is(j, REPLACE)) {
                replace = true;
            } else if (r.is(j, ABSTTL)) {
                absolute = true;
            } else if (r.is(j, IDLETIME) && more && frequency < 0) {
                if (!r.longAt(++j)) {
                    out.error(KvShard.NOT_INTEGER);
                    return;
                }
                if (r.number < 0) {
                    out.error("ERR Invalid IDLETIME value, must be >= 0");
                    return;
                }
                idleSeconds = r.number;
            } else if (r.is(j, FREQ) && more && idleSeconds < 0) {
                if (!r.longAt(++j)) {
                    out.error(KvShard.NOT_INTEGER);
                    return;
                }
                if (r.number < 0 || r.number > 255) {
                    out.error("ERR Invalid FREQ value, must be >= 0 and <= 255");
                    return;
                }
                frequency = r.number;
            } else {
                out.error(KvShard.SYNTAX);
                return;
            }
        }
        KeyTable.Entry existing = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (!replace && existing != null) {
            out.error("BUSYKEY Target key name already exists.");
            return;
        }
        if (!r.longAt(2)) {
            out.error(KvShard.NOT_INTEGER);
            return;
        }
        long ttl = r.number;
        if (ttl < 0) {
            out.error("ERR Invalid TTL value, must be >= 0");
            return;
        }
        if (!DumpPayload.verify(r.bytes, r.offset(3), r.length(3))) {
            out.error("ERR DUMP payload version or checksum are wrong");
            return;
        }
        KeyTable.Entry value;
        try {
            value = DumpPayload.load(r.bytes, r.offset(3), r.length(3), scratch);
        } catch (DumpPayload.BadFormat e) {
            out.error("ERR Bad data format");
            return;
        }
        long expireAt = ttl == 0 ? 0 : absolute ? ttl : now + ttl;
        if (expireAt != 0 && expireAt <= now) { // already expired: OK, and the key is gone (as REPLACE left it)
            if (existing != null) {
                shard.remove(existing);
            }
            out.ok();
            return;
        }
        KeyTable.Entry e = existing != null ? existing
                : shard.put(r.bytes, r.offset(1), r.length(1), new byte[0], 0, false);
        e.takeValueOf(shard.table, value);
        shard.table.account(e);
        shard.setExpire(e, expireAt);
        // As Redis's objectSetLRUOrLFU: FREQ sets the counter under an LFU policy, IDLETIME the last access
        // otherwise; the other is ignored. (A time before the epoch is clamped: 0 means "never accessed".)
        if (shard.eviction.lfu() && frequency >= 0) {
            e.accessedAt = Eviction.lfuField((int) frequency, now);
        } else if (!shard.eviction.lfu() && idleSeconds >= 0) {
            e.accessedAt = Eviction.lruField(Math.max(1, now - Math.min(idleSeconds, now / 1000) * 1000));
        }
        shard.blocking.signal(r.bytes, r.offset(1), r.length(1)); // a client blocked on the key is served next
        if (shard.aof != null) {
            shard.aof.entry(e);
        }
        out.ok();
    }
}
