package dev.atoll.examples.kv;

import dev.atoll.config.InvalidConfigException;
import dev.atoll.examples.ServerLifecycle;
import dev.atoll.examples.ServerOptions;
import dev.atoll.examples.ServerSettings;
import dev.atoll.io.Buffer;
import dev.atoll.io.BufferPool;
import dev.atoll.io.Connection;
import dev.atoll.io.ConnectionHandler;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./atoll run kv}: a Redis-compatible key-value server (RESP2, pipelining, inline commands)
 * whose keys are spread over the shards by hash, with an append-only log per shard. Start-up: the
 * logs are replayed ({@link AofReplay}), each shard takes its keys and opens its log
 * ({@link KvShard}, {@link Aof}), then every shard listens and serves its connections
 * ({@link KvConnection}). docs/kv.md walks through it.
 */
public final class KvServer {
    /** The port when neither {@code --port} nor {@code kv.port} says otherwise: Redis's. */
    public static final int DEFAULT_PORT = 6379;

    /** Options of this example, and the keys they set. */
    static final Map<String, String> OPTIONS = Map.of(
            "--aclfile", "kv.aclfile",
            "--appendfsync", "kv.appendfsync",
            "--appendonly", "kv.appendonly",
            "--dbfilename", "kv.dbfilename",
            "--dir", "kv.dir",
            "--protected-mode", "kv.protected-mode",
            "--requirepass", "kv.password");

    private static final Logger log = LoggerFactory.getLogger(KvServer.class);

    private static final long START_SECONDS = 600;
    private static final byte[] MAX_CLIENTS = "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);

    private KvServer() {
    }

    public static void main(String[] args) throws Exception {
        ServerSettings settings = ServerOptions.parseOrExit("kv", DEFAULT_PORT, OPTIONS, args);
        KvSettings kv;
        try {
            kv = KvSettings.from(settings.config().reader());
        } catch (InvalidConfigException e) {
            System.err.println("kv: " + e.getMessage());
            System.exit(2);
            return;
        }
        ProtectedMode protection = ProtectedMode.of(kv, InetAddress.getByName(settings.host()));
        if (protection.warning() != null) {
            log.warn("kv: {}", protection.warning());
        }
        ShardPorts shardPorts;
        ReplicaSettings replica;
        Tunables tunables;
        MasterSettings master;
        try {
            shardPorts = ShardPorts.from(settings.config().reader(), settings.host());
            replica = ReplicaSettings.from(settings.config().reader());
            tunables = Tunables.from(settings.config().reader());
            master = MasterSettings.from(settings.config().reader());
        } catch (InvalidConfigException e) {
            System.err.println("kv: " + e.getMessage());
            System.exit(2);
            return;
        }
        ServerLifecycle.serveService(settings, runtime -> start(runtime, kv, LogStore.FILES, protection, shardPorts, replica,
                tunables, master));
    }

    /**
     * Loads the logs, gives every shard its keys and log, and returns the running service, which serves
     * the peers {@code protection} admits; the logs are written through {@code store} (tests simulate a disk).
     * With {@code shardPorts} enabled each shard listens on its own port too, before the server's port.
     */
    static ServerLifecycle.Service start(ShardRuntime runtime, KvSettings settings, LogStore store,
                                         ProtectedMode protection, ShardPorts shardPorts) throws Exception {
        return start(runtime, settings, store, protection, shardPorts, ReplicaSettings.DEFAULT);
    }

    /** As above, a replica of {@code replica.replicaOf()} from the start when it names a master ({@code kv.replicaof}). */
    static ServerLifecycle.Service start(ShardRuntime runtime, KvSettings settings, LogStore store,
                                         ProtectedMode protection, ShardPorts shardPorts,
                                         ReplicaSettings replica) throws Exception {
        return start(runtime, settings, store, protection, shardPorts, replica, Tunables.DEFAULT, MasterSettings.DEFAULT);
    }

