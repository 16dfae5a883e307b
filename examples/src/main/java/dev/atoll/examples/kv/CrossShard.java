package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * MSETNX, LCS and BITOP with keys on several shards, as {@link Transaction}s of two rounds under the
 * locks of all their keys, so that they are as atomic as on one shard:
 *
 * <ul>
 *   <li>MSETNX: every owner counts which of its keys exist ({@code EXISTS}); when none does, every
 *       owner sets its keys ({@code MSET}): {@code :1}, else nothing changes: {@code :0};</li>
 *   <li>LCS: the second key's owner copies its value; the first key's owner computes the answer
 *       with it, as one shard would;</li>
 *   <li>BITOP: every owner copies its sources' strings; the destination's owner stores what they
 *       combine to ({@link BitopCommand}).</li>
 * </ul>
 */
final class CrossShard {
    private static final byte[] EXISTS = ReplyWriter.asciiBytes("exists");
    private static final byte[] MSET = ReplyWriter.asciiBytes("mset");

    private CrossShard() {
    }

    /** Whether {@code command} with keys on several shards runs here. */
    static boolean handles(Command command) {
        return command == Command.MSETNX || command == Command.LCS || command == Command.BITOP
                || HllCommands.acrossShards(command);
    }

    /** Starts {@code r}; null when it answered at once (BITOP's operation or its number of sources). */
    static ReplySource start(KvNode node, KvConnection connection, Command command, Request r, ReplyWriter out) {
        return switch (command) {
            case MSETNX -> msetnx(node, connection, r, out.resp3());
            case LCS -> lcs(node, connection, r, out.resp3());
            case PFCOUNT, PFMERGE -> HllCommands.start(node, connection, command, r, out);
            default -> bitop(node, connection, r, out);
        };
    }

    private static ReplySource msetnx(KvNode node, KvConnection connection, Request r, boolean resp3) {
        int shards = node.shardCount();
        Transaction.Part[] byShard = new Transaction.Part[shards];
        List<Transaction.Part> parts = new ArrayList<>();
        List<List<Integer>> keys = new ArrayList<>();
        for (int i = 1; i < r.count(); i += 2) {
            int owner = KeySlots.owner(r.bytes, r.offset(i), r.length(i), shards);
            if (byShard[owner] == null) {
                byShard[owner] = new Transaction.Part(owner);
                parts.add(byShard[owner]);
                keys.add(new ArrayList<>());
            }
            byShard[owner].keys.add(r.copy(i));
            keys.get(parts.indexOf(byShard[owner])).add(i);
        }
        for (int p = 0; p < parts.size(); p++) {
            List<Integer> at = keys.get(p);
            parts.get(p).add(EXISTS, r, at.stream().mapToInt(Integer::intValue).toArray());
        }
        Request copy = copyOf(r);
        Transaction.Work execute = (part, shard, now) -> part.execute(shard, now, resp3);
        return Transaction.start(node, connection, resp3, parts, execute, tx -> {
            long existing = 0;
            for (Transaction.Part part : parts) {
                existing += part.replyType(0) == ':' ? part.integerReply(0) : 1;
            }
            if (existing > 0) {
                tx.reply.integer(0);
                tx.finish();
                return;
            }
            for (int p = 0; p < parts.size(); p++) {
                List<Integer> at = keys.get(p);
                int[] pairs = new int[2 * at.size()];
                for (int k = 0; k < at.size(); k++) {
                    pairs[2 * k] = at.get(k);
                    pairs[2 * k + 1] = at.get(k) + 1;
                }
                parts.get(p).clear();
                parts.get(p).add(MSET, copy, pairs);
            }
            tx.round(execute, () -> {
                Transaction.Part failed = null;
                for (Transaction.Part part : parts) {
                    failed = failed == null && part.replyType(0) == '-' ? part : failed;
                }
                if (failed != null) {
                    failed.writeReply(0, tx.reply); // MISCONF: the log fails on that shard
                } else {
                    tx.reply.integer(1);
                }
                tx.finish();
            });
        }, false);
    }

