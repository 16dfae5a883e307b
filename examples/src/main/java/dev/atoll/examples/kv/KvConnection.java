package dev.atoll.examples.kv;

import dev.atoll.examples.SwapList;
import dev.atoll.io.Buffer;
import dev.atoll.io.BufferPool;
import dev.atoll.io.Connection;
import dev.atoll.io.IoException;
import dev.atoll.io.Receiver;
import dev.atoll.io.WriteListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;

/**
 * One client connection, on the shard that accepted it. Each read is parsed where it lies (copied
 * once into a shard-wide scratch array; only a command cut by the end of a read is kept per
 * connection) and every command in it is dispatched in order:
 *
 * <ul>
 *   <li>a key this shard owns: executed inline, the reply appended to the output — no message, no
 *       future, no allocation beyond the stored value;</li>
 *   <li>a key another shard owns: appended to this shard's {@link Batch} for that shard in this loop
 *       iteration, which every connection that reads in the iteration shares; one task sends the
 *       batches at the next task step, one mesh message per shard ({@link BatchPool});</li>
 *   <li>several keys on several shards (MGET, MSET, DEL, EXISTS, MSETNX, LCS), EXEC, and a command on
 *       a key a transaction holds: a {@link Transaction}, which locks their keys on each owner;</li>
 *   <li>ZUNIONSTORE and the other sorted-set commands of several keys: whole on their shard when
 *       they share one, else a {@link ZSetGather} from this shard (a {@link CrossCommand}, as the
 *       other commands of several keys on several shards);</li>
 *   <li>KEYS, SCAN, DBSIZE, FLUSHALL, INFO: a {@link FanOut} over the shards.</li>
 * </ul>
 *
 * <p>Replies keep the order of the commands: while any reply is outstanding, later replies — local
 * ones too — queue behind it as entries (source, index) and {@link #drain} moves the ready prefix to
 * the output, a little ahead of the writes. The output goes out in one write per read (several if it
 * is larger than a pool buffer). Under {@code appendfsync always}, output holding a reply to a local
 * write waits for the shard's log to sync it.
 *
 * <p>What the client has not read is bounded ({@code kv.client-output-buffer-limit},
 * {@code kv.output-pause}). The connection counts the replies it holds ({@link #replyBytes}: output,
 * writes in flight, ready entries). Above the high-water mark, or while commands of an earlier read
 * are out on other shards, parsing pauses and received buffers are held, which stops the receive (TCP
 * flow control); it resumes once those are back and it holds at most the low-water mark. At the hard
 * limit — reached by a local reply (which stops growing there), or on the owner of its keys, which
 * spends the connection's account in a {@link Batch} — or over the soft limit for too long, or when
 * it holds the most while its shard's connections together hold too much, it is closed with a log
 * line. Parsing also pauses while a shard's log is over its bound ({@link LogPressure}).
 *
 * <p>The partial command's array and argument table are charged to the shard's account of query
 * buffers: an array that would take it past {@code kv.query-buffers-per-shard} is not allocated, and
 * this connection gets {@code -OOM} and closes instead; the others go on.
 */
final class KvConnection extends SwapList.Member implements Receiver, WriteListener {
    private static final Logger log = LoggerFactory.getLogger(KvConnection.class);
    /** Output handed to writes not yet complete beyond which no more is handed; and how far ahead of them {@link #drain} fills it. */
    private static final int WRITING_MAX = 1 << 20;
    /** Queued replies beyond which parsing pauses. */
    private static final int PENDING_HIGH = 64 * 1024;
    private static final int INITIAL_OUTPUT = 512;
    /**
     * Output array kept between replies however little the last ones took: without it a reply of a few
     * KiB (LRANGE of 300 elements) grew the array from {@link #INITIAL_OUTPUT} and dropped it again, every
     * time (7.7 KB allocated and half as much copied per LRANGE of 300, 16 KB per LRANGE of 600).
     */
    private static final int RETAINED_OUTPUT = 16 * 1024;

    private final KvNode node;
    final KvShard home;
    private final Connection connection;
    private final BufferPool pool = BufferPool.current();
    private final ServerCommands server;
    /**
     * The link whose master's command stream this connection applies (Redis's master client: its commands are
     * obeyed whatever the replica refuses clients, its replies dropped); null for a client.
     */
    private final MasterLink master;
    /** MULTI, EXEC, WATCH: this connection's transaction state. */
    private final MultiState multi;
    final long id;
    long lastActiveNanos = System.nanoTime();
    /** CLIENT SETNAME's; volatile: the slow log of the shard that executes a command of it reads it. */
    volatile String name;
    /** The client's address, {@code ip:port}, as the slow log shows it (any shard's thread). */
    final String peer;
    boolean authenticated;
    /** The ACL user its commands are checked against: {@code default} until AUTH or HELLO AUTH names another. */
    AclUser user;

    /** A command cut by the end of a read: {@code input[inputStart, inputEnd)}. */
    private byte[] input;
    private int inputStart;
    private int inputEnd;
    /** The command being parsed, and how far its parse got when it is cut. */
    private final Request request = new Request();
    /** Bytes of {@link #input} and of the request's argument table charged to the shard's account. */
    private long queryBytes;

    private final ReplyWriter out;
    /** Bytes at the start of {@link #out} already handed to writes. */
    private int outSent;
    private long writingBytes;
    private int writesInFlight;

    /** The queue of replies not yet in the output: a ring of (source, index, dropped) entries. */
    private ReplySource[] sources = new ReplySource[0];
    private int[] indexes = new int[0];
    /** The entry's reply is dropped, not written: its command ran under CLIENT REPLY OFF or SKIP. */
    private boolean[] dropped = new boolean[0];
    private int pendingHead;
    private int pendingCount;
    /** The last batch arrival that told this connection (one drain per arrival). */
    long lastDelivery;
    /** Local replies of this read that wait behind another shard's. */
    private Batch deferred;
    /** The last {@link #localOut()} gave {@link #deferred}'s writer: {@link #localDone()} queues the reply. */
    private boolean deferredOpen;

    /** CLIENT REPLY: replies sent (ON), the next command's dropped (SKIP), or every reply dropped (OFF). */
    private enum ReplyMode { ON, SKIP, OFF }

    private ReplyMode replyMode = ReplyMode.ON;
    /** The command being dispatched has its reply dropped (CLIENT REPLY OFF, or SKIP before it). */
    private boolean silencing;

    private final KvSettings.OutputLimits limits;
    /** Bytes of the ready entries in the queue: replies back from other shards, or waiting behind them. */
    private long queuedBytes;
    /** Bytes of its commands in batches for other shards that are not back yet. */
    private long requestBytesOut;
    /** What {@link #replyBytes} was when last added to the shard's total. */
    private long reportedBytes;
    /** A reply, here or on another shard, reached the hard limit: the connection closes, its replies unsent. */
    private boolean hardLimitReached;
    private boolean overSoftLimit;
    private long overSoftSinceNanos;
    /** Per target shard: the batch generation and index of this connection's account in the batch filling there. */
    private long[] accountGenerations;
    private int[] accountIndexes;
    /** Accounts in batches not yet back; of them, those opened in {@link #fillingGeneration} (not yet sent). */
    private int accountsOut;
    private long fillingGeneration = -1;
    private int fillingAccounts;

