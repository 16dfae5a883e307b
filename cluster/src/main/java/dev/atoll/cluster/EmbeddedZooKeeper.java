package dev.atoll.cluster;

import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.server.persistence.FileTxnSnapLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A standalone ZooKeeper server in this process, on loopback, with its data in a temporary directory
 * deleted at {@link #close()}: for {@code atoll.cluster.zookeeper = embedded}, a single machine with
 * nothing installed. Not for production: one server is no ensemble, and its data does not survive it.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
    private static final int TICK_MILLIS = 500;
    private static final int MAX_CLIENTS = 1000;

    private final Path dataDir;
    private final ZooKeeperServer server;
    private final ServerCnxnFactory factory;

    private EmbeddedZooKeeper(Path dataDir, ZooKeeperServer server, ServerCnxnFactory factory) {
        this.dataDir = dataDir;
        this.server = server;
        this.factory = factory;
    }

    /**
     * Starts a server on {@code 127.0.0.1:port} (0: a free port). Its tick is 500 ms, so sessions may
     * be as short as 1 s and as long as 10 s (ZooKeeper clamps them to [2, 20] ticks; a shorter tick
     * made the default 10 s into 2 s, and a busy machine then expired sessions of live nodes).
     */
    public static EmbeddedZooKeeper start(int port) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("atoll-zookeeper");
            ZooKeeperServer server = new ZooKeeperServer(new FileTxnSnapLog(dir.toFile(), dir.toFile()), TICK_MILLIS, "");
            ServerCnxnFactory factory = ServerCnxnFactory.createFactory();
            factory.configure(new InetSocketAddress("127.0.0.1", port), MAX_CLIENTS);
            factory.startup(server);
            return new EmbeddedZooKeeper(dir, server, factory);
        } catch (IOException e) {
            deleteQuietly(dir);
            throw new ClusterException("the embedded ZooKeeper server could not start on 127.0.0.1:" + port + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deleteQuietly(dir);
            throw new ClusterException("interrupted while the embedded ZooKeeper server started", e);
        }
    }

    /** The connect string of this server. */
    public String connectString() {
        return "127.0.0.1:" + port();
    }

    /** The port it listens on. */
    public int port() {
        return factory.getLocalPort();
    }

    /** Stops the server and deletes its data. */
    @Override
    public void close() {
        factory.shutdown();
        server.shutdown();
        deleteQuietly(dataDir);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
