package dev.atoll.io;

import dev.atoll.shards.Promise;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Helpers shared by the io tests: running work on shards, echo servers, blocking clients, counting descriptors. */
final class IoTesting {
    static final long WAIT = TestRuntimes.WAIT_SECONDS;

    private IoTesting() {
    }

    /** Runs {@code work} on {@code shard} and returns its result (or rethrows its failure as an AssertionError). */
    static <T> T onShard(ShardRuntime runtime, int shard, Callable<T> work) {
        return TestRuntimes.await(runtime.submit(shard, work));
    }

    /** Runs {@code work} on {@code shard} and waits for the promise it returns. */
    static <T> T awaitPromise(ShardRuntime runtime, int shard, Callable<Promise<T>> work) {
        return TestRuntimes.awaitPromise(runtime, shard, work);
    }

    /** Runs {@code work} on {@code shard}, expects its promise to fail and returns the failure. */
    static Throwable awaitFailure(ShardRuntime runtime, int shard, Callable<? extends Promise<?>> work) {
        CompletableFuture<?> future = runtime.submit(shard, () -> work.call().toCompletableFuture())
                .thenCompose(f -> f);
        try {
            Object value = future.get(WAIT, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no outcome within " + WAIT + " s", e);
        }
    }

    static <T> T await(CompletableFuture<T> future) {
        return TestRuntimes.await(future);
    }

    /** The stats of every shard's buffer pool. */
    static List<BufferPool.Stats> poolStats(ShardRuntime runtime) {
        List<BufferPool.Stats> all = new ArrayList<>();
        for (int shard = 0; shard < runtime.shardCount(); shard++) {
            all.add(onShard(runtime, shard, () -> BufferPool.current().stats()));
        }
        return all;
    }

    /** Echoes everything received (released once written), closes at the end of stream or on an error. */
    static class EchoReceiver implements Receiver {
        @Override
        public void onData(Connection connection, Buffer data) {
            connection.writeAll(data).whenComplete((ignored, failure) -> {
                data.release();
                if (failure != null) {
                    connection.close();
                }
            });
        }

        @Override
        public void onEnd(Connection connection, Throwable failure) {
            if (failure == null) {
                connection.shutdownOutput().whenComplete((ignored, error) -> connection.close());
            } else {
                connection.close();
            }
        }
    }

    static final ConnectionHandler ECHO = connection -> connection.receive(new EchoReceiver());

    /**
     * On the calling shard: writes {@code data} and reads until as many bytes came back; completes with them.
     */
    static Promise<byte[]> exchange(Connection connection, byte[] data) {
        BufferPool pool = BufferPool.current();
        Buffer out = pool.acquire(data.length);
        out.writeBytes(data);
        return connection.writeAll(out).flatMap(ignored -> {
            out.release();
            Buffer in = pool.acquire(data.length);
            Promise<byte[]> result = new Promise<>();
            readFully(connection, in, data.length, result);
            return result;
        });
    }

    private static void readFully(Connection connection, Buffer in, int length, Promise<byte[]> result) {
        connection.read(in).whenComplete((count, failure) -> {
            if (failure != null || count < 0) {
                in.release();
                result.fail(failure != null ? failure : new AssertionError("end of stream after "
                        + in.readableBytes() + " of " + length + " bytes"));
            } else if (in.readableBytes() >= length) {
                byte[] bytes = in.toByteArray();
                in.release();
                result.complete(bytes);
            } else {
                readFully(connection, in, length, result);
            }
        });
    }

    /** A blocking client's round trip: sends {@code data}, reads as many bytes back. */
    static byte[] roundTrip(Socket socket, byte[] data) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(data);
        out.flush();
        return socket.getInputStream().readNBytes(data.length);
    }

    static void assertEchoes(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes();
        byte[] back = roundTrip(socket, bytes);
        if (!java.util.Arrays.equals(bytes, back)) {
            throw new AssertionError("sent '" + text + "', got back '" + new String(back) + "'");
        }
    }

    /** Reads to the end of stream; returns the byte count (a reset counts as the end). */
    static long drain(InputStream in) {
        long total = 0;
        byte[] chunk = new byte[64 * 1024];
        try {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                total += n;
            }
        } catch (IOException e) {
            // a reset ends it too
        }
        return total;
    }

    /** Descriptors this process has open now (Linux lists them in /proc/self/fd, macOS in /dev/fd). */
    static int openDescriptors() {
        Path dir = Files.isDirectory(Path.of("/proc/self/fd")) ? Path.of("/proc/self/fd") : Path.of("/dev/fd");
        try (Stream<Path> fds = Files.list(dir)) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits (polling, with the tests' generous deadline) until {@code condition} holds; for state no callback reports. */
    /** A client socket (reads time out after {@link #WAIT} s) and the connection shard 0 accepted for it. */
    record Accepted(Socket peer, Connection server) { }

    /** Connects a client to {@code listener} (on shard 0) and waits for the accepted connection. */
    static Accepted accept(Cleanup cleanup, ShardRuntime runtime, Listener listener) throws IOException {
        CompletableFuture<Connection> accepted = runtime.submit(0, () -> listener.accept().toCompletableFuture())
                .thenCompose(f -> f);
        Socket peer = cleanup.add(new Socket("127.0.0.1", listener.port()));
        peer.setSoTimeout((int) (WAIT * 1000));
        return new Accepted(peer, await(accepted));
    }

    static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + " s: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // cleanup
            }
        }
    }
}