    /**
     * {@link Transaction}s (EXEC, and commands across shards) and {@link BlockedClient}s started and not yet done: parsing
     * pauses meanwhile, so the next commands see them done.
     */
    private int waitsOut;
    /** WAITs out: they wait for replicas, not for a write of their own ({@link #settled}). */
    private int replicaWaitsOut;
    /** The blocking command waiting for its keys, told when the connection closes; null when none. */
    private BlockedClient blocked;
    /** SCRIPT DEBUG YES: the next EVAL starts a {@link LuaDebugger} session. */
    private boolean scriptDebug;
    /** The debugging session this connection's commands go to, or null. */
    private LuaDebugger debugging;
    /** The log position the output must wait for (appendfsync always). */
    private long syncNeeded;
    private long syncWaiting;
    private boolean inRead;
    /** Within {@link #parseHeld}'s loop: input delivered now is held, the loop takes it in turn. */
    private boolean parsing;
    /** Parsing paused with bytes left in {@link #input}: parse them when it resumes. */
    private boolean restWaits;
    private boolean paused;
    private ArrayDeque<Buffer> held;
    private boolean closing;
    private boolean peerEnded;
    private boolean closed;

    KvConnection(KvNode node, Connection connection) {
        this(node, connection, null);
    }

    /** The connection of {@code master}'s command stream (Redis's master client), when {@code master} is not null. */
    KvConnection(KvNode node, Connection connection, MasterLink master) {
        this.node = node;
        this.master = master;
        this.home = node.local();
        this.out = new ReplyWriter(INITIAL_OUTPUT, home.outputArrays);
        this.connection = connection;
        this.server = new ServerCommands(node, this);
        this.multi = new MultiState(node, this, server);
        this.id = node.nextClientId.incrementAndGet();
        this.user = node.acl.defaultUser();
        this.authenticated = master != null || user.rules.needsNoPassword(); // the master is obeyed: no AUTH, no pre-AUTH limits
        this.limits = node.settings.output();
        this.peer = ClientInfo.address(connection, true);
        home.connections.add(this);
        if (master != null) {
            node.connections.incrementAndGet(); // a client as the accepted ones: closeNow counts it out
        }
    }

    /** Whether it applies a master's command stream (CLIENT LIST's flag M; never closed for being idle). */
    boolean fromMaster() {
        return master != null;
    }

    // ---- input ----

    @Override
    public void onData(Connection from, Buffer data) {
        if (home.traffic.read(data.readableBytes(), master != null)) {
            home.startTrafficSampling();
        }
        if (closing || closed) {
            data.release();
            return;
        }
        lastActiveNanos = System.nanoTime();
        if (paused || parsing || (held != null && !held.isEmpty())) {
            // Parsing is not re-entered: releasing a buffer may make the connection deliver the next
            // one at once, from inside consume(); it waits in order behind the read being parsed and
            // behind what is held.
            if (held == null) {
                held = new ArrayDeque<>();
            }
            held.add(data);
            return;
        }
        parsing = true;
        consume(data);
        parseHeld();
    }

    /**
     * Parses what waits, in the order it arrived — the rest of a read that paused, then the held
     * buffers — until none is left or the output backs up again; then closes if the connection is done.
     */
    private void parseHeld() {
        while (!paused && !closed) {
            if (restWaits) {
                restWaits = false;
                process(input, inputStart, inputEnd);
            } else if (held != null && !held.isEmpty()) {
                Buffer next = held.poll();
                if (closing) {
                    next.release();
                } else {
                    consume(next);
                }
            } else {
                break;
            }
        }
        parsing = false;
        finishIfDone();
    }

    private void consume(Buffer data) {
        int n = data.readableBytes();
        byte[] bytes;
        int from;
        if (inputEnd == inputStart) {
            if (home.scratch.length < n) {
                home.scratch = new byte[Math.max(n, home.scratch.length * 2)];
            }
            bytes = home.scratch;
            from = 0;
        } else if (reserveInput(n)) {
            bytes = input;
            from = inputStart;
        } else {
            data.release(); // refused: the error is queued and the connection closes
            endOfRead();
            return;
        }
        int to = from + (inputEnd - inputStart) + n;
        data.readBytes(bytes, to - n, n);
        process(bytes, from, to);
        // Only now: a release may deliver the data the connection held back at once (onData from
        // within release()), which must come after these bytes and must not reuse the array meanwhile.
        data.release();
    }

    /**
     * Makes room for {@code n} more bytes after the partial command, moving it to the start; false when
     * the memory is refused (see {@link #allocateInput}).
     */
    private boolean reserveInput(int n) {
        int partial = inputEnd - inputStart;
        if (input.length - partial < n) {
            byte[] grown = allocateInput(grownCapacity(partial, n));
            if (grown == null) {
                return false;
            }
            System.arraycopy(input, inputStart, grown, 0, partial);
            input = grown;
        } else if (input.length - inputEnd < n) {
            System.arraycopy(input, inputStart, input, 0, partial);
        } else {
            return true;
        }
        inputStart = 0;
        inputEnd = partial;
        charge();
        return true;
    }

    /**
     * The next capacity for a partial command of {@code partial} bytes and {@code n} more: doubled (so
     * a command read in many pieces is copied a bounded number of times), but no further than the end
     * of the bulk string being read when the parser knows it (a 60 MB value takes 60 MB, not 128), nor
     * past {@code kv.client-query-buffer-limit}.
     */
    private long grownCapacity(int partial, int n) {
        long least = (long) partial + n;
        long target = 2L * input.length;
        if (request.needed > least) {
            target = Math.min(target, request.needed);
        }
        return Math.max(least, Math.min(target, node.settings.input().clientQueryBufferLimit()));
    }

    /**
     * A new array for the partial command, if the shard's query buffers have room for it beside what
     * this connection lets go; else null, after queueing {@code -OOM} (or the query-buffer error for an
     * array no JVM allocates) and marking the connection closing.
     */
    private byte[] allocateInput(long capacity) {
        if (capacity > ReplyWriter.MAX_CAPACITY) {
            refuseInput(home.parser.queryBufferError());
            return null;
        }
        long held = input == null ? 0 : input.length;
        if (home.queryBufferBytes - held + capacity > home.queryBufferBudget) {
            log.warn("shard {}: refusing {} bytes of query buffer to client {}: its shard's connections hold {}, "
                    + "kv.query-buffers-per-shard is {}", home.id, capacity, id, home.queryBufferBytes,
                    home.queryBufferBudget);
            refuseInput(overBudget());
            return null;
        }
        return new byte[(int) capacity];
    }

    /** The partial command is dropped with its memory; {@code error} goes out after the replies before it, then the close. */
    private void refuseInput(String error) {
        localOut().error(error);
        localDone();
        closing = true;
        input = null;
        inputStart = 0;
        inputEnd = 0;
        request.finish();
        charge();
    }

    /** The reply to a connection refused for its shard's query buffers, after Redis's OOM error. */
    private String overBudget() {
        return "OOM command not allowed when query buffers > 'kv.query-buffers-per-shard' (" + home.queryBufferBudget
                + " bytes)";
    }

    /** Brings the shard's account of query buffers up to what this connection holds now (nothing once closed). */
    private void charge() {
        long holds = closed ? 0 : (input == null ? 0 : input.length) + request.tableBytes();
        home.queryBufferBytes += holds - queryBytes;
        queryBytes = holds;
    }

