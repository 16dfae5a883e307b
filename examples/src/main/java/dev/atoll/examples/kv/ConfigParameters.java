package dev.atoll.examples.kv;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Redis 7.0's parameters that CONFIG SET does not change here, with what CONFIG GET shows for each: the value that
 * describes what this server does. The rule (docs/configuration.md, "Redis's parameters"): a parameter Redis itself
 * cannot change at run time gets Redis's own refusal ({@code can't set immutable config}, {@code can't set protected
 * config}); one this server reads only at start names its {@code kv.*} key; one that does not apply here (TLS,
 * cluster mode, I/O threads, active defragmentation, ...) accepts the value it already shows — nothing to change,
 * so nothing is pretended — and refuses any other, saying why. No parameter accepts a value it would ignore.
 */
final class ConfigParameters {
    /** How CONFIG SET answers a parameter of this table. */
    private enum Refusal {
        /** Redis refuses it too: {@code can't set immutable config}. */
        IMMUTABLE,
        /** Redis refuses it too under its default {@code enable-protected-configs no}. */
        PROTECTED,
        /** This server reads it at start only: the reason names the {@code kv.*} key. */
        RESTART,
        /** It does not apply here: the value shown is accepted (no change), another is refused with the reason. */
        UNSUPPORTED
    }

    /** A parameter: what CONFIG GET shows, how CONFIG SET answers, and why. */
    private record Parameter(Function<KvNode, String> value, Refusal refusal, String why) { }

    private static final Map<String, Parameter> TABLE = new LinkedHashMap<>();

    private static final String DEFRAG = "the JVM's garbage collector compacts the heap (there is no allocator to defragment)";
    private static final String CLUSTER = "this server is not in cluster mode (its shards share one node: kv.shard-ports)";
    private static final String TLS = "TLS is not supported here";
    private static final String GC = "a deleted value is freed by the JVM's garbage collector, off the shard's thread, always";
    private static final String PROCESS = "the JVM process is started and supervised from outside";
    private static final String REPLICA = "this replica setting is not supported here";

