package dev.atoll.benchmarks.jmh;

import dev.atoll.config.AtollConfig;
import dev.atoll.io.Buffer;
import dev.atoll.io.BufferPool;
import dev.atoll.io.Connection;
import dev.atoll.io.Listener;
import dev.atoll.io.Receiver;
import dev.atoll.shards.Promise;
import dev.atoll.shards.ShardRuntime;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Loopback round trips on one shard — the client writes 64 bytes with {@code writeAll} and reads the
 * echo with {@code read}; the server echoes with {@code receive} + {@code writeAll} — to show what one
 * I/O operation allocates ({@code -prof gc}: {@code gc.alloc.rate.norm} is per round trip, i.e. four
 * socket operations and their promises).
 */
@State(Scope.Benchmark)
public class IoRoundTripBenchmark {
    static final int ROUND_TRIPS = 1_000;

    @Param({"epoll"})
    public String driver;

    private ShardRuntime runtime;
    private Connection client;
    private Buffer out;
    private Buffer in;

    @Setup(Level.Trial)
    public void start() throws Exception {
        runtime = ShardRuntime.start(AtollConfig.parse("atoll { shards { count = 1, pin = false }, driver = " + driver
                + " }", "IoRoundTripBenchmark"));
        runtime.submit(0, () -> {
            Listener listener = Listener.bind(new InetSocketAddress("127.0.0.1", 0));
            listener.accept().whenComplete((server, failure) -> server.receive(new Echo()));
            return Connection.connect(listener.localAddress(), null).map(connection -> {
                client = connection;
                out = BufferPool.current().acquire(64);
                in = BufferPool.current().acquire(64);
                return connection;
            }).toCompletableFuture();
        }).get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public int roundTrips() throws Exception {
        return runtime.submit(0, () -> {
            CompletableFuture<Integer> done = new CompletableFuture<>();
            roundTrip(ROUND_TRIPS, done);
            return done;
        }).get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
    }

    private void roundTrip(int remaining, CompletableFuture<Integer> done) {
        if (remaining == 0) {
            done.complete(ROUND_TRIPS);
            return;
        }
        out.clear().advanceWriter(64);
        client.writeAll(out);
        in.clear();
        readFully(64).whenComplete((n, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
            } else {
                roundTrip(remaining - 1, done);
            }
        });
    }

    private Promise<Integer> readFully(int expected) {
        return client.read(in).flatMap(n -> in.readableBytes() < expected && n > 0
                ? readFully(expected) : Promise.completed(in.readableBytes()));
    }

    @TearDown(Level.Trial)
    public void stop() {
        runtime.close();
    }

    /** The server side: every received buffer goes straight back. */
    static final class Echo implements Receiver {
        @Override
        public void onData(Connection connection, Buffer data) {
            connection.writeAll(data).whenComplete((ignored, failure) -> data.release());
        }

        @Override
        public void onEnd(Connection connection, Throwable failure) {
            connection.close();
        }
    }
}