    /** Parses and dispatches every complete command of {@code bytes[from, to)}, then sends. */
    private void process(byte[] bytes, int from, int to) {
        long now = System.currentTimeMillis();
        RespParser parser = home.parser;
        long heldBefore = queryBytes;
        int at = from;
        inRead = true;
        while (at < to && !closing) {
            if (backedUp()) {
                paused = true;
                break;
            }
            int next = parser.parse(bytes, at, to, request, !authenticated);
            if (next == RespParser.INCOMPLETE) {
                break;
            }
            if (next == RespParser.ERROR) {
                localOut().error(parser.error());
                localDone();
                closing = true;        // a protocol error ends this connection, after its replies
                at = to;
                break;
            }
            int length = next - at;
            if (master != null && master.holdsBefore(request)) {
                paused = true; // parsed again once the link releases it (MasterLink.release)
                break;
            }
            at = next;
            if (master != null && master.applying(request, bytes, next - length, length)) {
                if (master.ended()) { // the link refused the stream (another database than 0): nothing more applies
                    closing = true;
                    at = to;
                    break;
                }
                continue; // the link's own (REPLCONF GETACK): counted in the offset, not executed
            }
            if (request.count() > 0) {
                if (master == null && replica == null && node.pause.active()
                        && node.pause.holds(Command.lookup(request), request, multi.queuesWrites())) {
                    at -= length; // parsed again once the pause eases (KvShard.pauseEased)
                    holdForPause(true);
                    paused = true;
                    break;
                }
                holdForPause(false);
                home.commands++;
                dispatch(request, now);
            }
        }
        keepRest(bytes, at, to);
        if (queryBytes > heldBefore && home.queryBufferBytes > home.queryBufferBudget) {
            refuseInput(overBudget()); // this connection's argument table grew past the bound: charged once grown
        }
        inRead = false;
        endOfRead();
    }

    /** Counts this connection in blocked_clients while CLIENT PAUSE holds its command, as Redis counts it. */
    private void holdForPause(boolean held) {
        if (held != heldByPause) {
            heldByPause = held;
            if (held) {
                node.blockedClients.incrementAndGet();
            } else {
                node.blockedClients.decrementAndGet();
            }
        }
    }

    /** Keeps {@code bytes[at, to)}, the commands not parsed yet, in {@link #input}, and charges what it holds. */
    private void keepRest(byte[] bytes, int at, int to) {
        int rest = to - at;
        if (rest == 0) {
            inputStart = 0;
            inputEnd = 0;
            if (input != null && input.length > 64 * 1024) {
                input = null; // a large request passed: do not keep its memory
            }
            request.trim();
        } else if (bytes == input) {
            inputStart = at;
            inputEnd = to;
        } else {
            if (input == null || input.length < rest) {
                byte[] kept = allocateInput(Math.max(rest, 4096));
                if (kept == null) {
                    return;
                }
                input = kept;
            }
            System.arraycopy(bytes, at, input, 0, rest);
            inputStart = 0;
            inputEnd = rest;
        }
        charge();
    }

    private void endOfRead() {
        if (deferred != null) {
            deferred.release(); // its entries hold it from now on
            deferred = null;
        }
        Aof aof = home.aof;
        if (syncNeeded > syncWaiting && aof != null) {
            syncWaiting = syncNeeded;
            aof.whenSynced(syncNeeded, this::synced);
        }
        if (checkOutputLimits()) {
            return;
        }
        drain();
        flush();
        finishIfDone();
    }

    /**
     * Parsing must pause: the replies held plus the commands out on other shards are over the
     * high-water mark, the queue is over its length, commands of an earlier read are still out on
     * other shards, a {@link Transaction} runs (a key moved between shards, EXEC ...), a reply reached the hard
     * limit (the connection is about to close), or a shard's log is over its bound ({@link LogPressure}).
     */
    private boolean backedUp() {
        return replyBytes() + requestBytesOut > limits.highWater() || pendingCount > PENDING_HIGH || sentAccounts() > 0
                || waitsOut > 0 || hardLimitReached || node.logPressure.paused();
    }

    /** The replies this connection holds for its client: output not yet written, writes in flight, ready entries. */
    private long replyBytes() {
        return out.size() - outSent + writingBytes + queuedBytes;
    }

    /** The bytes of its query buffer (its partial command and argument table), as last charged to its shard. */
    long queryBufferBytes() {
        return queryBytes;
    }

    /** What it held when it last accounted to its shard (for the shard's choice of whom to close). */
    long heldReplyBytes() {
        return reportedBytes;
    }

    /** Its accounts in batches already sent to other shards and not yet back. */
    private int sentAccounts() {
        return accountsOut - (fillingGeneration == home.batches.generation() ? fillingAccounts : 0);
    }

    /**
     * Output drained, replies arrived or the logs drained: parse what was held back (at once, or by the
     * parse in progress) once the replies held are at most the low-water mark and nothing is out elsewhere.
     */
    void resumeIfPaused() {
        if (!paused || closed || replyBytes() + requestBytesOut > limits.lowWater() || pendingCount > PENDING_HIGH
                || sentAccounts() > 0 || waitsOut > 0 || node.logPressure.paused()) {
            return;
        }
        paused = false;
        restWaits = inputEnd > inputStart;
        if (!parsing) {
            parsing = true;
            parseHeld();
        }
    }

    // ---- dispatch ----

    /**
     * Dispatches one command. Under CLIENT REPLY OFF, or after CLIENT REPLY SKIP, its reply is dropped
     * wherever it is made — here, on another shard, or when a blocked command ends — since it is queued
     * as dropped in the order of the replies ({@link #push}).
     */
    private void dispatch(Request r, long now) {
        silencing = replyMode != ReplyMode.ON;
        if (replyMode == ReplyMode.SKIP) {
            replyMode = ReplyMode.ON;
        }
        try {
            dispatchUnsilenced(r, now);
        } finally {
            silencing = false;
        }
    }

    /**
     * CLIENT REPLY ON|OFF|SKIP, as Redis 7.0: ON answers OK (its own reply is sent, whatever the mode was);
     * OFF and SKIP answer nothing; SKIP under OFF does nothing.
     */
    void replyMode(String mode, ReplyWriter out) {
        switch (mode.toLowerCase(Locale.ROOT)) {
            case "on" -> {
                replyMode = ReplyMode.ON;
                silencing = false;
                out.ok();
            }
            case "off" -> {
                replyMode = ReplyMode.OFF;
                silencing = true;
            }
            case "skip" -> {
                if (replyMode != ReplyMode.OFF) {
                    replyMode = ReplyMode.SKIP;
                }
            }
            default -> out.error("ERR syntax error");
        }
    }

