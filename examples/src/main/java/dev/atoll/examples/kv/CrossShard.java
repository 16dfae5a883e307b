package dev.atoll.examples.kv;

/**
 * MSETNX, LCS and BITOP with keys on several shards, as {@link CrossCommand}s: rounds of a
 * {@link Transaction} under the locks of all their keys, so that they are as atomic as on one shard
 * (alone, or inside an EXEC):
 *
 * <ul>
 *   <li>MSETNX: every owner checks which of its keys exist; when none does, every owner sets its
 *       keys ({@code MSET}): {@code :1}, else nothing changes: {@code :0};</li>
 *   <li>LCS: the second key's owner copies its value; the first key's owner computes the answer
 *       with it, as one shard would;</li>
 *   <li>BITOP: every owner copies its sources' strings; the destination's owner stores what they
 *       combine to ({@link BitopCommand}).</li>
 * </ul>
 * PFCOUNT and PFMERGE are {@link HllCommands.AcrossShards}.
 */
final class CrossShard {
    private static final byte[] MSET = ReplyWriter.asciiBytes("mset");

    private CrossShard() {
    }

    /** Whether {@code command} with keys on several shards runs here. */
    static boolean handles(Command command) {
        return command == Command.MSETNX || command == Command.LCS || command == Command.BITOP
                || HllCommands.acrossShards(command);
    }

    /** The cross-shard form of {@code r}; null when it answered at once (BITOP's operation or its number of sources). */
    static CrossCommand of(KvNode node, Command command, Request r, ReplyWriter out) {
        return switch (command) {
            case MSETNX -> new Msetnx(node, copyOf(r));
            case LCS -> new Lcs(node, copyOf(r));
            case PFCOUNT, PFMERGE -> new HllCommands.AcrossShards(node, command, copyOf(r));
            default -> {
                BitopCommand.Op op = BitopCommand.op(r, out);
                yield op == null ? null : new Bitop(node, op, copyOf(r));
            }
        };
    }

    /** The keys {@code r[from]}, {@code r[from + step]} ... (copies). */
    static byte[][] keys(Request r, int from, int step) {
        byte[][] keys = new byte[(r.count() - from + step - 1) / step][];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = r.copy(from + k * step);
        }
        return keys;
    }

    /** MSETNX: check on every owner, then set on every owner if no key exists. */
    private static final class Msetnx extends CrossCommand {
        private final Request r;
        private final boolean[] exists;
        /** Each shard's MSET reply (an error: MISCONF, OOM); filled by that shard. */
        private final ReplyWriter[] replies;

        Msetnx(KvNode node, Request r) {
            super(node, CrossShard.keys(r, 1, 2));
            this.r = r;
            this.exists = new boolean[keys.length];
            this.replies = new ReplyWriter[node.shardCount()];
        }

        @Override
        Transaction.Work first() {
            return eachOwned(0, keys.length, (k, shard, e, now) -> exists[k] = e != null);
        }

        @Override
        void then(Transaction tx, ReplyWriter out, Runnable done) {
            for (boolean e : exists) {
                if (e) {
                    out.integer(0);
                    done.run();
                    return;
                }
            }
            tx.round((part, shard, now) -> {
                ReplyWriter mset = new ReplyWriter(64);
                int pairs = 0;
                for (int k = 0; k < keys.length; k++) {
                    pairs += owner(keys[k]) == part.shard ? 1 : 0;
                }
                if (pairs == 0) {
                    return;
                }
                mset.arrayHeader(1 + 2 * pairs).bulk(MSET);
                for (int k = 0; k < keys.length; k++) {
                    if (owner(keys[k]) == part.shard) {
                        mset.bulk(r.bytes, r.offset(1 + 2 * k), r.length(1 + 2 * k));
                        mset.bulk(r.bytes, r.offset(2 + 2 * k), r.length(2 + 2 * k));
                    }
                }
                Request q = new Request();
                shard.parser.parse(mset.bytes(), 0, mset.size(), q);
                ReplyWriter reply = new ReplyWriter(16);
                shard.execute(Command.MSET, q, reply, now);
                replies[part.shard] = reply;
            }, () -> {
                for (ReplyWriter reply : replies) {
                    if (reply != null && reply.size() > 0 && reply.bytes()[0] == '-') {
                        out.raw(reply.bytes(), 0, reply.size()); // MISCONF: the log fails on that shard
                        done.run();
                        return;
                    }
                }
                out.integer(1);
                done.run();
            });
        }
    }

    /** LCS: the second key's owner copies its value, the first key's owner computes the answer. */
    private static final class Lcs extends CrossCommand {
        private final Request r;
        private final ReplyWriter answer;
        private KeyTable.Entry second;

        Lcs(KvNode node, Request r) {
            super(node, new byte[][] {r.copy(1), r.copy(2)});
            this.r = r;
            this.answer = new ReplyWriter(64);
        }

        @Override
        Transaction.Work first() {
            return eachOwned(1, 2, (k, shard, e, now) -> {
                if (e != null) {
                    KeyTable.Entry copy = new KeyTable.Entry(keys[1], 0, keys[1].length, keys[1], 0, 0);
                    copy.copyValueOf(null, e);
                    second = copy;
                }
            });
        }

        @Override
        void then(Transaction tx, ReplyWriter out, Runnable done) {
            answer.resp3(out.resp3());
            tx.roundOn(owner(keys[0]), (part, shard, now) ->
                    shard.strings.lcs(r, shard.live(keys[0], 0, keys[0].length, now), second, answer), () -> {
                        out.raw(answer.bytes(), 0, answer.size());
                        done.run();
                    });
        }
    }

    /** BITOP: each owner copies its sources' strings (or finds one of another type), the destination's owner stores what they combine to. */
    private static final class Bitop extends CrossCommand {
        private final BitopCommand.Op op;
        private final byte[][] sources;
        /** Per source: it holds another type than string. */
        private final boolean[] wrongType;

        Bitop(KvNode node, BitopCommand.Op op, Request r) {
            super(node, CrossShard.keys(r, 2, 1));
            this.op = op;
            this.sources = new byte[keys.length - 1][];
            this.wrongType = new boolean[keys.length - 1];
        }

        @Override
        Transaction.Work first() {
            return eachOwned(1, keys.length, (k, shard, e, now) -> {
                wrongType[k - 1] = e != null && !e.isString();
                sources[k - 1] = wrongType[k - 1] ? null : BitopCommand.copy(e);
            });
        }

        @Override
        void then(Transaction tx, ReplyWriter out, Runnable done) {
            for (boolean wrong : wrongType) {
                if (wrong) {
                    out.error(KvShard.WRONGTYPE);
                    done.run();
                    return;
                }
            }
            byte[] result = BitopCommand.combine(op, sources);
            tx.roundOn(owner(keys[0]), (part, shard, now) -> {
                boolean existed = shard.events.exists(keys[0]);
                BitopCommand.store(shard, keys[0], 0, keys[0].length, result, now);
                wrote(shard, keys[0]);
                shard.events.stored(Command.BITOP, keys[0], existed);
            }, () -> {
                        out.integer(result.length);
                        done.run();
                    });
        }
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
