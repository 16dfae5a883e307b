package dev.atoll.examples.kv;

/**
 * PFADD, PFCOUNT, PFMERGE and PFDEBUG as Redis 7.0's hyperloglog.c: a HyperLogLog is a string value
 * holding Redis's bytes ({@link HyperLogLog}), so GET, STRLEN, DUMP, APPEND, the log and every other
 * string command see what Redis would. PFADD to a dense value changes its registers in place (logged
 * as SETRANGEs); every other write stores the whole new value ({@code SET key bytes KEEPTTL}, or
 * {@code PXAT} when the key expires, in the log), keeping the key's expiry as Redis does. PFCOUNT
 * of one key whose cached cardinality is stale writes the new one into the value, as Redis does.
 *
 * <p>Errors as Redis answers them, in the order of the keys: WRONGTYPE for another type, its
 * {@code Key is not a valid HyperLogLog string value.} for a string whose header is not a
 * HyperLogLog's, {@code INVALIDOBJ Corrupted HLL object detected} for sparse opcodes that do not
 * cover exactly 16384 registers. With the keys of PFCOUNT or PFMERGE on several shards,
 * {@link AcrossShards} copies every key's value from its owner and counts (or merges and stores on the
 * destination's owner) under the locks of all of them: as atomic as on one shard.
 */
final class HllCommands {
    static final String NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";
    static final String CORRUPT = "INVALIDOBJ Corrupted HLL object detected";
    private static final byte[] GETREG = ReplyWriter.asciiBytes("getreg");
    private static final byte[] DECODE = ReplyWriter.asciiBytes("decode");
    private static final byte[] ENCODING = ReplyWriter.asciiBytes("encoding");
    private static final byte[] TODENSE = ReplyWriter.asciiBytes("todense");
    /** A gathered key of another type than string. */
    private static final byte[] OTHER_TYPE = new byte[0];

    private final KvShard shard;

    HllCommands(KvShard shard) {
        this.shard = shard;
    }

    /** PFADD, PFCOUNT or PFMERGE with every key on this shard. */
    void run(Command command, Request r, long now, ReplyWriter out) {
        switch (command) {
            case PFADD -> pfadd(r, now, out);
            case PFCOUNT -> {
                if (r.count() == 2) {
                    pfcountOne(r, now, out);
                } else {
                    long card = union(values(r, now), out);
                    if (card >= 0) {
                        out.integer(card);
                    }
                }
            }
            case PFMERGE -> {
                HyperLogLog merged = merge(values(r, now), out);
                if (merged != null) {
                    store(shard, r.bytes, r.offset(1), r.length(1), merged);
                    out.ok();
                }
            }
            case PFDEBUG -> pfdebug(r, now, out);
            default -> throw new IllegalArgumentException(command + " is not a HyperLogLog command");
        }
    }

    private void pfadd(Request r, long now, ReplyWriter out) {
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        HyperLogLog h;
        int updated = 0;
        if (e == null) {
            h = HyperLogLog.empty();
            updated++;
        } else if (notHll(e, out)) {
            return;
        } else if (HyperLogLog.isDense(e.valueArray(), e.valueOffset())) {
            pfaddDense(e, r, out);
            return;
        } else {
            h = HyperLogLog.copyOf(e.valueArray(), e.valueOffset(), e.length);
        }
        for (int i = 2; i < r.count(); i++) {
            int changed = h.add(r.bytes, r.offset(i), r.length(i));
            if (changed < 0) {
                if (updated > 0) {
                    store(shard, r.bytes, r.offset(1), r.length(1), h); // Redis keeps what changed before the corrupt opcode
                }
                out.error(CORRUPT);
                return;
            }
            updated += changed;
        }
        if (updated > 0) {
            h.invalidate();
            store(shard, r.bytes, r.offset(1), r.length(1), h);
        }
        out.integer(updated > 0 ? 1 : 0);
    }

