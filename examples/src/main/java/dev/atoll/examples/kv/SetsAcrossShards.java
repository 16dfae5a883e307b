package dev.atoll.examples.kv;

/**
 * SINTER, SINTERCARD, SUNION, SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE and SMOVE whose keys
 * several shards own (with all keys on one shard they run whole there, as any command), as a
 * {@link CrossCommand}: rounds of a {@link Transaction} under the locks of all their keys, alone or
 * inside an EXEC, so that no other command sees one half done.
 *
 * <p>The combining commands <b>gather</b>: in the first round each shard that owns some of the keys
 * copies their sets (or finds another type); the coordinator computes the result with {@link
 * SetCommands#answer} or {@link SetCommands#compute}, exactly as a single shard would, and a STORE
 * has the destination's owner store and log it ({@link SetCommands#store}) in a second round.
 *
 * <p>SMOVE: in the first round the source's owner checks the source (absent: 0; not a set:
 * WRONGTYPE) and whether it holds the member, the destination's owner the destination's type; in
 * the second, the destination's owner adds the member and the source's owner removes it, each
 * logging its part. Under {@code appendfsync always} the reply waits for both syncs.
 */
final class SetsAcrossShards extends CrossCommand {
    /** What a round found for a key that holds another type. */
    private static final Object WRONG_TYPE = new Object();

    private final Command command;
    /** How many keys are read (SMOVE: source, destination); a STORE's destination follows them, {@link #destination}. */
    private final int sources;
    private final byte[] destination;
    private final long limit;
    private final byte[] member;
    /** What the first round found, per key read (null: absent; a copy of the set; WRONG_TYPE). */
    private final Object[] found;
    /** SMOVE: the source holds the member; a shard refuses writes (MISCONF), its words. */
    private boolean memberFound;
    private String refusal;

    private SetsAcrossShards(KvNode node, Command command, Request r, long limit, int first) {
        super(node, with(read(r, first, SetCommands.lastKey(command, r)),
                first == 2 && command != Command.SINTERCARD ? r.copy(1) : null));
        this.command = command;
        this.limit = limit;
        this.sources = SetCommands.lastKey(command, r) - first + 1;
        this.destination = keys.length > sources ? keys[sources] : null;
        this.found = new Object[sources];
        this.member = command == Command.SMOVE ? r.copy(3) : null;
    }

    /** Copies of the keys {@code r[first..last]}. */
    private static byte[][] read(Request r, int first, int last) {
        byte[][] keys = new byte[last - first + 1][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = r.copy(first + i);
        }
        return keys;
    }

    /** Whether a command whose keys several shards own is done here. */
    static boolean handles(Command command) {
        return switch (command) {
            case SMOVE, SINTER, SINTERCARD, SUNION, SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE -> true;
            default -> false;
        };
    }

    /** The command of {@code r}; null when it was answered at once into {@code out} (SINTERCARD's options). */
    static SetsAcrossShards of(KvNode node, Command command, Request r, ReplyWriter out) {
        long limit = 0;
        if (command == Command.SINTERCARD) {
            limit = SetCommands.interCardLimit(r, out);
            if (limit < 0) {
                return null;
            }
        }
        return new SetsAcrossShards(node, command, r, limit,
                command == Command.SMOVE ? 1 : SetCommands.firstSource(command));
    }

    @Override
    Transaction.Work first() {
        return eachOwned(0, sources, (i, kv, e, now) -> {
            if (command == Command.SMOVE) {
                found[i] = e == null ? null : e.aggregate() instanceof SetValue ? e : WRONG_TYPE;
                if (i == 0 && e != null && e.aggregate() instanceof SetValue set) {
                    memberFound = set.contains(member, 0, member.length, new Request());
                }
                refuse(kv);
            } else {
                found[i] = e == null ? null : e.aggregate() instanceof SetValue set ? set.copy() : WRONG_TYPE;
            }
        });
    }

    /** Notes the shard's MISCONF refusal (its log cannot be written): SMOVE writes on both shards. */
    private void refuse(KvShard kv) {
        String failure = kv.writeRefusal();
        if (failure != null) {
            refusal = failure;
        }
    }

    @Override
    void then(Transaction tx, ReplyWriter out, Runnable done) {
        if (command == Command.SMOVE) {
            smove(tx, out, done);
            return;
        }
        SetValue[] sets = new SetValue[sources];
        for (int i = 0; i < sources; i++) {
            if (found[i] == WRONG_TYPE) {
                fail(out, KvShard.WRONGTYPE, done);
                return;
            }
            sets[i] = (SetValue) found[i];
        }
        Request scratch = new Request();
        if (destination == null) {
            SetCommands.answer(command, sets, limit, out, scratch);
            done.run();
            return;
        }
        SetValue result = SetCommands.compute(command, sets, scratch);
        long[] size = new long[1];
        String[] refused = new String[1];
        tx.roundOn(owner(destination), (part, kv, now) -> {
            refused[0] = kv.writeRefusal();
            if (refused[0] == null) {
                boolean existed = kv.events.exists(destination);
                size[0] = kv.sets.store(destination, 0, destination.length, result, now);
                wrote(kv, destination);
                kv.events.stored(command, destination, existed);
            }
        }, () -> {
            if (refused[0] != null) {
                fail(out, refused[0], done);
            } else {
                out.integer(size[0]);
                done.run();
            }
        });
    }

    /** SMOVE's second round: the destination's owner adds the member, the source's owner removes it. */
    private void smove(Transaction tx, ReplyWriter out, Runnable done) {
        if (found[0] == null) {
            out.integer(0);
            done.run();
        } else if (found[0] == WRONG_TYPE || found[1] == WRONG_TYPE) {
            fail(out, KvShard.WRONGTYPE, done);
        } else if (!memberFound) {
            out.integer(0);
            done.run();
        } else if (refusal != null) {
            fail(out, refusal, done);
        } else {
            int source = owner(keys[0]);
            int target = owner(keys[1]);
            tx.round((part, kv, now) -> {
                if (part.shard == target) {
                    KeyTable.Entry t = kv.live(keys[1], 0, keys[1].length, now);
                    int before = t == null ? 0 : t.aggregateSize();
                    kv.sets.addMember(t, keys[1], member, now);
                    wrote(kv, keys[1]);
                    if (before < kv.live(keys[1], 0, keys[1].length, now).aggregateSize()) { // Redis: sadd only if added
                        kv.events.stored(KeyspaceEvents.SET, "sadd", keys[1], t != null);
                    }
                }
                if (part.shard == source) {
                    kv.sets.removeMember(kv.live(keys[0], 0, keys[0].length, now), member);
                    wrote(kv, keys[0]);
                    kv.events.took(KeyspaceEvents.SET, "srem", keys[0]);
                }
            }, () -> {
                out.integer(1);
                done.run();
            });
        }
    }

    private void fail(ReplyWriter out, String error, Runnable done) {
        ErrorStats.answerFailed(command, out, error);
        done.run();
    }
}