    private void dispatchUnsilenced(Request r, long now) {
        if (debugging != null) {
            if (!debugging.offer(r)) { // the debugger's prompt: step, print, ...
                debugging.cancel();
                debugging = null;
                closing = true; // parses nothing more; closes once its replies are out
            }
            return;
        }
        Command command = Command.lookup(r);
        if (command == null) {
            multi.refused();
            localOut().error(unknownCommand(r));
            localDone();
            return;
        }
        int slot = CommandStats.slot(command, r); // INFO commandstats' row: the command, or its subcommand
        if (!command.arityOk(r.count()) || command.pairsIncomplete(r.count())) {
            multi.refused();
            reject(slot, wrongArity(command.lowerName));
            return;
        }
        if (master == null && !authenticated && command != Command.AUTH && command != Command.HELLO && command != Command.QUIT
                && command != Command.RESET) {
            reject(slot, "NOAUTH Authentication required.");
            return;
        }
        // The refusals in Redis 7.0's processCommand order: NOAUTH, no_multi, NOPERM, (OOM, where the key's
        // shard executes), MISCONF, NOREPLICAS, READONLY, the RESP2 subscriber's context, MASTERDOWN, a monitor's keyspace.
        if (command.noMulti && multi.queues(command)) {
            multi.refused();   // as Redis (SHUTDOWN): refused, counted as rejected, and EXEC aborts
            reject(slot, "ERR Command not allowed inside a transaction");
            return;
        }
        AclRules rules = user.rules; // volatile: SETUSER on any shard is seen here at the next command
        if (master == null && !rules.unrestricted && !permitted(rules, command, r, slot)) {
            return;
        }
        String refusal = master != null ? null // the master's link: applied as it comes
                : misconf(command) ? node.rdb.writeRefusal // after a failed save, as Redis's processCommand: writes and PING, EXEC then aborts
                : command.writes ? writeRefusal() // NOREPLICAS, READONLY
                : null;
        if (refusal != null) {
            multi.refused(); // as Redis: refused, counted as rejected, and EXEC aborts
            reject(slot, refusal);
            return;
        }
        lastCommand = command;
        lastCommandSlot = slot;
        if (replica != null) {
            replica.command(command, r); // a replica gets no reply, as in Redis
            localDone();
            return;
        }
        if (subscribedResp2() && !PubSubCommands.allowedWhileSubscribed(command)) {
            reject(slot, PubSubCommands.notAllowed(command));
            return;
        }
        String stale = master != null ? null : node.replica.staleRefusal(command);
        if (stale != null) {
            multi.refused();
            reject(slot, stale);
            return;
        }
        if (monitoring && (command.writes || command.reads)) {
            reject(slot, "ERR Replica can't interact with the keyspace"); // Redis's words: a monitor is a replica there
            return;
        }
        if (!multi.queues(command) && slot >= 0) {
            home.calls[slot]++;
        }
        // MONITOR's feed, as Redis 7.0 shows commands: once dispatched (EXEC after the queued commands
        // it shows), not administration, not queued or refused ones.
        boolean monitored = home.monitors.any() && !command.admin && !multi.queues(command);
        ErrorStats errors = home.errors();
        int outer = errors.begin(slot); // an error answered here, at once, fails the call
        // The commands answered here whole are timed here for the slow log; keyed ones where they execute.
        boolean timed = (command.kind == Command.Kind.CONNECTION || command.kind == Command.Kind.SERVER)
                && command != Command.EXEC     // Redis's skip_slowlog: its commands are timed where they execute
                && command != Command.SLOWLOG; // its GET, answered after the shards' parts, would list itself
        long started = timed ? System.nanoTime() : 0;
        try {
            dispatchCounted(command, r, now);
        } finally {
            errors.end(outer);
        }
        if (tracking != null) {
            tracking.commandDone(command, r, command == Command.MULTI || multi.queues(command)); // MULTI keeps CACHING for EXEC
        }
        if (monitored) {
            home.monitors.feed(this, r);
        }
        if (timed) {
            long took = System.nanoTime() - started;
            home.latency.recordCall(command, slot, took, node.latency);
            KvSettings.SlowLogLimits slowLimits = node.settings.slowLog();
            if (SlowLog.slow(took, slowLimits)) {
                home.slowLog.add(node, r, took, this, slowLimits);
            }
        }
    }

    /**
     * Whether the connection answers MISCONF to {@code command} after a failed save: writes and PING, as Redis.
     * A keyed write that may add memory is left to its key's shard ({@link KvShard#execute}), which refuses it
     * with MISCONF too but after OOM when the shard is over its memory, as Redis checks OOM first — when no
     * refusal the connection checks after MISCONF applies: outside MULTI, not a replica (which ignores
     * maxmemory, as Redis's), not a RESP2 subscriber, not a monitor.
     */
    private boolean misconf(Command command) {
        if (!(command.writes || command == Command.PING) || node.rdb.writeRefusal == null) {
            return false;
        }
        boolean shardDecides = command.kind == Command.Kind.KEY && command.denyOom && !multi.queues(command)
                && !node.replica.isReplica() && !subscribedResp2() && !monitoring;
        return !shardDecides;
    }

    /**
     * The ACL check of a user without every permission: false, after Redis's NOPERM error and an ACL LOG
     * entry, when it may not run {@code command} with these keys or channels; inside MULTI it then fails
     * the transaction, as Redis checks when queueing.
     */
    private boolean permitted(AclRules rules, Command command, Request r, int slot) {
        long refused = rules.check(command, r);
        if (refused == AclSelector.OK) {
            return true;
        }
        multi.refused();
        int reason = (int) (refused >>> 32);
        reject(slot, AclCommands.refusal(node, this, reason, (int) refused, command, r, aclContext()));
        return false;
    }

    /** Refused before it runs: Redis counts it in {@code rejected_calls}, not {@code calls}. */
    private void reject(int slot, String error) {
        home.errors().rejected(slot);
        localOut().error(error);
        localDone();
    }

    private void dispatchCounted(Command command, Request r, long now) {
        if (multi.handles(command)) {
            pushOrDone(multi.handle(command, r, localOut()));
            return;
        }
        if (command == Command.SCRIPT && r.count() == 3 && r.string(1).equalsIgnoreCase("debug")) {
            scriptDebug(r);
            return;
        }
        if (scriptDebug && (command == Command.EVAL || command == Command.EVAL_RO || command == Command.EVALSHA
                || command == Command.EVALSHA_RO) && debugEval(command, r)) {
            return;
        }
        switch (command.kind) {
            case KEY, ONE_SHARD -> {
                if (command == Command.XREADGROUP && StreamGroupRead.handles(r, node.shardCount())) {
                    take(command, r); // XREADGROUP BLOCK (may wait, as XREAD does) or across shards
                    return;
                }
                if (command == Command.MEMORY && ServerCommands.isMemoryStats(r)) {
                    pushOrDone(server.memoryStats(r, localOut())); // no key: every shard's figures
                    return;
                }
                int owner = owner(command, r);
                if (owner == CROSS_SHARD && CrossCommand.handles(command)) {
                    pushOrDone(CrossCommand.start(node, this, command, r, localOut())); // null: answered at once
                } else if (owner == CROSS_SHARD) { // a command added without a way across shards yet
                    localOut().error("CROSSSHARD Keys in request are owned by different shards: " + command.name()
                            + " across shards is not supported (see docs/kv.md)");
                    localDone();
                } else if (owner == home.id && home.locks.active() && home.locks.blocks(command, r)) {
                    asTransaction(command, r); // its key is locked: it waits its turn
                } else if (owner == home.id) {
                    executeLocal(command, r, now);
                } else {
                    sendToOwner(owner, r);
                }
            }
            case MULTI_KEY -> multiKey(command, r, now);
            case TAKES -> take(command, r);
            case GATHER -> gather(command, r, now);
            case ALL_SHARDS -> {
                ReplySource fanOut = server.allShards(command, r, localOut());
                if (fanOut != null) {
                    push(fanOut, 0);
                } else {
                    localDone(); // answered at once (a syntax error)
                }
            }
            case CONNECTION -> {
                server.connectionCommand(command, r, localOut());
                localDone();
            }
            case SERVER -> {
                if (admin == null) {
                    admin = new AdminCommands(node, this, server);
                }
                ReplySource pending = admin.execute(command, r, localOut());
                if (pending != null) {
                    push(pending, 0);
                } else {
                    localDone(); // answered at once
                }
                if (command == Command.FUNCTION) {
                    waitForLocalSync(); // FUNCTION LOAD, DELETE, FLUSH logged their libraries here (appendfsync always)
                }
            }
        }
    }

    private static final int CROSS_SHARD = -1;

    // ---- the Lua debugger (LuaDebugger) ----

