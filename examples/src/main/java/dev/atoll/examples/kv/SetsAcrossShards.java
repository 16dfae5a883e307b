package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.util.Arrays;

/**
 * SINTER, SINTERCARD, SUNION, SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE and SMOVE whose keys
 * several shards own (with all keys on one shard they run whole there, as any command). Not on the
 * hot path: it copies sets and allocates freely. The connection parses nothing more until it is
 * done, so its own later commands see it complete; each step is sent from the connection's shard,
 * behind that connection's earlier commands to the same shard.
 *
 * <p>The combining commands <b>gather</b>: each shard that owns some of the keys copies their sets
 * (or reports WRONGTYPE) in one message; the connection's shard computes the result with {@link
 * SetCommands#answer} or {@link SetCommands#compute}, exactly as a single shard would, and a STORE
 * sends the result to the destination's owner, which stores and logs it ({@link SetCommands#store}).
 * The sets are read on each shard at its own moment: the result is one a sequence of single-shard
 * snapshots gives, not one snapshot of all shards.
 *
 * <p>SMOVE <b>moves</b> in three steps, as {@link KeyMove} does: (1) on the source's shard, check
 * the source (absent: 0; not a set: WRONGTYPE) and whether it holds the member; (2) on the
 * destination's shard, WRONGTYPE if it holds another type, 0 if the member was not in the source,
 * else add it there and log it; (3) on the source's shard, remove the member and log it, if the
 * source did not change since (1). Between (2) and (3) the member is in both sets, never in neither. Under {@code
 * appendfsync always} each step's log is synced before the next starts, and the reply waits for the
 * last.
 */
final class SetsAcrossShards extends PendingReply {
    /** A part's answer for a key that holds another type. */
    private static final Object WRONG_TYPE = new Object();

    private final KvNode node;
    private final Command command;
    private final int home;
    /** The keys read (SMOVE: source, destination), and the shard of each. */
    private final byte[][] keys;
    private final int[] owners;
    /** A STORE's destination and its shard; null for the others. */
    private final byte[] destination;
    private final int destinationOwner;
    private final long limit;
    /** SMOVE's member; whether step 1 found it in the source; the source's entry and version then (handed through the mesh). */
    private final byte[] member;
    private boolean memberFound;
    private KeyTable.Entry source;
    private long sourceVersion;
    /** What the parts found, per key (null: absent; a copy of the set; WRONG_TYPE), filled on the home shard. */
    private final Object[] found;
    private int partsOut;
    private String failure;

