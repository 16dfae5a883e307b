package dev.atoll.examples.kv;

import dev.atoll.io.Buffer;
import dev.atoll.shards.Promise;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * {@link LogWrite} with 64-byte pool buffers and a file whose writes complete within the call: ten
 * thousand chunks on a 1 MB stack, and a resume after a failed chunk.
 */
class LogWriteTest {
    private static final String SMALL_CHUNKS = """
            atoll.io.buffers { min-size = 64B, max-size = 64B }
            atoll.io.receive.buffer-size = 64B
            """;
    private static final long START = 100;

    /** A file in memory whose writes complete at once; the write numbered {@code failing} fails (once). */
    private static final class InstantFile implements LogFile {
        byte[] bytes = new byte[0];
        int length;
        int writes;
        int failing = -1;

        @Override
        public Promise<Integer> write(Buffer buffer, long position) {
            if (writes++ == failing) {
                return Promise.failed(new IOException("No space left on device (simulated)"));
            }
            int n = buffer.readableBytes();
            int end = (int) position + n;
            if (bytes.length < end) {
                bytes = Arrays.copyOf(bytes, Math.max(end, bytes.length * 2));
            }
            buffer.readBytes(bytes, (int) position, n);
            length = Math.max(length, end);
            return Promise.completed(n);
        }

        @Override
        public Promise<Void> fdatasync() {
            return Promise.completed(null);
        }

        @Override
        public Promise<Long> size() {
            return Promise.completed((long) length);
        }

        @Override
        public Promise<Void> closeAsync() {
            return Promise.completed(null);
        }
    }

    private static ReplyWriter source(int size) {
        byte[] data = new byte[size];
        new SplittableRandom(size).nextBytes(data);
        return new ReplyWriter(size).raw(data);
    }

    private static <T> T onShard(ShardRuntime runtime, java.util.concurrent.Callable<CompletableFuture<T>> work)
            throws Exception {
        return runtime.submit(0, work).thenCompose(f -> f).get(30, TimeUnit.SECONDS);
    }

    @Test
    void tenThousandChunksThatCompleteAtOnceKeepTheStackFlat() throws Exception {
        try (ShardRuntime runtime = TestRuntimes.start(1, SMALL_CHUNKS)) {
            ReplyWriter source = source(64 * 10_000);
            InstantFile file = new InstantFile();
            int n = onShard(runtime, () -> new LogWrite(file, source, START).start().toCompletableFuture());
            assertEquals(source.size(), n);
            assertEquals(10_000, file.writes);
            assertArrayEquals(Arrays.copyOf(source.bytes(), source.size()),
                    Arrays.copyOfRange(file.bytes, (int) START, file.length));
        }
    }

    @Test
    void aResumeAfterAFailedChunkWritesFromThatChunkOn() throws Exception {
        try (ShardRuntime runtime = TestRuntimes.start(1, SMALL_CHUNKS)) {
            ReplyWriter source = source(64 * 1000 + 10);
            InstantFile file = new InstantFile();
            file.failing = 600;
            LogWrite write = onShard(runtime, () -> CompletableFuture.completedFuture(new LogWrite(file, source, START)));
            Throwable failure = onShard(runtime, () -> write.start().toCompletableFuture()
                    .handle((n, error) -> error));
            assertInstanceOf(IOException.class, failure);
            assertEquals(601, file.writes);
            int n = onShard(runtime, () -> write.resume().toCompletableFuture());
            assertEquals(source.size(), n);
            assertEquals(601 + 401, file.writes); // the failed chunk again, and the 400 after it
            assertArrayEquals(Arrays.copyOf(source.bytes(), source.size()),
                    Arrays.copyOfRange(file.bytes, (int) START, file.length));
        }
    }
}
