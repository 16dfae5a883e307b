package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server as every shard sees it: its settings, the runtime, each shard's {@link KvShard}
 * (element {@code i} touched only by shard {@code i}'s thread; published before the shards use them
 * by the runtime's task queues), and the few process-wide counters, which are atomics.
 */
final class KvNode {
    /** Replaced whole by CONFIG SET ({@link AdminCommands}): each read sees one consistent set. */
    volatile KvSettings settings;
    final ShardRuntime runtime;
    final KvShard[] shards;
    /** Which peers are served (Redis's protected mode). */
    final ProtectedMode protection;
    /** Pauses every connection while a shard's log holds too much not yet written. */
    final LogPressure logPressure;
    /** Each shard's own port, when {@code kv.shard-ports} is on (CLUSTER SLOTS, NODES, SHARDS). */
    final ShardPorts shardPorts;
    /** The bound port, for INFO; set once listening. */
    volatile int port;
    final long startMillis = System.currentTimeMillis();
    /** INFO's run_id: made at each start, as Redis's. */
    final String runId = randomHex(20);
    /** The next slow log entry's id, over all shards (SLOWLOG GET orders by it). */
    final java.util.concurrent.atomic.AtomicLong slowLogIds = new java.util.concurrent.atomic.AtomicLong();
    /** Open client connections over all shards, against {@code kv.max-connections}. */
    final AtomicInteger connections = new AtomicInteger();
    final AtomicLong connectionsAccepted = new AtomicLong();
    final AtomicLong connectionsRejected = new AtomicLong();
    /** Connections closed by kv.client-output-buffer-limit (INFO: client_output_buffer_limit_disconnections). */
    final AtomicLong outputLimitDisconnections = new AtomicLong();
    final AtomicLong nextClientId = new AtomicLong();
    /** Clients blocked on keys now, waiting for a push (INFO's blocked_clients; see {@link BlockedClient}). */
    final AtomicInteger blockedClients = new AtomicInteger();
    /** Of {@link #blockedClients}, those with a timeout (INFO's clients_in_timeout_table, as Redis counts them). */
    final AtomicInteger blockedClientsWithTimeout = new AtomicInteger();
    /**
     * {@code notify-keyspace-events} ({@link KeyspaceEvents}'s flags): {@code kv.notify-keyspace-events} at
     * start (0, off, by default), then as CONFIG SET changes it.
     */
    volatile int keyspaceEvents;
    /** Redis's parameters that tune the encodings, the expiry cycle, eviction, ... ({@link Tunables}); CONFIG SET replaces it whole. */
    volatile Tunables tunables = Tunables.DEFAULT;
    /** LATENCY's settings (CONFIG SET latency-monitor-threshold, latency-tracking, latency-tracking-info-percentiles). */
    volatile LatencyCommands.Settings latency = LatencyCommands.Settings.DEFAULT;
    /** Connections with CLIENT TRACKING on over all shards (INFO's tracking_clients). */
    final AtomicInteger trackingClients = new AtomicInteger();
    /** {@code tracking-table-max-keys} (CONFIG SET changes it): the tracking tables' bound over all shards; 0: none. */
    volatile long trackingTableMaxKeys = 1_000_000;
    /** Connections in MONITOR mode over all shards: every dispatch reads it ({@link Monitors#any}). */
    final AtomicInteger monitors = new AtomicInteger();
    /** The script cache and function libraries of every shard (EVAL, FUNCTION). */
    final ScriptRegistry scripts = new ScriptRegistry();
    /** ACL LOG: the refusals (authentications, commands, keys, channels) of every shard's connections. */
    final AclLog aclLog = new AclLog(() -> tunables.aclLogMaxLen());
    /** REPLICAOF: this server as a replica of a Redis master (its link, state and settings). */
    final ReplicaOf replica = new ReplicaOf(this, ReplicaSettings.DEFAULT);
    /** SAVE, BGSAVE, LASTSAVE: the RDB snapshots. */
    final RdbSaves rdb = new RdbSaves(this);
    /** CLIENT PAUSE (and FAILOVER's pause): which clients' commands wait. */
    final ClientPause pause = new ClientPause(this);
    /** FAILOVER: its state, which pauses clients' writes while it runs. */
    final Failover failover = new Failover(this);
    /** Atoll as a master: the replication stream, its backlog and replicas, WAIT (set once the shards are known). */
    final ReplicationMaster replication;
    /** The ACL users of every shard: {@code default} at start (with {@code kv.requirepass}), then SETUSER's and the ACL file's. */
    final AclUsers acl;
    /** Set once when the server is asked to stop; walks over the keys (KEYS, SCAN) end when they see it. */
    volatile boolean stopping;
    /** The clean stop is over: the shards serve no more (a save still waiting for one gives up). */
    volatile boolean stopped;
    /** Whether the clean stop saves the RDB file, before the connections close: SHUTDOWN's SAVE or NOSAVE, else as the save points say. */
    volatile StopSave stopSave = StopSave.IF_SAVE_POINTS;

    /** What the clean stop does about the RDB file, as Redis's SHUTDOWN [NOSAVE | SAVE] and SIGTERM. */
    enum StopSave {
        /** SIGTERM, SHUTDOWN: a save when there are save points. */
        IF_SAVE_POINTS,
        /** SHUTDOWN SAVE: a save. */
        SAVE,
        /** SHUTDOWN NOSAVE: none. */
        NO_SAVE;

        boolean saves(KvSettings settings) {
            return this == SAVE || (this == IF_SAVE_POINTS && !settings.rdb().savePoints().isEmpty());
        }
    }

    KvNode(KvSettings settings, ShardRuntime runtime, KvShard[] shards, ProtectedMode protection,
           ShardPorts shardPorts) {
        this.settings = settings;
        this.acl = new AclUsers(settings.password());
        if (settings.aclFile() != null) { // read once already by KvSettings.from, which reported its errors
            AclFile.Loaded loaded = AclFile.read(settings.aclFile());
            if (loaded.errors() != null) {
                throw new IllegalStateException("kv.aclfile " + settings.aclFile() + ": " + loaded.errors());
            }
            acl.replaceAll(loaded.users(), AclRules.defaultUser(settings.password()));
        }
        this.keyspaceEvents = settings.keyspaceEvents();
        this.shardPorts = shardPorts;
        this.protection = protection;
        this.runtime = runtime;
        this.shards = shards;
        this.logPressure = new LogPressure(shards);
        this.replication = new ReplicationMaster(this);
    }

    /** The calling shard's part. */
    KvShard local() {
        return shards[Shard.current().id()];
    }

    int shardCount() {
        return shards.length;
    }

    /** {@code bytes} random bytes in hex: a replication id or run id, drawn as Redis draws its own. */
    static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(random);
        return java.util.HexFormat.of().formatHex(random);
    }

    /** ROLE: a replica's form while REPLICAOF holds a master, else a master's with its replicas. */
    void role(ReplyWriter out) {
        ReplicaOf.Master master = replica.shownMaster();
        if (master != null) {
            replica.role(out, master);
        } else {
            replication.role(out);
        }
    }
}
