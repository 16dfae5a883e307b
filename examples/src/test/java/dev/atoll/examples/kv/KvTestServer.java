package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import dev.atoll.examples.ServerLifecycle;
import dev.atoll.io.TcpServer;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The kv server in the test's JVM: shards, service (logs replayed) and listener on an ephemeral port. */
final class KvTestServer implements AutoCloseable {
    final ShardRuntime runtime;
    final ServerLifecycle.Service service;
    final TcpServer server;

    private KvTestServer(ShardRuntime runtime, ServerLifecycle.Service service, TcpServer server) {
        this.runtime = runtime;
        this.service = service;
        this.server = server;
    }

    static KvTestServer start(int shards, DriverKind driver, KvSettings settings) throws Exception {
        return start(shards, driver, settings, "");
    }

    /** With {@code atollHocon} added to the runtime's settings (e.g. a small mesh). */
    static KvTestServer start(int shards, DriverKind driver, KvSettings settings, String atollHocon) throws Exception {
        ShardRuntime runtime = TestRuntimes.start(shards, atollHocon, driver);
        try {
            ServerLifecycle.Service service = KvServer.start(runtime, settings);
            TcpServer server = TcpServer.start(runtime, new InetSocketAddress("127.0.0.1", 0), service.handler())
                    .get(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS);
            service.listening(server.port());
            return new KvTestServer(runtime, service, server);
        } catch (Exception | AssertionError e) {
            runtime.close();
            throw e;
        }
    }

    /** Settings as reference.conf has them, with the log in {@code dir} (null: no log) and the given fsync policy. */
    static KvSettings settings(Path dir, KvSettings.FsyncPolicy fsync) {
        return new KvSettings(dir != null, fsync, dir == null ? Path.of("unused") : dir, 64L << 20, 100, 64 << 20,
                10_000, Duration.ZERO, "");
    }

    int port() {
        return server.port();
    }

    RespClient client() throws Exception {
        return new RespClient(port());
    }

    /** A clean stop: listening ends, logs are synced and closed, shards stop. */
    @Override
    public void close() {
        try {
            server.close().get(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS);
            service.stop();
        } catch (Exception e) {
            throw new AssertionError("stopping the kv server failed", e);
        } finally {
            runtime.close();
        }
    }
}