    /** SCRIPT DEBUG YES|SYNC|NO outside MULTI (inside, ScriptCommands refuses it as Redis does). */
    private void scriptDebug(Request r) {
        String mode = r.string(2).toLowerCase(java.util.Locale.ROOT);
        switch (mode) {
            case "no" -> {
                scriptDebug = false;
                localOut().ok();
            }
            case "yes" -> {
                scriptDebug = true;
                localOut().ok();
            }
            case "sync" -> localOut().error("ERR SCRIPT DEBUG SYNC is not supported by this server: a shard never"
                    + " waits for a debugging client; use SCRIPT DEBUG YES (the script runs on a copy of its keys,"
                    + " its changes are rolled back; see docs/kv.md)");
            default -> localOut().error("ERR Use SCRIPT DEBUG YES/SYNC/NO");
        }
        localDone();
    }

    /**
     * An EVAL in debug mode starts a session on a copy of its keys: true; false for what answers as
     * without the debugger (keys on several shards).
     */
    private boolean debugEval(Command command, Request r) {
        if (command == Command.EVALSHA || command == Command.EVALSHA_RO) {
            localOut().error(r.length(1) != 40 ? "NOSCRIPT No matching script. Please use EVAL."
                    : "ERR Please use EVAL instead of EVALSHA for debugging");
            localDone();
            return true;
        }
        int owner = owner(command, r);
        if (owner == CROSS_SHARD) {
            return false;
        }
        debugging = new LuaDebugger(node, this, home.id, owner, command, r, out.resp3());
        log.info("client id={}: Lua debugging session started", id);
        debugging.start();
        return true;
    }

    /**
     * What the debugging session answers (one reply); after the {@code last}, the EVAL's, the
     * connection closes as Redis closes it. On this connection's shard, in the order the session sent them.
     */
    void debugOutput(LuaDebugger session, byte[] bytes, boolean last) {
        if (closed || session != debugging) {
            return;
        }
        PendingReply reply = new PendingReply(this, out.resp3()) { };
        reply.reply.raw(bytes, 0, bytes.length);
        push(reply, 0);
        if (last) {
            debugging = null;
            scriptDebug = false;
            closing = true;
            log.info("client id={}: Lua debugging session ended", id);
        }
        reply.complete();
    }

    /** A {@link ListPop}, {@link ZSetPop}, {@link StreamRead} or {@link StreamGroupRead}: queued as the pending reply, then started; answered at once when its arguments are refused. */
    private void take(Command command, Request r) {
        BlockedClient pop = command == Command.BZPOPMIN || command == Command.BZPOPMAX || command == Command.BZMPOP
                ? ZSetPop.parse(node, this, localOut(), command, r)
                : command == Command.XREAD ? StreamRead.parse(node, this, localOut(), r)
                : command == Command.XREADGROUP ? StreamGroupRead.parse(node, this, localOut(), r)
                : ListPop.parse(node, this, localOut(), command, r);
        if (pop == null) {
            localDone();
        } else {
            push(pop, 0);
            pop.begin();
        }
    }

    /**
     * The shard that owns the keys of a KEY or ONE_SHARD command; this one when it has none (OBJECT
     * HELP); {@link #CROSS_SHARD} when they are owned by more than one.
     */
    private int owner(Command command, Request r) {
        int shards = node.shardCount();
        if (command.kind == Command.Kind.KEY) {
            if (command == Command.SORT && SortCommand.AcrossShards.storesAcross(node, r)) {
                return CROSS_SHARD; // STORE into another shard's key
            }
            int at = command.keyIndex(r.count());
            return at < 0 ? home.id : KeySlots.owner(r.bytes, r.offset(at), r.length(at), shards);
        }
        int step = command == Command.MSETNX ? 2 : 1;
        int first = command.oneShardFirstKey(r);
        int last = command.oneShardLastKey(r);
        if (last < first) {
            return home.id; // no key (SINTERCARD's numkeys is wrong): the error is answered here
        }
        int owner = KeySlots.owner(r.bytes, r.offset(first), r.length(first), shards);
        for (int i = first + step; i <= last; i += step) {
            if (KeySlots.owner(r.bytes, r.offset(i), r.length(i), shards) != owner) {
                return CROSS_SHARD;
            }
        }
        return owner;
    }

    /**
     * ZUNIONSTORE and the other sorted-set commands of several keys: whole on the shard of their
     * keys when they share one (here, or forwarded), else a {@link ZSetGather} from here. A command
     * whose numkeys is not valid runs here and answers its error.
     */
    private void gather(Command command, Request r, long now) {
        int[] keys = ZSetAlgebra.keys(command, r, null);
        int shards = node.shardCount();
        int owner = home.id;
        for (int k = 0; keys != null && k < keys.length; k++) {
            int at = keys[k];
            int o = KeySlots.owner(r.bytes, r.offset(at), r.length(at), shards);
            owner = k == 0 ? o : o == owner ? owner : CROSS_SHARD;
        }
        if (owner == home.id && home.locks.active() && home.locks.blocks(command, r)) {
            asTransaction(command, r); // a key is locked: it waits its turn
        } else if (owner == home.id) {
            executeLocal(command, r, now);
        } else if (owner != CROSS_SHARD) {
            sendToOwner(owner, r);
        } else {
            pushOrDone(CrossCommand.start(node, this, command, r, localOut())); // null: answered at once (an argument error)
        }
    }

    /**
     * MGET, MSET, DEL, UNLINK, EXISTS, TOUCH: whole on the shard that owns every key (inline here, else
     * in its batch); keys on several shards make a {@link Transaction}, which no other command sees
     * half done.
     */
    private void multiKey(Command command, Request r, long now) {
        int step = command == Command.MSET ? 2 : 1;
        int shards = node.shardCount();
        int owner = KeySlots.owner(r.bytes, r.offset(1), r.length(1), shards);
        for (int i = 1 + step; i < r.count(); i += step) {
            if (KeySlots.owner(r.bytes, r.offset(i), r.length(i), shards) != owner) {
                asTransaction(command, r);
                return;
            }
        }
        if (owner != home.id) {
            sendToOwner(owner, r);
        } else if (home.locks.active() && home.locks.blocks(command, r)) {
            asTransaction(command, r);
        } else {
            executeLocal(command, r, now);
        }
    }

    /** Queues {@code r} whole in this iteration's batch for shard {@code owner}. */
    private void sendToOwner(int owner, Request r) {
        Batch batch = home.batches.filling(owner);
        batch.commands.arrayHeader(r.count());
        for (int i = 0; i < r.count(); i++) {
            batch.commands.bulk(r.bytes, r.offset(i), r.length(i));
        }
        pushRemote(batch, owner);
    }

    // ---- transactions (MultiState, Transaction, CrossShard) ----

    /** Runs {@code r} as a {@link Transaction} of one command: its keys are on several shards, or locked here. */
    private void asTransaction(Command command, Request r) {
        TxCommands commands = new TxCommands(node, server);
        commands.add(command, r);
        push(commands.start(this, out.resp3(), false, () -> { }), 0);
    }

    /** Queues {@code pending}, or, when null (answered at once with {@link #localOut()}), ends that reply. */
    private void pushOrDone(ReplySource pending) {
        if (pending != null) {
            push(pending, 0);
        } else {
            localDone();
        }
    }

    /** Executes a command on keys this shard owns; its reply may take what is left under the hard limit. */
    private void executeLocal(Command command, Request r, long now) {
        ReplyWriter writer = localOut();
        writer.limitTo(limits.hardLimit() - replyBytes());
        home.executingFor = this;
        home.tracking.reader = tracksRead(command) ? this : null;
        home.execute(command, r, writer, now);
        home.executingFor = null;
        hardLimitReached |= writer.full();
        localDone();
        waitForLocalSync();
    }

