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

    /**
     * What a server example prepares on the started shards before it listens (state, files), and
     * finishes at a clean stop once listening ended, before the shards stop.
     */
    public interface Service {
        /** What the server does with each accepted connection. */
        ConnectionHandler handler();

        /** Told the port actually bound, before the ready line. */
        default void listening(int port) {
        }

        /**
         * At SIGINT or SIGTERM, at once, from the stopping thread: before listening stops, so that a
         * long-running command can end rather than hold its shard (and the stop) up.
         */
        default void stopRequested() {
        }

        /** At SIGINT or SIGTERM, after listening stopped and before the shards stop. */
        default void stop() throws Exception {
        }
    }

    /** Builds a {@link Service} on a started runtime. */
    @FunctionalInterface
    public interface Setup {
        Service start(ShardRuntime runtime) throws Exception;
    }

    /** Serves {@code handler} until the process is asked to stop; returns only if starting fails. */
    public static void serve(ServerSettings settings, ConnectionHandler handler) throws Exception {
        serveService(settings, runtime -> () -> handler);
    }

    /** Serves what {@code setup} builds until the process is asked to stop; returns only if starting fails. */
    public static void serveService(ServerSettings settings, Setup setup) throws Exception {
        ShardRuntime runtime = ShardRuntime.start(settings.config());
        TcpServer server;
        Service service;
        try {
            service = setup.start(runtime);
            server = TcpServer.start(runtime, new InetSocketAddress(settings.host(), settings.port()), service.handler())
                    .get(STOP_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            runtime.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // A shutdown hook sees SIGINT and SIGTERM; halting with 0 from it makes the exit status 0 (the JVM
        // would otherwise report 130 or 143) once the server has stopped cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.stopRequested();
            try {
                server.close().get(STOP_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println(settings.example() + ": stopping the listeners failed: " + e);
            }
            try {
                service.stop();
            } catch (Exception e) {
                System.err.println(settings.example() + ": stopping failed: " + e);
            }
            runtime.close();
            stopped.countDown();
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(0);
        }, settings.example() + "-stop"));
        service.listening(server.port());
        settings.printReady(server.port(), runtime.driverKind(), runtime.shardCount());
        stopped.await();
    }
}
