package dev.atoll.benchmarks;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The TCP echo load generator of {@code ./atoll bench echo}, used identically against every server:
 * {@code connections} connections spread over {@code threads} platform threads, each thread one NIO
 * selector. Every connection sends a message of {@code size} bytes, waits until all of it has come
 * back (and checks it), records the round trip, and sends the next: closed-loop, one message in
 * flight per connection. The measured window starts once every connection is open.
 */
final class EchoLoad {
    private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(10);

    private EchoLoad() {
    }

    /** Completed round trips per second over the window, and their latency percentiles. */
    record Result(double roundTripsPerSecond, double p50Micros, double p99Micros) { }

    static Result run(String host, int port, int connections, int threads, int size, double seconds) throws Exception {
        ByteBuffer pattern = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            pattern.put((byte) (i * 31 + 7));
        }
        pattern.flip();
        CountDownLatch connected = new CountDownLatch(threads);
        CompletableFuture<Long> start = new CompletableFuture<>();
        List<CompletableFuture<Worker>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int mine = connections / threads + (t < connections % threads ? 1 : 0);
            Worker worker = new Worker(new InetSocketAddress(host, port), mine, pattern.asReadOnlyBuffer());
            CompletableFuture<Worker> finished = new CompletableFuture<>();
            done.add(finished);
            Thread.ofPlatform().daemon().name("echo-load-" + t).start(() -> {
                try {
                    worker.connect();
                    connected.countDown();
                    worker.run(start.join() + (long) (seconds * 1e9));
                    finished.complete(worker);
                } catch (Throwable e) {
                    connected.countDown();
                    finished.completeExceptionally(e);
                } finally {
                    worker.closeAll();
                }
            });
        }
        connected.await();
        long begin = System.nanoTime();
        start.complete(begin);
        Histogram latencies = new Histogram(HIGHEST_NANOS, 3);
        long roundTrips = 0;
        for (CompletableFuture<Worker> finished : done) {
            Worker worker = finished.get();
            latencies.add(worker.latencies);
            roundTrips += worker.roundTrips;
        }
        return new Result(roundTrips / seconds, latencies.getValueAtPercentile(50) / 1e3,
                latencies.getValueAtPercentile(99) / 1e3);
    }

    /** One thread's connections and figures. */
    private static final class Worker {
        final InetSocketAddress target;
        final int count;
        final ByteBuffer pattern;
        final List<Echoing> connections = new ArrayList<>();
        final Histogram latencies = new Histogram(HIGHEST_NANOS, 3);
        Selector selector;
        long roundTrips;
        long deadline;

        Worker(InetSocketAddress target, int count, ByteBuffer pattern) {
            this.target = target;
            this.count = count;
            this.pattern = pattern;
        }

        void connect() throws IOException {
            selector = Selector.open();
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open(target);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.configureBlocking(false);
                Echoing echoing = new Echoing(this, channel, pattern.duplicate());
                echoing.key = channel.register(selector, SelectionKey.OP_READ, echoing);
                connections.add(echoing);
            }
        }

        void run(long deadline) throws IOException {
            this.deadline = deadline;
            for (Echoing echoing : connections) {
                echoing.send();
            }
            while (System.nanoTime() < deadline) {
                selector.select(10);
                for (SelectionKey key : selector.selectedKeys()) {
                    Echoing echoing = (Echoing) key.attachment();
                    if (key.isValid() && key.isWritable()) {
                        echoing.write();
                    }
                    if (key.isValid() && key.isReadable()) {
                        echoing.read();
                    }
                }
                selector.selectedKeys().clear();
            }
        }

        void closeAll() {
            for (Echoing echoing : connections) {
                try {
                    echoing.channel.close();
                } catch (IOException e) {
                    // closing at the end of a run: nothing to do about it
                }
            }
            try {
                if (selector != null) {
                    selector.close();
                }
            } catch (IOException e) {
                // as above
            }
        }
    }

    /** One connection: a message out, the same message back, again. */
    private static final class Echoing {
        final Worker worker;
        final SocketChannel channel;
        final ByteBuffer out;
        final ByteBuffer in;
        SelectionKey key;
        long sentAt;

        Echoing(Worker worker, SocketChannel channel, ByteBuffer pattern) {
            this.worker = worker;
            this.channel = channel;
            this.out = pattern;
            this.in = ByteBuffer.allocateDirect(pattern.capacity());
        }

        void send() throws IOException {
            out.clear();
            sentAt = System.nanoTime();
            write();
        }

        void write() throws IOException {
            channel.write(out);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        void read() throws IOException {
            int n = channel.read(in);
            if (n < 0) {
                throw new IOException("the server closed a connection in the middle of an echo");
            }
            if (in.hasRemaining()) {
                return;
            }
            long now = System.nanoTime();
            in.flip();
            out.clear();
            if (in.mismatch(out) != -1) {
                throw new IOException("the server echoed different bytes");
            }
            in.clear();
            if (now < worker.deadline) {
                worker.latencies.recordValue(Math.min(now - sentAt, HIGHEST_NANOS));
                worker.roundTrips++;
                send();
            }
        }
    }
}
