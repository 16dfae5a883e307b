package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Atoll as a master: the one replication stream of the node, its offset ({@code master_repl_offset}), its
 * backlog, its replicas and WAIT. Its state lives on the home shard ({@link #HOME}), whose thread runs every
 * method here but the readers of INFO and ROLE (volatile fields, and a copy-on-write list of replicas).
 *
 * <p>The stream is every shard's log records ({@link ReplicationFeed}), a chunk per shard and loop iteration,
 * in the order the home receives them: each shard's records in its own order, shards interleaved as they
 * come (their keys are disjoint). A full sync is a save of every shard ({@link RdbSave}, the snapshot walk of
 * BGSAVE); each shard's part begins at a point between two of its commands and places a marker in its feed
 * there. A chunk of a shard whose marker came is held until every shard's came; then the offset is the
 * sync's ({@code +FULLRESYNC <replid> <offset>}), {@code SELECT 0} and the held chunks follow in the stream.
 * So every record is either in a shard's part of the file or in the stream after the sync's offset, never
 * both, never neither, however the shards' parts begin relative to one another.
 *
 * <p>While the node is a replica ({@link ReplicaOf}) the stream is its master's, as received: the link hands each
 * command's bytes here as it applies them ({@link #applied}), so the backlog and offset are the master's, as a Redis
 * replica's are, and the shards' own records (of the master's commands) are dropped. A promotion ({@link #promote})
 * keeps that history as Redis's {@code shiftReplicationId} does: the old id becomes {@code master_replid2}, valid up
 * to the offset applied + 1, a new id is drawn, and each shard's records are appended again from a point it marks
 * once every command of the master has run there ({@link #feedResumed}). A replica's own replicas continue from the
 * backlog, or sync in full at one offset of the master's stream: the stream is held while the shards' parts begin
 * ({@link ReplicaOf#holdStream}).
 */
final class ReplicationMaster {
    private static final Logger log = LoggerFactory.getLogger(ReplicationMaster.class);
    /** The shard whose thread owns the replication's state. */
    static final int HOME = 0;
    private static final byte[] SELECT_0 = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GETACK = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    /** Redis's {@code master_replid2} when there is no previous history. */
    private static final String NO_REPLID = "0000000000000000000000000000000000000000";
    /** A full sync waiting for a save in progress tries again this often. */
    private static final Duration SAVE_RETRY = Duration.ofMillis(100);

    private final KvNode node;
    /** The settings as a master (CONFIG SET replaces them whole: {@link #configure}; any thread reads them). */
    volatile MasterSettings settings = MasterSettings.DEFAULT;
    /** Each shard's feed (element {@code i} used on shard {@code i}'s thread only). */
    final ReplicationFeed[] feeds;
    /** The replicas attached, in any state (INFO, ROLE and CLIENT read it on any shard). */
    final List<ReplicaLink> replicas = new CopyOnWriteArrayList<>();

    // ---- on the home shard's thread; volatile where INFO reads them ----
    /** master_replid: drawn at start, the master's while a replica, drawn again at a promotion. */
    private volatile String replid = KvNode.randomHex(20);
    /** master_replid2 and second_repl_offset: the history a promotion continues (Redis's shiftReplicationId). */
    private volatile String replid2 = NO_REPLID;
    private volatile long secondOffset = -1;
    /** While a replica: the stream is the master's ({@link #applied}); the node makes none of its own. */
    private boolean following;
    /** Per shard, its records are not the stream's (a replica's, or a promoted one's before its mark came). */
    private final boolean[] dropping;
    /** Shards whose mark of a promotion has not come yet; the promotion's number, so a stale mark is ignored. */
    private int resuming;
    private long promotions;
    /** master_repl_offset: bytes of the stream so far. */
    private volatile long offset;
    private ReplicationBacklog backlog;
    private volatile long backlogFirstByte;
    private volatile int backlogHeld;
    private volatile boolean backlogActive;
    /** The links the stream goes to (their full sync's offset is passed, or they continued). */
    private final List<ReplicaLink> streaming = new ArrayList<>();
    /** Per shard, the bytes of its feed that are in the stream (WAIT's targets are compared with them). */
    private final long[] inStream;
    /** The full sync whose save is in progress, or null. */
    private Sync sync;
    /** Replicas asking for a full sync while one is past its start (or a diskless one waits for more): they get the next. */
    private final List<ReplicaLink> waitingForSync = new ArrayList<>();
    /** While a replica: its master's stream waits for the parts of a full sync to begin ({@link ReplicaOf#holdStream}). */
    private boolean streamHeld;
    /** When the first of {@link #waitingForSync} began to wait (System.nanoTime): repl-diskless-sync-delay counts from it. */
    private long waitingSinceNanos;
    private final List<Wait> waits = new ArrayList<>();
    private boolean timerArmed;
    private long lastPingNanos;
    private volatile long fullSyncs;
    private volatile long partialSyncsOk;
    private volatile long partialSyncsErr;

    ReplicationMaster(KvNode node) {
        this.node = node;
        this.feeds = new ReplicationFeed[node.shards.length];
        for (int i = 0; i < feeds.length; i++) {
            feeds[i] = new ReplicationFeed(node.shards[i], this);
        }
        this.inStream = new long[node.shards.length];
        this.dropping = new boolean[node.shards.length];
    }

    /** A full sync: its save, the replicas that get it, the markers of the shards' parts and the chunks held meanwhile. */
    static final class Sync {
        final List<ReplicaLink> links = new ArrayList<>();
        final boolean[] begun;
        int begunCount;
        /** The stream's offset at the sync's point once every shard's part began; -1 before. */
        long offset = -1;
        /** Chunks of shards whose part began, until every shard's did, in the order they came. */
        final List<Held> held = new ArrayList<>();
        /** A diskless sync's output (its replicas fixed at its start), or null for a disk-based one. */
        final DisklessSync diskless;

        Sync(int shards, DisklessSync diskless) {
            begun = new boolean[shards];
            this.diskless = diskless;
        }
    }

    private record Held(int shard, byte[] chunk, long upTo) { }

    /** A client's WAIT: once each shard's feed is in the stream up to {@code targets}, the offset replicas must ack. */
    private static final class Wait {
        final long[] targets;
        final int replicas;
        final long deadlineNanos;
        final java.util.function.IntConsumer answer;
        long offset = -1;

        Wait(long[] targets, int replicas, long deadlineNanos, java.util.function.IntConsumer answer) {
            this.targets = targets;
            this.replicas = replicas;
            this.deadlineNanos = deadlineNanos;
            this.answer = answer;
        }
    }

    // ---- the stream ----

    /** Shard {@code shard}'s next records; its feed has handed {@code upTo} bytes with them. */
    void chunk(int shard, byte[] chunk, long upTo) {
        if (dropping[shard]) { // the master's commands applied, already in the stream as the master sent them
            inStream[shard] = upTo;
            checkWaits();
            return;
        }
        if (sync != null && sync.offset < 0 && sync.begun[shard]) {
            sync.held.add(new Held(shard, chunk, upTo)); // after the sync's point: after every shard's part began
            return;
        }
        append(chunk);
        inStream[shard] = upTo;
        checkWaits();
    }

    private void append(byte[] bytes) {
        addToBacklog(bytes, 0, bytes.length);
        Shard here = Shard.current();
        for (ReplicaLink link : streaming) {
            here.sendReply(link.shard, () -> link.stream(bytes));
        }
    }

    private void addToBacklog(byte[] bytes, int from, int length) {
        offset += length;
        if (backlog != null) {
            backlog.add(bytes, from, length);
            backlogHeld = backlog.held();
            backlogFirstByte = backlog.firstByteOffset();
        }
    }

    // ---- as a replica, and its promotion ----

    /**
     * The node follows a master from now on (REPLICAOF host port — on a master once its offset is final:
     * {@link StreamBarrier} —, a failover's switch): the stream is the master's,
     * the shards' records are dropped, and the replicas attached stay (they continue through this node, as Redis's
     * PSYNC2 keeps them).
     */
    void follow() {
        following = true;
        promotions++; // a promotion's marks still on their way are of a history that ends here
        resuming = 0;
        java.util.Arrays.fill(dropping, true);
    }

    /**
     * A full sync from the master loaded: its id and offset are this node's, the previous history is cleared and the
     * backlog starts at the sync's offset (Redis's readSyncBulkPayload); the replicas of this node sync again.
     */
    void synced(String masterReplid, long syncOffset) {
        disconnectReplicas("its master's full sync replaced the data");
        replid = masterReplid;
        replid2 = NO_REPLID;
        secondOffset = -1;
        offset = syncOffset;
        newBacklog();
    }

    /**
     * The master answered {@code +CONTINUE} with {@code masterReplid} (null: the same id): a new id is the master's,
     * the old one becomes the second, valid up to the offset + 1, as Redis's replica does; its replicas reconnect to learn it.
     */
    void continued(String masterReplid) {
        if (backlog == null) {
            newBacklog();
        }
        if (masterReplid != null && !masterReplid.equals(replid)) {
            log.warn("Master replication ID changed to {}", masterReplid);
            replid2 = replid;
            secondOffset = offset + 1;
            replid = masterReplid;
            disconnectReplicas("its master's replication id changed");
        }
    }

    /**
     * {@code length} bytes of the master's stream at {@code bytes[from]}, a whole command, applied by the link: into
     * the backlog as received (copied only for this node's own replicas), as Redis's replicationFeedStreamFromMasterStream.
     */
    void applied(byte[] bytes, int from, int length) {
        if (streaming.isEmpty()) {
            addToBacklog(bytes, from, length);
        } else {
            append(java.util.Arrays.copyOfRange(bytes, from, from + length));
        }
    }

    /**
     * The node is a master again, after the last byte of its master's stream it applied: Redis's shiftReplicationId
     * (the old id valid up to the offset + 1, a new one). The shards' records stay dropped until each marks the point
     * after which they are this master's ({@link ReplicationFeed#resume}); returns the promotion's number for the marks.
     */
    long promote() {
        following = false;
        if (backlog == null) {
            newBacklog();
        }
        replid2 = replid;
        secondOffset = offset + 1;
        replid = KvNode.randomHex(20);
        log.warn("Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}", replid2,
                secondOffset, replid);
        append(SELECT_0.clone()); // as Redis, whose first write after a promotion selects its database
        resuming = dropping.length;
        return ++promotions;
    }

    /** Shard {@code shard}'s records of promotion {@code promotion} follow in its chunks: they are the stream's from here. */
    void feedResumed(int shard, long promotion) {
        if (promotion != promotions || !dropping[shard]) {
            return;
        }
        dropping[shard] = false;
        if (--resuming == 0) {
            startWaiting(); // a full sync asked for meanwhile
        }
    }

    private void releaseStream() {
        if (streamHeld) {
            streamHeld = false;
            node.replica.releaseStream();
        }
    }

    private void newBacklog() {
        backlog = new ReplicationBacklog(settings.backlogSize(), offset);
        backlogHeld = 0;
        backlogFirstByte = backlog.firstByteOffset();
        backlogActive = true;
    }

    private void disconnectReplicas(String why) {
        Shard here = Shard.current();
        for (ReplicaLink link : replicas) {
            here.sendReply(link.shard, () -> link.fail(why));
        }
    }

    String replid() {
        return replid;
    }

    /** Shard {@code shard}'s part of {@code s} began: its records from here on follow the sync's point. */
    void snapshotBegan(int shard, Sync s) {
        if (s.begun[shard]) {
            return;
        }
        s.begun[shard] = true;
        if (++s.begunCount < s.begun.length) {
            return;
        }
        s.offset = offset;
        Shard here = Shard.current();
        String reply = "+FULLRESYNC " + replid + " " + s.offset + "\r\n";
        for (ReplicaLink link : s.links) {
            DisklessSync.Target target = s.diskless == null ? null : s.diskless.targetOf(link);
            here.sendReply(link.shard, () -> link.fullResync(reply, target));
            streaming.add(link);
        }
        if (!following) { // a replica's stream is its master's, as sent
            append(SELECT_0.clone()); // as Redis, whose first write after a full sync selects its database
        }
        releaseHeld(s);
        releaseStream(); // a replica's: every part began and its replicas stream, so its master's stream goes on
    }

    private void releaseHeld(Sync s) {
        for (Held h : s.held) {
            append(h.chunk);
            inStream[h.shard] = h.upTo;
        }
        s.held.clear();
        checkWaits();
    }

    // ---- replicas ----

    /** PSYNC {@code asked} {@code from} (the first byte it wants; SYNC: a null replid) of {@code link}: a partial resync if the backlog has it, else a full one. */
    void psync(ReplicaLink link, String asked, long from) {
        if (!replicas.contains(link)) {
            replicas.add(link);
        }
        if (backlog == null) {
            newBacklog();
        }
        armTimer();
        long have = from - 1; // PSYNC names the first byte it wants (counted from 1), as Redis's replicas send it
        if (continues(asked, from) && backlog.covers(have)) {
            partialSyncsOk++;
            byte[] missing = backlog.since(have);
            log.info("Partial resynchronization request from {} accepted. Sending {} bytes of backlog starting from offset {}.",
                    link.ip(), missing.length, from);
            String reply = "+CONTINUE " + replid + "\r\n";
            streaming.add(link);
            Shard.current().sendReply(link.shard, () -> link.partialResync(reply, missing));
            return;
        }
        if (asked != null && !asked.equals("?")) {
            partialSyncsErr++;
            log.info("Partial resynchronization not accepted from {} (asked for {}:{}; replication ids {} and {} up to {}; backlog from {})",
                    link.ip(), asked, from, replid, replid2, secondOffset, backlog.firstByteOffset());
        }
        fullSync(link);
    }

    /** Whether {@code PSYNC asked from} names this node's history: its id, or the previous one up to where it is valid (Redis's rule). */
    private boolean continues(String asked, long from) {
        return asked != null && (asked.equalsIgnoreCase(replid) || (asked.equalsIgnoreCase(replid2) && from <= secondOffset));
    }

    private void fullSync(ReplicaLink link) {
        fullSyncs++;
        if (sync != null && sync.offset < 0 && sync.diskless == null && !diskless(List.of(link))) {
            sync.links.add(link); // the file's point is not set yet: it gets this sync's file and stream
            return;
        }
        // the next sync: the current one's file already holds what came before its point, or its sockets are fixed
        if (waitingForSync.isEmpty()) {
            waitingSinceNanos = System.nanoTime();
        }
        waitingForSync.add(link);
        startWaiting();
    }

    /** Whether the sync of {@code links} is diskless: repl-diskless-sync, and every one of them said capa eof (Redis's mincapa). */
    private boolean diskless(List<ReplicaLink> links) {
        if (!settings.disklessSync()) {
            return false;
        }
        for (ReplicaLink link : links) {
            if (!link.capaEof) {
                return false;
            }
        }
        return true;
    }

    private void startSync(List<ReplicaLink> links, boolean diskless) {
        if (following && !streamHeld) {
            // the shards apply the master's commands each at its own moment: the stream waits, and every command
            // applied has run, so that every shard's part begins at the one offset the sync names
            boolean held = node.replica.holdStream(() -> {
                streamHeld = true;
                startSync(links, diskless);
            });
            if (!held) {
                Shard here = Shard.current();
                for (ReplicaLink link : links) {
                    here.sendReply(link.shard, () -> link.fail("its full sync needs this replica's link to its master up"));
                }
            }
            return;
        }
        DisklessSync output = diskless ? new DisklessSync(node, links) : null;
        Sync s = new Sync(node.shards.length, output);
        RdbSaves.Started started = output == null
                ? node.rdb.startForReplicas(shard -> feeds[shard.id].snapshotBegins(s))
                : node.rdb.startForReplicas(shard -> feeds[shard.id].snapshotBegins(s), output);
        if (started == null) { // a BGSAVE runs: the sync follows it, as Redis's waits for the next BGSAVE
            releaseStream();
            if (waitingForSync.isEmpty()) {
                waitingSinceNanos = System.nanoTime();
            }
            waitingForSync.addAll(0, links);
            Shard.current().schedule(SAVE_RETRY, this::startWaiting);
            return;
        }
        s.links.addAll(links);
        sync = s;
        Shard here = Shard.current();
        for (KvShard shard : node.shards) {
            here.sendReply(shard.id, () -> shard.locks.afterLocks(() -> started.save().beginPart(shard, true)));
        }
        started.recorded().whenComplete((size, error) -> {
            RdbSave save = started.save();
            if (!node.runtime.execute(HOME, () -> saveEnded(s, save.kept, size == null ? 0 : size, error))) {
                if (save.kept != null) {
                    SyncFile.delete(save.kept); // the server stops
                }
            }
        });
    }

    /**
     * Starts the sync of the replicas waiting, unless one is in progress; a diskless one waits for more replicas until
     * repl-diskless-sync-delay passed since the first began to wait, or repl-diskless-sync-max-replicas wait, as in Redis.
     */
    private void startWaiting() {
        waitingForSync.removeIf(l -> !replicas.contains(l));
        if (sync != null || waitingForSync.isEmpty() || resuming > 0) {
            return;
        }
        boolean diskless = diskless(waitingForSync);
        MasterSettings now = settings;
        long waitedNanos = System.nanoTime() - waitingSinceNanos;
        long delayNanos = now.disklessDelaySeconds() * 1_000_000_000L;
        if (diskless && waitedNanos < delayNanos
                && (now.disklessMaxReplicas() == 0 || waitingForSync.size() < now.disklessMaxReplicas())) {
            Shard.current().schedule(Duration.ofNanos(delayNanos - waitedNanos), this::startWaiting);
            return;
        }
        List<ReplicaLink> links = new ArrayList<>(waitingForSync);
        waitingForSync.clear();
        startSync(links, diskless);
    }

    private void saveEnded(Sync s, java.nio.file.Path file, long size, Throwable error) {
        if (sync == s) {
            sync = null;
        }
        releaseStream(); // a failed save whose parts did not all begin
        releaseHeld(s); // a failed save whose parts did not all begin: its held chunks still go, in order
        Shard here = Shard.current();
        if (s.diskless != null && error == null) {
            startWaiting(); // its replicas got the RDB and its end from the save's thread
            return;
        }
        if (error != null || file == null) {
            if (file != null) {
                SyncFile.delete(file);
            }
            String why = error == null ? "no file" : String.valueOf(error.getMessage());
            for (ReplicaLink link : s.links) {
                here.sendReply(link.shard, () -> link.fail("the RDB for its full sync failed: " + why));
            }
        } else {
            SyncFile shared = new SyncFile(file, size, s.links.size());
            for (ReplicaLink link : s.links) {
                here.sendReply(link.shard, () -> link.sendFile(shared));
            }
        }
        startWaiting();
    }

    /** {@code link}'s connection closed: it gets nothing more. */
    void removed(ReplicaLink link) {
        replicas.remove(link);
        streaming.remove(link);
        waitingForSync.remove(link);
        if (sync != null) {
            sync.links.remove(link);
            DisklessSync.Target target = sync.diskless == null ? null : sync.diskless.targetOf(link);
            if (target != null) {
                target.closed = true; // the save's thread no longer waits for it
                target.progressed();
            }
        }
        checkWaits();
    }

    /** REPLCONF ACK {@code acked} of {@code link}. */
    void acked(ReplicaLink link, long acked) {
        link.ackOffset = Math.max(link.ackOffset, acked);
        link.ackNanos = System.nanoTime();
        checkWaits();
    }

    // ---- settings ----

    /** CONFIG SET's new settings (any thread): the backlog takes its new size on the home shard, keeping what fits. */
    void configure(MasterSettings changed) {
        MasterSettings old = settings;
        settings = changed;
        if (changed.backlogSize() != old.backlogSize()) {
            Shard.current().sendReply(HOME, this::resizeBacklog);
        }
    }

    private void resizeBacklog() {
        int size = settings.backlogSize();
        if (backlog != null && backlog.size() != size) {
            backlog = backlog.resized(size);
            backlogHeld = backlog.held();
            backlogFirstByte = backlog.firstByteOffset();
        }
    }

    // ---- WAIT ----

    /**
     * WAIT {@code replicas}: once each shard's feed is in the stream up to {@code targets} (what the shards had
     * made when the client's WAIT reached them, its writes included), counts the replicas that acknowledged
     * the stream's offset then, and answers once {@code replicas} did or at {@code deadlineNanos} (0: never).
     */
    void await(long[] targets, int replicas, long deadlineNanos, java.util.function.IntConsumer answer) {
        Wait w = new Wait(targets, replicas, deadlineNanos, answer);
        waits.add(w);
        checkWaits();
        if (waits.contains(w)) {
            if (w.offset >= 0 && !streaming.isEmpty() && !following) {
                append(GETACK.clone()); // as Redis, which asks for acks before it sleeps while clients WAIT
            }
            if (deadlineNanos != 0) {
                Shard.current().schedule(Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime())), this::checkWaits);
            }
            armTimer();
        }
    }

    private void checkWaits() {
        if (waits.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Iterator<Wait> i = waits.iterator(); i.hasNext(); ) {
            Wait w = i.next();
            if (w.offset < 0 && reached(w.targets)) {
                w.offset = offset;
            }
            int acked = w.offset < 0 ? 0 : ackedAt(w.offset);
            if ((w.offset >= 0 && acked >= w.replicas)
                    || (w.deadlineNanos != 0 && now - w.deadlineNanos >= 0)) {
                i.remove();
                w.answer.accept(acked);
            }
        }
    }

    private boolean reached(long[] targets) {
        for (int s = 0; s < targets.length; s++) {
            if (inStream[s] < targets[s]) {
                return false;
            }
        }
        return true;
    }

    /** The replicas that acknowledged the stream up to its offset now (WAIT inside MULTI); any thread. */
    int ackedNow() {
        return ackedAt(offset);
    }

    private int ackedAt(long at) {
        int n = 0;
        for (ReplicaLink link : replicas) {
            if (link.ackOffset >= at) {
                n++;
            }
        }
        return n;
    }

    // ---- once a second ----

    private void armTimer() {
        if (!timerArmed) {
            timerArmed = true;
            lastPingNanos = System.nanoTime();
            Shard.current().schedule(Duration.ofSeconds(1), this::everySecond);
        }
    }

    /**
     * Redis's replication cron: a PING in the stream every 10 s, a newline to the replicas waiting for their
     * file (so that they do not time out), and a GETACK while clients WAIT. Stops while nothing is attached.
     */
    private void everySecond() {
        timerArmed = false;
        if (replicas.isEmpty() && waits.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        if (!streaming.isEmpty() && !following && now - lastPingNanos >= settings.pingPeriodSeconds() * 1_000_000_000L) {
            lastPingNanos = now;
            append(PING.clone());
        }
        Shard here = Shard.current();
        for (ReplicaLink link : replicas) {
            here.sendReply(link.shard, link::keepAlive);
        }
        if (!waits.isEmpty() && !streaming.isEmpty() && !following) {
            append(GETACK.clone());
        }
        checkWaits();
        armTimer();
    }

    // ---- INFO, ROLE ----

    long offset() {
        return offset;
    }

    /** INFO replication, master form, as Redis 7.0 prints it. */
    String info() {
        StringBuilder b = new StringBuilder("# Replication\r\n")
                .append("role:master\r\n");
        replicaLines(b);
        b.append("master_failover_state:").append(node.failover.state.infoName).append("\r\n");
        return history(b).toString();
    }

    /** INFO replication's {@code connected_slaves} and a {@code slaveN:} line per replica attached (to a master or a replica). */
    void replicaLines(StringBuilder b) {
        List<ReplicaLink> attached = new ArrayList<>(replicas);
        b.append("connected_slaves:").append(attached.size()).append("\r\n");
        long nowNanos = System.nanoTime();
        for (int i = 0; i < attached.size(); i++) {
            ReplicaLink link = attached.get(i);
            b.append("slave").append(i).append(":ip=").append(link.ip()).append(",port=").append(link.listeningPort)
                    .append(",state=").append(link.stateName()).append(",offset=").append(link.ackOffset)
                    .append(",lag=").append(link.ackNanos == 0 ? 0 : (nowNanos - link.ackNanos) / 1_000_000_000L)
                    .append("\r\n");
        }
    }

    /** INFO replication's last lines, the same for a master and a replica: the ids, the offsets and the backlog. */
    StringBuilder history(StringBuilder b) {
        return b.append("master_replid:").append(replid).append("\r\n")
                .append("master_replid2:").append(replid2).append("\r\n")
                .append("master_repl_offset:").append(offset).append("\r\n")
                .append("second_repl_offset:").append(secondOffset).append("\r\n")
                .append("repl_backlog_active:").append(backlogActive ? 1 : 0).append("\r\n")
                .append("repl_backlog_size:").append(settings.backlogSize()).append("\r\n")
                .append("repl_backlog_first_byte_offset:").append(backlogActive ? backlogFirstByte : 0).append("\r\n")
                .append("repl_backlog_histlen:").append(backlogHeld).append("\r\n\r\n");
    }

    /** The backlog's memory once made (INFO's mem_replication_backlog): its whole size, as Redis counts it. */
    long backlogBytes() {
        return backlogActive ? settings.backlogSize() : 0;
    }

    /** INFO stats' lines sync_full, sync_partial_ok and sync_partial_err, as Redis counts them. */
    String syncStats() {
        return "sync_full:" + fullSyncs + "\r\nsync_partial_ok:" + partialSyncsOk + "\r\nsync_partial_err:"
                + partialSyncsErr + "\r\n";
    }

    /** ROLE, master form: the offset and each replica's ip, port and acknowledged offset. */
    void role(ReplyWriter out) {
        List<ReplicaLink> online = new ArrayList<>();
        for (ReplicaLink link : replicas) {
            if (link.online()) {
                online.add(link);
            }
        }
        out.arrayHeader(3).bulk("master").integer(offset).arrayHeader(online.size());
        for (ReplicaLink link : online) {
            out.arrayHeader(3).bulk(link.ip()).bulk(Integer.toString(link.listeningPort))
                    .bulk(Long.toString(link.ackOffset));
        }
    }
}
