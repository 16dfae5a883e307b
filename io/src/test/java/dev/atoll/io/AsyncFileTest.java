package dev.atoll.io;

import com.sun.nio.file.ExtendedOpenOption;
import dev.atoll.config.DriverKind;
import dev.atoll.drivers.Os;
import dev.atoll.shards.Promise;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

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
}
