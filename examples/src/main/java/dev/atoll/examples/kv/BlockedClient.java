package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;
import dev.atoll.shards.Timer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * A command that takes from keys and may wait for them (BLPOP and the other blocking pops; also
 * the non-blocking LMPOP, LMOVE, RPOPLPUSH whose keys are on several shards, which use the same
 * walk without waiting). Its connection's shard ("home") starts it and writes its reply; the keys'
 * owners serve it. A type's blocking commands subclass it with {@link #accepts}, {@link #serve},
 * {@link #writeResult}, {@link #writeNothing} and {@link #returnResult}.
 *
 * <p>The walk: the keys are visited in order, one run of consecutive keys of one owner at a time,
 * each step sent from home (behind the connection's earlier commands to that shard). On its owner a
 * key that {@link #accepts} it is served at once; otherwise, if the command blocks, the client is
 * registered there ({@link Blocking#block}). After the last run a non-blocking command answers
 * {@link #writeNothing}. From then on a write on any shard that signals a key ({@link Blocking#signal})
 * serves the first client blocked on it.
 *
 * <p>Served once: several owners may hold it, so an owner takes it with a compare-and-set of
 * {@link #state} from WAITING (or BLOCKED, once every owner registered it) to CLAIMED before it
 * changes anything (a volatile CAS: the only field two threads touch; results go home through the
 * mesh, which orders them). Home ends a waiting client with a CAS to ENDED: its timeout (a timer on
 * home, none for timeout 0) or its connection's close. The owners then drop it ({@link Blocking#unblock}, sent from home; an owner that meets a client
 * no longer waiting drops it too). A client claimed while its connection closed gets its result home
 * all the same: {@link #returnResult} puts what was taken back where it came from.
 *
 * <p>The connection answers nothing else meanwhile: it parses no further command until this one
 * completes (as during a {@link KeyMove}).
 */
abstract class BlockedClient extends PendingReply {
    /** Walking its keys: not yet registered with every owner. */
    private static final int WAITING = 0;
    /** Registered with the owners of all its keys, none could serve it: counted in INFO's blocked_clients. */
    private static final int BLOCKED = 1;
    private static final int CLAIMED = 2;
    private static final int ENDED = 3;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(BlockedClient.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final KvNode node;
    final int home;
    /** The keys, in the command's order, and the shard that owns each. */
    final byte[][] keys;
    final int[] owners;
    /** Whether it waits when no key can serve it now (false: LMPOP, LMOVE across shards). */
    final boolean blocks;
    /** How long it waits in ms; 0: forever. */
    private final long timeoutMillis;
    /** Compared-and-set by owners (claim) and home (end); read by owners before they register it. */
    @SuppressWarnings("unused")
    private volatile int state;
    /** Its result when it is an error: set by the owner that serves it, read at home (the mesh orders the two). */
    private String error;
    // Home's own fields.
    private Timer timer;
    private boolean connectionClosed;
    private boolean timeoutPassed;

    BlockedClient(KvNode node, KvConnection connection, boolean resp3, byte[][] keys, boolean blocks,
                  long timeoutMillis) {
        super(connection, resp3);
        this.node = node;
        this.home = Shard.current().id();
        this.keys = keys;
        this.owners = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            owners[i] = KeySlots.owner(keys[i], 0, keys[i].length, node.shardCount());
        }
        this.blocks = blocks;
        this.timeoutMillis = timeoutMillis;
    }

    // ---- what a type decides ----

    /**
     * On the key's owner: whether {@code e} (live) can serve this client now — a list that is not
     * empty, for the list pops — or, on the first visit ({@code initial}), must answer it anyway (a
     * key of another type: WRONGTYPE).
     */
    abstract boolean accepts(KeyTable.Entry e, boolean initial);

    /**
     * On the key's owner, once claimed: take what it is owed from {@code e}, log it, and eventually
     * call {@link #finish} (on this shard or one after it: a move pushes on its destination's owner).
     */
    abstract void serve(KvShard owner, KeyTable.Entry e, boolean initial, long now);

    /** Whether serving took something (it may find the key of another type, or nothing to take: a move's WRONGTYPE). */
    abstract boolean took();

    /** The command this client runs (BLPOP, LMOVE, BZPOPMIN, ...). */
    abstract Command command();

    /** On home: the reply to a client claimed that {@link #took} something. */
    abstract void writeTaken(ReplyWriter out);

    /** On home: the reply to a client claimed — its error, what it took, or {@link #writeNothing} if no key served it. */
    final void writeResult(ReplyWriter out) {
        if (error != null) {
            ErrorStats.answerFailed(command(), out, error);
        } else if (!took()) {
            writeNothing(out);
        } else {
            writeTaken(out);
        }
    }

    /** On home: the reply when nothing served it — timed out, or none of the keys could (non-blocking). */
    abstract void writeNothing(ReplyWriter out);

    /** On home, when the connection closed while its result travelled: put what was taken back (nothing is lost). */
    abstract void returnResult();

    // ---- the walk ----

    /** Starts, on home, after the connection queued this as its pending reply. */
    final void begin() {
        connection.blockStarted(this);
        node.shards[home].batches.sendAll(); // each step runs after the connection's commands already queued there
        if (blocks && timeoutMillis > 0) {
            timer = Shard.current().schedule(Duration.ofMillis(timeoutMillis), this::timedOut);
        }
        firstStep();
    }

    /** The first step of the walk: a visit of the first run of keys (a move checks its destination before). */
    void firstStep() {
        fromHome(owners[0], () -> visit(0));
    }

    /**
     * Whether a visit of {@code owner}'s keys {@code keys[from, to)} stops here: a transaction holds one of
     * them (the visit runs again, as {@code retry}, in its turn), or the owner's log failed (MISCONF answered).
     */
    final boolean deferredOrRefused(KvShard owner, int from, int to, Runnable retry) {
        if (deferred(owner, from, to, retry)) {
            return true;
        }
        if (owner.aof != null && owner.aof.failure() != null) {
            if (claim()) {
                failed("MISCONF Errors writing to the AOF file: " + owner.aof.failure().getMessage());
                finish(owner);
            }
            return true;
        }
        return false;
    }

    /** Whether a transaction holds one of {@code owner}'s keys {@code keys[from, to)}: the visit runs again, as {@code retry}, in its turn. */
    final boolean deferred(KvShard owner, int from, int to, Runnable retry) {
        if (owner.locks.active()) {
            for (int i = from; i < to; i++) {
                if (owner.locks.locked(keys[i], 0, keys[i].length)) {
                    owner.locks.pass(java.util.Arrays.asList(keys).subList(from, to), retry);
                    return true;
                }
            }
        }
        return false;
    }

    /** On the owner of {@code keys[from]}: tries the run of keys of this owner that starts there. */
    final void visit(int from) {
        if (!waiting()) {
            return;
        }
        KvShard owner = node.shards[owners[from]];
        long now = System.currentTimeMillis();
        int to = from;
        while (to < keys.length && owners[to] == owners[from]) {
            to++;
        }
        if (deferredOrRefused(owner, from, to, () -> visit(from))) {
            return;
        }
        for (int i = from; i < to; i++) {
            KeyTable.Entry e = owner.live(keys[i], 0, keys[i].length, now);
            if (e != null && accepts(e, true)) {
                if (claim()) {
                    serve(owner, e, true, now);
                }
                return;
            }
        }
        if (blocks) {
            for (int i = from; i < to; i++) {
                owner.blocking.block(keys[i], this);
            }
        }
        if (to < keys.length) {
            int next = to;
            viaHome(owners[next], () -> visit(next));
        } else if (!blocks) {
            if (claim()) {
                finish(owner); // nothing served it: writeNothing
            }
        } else if (STATE.compareAndSet(this, WAITING, BLOCKED)) {
            node.blockedClients.incrementAndGet(); // whoever takes it out of BLOCKED decrements
            if (timeoutMillis > 0) {
                node.blockedClientsWithTimeout.incrementAndGet();
            }
        }
    }

    /** Makes its result the error {@code message} (WRONGTYPE, MISCONF); on the owner that serves it. */
    final void failed(String message) {
        error = message;
    }

    /**
     * On home: back to waiting after a claim that served nothing (a command that writes as it reads
     * claims before it reads, so that no timeout ends it while its owners deliver); false, leaving it
     * claimed, when its timeout passed or its connection closed meanwhile: it then ends with nothing.
     */
    final boolean reopen() {
        return !timeoutPassed && !connectionClosed && STATE.compareAndSet(this, CLAIMED, WAITING);
    }

    /** Not yet served nor ended. */
    final boolean waiting() {
        int s = state;
        return s == WAITING || s == BLOCKED;
    }

    /** Takes this client for serving; false when another owner or its home got it first. */
    final boolean claim() {
        return leaveWaiting(CLAIMED);
    }

    /** Moves it from WAITING or BLOCKED to {@code next}; false when it had left already. */
    private boolean leaveWaiting(int next) {
        for (int s = state; s == WAITING || s == BLOCKED; s = state) {
            if (STATE.compareAndSet(this, s, next)) {
                if (s == BLOCKED) {
                    node.blockedClients.decrementAndGet();
                    if (timeoutMillis > 0) {
                        node.blockedClientsWithTimeout.decrementAndGet();
                    }
                }
                return true;
            }
        }
        return false;
    }

    /** Runs {@code step} on shard {@code shard}, sent from home (on home itself, a later task). */
    final void viaHome(int shard, Runnable step) {
        Shard.current().sendReply(home, () -> fromHome(shard, step));
    }

    private void fromHome(int shard, Runnable step) {
        Shard.current().sendReply(shard, step);
    }

    /** Ends the serving on the current shard: once its log synced what it logged (appendfsync always), the result goes home. */
    final void finish(KvShard at) {
        Runnable home = () -> Shard.current().sendReply(this.home, this::completeAtHome);
        at.afterLogged(home);
    }

    private void completeAtHome() {
        if (timer != null) {
            timer.cancel();
        }
        unblockEverywhere();
        if (connectionClosed) {
            returnResult();
            return;
        }
        writeResult(reply);
        done();
    }

    private void timedOut() {
        timeoutPassed = true;
        if (leaveWaiting(ENDED)) {
            unblockEverywhere();
            writeNothing(reply);
            done();
        }
    }

    /**
     * On home: CLIENT UNBLOCK. A client blocked (waiting for a push, not still in its first walk) ends as if its
     * timeout passed, or with Redis's {@code -UNBLOCKED} error when {@code error}; false when it was not blocked.
     */
    final boolean unblockedByClient(boolean error) {
        return unblocked(error ? "UNBLOCKED client unblocked via CLIENT UNBLOCK" : null);
    }

    /**
     * On home: a client blocked (waiting for a push, not still in its first walk) ends with {@code error}, or as if its
     * timeout passed when null; false when it was not blocked.
     */
    final boolean unblocked(String error) {
        if (state != BLOCKED || !leaveWaiting(ENDED)) {
            return false;
        }
        if (timer != null) {
            timer.cancel();
        }
        unblockEverywhere();
        if (error != null) {
            reply.error(error);
        } else {
            writeNothing(reply);
        }
        done();
        return true;
    }

    /** On home: the connection closed. A client still waiting just ends; one claimed gets its result back later. */
    final void connectionClosed() {
        connectionClosed = true;
        if (timer != null) {
            timer.cancel();
        }
        if (leaveWaiting(ENDED)) {
            unblockEverywhere();
        }
    }

    private void done() {
        connection.blockDone(this);
        complete();
    }

    /** Tells each owner of its keys that it no longer waits (a non-blocking walk registered nowhere). */
    private void unblockEverywhere() {
        if (!blocks) {
            return;
        }
        boolean[] told = new boolean[node.shardCount()];
        for (int owner : owners) {
            if (!told[owner]) {
                told[owner] = true;
                fromHome(owner, () -> node.shards[owner].blocking.unblock(keys, this));
            }
        }
    }
}