    static {
        immutable("always-show-logo", "no");
        immutable("daemonize", "no");
        immutable("supervised", "no");
        immutable("pidfile", "");
        immutable("logfile", ""); // the log goes to stderr (logback.xml)
        immutable("syslog-enabled", "no");
        immutable("syslog-ident", "redis");
        immutable("syslog-facility", "local0");
        immutable("databases", "1");
        immutable("io-threads", "1");
        immutable("io-threads-do-reads", "no");
        immutable("disable-thp", "no");
        immutable("enable-debug-command", "yes"); // DEBUG is served
        immutable("enable-module-command", "no");
        immutable("enable-protected-configs", "no");
        immutable("set-proc-title", "no");
        immutable("socket-mark-id", "0");
        immutable("unixsocket", "");
        immutable("unixsocketperm", "0");
        immutable("cluster-enabled", "no");
        immutable("cluster-config-file", "nodes.conf");
        immutable("cluster-port", "0");
        immutable("appendfilename", "appendonly.aof"); // the stem of appendonly-<shard>-of-<count>.aof
        immutable("appenddirname", ""); // the logs are in dir itself
        for (String cpus : new String[] {"server_cpulist", "bio_cpulist", "aof_rewrite_cpulist", "bgsave_cpulist"}) {
            immutable(cpus, ""); // shards are pinned by atoll.shards.pin
        }
        TABLE.put("aclfile", new Parameter(n -> n.settings.aclFile() == null ? "" : n.settings.aclFile().toString(),
                Refusal.IMMUTABLE, null));
        TABLE.put("replicaof", new Parameter(ConfigParameters::replicaOf, Refusal.IMMUTABLE, null));
        TABLE.put("slaveof", new Parameter(ConfigParameters::replicaOf, Refusal.IMMUTABLE, null));
        TABLE.put("tcp-backlog", new Parameter(n -> io(n, "atoll.io.tcp.backlog"), Refusal.IMMUTABLE, null));
        TABLE.put("dir", new Parameter(n -> n.settings.dir().toAbsolutePath().toString(), Refusal.PROTECTED, null));
        TABLE.put("dbfilename", new Parameter(n -> n.settings.dbFilename(), Refusal.PROTECTED, null));

        restart("appendonly", n -> yesNo(n.settings.appendOnly()), "kv.appendonly");
        restart("port", n -> Integer.toString(n.port), "kv.port (--port)");
        restart("proto-max-bulk-len", n -> Integer.toString(n.settings.input().protoMaxBulkLen()), "kv.proto-max-bulk-len");
        restart("client-query-buffer-limit", n -> Integer.toString(n.settings.input().clientQueryBufferLimit()),
                "kv.client-query-buffer-limit");
        restart("protected-mode", n -> yesNo(n.settings.protectedMode()), "kv.protected-mode");
        restart("requirepass", n -> n.settings.password(), "kv.password (ACL SETUSER default changes the password now)");
        restart("aof-load-truncated", n -> yesNo(n.settings.aofLoadTruncated()), "kv.aof.load-truncated, which the start reads");
        restart("tcp-keepalive", ConfigParameters::keepAlive, "atoll.io.socket.keep-alive (the kernel's "
                + "net.ipv4.tcp_keepalive_time sets the idle time)");
        restart("bind", ConfigParameters::bind, "kv.host (--host)");

        unsupported("acl-pubsub-default", "resetchannels", "a new user has no channel until ACL SETUSER gives it some");
        unsupported("activedefrag", "no", DEFRAG);
        unsupported("active-defrag-cycle-min", "1", DEFRAG);
        unsupported("active-defrag-cycle-max", "25", DEFRAG);
        unsupported("active-defrag-ignore-bytes", "104857600", DEFRAG);
        unsupported("active-defrag-max-scan-fields", "1000", DEFRAG);
        unsupported("active-defrag-threshold-lower", "10", DEFRAG);
        unsupported("active-defrag-threshold-upper", "100", DEFRAG);
        unsupported("jemalloc-bg-thread", "no", "there is no jemalloc: the JVM manages the memory");
        unsupported("dynamic-hz", "no", "the expiry cycle runs hz times a second whatever the connections");
        unsupported("lazyfree-lazy-eviction", "yes", GC);
        unsupported("lazyfree-lazy-expire", "yes", GC);
        unsupported("lazyfree-lazy-server-del", "yes", GC);
        unsupported("lazyfree-lazy-user-del", "yes", GC);
        unsupported("lazyfree-lazy-user-flush", "yes", GC);
        unsupported("replica-lazy-flush", "yes", GC);
        unsupported("slave-lazy-flush", "yes", GC);
        unsupported("no-appendfsync-on-rewrite", "no", "a shard's log is synced by appendfsync during its rewrite too "
                + "(under always a write is answered only once synced)");
        unsupported("aof-use-rdb-preamble", "no", "a log and its rewrite are RESP commands");
        unsupported("aof-timestamp-enabled", "no", "a log holds no timestamp annotations");
        unsupported("aof-disable-auto-gc", "no", "a rewrite replaces its log at once: there is no history to keep");
        unsupported("rdb-del-sync-files", "no", "what becomes of a full sync's file is fixed here");
        unsupported("list-max-listpack-size", "-2", "a list is not made of listpack nodes here (OBJECT ENCODING says quicklist)");
        unsupported("list-max-ziplist-size", "-2", "a list is not made of listpack nodes here (OBJECT ENCODING says quicklist)");
        unsupported("list-compress-depth", "0", "list nodes are not compressed here");
        unsupported("stream-node-max-bytes", "4096", "a stream's nodes have a fixed size here");
        unsupported("stream-node-max-entries", "100", "a stream's nodes have a fixed size here");
        unsupported("hll-sparse-max-bytes", "3000", "a HyperLogLog's sparse bound is fixed here");
        unsupported("maxmemory-clients", "0", "client memory is bounded by client-output-buffer-limit and "
                + "kv.query-buffers-per-shard, not by evicting clients");
        unsupported("sanitize-dump-payload", "yes", "RESTORE decodes the whole payload into this server's own values");
        unsupported("crash-log-enabled", "no", "the JVM writes its own crash report (hs_err)");
        unsupported("crash-memcheck-enabled", "no", "the JVM writes its own crash report (hs_err)");
        unsupported("oom-score-adj", "no", PROCESS);
        unsupported("oom-score-adj-values", "0 200 800", PROCESS);
        unsupported("proc-title-template", "{title} {listen-addr} {server-mode}", PROCESS);
        unsupported("shutdown-on-sigint", "default", "SIGINT and SIGTERM stop the server as SHUTDOWN does");
        unsupported("shutdown-on-sigterm", "default", "SIGINT and SIGTERM stop the server as SHUTDOWN does");
        unsupported("shutdown-timeout", "0", "a stop does not wait for replicas to catch up");
        unsupported("ignore-warnings", "", "this server logs no kernel warnings to ignore");
        unsupported("propagation-error-behavior", "ignore", "what a replica does with a command that fails is fixed here");
        unsupported("bind-source-addr", "", "outgoing connections leave from the address the system chooses");
        unsupported("replica-priority", "100", REPLICA);
        unsupported("slave-priority", "100", REPLICA);
        unsupported("replica-announced", "yes", REPLICA);
        unsupported("replica-announce-ip", "", REPLICA);
        unsupported("slave-announce-ip", "", REPLICA);
        unsupported("replica-announce-port", "0", REPLICA);
        unsupported("slave-announce-port", "0", REPLICA);
        unsupported("replica-ignore-maxmemory", "no", "a replica's shards keep within maxmemory for its master's writes too");
        unsupported("slave-ignore-maxmemory", "no", "a replica's shards keep within maxmemory for its master's writes too");
        unsupported("replica-ignore-disk-write-errors", "no", REPLICA);
        unsupported("repl-diskless-load", "disabled", "a replica here always receives its master's RDB into a file, "
                + "then loads it");
        unsupported("repl-backlog-ttl", "0", "a master's backlog is kept while the server runs, also without replicas");
        unsupported("repl-disable-tcp-nodelay", "no", "a replica's connection is sent to as every other, with "
                + "TCP_NODELAY as atoll.io.socket.no-delay sets it");
        for (String[] c : new String[][] {{"cluster-allow-pubsubshard-when-down", "yes"},
            {"cluster-allow-reads-when-down", "no"}, {"cluster-allow-replica-migration", "yes"},
            {"cluster-announce-bus-port", "0"}, {"cluster-announce-hostname", ""}, {"cluster-announce-ip", ""},
            {"cluster-announce-port", "0"}, {"cluster-announce-tls-port", "0"}, {"cluster-link-sendbuf-limit", "0"},
            {"cluster-migration-barrier", "1"}, {"cluster-node-timeout", "15000"}, {"cluster-preferred-endpoint-type", "ip"},
            {"cluster-replica-no-failover", "no"}, {"cluster-slave-no-failover", "no"},
            {"cluster-replica-validity-factor", "10"}, {"cluster-slave-validity-factor", "10"},
            {"cluster-require-full-coverage", "yes"}}) {
            unsupported(c[0], c[1], CLUSTER);
        }
        for (String[] t : new String[][] {{"tls-port", "0"}, {"tls-auth-clients", "yes"}, {"tls-ca-cert-dir", ""},
            {"tls-ca-cert-file", ""}, {"tls-cert-file", ""}, {"tls-ciphers", ""}, {"tls-ciphersuites", ""},
            {"tls-client-cert-file", ""}, {"tls-client-key-file", ""}, {"tls-client-key-file-pass", ""}, {"tls-cluster", "no"},
            {"tls-dh-params-file", ""}, {"tls-key-file", ""}, {"tls-key-file-pass", ""}, {"tls-prefer-server-ciphers", "no"},
            {"tls-protocols", ""}, {"tls-replication", "no"}, {"tls-session-cache-size", "20480"},
            {"tls-session-cache-timeout", "300"}, {"tls-session-caching", "yes"}}) {
            unsupported(t[0], t[1], TLS);
        }
    }

