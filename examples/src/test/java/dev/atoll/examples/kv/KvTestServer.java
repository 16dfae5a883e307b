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
    /** The input limits of most tests: 64 MiB bulk strings and commands, 256 MiB per shard. */
    static final KvSettings.InputLimits INPUT = new KvSettings.InputLimits(64 << 20, 64 << 20, 256L << 20);

    final ShardRuntime runtime;
    final ServerLifecycle.Service service;
    final TcpServer server;
    /** The loopback address listened on. */
    final String host;
    /** Each shard's own port ({@code kv.shard-ports}), or {@link ShardPorts#OFF}. */
    final ShardPorts shardPorts;

    private KvTestServer(ShardRuntime runtime, ServerLifecycle.Service service, TcpServer server, String host,
                         ShardPorts shardPorts) {
        this.runtime = runtime;
        this.service = service;
        this.server = server;
        this.host = host;
        this.shardPorts = shardPorts;
    }

    private boolean crashed;

    static KvTestServer start(int shards, DriverKind driver, KvSettings settings) throws Exception {
        return start(shards, driver, settings, LogStore.FILES, "");
    }

    /** With {@code atollHocon} added to the runtime's settings (e.g. a small mesh). */
    static KvTestServer start(int shards, DriverKind driver, KvSettings settings, String atollHocon) throws Exception {
        return start(shards, driver, settings, LogStore.FILES, atollHocon);
    }

    /** With the logs in {@code store} and {@code extraHocon} added to the runtime's settings. */
    static KvTestServer start(int shards, DriverKind driver, KvSettings settings, LogStore store, String extraHocon)
            throws Exception {
        return start(shards, driver, settings, store, extraHocon, "127.0.0.1", ProtectedMode.OFF, ShardPorts.OFF);
    }

    /** With {@code kv.shard-ports = 0}: each shard listens on an ephemeral port of its own too. */
    static KvTestServer withShardPorts(int shards, DriverKind driver, KvSettings settings) throws Exception {
        return start(shards, driver, settings, LogStore.FILES, "", "127.0.0.1", ProtectedMode.OFF,
                new ShardPorts("127.0.0.1", 0));
    }

    /** Listening on {@code host} (a loopback address), serving the peers {@code protection} admits. */
    static KvTestServer start(int shards, DriverKind driver, KvSettings settings, String host,
                              ProtectedMode protection) throws Exception {
        return start(shards, driver, settings, LogStore.FILES, "", host, protection, ShardPorts.OFF);
    }

    private static KvTestServer start(int shards, DriverKind driver, KvSettings settings, LogStore store,
                                      String extraHocon, String host, ProtectedMode protection,
                                      ShardPorts shardPorts) throws Exception {
        ShardRuntime runtime = TestRuntimes.start(shards, extraHocon, driver);
        try {
            ServerLifecycle.Service service = KvServer.start(runtime, settings, store, protection, shardPorts);
            TcpServer server = TcpServer.start(runtime, new InetSocketAddress(host, 0), service.handler())
                    .get(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS);
            service.listening(server.port());
            return new KvTestServer(runtime, service, server, host, shardPorts);
        } catch (Exception | AssertionError e) {
            runtime.close();
            throw e;
        }
    }

    /** Settings as reference.conf has them, with the log in {@code dir} (null: no log) and the given fsync policy. */
    static KvSettings settings(Path dir, KvSettings.FsyncPolicy fsync) {
        return new KvSettings(dir != null, fsync, dir == null ? Path.of("unused") : dir, 64L << 20, 100, 16L << 20, INPUT,
                OUTPUT, 10_000, Duration.ZERO, "", true);
    }

    /** The output limits of reference.conf: hard 256 MiB, no soft limit, pause above 1 MiB until under 256 KiB, auto per shard. */
    static final KvSettings.OutputLimits OUTPUT = new KvSettings.OutputLimits(256L << 20, 0, 0, 1 << 20, 256 << 10, 0);

    /**
     * Where {@code progress} (a count another thread advances) settles: it did not move for
     * {@code quietMillis}, or 20 s passed. For tests that show something stops, and how far it got.
     */
    static long settled(java.util.function.LongSupplier progress, long quietMillis) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        long seen;
        do {
            seen = progress.getAsLong();
            Thread.sleep(quietMillis);
        } while (progress.getAsLong() != seen && System.nanoTime() < deadline);
        return seen;
    }

    /** A thread per task, for clients that block (the common pool has one thread on a 2-core machine). */
    static final java.util.concurrent.Executor THREADS = task -> Thread.ofPlatform().daemon().start(task);

    int port() {
        return server.port();
    }

    RespClient client() throws Exception {
        return new RespClient(host, port(), null);
    }

    /** A client whose end of the connection is at {@code from} (another loopback address plays another host). */
    RespClient clientFrom(String from) throws Exception {
        return new RespClient(host, port(), from);
    }

    /** {@code query_buffers} of each shard, from INFO shards, asked through {@code client}. */
    static long[] queryBuffers(RespClient client) throws Exception {
        return java.util.Arrays.stream(((String) client.call("INFO", "shards")).split("\r\n"))
                .filter(line -> line.startsWith("shard"))
                .mapToLong(line -> Long.parseLong(line.replaceAll(".*,query_buffers=(\\d+).*", "$1")))
                .toArray();
    }

    /** A crash: listening and the shards stop without the clean stop's sync; {@link #close()} does nothing after it. */
    void crash() throws Exception {
        crashed = true;
        try {
            server.close().get(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS);
        } finally {
            runtime.close();
        }
    }

    /** A clean stop as at SIGTERM: the stop is announced, listening ends, logs are synced and closed, shards stop. */
    @Override
    public void close() {
        if (crashed) {
            return;
        }
        service.stopRequested();
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
