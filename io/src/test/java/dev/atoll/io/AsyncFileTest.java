package dev.atoll.io;

import com.sun.nio.file.ExtendedOpenOption;
import dev.atoll.config.DriverKind;
import dev.atoll.drivers.Os;
import dev.atoll.drivers.uring.IoUringDriver;
import dev.atoll.shards.Promise;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;
import dev.atoll.shards.Shard;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AsyncFileTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void theSizeIsALongAndFollowsWrites(DriverKind driver) throws Exception {
        Path path = dir.resolve("sparse.bin");
        long far = 5_000_000_000L; // beyond an int: the size is read from the statx buffer as a long
        try (ShardRuntime runtime = TestRuntimes.start(1, "", driver)) {
            List<Long> sizes = TestRuntimes.awaitPromise(runtime, 0, () ->
                    AsyncFile.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE).flatMap(file -> {
                        List<Long> seen = new ArrayList<>();
                        Buffer one = BufferPool.current().acquire(8).writeUtf8("x");
                        return file.size()
                                .flatMap(empty -> {
                                    seen.add(empty);
                                    return file.write(one, far);
                                })
                                .flatMap(n -> {
                                    one.release();
                                    return file.size();
                                })
                                .flatMap(size -> {
                                    seen.add(size);
                                    return file.closeAsync().map(ignored -> seen);
                                });
                    }));
            assertEquals(List.of(0L, far + 1), sizes);
        }
        assertEquals(far + 1, Files.size(path));
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void writesAtOffsetsSyncsReadsBackAndReportsTheEnd(DriverKind driver) throws Exception {
        Path path = dir.resolve("data.bin");
        try (ShardRuntime runtime = TestRuntimes.start(1, "", driver)) {
            String readBack = TestRuntimes.awaitPromise(runtime, 0, () ->
                    AsyncFile.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                            .flatMap(file -> {
                                Buffer hello = BufferPool.current().acquire(64).writeUtf8("hello ");
                                Buffer world = BufferPool.current().acquire(64).writeUtf8("world");
                                return file.write(world, 6)                  // out of order, at offsets
                                        .flatMap(n -> file.write(hello, 0))
                                        .flatMap(n -> {
                                            assertEquals(0, hello.readableBytes(), "a write consumes what it wrote");
                                            hello.release();
                                            world.release();
                                            return file.fdatasync();
                                        })
                                        .flatMap(ignored -> file.fsync())
                                        .flatMap(ignored -> file.size())
                                        .flatMap(size -> {
                                            assertEquals(11L, size);
                                            Buffer in = BufferPool.current().acquire(64);
                                            return file.read(in, 0).flatMap(n -> {
                                                assertEquals(11, n);
                                                Buffer tail = BufferPool.current().acquire(64);
                                                return file.read(tail, 11).map(end -> {
                                                    assertEquals(-1, end, "reading at the end reports -1");
                                                    tail.release();
                                                    String text = in.toUtf8String();
                                                    in.release();
                                                    return text;
                                                });
                                            });
                                        })
                                        .flatMap(text -> file.closeAsync().map(ignored -> text));
                            }));
            assertEquals("hello world", readBack);
        }
        assertEquals("hello world", Files.readString(path, StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void openingAMissingFileFailsWithEnoent(DriverKind driver) {
        try (ShardRuntime runtime = TestRuntimes.start(1, "", driver)) {
            AssertionError error = assertThrows(AssertionError.class, () ->
                    TestRuntimes.awaitPromise(runtime, 0, () -> AsyncFile.open(dir.resolve("missing"))));
            IoException failure = assertInstanceOf(IoException.class, DatagramSocketTest.rootCause(error));
            assertEquals("ENOENT", failure.errnoName());
            assertTrue(failure.getMessage().contains("missing"), failure.getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void theOperationOwnsTheBufferAFailedReadGivesItBackAndAClosedFileRefuses(DriverKind driver) throws Exception {
        Path path = dir.resolve("write-only.bin");
        Files.writeString(path, "some bytes");
        try (ShardRuntime runtime = TestRuntimes.start(1, "", driver)) {
            List<String> seen = TestRuntimes.awaitPromise(runtime, 0, () ->
                    AsyncFile.open(path, StandardOpenOption.WRITE).flatMap(file -> {
                        List<String> events = new ArrayList<>();
                        Buffer buffer = BufferPool.current().acquire(64);
                        Promise<Integer> read = file.read(buffer, 0); // the file is not open for reading
                        events.add(assertThrows(IllegalStateException.class, () -> buffer.writeByte(1)).getMessage());
                        Promise<List<String>> after = new Promise<>();
                        read.whenComplete((n, failure) -> {
                            events.add(failure instanceof IoException e ? e.errnoName() : "no failure: " + n);
                            buffer.writeByte('x'); // given back with the final completion
                            events.add(buffer.toUtf8String());
                            file.closeAsync().whenComplete((ignored, closeFailure) -> {
                                events.add(file.read(buffer, 0).isDone() ? "refused at once" : "still pending");
                                file.write(buffer, 0).whenComplete((m, writeFailure) -> {
                                    events.add(writeFailure == null ? "written" : writeFailure.getClass().getSimpleName());
                                    buffer.release();
                                    after.complete(events);
                                });
                            });
                        });
                        return after;
                    }));
            assertEquals(List.of("the buffer is owned by an operation in flight until it completes", "EBADF", "x",
                    "refused at once", "IoCancelledException"), seen);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void directReadsNeedAlignedBuffersAndPoolBuffersAreAligned(DriverKind driver) throws Exception {
        assumeTrue(Os.current() == Os.LINUX, "O_DIRECT's alignment rule is Linux's; macOS F_NOCACHE has none");
        Path path = dir.resolve("direct.bin");
        byte[] data = new byte[2 * 4096];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7 + 1);
        }
        Files.write(path, data);
        try (FileChannel probe = FileChannel.open(path, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
            assumeTrue(probe.isOpen());
        } catch (IOException e) {
            assumeTrue(false, "the file system of " + dir + " refuses O_DIRECT: " + e);
        }
        try (ShardRuntime runtime = TestRuntimes.start(1, "", driver)) {
            List<String> outcome = TestRuntimes.awaitPromise(runtime, 0, () ->
                    AsyncFile.open(path, FileOpenOption.DIRECT).flatMap(file -> {
                        BufferPool.current().acquire(512).release(); // so a careless carve would misalign the next
                        Buffer aligned = BufferPool.current().acquire(4096);
                        assertEquals(0, aligned.segment().address() % 4096, "a 4 KiB pool buffer is page-aligned");
                        return file.read(aligned, 4096).flatMap(n -> {
                            byte[] read = aligned.toByteArray();
                            aligned.release();
                            // Buffered reads take any address; under O_DIRECT one byte off the alignment fails.
                            Buffer skewed = BufferPool.current().acquire(8192).writeByte(0);
                            Promise<List<String>> done = new Promise<>();
                            file.read(skewed, 0).whenComplete((m, failure) -> {
                                skewed.release();
                                file.close();
                                done.complete(List.of(n + " bytes", Arrays.equals(read, Arrays.copyOfRange(data, 4096, 8192))
                                        ? "same data" : "other data", failure instanceof IoException e ? e.errnoName()
                                        : "read " + m + " bytes into an unaligned buffer"));
                            });
                            return done;
                        });
                    }));
            assertEquals(List.of("4096 bytes", "same data", "EINVAL"), outcome);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void onIoUringFilesNeedNoOffloadThread(DriverKind driver) throws Exception {
        Assumptions.assumeTrue(driver == DriverKind.IO_URING, "only io_uring runs file operations on its ring");
        try (ShardRuntime runtime = TestRuntimes.start(1, "atoll.offload.threads = 1", driver)) {
            CountDownLatch release = occupyTheOffloadThread(runtime);
            try {
                Path path = dir.resolve("ring.bin");
                int read = TestRuntimes.awaitPromise(runtime, 0, () ->
                        AsyncFile.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                                .flatMap(file -> {
                                    Buffer out = BufferPool.current().acquire(64).writeUtf8("no thread in between");
                                    return file.write(out, 0).flatMap(n -> {
                                        out.release();
                                        Buffer in = BufferPool.current().acquire(64);
                                        return file.read(in, 0).flatMap(m -> {
                                            in.release();
                                            return file.closeAsync().map(ignored -> m);
                                        });
                                    });
                                }));
                assertEquals(20, read);
            } finally {
                release.countDown();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aReplacedFileClosedOffShardIsReleasedByTheOffloadPool(DriverKind driver) throws Exception {
        assumeTrue(Os.current() == Os.LINUX, "the open descriptors are read from /proc/self/fd (Linux only)");
        try (ShardRuntime runtime = TestRuntimes.start(1, "atoll.offload.threads = 1", driver)) {
            Path old = dir.resolve("old.log");
            Path replaced = Path.of(old.toAbsolutePath() + " (deleted)"); // what /proc shows for it once renamed over
            AsyncFile file = TestRuntimes.awaitPromise(runtime, 0, () ->
                    AsyncFile.open(old, StandardOpenOption.CREATE, StandardOpenOption.WRITE).flatMap(f -> {
                        Buffer out = BufferPool.current().acquire(64).writeUtf8("the old log");
                        return f.write(out, 0).map(n -> {
                            out.release();
                            return f;
                        });
                    }));
            Files.writeString(dir.resolve("new.log"), "the new log");
            Files.move(dir.resolve("new.log"), old, StandardCopyOption.ATOMIC_MOVE);
            assertEquals(1, descriptorsOf(replaced), "the shard's descriptor holds the replaced file");
            CountDownLatch release = occupyTheOffloadThread(runtime);
            CompletableFuture<Void> released = new CompletableFuture<>();
            try {
                // The shard's own close: closeAsync() answers the close already under way.
                TestRuntimes.awaitPromise(runtime, 0, () -> {
                    file.closeAsyncOffShard().whenComplete((v, e) -> released.complete(null));
                    return file.closeAsync();
                });
                assertEquals(1, descriptorsOf(replaced), "after the shard's close, a descriptor kept for the offload pool");
                assertTrue(!released.isDone(), "the last close waits for the offload pool");
            } finally {
                release.countDown();
            }
            released.get(10, TimeUnit.SECONDS);
            assertEquals(0, descriptorsOf(replaced), "the offload pool closed it");
        }
    }

    /** Keeps the runtime's one offload thread busy until the returned latch is counted down. */
    private static CountDownLatch occupyTheOffloadThread(ShardRuntime runtime) {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        runtime.execute(0, () -> Shard.current().offload(() -> {
            blocked.countDown();
            release.await();
            return null;
        }));
        TestRuntimes.awaitLatch(blocked);
        return release;
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aFileClosedWhileAReadWaitsIsClosedWhenTheRuntimeStops(DriverKind driver) throws Exception {
        // Only io_uring cancels a waiting read (at the driver's close); on the others it blocks an offload thread.
        Assumptions.assumeTrue(driver == DriverKind.IO_URING, "only io_uring closes files on its ring");
        Path fifo = dir.resolve("never-written.fifo"); // a read on a FIFO nobody writes to waits for ever
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor(), "mkfifo");
        java.util.concurrent.CompletableFuture<Throwable> readOutcome = new java.util.concurrent.CompletableFuture<>();
        try (ShardRuntime runtime = TestRuntimes.start(1, "", driver)) {
            // READ and WRITE: opening a FIFO read-write does not wait for a writer.
            TestRuntimes.awaitPromise(runtime, 0, () -> AsyncFile.open(fifo, StandardOpenOption.READ,
                    StandardOpenOption.WRITE).map(file -> {
                        Buffer in = BufferPool.current().acquire(64);
                        file.read(in, 0).whenComplete((n, failure) -> {
                            in.release();
                            readOutcome.complete(failure);
                        });
                        return file;
                    }));
            assertEquals(1, descriptorsOf(fifo), "the file is open while its read waits");
        } // stopping: the file is closed after its read, which the driver's close cancels
        assertInstanceOf(IoCancelledException.class, TestRuntimes.await(readOutcome));
        assertEquals(0, descriptorsOf(fifo), "the descriptor was closed, not leaked");
    }

    /** How many of this process's descriptors are open on {@code path} (Linux: /proc/self/fd). */
    private static long descriptorsOf(Path path) throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(path);
                } catch (IOException e) {
                    return false; // closed since it was listed (the listing's own descriptor, say)
                }
            }).count();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void onIoUringTheOpenFileAndTheSlabsOfItsBuffersAreRegistered(DriverKind driver) throws Exception {
        Assumptions.assumeTrue(driver == DriverKind.IO_URING, "only io_uring has registered files and buffers");
        try (ShardRuntime runtime = TestRuntimes.start(1, "", driver)) {
            String[] refusal = new String[1];
            List<Integer> seen = TestRuntimes.awaitPromise(runtime, 0, () -> {
                IoUringDriver ring = (IoUringDriver) Shard.current().driver();
                List<Integer> counts = new ArrayList<>(List.of(ring.registeredBuffers(), ring.registeredFiles()));
                return AsyncFile.open(dir.resolve("fixed.bin"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE).flatMap(file -> {
                            counts.add(ring.registeredFiles());
                            Buffer out = BufferPool.current().acquire(4096).writeUtf8("through READ_FIXED");
                            return file.write(out, 0).flatMap(n -> {
                                out.release();
                                Buffer in = BufferPool.current().acquire(4096);
                                return file.read(in, 0).flatMap(m -> {
                                    counts.add(m);
                                    counts.add(in.toUtf8String().equals("through READ_FIXED") ? 1 : 0);
                                    counts.add(ring.registeredBuffers());
                                    refusal[0] = ring.registeredBuffersRefusal();
                                    in.release();
                                    return file.closeAsync().map(ignored -> {
                                        counts.add(ring.registeredFiles());
                                        return counts;
                                    });
                                });
                            });
                        });
            });
            // Without CAP_IPC_LOCK the user's locked-memory limit may be spent (CI runners): LockedMemoryLimitTest
            // covers that path.
            Assumptions.assumeTrue(refusal[0] == null, () -> "skipped: the kernel refused registered buffers here: "
                    + refusal[0]);
            // before: nothing registered; open: the file; read back intact; one slab registered; closed: the file left
            assertEquals(List.of(0, 0, 1, 18, 1, 1, 0), seen);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void manyFilesAtOnceEachGetTheirOwnData(DriverKind driver) throws Exception {
        int files = 64;
        int blocks = 16;
        try (ShardRuntime runtime = TestRuntimes.start(2, "", driver)) {
            for (int shard = 0; shard < 2; shard++) {
                int base = shard * files;
                List<Promise<Void>> all = new ArrayList<>();
                TestRuntimes.awaitPromise(runtime, shard, () -> {
                    for (int f = 0; f < files; f++) {
                        int id = base + f;
                        all.add(AsyncFile.open(dir.resolve("f" + id), StandardOpenOption.CREATE, StandardOpenOption.WRITE)
                                .flatMap(file -> writeBlocks(file, id, 0, blocks)));
                    }
                    return allOf(all);
                });
            }
        }
        for (int id = 0; id < 2 * files; id++) {
            byte[] bytes = Files.readAllBytes(dir.resolve("f" + id));
            assertEquals(blocks * 4096, bytes.length);
            for (int i = 0; i < bytes.length; i += 997) {
                assertEquals((byte) (id * 31 + i / 4096), bytes[i], "file " + id + " at " + i);
            }
        }
    }

    /** Writes 4 KiB blocks {@code from..count-1} of file {@code id}, all in flight at once, then fsyncs and closes. */
    private static Promise<Void> writeBlocks(AsyncFile file, int id, int from, int count) {
        List<Promise<Void>> writes = new ArrayList<>();
        for (int block = from; block < count; block++) {
            Buffer data = BufferPool.current().acquire(4096);
            byte value = (byte) (id * 31 + block);
            for (int i = 0; i < 4096; i++) {
                data.writeByte(value);
            }
            writes.add(file.write(data, block * 4096L).map(n -> {
                data.release();
                return null;
            }));
        }
        return allOf(writes).flatMap(ignored -> file.fsync()).flatMap(ignored -> file.closeAsync());
    }

    /** Completes when every one of {@code promises} has; fails with the first failure. */
    private static Promise<Void> allOf(List<Promise<Void>> promises) {
        Promise<Void> all = new Promise<>();
        int[] left = {promises.size()};
        if (left[0] == 0) {
            all.complete(null);
        }
        for (Promise<Void> promise : promises) {
            promise.whenComplete((ignored, failure) -> {
                if (failure != null) {
                    if (!all.isDone()) {
                        all.fail(failure);
                    }
                } else if (--left[0] == 0 && !all.isDone()) {
                    all.complete(null);
                }
            });
        }
        return all;
    }
}
