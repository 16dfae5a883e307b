package dev.atoll.examples.kv;

import dev.atoll.io.Connection;
import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;
import dev.atoll.shards.Timer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The connections MIGRATE keeps to its targets on one shard, one per host and port, as Redis caches its
 * migration sockets: a later MIGRATE to the same server skips the connect, and its SELECT while the database
 * stays the same. A connection is out of the cache while a MIGRATE uses it (two at once to one target get two
 * connections: Redis, which blocks while it migrates, never has two), and one unused for {@link #IDLE} is
 * closed, as Redis's cron closes them. Used by the shard's thread only.
 */
final class MigrateTargets {
    /** Redis's MIGRATE_SOCKET_CACHE_TTL. */
    static final Duration IDLE = Duration.ofSeconds(10);

    /** A connection and the database its last successful MIGRATE selected (-1: none yet, or in doubt). */
    static final class Target {
        final Connection connection;
        long selectedDb = -1;
        /** Closes it once unused for {@link #IDLE}, while it is in the cache. */
        private Timer idle;

        Target(Connection connection) {
            this.connection = connection;
        }

        void close() {
            if (idle != null) {
                idle.cancel();
            }
            connection.close();
        }
    }

    private final Map<String, Target> cached = new HashMap<>();

    /**
     * The cached connection to {@code host}:{@code port}, taken out of the cache, else a new one (a host name
     * resolved on the offload pool, never on the shard); fails when the connect fails or takes over
     * {@code timeout}. Once the MIGRATE is over it is {@link #release}d, or closed after a socket error.
     */
    Promise<Target> take(String host, int port, Duration timeout) {
        Target target = cached.remove(host + ":" + port);
        if (target != null) {
            target.idle.cancel();
            if (target.connection.isOpen()) {
                return Promise.completed(target);
            }
            target.close();
        }
        Promise<InetAddress> address;
        try {
            address = Promise.completed(InetAddress.ofLiteral(host));
        } catch (IllegalArgumentException notLiteral) {
            address = Shard.current().offload(() -> InetAddress.getByName(host));
        }
        return address.flatMap(resolved -> Connection.connect(new InetSocketAddress(resolved, port), timeout))
                .map(Target::new);
    }

    /** The MIGRATE that {@link #take took} {@code target} is over, its connection sound: back into the cache. */
    void release(String host, int port, Target target) {
        String name = host + ":" + port;
        Target other = cached.put(name, target);
        if (other != null) {
            other.close(); // another MIGRATE's, to the same target, released first
        }
        target.idle = Shard.current().schedule(IDLE, () -> {
            if (cached.remove(name, target)) {
                target.close();
            }
        });
    }

    /** Closes every cached connection (the server stops). */
    void closeAll() {
        for (Target target : cached.values()) {
            target.close();
        }
        cached.clear();
    }
}