    /**
     * PFADD to a dense value: its registers change in place (a dense value never changes length),
     * logged as SETRANGEs of the stale-cache byte and of the registers' bytes that changed.
     */
    private void pfaddDense(KeyTable.Entry e, Request r, ReplyWriter out) {
        byte[] v = e.valueArray();
        int registers = e.valueOffset() + HyperLogLog.HEADER;
        int first = Integer.MAX_VALUE;
        int last = -1;
        for (int i = 2; i < r.count(); i++) {
            int slot = HyperLogLog.slot(r.bytes, r.offset(i), r.length(i));
            int index = slot & 0xffff;
            if (HyperLogLog.denseSet(v, registers, index, slot >>> 16) == 1) {
                first = Math.min(first, index * 6 >>> 3);
                last = Math.max(last, (index * 6 + 5) >>> 3);
            }
        }
        if (last < 0) {
            out.integer(0);
            return;
        }
        int cacheTop = e.valueOffset() + HyperLogLog.HEADER - 1;
        v[cacheTop] |= (byte) 0x80;
        e.version++; // a change WATCH sees
        if (shard.aof != null) {
            shard.aof.setRange(e, HyperLogLog.HEADER - 1, v, cacheTop, 1);
            shard.aof.setRange(e, HyperLogLog.HEADER + first, v, registers + first, last - first + 1);
        }
        out.integer(1);
    }

    private void pfcountOne(Request r, long now, ReplyWriter out) {
        KeyTable.Entry e = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (e == null) {
            out.integer(0);
            return;
        }
        if (notHll(e, out)) {
            return;
        }
        long cached = HyperLogLog.cached(e.valueArray(), e.valueOffset());
        if (cached >= 0) {
            out.integer(cached);
            return;
        }
        HyperLogLog h = HyperLogLog.copyOf(e.valueArray(), e.valueOffset(), e.length);
        long card = h.count();
        if (card < 0) {
            out.error(CORRUPT);
            return;
        }
        h.cache(card);
        store(shard, r.bytes, r.offset(1), r.length(1), h);
        if (shard.watches.any()) {
            shard.watches.touch(r.bytes, r.offset(1), r.length(1)); // a change to the value, as Redis signals it, though PFCOUNT reads
        }
        out.integer(card);
    }

