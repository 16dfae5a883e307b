package dev.atoll.examples;

import dev.atoll.actors.ActorSystem;
import dev.atoll.config.AtollConfig;
import dev.atoll.drivers.Driver;
import dev.atoll.examples.metrics.MetricsEndpoint;
import dev.atoll.io.ConnectionHandler;
import dev.atoll.io.TcpServer;
import dev.atoll.shards.ShardRuntime;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The life of a server example as {@code CONTRACTS.md} fixes it: load Atoll's classes
 * ({@link ClassPreload}: a flood of connections must not make a first class load fail), start the shards and a
 * {@link TcpServer} on the configured host and port, print the ready line, serve until SIGINT or
 * SIGTERM, then stop listening, stop the shards (closing open connections) and exit 0. If a shard
 * dies instead (its loop ends without a stop), the process stops the same way at once, within the
 * shards' shutdown timeout plus {@link #DEATH_STOP_GRACE}, and exits {@link #EXIT_SHARD_DIED}.
 */
public final class ServerLifecycle {
    /**
     * The exit status of a server that stopped because one of its shards died (its loop ended without a
     * stop being asked for): {@code EX_SOFTWARE} of sysexits.h, an internal error.
     */
    public static final int EXIT_SHARD_DIED = 70;
    private static final long STOP_SECONDS = 30;
    /** After a shard died, the stop may take the shards' shutdown timeout plus this, then the process halts anyway. */
    private static final Duration DEATH_STOP_GRACE = Duration.ofSeconds(10);
    /** The name of the JDK's thread that writes the recordings at exit (jdk.jfr.internal.ShutdownHook). */
    private static final String JFR_SHUTDOWN_HOOK = "JFR Shutdown Hook";
    /** How long the halt waits for that thread at most. */
    private static final Duration RECORDING_WAIT = Duration.ofSeconds(30);
    /** Held by the one stop of the process. */
    private static final Object STOP_LOCK = new Object();
    /** Whether this process serves through {@link #serveService} (a stop request then ends it). */
    private static volatile boolean serving;

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
         * At SIGINT, SIGTERM or a shard's death, at once, from the stopping thread: before listening
         * stops, so that a long-running command can end rather than hold its shard (and the stop) up.
         */
        default void stopRequested() {
        }

        /**
         * At SIGINT, SIGTERM or a shard's death, after listening stopped and before the shards stop;
         * work for a dead shard is refused ({@link java.util.concurrent.RejectedExecutionException}).
         */
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
        ClassPreload.loadAll(ServerLifecycle.class, TcpServer.class, ShardRuntime.class, Driver.class,
                AtollConfig.class, ActorSystem.class);
        ShardRuntime runtime = ShardRuntime.start(settings.config());
        TcpServer server;
        Service service;
        try {
            service = setup.start(runtime);
            server = TcpServer.start(runtime, new InetSocketAddress(settings.host(), settings.port()), service.handler())
                    .get(STOP_SECONDS, TimeUnit.SECONDS);
            MetricsEndpoint.startIfConfigured(settings, runtime, List.of()).get(STOP_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            runtime.close();
            throw e;
        }
        CompletableFuture<ShardRuntime.ShardDeath> death = runtime.shardDeath().toCompletableFuture();
        Runnable stop = () -> stopAndHalt(settings.example(), runtime, server, service, death);
        // A shutdown hook sees SIGINT and SIGTERM; halting from it sets the exit status (the JVM would
        // otherwise report 130 or 143).
        Runtime.getRuntime().addShutdownHook(new Thread(stop, settings.example() + "-stop"));
        serving = true;
        service.listening(server.port());
        settings.printReady(server.port(), runtime.driverKind(), runtime.shardCount());
        ShardRuntime.ShardDeath died = death.join();   // for ever, unless a shard dies: a signal halts the JVM
        Duration bound = runtime.settings().shards().shutdownTimeout().plus(DEATH_STOP_GRACE);
        Thread.ofPlatform().daemon().name(settings.example() + "-stop-deadline").start(() -> {
            sleepUninterruptibly(bound);
            System.err.println(settings.example() + ": the stop after shard " + died.shard() + " died took longer than "
                    + bound.toSeconds() + " s; exiting now");
            halt(EXIT_SHARD_DIED);
        });
        stop.run();
    }

    /**
     * The one stop of the process, whichever of a signal and a shard's death asks first (the other
     * waits here until the halt): stop listening, let the service finish, stop the shards (closing
     * their connections), then halt with 0, {@link #EXIT_SHARD_DIED} if a shard has died, or 1 if a
     * shard did not stop.
     */
    private static void stopAndHalt(String example, ShardRuntime runtime, TcpServer server, Service service,
                                    CompletableFuture<ShardRuntime.ShardDeath> death) {
        synchronized (STOP_LOCK) {
            int status = 0;
            service.stopRequested();
            try {
                server.close().get(STOP_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println(example + ": stopping the listeners failed: " + e);
            }
            try {
                service.stop();
            } catch (Exception e) {
                System.err.println(example + ": stopping failed: " + e);
            }
            try {
                runtime.close();
            } catch (RuntimeException e) {
                System.err.println(example + ": stopping the shards failed: " + e);
                status = 1;
            }
            ShardRuntime.ShardDeath died = death.getNow(null);
            if (died != null) {
                System.err.println(example + ": shard " + died.shard() + " died (" + died.cause()
                        + "); the other shards stopped; exiting with " + EXIT_SHARD_DIED);
                status = EXIT_SHARD_DIED;
            }
            halt(status);
        }
    }

    /**
     * Stops the serving process as SIGTERM does (the orderly stop of {@link #serveService}, exit status 0
     * unless a shard died), from another thread; false, doing nothing, when nothing serves in this process
     * (a server inside a test).
     */
    public static boolean requestStop() {
        if (!serving) {
            return false;
        }
        Thread.ofPlatform().name("stop-request").start(() -> System.exit(0));
        return true;
    }

    private static void halt(int status) {
        writeFlightRecordings();
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    /**
     * Writes the JFR recordings that have a file to go to ({@code -XX:StartFlightRecording=filename=...}) before
     * the halt: stops each one still running, which writes it, and waits (at most {@link #RECORDING_WAIT}) for
     * the recorder's own shutdown hook, which may be writing one already: a halt would not wait for it.
     */
    private static void writeFlightRecordings() {
        if (!FlightRecorder.isInitialized()) {
            return;
        }
        for (Recording recording : FlightRecorder.getFlightRecorder().getRecordings()) {
            if (recording.getState() == RecordingState.RUNNING && recording.getDestination() != null) {
                try {
                    recording.stop();
                } catch (IllegalStateException stoppedMeanwhile) {
                    // by the recorder's own shutdown hook, joined below
                } catch (RuntimeException e) {
                    System.err.println("the JFR recording " + recording.getName() + " was not written at exit: " + e);
                }
            }
        }
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals(JFR_SHUTDOWN_HOOK) && thread != Thread.currentThread()) {
                try {
                    thread.join(RECORDING_WAIT);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static void sleepUninterruptibly(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                // a daemon's deadline: keep it
            }
        }
    }
}
