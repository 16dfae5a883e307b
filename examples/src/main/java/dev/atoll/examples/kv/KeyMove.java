package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

/**
 * RENAME, RENAMENX or COPY of a key to a key another shard owns: a move through the mesh in up to
 * three steps, each on the shard that owns the key it touches, the value handed over in the
 * messages (a copy made on the source's thread, owned by one thread at a time):
 *
 * <ol>
 *   <li>on the source's shard: copy the value and expiry (absent: {@code ERR no such key}, or 0 for COPY);</li>
 *   <li>on the destination's shard: unless RENAMENX or COPY without REPLACE finds the destination,
 *       replace it with the copy and log it;</li>
 *   <li>RENAME, RENAMENX: on the source's shard again, delete the source and log it — only if it did
 *       not change since step 1 (same entry, same {@link KeyTable.Entry#version}): a write to the
 *       source in between counts as coming after the rename, and the source stays as that write
 *       left it.</li>
 * </ol>
 *
 * A concurrent reader sees the destination's old value before step 2 and the new one after; it
 * sees the source until step 3: both keys exist for a moment, never neither. Each step is sent
 * from the connection's shard, behind the connection's earlier commands, and the connection parses
 * its next command only once the move is done, so its own commands see the move complete. Under {@code appendfsync
 * always} each step's log is synced before the next step starts, so a crash leaves the key at both
 * places at worst, never at none; the reply waits for the last sync.
 */
final class KeyMove extends PendingReply {
    private final KvNode node;
    private final Command command;
    private final int home;
    private final int sourceShard;
    private final int targetShard;
    private final byte[] source;
    private final byte[] target;
    private final boolean replace;
    // Handed from step to step through the mesh: each is touched by one shard at a time.
    private KeyTable.Entry copy;
    /** The source's expiry, which {@link #copy} (in no table) cannot hold. */
    private long copyExpireAt;
    private KeyTable.Entry original;
    private long originalVersion;

    private KeyMove(KvNode node, KvConnection connection, Command command, Request r, int sourceShard, int targetShard,
                    boolean replace) {
        super(connection, false); // its replies (+OK, :n, -ERR) are the same in RESP2 and RESP3
        this.node = node;
        this.command = command;
        this.home = Shard.current().id();
        this.sourceShard = sourceShard;
        this.targetShard = targetShard;
        this.source = r.copy(1);
        this.target = r.copy(2);
        this.replace = replace;
    }

    /** Starts the move of the keys of {@code r}; null when it was answered at once into {@code out} (COPY's options). */
    static KeyMove start(KvNode node, KvConnection connection, ReplyWriter out, Command command, Request r,
                         int sourceShard, int targetShard) {
        boolean replace = false;
        if (command == Command.COPY) {
            int options = KeyCommands.copyOptions(r, out);
            if (options < 0) {
                return null;
            }
            replace = options == 1;
        }
        KeyMove move = new KeyMove(node, connection, command, r, sourceShard, targetShard, replace);
        node.shards[move.home].batches.sendAll(); // after the commands already queued for those shards
        if (!Shard.current().send(sourceShard, () -> node.shards[sourceShard].locks.whenFree(move.source, move::copySource))) {
            move.reply.error("ERR shard " + sourceShard + " is overloaded");
            move.completeAtOnce();
        } else {
            connection.waitStarted();
        }
        return move;
    }

    /** Step 1, on the source's shard. */
    private void copySource() {
        KvShard shard = node.shards[sourceShard];
        KeyTable.Entry e = shard.live(source, 0, source.length, System.currentTimeMillis());
        if (e == null) {
            finish(command == Command.COPY ? ":0\r\n" : "-ERR no such key\r\n");
            return;
        }
        copy = new KeyTable.Entry(target, 0, target.length, target, 0, 0);
        copy.copyValueOf(null, e);
        copyExpireAt = shard.table.expireAt(e);
        original = e;
        originalVersion = e.version;
        viaHome(targetShard, target, this::replaceTarget);
    }

    /** Step 2, on the destination's shard. */
    private void replaceTarget() {
        KvShard shard = node.shards[targetShard];
        KeyTable.Entry e = shard.live(target, 0, target.length, System.currentTimeMillis());
        if (e != null && (command == Command.RENAMENX || (command == Command.COPY && !replace))) {
            finish(":0\r\n");
            return;
        }
        if (e == null) {
            e = shard.put(target, 0, target.length, new byte[0], 0, false);
        }
        e.takeValueOf(shard.table, copy);
        shard.table.account(e);
        shard.setExpire(e, copyExpireAt);
        shard.blocking.signal(target, 0, target.length); // a client blocked on it is served at the loop's next step
        if (shard.watches.any()) {
            shard.watches.touch(target, 0, target.length);
        }
        copy = null;
        if (shard.aof != null) {
            shard.aof.entry(e);
        }
        shard.afterLogged(() -> {
            if (command == Command.COPY) {
                finish(":1\r\n");
            } else {
                viaHome(sourceShard, source, this::deleteSource);
            }
        });
    }

    /** Step 3, on the source's shard: RENAME and RENAMENX. */
    private void deleteSource() {
        KvShard shard = node.shards[sourceShard];
        KeyTable.Entry e = shard.table.find(source, 0, source.length, KeyTable.hash(source, 0, source.length));
        if (e == original && e.version == originalVersion) {
            shard.remove(e);
        }
        original = null;
        finish(command == Command.RENAME ? "+OK\r\n" : ":1\r\n");
    }

    private void viaHome(int shard, byte[] key, Runnable step) {
        viaHome(node, home, shard, key, step);
    }

    /**
     * Runs {@code step} on shard {@code shard}, sent from the connection's shard {@code home}: behind
     * the connection's earlier commands to that shard, on the same queue (a message from the shard of
     * the previous step could overtake them). The connection parses nothing new meanwhile. A
     * transaction holding {@code key} there finishes first ({@link KeyLocks#whenFree}). Also the steps
     * of {@link SetsAcrossShards}.
     */
    static void viaHome(KvNode node, int home, int shard, byte[] key, Runnable step) {
        Shard.current().sendReply(home, () -> Shard.current().sendReply(shard,
                () -> node.shards[shard].locks.whenFree(key, step)));
    }

    /** Ends the move on the current shard (its log synced first, under always): the reply goes home. */
    private void finish(String resp) {
        node.shards[Shard.current().id()].afterLogged(() -> Shard.current().sendReply(home, () -> {
            if (resp.charAt(0) == '-') { // an error: counted as the command's failure (INFO errorstats)
                ErrorStats.answerFailed(command, reply, resp.substring(1, resp.length() - 2));
            } else {
                reply.raw(ReplyWriter.asciiBytes(resp));
            }
            connection.waitDone();
            complete();
        }));
    }
}