    /**
     * Queues the command just written into {@code batch} (for shard {@code owner}). The first of this
     * connection's commands in the batch opens its account there: what its replies may take before the
     * hard limit, given what it holds now.
     */
    private void pushRemote(Batch batch, int owner) {
        long generation = home.batches.generation();
        if (accountGenerations == null) {
            accountGenerations = new long[node.shardCount()];
            Arrays.fill(accountGenerations, -1);
            accountIndexes = new int[node.shardCount()];
        }
        int index;
        if (accountGenerations[owner] == generation) {
            index = batch.add(this, out.resp3(), accountIndexes[owner], 0);
        } else {
            index = batch.add(this, out.resp3(), -1, Math.max(1, limits.hardLimit() - replyBytes()));
            accountGenerations[owner] = generation;
            accountIndexes[owner] = index;
            if (fillingGeneration != generation) {
                fillingGeneration = generation;
                fillingAccounts = 0;
            }
            fillingAccounts++;
            accountsOut++;
        }
        requestBytesOut += batch.commandSize(index);
        if (tracksRead(lastCommand)) {
            batch.tracked(index);
        }
        push(batch, index);
    }

    /**
     * Under {@code appendfsync always}, the output waits until the shard's log is synced up to here:
     * a write's acknowledgement, and a read that may show a write not yet on the device.
     */
    private void waitForLocalSync() {
        if (home.aof != null && home.aof.syncsEachWrite()) {
            syncNeeded = Math.max(syncNeeded, home.aof.syncPoint()); // lower while the log fails: keep earlier writes' wait
        }
    }

    /** Where the next local reply goes: the output, or behind the replies still outstanding. */
    private ReplyWriter localOut() {
        // A reply to be dropped is queued as well, so that one from another shard queued meanwhile cannot
        // end up in the output before the mode's next change.
        deferredOpen = pendingCount > 0 || silencing;
        if (!deferredOpen) {
            return out;
        }
        if (deferred == null) {
            deferred = home.batches.local(out.resp3());
        }
        return deferred.replies;
    }

    /** Ends a reply begun with {@link #localOut()}: queues it if it went behind others (or is dropped). */
    private void localDone() {
        localDone(silencing);
    }

    private void localDone(boolean drop) {
        if (deferredOpen || pendingCount > 0) {
            deferredOpen = false;
            int index = deferred.endReply();
            queuedBytes += deferred.size(index);
            push(deferred, index, drop);
        }
    }

    /** A write's refusal after MISCONF, in Redis's order: NOREPLICAS (min-replicas-to-write), then READONLY; null: none. */
    private String writeRefusal() {
        String noReplicas = MinReplicas.refusal(node);
        return noReplicas != null ? noReplicas : node.replica.writeRefusal();
    }

