package dev.atoll.examples;

import dev.atoll.io.ConnectionHandler;
import dev.atoll.io.TcpServer;
import dev.atoll.shards.ShardRuntime;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The life of a server example as {@code CONTRACTS.md} fixes it: start the shards and a
 * {@link TcpServer} on the configured host and port, print the ready line, serve until SIGINT or
 * SIGTERM, then stop listening, stop the shards (closing open connections) and exit 0.
 */
public final class ServerLifecycle {
    private static final long STOP_SECONDS = 30;

    private ServerLifecycle() {
    }

    /** Serves {@code handler} until the process is asked to stop; returns only if starting fails. */
    public static void serve(ServerSettings settings, ConnectionHandler handler) throws Exception {
        ShardRuntime runtime = ShardRuntime.start(settings.config());
        TcpServer server;
        try {
            server = TcpServer.start(runtime, new InetSocketAddress(settings.host(), settings.port()), handler)
                    .get(STOP_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            runtime.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // A shutdown hook sees SIGINT and SIGTERM; halting with 0 from it makes the exit status 0 (the JVM
        // would otherwise report 130 or 143) once the server has stopped cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close().get(STOP_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println(settings.example() + ": stopping the listeners failed: " + e);
            }
            runtime.close();
            stopped.countDown();
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(0);
        }, settings.example() + "-stop"));
        settings.printReady(server.port(), runtime.driverKind(), runtime.shardCount());
        stopped.await();
    }
}
