package dev.atoll.examples.kv;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The commands of {@link Command.Kind#SERVER}: pub/sub ({@link PubSubCommands}), RESET, and the
 * administration Redis clients and tools use — CLIENT LIST, INFO and KILL over every shard's
 * connections (each shard lists and closes its own), CONFIG SET of what may change at run time,
 * CONFIG RESETSTAT, DEBUG (SLEEP, SET-ACTIVE-EXPIRE, OBJECT, POPULATE, HTSTATS, DIGEST, RELOAD, ...) — with Redis 7.0's replies and errors.
 * One per connection, made at its first such command; off the hot path, so it allocates freely.
 */
final class AdminCommands {
    private final KvNode node;
    private final KvConnection connection;
    private final ServerCommands server;

    AdminCommands(KvNode node, KvConnection connection, ServerCommands server) {
        this.node = node;
        this.connection = connection;
        this.server = server;
    }

    /** Runs the command; returns the pending reply, or null when it was answered into {@code out}. */
    ReplySource execute(Command command, Request r, ReplyWriter out) {
        switch (command) {
            case RESET -> {
                connection.reset();
                out.resp3(false);
                out.simple("RESET");
                return null;
            }
            case CLIENT -> {
                return client(r, out);
            }
            case CONFIG -> {
                return config(r, out);
            }
            case DEBUG -> {
                return debug(r, out);
            }
            case SLOWLOG -> {
                return slowLog(r, out);
            }
            case MONITOR -> {
                connection.monitor(out);
                return null;
            }
            case ACL -> {
                return AclCommands.execute(node, connection, r, out, allShards());
            }
            case SCRIPT, FUNCTION -> {
                ScriptCommands.execute(node.local(), command, r, out);
                return null;
            }
            case LATENCY -> {
                return LatencyCommands.latency(node, connection, r, out, allShards());
            }
            case ROLE, WAIT, SYNC, PSYNC, REPLCONF -> {
                return ReplicationCommands.execute(node, connection, command, r, out, allShards());
            }
            case SAVE -> {
                return node.rdb.save(connection, out, allShards());
            }
            case BGSAVE -> {
                return node.rdb.bgsave(connection, r, out, allShards());
            }
            case PFSELFTEST -> {
                Diagnostics.pfSelfTest(out);
                return null;
            }
            case LOLWUT -> {
                Diagnostics.lolwut(r, out);
                return null;
            }
            case MIGRATE -> {
                return CrossCommand.start(node, connection, command, r, out); // null: an argument error, answered
            }
            case MODULE -> {
                Diagnostics.module(r, out);
                return null;
            }
            default -> {
                return PubSubCommands.execute(node, connection, command, r, out);
            }
        }
    }

    private int[] allShards() {
        int[] all = new int[node.shardCount()];
        Arrays.setAll(all, i -> i);
        return all;
    }

    // ---- SLOWLOG ----

    private static final String[] SLOWLOG_HELP = {
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help."};

    /** SLOWLOG GET [count] (every shard's newest, merged by id), LEN (their sum), RESET (on every shard), HELP. */
    private ReplySource slowLog(Request r, ReplyWriter out) {
        String sub = r.string(1).toLowerCase(Locale.ROOT);
        KvSettings.SlowLogLimits limits = node.settings.slowLog();
        if (sub.equals("get") && r.count() <= 3) {
            long count = 10;
            if (r.count() == 3) {
                if (!r.longAt(2) || r.number < -1) {
                    out.error("ERR count should be greater than or equal to -1");
                    return null;
                }
                count = r.number == -1 ? Long.MAX_VALUE : r.number;
            }
            long wanted = count;
            return FanOut.start(node, connection, out.resp3(), allShards(), shard -> shard.slowLog.newest(wanted, limits),
                    (results, reply) -> {
                        List<SlowLog.Entry> all = new ArrayList<>();
                        for (Object o : results) {
                            @SuppressWarnings("unchecked")
                            List<SlowLog.Entry> part = (List<SlowLog.Entry>) o;
                            all.addAll(part);
                        }
                        all.sort((a, b) -> Long.compare(b.id(), a.id())); // newest first, as each shard's
                        List<SlowLog.Entry> newest = all.subList(0, (int) Math.min(wanted, all.size()));
                        reply.arrayHeader(newest.size());
                        for (SlowLog.Entry e : newest) {
                            reply.arrayHeader(6).integer(e.id()).integer(e.unixSeconds()).integer(e.micros())
                                    .arrayHeader(e.args().size());
                            for (byte[] arg : e.args()) {
                                reply.bulk(arg);
                            }
                            reply.bulk(e.client()).bulk(e.name());
                        }
                    });
        }
        if (sub.equals("len") && r.count() == 2) {
            return FanOut.start(node, connection, out.resp3(), allShards(), shard -> (long) shard.slowLog.size(limits),
                    (results, reply) -> {
                        long total = 0;
                        for (Object o : results) {
                            total += (Long) o;
                        }
                        reply.integer(total);
                    });
        }
        if (sub.equals("reset") && r.count() == 2) {
            return FanOut.start(node, connection, out.resp3(), allShards(), shard -> {
                shard.slowLog.reset();
                return null;
            }, (results, reply) -> reply.ok());
        }
        if (sub.equals("help") && r.count() == 2) {
            out.helpLines(SLOWLOG_HELP);
            return null;
        }
        if (sub.equals("get") || sub.equals("len") || sub.equals("reset") || sub.equals("help")) {
            out.error(KvConnection.wrongArity("slowlog|" + sub));
        } else {
            out.error("ERR unknown subcommand '" + r.string(1) + "'. Try SLOWLOG HELP.");
        }
        return null;
    }

    // ---- CLIENT ----

    private ReplySource client(Request r, ReplyWriter out) {
        String sub = r.string(1).toLowerCase(Locale.ROOT);
        switch (sub) {
            case "info" -> {
                if (r.count() != 2) {
                    out.error(KvConnection.wrongArity("client|info"));
                } else {
                    out.verbatim(connection.describe() + "\n");
                }
                return null;
            }
            case "list" -> {
                return clientList(r, out);
            }
            case "kill" -> {
                return clientKill(r, out);
            }
            case "unblock" -> {
                return clientUnblock(r, out);
            }
            case "pause", "unpause" -> {
                node.pause.command(r, out);
                return null;
            }
            case "help" -> {
                out.helpLines(CLIENT_HELP);
                return null;
            }
            case "reply" -> {
                if (r.count() != 3) {
                    out.error(KvConnection.wrongArity("client|reply"));
                } else {
                    connection.replyMode(r.string(2), out);
                }
                return null;
            }
            case "tracking", "caching", "getredir", "trackinginfo" -> {
                return ClientTracking.command(node, connection, sub, r, out);
            }
            default -> {
                server.connectionCommand(Command.CLIENT, r, out);
                return null;
            }
        }
    }

    /**
     * CLIENT UNBLOCK id [TIMEOUT|ERROR]: the connection of that id, on whichever shard it lives, ends the blocking
     * command it waits in (BLPOP, BZPOPMIN, XREAD BLOCK, ...) as if it timed out, or with {@code -UNBLOCKED}; 1 when
     * one was, else 0. WAIT is not ended by it here (Redis's is).
     */
    private ReplySource clientUnblock(Request r, ReplyWriter out) {
        if (r.count() != 3 && r.count() != 4) {
            out.error(KvConnection.wrongArity("client|unblock"));
            return null;
        }
        if (!r.longAt(2)) {
            out.error(KvShard.NOT_INTEGER);
            return null;
        }
        long id = r.number;
        boolean error = false;
        if (r.count() == 4) {
            if (r.string(3).equalsIgnoreCase("error")) {
                error = true;
            } else if (!r.string(3).equalsIgnoreCase("timeout")) {
                out.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return null;
            }
        }
        boolean asError = error;
        return FanOut.start(node, connection, out.resp3(), allShards(), shard -> {
            boolean[] unblocked = {false};
            shard.connections.forEach(c -> {
                if (c.id == id && !c.closingOrClosed()) {
                    unblocked[0] = c.unblock(asError);
                }
            });
            return unblocked[0];
        }, (results, reply) -> {
            long count = 0;
            for (Object o : results) {
                count += (Boolean) o ? 1 : 0;
            }
            reply.integer(count);
        });
    }

    /** Redis 7.0's CLIENT HELP. */
    private static final String[] CLIENT_HELP = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "HELP",
        "    Prints this help."};

    /** A CLIENT KILL or CLIENT LIST filter: which connections it takes. */
    private record Filter(Set<Long> ids, String type, String addr, String laddr, boolean skipMe, long maxAge, AclUser user) {
        boolean takes(KvConnection c, long selfId) {
            if (skipMe && c.id == selfId) {
                return false;
            }
            if (ids != null && !ids.contains(c.id)) {
                return false;
            }
            if (type != null && !type.equals(c.fromMaster() ? "master" : c.isReplica() ? "replica" : c.subscribed() ? "pubsub" : "normal")) {
                return false;
            }
            if (maxAge > 0 && (System.nanoTime() - c.createdNanos) / 1_000_000_000L < maxAge) {
                return false;
            }
            if (user != null && c.user != user) {
                return false;
            }
            return (addr == null || addr.equals(c.address(true))) && (laddr == null || laddr.equals(c.address(false)));
        }
    }

    /** CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id ...]: every shard's lines, by id. */
    private ReplySource clientList(Request r, ReplyWriter out) {
        String type = null;
        Set<Long> ids = null;
        if (r.count() > 2) {
            String option = r.string(2).toLowerCase(Locale.ROOT);
            if (option.equals("type") && r.count() == 4) {
                type = clientType(r.string(3));
                if (type == null) {
                    out.error("ERR Unknown client type '" + r.string(3) + "'");
                    return null;
                }
            } else if (option.equals("id") && r.count() >= 4) {
                ids = new java.util.HashSet<>();
                for (int i = 3; i < r.count(); i++) {
                    if (!r.longAt(i) || r.number <= 0) {
                        out.error("ERR Invalid client ID");
                        return null;
                    }
                    ids.add(r.number);
                }
            } else {
                out.error(KvShard.SYNTAX);
                return null;
            }
        }
        Filter filter = new Filter(ids, type, null, null, false, 0, null);
        long self = connection.id;
        return FanOut.start(node, connection, out.resp3(), allShards(), shard -> {
            List<Object[]> lines = new ArrayList<>();
            shard.connections.forEach(c -> {
                if (!c.closingOrClosed() && filter.takes(c, self)) {
                    lines.add(new Object[] {c.id, c.describe()});
                }
            });
            return lines;
        }, (results, reply) -> {
            List<Object[]> all = new ArrayList<>();
            for (Object o : results) {
                @SuppressWarnings("unchecked")
                List<Object[]> lines = (List<Object[]>) o;
                all.addAll(lines);
            }
            all.sort(Comparator.comparingLong(line -> (Long) line[0]));
            StringBuilder text = new StringBuilder();
            all.forEach(line -> text.append(line[1]).append('\n'));
            reply.verbatim(text.toString());
        });
    }

    /** Redis's client types: normal, pubsub, master (a replica's link: {@link MasterLink}); replica (slave) exists but no connection is one here. */
    private static String clientType(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "normal" -> "normal";
            case "pubsub" -> "pubsub";
            case "master" -> "master";
            case "replica", "slave" -> "replica";
            default -> null;
        };
    }

    /**
     * CLIENT KILL ip:port (the old form: OK or "No such client") or CLIENT KILL with filters ID, TYPE,
     * ADDR, LADDR, USER, SKIPME, MAXAGE (the number closed). Each shard closes its own; this connection,
     * when it is taken, closes after its reply.
     */
    private ReplySource clientKill(Request r, ReplyWriter out) {
        boolean oldForm = r.count() == 3;
        Filter filter;
        if (oldForm) {
            filter = new Filter(null, null, r.string(2), null, false, 0, null);
        } else {
            if (r.count() < 3 || r.count() % 2 != 0) {
                out.error(KvShard.SYNTAX);
                return null;
            }
            Set<Long> ids = null;
            String type = null;
            String addr = null;
            String laddr = null;
            boolean skipMe = true;
            long maxAge = 0;
            AclUser user = null;
            for (int i = 2; i < r.count(); i += 2) {
                String option = r.string(i).toLowerCase(Locale.ROOT);
                String value = r.string(i + 1);
                switch (option) {
                    case "id" -> {
                        if (!r.longAt(i + 1) || r.number <= 0) {
                            out.error("ERR client-id should be greater than 0");
                            return null;
                        }
                        ids = Set.of(r.number);
                    }
                    case "type" -> {
                        type = clientType(value);
                        if (type == null) {
                            out.error("ERR Unknown client type '" + value + "'");
                            return null;
                        }
                    }
                    case "addr" -> addr = value;
                    case "laddr" -> laddr = value;
                    case "user" -> {
                        user = node.acl.get(value);
                        if (user == null) {
                            out.error("ERR No such user '" + value + "'");
                            return null;
                        }
                    }
                    case "skipme" -> {
                        if (value.equalsIgnoreCase("yes")) {
                            skipMe = true;
                        } else if (value.equalsIgnoreCase("no")) {
                            skipMe = false;
                        } else {
                            out.error(KvShard.SYNTAX);
                            return null;
                        }
                    }
                    case "maxage" -> {
                        if (!r.longAt(i + 1)) {
                            out.error(KvShard.SYNTAX);
                            return null;
                        }
                        maxAge = r.number;
                    }
                    default -> {
                        out.error(KvShard.SYNTAX);
                        return null;
                    }
                }
            }
            filter = new Filter(ids, type, addr, laddr, skipMe, maxAge, user);
        }
        long self = connection.id;
        KvConnection requester = connection;
        return FanOut.start(node, connection, out.resp3(), allShards(), shard -> {
            List<KvConnection> taken = new ArrayList<>();
            shard.connections.forEach(c -> {
                if (!c.closingOrClosed() && filter.takes(c, self)) {
                    taken.add(c);
                }
            });
            long killed = 0;
            for (KvConnection c : taken) {
                if (oldForm && killed > 0) {
                    break; // the old form closes one
                }
                if (c == requester) {
                    c.closeAfterReplies();
                } else {
                    c.closeNow();
                }
                killed++;
            }
            return killed;
        }, (results, reply) -> {
            long killed = 0;
            for (Object o : results) {
                killed += (Long) o;
            }
            if (!oldForm) {
                reply.integer(killed);
            } else if (killed > 0) {
                reply.ok();
            } else {
                reply.error("ERR No such client");
            }
        });
    }

    // ---- CONFIG ----

    private static final String[] CONFIG_HELP = {
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help.",
    };

    private ReplySource config(Request r, ReplyWriter out) {
        String sub = r.string(1).toLowerCase(Locale.ROOT);
        switch (sub) {
            case "set" -> {
                if (r.count() < 4) {
                    out.error(KvConnection.wrongArity("config|set"));
                    return null;
                }
                if (r.count() % 2 != 0) { // a name without its value: Redis's syntax error
                    out.error(KvShard.SYNTAX);
                    return null;
                }
                return configSet(r, out);
            }
            case "resetstat" -> {
                if (r.count() != 2) {
                    out.error(KvConnection.wrongArity("config|resetstat"));
                    return null;
                }
                node.connectionsAccepted.set(0);
                node.connectionsRejected.set(0);
                node.outputLimitDisconnections.set(0);
                return FanOut.start(node, connection, out.resp3(), allShards(), shard -> {
                    shard.resetStats();
                    return null;
                }, (results, reply) -> reply.ok());
            }
            case "rewrite" -> {
                if (r.count() != 2) {
                    out.error(KvConnection.wrongArity("config|rewrite"));
                } else {
                    out.error(ConfigParameters.rewriteRefusal(node));
                }
                return null;
            }
            case "help" -> {
                if (r.count() != 2) {
                    out.error(KvConnection.wrongArity("config|help"));
                } else {
                    out.helpLines(CONFIG_HELP);
                }
                return null;
            }
            default -> {
                server.connectionCommand(Command.CONFIG, r, out);
                return null;
            }
        }
    }

    /** The parameters whose change reaches each shard's eviction ({@link KvShard#memoryChanged}). */
    private static final Set<String> MEMORY_LIMITS = Set.of("maxmemory", "maxmemory-policy", "maxmemory-samples");

    /** A refused CONFIG SET, worded as Redis words it. */
    private static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * CONFIG SET name value [name value ...]: all or nothing, as in Redis 7. {@code appendfsync}, {@code maxclients},
     * {@code timeout}, {@code client-output-buffer-limit} (classes normal — for connections accepted
     * afterwards — and pubsub — at once) and {@code maxmemory}, {@code maxmemory-policy} (within LRU or
     * LFU tracking), {@code maxmemory-samples} change; the other parameters CONFIG GET shows are refused,
     * unknown ones get Redis's error. The new settings are published whole ({@link KvNode#settings}); a
     * changed timeout starts each shard's idle check, a changed memory limit reaches each shard's eviction.
     */
    private ReplySource configSet(Request r, ReplyWriter out) {
        KvSettings s = node.settings;
        Map<String, String> seen = new HashMap<>();
        int keyspaceEvents = node.keyspaceEvents;
        LatencyCommands.Settings latency = node.latency;
        long trackingMaxKeys = node.trackingTableMaxKeys;
        long busyMillis = node.scripts.busyMillis;
        ReplicaSettings replica = node.replica.settings;
        Tunables tunables = node.tunables;
        ch.qos.logback.classic.Level logLevel = null;
        MasterSettings master = node.replication.settings;
        try {
            for (int i = 2; i < r.count(); i += 2) {
                String name = r.string(i).toLowerCase(Locale.ROOT);
                String value = r.string(i + 1);
                if (seen.put(name, value) != null) {
                    throw new Refused(failed(r.string(i), "duplicate parameter")); // named as given, as Redis's
                }
                if (LatencyCommands.SETTINGS.contains(name)) {
                    try {
                        latency = latency.with(name, value);
                    } catch (IllegalArgumentException e) {
                        throw new Refused(failed(name, e.getMessage()));
                    }
                } else if (ReplicaSettings.NAMES.contains(name)) {
                    try {
                        replica = replica.with(name, value);
                        if (MasterSettings.NAMES.contains(name)) {
                            master = master.with(name, value); // repl-timeout: both sides read it, as Redis's one setting
                        }
                    } catch (IllegalArgumentException e) {
                        throw new Refused(failed(name, e.getMessage()));
                    }
                } else if (Tunables.NAMES.contains(name)) {
                    try {
                        tunables = tunables.with(name, value);
                    } catch (IllegalArgumentException e) {
                        throw new Refused(failed(name, e.getMessage()));
                    }
                } else if (name.equals("loglevel")) {
                    try {
                        logLevel = LogLevel.parse(value);
                    } catch (IllegalArgumentException e) {
                        throw new Refused(failed(name, e.getMessage()));
                    }
                } else if (ConfigParameters.contains(name)) {
                    String refusal = ConfigParameters.refusal(node, name, value);
                    if (refusal != null) {
                        throw new Refused(failed(name, refusal));
                    }
                } else if (MasterSettings.NAMES.contains(name)) {
                    try {
                        master = master.with(name, value);
                    } catch (IllegalArgumentException e) {
                        throw new Refused(failed(name, e.getMessage()));
                    }
                } else if (name.equals("notify-keyspace-events")) {
                    keyspaceEvents = KeyspaceEvents.parse(value);
                    if (keyspaceEvents < 0) {
                        throw new Refused(failed(name, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."));
                    }
                } else if (name.equals("tracking-table-max-keys")) { // client-side caching (Tracking)
                    trackingMaxKeys = integer(name, value);
                    if (trackingMaxKeys < 0) {
                        throw new Refused(failed(name, "argument must be between 0 and " + Long.MAX_VALUE + " inclusive"));
                    }
                } else if (name.equals("busy-reply-threshold") || name.equals("lua-time-limit")) {
                    busyMillis = integer(name, value); // the time a script may run (ScriptEngine stops it then)
                    if (busyMillis < 1) {
                        throw new Refused(failed(name, "argument must be between 1 and " + Long.MAX_VALUE + " inclusive"));
                    }
                } else {
                    s = set(s, name, value);
                    if (name.equals("client-output-buffer-limit")) {
                        master = replicaLimits(master, value); // checked by set
                    }
                }
            }
        } catch (Refused e) {
            out.error(e.getMessage());
            return null;
        }
        node.settings = s;
        node.rdb.refreshRefusal(); // save "" or stop-writes-on-bgsave-error no lifts MISCONF at once, as in Redis
        node.rdb.checkSavePoints();
        node.keyspaceEvents = keyspaceEvents;
        node.latency = latency;
        node.trackingTableMaxKeys = trackingMaxKeys;
        node.scripts.busyMillis = busyMillis;
        node.replica.settings = replica;
        node.tunables = tunables;
        EncodingLimits.current = tunables.encodings();
        if (logLevel != null) {
            LogLevel.set(logLevel);
        }
        node.replication.configure(master);
        boolean timeout = seen.containsKey("timeout");
        boolean memory = seen.keySet().stream().anyMatch(MEMORY_LIMITS::contains);
        boolean fsync = seen.containsKey("appendfsync");
        boolean rewrite = seen.keySet().stream().anyMatch(name -> name.startsWith("auto-aof-rewrite")
                || name.equals("aof-rewrite-incremental-fsync"));
        if (!timeout && !memory && !fsync && !rewrite) {
            out.ok();
            return null;
        }
        KvSettings.MemoryLimits limits = s.memory();
        KvSettings.FsyncPolicy policy = s.fsync();
        long rewriteMinBytes = s.rewriteMinBytes();
        int rewriteGrowthPercent = s.rewriteGrowthPercent();
        boolean incrementalSync = tunables.aofRewriteIncrementalFsync();
        // OK once every shard applied it: under always, each write answered after the OK waits for its sync.
        return FanOut.start(node, connection, out.resp3(), allShards(), shard -> {
            if (timeout) {
                shard.armIdleCheck();
            }
            if (memory) {
                shard.memoryChanged(limits, node.shardCount());
            }
            if (fsync && shard.aof != null) {
                shard.aof.fsync(policy);
            }
            if (rewrite && shard.aof != null) {
                shard.aof.rewritePolicy(rewriteMinBytes, rewriteGrowthPercent, incrementalSync);
            }
            return null;
        }, (results, reply) -> reply.ok());
    }

    private static String failed(String name, String why) {
        return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why;
    }

    private static KvSettings set(KvSettings s, String name, String value) throws Refused {
        switch (name) {
            case "maxclients" -> {
                long n = integer(name, value);
                if (n < 1 || n > 1_000_000) {
                    throw new Refused(failed(name, "argument must be between 1 and 1000000 inclusive"));
                }
                return with(s, s.fsync(), (int) n, s.idleTimeout(), s.output(), s.pubsubOutput(), s.memory());
            }
            case "timeout" -> {
                long n = integer(name, value);
                if (n < 0 || n > Integer.MAX_VALUE) {
                    throw new Refused(failed(name, "argument must be between 0 and 2147483647 inclusive"));
                }
                return with(s, s.fsync(), s.maxConnections(), Duration.ofSeconds(n), s.output(), s.pubsubOutput(), s.memory());
            }
            case "client-output-buffer-limit" -> {
                return outputLimits(s, value);
            }
            case "maxmemory", "maxmemory-policy", "maxmemory-samples" -> {
                return memorySetting(s, name, value);
            }
            case "slowlog-log-slower-than", "slowlog-max-len" -> {
                long n = integer(name, value);
                boolean slower = name.equals("slowlog-log-slower-than");
                if (slower ? n < -1 || n > Long.MAX_VALUE / 1000 : n < 0 || n > 1_000_000) {
                    throw new Refused(failed(name, slower ? "argument must be between -1 and " + Long.MAX_VALUE / 1000
                            + " inclusive" : "argument must be between 0 and 1000000 inclusive"));
                }
                KvSettings.SlowLogLimits old = s.slowLog();
                return with(s, s.fsync(), s.maxConnections(), s.idleTimeout(), s.output(), s.pubsubOutput(), s.memory(),
                        slower ? new KvSettings.SlowLogLimits(n, old.maxLen()) : new KvSettings.SlowLogLimits(old.slowerThanMicros(), (int) n));
            }
            case "appendfsync" -> {
                for (KvSettings.FsyncPolicy policy : KvSettings.FsyncPolicy.values()) {
                    if (policy.name().equalsIgnoreCase(value)) {
                        return with(s, policy, s.maxConnections(), s.idleTimeout(), s.output(), s.pubsubOutput(), s.memory());
                    }
                }
                throw new Refused(failed(name, "argument(s) must be one of the following: everysec, always, no"));
            }
            case "auto-aof-rewrite-percentage" -> {
                long n = integer(name, value);
                if (n < 0 || n > Integer.MAX_VALUE) {
                    throw new Refused(failed(name, "argument must be between 0 and 2147483647 inclusive"));
                }
                return s.withAofRewrite(s.rewriteMinBytes(), (int) n);
            }
            case "auto-aof-rewrite-min-size" -> {
                long bytes = memory(value);
                if (bytes < 0) {
                    throw new Refused(failed(name, "argument must be a memory value"));
                }
                return s.withAofRewrite(bytes, s.rewriteGrowthPercent());
            }
            case "save" -> {
                List<KvSettings.RdbSettings.SavePoint> points = KvSettings.RdbSettings.parseSavePoints(value, true);
                if (points == null) {
                    throw new Refused(failed(name, "Invalid save parameters"));
                }
                KvSettings.RdbSettings r = s.rdb();
                return s.withRdb(new KvSettings.RdbSettings(points, r.compression(), r.checksum(), r.stopWritesOnError()));
            }
            case "rdbcompression", "rdbchecksum", "stop-writes-on-bgsave-error" -> {
                boolean yes = yesOrNo(name, value);
                KvSettings.RdbSettings r = s.rdb();
                return s.withRdb(new KvSettings.RdbSettings(r.savePoints(),
                        name.equals("rdbcompression") ? yes : r.compression(),
                        name.equals("rdbchecksum") ? yes : r.checksum(),
                        name.equals("stop-writes-on-bgsave-error") ? yes : r.stopWritesOnError()));
            }
            default -> throw new Refused("ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'");
        }
    }

    /** A boolean parameter's value, as Redis takes it: yes or no, any case. */
    private static boolean yesOrNo(String name, String value) throws Refused {
        try {
            return Tunables.yes(value);
        } catch (IllegalArgumentException e) {
            throw new Refused(failed(name, e.getMessage()));
        }
    }

    private static long integer(String name, String value) throws Refused {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new Refused(failed(name, "argument couldn't be parsed into an integer"));
        }
    }

    /** "class hard soft soft-seconds ..." with Redis's size units (1k, 1kb, 1m, 1mb, 1g, 1gb). */
    private static KvSettings outputLimits(KvSettings s, String value) throws Refused {
        String name = "client-output-buffer-limit";
        String[] words = value.trim().isEmpty() ? new String[0] : value.trim().split("\\s+");
        if (words.length % 4 != 0) {
            throw new Refused(failed(name, "Wrong number of arguments in buffer limit configuration."));
        }
        KvSettings.OutputLimits normal = s.output();
        KvSettings.PubSubLimits pubsub = s.pubsubOutput();
        for (int i = 0; i < words.length; i += 4) {
            String type = clientType(words[i]);
            long hard = memory(words[i + 1]);
            long soft = memory(words[i + 2]);
            long seconds = memory(words[i + 3]);
            if (type == null || type.equals("master")) {
                throw new Refused(failed(name, "Invalid client class specified in buffer limit configuration."));
            }
            if (hard < 0 || soft < 0 || seconds < 0 || seconds > 86_400) {
                throw new Refused(failed(name, "Error in hard, soft or soft_seconds setting in buffer limit configuration."));
            }
            switch (type) {
                case "normal" -> {
                    if (hard < 64 * 1024 || hard > 1L << 30 || soft > hard || normal.highWater() > hard) {
                        throw new Refused(failed(name, "the normal class needs a hard limit from 64k to 1g here (not "
                                + "unlimited), at least kv.output-pause.high-water (" + normal.highWater()
                                + "), and a soft limit up to it"));
                    }
                    normal = new KvSettings.OutputLimits(hard, soft, (int) seconds, normal.highWater(), normal.lowWater(),
                            normal.shardTotal());
                }
                case "pubsub" -> {
                    if ((hard != 0 && hard < 64 * 1024) || hard > 1L << 30 || (hard != 0 && soft > hard)) {
                        throw new Refused(failed(name, "the pubsub class needs a hard limit of 0 (the normal class's) "
                                + "or from 64k to 1g here, and a soft limit up to it"));
                    }
                    pubsub = new KvSettings.PubSubLimits(hard, soft, (int) seconds);
                }
                default -> {
                    // replica: the master's replicas (replicaLimits)
                }
            }
        }
        return with(s, s.fsync(), s.maxConnections(), s.idleTimeout(), normal, pubsub, s.memory());
    }

    /** The replica (slave) class of a client-output-buffer-limit value {@link #outputLimits} accepted, else {@code master}'s. */
    private static MasterSettings replicaLimits(MasterSettings master, String value) {
        String[] words = value.trim().isEmpty() ? new String[0] : value.trim().split("\\s+");
        for (int i = 0; i + 3 < words.length; i += 4) {
            if ("replica".equals(clientType(words[i]))) {
                master = master.withReplicaLimits(memory(words[i + 1]), memory(words[i + 2]), (int) memory(words[i + 3]));
            }
        }
        return master;
    }

    /** Redis's memtoull: a number with an optional unit (k, kb, m, mb, g, gb, any case); -1 if not one. */
    static long memory(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        long unit = 1;
        String[][] units = {{"kb", "1024"}, {"k", "1000"}, {"mb", "1048576"}, {"m", "1000000"}, {"gb", "1073741824"},
            {"g", "1000000000"}, {"b", "1"}};
        for (String[] u : units) {
            if (w.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                w = w.substring(0, w.length() - u[0].length());
                break;
            }
        }
        try {
            long n = Long.parseLong(w);
            return n < 0 ? -1 : Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            return -1;
        }
    }

    private static KvSettings with(KvSettings s, KvSettings.FsyncPolicy fsync, int maxConnections, Duration idleTimeout,
                                   KvSettings.OutputLimits output, KvSettings.PubSubLimits pubsub,
                                   KvSettings.MemoryLimits memory) {
        return with(s, fsync, maxConnections, idleTimeout, output, pubsub, memory, s.slowLog());
    }

    private static KvSettings with(KvSettings s, KvSettings.FsyncPolicy fsync, int maxConnections, Duration idleTimeout,
                                   KvSettings.OutputLimits output, KvSettings.PubSubLimits pubsub,
                                   KvSettings.MemoryLimits memory, KvSettings.SlowLogLimits slowLog) {
        return new KvSettings(s.appendOnly(), fsync, s.dir(), s.rewriteMinBytes(), s.rewriteGrowthPercent(),
                s.aofMaxQueuedBytes(), s.input(), output, maxConnections, idleTimeout, s.password(), s.protectedMode(),
                s.aofLoadTruncated(), s.aofLoadCorruptTail(), s.aofLoadMissing(), memory, pubsub, slowLog, s.keyspaceEvents(),
                s.dbFilename(), s.aclFile(), s.rdb());
    }

    /** maxmemory, maxmemory-policy, maxmemory-samples: Redis's units and names. */
    private static KvSettings memorySetting(KvSettings s, String name, String value) throws Refused {
        KvSettings.MemoryLimits m = s.memory();
        KvSettings.MemoryLimits changed = switch (name) {
            case "maxmemory" -> {
                long bytes = memory(value);
                if (bytes < 0) {
                    throw new Refused(failed(name, "argument must be a memory value"));
                }
                yield new KvSettings.MemoryLimits(bytes, m.policy(), m.samples());
            }
            case "maxmemory-policy" -> {
                KvSettings.EvictionPolicy policy = null;
                for (KvSettings.EvictionPolicy p : KvSettings.EvictionPolicy.values()) {
                    if (p.redisName().equalsIgnoreCase(value)) {
                        policy = p;
                    }
                }
                if (policy == null) {
                    throw new Refused(failed(name, "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                            + "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"));
                }
                if (policy.lfu() != m.policy().lfu()) {
                    // Each key keeps either its last access time or its LFU counter in one field.
                    throw new Refused(failed(name, "switching between LRU and LFU tracking is not possible at run time here: "
                            + "set kv.maxmemory-policy and restart"));
                }
                yield new KvSettings.MemoryLimits(m.maxMemory(), policy, m.samples());
            }
            default -> {
                long n = integer(name, value);
                if (n < 1 || n > 64) {
                    throw new Refused(failed(name, "argument must be between 1 and 64 inclusive"));
                }
                yield new KvSettings.MemoryLimits(m.maxMemory(), m.policy(), (int) n);
            }
        };
        return with(s, s.fsync(), s.maxConnections(), s.idleTimeout(), s.output(), s.pubsubOutput(), changed);
    }

    // ---- DEBUG ----

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AdminCommands.class);
    private static final byte[] OBJECT_ARGS = "OBJECTencodingrefcountidletime".getBytes(StandardCharsets.US_ASCII);

    private ReplySource debug(Request r, ReplyWriter out) {
        String sub = r.string(1).toLowerCase(Locale.ROOT);
        switch (sub) {
            case "sleep" -> {
                if (r.count() == 3) {
                    // Redis's atof: what does not parse sleeps 0. Blocks this shard only (Redis: the server).
                    double seconds;
                    try {
                        seconds = Double.parseDouble(r.string(2));
                    } catch (NumberFormatException e) {
                        seconds = 0;
                    }
                    long nanos = (long) (Math.max(0, Math.min(seconds, 3600)) * 1e9);
                    long deadline = System.nanoTime() + nanos;
                    while (deadline - System.nanoTime() > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(deadline - System.nanoTime());
                    }
                    out.ok();
                    return null;
                }
            }
            case "set-active-expire" -> {
                if (r.count() == 3) {
                    boolean enable = r.longAt(2) && r.number != 0; // Redis's atoi: what is not a number is 0
                    return FanOut.start(node, connection, out.resp3(), allShards(), shard -> {
                        shard.activeExpire(enable);
                        return null;
                    }, (results, reply) -> reply.ok());
                }
            }
            case "object" -> {
                if (r.count() == 3) {
                    return debugObject(r, out);
                }
            }
            case "digest" -> {
                if (r.count() == 2) {
                    return debugDigest(out);
                }
            }
            case "digest-value" -> {
                return debugDigestValue(r, out);
            }
            case "htstats" -> {
                if (r.count() == 3) {
                    return debugHtstats(r, out);
                }
            }
            case "htstats-key" -> {
                if (r.count() == 3) {
                    return debugHtstatsKey(r, out);
                }
            }
            case "populate" -> {
                if (r.count() >= 3 && r.count() <= 5) {
                    return debugPopulate(r, out);
                }
            }
            case "log" -> {
                if (r.count() == 3) {
                    log.warn("DEBUG LOG: {}", r.string(2));
                    out.ok();
                    return null;
                }
            }
            case "help" -> {
                out.helpLines(DEBUG_HELP);
                return null;
            }
            case "reload" -> {
                boolean save = true;
                boolean flush = true;
                boolean merge = false;
                for (int i = 2; i < r.count(); i++) {
                    switch (r.string(i).toUpperCase(Locale.ROOT)) {
                        case "MERGE" -> merge = true;
                        case "NOFLUSH" -> flush = false;
                        case "NOSAVE" -> save = false;
                        default -> {
                            out.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
                            return null;
                        }
                    }
                }
                return node.rdb.reload(connection, out, allShards(), new RdbSaves.Reload(save, flush, merge));
            }
            default -> {
            }
        }
        out.error("ERR unknown subcommand or wrong number of arguments for '" + r.string(1) + "'. Try DEBUG HELP.");
        return null;
    }

    /** Redis 7.0's DEBUG HELP lines for the subcommands spoken here. */
    private static final String[] DEBUG_HELP = {
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "HTSTATS <dbid>",
        "    Return hash table statistics of the specified Redis database.",
        "    Here each shard's, one after the other when there are several.",
        "HTSTATS-KEY <key>",
        "    Like HTSTATS but for the hash table stored at <key>'s value.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix. Here they are logged and sent to",
        "    replicas as SET ... NX, each on the shard that owns it.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
        "    * MERGE: conflicting keys will be loaded from RDB.",
        "    * NOFLUSH: the existing database will not be removed before load, but",
        "      conflicting keys will generate an exception and kill the server.",
        "    * NOSAVE: the database will be loaded from an existing RDB file.",
        "    Examples:",
        "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
        "      the database.",
        "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
        "      existing RDB file.",
        "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
        "      file to the database.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "HELP",
        "    Prints this help."};

    /**
     * DEBUG POPULATE count [prefix] [size]: the string keys {@code prefix:0} ... (prefix {@code key}) with the values
     * {@code value:<n>} — cut to, or padded with zero bytes up to, {@code size} when given — but those that exist,
     * as Redis makes them. Each shard makes those it owns (every shard walks the numbers; a shard's walk is one
     * step, as Redis's is one command). Unlike Redis, each is an ordinary {@code SET ... NX} of its shard: logged
     * (the log stays what the shard holds) and sent to the replicas.
     */
    private ReplySource debugPopulate(Request r, ReplyWriter out) {
        if (!r.longAt(2) || r.number < 0) {
            out.error("ERR value is out of range, must be positive");
            return null;
        }
        long count = r.number;
        byte[] prefix = r.count() >= 4 ? r.copy(3) : "key".getBytes(StandardCharsets.US_ASCII);
        long size = 0;
        if (r.count() == 5) {
            if (!r.longAt(4) || r.number < 0) {
                out.error("ERR value is out of range, must be positive");
                return null;
            }
            size = r.number;
        }
        long valueSize = size;
        int shards = node.shardCount();
        return FanOut.start(node, connection, out.resp3(), allShards(), shard -> {
            long now = System.currentTimeMillis();
            Request set = new Request();
            ReplyWriter ignored = new ReplyWriter(64);
            for (long n = 0; n < count; n++) {
                byte[] number = Long.toString(n).getBytes(StandardCharsets.US_ASCII);
                byte[] key = new byte[prefix.length + 1 + number.length];
                System.arraycopy(prefix, 0, key, 0, prefix.length);
                key[prefix.length] = ':';
                System.arraycopy(number, 0, key, prefix.length + 1, number.length);
                if (KeySlots.owner(key, 0, key.length, shards) != shard.id) {
                    continue;
                }
                byte[] value = ("value:" + n).getBytes(StandardCharsets.US_ASCII);
                if (valueSize > 0) {
                    value = Arrays.copyOf(value, (int) Math.min(valueSize, Integer.MAX_VALUE - 8));
                }
                byte[] bytes = new byte[3 + key.length + value.length + 2];
                System.arraycopy("SET".getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, 3);
                System.arraycopy(key, 0, bytes, 3, key.length);
                System.arraycopy(value, 0, bytes, 3 + key.length, value.length);
                bytes[bytes.length - 2] = 'N';
                bytes[bytes.length - 1] = 'X';
                set.reset(bytes);
                set.add(0, 3);
                set.add(3, key.length);
                set.add(3 + key.length, value.length);
                set.add(bytes.length - 2, 2);
                ignored.clear();
                shard.execute(Command.SET, set, ignored, now);
            }
            return null;
        }, (results, reply) -> reply.ok());
    }

    /**
     * DEBUG OBJECT key, on the key's owner: Redis's fields as far as they mean something here — the
     * encoding, refcount and idle time OBJECT reports; serializedlength is the value's length (there is
     * no RDB), the address and lru are 0.
     */
    /**
     * DEBUG DIGEST: Redis's digest of the dataset ({@link DatasetDigest}): each shard xors the digests of its keys (with
     * their values), and the xor of the shards' is mixed as Redis mixes its one database's. 40 zeros when it is empty.
     */
    private ReplySource debugDigest(ReplyWriter out) {
        return FanOut.start(node, connection, out.resp3(), allShards(), shard -> {
            if (shard.table.size() == 0) {
                return null;
            }
            DatasetDigest digests = new DatasetDigest();
            byte[] keys = new byte[DatasetDigest.LENGTH];
            shard.table.forEach(e -> digests.addKey(keys, e, e.isVolatile()));
            return keys;
        }, (results, reply) -> {
            byte[] keys = null;
            for (Object shardKeys : results) {
                if (shardKeys != null) {
                    keys = keys == null ? new byte[DatasetDigest.LENGTH] : keys;
                    DatasetDigest.xorInto(keys, (byte[]) shardKeys);
                }
            }
            reply.simple(DatasetDigest.hex(new DatasetDigest().dataset(keys)));
        });
    }

    /**
     * DEBUG DIGEST-VALUE key ...: the digest of each key's value, 40 zeros for a key that does not exist. As in Redis, a
     * key whose expiry has passed but that is still held counts.
     */
    private ReplySource debugDigestValue(Request r, ReplyWriter out) {
        int count = r.count() - 2;
        if (count == 0) {
            out.arrayHeader(0);
            return null;
        }
        byte[][] keys = new byte[count][];
        for (int i = 0; i < count; i++) {
            keys[i] = r.copy(2 + i);
        }
        int shards = node.shardCount();
        return FanOut.start(node, connection, out.resp3(), allShards(), shard -> {
            DatasetDigest digests = new DatasetDigest();
            byte[][] owned = new byte[count][];
            for (int i = 0; i < count; i++) {
                byte[] key = keys[i];
                if (KeySlots.owner(key, 0, key.length, shards) == shard.id) {
                    KeyTable.Entry e = shard.table.find(key, 0, key.length, KeyTable.hash(key, 0, key.length));
                    owned[i] = e == null ? new byte[DatasetDigest.LENGTH] : digests.value(e, e.isVolatile());
                }
            }
            return owned;
        }, (results, reply) -> {
            reply.arrayHeader(count);
            for (int i = 0; i < count; i++) {
                for (Object shardDigests : results) {
                    byte[] digest = ((byte[][]) shardDigests)[i];
                    if (digest != null) {
                        reply.simple(DatasetDigest.hex(digest));
                    }
                }
            }
        });
    }

    /**
     * DEBUG HTSTATS 0: Redis's statistics of the keys' table and of the expiries' ({@link KeyTable#describeBuckets}),
     * each shard's — preceded by {@code [Shard i]} when there are several — in the order of the shards.
     */
    private ReplySource debugHtstats(Request r, ReplyWriter out) {
        if (!r.longAt(2)) {
            out.error(KvShard.NOT_INTEGER);
            return null;
        }
        if (r.number != 0) {
            out.error("ERR Out of range database"); // one database here: databases is 1
            return null;
        }
        boolean several = node.shardCount() > 1;
        return FanOut.start(node, connection, out.resp3(), allShards(), shard -> {
            StringBuilder text = new StringBuilder();
            if (several) {
                text.append("[Shard ").append(shard.id).append("]\n");
            }
            text.append("[Dictionary HT]\n");
            shard.table.describeBuckets(text);
            text.append("[Expires HT]\n");
            shard.table.describeExpiries(text);
            return text.toString();
        }, (results, reply) -> {
            StringBuilder text = new StringBuilder();
            for (Object shardText : results) {
                text.append((String) shardText);
            }
            reply.verbatim(text.toString());
        });
    }

    /** DEBUG HTSTATS-KEY key: the same of the table of a hash's fields, a set's members or a skiplist's members. */
    private ReplySource debugHtstatsKey(Request r, ReplyWriter out) {
        byte[] key = r.copy(2);
        int owner = KeySlots.owner(key, 0, key.length, node.shardCount());
        return FanOut.start(node, connection, out.resp3(), new int[] {owner}, shard -> {
            KeyTable.Entry e = shard.peek(key, 0, key.length, System.currentTimeMillis());
            if (e == null) {
                return null;
            }
            Aggregate aggregate = e.aggregate();
            KeyTable elements = aggregate == null ? null : aggregate.elementTable();
            if (elements == null) {
                return Boolean.FALSE;
            }
            StringBuilder text = new StringBuilder();
            elements.describeBuckets(text);
            return text.toString();
        }, (results, reply) -> {
            Object result = results[owner];
            if (result == null) {
                reply.error("ERR no such key");
            } else if (result instanceof String text) {
                reply.verbatim(text);
            } else {
                reply.error("ERR The value stored at the specified key is not represented using an hash table");
            }
        });
    }

    private ReplySource debugObject(Request r, ReplyWriter out) {
        byte[] key = r.copy(2);
        int owner = KeySlots.owner(key, 0, key.length, node.shardCount());
        return FanOut.start(node, connection, out.resp3(), new int[] {owner}, shard -> {
            long now = System.currentTimeMillis();
            KeyTable.Entry e = shard.peek(key, 0, key.length, now);
            if (e == null) {
                return null;
            }
            byte[] bytes = Arrays.copyOf(OBJECT_ARGS, OBJECT_ARGS.length + key.length);
            System.arraycopy(key, 0, bytes, OBJECT_ARGS.length, key.length);
            Request q = new Request();
            ReplyWriter answer = new ReplyWriter(64);
            String[] fields = new String[3]; // encoding, refcount, idletime: OBJECT's own answers
            for (int f = 0; f < 3; f++) {
                q.reset(bytes);
                q.add(0, 6);
                q.add(6 + 8 * f, 8);
                q.add(OBJECT_ARGS.length, key.length);
                answer.clear();
                shard.execute(Command.OBJECT, q, answer, now);
                String text = new String(answer.bytes(), 0, answer.size(), StandardCharsets.UTF_8).trim();
                fields[f] = text.substring(text.startsWith("$") ? text.indexOf('\n') + 1 : 1);
            }
            long length = e.isString() ? e.length : e.aggregateSize();
            return "Value at:0x0 refcount:" + fields[1] + " encoding:" + fields[0] + " serializedlength:" + length
                    + " lru:0 lru_seconds_idle:" + fields[2];
        }, (results, reply) -> {
            if (results[owner] == null) {
                reply.error("ERR no such key");
            } else {
                reply.simple((String) results[owner]);
            }
        });
    }
}