    private ConfigParameters() {
    }

    private static void immutable(String name, String value) {
        TABLE.put(name, new Parameter(n -> value, Refusal.IMMUTABLE, null));
    }

    private static void restart(String name, Function<KvNode, String> value, String key) {
        TABLE.put(name, new Parameter(value, Refusal.RESTART, key));
    }

    private static void unsupported(String name, String value, String why) {
        TABLE.put(name, new Parameter(n -> value, Refusal.UNSUPPORTED, why));
    }

    /** Every parameter CONFIG GET knows, with its value now: those CONFIG SET changes, then the table's. */
    static Map<String, String> all(KvNode node) {
        KvSettings s = node.settings;
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("save", s.rdb().savePointsText());
        parameters.put("rdbcompression", yesNo(s.rdb().compression()));
        parameters.put("rdbchecksum", yesNo(s.rdb().checksum()));
        parameters.put("stop-writes-on-bgsave-error", yesNo(s.rdb().stopWritesOnError()));
        parameters.put("appendfsync", s.fsync().name().toLowerCase(Locale.ROOT));
        parameters.put("auto-aof-rewrite-percentage", Integer.toString(s.rewriteGrowthPercent()));
        parameters.put("auto-aof-rewrite-min-size", Long.toString(s.rewriteMinBytes()));
        parameters.put("maxclients", Integer.toString(s.maxConnections()));
        parameters.put("timeout", Long.toString(s.idleTimeout().toSeconds()));
        parameters.put("maxmemory", Long.toString(s.memory().maxMemory()));
        parameters.put("maxmemory-policy", s.memory().policy().redisName());
        parameters.put("maxmemory-samples", Integer.toString(s.memory().samples()));
        parameters.put("slowlog-log-slower-than", Long.toString(s.slowLog().slowerThanMicros()));
        parameters.put("slowlog-max-len", Integer.toString(s.slowLog().maxLen()));
        node.latency.describe(parameters);
        node.replica.settings.describe(parameters, node.replica.shownMaster());
        node.replication.settings.describe(parameters);
        node.tunables.describe(parameters);
        parameters.put("loglevel", LogLevel.current());
        parameters.put("notify-keyspace-events", KeyspaceEvents.format(node.keyspaceEvents));
        parameters.put("tracking-table-max-keys", Long.toString(node.trackingTableMaxKeys));
        parameters.put("busy-reply-threshold", Long.toString(node.scripts.busyMillis));
        parameters.put("lua-time-limit", Long.toString(node.scripts.busyMillis));
        KvSettings.OutputLimits limits = s.output();
        KvSettings.PubSubLimits pubsub = s.pubsubOutput();
        parameters.put("client-output-buffer-limit", "normal " + limits.hardLimit() + " " + limits.softLimit() + " "
                + limits.softSeconds() + " " + node.replication.settings.replicaLimits() + " pubsub " + pubsub.hard() + " "
                + pubsub.soft() + " " + pubsub.softSeconds());
        TABLE.forEach((name, p) -> parameters.put(name, p.value.apply(node)));
        return parameters;
    }

