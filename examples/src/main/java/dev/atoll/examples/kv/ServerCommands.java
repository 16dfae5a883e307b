package dev.atoll.examples.kv;

import dev.atoll.examples.ServerLifecycle;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.LinkedHashMap;

/**
 * The commands that concern the connection or the server rather than a key: PING, ECHO, AUTH,
 * HELLO, SELECT, QUIT, CLIENT, COMMAND, CONFIG GET, and the ones every shard takes part in (KEYS,
 * SCAN, DBSIZE, FLUSHALL, INFO). Off the hot path except PING and ECHO, so it allocates freely.
 */
final class ServerCommands {
    /** The Redis version the server reports: the protocol level its commands and replies follow. */
    static final String REDIS_VERSION = "7.0.0";

    private static final byte[] PONG_WORD = ReplyWriter.asciiBytes("pong");
    private static final byte[] ASYNC = ReplyWriter.asciiBytes("async");
    private static final byte[] SYNC = ReplyWriter.asciiBytes("sync");
    /** The one user, named case-sensitively as Redis's ACL names it. */
    private static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";

    private final KvNode node;
    private final KvConnection connection;
    private final ClusterCommands cluster;

    ServerCommands(KvNode node, KvConnection connection) {
        this.node = node;
        this.connection = connection;
        this.cluster = new ClusterCommands(node, connection);
    }


    void connectionCommand(Command command, Request r, ReplyWriter out) {
        switch (command) {
            case PING -> {
                if (r.count() > 2) {
                    out.error(KvConnection.wrongArity("ping"));
                } else if (connection.subscribedResp2()) {
                    // RESP2 with subscriptions: as a message, ["pong", argument or ""].
                    out.arrayHeader(2).bulk(PONG_WORD).bulk(r.bytes, r.offset(r.count() - 1), r.count() == 2 ? r.length(1) : 0);
                } else if (r.count() == 2) {
                    out.bulk(r.bytes, r.offset(1), r.length(1));
                } else {
                    out.raw(ReplyWriter.PONG);
                }
            }
            case ECHO -> out.bulk(r.bytes, r.offset(1), r.length(1));
            case QUIT -> {
                out.ok();
                connection.closeAfterReplies();
            }
            case SELECT -> {
                if (databaseZero(r, 1, out)) {
                    out.ok();
                }
            }
            case AUTH -> auth(r, out);
            case HELLO -> hello(r, out);
            case CLIENT -> client(r, out);
            case COMMAND -> CommandDocs.command(r, out);
            case CLUSTER, READONLY, READWRITE, ASKING -> cluster.command(command, r, out);
            case CONFIG -> config(r, out);
            case TIME -> {
                java.time.Instant now = java.time.Instant.now();
                out.arrayHeader(2).bulk(Long.toString(now.getEpochSecond())).bulk(Long.toString(now.getNano() / 1000));
            }
            case SHUTDOWN -> shutdown(r, out);
            case LASTSAVE -> out.integer(node.rdb.lastSaveSeconds());
            case MOVE -> {
                // One database: the key is never looked at, as in Redis, where these checks come first.
                if (databaseZero(r, 2, out)) {
                    out.error("ERR source and destination objects are the same");
                }
            }
            case SWAPDB -> {
                // Redis reads both indexes, then swaps: here only 0 with 0, which changes nothing.
                boolean firstIsNumber = r.longAt(1);
                long first = r.number;
                if (!firstIsNumber) {
                    out.error("ERR invalid first DB index");
                } else if (!r.longAt(2)) {
                    out.error("ERR invalid second DB index");
                } else if (first != 0 || r.number != 0) {
                    out.error("ERR DB index is out of range");
                } else {
                    out.ok();
                }
            }
            case ROLE -> node.role(out); // inside MULTI (TxCommands); else ReplicationCommands
            case REPLICAOF, SLAVEOF -> node.replica.command(r, out);
            case WAIT -> {
                // Inside MULTI: Redis answers at once, with the replicas that acknowledged the stream so far.
                if (ReplicationCommands.waitArguments(r, out) != null) {
                    out.integer(node.replication.ackedNow());
                }
            }
            default -> throw new IllegalArgumentException(command + " is not a connection command");
        }
    }

