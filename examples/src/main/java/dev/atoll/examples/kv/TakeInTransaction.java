package dev.atoll.examples.kv;

/**
 * A pop that may walk shards or wait (LMPOP, BLPOP, BRPOP, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP) and
 * a move of a list's element (LMOVE, RPOPLPUSH, BLMOVE, BRPOPLPUSH) inside a transaction: its
 * non-blocking form, as Redis runs it inside MULTI (nothing to take: a null, never a wait), as a
 * {@link CrossCommand} under the locks of all its keys. Also LMOVE and RPOPLPUSH across shards
 * alone (a transaction of their own, so that the element is never seen in neither list nor in
 * both); the blocking forms alone are {@link ListPop}s and {@link ZSetPop}s. The arguments are those {@link ListPop} and
 * {@link ZSetPop} parse (never begun: they only carry them and write the reply).
 *
 * <p>First round: each owner notes, for its keys, whether each is absent, of the type the command
 * takes from, or another (and a move's destination's type). The coordinator picks the first key that
 * is not absent (another type there: WRONGTYPE, as Redis walks the keys in order); its owner pops in
 * a second round; a move's destination's owner pushes in a third.
 */
final class TakeInTransaction extends CrossCommand {
    private static final Object TAKES = new Object();
    private static final Object OTHER = new Object();

    private final Command command;
    private final BlockedClient client;
    private final ListPop list;
    private final ZSetPop zset;
    /** Per key: null (absent), TAKES or OTHER; and the destination's type (a move). */
    private final Object[] found;
    private boolean targetOther;
    private String refusal;
    /** What the pop took. */
    private byte[][] elements;
    private ZSetCommands.Popped popped;

    private TakeInTransaction(KvNode node, Command command, BlockedClient client) {
        super(node, with(client.keys, client instanceof ListPop l ? l.target() : null));
        this.command = command;
        this.client = client;
        this.list = client instanceof ListPop l ? l : null;
        this.zset = client instanceof ZSetPop z ? z : null;
        this.found = new Object[client.keys.length];
    }

    /** Whether {@code command} runs here inside a transaction. */
    static boolean handles(Command command) {
        return command.kind == Command.Kind.TAKES || command.movesAnElement();
    }

    /** The command of {@code r}; null when it was answered at once into {@code out} (a syntax error, a bad timeout). */
    static TakeInTransaction of(KvNode node, Command command, Request r, ReplyWriter out) {
        BlockedClient client = command == Command.BZPOPMIN || command == Command.BZPOPMAX || command == Command.BZMPOP
                ? ZSetPop.parse(node, null, out, command, r)
                : ListPop.parse(node, null, out, command, r);
        return client == null ? null : new TakeInTransaction(node, command, client);
    }

    private byte[] target() {
        return list == null ? null : list.target();
    }

    @Override
    Transaction.Work first() {
        return eachOwned(0, keys.length, (k, shard, e, now) -> {
            if (k < found.length) {
                found[k] = e == null ? null : client.accepts(e, false) ? TAKES : OTHER;
            } else {
                targetOther = e != null && !(e.aggregate() instanceof ListValue); // a move's destination
            }
            refuse(shard);
        });
    }

    private void refuse(KvShard shard) {
        if (shard.writeRefusal() != null) {
            refusal = shard.writeRefusal();
        }
    }

    @Override
    void then(Transaction tx, ReplyWriter out, Runnable done) {
        int at = 0;
        while (at < found.length && found[at] == null) {
            at++;
        }
        if (at == found.length) {
            if (target() != null) {
                out.nullBulk(); // BLMOVE too, inside MULTI
            } else {
                client.writeNothing(out);
            }
            done.run();
            return;
        }
        if (found[at] == OTHER || targetOther) {
            fail(out, KvShard.WRONGTYPE, done);
            return;
        }
        if (refusal != null) {
            fail(out, refusal, done);
            return;
        }
        byte[] key = client.keys[at];
        // a move on one shard: its events in Redis's order, the destination's push before the source's pop
        boolean popAfterPush = target() != null && owner(target()) == client.owners[at];
        tx.roundOn(client.owners[at], (part, shard, now) -> {
            KeyTable.Entry e = shard.live(key, 0, key.length, now); // as the first round found it: the key is locked
            if (zset != null) {
                popped = (ZSetCommands.Popped) shard.zsets.popFirst(key, zset.pop(), now);
                shard.events.took(KeyspaceEvents.ZSET, KeyspaceEvents.pop(zset.pop()), key);
            } else {
                elements = shard.lists.pop(e, list.fromLeft(), target() == null ? list.count() : 1);
                if (!popAfterPush) {
                    shard.events.took(KeyspaceEvents.LIST, KeyspaceEvents.pop(list.fromLeft()), key);
                }
            }
            wrote(shard, key);
        }, () -> {
            if (target() == null) {
                reply(key, out, done);
                return;
            }
            tx.roundOn(owner(target()), (part, shard, now) -> {
                boolean existed = shard.events.exists(target());
                shard.lists.push(target(), list.toLeft(), elements, now);
                wrote(shard, target());
                shard.events.stored(KeyspaceEvents.LIST, KeyspaceEvents.push(list.toLeft()), target(), existed);
                if (popAfterPush) {
                    shard.events.took(KeyspaceEvents.LIST, KeyspaceEvents.pop(list.fromLeft()), key);
                }
            }, () -> reply(key, out, done));
        });
    }

    private void reply(byte[] key, ReplyWriter out, Runnable done) {
        if (zset != null) {
            zset.taken(key, popped);
        } else {
            list.taken(key, elements);
        }
        client.writeTaken(out);
        done.run();
    }

    private void fail(ReplyWriter out, String error, Runnable done) {
        ErrorStats.answerFailed(command, out, error);
        done.run();
    }
}
