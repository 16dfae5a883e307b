package dev.atoll.benchmarks;

import dev.atoll.drivers.uring.IoUringDriver;
import dev.atoll.io.AsyncFile;
import dev.atoll.io.Buffer;
import dev.atoll.io.BufferPool;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Random reads of {@link #BLOCK} bytes at block-aligned offsets of one file for a fixed time, counted
 * as reads per second: through Java's {@link FileChannel} from several threads (one read in flight
 * each), and through Atoll's {@link AsyncFile} with a queue of reads in flight on every shard.
 */
final class RandomReads {
    /** The size of every read, and the alignment of offsets and buffers (O_DIRECT needs it). */
    static final int BLOCK = 4096;
    private static final int FILL_CHUNK = 1 << 20;
    /** Per-thread allocation counters (HotSpot's): what a shard thread allocated during the reads. */
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private RandomReads() {
    }

    /**
     * The file to read: {@code size} bytes of pseudo-random data (no zero pages a file system could
     * leave sparse), created once and reused while it has that size.
     */
    static Path prepare(Path file, long size) throws IOException {
        if (Files.isRegularFile(file) && Files.size(file) == size) {
            return file;
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        System.out.printf("creating the %d MiB file %s ...%n", size >> 20, file);
        SplittableRandom random = new SplittableRandom(42);
        ByteBuffer chunk = ByteBuffer.allocateDirect(FILL_CHUNK);
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long written = 0; written < size; written += FILL_CHUNK) {
                chunk.clear();
                while (chunk.remaining() >= Long.BYTES) {
                    chunk.putLong(random.nextLong() | 0x0101010101010101L);
                }
                chunk.flip().limit((int) Math.min(FILL_CHUNK, size - written));
                while (chunk.hasRemaining()) {
                    channel.write(chunk, written + chunk.position());
                }
            }
            channel.force(true);
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /** Reads the whole file once, so buffered reads that follow find it in the page cache. */
    static void warmPageCache(Path file) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(FILL_CHUNK);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long position = 0;
            int n;
            while ((n = channel.read(chunk.clear(), position)) > 0) {
                position += n;
            }
        }
    }

    /** A buffer of {@link #BLOCK} bytes at an address aligned to it. */
    private static ByteBuffer alignedBlock() {
        return ByteBuffer.allocateDirect(2 * BLOCK).alignedSlice(BLOCK).limit(BLOCK);
    }

    /** Reads per second through one {@link FileChannel} opened with {@code options}, from {@code threads} threads. */
    static double fileChannel(Path file, OpenOption[] options, int threads, Duration duration)
            throws IOException, InterruptedException {
        long blocks = Files.size(file) / BLOCK;
        try (FileChannel channel = FileChannel.open(file, options)) {
            CountDownLatch ready = new CountDownLatch(threads);
            long[] counts = new long[threads];
            Throwable[] failures = new Throwable[threads];
            Stop stop = new Stop();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int index = t;
                readers.add(Thread.ofPlatform().name("file-channel-reader-" + t).start(() -> {
                    ByteBuffer buffer = alignedBlock();
                    SplittableRandom random = new SplittableRandom(index);
                    long count = 0;
                    ready.countDown();
                    try {
                        while (!stop.requested) {
                            int n = channel.read(buffer.clear(), random.nextLong(blocks) * BLOCK);
                            if (n != BLOCK) {
                                throw new IllegalStateException("a read of " + BLOCK + " bytes returned " + n);
                            }
                            count++;
                        }
                    } catch (Throwable e) {
                        failures[index] = e;
                    }
                    counts[index] = count;
                }));
            }
            ready.await();
            long start = System.nanoTime();
            Thread.sleep(duration);
            stop.requested = true;
            long elapsed = System.nanoTime() - start;
            long total = 0;
            for (int t = 0; t < threads; t++) {
                readers.get(t).join();
                if (failures[t] != null) {
                    throw new IllegalStateException("FileChannel reader " + t + " failed", failures[t]);
                }
                total += counts[t];
            }
            return total / (elapsed / 1e9);
        }
    }

    /** Set by the measuring thread when time is up; readers poll it (volatile: they must see it soon). */
    private static final class Stop {
        volatile boolean requested;
    }

    /**
     * What a run through {@link AsyncFile} measured.
     *
     * @param readsPerSecond  reads completed per second, all shards together
     * @param syscallsPerRead the system calls the shards' drivers made per read
     * @param fixed           every shard read through a registered file into registered buffers (READ_FIXED)
     * @param bytesPerRead    heap bytes the shard threads allocated per read (the reader's own code included)
     */
    record AtollRun(double readsPerSecond, double syscallsPerRead, boolean fixed, double bytesPerRead) { }

    /**
     * Reads through {@link AsyncFile}: every shard of {@code shards} opens the file with {@code options}
     * and keeps {@code queueDepth} reads in flight, each completion sending the next.
     */
    static AtollRun atoll(ShardRuntime shards, Path file, OpenOption[] options, int queueDepth, Duration duration)
            throws IOException, InterruptedException {
        long blocks = Files.size(file) / BLOCK;
        Stop stop = new Stop();
        CountDownLatch ready = new CountDownLatch(shards.shardCount());
        List<CompletableFuture<long[]>> counts = new ArrayList<>();
        for (int s = 0; s < shards.shardCount(); s++) {
            ShardReader reader = new ShardReader(file, options, queueDepth, blocks, s, stop, ready);
            counts.add(reader.done);
            shards.execute(s, reader::start);
        }
        if (!ready.await(1, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the shards did not open " + file + " within a minute");
        }
        long start = System.nanoTime();
        Thread.sleep(duration);
        stop.requested = true;
        long elapsed = System.nanoTime() - start;
        long reads = 0;
        long syscalls = 0;
        boolean fixed = true;
        long allocated = 0;
        for (CompletableFuture<long[]> count : counts) {
            long[] figures = count.orTimeout(1, TimeUnit.MINUTES).join();
            reads += figures[0];
            syscalls += figures[1];
            fixed &= figures[2] == 1;
            allocated += figures[3];
        }
        return new AtollRun(reads / (elapsed / 1e9), (double) syscalls / reads, fixed, (double) allocated / reads);
    }

    /** One shard's reads: a fixed set of buffers, each with its own completion action, reused for every read. */
    private static final class ShardReader {
        /**
         * Completes with the reads counted, the system calls the shard's driver made meanwhile, 1 when the
         * reads went through a registered file into registered buffers, and the heap bytes the shard thread
         * allocated meanwhile.
         */
        final CompletableFuture<long[]> done = new CompletableFuture<>();
        private final Path path;
        private final OpenOption[] options;
        private final int queueDepth;
        private final long blocks;
        private final SplittableRandom random;
        private final Stop stop;
        private final CountDownLatch ready;
        private AsyncFile file;
        private Buffer[] buffers;
        private List<BiConsumer<Integer, Throwable>> completions;
        private long completed;   // the shard's thread only, as every field below the final ones
        private long syscallsAtStart;
        private long allocatedAtStart;
        private int inFlight;
        private Throwable failure;

        ShardReader(Path path, OpenOption[] options, int queueDepth, long blocks, int seed, Stop stop,
                    CountDownLatch ready) {
            this.path = path;
            this.options = options;
            this.queueDepth = queueDepth;
            this.blocks = blocks;
            this.random = new SplittableRandom(1000 + seed);
            this.stop = stop;
            this.ready = ready;
        }

        /** On the shard: open the file, take the buffers, and fill the queue. */
        void start() {
            AsyncFile.open(path, options).whenComplete((opened, openFailure) -> {
                if (openFailure != null) {
                    done.completeExceptionally(openFailure);
                    ready.countDown();
                    return;
                }
                file = opened;
                buffers = new Buffer[queueDepth];
                completions = new ArrayList<>(queueDepth);
                for (int i = 0; i < queueDepth; i++) {
                    buffers[i] = BufferPool.current().acquire(BLOCK);
                    int slot = i;
                    completions.add((n, readFailure) -> completed(slot, n, readFailure));
                }
                ready.countDown();
                syscallsAtStart = Shard.current().driver().syscalls();
                allocatedAtStart = THREADS.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < queueDepth; i++) {
                    read(i);
                }
            });
        }

        private void read(int slot) {
            inFlight++;
            file.read(buffers[slot].clear(), random.nextLong(blocks) * BLOCK).whenComplete(completions.get(slot));
        }

        private void completed(int slot, Integer n, Throwable readFailure) {
            inFlight--;
            if (readFailure != null) {
                failure = failure == null ? readFailure : failure;
            } else if (n != BLOCK) {
                failure = failure == null ? new IllegalStateException("a read of " + BLOCK + " bytes returned " + n) : failure;
            } else if (!stop.requested) {
                completed++;
            }
            if (failure == null && !stop.requested) {
                read(slot);
            } else if (inFlight == 0) {
                finish();
            }
        }

        private void finish() {
            long syscalls = Shard.current().driver().syscalls() - syscallsAtStart;
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedAtStart;
            long fixed = Shard.current().driver() instanceof IoUringDriver ring
                    && ring.registeredBuffers() > 0 && ring.registeredFiles() > 0 ? 1 : 0;
            for (Buffer buffer : buffers) {
                buffer.release();
            }
            file.closeAsync().whenComplete((ignored, closeFailure) -> {
                Throwable first = failure != null ? failure : closeFailure;
                if (first != null) {
                    done.completeExceptionally(first);
                } else {
                    done.complete(new long[] {completed, syscalls, fixed, allocated});
                }
            });
        }
    }
}
