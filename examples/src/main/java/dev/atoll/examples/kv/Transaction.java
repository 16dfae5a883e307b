package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Work on keys of several shards that no other command may see half done: EXEC, MGET, MSET, DEL,
 * EXISTS across shards, and every other command of several keys on several shards ({@link CrossCommand}:
 * RENAME, SUNIONSTORE, ZUNIONSTORE, LMOVE, MSETNX, LCS ...). The coordinator is the connection's shard; each involved
 * shard has a {@link Part} (the keys it locks there, the commands it runs there and their replies).
 *
 * <ol>
 *   <li><b>Lock</b>, one shard after the other in ascending shard order: each part claims its keys in
 *       its shard's {@link KeyLocks} (and waits its turn there, without blocking the shard), checks the
 *       keys the connection WATCHes there, and tells the coordinator, which goes on to the next shard.
 *       Every transaction takes its shards in the same order, and all of a shard's keys at once, so no
 *       two wait for each other (ordered resource acquisition: a wait is always for a higher shard).
 *       A watched key that changed ends it: the locks taken are let go and EXEC answers null.</li>
 *   <li><b>Run</b>, with every key locked: the first round of work runs on the last shard as soon as it
 *       is locked, then on the others at once (without WATCH, each part runs it as soon as it is locked); a plan may run more rounds ({@link #round}, {@link #roundOn}:
 *       MSETNX checks, then sets; an EXEC runs its commands in stretches between its cross-shard ones).</li>
 *   <li><b>Release</b>, only once every part ran: a reader that waited for one key sees the whole
 *       transaction, and one that read a key before it was locked saw none of it.</li>
 * </ol>
 *
 * A transaction with one part on a shard where nothing is locked takes no lock: it runs whole in one
 * step of that shard's thread (inline when that is the connection's shard). The connection parses
 * nothing more until the transaction is done. Messages go by {@link Shard#sendReply} (never refused:
 * a lost release would lock its keys for good). Not the fast path: it allocates freely.
 */
final class Transaction extends PendingReply {
    /** Work a transaction does on one of its shards while it holds its keys there. */
    interface Work {
        void run(Part part, KvShard shard, long now);
    }

    /** One shard's share. Touched by one thread at a time: the coordinator's, or the shard's during a step. */
    static final class Part {
        final int shard;
        final List<byte[]> keys = new ArrayList<>();
        final List<Watches.Watched> watched = new ArrayList<>();
        final List<Long> stamps = new ArrayList<>();
        /** The commands of the current round, RESP-encoded, and their replies with each one's end. */
        final ReplyWriter commands = new ReplyWriter(64);
        int count;
        final ReplyWriter replies = new ReplyWriter(64);
        private int[] ends = new int[4];
        /** Commands of this round run so far, and where the next one starts in {@link #commands}. */
        private int executed;
        private int executedAt;
        /** The transaction's connection (its ACL user checks the scripts among the commands); set before any part runs. */
        private KvConnection caller;
        /** What a {@link Work} leaves for the coordinator (LCS: a copy of a key's entry). */
        Object value;
        private KeyLocks.Claim claim;
        private boolean dirty;
        /** Ran this round's work already (the last part, at its lock). */
        private boolean ran;
        private boolean released;
        /** Per command index: the connection whose client-side caching remembers that read's keys ({@link Tracking}); null: none. */
        private KvConnection[] readers;

        Part(int shard) {
            this.shard = shard;
        }

        /**
         * One part per shard that owns one of the keys {@code r[first]}, {@code r[first + 1]} ... to the last
         * argument, each with (copies of) its keys, added to {@code parts} in the order first seen; returns the
         * parts by shard (null for a shard that owns none).
         */
        static Part[] byOwner(Request r, int first, int shards, List<Part> parts) {
            Part[] byShard = new Part[shards];
            for (int i = first; i < r.count(); i++) {
                int owner = KeySlots.owner(r.bytes, r.offset(i), r.length(i), shards);
                if (byShard[owner] == null) {
                    byShard[owner] = new Part(owner);
                    parts.add(byShard[owner]);
                }
                byShard[owner].keys.add(r.copy(i));
            }
            return byShard;
        }

        /** Adds command {@code r} (arguments {@code args} of it) to this round; returns its index. */
        int add(Request r, int... args) {
            return add(null, r, args);
        }

        /** Adds a command named {@code name} (null: as {@code r}'s) with arguments {@code args} of {@code r}; returns its index. */
        int add(byte[] name, Request r, int... args) {
            commands.arrayHeader(args.length + (name == null ? 0 : 1));
            if (name != null) {
                commands.bulk(name);
            }
            for (int i : args) {
                commands.bulk(r.bytes, r.offset(i), r.length(i));
            }
            return count++;
        }