    /**
     * PFDEBUG GETREG | DECODE | ENCODING | TODENSE key, as Redis 7.0: the registers (made dense first,
     * and stored so), the sparse opcodes as text ({@code z:} ZERO, {@code Z:} XZERO, {@code v:value,count}),
     * the encoding, or a conversion to dense (1 when it converted).
     */
    private void pfdebug(Request r, long now, ReplyWriter out) {
        KeyTable.Entry e = shard.live(r.bytes, r.offset(2), r.length(2), now);
        if (e == null) {
            out.error("ERR The specified key does not exist");
            return;
        }
        HyperLogLog h = workingCopy(e, out);
        if (h == null) {
            return;
        }
        boolean dense = HyperLogLog.isDense(h.bytes(), 0);
        if (r.is(1, GETREG) || r.is(1, TODENSE)) {
            if (!dense) {
                if (!h.toDense()) {
                    out.error(CORRUPT);
                    return;
                }
                store(shard, r.bytes, r.offset(2), r.length(2), h);
            }
            if (r.is(1, TODENSE)) {
                out.integer(dense ? 0 : 1);
                return;
            }
            out.arrayHeader(HyperLogLog.REGISTERS);
            for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
                out.integer(HyperLogLog.denseGet(h.bytes(), HyperLogLog.HEADER, i));
            }
        } else if (r.is(1, DECODE)) {
            if (dense) {
                out.error("ERR HLL encoding is not sparse");
            } else {
                out.bulk(h.decodeSparse());
            }
        } else if (r.is(1, ENCODING)) {
            out.simple(dense ? "dense" : "sparse");
        } else {
            out.error("ERR Unknown PFDEBUG subcommand '" + new String(r.copy(1), java.nio.charset.StandardCharsets.UTF_8) + "'");
        }
    }

    /** A copy of {@code e}'s HyperLogLog; null after answering the error when it is not one. */
    private static HyperLogLog workingCopy(KeyTable.Entry e, ReplyWriter out) {
        return notHll(e, out) ? null : HyperLogLog.copyOf(e.valueArray(), e.valueOffset(), e.length);
    }

    /** True, after answering the error, when the existing key {@code e} is not a HyperLogLog's string. */
    private static boolean notHll(KeyTable.Entry e, ReplyWriter out) {
        if (KvShard.wrongType(e, out)) {
            return true;
        }
        if (!HyperLogLog.valid(e.valueArray(), e.valueOffset(), e.length)) {
            out.error(NOT_HLL);
            return true;
        }
        return false;
    }

    /** The values of keys 1 on of {@code r} here: see {@link #valueOf}. */
    private byte[][] values(Request r, long now) {
        byte[][] values = new byte[r.count() - 1][];
        for (int i = 1; i < r.count(); i++) {
            values[i - 1] = valueOf(shard.live(r.bytes, r.offset(i), r.length(i), now));
        }
        return values;
    }

    /** A copy of a key's string; null for a missing key, {@link #OTHER_TYPE} for another type. */
    private static byte[] valueOf(KeyTable.Entry e) {
        return e != null && !e.isString() ? OTHER_TYPE : BitopCommand.copy(e);
    }

    /** Checks one gathered value in key order: false after answering its error. */
    private static boolean check(byte[] v, ReplyWriter out) {
        if (v == OTHER_TYPE) {
            out.error(KvShard.WRONGTYPE);
            return false;
        }
        if (!HyperLogLog.valid(v, 0, v.length)) {
            out.error(NOT_HLL);
            return false;
        }
        return true;
    }

    /** PFCOUNT of several keys: the cardinality of their union, nothing stored; -1 after answering an error. */
    static long union(byte[][] values, ReplyWriter out) {
        byte[] max = maxRegisters(values, out);
        return max == null ? -1 : HyperLogLog.count(max);
    }

    /**
     * Every register's highest value over the HyperLogLogs in {@code values} (a null is a missing key),
     * checked in key order; null after answering the first one's error.
     */
    private static byte[] maxRegisters(byte[][] values, ReplyWriter out) {
        byte[] max = new byte[HyperLogLog.REGISTERS];
        for (byte[] v : values) {
            if (v == null) {
                continue;
            }
            if (!check(v, out)) {
                return null;
            }
            if (!HyperLogLog.mergeInto(max, v, 0, v.length)) {
                out.error(CORRUPT);
                return null;
            }
        }
        return max;
    }

    /**
     * PFMERGE: the destination's (values[0]) HyperLogLog, or a new one, raised to the registers of
     * all (itself included), dense when one of them is; null after answering an error.
     */
    static HyperLogLog merge(byte[][] values, ReplyWriter out) {
        byte[] max = maxRegisters(values, out);
        if (max == null) {
            return null;
        }
        boolean dense = false;
        for (byte[] v : values) {
            dense |= v != null && HyperLogLog.isDense(v, 0);   // every one checked valid above
        }
        HyperLogLog h = values[0] == null ? HyperLogLog.empty() : HyperLogLog.copyOf(values[0], 0, values[0].length);
        if (dense && !h.toDense()) {
            out.error(CORRUPT);
            return null;
        }
        for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
            if (max[i] != 0) {
                h.set(i, max[i]);
            }
        }
        h.invalidate();
        return h;
    }

    /** Stores {@code h} as the key's string, keeping its expiry; logged as a SET of the bytes. */
    private static void store(KvShard shard, byte[] b, int offset, int length, HyperLogLog h) {
        shard.storeCopy(b, offset, length, h.bytes(), 0, h.length(), 0, true).raw(true);
    }

    /** Whether {@code command} with keys on several shards runs through {@link #start}. */
    static boolean acrossShards(Command command) {
        return command == Command.PFCOUNT || command == Command.PFMERGE;
    }

    /**
     * PFCOUNT or PFMERGE with keys on several shards: each owner copies its keys' values, then the
     * coordinator counts their union, or merges them and the destination's owner stores the result,
     * all under the locks of every key (a {@link CrossCommand}).
     */
    static final class AcrossShards extends CrossCommand {
        private final Command command;
        private final byte[][] values;

        AcrossShards(KvNode node, Command command, Request r) {
            super(node, CrossShard.keys(r, 1, 1));
            this.command = command;
            this.values = new byte[keys.length][];
        }

        @Override
        Transaction.Work first() {
            // each part writes only its own keys' slots; the coordinator reads them after the round
            return eachOwned(0, keys.length, (k, shard, e, now) -> values[k] = valueOf(e));
        }

        @Override
        void then(Transaction tx, ReplyWriter out, Runnable done) {
            if (command == Command.PFCOUNT) {
                long card = union(values, out);
                if (card >= 0) {
                    out.integer(card);
                }
                done.run();
                return;
            }
            HyperLogLog merged = merge(values, out);
            if (merged == null) {
                done.run();
                return;
            }
            tx.roundOn(owner(keys[0]), (part, shard, now) -> {
                boolean existed = shard.events.exists(keys[0]);
                store(shard, keys[0], 0, keys[0].length, merged);
                wrote(shard, keys[0]);
                shard.events.stored(Command.PFMERGE, keys[0], existed);
            }, () -> {
                        out.ok();
                        done.run();
                    });
        }
    }
}
