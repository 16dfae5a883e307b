package dev.atoll.examples.kv;

/**
 * RENAME, RENAMENX or COPY of a key to a key another shard owns, as a {@link CrossCommand}: rounds
 * of a {@link Transaction} under the locks of both keys (alone, or inside an EXEC), so that no other
 * command sees it half done. The value is handed over as a copy made on the source's thread:
 *
 * <ol>
 *   <li>first round: the source's owner copies the value and expiry (absent: {@code ERR no such key},
 *       or 0 for COPY); the destination's owner notes whether the destination exists (RENAMENX, or
 *       COPY without REPLACE, then answer 0 and change nothing);</li>
 *   <li>second round: the destination's owner replaces the destination with the copy and logs it; for
 *       the renames, the source's owner deletes the source and logs it.</li>
 * </ol>
 * Under {@code appendfsync always} the reply waits for both shards' syncs; a crash before them can
 * keep one shard's record and not the other's (each shard logs its own part).
 */
final class KeyMove extends CrossCommand {
    private final Command command;
    private final byte[] source;
    private final byte[] target;
    private final boolean replace;
    /** From the first round: a copy of the source's value (null: absent), its expiry, whether the destination exists. */
    private KeyTable.Entry copy;
    private long copyExpireAt;
    private boolean targetExists;

    private KeyMove(KvNode node, Command command, Request r, boolean replace) {
        super(node, new byte[][] {r.copy(1), r.copy(2)});
        this.command = command;
        this.source = keys[0];
        this.target = keys[1];
        this.replace = replace;
    }

    /** The move of the keys of {@code r}; null when it was answered at once into {@code out} (COPY's options). */
    static KeyMove of(KvNode node, Command command, Request r, ReplyWriter out) {
        boolean replace = false;
        if (command == Command.COPY) {
            int options = KeyCommands.copyOptions(r, out);
            if (options < 0) {
                return null;
            }
            replace = options == 1;
        }
        return new KeyMove(node, command, r, replace);
    }

    @Override
    Transaction.Work first() {
        return eachOwned(0, 2, (k, shard, e, now) -> {
            if (k == 1) {
                targetExists = e != null;
            } else if (e != null) {
                copy = new KeyTable.Entry(target, 0, target.length, target, 0, 0);
                copy.copyValueOf(null, e);
                copyExpireAt = shard.table.expireAt(e);
            }
        });
    }

    @Override
    void then(Transaction tx, ReplyWriter out, Runnable done) {
        if (copy == null) {
            if (command == Command.COPY) {
                out.integer(0);
            } else {
                ErrorStats.answerFailed(command, out, "ERR no such key");
            }
            done.run();
            return;
        }
        if (targetExists && (command == Command.RENAMENX || (command == Command.COPY && !replace))) {
            out.integer(0);
            done.run();
            return;
        }
        int sourceShard = owner(source);
        int targetShard = owner(target);
        tx.round((part, shard, now) -> {
            if (part.shard == targetShard) {
                replaceTarget(shard, now);
            }
            if (part.shard == sourceShard && command != Command.COPY) {
                KeyTable.Entry e = shard.live(source, 0, source.length, now);
                if (e != null) {
                    shard.remove(e);
                    shard.events.send(KeyspaceEvents.GENERIC, "rename_from", source, 0, source.length);
                }
            }
        }, () -> {
            if (command == Command.RENAME) {
                out.ok();
            } else {
                out.integer(1);
            }
            done.run();
        });
    }

    /** On the destination's shard: the destination becomes the copy, with the source's expiry; logged. */
    private void replaceTarget(KvShard shard, long now) {
        KeyTable.Entry e = shard.live(target, 0, target.length, now);
        boolean existed = e != null;
        if (e == null) {
            e = shard.put(target, 0, target.length, new byte[0], 0, false);
        }
        e.takeValueOf(shard.table, copy);
        shard.table.account(e);
        shard.setExpire(e, copyExpireAt);
        shard.blocking.signal(target, 0, target.length); // a client blocked on it is served at the loop's next step
        wrote(shard, target);
        copy = null;
        if (shard.aof != null) {
            shard.aof.entry(e);
        }
        shard.events.stored(KeyspaceEvents.GENERIC, command == Command.COPY ? "copy_to" : "rename_to", target, existed);
    }
}