    private static ReplySource lcs(KvNode node, KvConnection connection, Request r, boolean resp3) {
        int shards = node.shardCount();
        Transaction.Part first = new Transaction.Part(KeySlots.owner(r.bytes, r.offset(1), r.length(1), shards));
        Transaction.Part second = new Transaction.Part(KeySlots.owner(r.bytes, r.offset(2), r.length(2), shards));
        first.keys.add(r.copy(1));
        second.keys.add(r.copy(2));
        int[] all = new int[r.count()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        first.add(r, all);
        byte[] key = r.copy(2);
        return Transaction.start(node, connection, resp3, List.of(first, second), (part, shard, now) -> {
            if (part == second) {
                KeyTable.Entry e = shard.live(key, 0, key.length, now);
                if (e != null) {
                    KeyTable.Entry copy = new KeyTable.Entry(key, 0, key.length, key, 0, 0);
                    copy.copyValueOf(null, e);
                    part.value = copy;
                }
            }
        }, tx -> tx.round((part, shard, now) -> {
            if (part == first) {
                Request q = shard.request;
                shard.parser.parse(part.commands.bytes(), 0, part.commands.size(), q);
                part.replies.resp3(resp3);
                shard.strings.lcs(q, shard.live(q.bytes, q.offset(1), q.length(1), now), (KeyTable.Entry) second.value,
                        part.replies);
            }
        }, () -> {
            tx.reply.raw(first.replies.bytes(), 0, first.replies.size());
            tx.finish();
        }), false);
    }

    /**
     * BITOP: each owner copies its sources' strings (or finds one of another type), then the
     * destination's owner stores what they combine to, under the locks of every key.
     */
    private static ReplySource bitop(KvNode node, KvConnection connection, Request r, ReplyWriter out) {
        BitopCommand.Op op = BitopCommand.op(r, out);
        if (op == null) {
            return null;
        }
        int shards = node.shardCount();
        List<Transaction.Part> parts = new ArrayList<>();
        Transaction.Part[] byShard = Transaction.Part.byOwner(r, 2, shards, parts);
        Request copy = copyOf(r);
        Transaction.Part destination = byShard[KeySlots.owner(r.bytes, r.offset(2), r.length(2), shards)];
        byte[][] sources = new byte[r.count() - BitopCommand.FIRST_SOURCE][];
        boolean[] wrongType = new boolean[1];
        return Transaction.start(node, connection, out.resp3(), parts, (part, shard, now) -> {
            for (int i = BitopCommand.FIRST_SOURCE; i < copy.count(); i++) {
                if (byShard[KeySlots.owner(copy.bytes, copy.offset(i), copy.length(i), shards)] == part) {
                    KeyTable.Entry e = shard.live(copy.bytes, copy.offset(i), copy.length(i), now);
                    if (e != null && !e.isString()) {
                        wrongType[0] = true;   // each part writes only its own sources' slots; read after the round
                    } else {
                        sources[i - BitopCommand.FIRST_SOURCE] = BitopCommand.copy(e);
                    }
                }
            }
        }, tx -> {
            if (wrongType[0]) {
                tx.reply.error(KvShard.WRONGTYPE);
                tx.finish();
                return;
            }
            byte[] result = BitopCommand.combine(op, sources);
            tx.round((part, shard, now) -> {
                if (part == destination) {
                    BitopCommand.store(shard, copy.bytes, copy.offset(2), copy.length(2), result, now);
                }
            }, () -> {
                tx.reply.integer(result.length);
                tx.finish();
            });
        }, false);
    }

    /** A request that owns its bytes (the connection's array is reused once the command was dispatched). */
    static Request copyOf(Request r) {
        ReplyWriter bytes = new ReplyWriter(64);
        Request copy = new Request();
        int[] offsets = new int[r.count()];
        for (int i = 0; i < r.count(); i++) {
            offsets[i] = bytes.size();
            bytes.raw(r.bytes, r.offset(i), r.length(i));
        }
        copy.reset(bytes.bytes());
        for (int i = 0; i < r.count(); i++) {
            copy.add(offsets[i], r.length(i));
        }
        return copy;
    }
}
