package dev.atoll.examples.kv;

import dev.atoll.config.ConfigReader;
import dev.atoll.io.ConnectionHandler;
import dev.atoll.io.TcpServer;
import dev.atoll.shards.ShardRuntime;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code kv.shard-ports}: besides the server's port, each shard listens on a port of its own and keeps
 * the connections made to it, and the server answers {@code CLUSTER SLOTS}/{@code NODES}/{@code SHARDS}
 * as a Redis Cluster whose nodes are the shards ({@link ClusterCommands}). A cluster-aware client then
 * sends each command to the shard that owns its key's hash slot ({@link KeySlots}): no command travels
 * between cores, so a second core adds throughput without making a request dearer. A command for a key
 * of another shard is still served (over the mesh, as on the main port), never redirected.
 */
final class ShardPorts {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ShardPorts.class);

    /** No port per shard: CLUSTER answers that cluster support is disabled. */
    static final ShardPorts OFF = new ShardPorts("", -1);

    private static final long START_SECONDS = 30;

    /** The host the shards' ports are bound to (the server's). */
    final String host;
    /** The first shard's port (shard i listens on {@code base + i}); 0 = ephemeral ports; -1 = off. */
    private final int base;
    private final List<TcpServer> servers = new ArrayList<>();
    /** The bound port of each shard; set once by {@link #open}, before the server is ready. */
    private volatile int[] ports = new int[0];

    ShardPorts(String host, int base) {
        this.host = host;
        this.base = base;
    }

    /** Reads {@code kv.shard-ports}: {@code off}, or the first shard's port (0 = each shard an ephemeral port). */
    static ShardPorts from(ConfigReader reader, String host) {
        String path = "kv.shard-ports";
        if (KvSettings.isWord(reader, path, "off")) {
            return OFF;
        }
        try {
            return new ShardPorts(host, reader.intIn(path, 0, 65535));
        } catch (RuntimeException e) {
            throw reader.invalid(path, "off, or the first shard's port (shard i listens on it + i; 0 = ephemeral ports)");
        }
    }

    boolean enabled() {
        return base >= 0;
    }

    /** Shard {@code shard}'s port, once open. */
    int port(int shard) {
        return ports[shard];
    }

    /** Listens on each shard's port, every connection served by {@code handler} on that shard; fails with a bind error. */
    void open(ShardRuntime runtime, ConnectionHandler handler) throws Exception {
        if (!enabled()) {
            return;
        }
        int[] bound = new int[runtime.shardCount()];
        try {
            for (int shard = 0; shard < bound.length; shard++) {
                int port = base == 0 ? 0 : base + shard;
                if (port > 65535) {
                    throw new IllegalArgumentException("kv.shard-ports = " + base + ": shard " + shard + " would need port " + port);
                }
                TcpServer server = TcpServer.startOn(runtime, shard, new InetSocketAddress(host, port), handler)
                        .get(START_SECONDS, TimeUnit.SECONDS);
                servers.add(server);
                bound[shard] = server.port();
            }
        } catch (Exception e) {
            close();
            throw e;
        }
        ports = bound;
        log.info("kv: each shard listens on its own port too, {} (shard 0 first); CLUSTER SLOTS describes them",
                java.util.Arrays.toString(bound));
    }

    /** Stops listening on the shards' ports (their connections stay, as the main port's do). */
    void close() throws Exception {
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        for (TcpServer server : servers) {
            closed.add(server.close());
        }
        CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(START_SECONDS, TimeUnit.SECONDS);
    }
}