    static String unknownCommand(Request r) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < r.count() && args.length() < 128; i++) {
            String arg = r.string(i);
            args.append('\'').append(arg, 0, Math.min(arg.length(), 128 - args.length())).append("' ");
        }
        String name = r.string(0);
        return "ERR unknown command '" + name.substring(0, Math.min(name.length(), 128))
                + "', with args beginning with: " + args;
    }

    static String wrongArity(String name) {
        return "ERR wrong number of arguments for '" + name + "' command";
    }

    // ---- replies in order ----

    private void push(ReplySource source, int index) {
        push(source, index, silencing);
    }

    /** Queues a reply; {@code drop}: it is released when its turn comes, not written. */
    private void push(ReplySource source, int index, boolean drop) {
        if (closed) {
            source.release(); // nobody will read it
            return;
        }
        if (pendingCount == sources.length) {
            int capacity = Math.max(16, sources.length * 2);
            ReplySource[] s = new ReplySource[capacity];
            int[] ix = new int[capacity];
            boolean[] d = new boolean[capacity];
            for (int i = 0; i < pendingCount; i++) {
                int at = (pendingHead + i) & (sources.length - 1);
                s[i] = sources[at];
                ix[i] = indexes[at];
                d[i] = dropped[at];
            }
            sources = s;
            indexes = ix;
            dropped = d;
            pendingHead = 0;
        }
        int at = (pendingHead + pendingCount) & (sources.length - 1);
        sources[at] = source;
        indexes[at] = index;
        dropped[at] = drop;
        pendingCount++;
    }

    /** One of its entries became ready with a reply of {@code bytes}, which it now holds. */
    void replyArrived(int bytes) {
        if (!closed) {
            queuedBytes += bytes;
        }
    }

    /** One of its commands of {@code requestBytes} is back from another shard with its reply. */
    void remoteReplyArrived(int requestBytes, int replyBytes) {
        requestBytesOut -= requestBytes;
        replyArrived(replyBytes);
    }

    /** A WAIT of this connection waits for replicas' acknowledgements (ReplicationCommands), on its shard. */
    void replicasAwaited() {
        replicaWaitsOut++;
    }

    /** That WAIT is answered (its reply follows). */
    void replicasAnswered() {
        replicaWaitsOut--;
    }

    /** A {@link Transaction} of this connection is under way. */
    void waitStarted() {
        waitsOut++;
    }

    /** A {@link Transaction} of this connection is done (its reply follows). */
    void waitDone() {
        waitsOut--;
    }

    /** A {@link BlockedClient} of this connection started: like a move, nothing more is parsed until it is done. */
    void blockStarted(BlockedClient client) {
        blocked = client;
        waitsOut++;
    }

    /** CLIENT UNBLOCK of this connection, on its shard: true when a blocking command of it was waiting and ended. */
    boolean unblock(boolean error) {
        return blocked != null && blocked.unblockedByClient(error);
    }

    /**
     * This server became a replica: a blocking command still waiting ends with Redis's {@code -UNBLOCKED} error (its
     * disconnectAllBlockedClients), so that no element the new master's stream pushes is taken by it.
     */
    void unblockAsReplica() {
        if (blocked != null) {
            blocked.unblocked("UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)");
        }
    }

    /** The {@link BlockedClient} is answered (its reply follows). */
    void blockDone(BlockedClient client) {
        if (blocked == client) {
            blocked = null;
        }
        waitsOut--;
    }

    /** Its account in a batch is back; {@code limitReached}: the owner stopped at the hard limit. */
    void accountBack(boolean limitReached) {
        accountsOut--;
        hardLimitReached |= limitReached;
    }

    /** A batch or fan-out this connection waits for has its replies. */
    void repliesArrived() {
        if (closed || inRead) {
            return; // the end of the read drains
        }
        if (checkOutputLimits()) {
            return;
        }
        drain();
        flush();
        resumeIfPaused();
        finishIfDone();
    }

    /**
     * Moves the replies at the head of the queue that are ready into the output, until it holds
     * {@link #WRITING_MAX} not yet handed to writes: the rest stay in their batches meanwhile, not copied
     * twice. One the output cannot hold (more than a Java array) is answered with an error instead.
     */
    private void drain() {
        int mask = sources.length - 1;
        while (pendingCount > 0 && out.size() - outSent < WRITING_MAX) {
            ReplySource source = sources[pendingHead];
            int index = indexes[pendingHead];
            if (!source.ready()) {
                return;
            }
            int mark = out.size();
            try {
                if (!dropped[pendingHead]) {
                    source.writeReply(index, out);
                }
            } catch (ReplyWriter.TooLarge e) {
                out.truncate(mark);
                out.error(e.getMessage());
            }
            queuedBytes -= source.size(index);
            source.release();
            sources[pendingHead] = null;
            pendingHead = (pendingHead + 1) & mask;
            pendingCount--;
        }
    }

    // ---- output ----

    private void synced() {
        flush();
        finishIfDone();
    }

    /** Hands the output to writes, up to {@link #WRITING_MAX} in flight. */
    private void flush() {
        if (closed || out.size() == outSent) {
            return;
        }
        if (master != null) { // the master reads no reply: they are dropped, as Redis drops its master client's
            out.clear();
            outSent = 0;
            return;
        }
        Aof aof = home.aof;
        if (syncNeeded > 0 && aof != null && syncNeeded > aof.synced()) {
            return; // synced() flushes
        }
        while (outSent < out.size() && writingBytes < WRITING_MAX) {
            int n = Math.min(out.size() - outSent, pool.maxBufferSize());
            Buffer buffer = pool.acquire(n).writeBytes(out.bytes(), outSent, n);
            outSent += n;
            writingBytes += n;
            writesInFlight++;
            connection.writeAll(buffer, this);
        }
        if (outSent == out.size()) {
            int sent = out.size();
            out.clear();
            out.trimAfter(sent, INITIAL_OUTPUT, RETAINED_OUTPUT, WRITING_MAX);
            outSent = 0;
        } else if (outSent > out.size() / 2) {
            out.consume(outSent);
            outSent = 0;
        }
    }

    /**
     * Writes {@code buffer} (a replica's RDB file, read into it) behind the output already handed to writes; the
     * write owns it until its completion, which releases it. False, the buffer untouched, while output not yet
     * handed must go before it, or the connection is closed.
     */
    boolean writeOwned(Buffer buffer) {
        flush();
        if (closed || out.size() != outSent) {
            return false;
        }
        int n = buffer.readableBytes();
        writingBytes += n;
        writesInFlight++;
        connection.writeAll(buffer, this);
        return true;
    }

    /** The pool of its shard, whose buffers its writes take. */
    BufferPool pool() {
        return pool;
    }

    /** A write of {@link #flush} or {@link #writeOwned} ended. */
    @Override
    public void writeDone(Buffer buffer, int bytes, Throwable failure) {
        buffer.release();
        writesInFlight--;
        writingBytes -= bytes;
        home.traffic.written(bytes, replica != null);
        if (failure != null) {
            closeNow(); // the peer reset, or stopped reading past the write backlog
        } else {
            written();
        }
    }

    private void written() {
        if (checkOutputLimits()) {
            return;
        }
        drain();
        if (replica != null) {
            replica.written(); // more of its RDB file
        }
        flush();
        resumeIfPaused();
        finishIfDone();
    }

    /**
     * Accounts what it holds to its shard, then closes it if a reply reached the hard limit, if it has
     * held more than the soft limit for longer than its seconds (Redis's rule: the clock starts when it
     * is first seen over, and stops when it is seen under), or if it holds the most while its shard's
     * connections hold more than their total; true if closed. After each read, arrival and write, and
     * once a second (a paused connection sees none of those).
     */
    boolean checkOutputLimits() {
        if (closed) {
            return true;
        }
        long bytes = replyBytes();
        home.replyBytesChanged(bytes - reportedBytes);
        reportedBytes = bytes;
        // A connection with subscriptions is of Redis's pubsub class: its own limits.
        boolean subscriber = subscribed();
        KvSettings.PubSubLimits pubsub = node.settings.pubsubOutput();
        long hard = subscriber ? pubsub.hardOr(limits.hardLimit()) : limits.hardLimit();
        long soft = subscriber ? pubsub.soft() : limits.softLimit();
        int softSeconds = subscriber ? pubsub.softSeconds() : limits.softSeconds();
        String key = subscriber ? "kv.client-output-buffer-limit-pubsub" : "kv.client-output-buffer-limit";
        if (hardLimitReached || bytes >= hard) {
            closeForOutput(bytes + " bytes of replies not read reached the hard limit (" + key + ".hard = " + hard + ")");
            return true;
        }
        if (soft > 0 && bytes >= soft) {
            long now = System.nanoTime();
            if (!overSoftLimit) {
                overSoftLimit = true;
                overSoftSinceNanos = now;
            } else if (now - overSoftSinceNanos > softSeconds * 1_000_000_000L) {
                closeForOutput(bytes + " bytes of replies not read, over the soft limit (" + key + ".soft = "
                        + soft + ") for more than " + softSeconds + " s");
                return true;
            }
        } else {
            overSoftLimit = false;
        }
        home.closeLargestHolders();
        return closed;
    }

    /** Its shard's connections hold {@code total} bytes of replies, over {@code limit}, and it holds the most. */
    void closeOverShardTotal(long total, long limit) {
        closeForOutput(reportedBytes + " bytes of replies not read, the most of the " + total
                + " this shard's clients hold (kv.client-output-buffer-limit.shard-total = " + limit + ")");
    }

    private void closeForOutput(String why) {
        node.outputLimitDisconnections.incrementAndGet();
        log.warn("closing client id={} addr={} name={}: {}", id, peer(), name == null ? "" : name, why);
        closeNow();
    }

    /** The address this connection came in on; null when the socket is already gone (getsockname fails). */
    SocketAddress localAddress() {
        try {
            return connection.localAddress();
        } catch (IoException e) {
            return null;
        }
    }

    /** The client's address; null when the socket is already gone (getpeername fails). */
    SocketAddress peerAddress() {
        try {
            return connection.remoteAddress();
        } catch (IoException e) {
            return null;
        }
    }

    /** The replies it holds for its client, not yet written (a replica's link bounds them). */
    long outputBytes() {
        return replyBytes();
    }

    KvNode node() {
        return node;
    }

    /** Set once it became a replica (PSYNC, SYNC): it gets the replication stream and no replies. */
    ReplicaLink replica;

    private ReplicaLink handshake;

    /** The replica it is becoming: what its REPLCONFs said, before its PSYNC or SYNC. */
    ReplicaLink handshake() {
        if (handshake == null) {
            handshake = new ReplicaLink(this, home.id);
        }
        return handshake;
    }

    /** Whether it is a replica's connection (CLIENT LIST's flag S). */
    boolean isReplica() {
        return replica != null;
    }

    /** The port this connection came in on (the server's, or its shard's own), -1 when unknown. */
    int localPort() {
        return localAddress() instanceof java.net.InetSocketAddress inet ? inet.getPort() : -1;
    }

        /** The client's address, for a log line; "?" when the peer is already gone (getpeername fails). */
    private String peer() {
        try {
            return String.valueOf(connection.remoteAddress());
        } catch (IoException e) {
            return "?";
        }
    }

    /** After QUIT, a protocol error or the peer's end: close once every reply is out. */
    private void finishIfDone() {
        if (parsing) {
            return; // parseHeld() ends with this check, after the input it still holds
        }
        if ((closing || peerEnded) && !closed && pendingCount == 0 && out.size() == outSent && writesInFlight == 0
                && (held == null || held.isEmpty() || closing)) {
            closeNow();
        }
    }

    /** HELLO 3 or HELLO 2: the protocol of the replies to the commands that follow. */
    void protocol(boolean resp3) {
        out.resp3(resp3);
        if (deferred != null) {
            deferred.replies.resp3(resp3);
        }
    }

    /** QUIT: close after the replies so far. */
    void closeAfterReplies() {
        closing = true;
    }

    @Override
    public void onEnd(Connection from, Throwable failure) {
        if (failure != null || blocked != null || heldByPause) {
            closeNow(); // a blocked client (or one CLIENT PAUSE holds) is freed at the peer's end, as Redis does: it takes no element meanwhile
        } else {
            peerEnded = true;
            finishIfDone();
        }
    }

    /** Lets go of the replies still queued, so their batches return to the pool. */
    private void dropPending() {
        int mask = sources.length - 1;
        for (; pendingCount > 0; pendingCount--) {
            sources[pendingHead].release();
            sources[pendingHead] = null;
            pendingHead = (pendingHead + 1) & mask;
        }
    }

    /** Whether nothing it dispatched is still out (on this shard or others): every command it sent has run. */
    boolean quiet() {
        return pendingCount == 0 && sentAccounts() == 0 && waitsOut == 0;
    }

    /**
     * Whether no write of a command it dispatched is still to be made: every command has run, or what remains waits
     * for others — a blocked pop, or a WAIT with no command of its own out on another shard or in a transaction; a
     * replica's connection and a master's link make no client write ({@link StreamBarrier}).
     */
    boolean settled() {
        return fromMaster() || isReplica() || blocked != null || quiet()
                || replicaWaitsOut > 0 && sentAccounts() == 0 && waitsOut == 0;
    }

    /** Whether its parsing stopped with input left (back-pressure, a pause, its master link's hold). */
    boolean parsingPaused() {
        return paused;
    }

    /** Closes at once: the idle timeout passed, a write failed, or the server stops. */
    void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        holdForPause(false);
        if (debugging != null) {
            debugging.cancel(); // the script unwinds and its thread ends
            debugging = null;
        }
        if (replica != null) {
            replica.connectionClosed();
        }
        if (blocked != null) {
            blocked.connectionClosed(); // a result already on its way goes back to its list
            blocked = null;
        }
        multi.closed();
        home.tracking.closed(this);
        if (monitoring) {
            home.monitors.remove(this);
        }
        if (subscriptions != null) {
            home.pubsub.unsubscribeAll(this);
            home.shardPubSub.unsubscribeAll(this);
        }
        input = null;
        charge();
        connection.close();
        node.connections.decrementAndGet();
        home.connections.remove(this);
        dropPending();
        if (held != null) {
            held.forEach(Buffer::release);
            held.clear();
        }
        // Batches still out keep this object until they are home: let go of its replies and array now.
        out.release();
        outSent = 0;
        queuedBytes = 0;
        home.replyBytesChanged(-reportedBytes);
        reportedBytes = 0;
    }

    // ---- pub/sub and administration (PubSub, PubSubCommands, AdminCommands) ----

    /** CLIENT TRACKING's state; null while it never tracked or turned it off. */
    ClientTracking tracking;

    /** Whether {@code command}, dispatched now, is a read whose keys its client-side caching remembers. */
    boolean tracksRead(Command command) {
        return tracking != null && command.reads && !command.writes && tracking.tracksReads();
    }

    /** Made at its first pub/sub or administration command. */
    private AdminCommands admin;
    /** After MONITOR (until RESET): it receives the feed and may run no command that touches a key. */
    private boolean monitoring;
    /** Its subscriptions; null until it first (un)subscribes. */
    private PubSub.Subscriptions subscriptions;
    /** In its shard's list of subscribers whose output took messages this loop iteration ({@link PubSub}). */
    boolean pushQueued;
    final long createdNanos = System.nanoTime();
    /** The last command it sent, and its INFO commandstats row (-1: none), for CLIENT LIST's {@code cmd=client|list}. */
    Command lastCommand;
    int lastCommandSlot = -1;
    /** A command of it waits for CLIENT PAUSE to ease (counted in blocked_clients). */
    private boolean heldByPause;
    /** CLIENT NO-EVICT on: CLIENT LIST shows flag {@code e} (this server evicts no client). */
    boolean noEvict;

    PubSub.Subscriptions subscriptions() {
        if (subscriptions == null) {
            subscriptions = new PubSub.Subscriptions();
        }
        return subscriptions;
    }

    /** Whether it subscribes to anything (Redis's pubsub client class). */
    boolean subscribed() {
        return subscriptions != null && subscriptions.any();
    }

    /** Whether it speaks RESP2 with subscriptions: only (P|S)(UN)SUBSCRIBE, PING, QUIT, RESET, and PING answers an array. */
    boolean subscribedResp2() {
        return subscribed() && !out.resp3();
    }

    boolean resp3() {
        return out.resp3();
    }

    /**
     * Where a pushed message goes — the output, or behind the replies still outstanding so that a RESP2
     * client reads it after them — or null when it is closed or its hard limit was reached (the message is
     * dropped, the connection closes at {@link #pushesWritten}).
     */
    ReplyWriter pushOut() {
        return closed || hardLimitReached ? null : localOut();
    }

    /**
     * Ends a message begun with {@link #pushOut}; past the hard limit, no more are taken. A message is sent
     * under CLIENT REPLY OFF or SKIP too, as redis-server 7.0.15 sends it.
     */
    void pushDone() {
        localDone(false);
        KvSettings.PubSubLimits pubsub = node.settings.pubsubOutput();
        hardLimitReached |= replyBytes() >= (subscribed() ? pubsub.hardOr(limits.hardLimit()) : limits.hardLimit());
    }

    /** Once per loop iteration after messages were pushed: its limits are checked, its output written. */
    void pushesWritten() {
        if (!inRead) {
            endOfRead(); // lets go of the local batch messages went into, checks the limits, drains and writes
        }
    }

    /** RESET: no transaction nor watched key, no subscriptions, RESP2, no name, and (with a password) not authenticated. */
    void reset() {
        noEvict = false;
        replyMode = ReplyMode.ON; // RESET's own reply is sent, as Redis clears CLIENT REPLY OFF and SKIP first
        silencing = false;
        if (tracking != null) { // RESET turns client-side caching off, as in Redis
            home.tracking.disabled(this);
            tracking = null;
        }
        multi.discardAll();
        if (monitoring) {
            monitoring = false;
            home.monitors.remove(this);
        }
        if (subscriptions != null) {
            home.pubsub.unsubscribeAll(this);
            home.shardPubSub.unsubscribeAll(this);
        }
        protocol(false);
        name = null;
        user = node.acl.defaultUser();
        authenticated = user.rules.needsNoPassword();
    }

    /**
     * MONITOR: every shard's feed comes here from now on ({@link Monitors}), until RESET or the end; a
     * second MONITOR is ignored without a reply, as Redis ignores it.
     */
    void monitor(ReplyWriter out) {
        if (!monitoring) {
            monitoring = true;
            home.monitors.add(this);
            out.simple("OK");
        }
    }

    /** ACL LOG's context of a refusal on this connection now: {@code multi} inside MULTI, else {@code toplevel}. */
    String aclContext() {
        return multi.open() ? "multi" : "toplevel";
    }

    /** CLIENT LIST's line for this connection, on its shard. */
    String describe() {
        return ClientInfo.line(this, connection, replyBytes(), out.size() - outSent, pendingCount,
                input == null ? 0 : inputEnd - inputStart, input == null ? 0 : input.length);
    }

    /** CLIENT KILL's ADDR and LADDR: {@code ip:port} of the peer, or of this end. */
    String address(boolean peer) {
        return ClientInfo.address(connection, peer);
    }

    /** Whether it is closed or closing (CLIENT KILL's count skips those). */
    boolean closingOrClosed() {
        return closed || closing;
    }
}
