package dev.atoll.examples.kv;

/**
 * A sorted-set command whose keys are on several shards — ZUNION, ZINTER, ZDIFF, ZINTERCARD, their
 * STORE forms, ZRANGESTORE, ZMPOP, and the geo searches that store (GEOSEARCHSTORE, GEORADIUS ...
 * STORE: {@link GeoCommands#storedResult}) — as a {@link CrossCommand}: rounds of a {@link Transaction}
 * under the locks of all its keys (alone, or inside an EXEC), so that it is as atomic as on one shard:
 *
 * <ol>
 *   <li>its arguments are checked on the connection's shard (numkeys, ZRANGE's range, ZMPOP's options);</li>
 *   <li>first round: each source key's owner copies its value (a sorted set, a set, or "wrong type");</li>
 *   <li>the coordinator computes the result as one shard would ({@link ZSetAlgebra}, {@link ZSetCommands#rangeResult});</li>
 *   <li>a STORE form has the destination's owner store and log it, in a second round;</li>
 *   <li>ZMPOP instead learns in the first round which keys hold what, then has the owner of the first
 *       key that holds members pop them.</li>
 * </ol>
 */
final class ZSetGather extends CrossCommand {
    private final Command command;
    private final Request request;
    /** Where the sources start among {@link #keys}: past a STORE's destination. */
    private final int firstSource;
    private final ZRange range;
    private final ZSetAlgebra.Pop pop;
    /** The value of each source key (index past the destination), from the first round; ZMPOP: only its kind. */
    private final Object[] inputs;

    private ZSetGather(KvNode node, Command command, Request request, int[] keys, ZRange range, ZSetAlgebra.Pop pop) {
        super(node, copies(request, keys));
        this.command = command;
        this.request = request;
        this.firstSource = ZSetAlgebra.stores(command) || GeoCommands.stores(command) ? 1 : 0; // geo: only a STORE comes here
        this.range = range;
        this.pop = pop;
        this.inputs = new Object[keys.length - firstSource];
    }

    /** Copies of the arguments {@code at} of {@code r}. */
    private static byte[][] copies(Request r, int[] at) {
        byte[][] keys = new byte[at.length][];
        for (int k = 0; k < at.length; k++) {
            keys[k] = r.copy(at[k]);
        }
        return keys;
    }

    /** The command of {@code r}; null when it was answered at once into {@code out} (an argument error). */
    static ZSetGather of(KvNode node, Command command, Request r, ReplyWriter out) {
        int[] keys = ZSetAlgebra.keys(command, r, out);
        if (keys == null) {
            return null;
        }
        ZRange range = null;
        ZSetAlgebra.Pop pop = null;
        if (command == Command.ZRANGESTORE && (range = ZRange.parse(command, r, 2, true, out)) == null) {
            return null;
        }
        if (command == Command.ZMPOP && (pop = ZSetAlgebra.pop(r, keys[keys.length - 1] + 1, out)) == null) {
            return null;
        }
        return new ZSetGather(node, command, CrossShard.copyOf(r), keys, range, pop);
    }

    @Override
    Transaction.Work first() {
        return eachOwned(firstSource, keys.length, (k, shard, e, now) -> {
            Object input = ZSetCommands.input(e, command != Command.ZMPOP);
            inputs[k - firstSource] = command == Command.ZMPOP && input != null && !(input instanceof ZSetValue)
                    ? ZSetAlgebra.WRONG_TYPE : input;
        });
    }

    @Override
    void then(Transaction tx, ReplyWriter out, Runnable done) {
        if (command == Command.ZMPOP) {
            zmpop(tx, out, done);
            return;
        }
        ZSetValue result;
        if (GeoCommands.stores(command)) {
            result = counted(() -> GeoCommands.storedResult(command, request, inputs[0], out));
            if (result == null) {
                done.run(); // the error is written
                return;
            }
        } else if (command == Command.ZRANGESTORE) {
            Object source = inputs[0];
            if (source != null && !(source instanceof ZSetValue)) {
                fail(out, KvShard.WRONGTYPE, done);
                return;
            }
            result = ZSetCommands.rangeResult((ZSetValue) source, range);
        } else {
            ZSetAlgebra.Outcome outcome = counted(() -> ZSetAlgebra.combine(command, request, inputs, out));
            if (outcome == null) {
                done.run(); // the error is written
                return;
            }
            if (!ZSetAlgebra.stores(command)) {
                node.local().zsets.reply(command, null, outcome, System.currentTimeMillis(), out);
                done.run();
                return;
            }
            result = outcome.result();
        }
        String[] answer = new String[1];
        tx.roundOn(owner(keys[0]), (part, shard, now) -> {
            boolean existed = shard.events.exists(keys[0]);
            answer[0] = shard.writeRefusal() != null ? "-" + shard.writeRefusal()
                    : ":" + shard.zsets.store(keys[0], result, now);
            wrote(shard, keys[0]);
            if (answer[0].charAt(0) == ':') {
                shard.events.stored(command, keys[0], existed);
            }
        }, () -> {
            if (answer[0].charAt(0) == '-') {
                fail(out, answer[0].substring(1), done);
            } else {
                out.raw(ReplyWriter.asciiBytes(answer[0] + "\r\n"));
                done.run();
            }
        });
    }

    /** Runs {@code computation}, which may write an error reply: such an error fails the command (INFO errorstats). */
    private <T> T counted(java.util.function.Supplier<T> computation) {
        ErrorStats errors = ErrorStats.current();
        int outer = errors.begin(command);
        try {
            return computation.get();
        } finally {
            errors.end(outer);
        }
    }

    /** ZMPOP: the owner of the first key that holds a sorted set pops (WRONGTYPE if another type comes first). */
    private void zmpop(Transaction tx, ReplyWriter out, Runnable done) {
        int at = 0;
        while (at < inputs.length && inputs[at] == null) {
            at++;
        }
        if (at == inputs.length) {
            out.nullArray();
            done.run();
            return;
        }
        if (inputs[at] == ZSetAlgebra.WRONG_TYPE) {
            fail(out, KvShard.WRONGTYPE, done);
            return;
        }
        byte[] key = keys[at];
        Object[] outcome = new Object[1];
        tx.roundOn(owner(key), (part, shard, now) -> {
            outcome[0] = shard.writeRefusal() != null ? shard.writeRefusal() : shard.zsets.popFirst(key, pop, now);
            wrote(shard, key);
            if (outcome[0] instanceof ZSetCommands.Popped) {
                shard.events.took(KeyspaceEvents.ZSET, KeyspaceEvents.pop(pop), key);
            }
        }, () -> {
            if (outcome[0] instanceof ZSetCommands.Popped popped) {
                ZSetCommands.mpopReply(key, popped, out);
                done.run();
            } else {
                fail(out, (String) outcome[0], done); // MISCONF
            }
        });
    }

    private void fail(ReplyWriter out, String error, Runnable done) {
        ErrorStats.answerFailed(command, out, error);
        done.run();
    }
}
