package dev.atoll.examples.kv;

import dev.atoll.io.Buffer;
import dev.atoll.io.BufferPool;
import dev.atoll.io.Connection;
import dev.atoll.io.Receiver;
import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One connection to the master, on shard {@link ReplicaOf#LINK_SHARD}, from the connect to its end (a lost link
 * is a new {@code MasterLink} the next second): Redis's replica handshake ({@code PING}, {@code AUTH} with
 * {@code masterauth}/{@code masteruser}, {@code REPLCONF listening-port}, {@code REPLCONF capa eof capa psync2},
 * {@code PSYNC}, with {@code FAILOVER} when this server hands its master role over: {@link Failover}), then either a full sync — the RDB ({@code $<length>} or diskless {@code $EOF:<mark>}) written to
 * a temporary file off the shard, renamed over the RDB file, loaded into one table per shard and swapped in for
 * every shard's keys ({@link ReplicaOf#replaceKeys}) — or a partial one ({@code +CONTINUE}), and then the
 * master's command stream, applied by a {@link KvConnection} of the master's (its replies dropped, as Redis's
 * master client's are) which dispatches each command as a client's: to its keys' owners, in order.
 *
 * <p>The steps form a state machine ({@link Step}); the bytes of a step that ends inside a read go to the next.
 * While the RDB is written, past {@link #UNWRITTEN_MAX} of bytes not yet on disk each received buffer is kept until
 * its bytes are, and while it loads the stream's buffers are kept: the connection stops reading once it holds its
 * maximum (the master's output buffer takes the rest), so memory stays bounded whatever the master sends.
 */
final class MasterLink implements Receiver {
    private static final Logger log = LoggerFactory.getLogger(MasterLink.class);
    private static final int EOF_MARK_LENGTH = 40;
    /** The stream's commands the link looks at (each command's name compared in place: nothing allocated per command). */
    private static final byte[] SELECT = "select".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATABASE_ZERO = {'0'};
    private static final byte[] REPLCONF = "replconf".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GETACK = "getack".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MULTI = "multi".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXEC = "exec".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DISCARD = "discard".getBytes(StandardCharsets.US_ASCII);
    /**
     * RDB bytes received and not yet on disk beyond which each received buffer is kept until written, so the
     * connection stops reading; below it a buffer goes at once (keeping each one made the pool's round trip set
     * the pace: 36 MB took 10 s on loopback).
     */
    private static final long UNWRITTEN_MAX = 16 << 20;
    /** How often a promotion looks whether the master's commands dispatched by the link have all run. */
    private static final Duration DRAIN_CHECK = Duration.ofMillis(1);

    /** Where the link is; each handshake step waits for the reply to what it sent. */
    private enum Step { CONNECTING, PING, AUTH, PORT, CAPA, PSYNC, RDB_HEADER, RDB_BODY, LOADING, STREAM, ENDED }

    private final KvNode node;
    private final ReplicaOf replica;
    private final ReplicaOf.Master master;
    private final Shard shard = Shard.current();
    private Connection connection;
    private Step step = Step.CONNECTING;
    /** The reply line being read (handshake, the RDB's header). */
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    /** The RDB: its length ({@code -1}: diskless, ended by {@link #eofMark}), bytes read, the file and its writes. */
    private long rdbLength;
    private byte[] eofMark;
    private byte[] tail = new byte[0];
    private Path temp;
    private FileChannel file;
    /** The file's writes, one after another on the offload pool; each completes on this shard. */
    private Promise<Void> writes = Promise.completed(null);
    /**
     * Bytes received and not yet handed to a write, and their buffers (released once written): all of them go in
     * the next write, so a slow write takes more at once instead of a round trip to the pool per read.
     */
    private final List<byte[]> unwritten = new ArrayList<>();
    private final List<Buffer> unwrittenBuffers = new ArrayList<>();
    private long unwrittenBytes;
    /** A write of {@link #unwritten} is in the chain and has not taken them yet. */
    private boolean writeQueued;
    /** Stream bytes that came while the RDB loads, in order (buffers held: the connection stops reading). */
    private final ArrayDeque<Buffer> held = new ArrayDeque<>();
    /** The replication id and offset of a full sync's {@code +FULLRESYNC}: the replica's once the RDB is loaded. */
    private String fullReplid;
    private long fullOffset;
    /** The master's client: applies the stream. */
    private KvConnection applier;
    /** A promotion began: nothing more of the stream is applied or counted ({@link #drain}). */
    private boolean draining;
    /** A full sync of this node's own replica begins: the master's client stops before its next command ({@link #hold}). */
    private boolean holding;
    /** The master's client stopped at the hold, before a command outside a transaction. */
    private boolean holdReached;
    /**
     * The bytes of the master's MULTI block being applied: they count into the offset and the backlog at its EXEC, as
     * Redis's replica counts them (its offset never falls inside a transaction: a promotion or a sync there would
     * cut it); null outside one.
     */
    private ReplyWriter transaction;

    MasterLink(KvNode node, ReplicaOf replica, ReplicaOf.Master master) {
        this.node = node;
        this.replica = replica;
        this.master = master;
    }

    /** Connects (a host name resolved off the shard), then starts the handshake. */
    void connect() {
        replica.state = ReplicaOf.State.CONNECTING;
        log.info("Connecting to MASTER {}:{}", master.host(), master.port());
        Promise<InetAddress> address;
        try {
            address = Promise.completed(InetAddress.ofLiteral(master.host()));
        } catch (IllegalArgumentException notLiteral) {
            address = shard.offload(() -> InetAddress.getByName(master.host()));
        }
        address.flatMap(resolved -> Connection.connect(new InetSocketAddress(resolved, master.port()),
                        Duration.ofSeconds(replica.settings.timeoutSeconds())))
                .whenComplete((c, failure) -> {
                    if (failure != null) {
                        fail("Error condition on socket for SYNC: " + failure.getMessage());
                    } else if (step == Step.ENDED) {
                        c.close(); // REPLICAOF changed meanwhile
                    } else {
                        connection = c;
                        replica.lastIoMillis = System.currentTimeMillis();
                        replica.state = ReplicaOf.State.HANDSHAKE;
                        c.receive(this);
                        send(Step.PING, "PING");
                    }
                });
    }

    /** Whether the link is over (its end seen, or {@link #stop}ped): the cron makes a new one. */
    boolean ended() {
        return step == Step.ENDED;
    }

    /** REPLICAOF elsewhere, or NO ONE: the link closes; nothing it received later is applied. */
    void stop() {
        end(false);
    }

    /** Once a second: the ACK of the offset applied, and the link dropped after repl-timeout of silence. */
    void everySecond() {
        if (step == Step.ENDED) {
            return;
        }
        if (System.currentTimeMillis() - replica.lastIoMillis > replica.settings.timeoutSeconds() * 1000L && step != Step.LOADING) {
            fail("MASTER timeout: no data nor PING received");
            return;
        }
        if (step == Step.STREAM) {
            sendAck();
        }
    }

    // ---- receiving ----

    @Override
    public void onData(Connection from, Buffer data) {
        replica.lastIoMillis = System.currentTimeMillis();
        switch (step) {
            case STREAM -> {
                replica.readOffset += data.readableBytes();
                applier.onData(from, data);
            }
            case LOADING -> held.add(data);
            case ENDED -> data.release();
            default -> {
                int n = data.readableBytes();
                byte[] bytes = new byte[n];
                data.readBytes(bytes, 0, n);
                if (step == Step.RDB_BODY) {
                    body(bytes, 0, n, data);
                } else {
                    data.release();
                    handshake(bytes, 0, n);
                }
            }
        }
    }

    @Override
    public void onEnd(Connection from, Throwable failure) {
        if (applier != null) {
            applier.onEnd(from, failure);
        }
        if (step != Step.ENDED) {
            log.warn("Connection with master lost ({})", failure == null ? "closed by the master" : failure.getMessage());
        }
        end(step == Step.STREAM);
    }

    /** Reads reply lines until a step takes the bytes after its line (the RDB's body, the stream). */
    private void handshake(byte[] bytes, int at, int end) {
        while (at < end && step != Step.ENDED) {
            if (step == Step.RDB_BODY) {
                body(bytes, at, end, null);
                return;
            }
            if (step == Step.STREAM) {
                feed(bytes, at, end);
                return;
            }
            int newline = indexOf(bytes, at, end, (byte) '\n');
            if (newline < 0) {
                line.write(bytes, at, end - at);
                return;
            }
            line.write(bytes, at, newline - at);
            at = newline + 1;
            byte[] got = line.toByteArray();
            line.reset();
            int length = got.length > 0 && got[got.length - 1] == '\r' ? got.length - 1 : got.length;
            reply(new String(got, 0, length, StandardCharsets.UTF_8));
        }
    }

    /** The master's reply line to the step that waits. */
    private void reply(String text) {
        switch (step) {
            case PING -> {
                // as Redis: an authentication error means the master is up; AUTH follows
                if (text.startsWith("-") && !text.startsWith("-NOAUTH") && !text.startsWith("-NOPERM")
                        && !text.startsWith("-ERR operation not permitted")) {
                    fail("Error reply to PING from master: '" + text + "'");
                    return;
                }
                ReplicaSettings s = replica.settings;
                if (!s.masterAuth().isEmpty()) {
                    if (s.masterUser().isEmpty()) {
                        send(Step.AUTH, "AUTH", s.masterAuth());
                    } else {
                        send(Step.AUTH, "AUTH", s.masterUser(), s.masterAuth());
                    }
                } else {
                    sendPort();
                }
            }
            case AUTH -> {
                if (text.startsWith("-")) {
                    fail("Unable to AUTH to MASTER: " + text);
                } else {
                    sendPort();
                }
            }
            case PORT -> send(Step.CAPA, "REPLCONF", "capa", "eof", "capa", "psync2"); // an error is not critical, as in Redis
            case CAPA -> {
                String replid = replica.masterReplid;
                if (replid != null && node.failover.state == Failover.State.IN_PROGRESS) {
                    log.info("Trying a partial resynchronization (request {}:{}) with a failover request", replid, replica.offset + 1);
                    send(Step.PSYNC, "PSYNC", replid, Long.toString(replica.offset + 1), "FAILOVER");
                } else if (replid != null) {
                    log.info("Trying a partial resynchronization (request {}:{})", replid, replica.offset + 1);
                    send(Step.PSYNC, "PSYNC", replid, Long.toString(replica.offset + 1));
                } else {
                    send(Step.PSYNC, "PSYNC", "?", "-1");
                }
            }
            case PSYNC -> psyncReply(text);
            case RDB_HEADER -> rdbHeader(text);
            default -> throw new IllegalStateException("a reply line in step " + step);
        }
    }

    private void sendPort() {
        send(Step.PORT, "REPLCONF", "listening-port", Integer.toString(node.port));
    }

    private void psyncReply(String text) {
        if (text.isEmpty()) {
            return; // a keepalive: the master waits to start its BGSAVE (repl-diskless-sync-delay), as Redis's replica reads it
        }
        boolean accepted = text.startsWith("+FULLRESYNC") || text.startsWith("+CONTINUE");
        if (node.failover.state == Failover.State.IN_PROGRESS) {
            node.failover.targetAnswered(accepted); // a refusal makes this server a master again, which stops the link
        }
        if (text.startsWith("+FULLRESYNC")) {
            String[] words = text.split(" ");
            if (words.length != 3) {
                fail("a FULLRESYNC reply without replication id and offset: '" + text + "'");
                return;
            }
            fullReplid = words[1]; // the replica's only once the RDB is loaded: a failed sync must not PSYNC it
            fullOffset = Long.parseLong(words[2]);
            replica.transferSize = -1;
            replica.transferRead = 0;
            replica.state = ReplicaOf.State.TRANSFER;
            log.info("Full resync from master: {}:{}", fullReplid, fullOffset);
            step = Step.RDB_HEADER;
        } else if (text.startsWith("+CONTINUE")) {
            String[] words = text.split(" ");
            if (words.length == 2) {
                replica.masterReplid = words[1]; // the master's id changed (a failover): the history goes on
            }
            node.replication.continued(words.length == 2 ? words[1] : null);
            log.info("Successful partial resynchronization with master");
            startStream();
        } else {
            fail("Unexpected reply to PSYNC from master: '" + text + "'");
        }
    }

    /** {@code $<length>} or {@code $EOF:<40 bytes>}; empty lines before it are the master's keepalives. */
    private void rdbHeader(String text) {
        if (text.isEmpty()) {
            return;
        }
        if (!text.startsWith("$")) {
            fail("Bad protocol from MASTER, the first byte is not '$' (we received '" + text + "')");
            return;
        }
        if (text.startsWith("$EOF:") && text.length() == 5 + EOF_MARK_LENGTH) {
            eofMark = text.substring(5).getBytes(StandardCharsets.US_ASCII);
            rdbLength = -1;
            log.info("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
        } else {
            try {
                rdbLength = Long.parseLong(text.substring(1));
            } catch (NumberFormatException e) {
                fail("Bad RDB length from MASTER: '" + text + "'");
                return;
            }
            replica.transferSize = rdbLength;
            log.info("MASTER <-> REPLICA sync: receiving {} bytes from master to disk", rdbLength);
        }
        Path rdb = node.settings.rdbPath();
        temp = rdb.resolveSibling("temp-" + System.currentTimeMillis() + "." + ProcessHandle.current().pid() + ".rdb");
        Path target = temp;
        writes = writes.flatMap(ignored -> shard.offload(() -> {
            file = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return null;
        }));
        writes.whenComplete((ignored, failure) -> failedWrite(failure));
        step = Step.RDB_BODY;
    }

    /**
     * Bytes {@code [at, end)} of the RDB (and maybe, after its end, of the stream): written to the file;
     * {@code data}, when given, is released once they are on disk.
     */
    private void body(byte[] bytes, int at, int end, Buffer data) {
        int take;
        boolean last;
        if (rdbLength >= 0) {
            take = (int) Math.min(end - at, rdbLength - replica.transferRead);
            last = replica.transferRead + take == rdbLength;
        } else {
            int found = markEnd(bytes, at, end);
            take = found < 0 ? end - at : found - at;
            last = found >= 0;
        }
        replica.transferRead += take;
        unwritten.add(at == 0 && take == bytes.length ? bytes : Arrays.copyOfRange(bytes, at, at + take));
        unwrittenBytes += take;
        if (data != null && unwrittenBytes > UNWRITTEN_MAX) {
            unwrittenBuffers.add(data);
        } else if (data != null) {
            data.release();
        }
        if (!writeQueued) {
            writeQueued = true;
            writes = writes.flatMap(ignored -> writeUnwritten());
        }
        if (!last) {
            return;
        }
        step = Step.LOADING;
        if (at + take < end) { // the stream's first bytes, after the RDB
            Buffer rest = BufferPool.current().acquire(end - at - take).writeBytes(bytes, at + take, end - at - take);
            held.add(rest);
        }
        load();
    }

    /** Writes every chunk received so far in one task of the offload pool; their buffers go once it is done. */
    private Promise<Void> writeUnwritten() {
        List<byte[]> chunks = List.copyOf(unwritten);
        List<Buffer> buffers = List.copyOf(unwrittenBuffers);
        unwritten.clear();
        unwrittenBuffers.clear();
        writeQueued = false;
        FileChannel target = file;
        long bytes = chunks.stream().mapToLong(chunk -> chunk.length).sum();
        return shard.offload(() -> {
            for (byte[] chunk : chunks) {
                ByteBuffer b = ByteBuffer.wrap(chunk);
                while (b.hasRemaining()) {
                    target.write(b);
                }
            }
            return (Void) null;
        }).whenComplete((ignored, failure) -> {
            unwrittenBytes -= bytes;
            buffers.forEach(Buffer::release);
            failedWrite(failure);
        });
    }

    /** A write of the RDB file failed (a directory not there, a full disk): the sync fails now, not at its end. */
    private void failedWrite(Throwable failure) {
        if (failure != null) {
            fail("Failed writing the MASTER synchronization DB to disk: " + failure);
        }
    }

    /**
     * Where the diskless RDB's end mark ends in {@code bytes[at, end)} (the mark may begin in the bytes before,
     * kept in {@link #tail}), or -1; updates the tail.
     */
    private int markEnd(byte[] bytes, int at, int end) {
        byte[] joined = new byte[tail.length + end - at];
        System.arraycopy(tail, 0, joined, 0, tail.length);
        System.arraycopy(bytes, at, joined, tail.length, end - at);
        for (int i = 0; i + EOF_MARK_LENGTH <= joined.length; i++) {
            if (Arrays.equals(joined, i, i + EOF_MARK_LENGTH, eofMark, 0, EOF_MARK_LENGTH)) {
                return at + i + EOF_MARK_LENGTH - tail.length;
            }
        }
        tail = Arrays.copyOfRange(joined, Math.max(0, joined.length - (EOF_MARK_LENGTH - 1)), joined.length);
        return -1;
    }

    /**
     * The whole RDB is received: off the shard, the file is synced, cut before the diskless mark, renamed over
     * the RDB file (as Redis's replica does) and loaded into one table per shard; then every shard's keys are
     * replaced and the stream starts.
     */
    private void load() {
        Path rdb = node.settings.rdbPath();
        Path source = temp;
        boolean diskless = rdbLength < 0;
        int shards = node.shardCount();
        boolean lfu = node.shards[0].lfu();
        Promise<RdbFile.Loaded> loaded = writes.flatMap(ignored -> shard.offload(() -> {
            if (diskless) {
                file.truncate(file.size() - EOF_MARK_LENGTH);
            }
            file.force(true);
            file.close();
            Files.move(source, rdb, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            RdbFile.Loaded file = RdbFile.load(rdb, shards);
            int access = KvShard.firstAccess(lfu, System.currentTimeMillis());
            for (KeyTable table : file.tables()) { // here, not in the shards' swap steps: none is in proportion to the keys
                table.forEach(e -> e.accessedAt = access);
            }
            return file;
        }));
        loaded.whenComplete((file, failure) -> {
            if (step == Step.ENDED) {
                return; // REPLICAOF changed, or the link ended, meanwhile
            }
            if (failure != null) {
                fail("Failed trying to load the MASTER synchronization DB from disk: " + failure);
                return;
            }
            log.info("MASTER <-> REPLICA sync: loading the DB in memory");
            // the master's function libraries replace this server's, as a Redis replica's do, before the keys
            String libraries = ScriptCommands.restore(node.shards[ReplicaOf.LINK_SHARD], file.libraries(),
                    ScriptRegistry.RestorePolicy.FLUSH);
            if (libraries != null) {
                fail("Failed trying to load the MASTER synchronization DB's function libraries: " + libraries);
                return;
            }
            replica.replaceKeys(file.tables()).whenComplete((ignored, error) -> {
                if (error != null) {
                    fail("Failed to replace the keys with the master's: " + error);
                } else if (step != Step.ENDED) {
                    log.info("MASTER <-> REPLICA sync: finished with success");
                    node.replication.synced(fullReplid, fullOffset);
                    replica.masterReplid = fullReplid;
                    replica.offset = fullOffset;
                    replica.readOffset = fullOffset;
                    startStream();
                }
            });
        });
    }

    /** The link is up: the master's client applies the stream, first what waited meanwhile. */
    private void startStream() {
        step = Step.STREAM;
        replica.state = ReplicaOf.State.CONNECTED;
        applier = new KvConnection(node, connection, this);
        sendAck(); // a diskless master starts the stream once it has this first ACK
        while (!held.isEmpty() && step == Step.STREAM) {
            Buffer b = held.poll();
            replica.readOffset += b.readableBytes();
            applier.onData(connection, b);
        }
    }

    private void feed(byte[] bytes, int at, int end) {
        replica.readOffset += end - at;
        applier.onData(connection, BufferPool.current().acquire(end - at).writeBytes(bytes, at, end - at));
    }

    /**
     * Called by the master's client for each whole command of the stream, before it dispatches it: counts its
     * bytes into the offset, and answers REPLCONF GETACK (with the offset before it, as Redis); true when the
     * command was the link's to handle, not to execute. Its bytes ({@code bytes[from, from + length)}) go to the
     * backlog. A SELECT of another database than 0 ends the link (its
     * writes would land in database 0); so does a REPLICAOF that no longer names this link's master.
     */
    boolean applying(Request r, byte[] bytes, int from, int length) {
        if (draining) {
            return true; // the node is promoted: the offset stays where its history ends
        }
        if (!master.equals(replica.master)) {
            // REPLICAOF NO ONE (or another master) answered on some shard before this link's stop reached it:
            // nothing the old master sends from then on is applied (volatile read of ReplicaOf.master)
            stop();
            return true;
        }
        if (r.count() == 2 && r.is(0, SELECT) && !r.is(1, DATABASE_ZERO)) {
            fail("the master selected database " + r.string(1) + ", where Atoll has one database (0): the link is dropped");
            return true;
        }
        boolean replconf = r.count() > 0 && r.is(0, REPLCONF);
        if (replconf && r.count() >= 2 && r.is(1, GETACK)) {
            sendAck();
        }
        if (transaction == null && r.count() == 1 && r.is(0, MULTI)) {
            transaction = new ReplyWriter(256);
        }
        if (transaction != null) {
            transaction.raw(bytes, from, length);
            if (r.count() == 1 && (r.is(0, EXEC) || r.is(0, DISCARD))) {
                replica.offset += transaction.size();
                node.replication.applied(transaction.bytes(), 0, transaction.size());
                transaction = null;
            }
            return replconf;
        }
        replica.offset += length;
        node.replication.applied(bytes, from, length);
        return replconf;
    }

    /**
     * Whether the master's client stops before command {@code r} (parsed again at {@link #release}): a full sync of this
     * node's replica holds the stream, and {@code r} is not inside a transaction.
     */
    boolean holdsBefore(Request r) {
        if (holding && transaction == null && !draining) {
            holdReached = true;
            return true;
        }
        return false;
    }

    /**
     * A promotion: the stream is no longer applied; once every command the link dispatched has run on its shards (so
     * that their records are made), the link closes and {@code then} runs, on this shard.
     */
    void drain(Runnable then) {
        draining = true;
        if (applier != null && !applier.quiet()) {
            shard.schedule(DRAIN_CHECK, () -> drain(then));
            return;
        }
        stop();
        then.run();
    }

    /**
     * A full sync of this node's own replica: the master's client stops before its next command outside a transaction,
     * and once every command it applied has run on its shards {@code then} runs (on this shard), so the shards' snapshot
     * parts all begin at one offset of the master's stream; {@link #release} goes on. False when the stream is not flowing.
     */
    boolean hold(Runnable then) {
        if (step != Step.STREAM || holding) {
            return false;
        }
        holding = true;
        waitQuiet(then);
        return true;
    }

    private void waitQuiet(Runnable then) {
        if (step != Step.ENDED && !(applier.quiet() && transaction == null && (holdReached || !applier.parsingPaused()))) {
            shard.schedule(DRAIN_CHECK, () -> waitQuiet(then));
            return;
        }
        then.run();
    }

    /** The snapshot's parts began: the stream that waited is applied, and the stream flows again. */
    void release() {
        holding = false;
        holdReached = false;
        if (step == Step.STREAM) {
            applier.resumeIfPaused();
        }
    }

    private void sendAck() {
        send(step, "REPLCONF", "ACK", Long.toString(replica.offset));
    }

    /** Sends one command (RESP) and moves to {@code next}, which waits for its reply. */
    private void send(Step next, String... words) {
        ReplyWriter w = new ReplyWriter(64);
        w.arrayHeader(words.length);
        for (String word : words) {
            w.bulk(word);
        }
        Buffer buffer = BufferPool.current().acquire(w.size()).writeBytes(w.bytes(), 0, w.size());
        step = next;
        connection.writeAll(buffer).whenComplete((ignored, failure) -> buffer.release());
    }

    private void fail(String why) {
        if (step == Step.ENDED) {
            return;
        }
        log.warn("MASTER {}:{}: {}; retrying in a second", master.host(), master.port(), why);
        end(false);
    }

    /** Ends the link: the connection closes, what is held goes, a temporary RDB file is deleted. */
    private void end(boolean wasUp) {
        if (step == Step.ENDED) {
            return;
        }
        step = Step.ENDED;
        node.failover.targetUnreachable("the link to the target ended before its answer"); // nothing once it answered
        if (connection != null) {
            connection.close();
        }
        while (!held.isEmpty()) {
            held.poll().release();
        }
        unwrittenBuffers.forEach(Buffer::release);
        unwrittenBuffers.clear();
        unwritten.clear();
        Path leftover = temp;
        if (leftover != null) {
            writes.whenComplete((ignored, failure) -> shard.offload(() -> {
                if (file != null && file.isOpen()) {
                    file.close();
                }
                return Files.deleteIfExists(leftover);
            }));
        }
        replica.linkLost(wasUp);
    }

    private static int indexOf(byte[] bytes, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
