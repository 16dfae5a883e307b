package dev.atoll.examples.kv;

import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What one shard owns: the keys whose hash maps to it ({@link KeyTable}), their log ({@link Aof}),
 * its connections and its counters. Executes the commands of keys it owns — from its own
 * connections inline, from other shards' connections in {@link Batch}es — and expires keys lazily
 * on access and actively on a timer (Redis's sampling, {@code hz} times a second: 20 keys with an expiry, again
 * at once while more than 10 % of them had expired, within 1 ms at {@code hz} 10 — more keys, a lower share
 * and a longer cycle as {@code active-expire-effort} rises, as Redis's). Touched by its thread only.
 */
final class KvShard {
    private static final Logger log = LoggerFactory.getLogger(KvShard.class);
    /** Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP and _ACCEPTABLE_STALE (%) at effort 1. */
    private static final int EXPIRY_SAMPLE = 20;
    private static final int EXPIRY_STALE_PERCENT = 10;
    /** One cycle's time at hz 10 and effort 1 (1 % of the shard's time; Redis's slow cycle may take 25 % of its). */
    private static final long EXPIRY_BUDGET_NANOS = 1_000_000;
    /**
     * Buckets of a keyspace resize (and runs of its expiries' table's) moved at each traffic sample, besides the one
     * each insert or removal moves: a keyspace that is only read finishes its resize too (Redis's cron rehashes for 1 ms
     * of each 100; both under {@code activerehashing yes}). 500 buckets of a table of 1 M keys took 0.4 ms on average,
     * 0.7-1.2 ms at most, once compiled; 1,000 took twice that.
     */
    private static final int RESIZE_BUCKETS_PER_SAMPLE = 500;
    /**
     * What an idle shard spends on a resize every {@link ShardTraffic#SAMPLE_PERIOD}, in steps of
     * {@link #IDLE_RESIZE_STEP} buckets: Redis's cron rehashes for 1 ms at each of its 10 runs a second, 100 buckets
     * between two looks at the clock ({@code incrementallyRehash}).
     */
    private static final long IDLE_RESIZE_NANOS = 1_000_000;
    private static final int IDLE_RESIZE_STEP = 100;
    static final byte[] EX = ReplyWriter.asciiBytes("ex");
    static final byte[] PX = ReplyWriter.asciiBytes("px");
    static final byte[] EXAT = ReplyWriter.asciiBytes("exat");
    static final byte[] PXAT = ReplyWriter.asciiBytes("pxat");
    private static final byte[] NX = ReplyWriter.asciiBytes("nx");
    private static final byte[] XX = ReplyWriter.asciiBytes("xx");
    private static final byte[] GT = ReplyWriter.asciiBytes("gt");
    private static final byte[] LT = ReplyWriter.asciiBytes("lt");
    private static final byte[] KEEPTTL = ReplyWriter.asciiBytes("keepttl");
    private static final byte[] GET = ReplyWriter.asciiBytes("get");
    static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    static final String SYNTAX = "ERR syntax error";
    static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    static final String TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

    final int id;
    final KeyTable table;
    final KvSettings settings;
    /** Null when {@code kv.appendonly} is off. */
    Aof aof;
    /** The parser all connections of this shard share (a parse in progress is in each one's {@link Request}). */
    final RespParser parser;
    /** The request view of the batches this shard executes for others: their commands are complete. */
    final Request request = new Request();
    /** Bytes this shard's connections hold for commands not yet complete, against {@link #queryBufferBudget}. */
    long queryBufferBytes;
    /** {@code kv.query-buffers-per-shard}, resolved. */
    final long queryBufferBudget;
    /** Where a connection's read is copied for parsing when it holds no partial command. */
    byte[] scratch = new byte[16 * 1024];
    final ConnectionList connections = new ConnectionList();
    /** Its connections' grown reply arrays, reused by the next ones (a new connection's first large reply). */
    final OutputArrays outputArrays = new OutputArrays();
    /** Keys held by transactions across shards, and the commands waiting for them. */
    final KeyLocks locks = new KeyLocks();
    /** Keys connections WATCH, with their changes. */
    final Watches watches = new Watches();
    final SplittableRandom random = new SplittableRandom();
    final StringCommands strings = new StringCommands(this);
    /** INCR's result before it is stored: a counter's digits are copied, not allocated. */
    private final byte[] digits = new byte[Decimal.MAX_LENGTH];
    private final KeyCommands keys = new KeyCommands(this);
    private final DumpCommands dumps = new DumpCommands(this);
    /** MIGRATE's connections to its targets, from this shard. */
    final MigrateTargets migrateTargets = new MigrateTargets();
    private final HashCommands hashes = new HashCommands(this);
    final ListCommands lists = new ListCommands(this);
    /** Clients blocked on this shard's keys, and the hook a write calls when a key may serve them. */
    final Blocking blocking = new Blocking(this);
    /** maxmemory's share of this shard and its policy; replaced by CONFIG SET ({@link #memoryChanged}). */
    Eviction eviction;
    /** How eviction removes a key: as DEL does, logged. */
    private final java.util.function.Consumer<KeyTable.Entry> evict = this::evicted;
    /** Whether the LFU counter, rather than the time, is kept in each key's access field. */
    private final boolean lfu;
    /** Also used by {@link SetsAcrossShards} for its steps on this shard. */
    final SetCommands sets = new SetCommands(this);
    /** The sorted-set commands; {@link ZSetGather} calls its store and pop on this shard for other shards. */
    final ZSetCommands zsets = new ZSetCommands(this);
    private final SortCommand sorts = new SortCommand(this);
    private final BitfieldCommand bitfields = new BitfieldCommand(this);
    private final BitopCommand bitops = new BitopCommand(this);
    private final HllCommands hlls = new HllCommands(this);
    private final GeoCommands geos = new GeoCommands(this);
    private final StreamCommands streams = new StreamCommands(this);
    final StreamGroupCommands streamGroups = new StreamGroupCommands(this);
    /** EVAL and FCALL: this shard's Lua state, made at the first script ({@link #scripting()}); null before. */
    private ScriptEngine scripting;
    /** Its connections' subscriptions (issue 18: pub/sub). */
    final PubSub pubsub = new PubSub(this, false);
    /** Shard channels (SSUBSCRIBE, SPUBLISH): a namespace of their own. */
    final PubSub shardPubSub = new PubSub(this, true);
    /** Its connections that MONITOR, and the feed of its commands to every shard's. */
    final Monitors monitors = new Monitors(this);
    /** notify-keyspace-events: what its keys' changes publish. */
    final KeyspaceEvents events = new KeyspaceEvents(this);
    /** Client-side caching: the keys tracking clients read here, the BCAST prefixes, this shard's tracking clients. */
    final Tracking tracking = new Tracking(this);
    /** DEBUG SET-ACTIVE-EXPIRE 0 stops the sampling (lazy expiry goes on), as in Redis. */
    private boolean activeExpire = true;
    private KvNode node;
    private boolean idleCheckArmed;
    private Shard shard;
    /** The batches this shard's connections send to other shards; set at {@link #start}. */
    BatchPool batches;

    // Counters, read through INFO on this shard's thread.
    /** Commands received by this shard's connections. */
    long commands;
    /** Its connections' bytes and calls in and out, and the rates made from them (INFO stats). */
    final ShardTraffic traffic = new ShardTraffic();
    private long usedMemoryPeak;
    long remoteCommands;
    long batchesIn;
    long expiredKeys;
    /**
     * The keys' average time to live in ms, estimated as Redis estimates its {@code avg_ttl}: each active expiry
     * cycle's samples move it by 2 %; 0 while no key has an expiry.
     */
    long averageTtl;
    private boolean expiryArmed;
    /** {@link #idleResize} is scheduled: the traffic sampling stopped with a resize in progress. */
    private boolean idleResizeArmed;
    long hits;
    long misses;
    /** Per command (by ordinal): calls from this shard's connections, and nanoseconds spent executing on this shard (INFO commandstats). */
    /** INFO commandstats per row ({@link CommandStats}: a command, or a container's subcommand). */
    final long[] calls = new long[CommandStats.SLOTS];
    /** The commands that executed slowly here (SLOWLOG). */
    final SlowLog slowLog = new SlowLog();
    /** The connection whose command {@link #execute} runs now, for the slow log; null: unknown (a transaction's part). */
    KvConnection executingFor;
    /**
     * The connection whose transaction part (EXEC, a command waiting for a locked key) runs here now,
     * whose user a script's {@code redis.call} is checked against; null otherwise.
     */
    KvConnection transactionFor;
    final long[] executionNanos = new long[CommandStats.SLOTS];
    /** LATENCY's events and per-command histograms of this shard. */
    final LatencyMonitor latency = new LatencyMonitor();
    /** This shard's error replies (INFO errorstats); its thread's {@link ErrorStats}, found at the first command. */
    private ErrorStats errors;
    /** Replies this shard's connections hold for their clients, as each last accounted them; and the most ever. */
    long replyBytes;
    long replyBytesPeak;
    /** {@code kv.client-output-buffer-limit.shard-total}, resolved at {@link #start}. */
    private long replyBytesLimit;

    KvShard(int id, KeyTable table, KvSettings settings, int shards) {
        this.id = id;
        this.table = table;
        this.settings = settings;
        this.parser = new RespParser(settings.input().protoMaxBulkLen(), settings.input().clientQueryBufferLimit());
        this.queryBufferBudget = settings.input().perShard(shards);
        KvSettings.MemoryLimits memory = settings.memory();
        this.eviction = new Eviction(table, memory.policy(), memory.samples(), memory.perShard(shards), random);
        this.lfu = memory.policy().lfu();
        long now = System.currentTimeMillis();
        table.forEach(e -> { // replayed from the log, changed in place since each was linked
            table.account(e);
            created(e, now);
        });
    }


    /** Starts the shard's timers; on its thread. */
    void start(KvNode node, Shard owner) {
        this.shard = owner;
        this.node = node;
        this.batches = new BatchPool(node, this);
        monitors.start(node);
        events.start(node);
        tracking.start(node);
        this.replyBytesLimit = settings.output().shardTotal(node.shardCount());
        armExpiry();
        armIdleCheck();
        if (settings.output().softLimit() > 0) { // a subscriber's soft limit is checked as messages arrive, as in Redis
            owner.schedule(Duration.ofSeconds(1), this::checkSoftLimits);
        }
    }

    /** A connection now holds {@code delta} bytes more of replies (less, if negative). */
    void replyBytesChanged(long delta) {
        replyBytes += delta;
        replyBytesPeak = Math.max(replyBytesPeak, replyBytes);
    }

    /**
     * While this shard's connections hold more replies than {@code kv.client-output-buffer-limit.shard-total},
     * closes the one that holds the most (Redis's client eviction under maxmemory-clients).
     */
    void closeLargestHolders() {
        while (replyBytes > replyBytesLimit) {
            KvConnection largest = connections.holdingMost();
            if (largest == null) {
                return;
            }
            largest.closeOverShardTotal(replyBytes, replyBytesLimit);
        }
    }

    /** Once a second: connections paused over the soft limit receive no reply that would check it. */
    private void checkSoftLimits() {
        connections.forEach(KvConnection::checkOutputLimits);
        shard.schedule(Duration.ofSeconds(1), this::checkSoftLimits);
    }

    Shard shard() {
        return shard;
    }

    KvNode node() {
        return node;
    }

    /** This shard's Lua state, made when first needed (most servers never run a script). */
    ScriptEngine scripting() {
        if (scripting == null) {
            scripting = new ScriptEngine(this, node.scripts, node.shardCount(), null);
        }
        return scripting;
    }

    /** Whether DUMP payloads compress their strings (Redis's {@code rdbcompression}, which DUMP follows too). */
    boolean rdbCompression() {
        return node == null || node.settings.rdb().compression();
    }

    /**
     * The error every write gets after a failed RDB save (with save points and stop-writes-on-bgsave-error, as
     * Redis checks it first) or while this shard's log fails, or null.
     */
    String writeRefusal() {
        String rdb = node == null ? null : node.rdb.writeRefusal;
        if (rdb != null) {
            return rdb;
        }
        return aof != null && aof.failure() != null
                ? "MISCONF Errors writing to the AOF file: " + aof.failure().getMessage() : null;
    }

    /** Runs {@code next} once this shard's log holds what it logged so far on the device (appendfsync always), else now. */
    void afterLogged(Runnable next) {
        if (aof != null && aof.syncsEachWrite()) {
            aof.whenSynced(aof.syncPoint(), next);
        } else {
            next.run();
        }
    }

    /**
     * Execute one command of kind KEY or MULTI_KEY whose keys this shard owns; the reply goes to
     * {@code out}, or an error if the reply does not fit in it (MGET of large values).
     */
    void execute(Command command, Request r, ReplyWriter out, long now) {
        ErrorStats errors = errors();
        if (command.writes && eviction.over() && !eviction.makeRoom(now, evict, tunables()) && command.denyOom) {
            refuse(errors, command, Eviction.OOM, out); // before MISCONF, as Redis's processCommand
            return;
        }
        if (command.writes && writeRefusal() != null) {
            refuse(errors, command, writeRefusal(), out);
            return;
        }
        int notify = node == null ? 0 : node.keyspaceEvents; // the one volatile read notifications cost when off
        int[] absent = (notify & KeyspaceEvents.KEY_MISS) != 0 ? events.absent(command, r, now) : null; // expires as the lookup
        List<Watches.Seen> watched = command.writes && watches.any() ? watches.before(command, r, table) : null;
        List<KeyspaceEvents.Seen> notified = notify != 0 && command.writes ? events.before(command, r, table) : null;
        int mark = out.size();
        long started = System.nanoTime();
        int slot = CommandStats.slot(command, r); // INFO commandstats' row: OBJECT's and MEMORY's per subcommand
        int outer = errors.begin(slot);
        try {
            run(command, r, out, now);
        } catch (ReplyWriter.TooLarge e) {
            out.truncate(mark);
            out.error(e.getMessage());
        } catch (RuntimeException e) {
            // A defect in one command costs that command: its connection still gets a reply in order
            // (an error, counted as one), the shard and its other connections go on, and the log says why.
            out.truncate(mark);
            out.error("ERR internal error in '" + command.lowerName + "' (see the server's log): " + e);
            log.error("shard {}: {} failed", id, command.lowerName, e);
        } finally {
            errors.end(outer);
        }
        if (absent != null) {
            events.missed(command, r, absent, out, mark); // during the command in Redis: before its changes' events
        }
        if (notified != null) {
            events.after(command, r, notified, table, out, mark); // before the pops it wakes, whose events follow, as in Redis
        }
        tracking.after(command, r, out, mark, executingFor); // a tracked read remembers its keys, a write invalidates them
        if (blocking.hasReady() && (scripting == null || !scripting.running())) { // a script's commands are one step: served after it
            blocking.serveReady(); // as Redis: clients blocked on a key this command pushed to are served before the next command
        }
        if (command.writes) {
            account(command, r, now);
        }
        if (watched != null) {
            watches.after(watched, table);
        }
        long took = System.nanoTime() - started;
        if (slot >= 0) {
            executionNanos[slot] += took;
        }
        LatencyCommands.Settings latencySettings = node != null ? node.latency : LatencyCommands.Settings.DEFAULT;
        latency.recordCall(command, slot, took, latencySettings);
        KvSettings.SlowLogLimits slowLimits = (node != null ? node.settings : settings).slowLog(); // CONFIG SET's; unstarted: its own
        if (SlowLog.slow(took, slowLimits)) {
            slowLog.add(node, r, took, executingFor, slowLimits);
        }
    }

    /** CONFIG SET maxmemory, maxmemory-policy (within LRU or LFU tracking), maxmemory-samples: this shard's new share. */
    void memoryChanged(KvSettings.MemoryLimits memory, int shards) {
        Eviction changed = new Eviction(table, memory.policy(), memory.samples(), memory.perShard(shards), random);
        changed.evictedKeys = eviction.evictedKeys;
        eviction = changed;
        evictOverLimit();
    }

    /**
     * Evicts down to a lowered limit without waiting for writes: a slice of eviction per loop iteration
     * (as Redis's eviction time event), until the shard is within its share or the policy finds nothing.
     */
    private void evictOverLimit() {
        if (eviction.over() && eviction.makeRoom(System.currentTimeMillis(), evict, tunables()) && eviction.over()) {
            shard.execute(this::evictOverLimit);
        }
    }

    /** Gives a key new to the table its first access: the time, or under LFU Redis's initial counter. */
    void created(KeyTable.Entry e, long now) {
        e.accessedAt = firstAccess(lfu, now);
    }

    /** A new key's first access field: Redis's initial LFU counter under an LFU policy, else the time. */
    static int firstAccess(boolean lfu, long now) {
        return lfu ? Eviction.lfuNew(now) : Eviction.lruField(now);
    }

    /** Whether the eviction policy is an LFU one (fixed at the start: final, so any thread may read it). */
    boolean lfu() {
        return lfu;
    }

    /**
     * After a write, counts again what its keys take now (a value changed in place included) in the
     * table's used memory; a key new to the table gets its first access time, or its first LFU counter.
     */
    private void account(Command command, Request r, long now) {
        int first = command.firstKey();
        if (first <= 0) {
            return;
        }
        for (int i = first, last = command.lastKey(r.count()); i <= last; i += command.keyStep()) {
            KeyTable.Entry e = table.find(r.bytes, r.offset(i), r.length(i), KeyTable.hash(r.bytes, r.offset(i), r.length(i)));
            if (e != null) {
                table.account(e);
                if (e.accessedAt == 0) {
                    created(e, now);
                }
            }
        }
    }

    private void run(Command command, Request r, ReplyWriter out, long now) {
        byte[] b = r.bytes;
        switch (command) {
            case GET -> get(b, r.offset(1), r.length(1), now, out);
            case SET -> set(r, now, out);
            case SETNX -> {
                KeyTable.Entry e = live(b, r.offset(1), r.length(1), now);
                if (e != null) {
                    out.integer(0);
                } else {
                    store(r, 1, 2, 0, false);
                    out.integer(1);
                }
            }
            case GETDEL -> {
                KeyTable.Entry e = live(b, r.offset(1), r.length(1), now);
                if (e == null) {
                    out.nullBulk();
                } else if (!wrongType(e, out)) {
                    out.bulk(e.valueArray(), e.valueOffset(), e.length);
                    remove(e);
                }
            }
            case STRLEN -> {
                KeyTable.Entry e = live(b, r.offset(1), r.length(1), now);
                if (!wrongType(e, out)) {
                    out.integer(e == null ? 0 : e.length);
                }
            }
            case APPEND -> {
                KeyTable.Entry e = live(b, r.offset(1), r.length(1), now);
                if (wrongType(e, out)) {
                    return;
                }
                if (e == null) {
                    // Redis 7.0's APPEND stores a fresh key as SET does (tryObjectEncoding: int or embstr)
                    e = put(b, r.offset(1), r.length(1), r.copy(2), 0, true);
                } else if ((long) e.length + r.length(2) > settings.input().protoMaxBulkLen()) {
                    out.error(TOO_LONG);
                    return;
                } else {
                    e.append(table, b, r.offset(2), r.length(2), settings.input().protoMaxBulkLen()); // amortized: sds's greed
                }
                if (aof != null) {
                    aof.append(e, b, r.offset(2), r.length(2)); // the chunk, not the whole value
                }
                out.integer(e.length);
            }
            case INCR -> incrBy(r, 1, now, out);
            case DECR -> incrBy(r, -1, now, out);
            case INCRBY, DECRBY -> {
                if (!r.longAt(2)) {
                    out.error(NOT_INTEGER);
                } else if (command == Command.DECRBY && r.number == Long.MIN_VALUE) {
                    out.error("ERR decrement would overflow");
                } else {
                    incrBy(r, command == Command.INCRBY ? r.number : -r.number, now, out);
                }
            }
            case EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT -> expire(command, r, now, out);
            case TTL, PTTL, EXPIRETIME, PEXPIRETIME -> {
                KeyTable.Entry e = live(b, r.offset(1), r.length(1), now);
                boolean absolute = command == Command.EXPIRETIME || command == Command.PEXPIRETIME;
                long expireAt = e == null ? 0 : table.expireAt(e);
                long ttl = e == null ? -2 : expireAt == 0 ? -1 : Math.max(0, absolute ? expireAt : expireAt - now);
                boolean seconds = command == Command.TTL || command == Command.EXPIRETIME;
                out.integer(seconds && ttl > 0 ? (ttl + 500) / 1000 : ttl);
            }
            case PERSIST -> {
                KeyTable.Entry e = live(b, r.offset(1), r.length(1), now);
                if (e == null || table.expireAt(e) == 0) {
                    out.integer(0);
                } else {
                    table.setExpire(e, 0);
                    if (aof != null) {
                        aof.persist(e);
                    }
                    out.integer(1);
                }
            }
            case TYPE -> out.simple(typeName(live(b, r.offset(1), r.length(1), now)));
            case MGET -> {
                out.arrayHeader(r.count() - 1);
                for (int i = 1; i < r.count() && !out.full(); i++) { // cut at the limit: never sent
                    KeyTable.Entry e = live(b, r.offset(i), r.length(i), now);
                    if (e != null && !e.isString()) {
                        hits++;
                        out.nullBulk(); // MGET answers null for a key of another type, as Redis does
                    } else {
                        get(b, r.offset(i), r.length(i), now, out);
                    }
                }
            }
            case MSET -> {
                for (int i = 1; i < r.count(); i += 2) {
                    store(r, i, i + 1, 0, false);
                }
                out.ok();
            }
            case MSETNX -> {
                for (int i = 1; i < r.count(); i += 2) {
                    if (live(b, r.offset(i), r.length(i), now) != null) {
                        out.integer(0);
                        return;
                    }
                }
                for (int i = 1; i < r.count(); i += 2) {
                    store(r, i, i + 1, 0, false);
                }
                out.integer(1);
            }
            case DEL, UNLINK, EXISTS, TOUCH -> {
                int n = 0;
                for (int i = 1; i < r.count(); i++) {
                    KeyTable.Entry e = live(b, r.offset(i), r.length(i), now);
                    if (e != null) {
                        n++;
                        if (command == Command.DEL || command == Command.UNLINK) {
                            remove(e);
                        }
                    }
                }
                out.integer(n);
            }
            case SETEX, PSETEX, GETEX, GETSET, SETRANGE, GETRANGE, SUBSTR, INCRBYFLOAT, LCS, SETBIT, GETBIT, BITCOUNT,
                 BITPOS -> strings.run(command, r, now, out);
            case RENAME, RENAMENX, COPY, OBJECT, MEMORY -> keys.run(command, r, now, out);
            case DUMP, RESTORE, RESTORE_ASKING -> dumps.run(command, r, now, out);
            case HSET, HMSET, HSETNX, HGET, HMGET, HDEL, HLEN, HEXISTS, HGETALL, HKEYS, HVALS, HINCRBY, HINCRBYFLOAT,
                 HSTRLEN, HRANDFIELD, HSCAN -> hashes.run(command, r, now, out);
            case LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LRANGE, LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS, LMOVE,
                 RPOPLPUSH -> lists.run(command, r, now, out);
            case SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS, SRANDMEMBER, SPOP, SSCAN, SMOVE, SINTER, SINTERCARD,
                 SUNION, SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE -> sets.run(command, r, now, out);
            case ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT, ZRANGE, ZREVRANGE,
                 ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX, ZPOPMIN, ZPOPMAX, ZRANDMEMBER,
                 ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX, ZSCAN, ZRANGESTORE, ZUNION, ZINTER, ZDIFF,
                 ZINTERCARD, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZMPOP -> zsets.run(command, r, now, out);
            case SORT, SORT_RO -> sorts.run(command, r, now, out);
            case BITFIELD, BITFIELD_RO -> bitfields.run(command, r, now, out);
            case BITOP -> bitops.run(r, now, out);
            case PFADD, PFCOUNT, PFMERGE, PFDEBUG -> hlls.run(command, r, now, out);
            case GEOADD, GEOPOS, GEODIST, GEOHASH, GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUS_RO, GEORADIUSBYMEMBER,
                 GEORADIUSBYMEMBER_RO -> geos.run(command, r, now, out);
            case XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID, XINFO -> streams.run(command, r, now, out);
            case XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM -> streamGroups.run(command, r, now, out);
            case EVAL, EVALSHA, EVAL_RO, EVALSHA_RO -> scripting().eval(command, r, now, out);
            case FCALL, FCALL_RO -> scripting().fcall(command, r, now, out);
            default -> throw new IllegalArgumentException(command + " is not a keyed command");
        }
    }

    private void get(byte[] b, int offset, int length, long now, ReplyWriter out) {
        KeyTable.Entry e = live(b, offset, length, now);
        if (e == null) {
            misses++;
            out.nullBulk();
        } else if (!e.isString()) {
            hits++;
            out.error(WRONGTYPE);
        } else {
            hits++;
            out.bulk(e.valueArray(), e.valueOffset(), e.length);
        }
    }

    /** TYPE's answer for an entry (null: absent). */
    static String typeName(KeyTable.Entry e) {
        return e == null ? "none" : e.type();
    }

    /** True, after answering WRONGTYPE, when {@code e} exists and is not a string. */
    static boolean wrongType(KeyTable.Entry e, ReplyWriter out) {
        if (e != null && !e.isString()) {
            out.error(WRONGTYPE);
            return true;
        }
        return false;
    }

    /** SET key value [NX | XX] [GET] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL], as Redis 7 parses it. */
    private void set(Request r, long now, ReplyWriter out) {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        byte[] unit = null;
        long expireAt = 0;
        for (int i = 3; i < r.count(); i++) {
            boolean hasNext = i + 1 < r.count();
            if (r.is(i, NX) && !xx) {
                nx = true;
            } else if (r.is(i, XX) && !nx) {
                xx = true;
            } else if (r.is(i, GET)) {
                get = true;
            } else if (r.is(i, KEEPTTL) && unit == null) {
                keepTtl = true;
            } else if ((r.is(i, EX) || r.is(i, PX) || r.is(i, EXAT) || r.is(i, PXAT)) && !keepTtl && unit == null
                    && hasNext) {
                unit = r.is(i, EX) ? EX : r.is(i, PX) ? PX : r.is(i, EXAT) ? EXAT : PXAT;
                if (!r.longAt(++i)) {
                    out.error(NOT_INTEGER);
                    return;
                }
                expireAt = absolute(unit, r.number, now);
                if (r.number <= 0 || expireAt == INVALID) {
                    out.error("ERR invalid expire time in 'set' command");
                    return;
                }
            } else {
                out.error(SYNTAX);
                return;
            }
        }
        byte[] b = r.bytes;
        KeyTable.Entry e = live(b, r.offset(1), r.length(1), now);
        if (get) {
            if (wrongType(e, out)) {
                return;
            }
            if (e == null) {
                out.nullBulk();
            } else {
                out.bulk(e.valueArray(), e.valueOffset(), e.length);
            }
        }
        if ((nx && e != null) || (xx && e == null)) {
            if (!get) {
                out.nullBulk();
            }
            return;
        }
        if (expireAt != 0 && expireAt <= now) {
            if (e != null) {
                remove(e); // an absolute time in the past: the key is gone at once, as in Redis
            }
        } else {
            store(r, 1, 2, expireAt, keepTtl);
        }
        if (!get) {
            out.ok();
        }
    }

    static final long INVALID = Long.MIN_VALUE;

    /** An expiry in {@code unit} (EX, PX relative; EXAT, PXAT absolute) as Unix ms, or {@link #INVALID} on overflow. */
    static long absolute(byte[] unit, long amount, long now) {
        long ms = amount;
        if (unit == EX || unit == EXAT) {
            if (amount > Long.MAX_VALUE / 1000 || amount < Long.MIN_VALUE / 1000) {
                return INVALID;
            }
            ms = amount * 1000;
        }
        if (unit == EX || unit == PX) {
            if (ms > 0 && ms > Long.MAX_VALUE - now) {
                return INVALID;
            }
            ms += now;
        }
        return ms;
    }

    /** Sets a key's value; {@code expireAt} 0 clears its expiry unless {@code keepTtl}. Logs the change; returns the entry. */
    KeyTable.Entry store(byte[] b, int offset, int length, byte[] value, long expireAt, boolean keepTtl, long now) {
        return storeCopy(b, offset, length, value, 0, value.length, expireAt, keepTtl);
    }

    /**
     * Sets key argument {@code key} of {@code r} to the string argument {@code value}, as {@link #store}
     * does, copying it: see {@link #storeCopy}.
     */
    KeyTable.Entry store(Request r, int key, int value, long expireAt, boolean keepTtl) {
        return storeCopy(r.bytes, r.offset(key), r.length(key), r.bytes, r.offset(value), r.length(value), expireAt, keepTtl);
    }

    /**
     * Sets key {@code b[offset, offset + length)} to the string {@code value[from, from + count)} as
     * {@link #store} does, copying it after the key in the key's own array ({@link KeyTable.Entry#setString}:
     * over the old value when the array's heap bytes allow, so a SET of a same-sized value or an INCR
     * allocates nothing).
     */
    KeyTable.Entry storeCopy(byte[] b, int offset, int length, byte[] value, int from, int count, long expireAt,
            boolean keepTtl) {
        KeyTable.Entry e = put(b, offset, length, value, from, count, expireAt, keepTtl);
        if (aof != null) {
            long stored = table.expireAt(e);
            aof.set(e, stored, keepTtl && stored != 0);
        }
        return e;
    }

    /** Sets a key's value as {@link #store} does, without logging it. */
    KeyTable.Entry put(byte[] b, int offset, int length, byte[] value, long expireAt, boolean keepTtl) {
        return put(b, offset, length, value, 0, value.length, expireAt, keepTtl);
    }

    /** {@link #put} of the string {@code value[from, from + count)}. */
    private KeyTable.Entry put(byte[] b, int offset, int length, byte[] value, int from, int count, long expireAt,
            boolean keepTtl) {
        int hash = KeyTable.hash(b, offset, length);
        KeyTable.Entry e = table.find(b, offset, length, hash);
        if (e == null) {
            e = table.insert(b, offset, length, hash, value, from, count);
        } else {
            e.setString(table, value, from, count);
        }
        if (!keepTtl || expireAt != 0) {
            setExpire(e, expireAt);
        }
        return e;
    }

    private void incrBy(Request r, long delta, long now, ReplyWriter out) {
        KeyTable.Entry e = live(r.bytes, r.offset(1), r.length(1), now);
        long current = 0;
        if (wrongType(e, out)) {
            return;
        }
        if (e != null) {
            if (!r.parseLong(e.valueArray(), e.valueOffset(), e.length)) {
                out.error(NOT_INTEGER);
                return;
            }
            current = r.number;
        }
        if ((delta > 0 && current > Long.MAX_VALUE - delta) || (delta < 0 && current < Long.MIN_VALUE - delta)) {
            out.error("ERR increment or decrement would overflow");
            return;
        }
        long result = current + delta;
        storeCopy(r.bytes, r.offset(1), r.length(1), digits, 0, Decimal.format(result, digits), 0, true);
        out.integer(result);
    }

    /** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT key time [NX | XX | GT | LT]. */
    private void expire(Command command, Request r, long now, ReplyWriter out) {
        if (!r.longAt(2)) {
            out.error(NOT_INTEGER);
            return;
        }
        long amount = r.number;
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < r.count(); i++) {
            if (r.is(i, NX)) {
                nx = true;
            } else if (r.is(i, XX)) {
                xx = true;
            } else if (r.is(i, GT)) {
                gt = true;
            } else if (r.is(i, LT)) {
                lt = true;
            } else {
                out.error("ERR Unsupported option " + r.string(i));
                return;
            }
        }
        if (nx && (xx || gt || lt)) {
            out.error("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }
        if (gt && lt) {
            out.error("ERR GT and LT options at the same time are not compatible");
            return;
        }
        byte[] unit = switch (command) {
            case EXPIRE -> EX;
            case PEXPIRE -> PX;
            case EXPIREAT -> EXAT;
            default -> PXAT;
        };
        long expireAt = absolute(unit, amount, now);
        if (expireAt == INVALID) {
            out.error("ERR invalid expire time in '" + command.lowerName + "' command");
            return;
        }
        KeyTable.Entry e = live(r.bytes, r.offset(1), r.length(1), now);
        if (e == null) {
            out.integer(0);
            return;
        }
        long current = table.expireAt(e);
        boolean refused = (nx && current != 0) || (xx && current == 0)
                || (gt && (current == 0 || expireAt <= current)) || (lt && current != 0 && expireAt >= current);
        if (refused) {
            out.integer(0);
            return;
        }
        if (expireAt <= now) {
            remove(e);
        } else {
            setExpire(e, expireAt);
            if (aof != null) {
                aof.pexpireAt(e, expireAt);
            }
        }
        out.integer(1);
    }

    /**
     * The entry of a key, or null when it is absent or expired (an expired one is deleted now); a
     * live one counts as accessed now (OBJECT IDLETIME).
     */
    KeyTable.Entry live(byte[] b, int offset, int length, long now) {
        KeyTable.Entry e = peek(b, offset, length, now);
        if (e != null) {
            e.accessedAt = lfu ? Eviction.touch(e.accessedAt, now, random, tunables()) : Eviction.lruField(now);
        }
        return e;
    }

    /** As {@link #live}, without counting as an access. */
    KeyTable.Entry peek(byte[] b, int offset, int length, long now) {
        int hash = KeyTable.hash(b, offset, length);
        KeyTable.Entry e = table.find(b, offset, length, hash);
        if (e != null && table.expiredBy(e, hash, now)) {
            if (!hidesExpired()) {
                expired(e);
            }
            return null;
        }
        return e;
    }

    /**
     * Whether a key whose time passed is left in place, hidden from the command: while CLIENT PAUSE holds; on a
     * read-only replica, for a client's command (as Redis's replica, which waits for its master's DEL); the master's own commands, and
     * any whose connection is not known here, delete it as a master does.
     */
    private boolean hidesExpired() {
        if (node != null && node.pause.active()) {
            return true; // CLIENT PAUSE: no key changes, an expiry neither (as Redis's pause)
        }
        if (node == null || !node.replica.hidesExpired()) {
            return false;
        }
        KvConnection caller = executingFor != null ? executingFor : transactionFor;
        return caller != null && !caller.fromMaster();
    }

    /** A random key that has not expired, or null when the shard holds none (RANDOMKEY). */
    byte[] randomKey(long now) {
        for (int tries = 0; tries < 100; tries++) { // Redis gives up on all-expired tables the same way
            KeyTable.Entry e = table.random(random);
            if (e == null) {
                return null;
            }
            if (peek(e.data, 0, e.keyLength(), now) != null) {
                return e.key();
            }
        }
        return null;
    }

    /** How many shards the server has (1 before it started). */
    int shardCount() {
        return node == null ? 1 : node.shardCount();
    }

    /**
     * The last step of a command that stores a result (SINTERSTORE, ZUNIONSTORE, SORT ... STORE): the
     * key becomes {@code result} (owned from now on) without an expiry, whatever it held, or is deleted
     * when the result is empty; logged as its whole value, and a client blocked on the key (a list or
     * a sorted set, as Redis signals) is served next. Returns the result's size.
     */
    int store(byte[] b, int offset, int length, Aggregate result, long now) {
        KeyTable.Entry e = live(b, offset, length, now);
        if (result.size() == 0) {
            if (e != null) {
                remove(e);
            }
            return 0;
        }
        if (e == null) {
            e = table.insert(Arrays.copyOfRange(b, offset, offset + length), KeyTable.hash(b, offset, length), result);
            created(e, now);
        } else {
            e.setAggregate(table, result);
            setExpire(e, 0);
            table.account(e); // also a step of a command across shards, outside a command here
        }
        if (aof != null) {
            aof.entry(e);
        }
        if (result instanceof ListValue || result instanceof ZSetValue) {
            blocking.signal(b, offset, length);
        }
        return result.size();
    }

    /** Deletes a key and logs it. */
    /** A key whose time passed: removed, counted, and its {@code expired} event sent. */
    private void expired(KeyTable.Entry e) {
        expiredKeys++;
        remove(e);
        events.send(KeyspaceEvents.EXPIRED, "expired", e.data, 0, e.keyLength());
    }

    /** A key {@code maxmemory} evicts: removed, and its {@code evicted} event sent. */
    private void evicted(KeyTable.Entry e) {
        remove(e);
        events.send(KeyspaceEvents.EVICTED, "evicted", e.data, 0, e.keyLength());
    }

    void remove(KeyTable.Entry e) {
        table.remove(e);
        if (watches.any()) {
            watches.touch(e.data, 0, e.keyLength());
        }
        tracking.changed(e.data, 0, e.keyLength());
        if (aof != null) {
            aof.del(e);
        }
    }

    /**
     * A replica's full sync on this shard: its keys become {@code fresh}'s (each key's first access set already, off
     * the shard) in one step whatever their number ({@link KeyTable#takeKeysOf}), as WATCH and client tracking see
     * a FLUSHALL. Until then the shard serves its old keys. The log takes the new keys by a rewrite walked a step per
     * loop iteration (a rewrite of the old keys in progress is abandoned first), not a record per key in one step;
     * the promise completes once it switched (at once without a log). Returns null, changing nothing, while a
     * snapshot holds the table (a cancelled RDB save's part ends at its next step; a rewrite renames its base): the
     * caller tries again shortly.
     */
    Promise<Void> replaceKeys(KeyTable fresh) {
        if ((aof != null && !aof.cancelRewrite()) || table.snapshotting()) {
            return null;
        }
        if (watches.any()) {
            watches.touchExisting(table);
        }
        tracking.flushed();
        table.takeKeysOf(fresh);
        if (watches.any()) {
            watches.touchExisting(table); // a watched key the master's data holds changed too
        }
        averageTtl = 0;
        armExpiry();
        return aof == null ? Promise.completed(null) : aof.rewriteAll();
    }

    /** FLUSHALL on this shard: every key gone, and logged. */
    void flushAll() {
        if (watches.any()) {
            watches.touchExisting(table);
        }
        tracking.flushed();
        // With several shards each one's FLUSHALL reaches the replicas on its own, and another shard's writes made
        // after its own flush may come before it: they get the DEL of this shard's keys instead.
        boolean shardOnly = node.shardCount() > 1;
        if (aof != null && aof.feed != null && shardOnly) {
            aof.feed.deleteAll(table);
        }
        table.clear();
        averageTtl = 0;
        if (aof != null) {
            aof.flushAll(shardOnly);
        }
    }

    private void activeExpiry() {
        long start = System.nanoTime();
        long now = System.currentTimeMillis();
        int expired;
        if (!activeExpire || node.replica.isReplica() || node.pause.active()) {
            // DEBUG SET-ACTIVE-EXPIRE 0 while it was armed; or a replica, which waits for its master's DEL
            // (promoted, it arms the cycle again: resumeExpiry); or CLIENT PAUSE, which keeps the data as it is
            // (its end arms the cycle again: pauseEased)
            expiryArmed = false;
            return;
        }
        Tunables tunables = tunables();
        int effort = tunables.activeExpireEffort() - 1; // Redis's: each step samples a quarter more, tolerates 1 % less
        int perLoop = EXPIRY_SAMPLE + EXPIRY_SAMPLE / 4 * effort;
        long budget = EXPIRY_BUDGET_NANOS * 10 / tunables.hz() * (25 + 2 * effort) / 25;
        int samples;
        do {
            expired = 0;
            long ttlSum = 0;
            int ttlSamples = 0;
            samples = Math.min(perLoop, table.volatileCount());
            for (int i = 0; i < samples; i++) {
                KeyTable.Entry e = table.randomVolatile(random);
                long ttl = table.expireAt(e) - now;
                if (ttl <= 0) {
                    expired++;
                    expired(e);
                } else {
                    ttlSum += ttl;
                    ttlSamples++;
                }
            }
            if (table.volatileCount() == 0) {
                averageTtl = 0;
            } else if (ttlSamples > 0) { // Redis's running average: the samples weigh 2 %, the estimate 98 %
                long sampled = ttlSum / ttlSamples;
                long previous = averageTtl == 0 ? sampled : averageTtl;
                averageTtl = previous / 50 * 49 + sampled / 50;
            }
        } while (samples > 0 && expired * 100 > samples * (EXPIRY_STALE_PERCENT - effort)
                && System.nanoTime() - start < budget);
        latency.sampleIfSlow("expire-cycle", System.nanoTime() - start, node == null ? 0 : node.latency.thresholdMillis());
        expiryArmed = false;
        armExpiry();
        armIdleResize(); // the keys it removed may have shrunk a table while no connection sends
    }

    /** This shard's {@link ErrorStats}; on its own thread only. */
    ErrorStats errors() {
        ErrorStats found = errors;
        return found != null ? found : (errors = ErrorStats.current());
    }

    /**
     * A write refused before it ran (MISCONF, OOM): Redis counts it in {@code rejected_calls}, not in
     * {@code calls}, which the connection's shard counted when it dispatched it (INFO sums the shards).
     */
    private void refuse(ErrorStats errors, Command command, String error, ReplyWriter out) {
        calls[command.ordinal()]--;
        errors.rejected(command);
        out.error(error);
    }

    /** CONFIG RESETSTAT: this shard's counters start again from 0. */
    void resetStats() {
        java.util.Arrays.fill(calls, 0);
        java.util.Arrays.fill(executionNanos, 0);
        latency.resetHistograms();
        errors().clear();
        commands = 0;
        remoteCommands = 0;
        batchesIn = 0;
        expiredKeys = 0;
        hits = 0;
        misses = 0;
        replyBytesPeak = replyBytes;
    }

    /** Whether every command of this shard's clients has run but those that wait for others ({@link KvConnection#settled}). */
    boolean clientsSettled() {
        boolean[] all = {true};
        connections.forEach(c -> all[0] &= c.settled());
        return all[0];
    }

    /** CLIENT PAUSE eased: the connections it held parse again, and keys expire again. */
    void pauseEased() {
        connections.resumePaused();
        armExpiry();
    }

    /** A replica became a master: its keys expire by themselves again. */
    void resumeExpiry() {
        armExpiry();
    }

    /** DEBUG SET-ACTIVE-EXPIRE: stops or restarts the active expiry cycle. */
    void activeExpire(boolean on) {
        activeExpire = on;
        armExpiry();
    }

    /** The tunables in force: the server's, or Redis's defaults for a shard not started (tests). */
    Tunables tunables() {
        return node != null ? node.tunables : Tunables.DEFAULT;
    }

    /** Sets or clears a key's expiry (0), and starts the expiry cycle if it is not running. */
    void setExpire(KeyTable.Entry e, long expireAt) {
        table.setExpire(e, expireAt);
        armExpiry();
    }

    /**
     * Runs {@link #activeExpiry} {@code hz} times a second while the shard holds keys with an expiry,
     * and not at all otherwise, so a shard without such keys is never woken by it (an idle server's CPU).
     */
    private void armExpiry() {
        if (!expiryArmed && activeExpire && table.volatileCount() > 0) {
            expiryArmed = true;
            shard.schedule(Duration.ofMillis(1000 / tunables().hz()), this::activeExpiry);
        }
    }

    /**
     * Runs the once-a-second idle check while {@code timeout} (kv.idle-timeout, CONFIG SET timeout) is not
     * zero; called at start and when CONFIG SET changes it.
     */
    void armIdleCheck() {
        if (!idleCheckArmed && !node.settings.idleTimeout().isZero()) {
            idleCheckArmed = true;
            shard.schedule(Duration.ofSeconds(1), this::closeIdle);
        }
    }

    /**
     * The most the keys took ({@link KeyTable#usedBytes}) when looked at: at each traffic sample (every 100 ms
     * while connections send) and each INFO.
     */
    long usedMemoryPeak() {
        usedMemoryPeak = Math.max(usedMemoryPeak, table.usedBytes());
        return usedMemoryPeak;
    }

    /** A read arrived while {@link #traffic} was not sampling: samples every 100 ms until it is quiet again. */
    void startTrafficSampling() {
        traffic.startSampling(System.nanoTime(), commands);
        shard.schedule(ShardTraffic.SAMPLE_PERIOD, this::sampleTraffic);
    }

    private void sampleTraffic() {
        usedMemoryPeak();
        if (tunables().activeRehashing()) {
            table.continueResize(RESIZE_BUCKETS_PER_SAMPLE);
        }
        if (traffic.sample(System.nanoTime(), commands)) {
            shard.schedule(ShardTraffic.SAMPLE_PERIOD, this::sampleTraffic);
        } else {
            armIdleResize();
        }
    }

    /**
     * A resize in progress while the traffic sampling is stopped (the shard is idle: the sampling just stopped, or
     * active expiry removed keys meanwhile): {@link #idleResize} finishes it, as Redis's cron does, so an idle shard
     * does not keep the old array until traffic resumes.
     */
    private void armIdleResize() {
        if (!idleResizeArmed && !traffic.sampling() && table.resizePending()) {
            idleResizeArmed = true;
            shard.schedule(ShardTraffic.SAMPLE_PERIOD, this::idleResize);
        }
    }

    /**
     * Moves a resize on for {@link #IDLE_RESIZE_NANOS} while the shard is idle, until it is done; traffic that resumed
     * takes the work back ({@link #sampleTraffic}, which arms this again once it stops), and activerehashing no stops it.
     */
    private void idleResize() {
        idleResizeArmed = false;
        if (traffic.sampling() || !tunables().activeRehashing()) {
            return;
        }
        long deadline = System.nanoTime() + IDLE_RESIZE_NANOS;
        do {
            table.continueResize(IDLE_RESIZE_STEP);
        } while (table.resizePending() && System.nanoTime() - deadline < 0);
        armIdleResize();
    }

    private void closeIdle() {
        idleCheckArmed = false;
        Duration timeout = node.settings.idleTimeout();
        if (!timeout.isZero()) {
            connections.closeIdleSince(System.nanoTime() - timeout.toNanos());
            armIdleCheck();
        }
    }
}
