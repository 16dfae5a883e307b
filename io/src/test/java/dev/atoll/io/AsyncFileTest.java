package dev.atoll.io;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