        /** Command {@code index} is a read whose keys {@code reader}'s client-side caching remembers. */
        void tracked(int index, KvConnection reader) {
            readers = Arrays.copyOf(readers == null ? new KvConnection[0] : readers, Math.max(count, index + 1));
            readers[index] = reader;
        }

        /** Forgets this round's commands and replies. */
        void clear() {
            commands.clear();
            replies.clear();
            readers = null;
            count = 0;
            executed = 0;
            executedAt = 0;
        }

        /** Commands added and not run yet. */
        boolean pending(int upTo) {
            return executed < upTo;
        }

        /** Appends reply {@code index} of this round to {@code out}. */
        void writeReply(int index, ReplyWriter out) {
            writeReply(index, 0, out);
        }

        /** Appends reply {@code index} of this round to {@code out}, without its first {@code skip} bytes. */
        void writeReply(int index, int skip, ReplyWriter out) {
            int start = (index == 0 ? 0 : ends[index - 1]) + skip;
            out.raw(replies.bytes(), start, ends[index] - start);
        }

        /** Reply {@code index} of this round, an integer ({@code :n}). */
        long integerReply(int index) {
            int start = index == 0 ? 0 : ends[index - 1];
            return Long.parseLong(new String(replies.bytes(), start + 1, ends[index] - start - 3,
                    java.nio.charset.StandardCharsets.US_ASCII));
        }

        /** The first byte of reply {@code index}. */
        byte replyType(int index) {
            return replies.bytes()[index == 0 ? 0 : ends[index - 1]];
        }

        /** Executes this round's commands not run yet in order, the replies in {@code resp3} or not. */
        void execute(KvShard shard, long now, boolean resp3) {
            execute(shard, now, resp3, count);
        }

        /**
         * Executes the commands not run yet below index {@code upTo}, in order, appending their replies: an
         * EXEC with commands across shards runs its commands in stretches between them.
         */
        void execute(KvShard shard, long now, boolean resp3, int upTo) {
            RespParser parser = shard.parser;
            Request r = shard.request;
            byte[] bytes = commands.bytes();
            replies.resp3(resp3);
            if (ends.length < count) {
                ends = Arrays.copyOf(ends, count);
            }
            int at = executedAt;
            for (int i = executed; i < upTo; i++) {
                at = parser.parse(bytes, at, commands.size(), r);
                shard.tracking.reader = readers != null && i < readers.length ? readers[i] : null;
                shard.transactionFor = caller;
                shard.execute(Command.lookup(r), r, replies, now);
                shard.transactionFor = null;
                ends[i] = replies.size();
            }
            executed = Math.max(executed, upTo);
            executedAt = at;
        }
    }

    private final KvNode node;
    private final int home;
    private final Part[] parts;
    /** Run on every part once all are locked; null: none. */
    private final Work first;
    /** The rest, on the coordinator once the first round ran everywhere: more rounds, the reply, {@link #finish}. */
    private final Consumer<Transaction> then;
    /** Whether the whole work is the first round: a lone part lets go of its keys right after it. */
    private final boolean oneRound;
    /**
     * No part checks a watched key: the transaction cannot abort, so each part runs the first round as
     * soon as it holds its keys (two-phase locking allows work while taking locks; only an abort
     * would need it undone), which saves a round trip to every part but the last.
     */
    private final boolean cannotAbort;
    private int remaining;
    private boolean aborted;

    private Transaction(KvNode node, KvConnection connection, boolean resp3, Part[] parts, Work first,
                        Consumer<Transaction> then, boolean oneRound) {
        super(connection, resp3);
        this.node = node;
        this.home = Shard.current().id();
        this.parts = parts;
        this.first = first;
        this.then = then;
        this.oneRound = oneRound;
        boolean watching = false;
        for (Part part : parts) {
            watching |= !part.watched.isEmpty();
            part.caller = connection; // published to the part's shard with the message that runs it
        }
        this.cannotAbort = !watching;
    }

    /**
     * Starts a transaction over {@code parts} (any order; one per shard): {@code first} runs on every
     * part once all are locked (null: nothing), then {@code then} on the coordinator, which writes
     * {@link #reply} (after more {@link #round}s if it needs them; only the null of EXEC if
     * {@link #aborted}) and calls {@link #finish}.
     * {@code oneRound}: {@code first} is all the work on the parts, so a lone part lets go at once.
     */
    static Transaction start(KvNode node, KvConnection connection, boolean resp3, List<Part> parts, Work first,
                             Consumer<Transaction> then, boolean oneRound) {
        Part[] sorted = parts.toArray(new Part[0]);
        Arrays.sort(sorted, (a, b) -> Integer.compare(a.shard, b.shard));
        Transaction tx = new Transaction(node, connection, resp3, sorted, first, then, oneRound);
        connection.waitStarted();
        node.shards[tx.home].batches.sendAll(); // the locks follow the connection's commands already queued
        if (sorted.length == 0) {
            then.accept(tx);
        } else {
            tx.lock(0);
        }
        return tx;
    }