    /**
     * CONFIG REWRITE's answer: Redis's own without a configuration file; with one ({@code --config}), that a HOCON file
     * is not rewritten here — CONFIG SET's changes last until the stop, and the file stays as its author wrote it.
     */
    static String rewriteRefusal(KvNode node) {
        String file = configFile(node.runtime.config().reader().config().root());
        return file == null ? "ERR The server is running without a config file"
                : "ERR CONFIG REWRITE is not supported here: " + file + " is HOCON, written by hand; set the kv.* keys "
                + "there (docs/configuration.md)";
    }

    /** The file (not a class path resource) some value of {@code value} came from, or null. */
    private static String configFile(com.typesafe.config.ConfigValue value) {
        if (value instanceof com.typesafe.config.ConfigObject object) {
            for (com.typesafe.config.ConfigValue child : object.values()) {
                String file = configFile(child);
                if (file != null) {
                    return file;
                }
            }
            return null;
        }
        com.typesafe.config.ConfigOrigin origin = value.origin();
        return origin.resource() == null ? origin.filename() : null; // reference.conf is a resource, even unpacked
    }

    /** Whether {@code name} (lower case) is one of the table's. */
    static boolean contains(String name) {
        return TABLE.containsKey(name);
    }

    /**
     * CONFIG SET of one of the table's parameters: null when it is accepted (the value it already has, of one that
     * does not apply), else the reason after Redis's "CONFIG SET failed (possibly related to argument ...) - ".
     */
    static String refusal(KvNode node, String name, String value) {
        Parameter p = TABLE.get(name);
        return switch (p.refusal) {
            case IMMUTABLE -> "can't set immutable config";
            case PROTECTED -> "can't set protected config";
            case RESTART -> "not changeable at run time here: set " + p.why + " (see docs/configuration.md) and restart";
            case UNSUPPORTED -> value.equalsIgnoreCase(p.value.apply(node)) ? null
                    : "not supported here: " + p.why + " (" + name + " stays " + quoted(p.value.apply(node)) + ")";
        };
    }

    private static String quoted(String value) {
        return "'" + value + "'";
    }

    private static String yesNo(boolean yes) {
        return yes ? "yes" : "no";
    }

    private static String replicaOf(KvNode node) {
        ReplicaOf.Master master = node.replica.shownMaster();
        return master == null ? "" : master.host() + " " + master.port();
    }

    /** An {@code atoll.io} setting of the runtime's configuration, as text. */
    private static String io(KvNode node, String path) {
        return node.runtime.config().reader().config().getValue(path).unwrapped().toString().toLowerCase(Locale.ROOT);
    }

    /** The address the server listens on ({@code kv.host}, {@code --host}). */
    private static String bind(KvNode node) {
        com.typesafe.config.Config config = node.runtime.config().reader().config();
        return config.hasPath("kv.host") ? config.getString("kv.host") : dev.atoll.examples.ServerOptions.DEFAULT_HOST;
    }

    /** Redis's tcp-keepalive: 0 without SO_KEEPALIVE, else the kernel's idle time before the first probe, in seconds. */
    private static String keepAlive(KvNode node) {
        if (!node.runtime.config().reader().bool("atoll.io.socket.keep-alive")) {
            return "0";
        }
        try {
            return Files.readString(Path.of("/proc/sys/net/ipv4/tcp_keepalive_time")).trim();
        } catch (java.io.IOException e) {
            return "7200"; // the default of Linux and of macOS
        }
    }
}