    /**
     * Whether argument {@code i} of {@code r} names database 0, the only one; else answers Redis's error
     * (not an integer, or out of range) and returns false.
     */
    private static boolean databaseZero(Request r, int i, ReplyWriter out) {
        if (!r.longAt(i)) {
            out.error(KvShard.NOT_INTEGER);
            return false;
        }
        if (r.number != 0) {
            out.error("ERR DB index is out of range");
            return false;
        }
        return true;
    }

    /**
     * SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]: the process stops as at SIGTERM — the RDB file saved
     * with SAVE, or without NOSAVE when there are save points, connections closed, every shard's log written and
     * synced whatever the fsync policy — and the client gets no reply, as from Redis. There is no replica to wait
     * for, so NOW and FORCE change nothing; ABORT finds no shutdown in progress.
     */
    private void shutdown(Request r, ReplyWriter out) {
        boolean save = false;
        boolean noSave = false;
        for (int i = 1; i < r.count(); i++) {
            switch (r.string(i).toLowerCase(Locale.ROOT)) {
                case "save" -> save = true;
                case "nosave" -> noSave = true;
                case "now", "force" -> { }
                case "abort" -> {
                    if (r.count() == 2) {
                        out.error("ERR No shutdown in progress.");
                        return;
                    }
                    out.error("ERR syntax error");
                    return;
                }
                default -> {
                    out.error("ERR syntax error");
                    return;
                }
            }
        }
        if (save && noSave) {
            out.error("ERR syntax error");
            return;
        }
        node.stopSave = save ? KvNode.StopSave.SAVE : noSave ? KvNode.StopSave.NO_SAVE : KvNode.StopSave.IF_SAVE_POINTS;
        if (!ServerLifecycle.requestStop()) {
            node.stopSave = KvNode.StopSave.IF_SAVE_POINTS;
            out.error("ERR Errors trying to SHUTDOWN. Check logs."); // in a test: nothing to stop
        }
    }

    /** AUTH [user] password: as Redis 7.0's ACL: the user must exist, be on, and take the password (or be nopass). */
    private void auth(Request r, ReplyWriter out) {
        if (r.count() > 3) {
            out.error(KvShard.SYNTAX);
            return;
        }
        if (r.count() == 2 && node.acl.defaultUser().rules.needsNoPassword()) {
            out.error("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?");
            return;
        }
        String name = r.count() == 2 ? AclUsers.DEFAULT : r.string(1);
        if (authenticate(r, name, r.count() - 1)) {
            out.ok();
        } else {
            out.error(WRONGPASS);
        }
    }

    /**
     * Makes the connection user {@code name} when it exists, is on and the password at {@code password}
     * opens it; else logs the refusal (ACL LOG, object the command's name as sent) and answers false.
     */
    private boolean authenticate(Request r, String name, int password) {
        AclUser user = node.acl.get(name);
        if (user != null && user.rules.opens(r.copy(password))) {
            connection.user = user;
            connection.authenticated = true;
            return true;
        }
        node.aclLog.refusedAuth(r.string(0), name, connection.aclContext(), connection.describe());
        return false;
    }