    /**
     * As above, with Redis's tuning parameters as {@code kv.*} sets them (the encoding thresholds before the keys
     * load) and {@code master} as the settings of this server as a master ({@code kv.repl-*}).
     */
    static ServerLifecycle.Service start(ShardRuntime runtime, KvSettings settings, LogStore store,
                                         ProtectedMode protection, ShardPorts shardPorts,
                                         ReplicaSettings replica, Tunables tunables, MasterSettings master) throws Exception {
        EncodingLimits.current = tunables.encodings();
        int count = runtime.shardCount();
        Path loading = settings.rdbPath().resolveSibling(settings.dbFilename() + ".loading");
        if (settings.appendOnly() && Files.exists(loading)) {
            // a start that loaded the RDB file stopped before every log was written from it: they hold no write
            log.warn("{} is there: the last start stopped while writing the logs from {}; they are loaded from it again",
                    loading, settings.rdbPath());
            AofReplay.deleteLogs(settings.dir());
        }
        AofReplay.Result replayed = settings.appendOnly() ? AofReplay.load(runtime, settings) : null;
        KeyTable[] tables = replayed != null ? replayed.tables() : null;
        ScriptRegistry.Latest libraries = replayed != null ? replayed.libraries() : null;
        RdbFile.Loaded rdbLoaded = null;
        if ((replayed == null || replayed.logs() == 0) && Files.isRegularFile(settings.rdbPath())) {
            // as Redis: the RDB file when there is no log (a first start with appendonly, or none)
            long started = System.nanoTime();
            RdbFile.Loaded file = RdbFile.load(settings.rdbPath(), count);
            rdbLoaded = file;
            tables = file.tables();
            libraries = ScriptRegistry.Latest.of(file.libraries());
            long keys = java.util.Arrays.stream(tables).mapToLong(KeyTable::size).sum();
            log.info("DB loaded from {}: {} keys in {} ms{}", settings.rdbPath(), keys,
                    (System.nanoTime() - started) / 1_000_000, replayed != null ? "; every shard writes its log from them" : "");
            if (replayed != null) {
                replayed = replayed.loadedFromRdb(tables, libraries);
                // until every log holds the keys, the next start must load the file again, not the logs
                Files.write(loading, new byte[0]);
                AofReplay.syncDirectory(settings.dir());
            }
        }
        AofReplay.Result loaded = replayed;
        KvShard[] shards = new KvShard[count];
        for (int i = 0; i < count; i++) {
            shards[i] = new KvShard(i, tables == null ? new KeyTable() : tables[i], settings, count);
        }
        KvNode node = new KvNode(settings, runtime, shards, protection, shardPorts);
        if (rdbLoaded != null) {
            node.rdb.loaded(rdbLoaded);
        }
        node.replica.settings = replica;
        node.tunables = tunables;
        node.replication.settings = master;
        if (libraries != null) { // the function libraries, before any shard serves or rewrites its log
            node.scripts.restore(libraries, new ScriptEngine(shards[0], node.scripts, node.shardCount(), null));
        }
        List<CompletableFuture<Void>> opened = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            KvShard shard = shards[i];
            opened.add(runtime.submit(i, () -> {
                shard.start(node, Shard.current());
                if (loaded == null) {
                    return CompletableFuture.<Void>completedFuture(null);
                }
                shard.aof = new Aof(Shard.current(), settings, new LogParts.Log(settings.dir(), shard.id, count),
                        shard.table, store, node.logPressure);
                shard.aof.preamble = node.scripts::writeRecord;
                shard.aof.rewritePolicy(settings.rewriteMinBytes(), settings.rewriteGrowthPercent(),
                        tunables.aofRewriteIncrementalFsync());
                return shard.aof.open(loaded.partsOf(shard.id), loaded.layoutChanged()).toCompletableFuture();
            }).thenCompose(f -> f));
        }
        CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).get(START_SECONDS, TimeUnit.SECONDS);
        if (loaded != null) {
            AofReplay.deleteStale(settings.dir(), loaded.staleFiles());
            if (Files.deleteIfExists(loading)) {
                AofReplay.syncDirectory(settings.dir());
            }
        }
        shardPorts.open(runtime, handler(node));
        node.rdb.checkSavePoints(); // on shard 0 while there are save points
        return new ServerLifecycle.Service() {
            @Override
            public ConnectionHandler handler() {
                return KvServer.handler(node);
            }

            @Override
            public void listening(int port) {
                node.port = port;
                if (replica.replicaOf() != null) { // kv.replicaof: the link, once REPLCONF listening-port is known
                    node.replica.follow(replica.replicaOf());
                }
            }

            @Override
            public void stopRequested() {
                node.stopping = true;
            }

            @Override
            public void stop() throws Exception {
                node.stopping = true;
                shardPorts.close();
                KvServer.stop(node);
            }
        };
    }

    /**
     * Each accepted connection: refused beyond {@code kv.max-connections}, then (as Redis checks them)
     * refused if protected mode does not admit its peer, else served by a {@link KvConnection}.
     */
    static ConnectionHandler handler(KvNode node) {
        return connection -> {
            node.connectionsAccepted.incrementAndGet();
            if (node.connections.incrementAndGet() > node.settings.maxConnections()) {
                node.connections.decrementAndGet();
                node.connectionsRejected.incrementAndGet();
                refuse(connection, MAX_CLIENTS);
                return;
            }
            if (node.protection.active() && !node.protection.admits(connection.remoteAddress())) {
                node.connections.decrementAndGet();
                refuse(connection, ProtectedMode.DENIED);
                return;
            }
            connection.receive(new KvConnection(node, connection));
        };
    }

    private static void refuse(Connection connection, byte[] error) {
        Buffer reply = BufferPool.current().acquire(error.length).writeBytes(error);
        connection.writeAll(reply).whenComplete((ignored, failure) -> {
            reply.release();
            connection.close();
        });
    }

    /**
     * Closes every client connection (no command arrives after the last sync), then writes, syncs and
     * closes every shard's log: a clean stop loses nothing, whatever the fsync policy.
     */
    static void stop(KvNode node) throws Exception {
        if (node.stopSave.saves(node.settings)) {
            node.rdb.saveAtStop();
        }
        List<CompletableFuture<Void>> synced = new ArrayList<>();
        for (KvShard shard : node.shards) {
            synced.add(node.runtime.submit(shard.id, () -> {
                shard.connections.closeAll();
                shard.migrateTargets.closeAll();
                return shard.aof == null
                        ? CompletableFuture.<Void>completedFuture(null)
                        : shard.aof.syncAll().flatMap(ignored -> shard.aof.close()).toCompletableFuture();
            }).thenCompose(f -> f));
        }
        try {
            CompletableFuture.allOf(synced.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            node.stopped = true;
        }
    }
}
