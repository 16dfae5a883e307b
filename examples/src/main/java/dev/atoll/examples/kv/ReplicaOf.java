package dev.atoll.examples.kv;

import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;
import dev.atoll.shards.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Atoll as a replica of a Redis master: REPLICAOF / SLAVEOF, the replica's forms of ROLE and INFO replication,
 * the refusals of a replica (READONLY, MASTERDOWN), and the swap of every shard's keys for the master's RDB.
 * The node's one {@link MasterLink} lives on shard 0, as Redis has one master connection; this object is what
 * every shard sees of it: the fields below are volatile, written by shard 0 only (the settings by CONFIG SET on
 * any shard), read anywhere. The master's stream goes to the node's backlog as received ({@link ReplicationMaster#applied});
 * a promotion keeps that history ({@link #promote}).
 */
final class ReplicaOf {
    private static final Logger log = LoggerFactory.getLogger(ReplicaOf.class);
    /** The shard that keeps the link: the replication's home, whose backlog takes the master's bytes on the same thread. */
    static final int LINK_SHARD = ReplicationMaster.HOME;
    /** Redis's replicationCron period: reconnects, ACKs, the link's timeout. */
    private static final Duration CRON = Duration.ofSeconds(1);
    /** A shard whose table a snapshot holds tries its swap again this much later. */
    private static final Duration SWAP_RETRY = Duration.ofMillis(1);

    /** A master's address, as REPLICAOF named it. */
    record Master(String host, int port) { }

    /** The link's state, Redis's repl_state as ROLE names it. */
    enum State {
        /** Not a replica. */
        NONE("none"),
        /** A replica whose link is to be made (the next second's cron connects). */
        CONNECT("connect"),
        /** The TCP connect runs. */
        CONNECTING("connecting"),
        /** PING, AUTH, REPLCONF and PSYNC are exchanged. */
        HANDSHAKE("handshake"),
        /** The master's RDB is received and loaded. */
        TRANSFER("sync"),
        /** The master's command stream is applied. */
        CONNECTED("connected");

        final String roleName;

        State(String roleName) {
            this.roleName = roleName;
        }
    }

    private final KvNode node;
    private final SyncMark syncMark = new SyncMark();
    /** CONFIG SET replaces it whole. */
    volatile ReplicaSettings settings;
    /** The master while this server is a replica (and during its promotion); null while it is a master. */
    volatile Master master;
    /** A promotion (REPLICAOF NO ONE, a failover's) runs: clients' writes are paused until {@link #master} is null. */
    private volatile boolean promoting;
    /**
     * A master's switch to a replica (REPLICAOF host port on a master) waits for its offset to be final, clients' writes
     * paused ({@link #demote}); the master it will follow, the last REPLICAOF's (null: a REPLICAOF NO ONE came since).
     * Changed under this object's lock.
     */
    private volatile boolean demoting;
    private volatile Master demotingTo;
    volatile State state = State.NONE;
    /** The master's replication id since the last full sync (PSYNC asks to continue it); null: none. */
    volatile String masterReplid;
    /** The stream's offset applied (slave_repl_offset) and received (slave_read_repl_offset). */
    volatile long offset;
    volatile long readOffset;
    /** When the master last sent anything (ms), and when the link last went down (0: never up). */
    volatile long lastIoMillis;
    volatile long downSinceMillis;
    /** The RDB being received: its size (-1: diskless, size unknown) and the bytes read so far. */
    volatile long transferSize;
    volatile long transferRead;

    /** Shard {@link #LINK_SHARD}'s only. */
    private MasterLink link;
    private Timer cron;

    ReplicaOf(KvNode node, ReplicaSettings settings) {
        this.node = node;
        this.settings = settings;
    }

    boolean isReplica() {
        return master != null;
    }

    /**
     * The master that ROLE, INFO and CONFIG GET show: none from {@code REPLICAOF NO ONE} on, while the promotion's steps
     * run (clients' writes wait for them), as Redis, whose promotion is done when it answers.
     */
    Master shownMaster() {
        return promoting ? null : demoting ? demotingTo : master;
    }

    /** The READONLY refusal of a client's write, or null when writes are taken. */
    String writeRefusal() {
        return master != null && settings.readOnly() ? "READONLY You can't write against a read only replica." : null;
    }

    /** The MASTERDOWN refusal of {@code command} while the link is down and stale data is not served, else null. */
    String staleRefusal(Command command) {
        if (master == null || state == State.CONNECTED || settings.serveStale()
                || Arrays.asList(command.flags).contains("stale")) {
            return null;
        }
        return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    }

    /** Whether a client's read should not see a key whose time passed (a replica waits for its master's DEL). */
    boolean hidesExpired() {
        return master != null && settings.readOnly();
    }

    /**
     * REPLICAOF host port / REPLICAOF NO ONE (SLAVEOF the same), on any shard: answers at once, as Redis does;
     * the link is made (or dropped) on shard {@link #LINK_SHARD}.
     */
    void command(Request r, ReplyWriter out) {
        if (node.failover.pausesWrites()) {
            out.error("ERR REPLICAOF not allowed while failing over.");
            return;
        }
        if (r.string(1).equalsIgnoreCase("no") && r.string(2).equalsIgnoreCase("one")) {
            noOne("REPLICAOF NO ONE");
            out.ok();
            return;
        }
        int port = ReplicaSettings.port(r.string(2));
        if (port < 0) {
            out.error("ERR Invalid master port");
            return;
        }
        Master wanted = new Master(r.string(1), port);
        if (wanted.equals(shownMaster())) {
            out.simple("OK Already connected to specified master");
            return;
        }
        if (!demote(wanted)) {
            follow(wanted);
        }
        out.ok();
    }

    /**
     * A master again (REPLICAOF NO ONE, a failover's end): clients' writes pause (the ones that follow on the same
     * connection wait rather than being refused) while the link's shard promotes this node ({@link #promote});
     * {@code why} is logged once it took writes (null: logged by the caller).
     */
    private void noOne(String why) {
        Master m;
        synchronized (this) { // REPLICAOF NO ONE on two shards at once: one promotion
            if (demoting) {
                demotingTo = null; // the switch to a replica, not done yet, will not be
                if (why != null) {
                    log.info("MASTER MODE enabled ({})", why);
                }
                return;
            }
            m = master;
            if (m == null || promoting) {
                return;
            }
            promoting = true;
        }
        node.pause.pause(ClientPause.Purpose.PROMOTION, ClientPause.Mode.WRITE, Long.MAX_VALUE);
        node.runtime.execute(LINK_SHARD, () -> promote(m, why));
    }

    /**
     * REPLICAOF host port on a master: it becomes a replica of {@code wanted} continuing its own history, as Redis's
     * replicationCacheMasterUsingMyself — the link's first PSYNC offers its replication id and offset + 1, and a new
     * master that has them continues. Redis switches between two commands; here clients' writes pause until every write
     * taken is in the stream ({@link StreamBarrier}), so that the offset offered holds them all and none after it; then
     * the switch ({@link #demoted}). False when this node is a replica already (it follows {@code wanted} at once).
     */
    private boolean demote(Master wanted) {
        synchronized (this) {
            if (demoting) {
                demotingTo = wanted; // the last REPLICAOF wins, as in Redis
                return true;
            }
            if (master != null) {
                return false;
            }
            demoting = true;
            demotingTo = wanted;
            state = State.CONNECT;
        }
        node.pause.pause(ClientPause.Purpose.DEMOTION, ClientPause.Mode.WRITE, Long.MAX_VALUE);
        StreamBarrier.await(node, this::demoted);
        return true;
    }

    /**
     * On the home shard, every write taken in the stream and none to come (writes paused): the offset is final, the
     * stream is a master's from here (the shards' records are dropped), and the link offers that history; the writes
     * that waited are refused as a replica's ({@code READONLY}).
     */
    private void demoted() {
        synchronized (this) {
            Master target = demotingTo;
            if (target == null) {
                state = State.NONE; // a REPLICAOF NO ONE came meanwhile: a master still
            } else {
                log.info("Before turning into a replica, using my own master parameters to synthesize a cached master: "
                        + "I may be able to synchronize with the new master with just a partial transfer.");
                ReplicationMaster history = node.replication;
                history.follow(); // on this thread, before any later record of a shard reaches it
                masterReplid = history.replid();
                offset = history.offset();
                readOffset = offset;
                follow(target);
                for (KvShard shard : node.shards) { // before the writes held parse again: the pause ends after these
                    node.runtime.execute(shard.id, () -> shard.connections.forEach(KvConnection::unblockAsReplica));
                }
            }
            demoting = false; // after master is set: ROLE and INFO show the replica throughout
            demotingTo = null;
        }
        node.pause.unpause(ClientPause.Purpose.DEMOTION); // the writes held parse again
    }

    /**
     * On the link's shard: holds the master's stream for a full sync of this node's replica ({@link MasterLink#hold});
     * false when the link is not streaming.
     */
    boolean holdStream(Runnable then) {
        return link != null && link.hold(then);
    }

    /** On the link's shard: the stream held for a full sync flows again. */
    void releaseStream() {
        if (link != null) {
            link.release();
        }
    }

    /** Redis's refusal of a SYNC or PSYNC to a replica whose link is not up, or null. */
    String syncRefusal() {
        return master != null && !promoting && state != State.CONNECTED
                ? "NOMASTERLINK Can't SYNC while not connected with my master" : null;
    }

    /**
     * FAILOVER's switch ({@link Failover}): this master becomes a replica of {@code target}, continuing its own
     * history — the link asks {@code PSYNC <ownReplid> <ownOffset + 1> FAILOVER} (Redis's replica of itself), so
     * the target, which has that history, promotes itself and continues it.
     */
    void failoverTo(Master target, String ownReplid, long ownOffset) {
        masterReplid = ownReplid;
        offset = ownOffset;
        readOffset = ownOffset;
        follow(target);
    }

    /** A failover aborted after its switch: a master again (Redis's replicationUnsetMaster). */
    void failoverAborted() {
        noOne(null);
    }

    /**
     * {@code PSYNC <replid> <offset> FAILOVER} from {@code client} (the master handing its role over): promotes this
     * replica when {@code replid} is its master's, else Redis's error, returned (null: promoted).
     */
    String failoverRequest(String replid, String client) {
        log.warn("Failover request received for replid {}.", replid);
        if (master == null) {
            return "ERR PSYNC FAILOVER can't be sent to a master.";
        }
        if (!replid.equalsIgnoreCase(masterReplid == null ? "" : masterReplid)) {
            return "ERR PSYNC FAILOVER replid must match my replid.";
        }
        noOne(null);
        log.info("MASTER MODE enabled (failover request from '{}')", client);
        return null;
    }

    /** Becomes a replica of {@code wanted} (at start with {@code kv.replicaof}, or REPLICAOF). */
    void follow(Master wanted) {
        master = wanted;
        state = State.CONNECT;
        log.info("REPLICAOF {}:{} enabled", wanted.host(), wanted.port());
        node.runtime.execute(LINK_SHARD, () -> connectTo(wanted));
    }

    /** On the link's shard: drops the link to another master, then connects to {@code wanted}. */
    private void connectTo(Master wanted) {
        if (!wanted.equals(master)) {
            return; // another REPLICAOF came first
        }
        dropLink();
        node.replication.follow();
        if (cron == null) {
            cron = Shard.current().schedule(CRON, this::cron);
        }
        link = new MasterLink(node, this, wanted);
        link.connect();
    }

    /** On the link's shard, once a second while a replica: reconnects a lost link, sends the ACK, times it out. */
    private void cron() {
        cron = null;
        Master current = master;
        if (current == null || node.stopping) {
            return;
        }
        if (link == null || link.ended()) {
            state = State.CONNECT;
            link = new MasterLink(node, this, current);
            link.connect();
        } else {
            link.everySecond();
        }
        cron = Shard.current().schedule(CRON, this::cron);
    }

    /**
     * On the link's shard (the replication's home): the promotion. The link applies nothing more, so the offset is
     * final and the replication ids shift at once (a {@code PSYNC} that follows, a failover's, continues the history);
     * once every command of the master it dispatched has run, each shard marks where its records become this master's
     * stream ({@link ReplicationFeed#resume}), then writes are taken.
     */
    private void promote(Master m, String why) {
        if (master != m) {
            endPromotion(); // a REPLICAOF since: it follows that master
            return;
        }
        long promotion = node.replication.promote();
        MasterLink draining = link;
        link = null;
        if (cron != null) {
            cron.cancel();
            cron = null;
        }
        state = State.NONE;
        Runnable resume = () -> resumeFeeds(m, promotion, why);
        if (draining != null) {
            draining.drain(resume);
        } else {
            resume.run();
        }
    }

    /** On the link's shard: every shard's feed resumes, then this node takes writes (unless a REPLICAOF came meanwhile). */
    private void resumeFeeds(Master m, long promotion, String why) {
        List<CompletableFuture<Void>> marked = new ArrayList<>();
        for (KvShard shard : node.shards) {
            marked.add(node.runtime.submit(shard.id, () -> {
                node.replication.feeds[shard.id].resume(promotion);
                return null;
            }));
        }
        CompletableFuture.allOf(marked.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) ->
                node.runtime.execute(LINK_SHARD, () -> {
                    if (master == m) {
                        master = null;
                        masterReplid = null; // the next REPLICAOF asks for a full sync
                        if (why != null) {
                            log.info("MASTER MODE enabled ({})", why);
                        }
                        for (KvShard shard : node.shards) {
                            node.runtime.execute(shard.id, shard::resumeExpiry);
                        }
                    }
                    endPromotion();
                }));
    }

    private void endPromotion() {
        promoting = false;
        node.pause.unpause(ClientPause.Purpose.PROMOTION); // the writes held parse again
    }

    private void dropLink() {
        if (link != null) {
            link.stop();
            link = null;
        }
        if (cron != null && master == null) {
            cron.cancel();
            cron = null;
        }
    }

    /** The link went down (after it was up: INFO's master_link_down_since_seconds counts from now). */
    void linkLost(boolean wasUp) {
        if (wasUp) {
            downSinceMillis = System.currentTimeMillis();
        }
        if (master != null) {
            state = State.CONNECT;
        }
    }

    /**
     * Replaces every shard's keys with {@code tables} (one per shard, each key in its owner's: {@link RdbFile#load},
     * each key's first access set), each shard in one step whatever its number of keys ({@link KvShard#replaceKeys});
     * completes on shard {@link #LINK_SHARD} once all have. A save in progress, of the old keys, is cancelled first,
     * as Redis's replica kills its BGSAVE child. With {@code appendonly} the {@link SyncMark} is made before the
     * first shard's swap and removed once every shard's log is rewritten from the new keys. On the link's shard.
     */
    CompletableFuture<Void> replaceKeys(KeyTable[] tables) {
        node.rdb.cancelCurrent();
        Path rdbPath = node.settings.rdbPath();
        boolean logged = node.settings.appendOnly();
        Shard linkShard = Shard.current();
        CompletableFuture<Void> done = new CompletableFuture<>();
        linkShard.offload(() -> logged ? syncMark.make(rdbPath) : 0L).whenComplete((sync, markFailure) -> {
            if (markFailure != null) {
                done.completeExceptionally(markFailure);
                return;
            }
            List<CompletableFuture<Void>> swapped = new ArrayList<>();
            List<CompletableFuture<Void>> rewritten = new ArrayList<>();
            for (KvShard shard : node.shards) {
                CompletableFuture<Void> keys = new CompletableFuture<>();
                CompletableFuture<Void> log = new CompletableFuture<>();
                swapped.add(keys);
                rewritten.add(log);
                KeyTable fresh = tables[shard.id];
                node.runtime.execute(shard.id, () -> swap(shard, fresh, keys, log));
            }
            if (logged) {
                CompletableFuture.allOf(rewritten.toArray(CompletableFuture[]::new)).thenRun(() ->
                        node.runtime.execute(LINK_SHARD, () -> Shard.current().offload(() -> {
                            syncMark.remove(sync);
                            return null;
                        })));
            }
            CompletableFuture.allOf(swapped.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) ->
                    node.runtime.execute(LINK_SHARD, () -> {
                        if (failure != null) {
                            done.completeExceptionally(failure);
                        } else {
                            done.complete(null);
                        }
                    }));
        });
        return done;
    }

    /**
     * On {@code shard}'s thread: its keys replaced (or, while a snapshot holds its table, tried again
     * {@link #SWAP_RETRY} later), then its log's rewrite followed.
     */
    private static void swap(KvShard shard, KeyTable fresh, CompletableFuture<Void> swapped, CompletableFuture<Void> rewritten) {
        long started = System.nanoTime();
        Promise<Void> log;
        try {
            log = shard.replaceKeys(fresh);
        } catch (RuntimeException e) {
            swapped.completeExceptionally(e);
            rewritten.completeExceptionally(e);
            return;
        }
        if (log == null) {
            Shard.current().schedule(SWAP_RETRY, () -> swap(shard, fresh, swapped, rewritten));
            return;
        }
        ReplicaOf.log.info("MASTER <-> REPLICA sync: shard {} took the master's {} keys in {} us", shard.id,
                shard.table.size(), (System.nanoTime() - started) / 1000);
        swapped.complete(null);
        log.whenComplete((ignored, failure) -> {
            if (failure != null) {
                rewritten.completeExceptionally(failure);
            } else {
                rewritten.complete(null);
            }
        });
    }

    /** ROLE's replica form: {@code slave}, host, port, state, the offset applied (-1 until the link is up). */
    void role(ReplyWriter out, Master m) {
        State s = state;
        out.arrayHeader(5).bulk("slave").bulk(m.host()).integer(m.port()).bulk(s.roleName)
                .integer(s == State.CONNECTED ? offset : -1);
    }

    /** INFO replication's replica form, field by field as redis-server 7.0 prints it. */
    void info(StringBuilder b, Master m) {
        State s = state;
        long now = System.currentTimeMillis();
        b.append("# Replication\r\n")
                .append("role:slave\r\n")
                .append("master_host:").append(m.host()).append("\r\n")
                .append("master_port:").append(m.port()).append("\r\n")
                .append("master_link_status:").append(s == State.CONNECTED ? "up" : "down").append("\r\n")
                .append("master_last_io_seconds_ago:").append(s == State.CONNECTED ? (now - lastIoMillis) / 1000 : -1).append("\r\n")
                .append("master_sync_in_progress:").append(s == State.TRANSFER ? 1 : 0).append("\r\n")
                .append("slave_read_repl_offset:").append(readOffset).append("\r\n")
                .append("slave_repl_offset:").append(offset).append("\r\n");
        if (s == State.TRANSFER) {
            long size = transferSize;
            long read = transferRead;
            b.append("master_sync_total_bytes:").append(size).append("\r\n")
                    .append("master_sync_read_bytes:").append(read).append("\r\n")
                    .append("master_sync_left_bytes:").append(size - read).append("\r\n")
                    .append("master_sync_perc:").append(String.format("%.2f", size > 0 ? 100.0 * read / size : 0.0)).append("\r\n")
                    .append("master_sync_last_io_seconds_ago:").append((now - lastIoMillis) / 1000).append("\r\n");
        }
        if (s != State.CONNECTED) {
            long down = downSinceMillis;
            b.append("master_link_down_since_seconds:").append(down == 0 ? -1 : (now - down) / 1000).append("\r\n");
        }
        b.append("slave_priority:100\r\n")
                .append("slave_read_only:").append(settings.readOnly() ? 1 : 0).append("\r\n")
                .append("replica_announced:1\r\n");
        node.replication.replicaLines(b);
        b.append("master_failover_state:").append(node.failover.state.infoName).append("\r\n");
        node.replication.history(b);
    }
}