    /** HELLO [protover [AUTH user pass] [SETNAME name]]: protocol 2 or 3, as Redis 7. */
    private void hello(Request r, ReplyWriter out) {
        int i = 1;
        int protocol = out.resp3() ? 3 : 2;
        if (r.count() > 1) {
            if (!r.longAt(1)) {
                out.error("ERR Protocol version is not an integer or out of range");
                return;
            }
            if (r.number != 2 && r.number != 3) {
                out.error("NOPROTO unsupported protocol version");
                return;
            }
            protocol = (int) r.number;
            i = 2;
        }
        String setName = null;
        for (; i < r.count(); i++) {
            String option = r.string(i).toLowerCase(Locale.ROOT);
            if (option.equals("auth") && i + 2 < r.count()) {
                if (!authenticate(r, r.string(i + 1), i + 2)) {
                    out.error(WRONGPASS);
                    return;
                }
                i += 2;
            } else if (option.equals("setname") && i + 1 < r.count()) {
                setName = r.string(++i);
            } else {
                out.error("ERR Syntax error in HELLO option '" + r.string(i) + "'");
                return;
            }
        }
        if (!connection.authenticated) {
            out.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto>"
                    + " AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol"
                    + " version at the same time");
            return;
        }
        if (setName != null) {
            connection.name = setName;
        }
        // The reply is already in the protocol asked for (out is the connection's writer or one that
        // follows it), so the switch happens before it is written.
        connection.protocol(protocol == 3);
        out.resp3(protocol == 3);
        out.mapHeader(7)
                .bulk("server").bulk("redis")
                .bulk("version").bulk(REDIS_VERSION)
                .bulk("proto").integer(protocol)
                .bulk("id").integer(connection.id)
                .bulk("mode").bulk("standalone")
                .bulk("role").bulk("master")
                .bulk("modules").raw(ReplyWriter.EMPTY_ARRAY);
    }

    private void client(Request r, ReplyWriter out) {
        String sub = r.string(1).toLowerCase(Locale.ROOT);
        switch (sub) {
            case "setname" -> {
                if (r.count() != 3) {
                    out.error(KvConnection.wrongArity("client|setname"));
                    return;
                }
                for (int k = r.offset(2); k < r.offset(2) + r.length(2); k++) {
                    if (r.bytes[k] <= ' ' || r.bytes[k] > '~') {
                        out.error("ERR Client names cannot contain spaces, newlines or special characters.");
                        return;
                    }
                }
                connection.name = r.length(2) == 0 ? null : r.string(2);
                out.ok();
            }
            case "getname" -> {
                if (connection.name == null) {
                    out.nullBulk();
                } else {
                    out.bulk(connection.name);
                }
            }
            case "id" -> out.integer(connection.id);
            case "no-evict" -> {
                if (r.count() != 3) {
                    out.error(KvConnection.wrongArity("client|no-evict"));
                } else if (r.string(2).equalsIgnoreCase("on") || r.string(2).equalsIgnoreCase("off")) {
                    connection.noEvict = r.string(2).equalsIgnoreCase("on"); // shown in CLIENT LIST; no client is evicted here
                    out.ok();
                } else {
                    out.error(KvShard.SYNTAX);
                }
            }
            case "setinfo" -> {
                if (r.count() != 4) {
                    out.error(KvConnection.wrongArity("client|setinfo"));
                } else {
                    out.ok();
                }
            }
            default -> out.error("ERR unknown subcommand '" + r.string(1) + "'. Try CLIENT HELP.");
        }
    }

    /** CONFIG GET pattern [pattern ...]: the parameters clients and benchmarks ask about. */
    private void config(Request r, ReplyWriter out) {
        if (!r.string(1).equalsIgnoreCase("get")) {
            out.error("ERR unknown subcommand '" + r.string(1) + "'. Try CONFIG HELP.");
            return;
        }
        if (r.count() < 3) {
            out.error(KvConnection.wrongArity("config|get"));
            return;
        }
        KvSettings s = node.settings;
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("save", s.rdb().savePointsText());
        parameters.put("rdbcompression", s.rdb().compression() ? "yes" : "no");
        parameters.put("rdbchecksum", s.rdb().checksum() ? "yes" : "no");
        parameters.put("stop-writes-on-bgsave-error", s.rdb().stopWritesOnError() ? "yes" : "no");
        parameters.put("appendonly", s.appendOnly() ? "yes" : "no");
        parameters.put("appendfsync", s.fsync().name().toLowerCase(Locale.ROOT));
        parameters.put("dir", s.dir().toAbsolutePath().toString());
        parameters.put("dbfilename", s.dbFilename());
        parameters.put("maxclients", Integer.toString(s.maxConnections()));
        parameters.put("timeout", Long.toString(s.idleTimeout().toSeconds()));
        parameters.put("maxmemory", Long.toString(s.memory().maxMemory()));
        parameters.put("maxmemory-policy", s.memory().policy().redisName());
        parameters.put("maxmemory-samples", Integer.toString(s.memory().samples()));
        parameters.put("slowlog-log-slower-than", Long.toString(s.slowLog().slowerThanMicros()));
        parameters.put("slowlog-max-len", Integer.toString(s.slowLog().maxLen()));
        node.latency.describe(parameters);
        node.replica.settings.describe(parameters, node.replica.master);
        node.replication.settings.describe(parameters);
        parameters.put("proto-max-bulk-len", Integer.toString(s.input().protoMaxBulkLen()));
        parameters.put("client-query-buffer-limit", Integer.toString(s.input().clientQueryBufferLimit()));
        parameters.put("protected-mode", s.protectedMode() ? "yes" : "no");
        parameters.put("databases", "1");
        parameters.put("port", Integer.toString(node.port));
        parameters.put("requirepass", s.password());
        parameters.put("notify-keyspace-events", KeyspaceEvents.format(node.keyspaceEvents));
        parameters.put("tracking-table-max-keys", Long.toString(node.trackingTableMaxKeys));
        parameters.put("busy-reply-threshold", Long.toString(node.scripts.busyMillis));
        parameters.put("lua-time-limit", Long.toString(node.scripts.busyMillis));
        KvSettings.OutputLimits limits = s.output();
        KvSettings.PubSubLimits pubsub = s.pubsubOutput();
        parameters.put("client-output-buffer-limit", "normal " + limits.hardLimit() + " " + limits.softLimit() + " "
                + limits.softSeconds() + " " + node.replication.settings.replicaLimits() + " pubsub " + pubsub.hard() + " " + pubsub.soft() + " " + pubsub.softSeconds());
        List<String> matched = new ArrayList<>();
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            byte[] name = ReplyWriter.asciiBytes(p.getKey());
            for (int i = 2; i < r.count(); i++) {
                if (Glob.matches(r.copy(i), name)) {
                    matched.add(p.getKey());
                    matched.add(p.getValue());
                    break;
                }
            }
        }
        out.mapHeader(matched.size() / 2);
        matched.forEach(out::bulk);
    }

    // ---- every shard ----

    /** Starts a command every shard takes part in; null when it was answered at once into {@code out}. */
    ReplySource allShards(Command command, Request r, ReplyWriter out) {
        int[] all = new int[node.shardCount()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        switch (command) {
            case RANDOMKEY -> {
                return FanOut.start(node, connection, out.resp3(), all,
                        shard -> new RandomPick(shard.randomKey(System.currentTimeMillis()), shard.table.size()),
                        this::randomKeyReply);
            }
            case DBSIZE -> {
                return FanOut.start(node, connection, out.resp3(), all, shard -> (long) shard.table.size(),
                        (results, reply) -> reply.integer(sum(results)));
            }
            case FLUSHALL, FLUSHDB -> {
                if (r.count() > 2 || (r.count() == 2 && !r.is(1, ASYNC) && !r.is(1, SYNC))) {
                    out.error(KvShard.SYNTAX);
                    return null;
                }
                return FanOut.start(node, connection, out.resp3(), all, shard -> {
                    shard.flushAll();
                    return null;
                }, (results, reply) -> reply.ok());
            }
            case BGREWRITEAOF -> {
                if (!node.settings.appendOnly()) {
                    out.error("ERR Append only file is off (kv.appendonly = no)");
                    return null;
                }
                return FanOut.start(node, connection, out.resp3(), all, shard -> shard.aof.requestRewrite(),
                        (results, reply) -> reply.simple(Arrays.asList(results).contains(false)
                                ? "Background append only file rewriting scheduled"
                                : "Background append only file rewriting started"));
            }
            case KEYS -> {
                byte[] pattern = r.copy(1);
                return FanOut.start(node, connection, out.resp3(), all, shard -> matchingKeys(shard, pattern),
                        ServerCommands::keysReply);
            }
            case SCAN -> {
                return scan(r, out);
            }
            case INFO -> {
                List<String> sections = new ArrayList<>();
                for (int i = 1; i < r.count(); i++) {
                    sections.add(r.string(i).toLowerCase(Locale.ROOT));
                }
                boolean latency = KvInfo.wantsLatency(sections);
                return FanOut.startAside(node, connection, out.resp3(), all, shard -> KvInfo.shardStats(shard, latency),
                        (results, reply) -> reply.verbatim(KvInfo.text(node, sections, results)));
            }
            default -> throw new IllegalArgumentException(command + " is not an all-shards command");
        }
    }

    /** One shard's random key (null: none) and how many keys it holds. */
    private record RandomPick(byte[] key, long keys) { }

    /** Picks among the shards' random keys, each shard as likely as its share of the keys. */
    private void randomKeyReply(Object[] results, ReplyWriter reply) {
        long total = 0;
        for (Object o : results) {
            RandomPick pick = (RandomPick) o;
            total += pick.key() == null ? 0 : pick.keys();
        }
        if (total > 0) {
            long at = java.util.concurrent.ThreadLocalRandom.current().nextLong(total);
            for (Object o : results) {
                RandomPick pick = (RandomPick) o;
                if (pick.key() != null && (at -= pick.keys()) < 0) {
                    reply.bulk(pick.key());
                    return;
                }
            }
        }
        reply.nullBulk();
    }

    private static long sum(Object[] results) {
        long total = 0;
        for (Object o : results) {
            total += (Long) o;
        }
        return total;
    }

    private List<byte[]> matchingKeys(KvShard shard, byte[] pattern) {
        List<byte[]> keys = new ArrayList<>();
        long now = System.currentTimeMillis();
        boolean all = Glob.isEverything(pattern);
        shard.table.forEach(e -> {
            endIfStopping();
            if (!shard.table.expiredBy(e, now) && (all || Glob.matches(pattern, e.key()))) {
                keys.add(e.key());
            }
        });
        return keys;
    }

    /**
     * Ends a walk over a shard's keys when the server is asked to stop: matching a long pattern against
     * many long keys may take long, and the stop must not wait for it. The fan-out answers the error.
     */
    private void endIfStopping() {
        if (node.stopping) { // volatile read: set by another thread at SIGTERM
            throw new IllegalStateException("the server is stopping");
        }
    }

    @SuppressWarnings("unchecked")
    private static void keysReply(Object[] results, ReplyWriter reply) {
        long total = 0;
        for (Object o : results) {
            total += ((List<byte[]>) o).size();
        }
        reply.arrayHeader(total);
        for (Object o : results) {
            ((List<byte[]>) o).forEach(reply::bulk);
        }
    }

    /** A page of one shard's keys and the cursor after it. */
    private record ScanPage(long next, List<byte[]> keys) { }

    /**
     * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. The cursor holds the shard in its low
     * part ({@code cursor % shards}) and that shard's table cursor above it; each call scans one
     * shard and moves to the next one when that shard's walk completes.
     */
    private ReplySource scan(Request r, ReplyWriter out) {
        long cursor;
        try {
            cursor = Long.parseUnsignedLong(r.string(1));
        } catch (NumberFormatException e) {
            out.error("ERR invalid cursor");
            return null;
        }
        ScanOptions options = ScanOptions.parse(r, 2, true, out);
        if (options == null) {
            return null;
        }
        int shards = node.shardCount();
        int shardIndex = (int) Long.remainderUnsigned(cursor, shards);
        long tableCursor = Long.divideUnsigned(cursor, shards);
        return FanOut.start(node, connection, out.resp3(), new int[] {shardIndex}, shard -> {
            List<byte[]> keys = new ArrayList<>();
            long now = System.currentTimeMillis();
            long next = shard.table.scan(tableCursor, options.count(), e -> {
                endIfStopping();
                if ((options.type() == null || options.type().equals(KvShard.typeName(e))) && !shard.table.expiredBy(e, now)
                        && options.matches(e.key())) {
                    keys.add(e.key());
                }
            });
            return new ScanPage(next, keys);
        }, (results, reply) -> {
            ScanPage page = (ScanPage) results[shardIndex];
            long nextCursor = page.next() != 0 ? page.next() * shards + shardIndex
                    : shardIndex + 1 < shards ? shardIndex + 1 : 0;
            reply.arrayHeader(2).bulk(Long.toUnsignedString(nextCursor)).arrayHeader(page.keys().size());
            page.keys().forEach(reply::bulk);
        });
    }

    /** The process id, for INFO. */
    static long pid() {
        return ManagementFactory.getRuntimeMXBean().getPid();
    }
}
