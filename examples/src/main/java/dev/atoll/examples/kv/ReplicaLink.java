package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * A client connection that turned into a replica (PSYNC or SYNC), on the connection's shard: what it said in
 * its REPLCONFs, its state, and its side of the stream. Until its RDB is sent the stream it is due is held
 * here (Redis's replica output buffer during a full sync); the RDB goes out as the socket takes it — a disk-based
 * sync's file a chunk at a time ({@link RdbFileSender}), a diskless sync's bytes as the save's thread makes them
 * ({@link DisklessSync}) — then what was held, then the stream as it comes. Over
 * {@code client-output-buffer-limit replica} (Redis's default 256mb 64mb 60; held plus not yet written) the
 * connection is closed, as Redis drops such a replica, so the master never runs out of memory for it. It gets no
 * reply to what it sends (REPLCONF ACK), as in Redis.
 */
final class ReplicaLink {
    private static final Logger log = LoggerFactory.getLogger(ReplicaLink.class);
    private static final byte[] NEWLINE = {'\n'};

    /** Redis's replica states, as INFO's {@code slaveN:state=} names them. */
    enum State {
        WAIT_BGSAVE("wait_bgsave"), SEND_BULK("send_bulk"),
        /**
         * A diskless RDB was sent whole: the stream waits for the replica's first REPLCONF ACK, as Redis's does
         * ({@code repl_start_cmd_stream_on_ack}), since a replica reading the RDB until its end mark would take stream
         * bytes read with the mark for the RDB's.
         */
        WAIT_ACK("online"),
        ONLINE("online");

        final String infoName;

        State(String infoName) {
            this.infoName = infoName;
        }
    }

    final KvConnection connection;
    /** The shard its connection lives on. */
    final int shard;
    /** REPLCONF listening-port (0 until said). */
    volatile int listeningPort;
    /** REPLCONF ip-address, or null: the peer's address then. */
    volatile String announcedIp;
    /** The offset it acknowledged, and when (System.nanoTime; 0: never); written on the home shard. */
    volatile long ackOffset;
    volatile long ackNanos;
    private volatile State state = State.WAIT_BGSAVE;
    /** SYNC rather than PSYNC: no {@code +FULLRESYNC} line before the file, as Redis answers SYNC. */
    volatile boolean preSync;
    /** REPLCONF capa eof: it reads an RDB framed by an end mark (a diskless sync's). */
    volatile boolean capaEof;
    /** The stream it is due while its file is not sent yet. */
    private final ArrayDeque<byte[]> held = new ArrayDeque<>();
    private long heldBytes;
    private boolean overSoft;
    private long overSoftSinceNanos;
    /** Its RDB file's sender while the file is sent (disk-based sync), else null. */
    private RdbFileSender file;
    /** Its place in a diskless sync once that sync's bytes or point reached it, else null. */
    private DisklessSync.Target diskless;
    /** A diskless sync's bytes that came before its {@code +FULLRESYNC} (they come from another thread), in order. */
    private ArrayDeque<byte[]> early;
    /** Whether the diskless sync's end came before its {@code +FULLRESYNC}. */
    private boolean earlyEnd;
    /** Whether its diskless sync's point came ({@code +FULLRESYNC} and {@code $EOF:<mark>} pushed). */
    private boolean disklessStarted;
    /** Bytes of the diskless RDB pushed to its connection. */
    private long disklessPushed;
    /** When its socket last took bytes of a diskless RDB (repl-timeout counts from it). */
    private long disklessProgressNanos;
    private boolean closed;

    ReplicaLink(KvConnection connection, int shard) {
        this.connection = connection;
        this.shard = shard;
    }

    String ip() {
        String ip = announcedIp;
        if (ip != null) {
            return ip;
        }
        SocketAddress peer = connection.peerAddress();
        return peer instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "?";
    }

    boolean online() {
        return state == State.ONLINE || state == State.WAIT_ACK;
    }

    String stateName() {
        return state.infoName;
    }

    // ---- from the home shard, in the order it sent them ----

    /**
     * Its full sync's point is set: {@code +FULLRESYNC <replid> <offset>}; the stream is held until the RDB is sent. For a
     * diskless sync ({@code target} non-null) the RDB's frame begins, and the bytes that came first follow.
     */
    void fullResync(String reply, DisklessSync.Target target) {
        if (!preSync) {
            push(reply.getBytes(StandardCharsets.US_ASCII));
        }
        if (target == null || closed) {
            return;
        }
        diskless = target;
        disklessStarted = true;
        disklessProgressNanos = System.nanoTime();
        push(target.sync.header());
        if (early != null) {
            while (!early.isEmpty()) {
                pushDiskless(early.poll());
            }
            early = null;
        }
        if (earlyEnd) {
            rdbEnd(target);
        }
    }

    // ---- from a diskless sync's save thread, in the order it sent them ----

    /** The next bytes of its diskless sync's RDB. */
    void rdbBytes(DisklessSync.Target target, byte[] bytes) {
        if (closed) {
            target.closed = true;
            target.progressed();
        } else if (!disklessStarted) {
            if (early == null) {
                early = new ArrayDeque<>();
            }
            early.add(bytes);
        } else {
            pushDiskless(bytes);
        }
    }

    /** Its diskless sync's RDB is whole: the end mark, then what was held, then the stream. */
    void rdbEnd(DisklessSync.Target target) {
        if (closed) {
            return;
        }
        if (!disklessStarted) {
            earlyEnd = true;
            return;
        }
        push(target.sync.mark);
        diskless = null;
        state = State.WAIT_ACK;
    }

    private void pushDiskless(byte[] bytes) {
        disklessPushed += bytes.length;
        push(bytes);
        disklessTaken();
    }

    /** Publishes what its socket took of the diskless RDB, which the save's thread waits for. */
    private void disklessTaken() {
        DisklessSync.Target target = diskless;
        if (target == null) {
            return;
        }
        long taken = Math.max(0, disklessPushed - connection.outputBytes());
        if (taken != target.taken) {
            target.taken = taken;
            disklessProgressNanos = System.nanoTime();
            target.progressed();
        }
    }

    /** The backlog had its offset: {@code +CONTINUE <replid>} and the bytes it missed, then the stream. */
    void partialResync(String reply, byte[] missing) {
        state = State.ONLINE;
        push(reply.getBytes(StandardCharsets.US_ASCII));
        if (missing.length > 0) {
            push(missing);
        }
    }

    /** The next bytes of the stream. */
    void stream(byte[] bytes) {
        if (closed) {
            return;
        }
        if (state == State.ONLINE) {
            push(bytes);
        } else {
            held.add(bytes);
            heldBytes += bytes.length;
            checkLimits();
        }
    }

    /** Its RDB file is written: {@code $<size>\r\n} and the file, then what was held. */
    void sendFile(SyncFile shared) {
        if (closed) {
            shared.opened(); // it never will
            return;
        }
        state = State.SEND_BULK;
        push(("$" + shared.size + "\r\n").getBytes(StandardCharsets.US_ASCII));
        file = new RdbFileSender(connection, shared, this::fileSent, this::fail);
    }

    /** The whole file is handed to its connection: what was held follows, then the stream as it comes. */
    private void fileSent() {
        file = null;
        rdbSent();
    }

    private void rdbSent() {
        state = State.ONLINE;
        while (!held.isEmpty()) {
            push(held.poll());
        }
        heldBytes = 0;
    }

    /** Its full sync failed (the save did): the connection closes, as Redis closes such a replica. */
    void fail(String why) {
        if (!closed) {
            log.warn("closing replica {}:{}: {}", ip(), listeningPort, why);
            connection.closeNow();
        }
    }

    /**
     * Once a second: a newline while it waits for its file, which Redis sends so that the replica does not time out
     * (not inside a diskless RDB, whose bytes go out as they are made); a replica whose socket took nothing of its
     * diskless RDB for repl-timeout is dropped, as Redis drops it.
     */
    void keepAlive() {
        if (closed) {
            return;
        }
        if (state == State.WAIT_BGSAVE && !disklessStarted) {
            push(NEWLINE);
        }
        if (diskless != null && connection.outputBytes() == 0) {
            disklessProgressNanos = System.nanoTime(); // nothing waits for its socket: the transfer waits for another
        }
        if (diskless != null && System.nanoTime() - disklessProgressNanos
                > connection.node().replication.settings.timeoutSeconds() * 1_000_000_000L) {
            log.warn("Disconnecting timedout replica (streaming sync): {}:{}", ip(), listeningPort);
            connection.closeNow();
            return;
        }
        checkLimits();
    }

    // ---- from its connection ----

    /** What the replica sends: REPLCONF ACK offset (its acknowledgement, for WAIT and INFO); the rest is ignored, unanswered. */
    void command(Command command, Request r) {
        if (command == Command.REPLCONF && r.count() >= 3 && r.string(1).equalsIgnoreCase("ack") && r.longAt(2)) {
            long acked = r.number;
            if (state == State.WAIT_ACK) {
                rdbSent(); // it loaded the diskless RDB: the stream follows
            }
            ReplicationMaster master = connection.node().replication;
            Shard.current().sendReply(ReplicationMaster.HOME, () -> master.acked(this, acked));
        }
    }

    /** Its output was written: more of the file, if it is being sent. */
    void written() {
        if (!closed && file != null) {
            file.pump();
        }
        if (!closed && diskless != null) {
            disklessTaken();
        }
    }

    /** Its connection closed: it gets nothing more. */
    void connectionClosed() {
        if (closed) {
            return;
        }
        closed = true;
        held.clear();
        heldBytes = 0;
        if (file != null) {
            file.stop();
            file = null;
        }
        if (diskless != null) {
            diskless.closed = true; // the save's thread no longer waits for it
            diskless.progressed();
            diskless = null;
        }
        early = null;
        ReplicationMaster master = connection.node().replication;
        Shard.current().sendReply(ReplicationMaster.HOME, () -> master.removed(this));
    }

    /** What it holds for the replica: the stream held and the output not yet written. */
    long heldBytes() {
        return heldBytes + connection.outputBytes();
    }

    /** Redis's replica class of client-output-buffer-limit (default 256mb hard, 64mb for 60 s soft; 0: none). */
    private void checkLimits() {
        if (closed) {
            return;
        }
        MasterSettings limits = connection.node().replication.settings;
        long bytes = heldBytes() - (disklessPushed > 0 && diskless != null ? Math.min(connection.outputBytes(),
                disklessPushed - diskless.taken) : 0); // the diskless RDB's bytes are not the stream's: not counted
        if (limits.replicaHard() > 0 && bytes >= limits.replicaHard()) {
            drop(bytes + " bytes held for the replica reached the hard limit (client-output-buffer-limit replica "
                    + limits.replicaHard() + ")");
        } else if (limits.replicaSoft() > 0 && bytes >= limits.replicaSoft()) {
            long now = System.nanoTime();
            if (!overSoft) {
                overSoft = true;
                overSoftSinceNanos = now;
            } else if (now - overSoftSinceNanos > limits.replicaSoftSeconds() * 1_000_000_000L) {
                drop(bytes + " bytes held for the replica, over the soft limit (client-output-buffer-limit replica "
                        + limits.replicaSoft() + ") for more than " + limits.replicaSoftSeconds() + " s");
            }
        } else {
            overSoft = false;
        }
    }

    private void drop(String why) {
        connection.node().outputLimitDisconnections.incrementAndGet();
        log.warn("closing replica {}:{} for overcoming of output buffer limits: {}", ip(), listeningPort, why);
        connection.closeNow();
    }

    private void push(byte[] bytes) {
        pushRaw(bytes, bytes.length);
    }

    private void pushRaw(byte[] bytes, int length) {
        if (closed) {
            return;
        }
        ReplyWriter out = connection.pushOut();
        if (out == null) {
            return; // over the connection's own limit: it closes
        }
        out.raw(bytes, 0, length);
        connection.pushDone();
        connection.pushesWritten();
        if (state == State.ONLINE) {
            checkLimits();
        }
    }
}