    /** Whether WATCHed keys changed: the transaction ended at its locks, and ran nothing. */
    boolean aborted() {
        return aborted;
    }

    private void lock(int i) {
        Part part = parts[i];
        boolean last = i == parts.length - 1;
        on(part.shard, () -> {
            KvShard shard = node.shards[part.shard];
            Runnable granted = () -> {
                long now = System.currentTimeMillis();
                part.dirty = changed(part, shard, now);
                if (!part.dirty && (last || cannotAbort) && first != null) {
                    first.run(part, shard, now);
                    part.ran = true;
                    if (oneRound && parts.length == 1) {
                        release(part, shard);
                    }
                }
                on(home, () -> locked(i));
            };
            if (parts.length == 1 && oneRound && !shard.locks.active()) {
                granted.run(); // alone, one round, and nothing is locked here: atomic on this thread
            } else {
                part.claim = new KeyLocks.Claim(part.keys.toArray(new byte[0][]), true, granted);
                shard.locks.claim(part.claim);
            }
        });
    }

    /** Whether a key the connection watches on this shard changed since (a lazily expired one too). */
    private static boolean changed(Part part, KvShard shard, long now) {
        for (int k = 0; k < part.watched.size(); k++) {
            Watches.Watched w = part.watched.get(k);
            shard.peek(w.key, 0, w.key.length, now); // expired since WATCH: deleted now, which counts
            if (w.changes != part.stamps.get(k)) {
                return true;
            }
        }
        return false;
    }

    /** On the coordinator: part {@code i} is locked (or found a watched key changed). */
    private void locked(int i) {
        if (parts[i].dirty) {
            aborted = true;
            then.accept(this);
        } else if (i + 1 < parts.length) {
            lock(i + 1);
        } else if (first != null) {
            round(first, this::afterFirstRound);
        } else {
            afterFirstRound();
        }
    }

    private void afterFirstRound() {
        then.accept(this);
    }

    /** Runs {@code work} on every part (that did not run it at its lock), then {@code next} on the coordinator. */
    void round(Work work, Runnable next) {
        roundOn(-1, work, next);
    }

    /**
     * Runs {@code work} on the part of shard {@code shard} (-1: on every part that did not run it at its
     * lock), then {@code next} on the coordinator.
     */
    void roundOn(int shard, Work work, Runnable next) {
        List<Part> toRun = new ArrayList<>(parts.length);
        for (Part part : parts) {
            if (shard < 0 ? !part.ran : part.shard == shard) {
                toRun.add(part);
            }
        }
        remaining = toRun.size();
        if (toRun.isEmpty()) {
            roundDone(next);
            return;
        }
        for (Part part : toRun) { // chosen first: the part here runs inline and may end the round at once
            on(part.shard, () -> {
                work.run(part, node.shards[part.shard], System.currentTimeMillis());
                on(home, () -> {
                    if (--remaining == 0) {
                        roundDone(next);
                    }
                });
            });
        }
    }

    private void roundDone(Runnable next) {
        for (Part part : parts) {
            part.ran = false;
        }
        next.run();
    }

    /**
     * The reply is written: lets go of every lock, then the connection takes the reply — under
     * {@code appendfsync always} once every part's log is synced up to here, as for any write's reply.
     * On the coordinator.
     */
    void finish() {
        for (Part part : parts) {
            if (part.claim != null && !part.released) {
                part.released = true;
                on(part.shard, () -> node.shards[part.shard].locks.release(part.claim));
            }
        }
        connection.waitDone();
        if (node.settings.fsync() != KvSettings.FsyncPolicy.ALWAYS || parts.length == 0) {
            complete();
            return;
        }
        remaining = parts.length;
        for (Part part : parts) {
            on(part.shard, () -> {
                Runnable synced = () -> on(home, () -> {
                    if (--remaining == 0) {
                        complete();
                    }
                });
                Aof aof = node.shards[part.shard].aof;
                if (aof == null) {
                    synced.run();
                } else {
                    aof.whenSynced(aof.syncPoint(), synced);
                }
            });
        }
    }

    private void release(Part part, KvShard shard) {
        if (part.claim != null) {
            part.released = true;
            shard.locks.release(part.claim);
        }
    }

    /** Runs {@code step} on shard {@code target}: inline when it is this one, else as a message (never refused). */
    private static void on(int target, Runnable step) {
        Shard here = Shard.current();
        if (here.id() == target) {
            step.run();
        } else {
            here.sendReply(target, step);
        }
    }
}