    private SetsAcrossShards(KvNode node, KvConnection connection, boolean resp3, Command command, Request r, long limit) {
        super(connection, resp3);
        this.node = node;
        this.command = command;
        this.home = Shard.current().id();
        this.limit = limit;
        int shards = node.shardCount();
        int first = command == Command.SMOVE ? 1 : SetCommands.firstSource(command);
        int last = SetCommands.lastKey(command, r);
        keys = new byte[last - first + 1][];
        owners = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = r.copy(first + i);
            owners[i] = KeySlots.owner(keys[i], 0, keys[i].length, shards);
        }
        found = new Object[keys.length];
        boolean stores = first == 2 && command != Command.SINTERCARD;
        destination = stores ? r.copy(1) : null;
        destinationOwner = stores ? KeySlots.owner(destination, 0, destination.length, shards) : -1;
        member = command == Command.SMOVE ? r.copy(3) : null;
    }

    /** Whether a command whose keys several shards own is done here. */
    static boolean handles(Command command) {
        return switch (command) {
            case SMOVE, SINTER, SINTERCARD, SUNION, SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE -> true;
            default -> false;
        };
    }

    /** Starts the command of {@code r}; null when it was answered at once into {@code out} (SINTERCARD's options). */
    static SetsAcrossShards start(KvNode node, KvConnection connection, ReplyWriter out, Command command, Request r) {
        long limit = 0;
        if (command == Command.SINTERCARD) {
            limit = SetCommands.interCardLimit(r, out);
            if (limit < 0) {
                return null;
            }
        }
        SetsAcrossShards op = new SetsAcrossShards(node, connection, out.resp3(), command, r, limit);
        node.shards[op.home].batches.sendAll(); // after the commands already queued for those shards
        Shard here = Shard.current();
        if (command == Command.SMOVE) {
            if (!here.send(op.owners[0], op::checkSource)) {
                op.reply.error("ERR shard " + op.owners[0] + " is overloaded");
                op.completeAtOnce();
                return op;
            }
        } else {
            int[] shards = Arrays.stream(op.owners).distinct().toArray();
            for (int shard : shards) {
                if (here.send(shard, () -> op.collect(shard))) {
                    op.partsOut++;
                } else {
                    op.failure = "ERR shard " + shard + " is overloaded";
                }
            }
            if (op.partsOut == 0) {
                op.reply.error(op.failure);
                op.completeAtOnce();
                return op;
            }
        }
        connection.waitStarted();
        return op;
    }

    // ---- SINTER, SINTERCARD, SUNION, SDIFF and the STOREs ----

    /** On a shard that owns some of the keys: copies of their sets, sent home. */
    private void collect(int shard) {
        KvShard kv = node.shards[shard];
        long now = System.currentTimeMillis();
        Object[] part = new Object[keys.length];
        for (int i = 0; i < keys.length; i++) {
            if (owners[i] == shard) {
                KeyTable.Entry e = kv.live(keys[i], 0, keys[i].length, now);
                part[i] = e == null ? null : e.aggregate() instanceof SetValue set ? set.copy() : WRONG_TYPE;
            }
        }
        kv.afterLogged(() -> Shard.current().sendReply(home, () -> arrived(shard, part)));
    }

    /** On the home shard: one part is in; once all are, the result. */
    private void arrived(int shard, Object[] part) {
        for (int i = 0; i < keys.length; i++) {
            if (owners[i] == shard) {
                found[i] = part[i];
            }
        }
        if (--partsOut > 0) {
            return;
        }
        if (failure != null) {
            done(failure);
            return;
        }
        SetValue[] sets = new SetValue[keys.length];
        for (int i = 0; i < keys.length; i++) {
            if (found[i] == WRONG_TYPE) {
                done(KvShard.WRONGTYPE);
                return;
            }
            sets[i] = (SetValue) found[i];
        }
        Request scratch = new Request();
        if (destination == null) {
            SetCommands.answer(command, sets, limit, reply, scratch);
            connection.waitDone();
            complete();
            return;
        }
        SetValue result = SetCommands.compute(command, sets, scratch);
        Shard.current().sendReply(destinationOwner, () -> storeResult(result));
    }

    /** On the destination's shard: the STORE's write. */
    private void storeResult(SetValue result) {
        KvShard kv = node.shards[destinationOwner];
        if (refusal(kv) != null) {
            finish(refusal(kv));
            return;
        }
        long size = kv.sets.store(destination, 0, destination.length, result, System.currentTimeMillis());
        finish(size);
    }

    // ---- SMOVE ----

    /** Step 1, on the source's shard. */
    private void checkSource() {
        KvShard kv = node.shards[owners[0]];
        KeyTable.Entry e = kv.live(keys[0], 0, keys[0].length, System.currentTimeMillis());
        if (e == null) {
            finish(0L);
        } else if (!(e.aggregate() instanceof SetValue set)) {
            finish(KvShard.WRONGTYPE);
        } else if (refusal(kv) != null) { // step 3 writes here
            finish(refusal(kv));
        } else {
            memberFound = set.contains(member, 0, member.length, new Request());
            source = e;
            sourceVersion = e.version;
            viaHome(owners[1], keys[1], this::addToDestination);
        }
    }

    /** Step 2, on the destination's shard. */
    private void addToDestination() {
        KvShard kv = node.shards[owners[1]];
        KeyTable.Entry e = kv.live(keys[1], 0, keys[1].length, System.currentTimeMillis());
        if (e != null && !(e.aggregate() instanceof SetValue)) {
            finish(KvShard.WRONGTYPE);
        } else if (!memberFound) {
            finish(0L);
        } else if (refusal(kv) != null) {
            finish(refusal(kv));
        } else {
            kv.sets.addMember(e, keys[1], member, System.currentTimeMillis());
            kv.afterLogged(() -> viaHome(owners[0], keys[0], this::removeFromSource));
        }
    }

    /**
     * Step 3, on the source's shard: only if the source did not change since step 1 (same entry, same
     * version) — else a write in between, such as another SMOVE bringing the member back, counts as
     * coming after this one, and the member stays. Without that check two opposed moves of one
     * member could each take it from its source and leave it in neither set.
     */
    private void removeFromSource() {
        KvShard kv = node.shards[owners[0]];
        KeyTable.Entry e = kv.table.find(keys[0], 0, keys[0].length, KeyTable.hash(keys[0], 0, keys[0].length));
        if (e == source && e.version == sourceVersion) {
            kv.sets.removeMember(e, member);
        }
        source = null;
        finish(1L);
    }

    // ---- steps ----

    /** Redis's MISCONF refusal of a write while the shard's log cannot be written; null when it can. */
    private static String refusal(KvShard kv) {
        Throwable failure = kv.aof == null ? null : kv.aof.failure();
        return failure == null ? null : "MISCONF Errors writing to the AOF file: " + failure.getMessage();
    }

    /** Runs {@code step} on shard {@code shard}, sent from the connection's shard, once no transaction holds {@code key} ({@link KeyMove#viaHome}). */
    private void viaHome(int shard, byte[] key, Runnable step) {
        KeyMove.viaHome(node, home, shard, key, step);
    }

    /** Ends on the current shard with {@code answer} (see {@link #done}), its log synced first under always. */
    private void finish(Object answer) {
        node.shards[Shard.current().id()].afterLogged(() -> Shard.current().sendReply(home, () -> done(answer)));
    }

    /** On the home shard: the reply is {@code answer}, an integer (Long) or an error's text (String). */
    private void done(Object answer) {
        if (answer instanceof Long n) {
            reply.integer(n);
        } else {
            ErrorStats.answerFailed(command, reply, (String) answer);
        }
        connection.waitDone();
        complete();
    }
}
