package dev.atoll.io;

import dev.atoll.config.AtollConfig;
import dev.atoll.drivers.uring.IoUringDriver;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A child process for {@link RegisteredBuffersRefusedTest}, started with a low locked-memory limit and
 * without {@code CAP_IPC_LOCK}: one io_uring shard writes 64 KiB to file {@code args[0]} through
 * {@link AsyncFile} and reads it back. Answers: {@code @@CAPS <CapEff>}, {@code @@LIMIT <Max locked memory
 * line>}, then {@code @@RESULT <bytes that matched> <registered buffers> <registered files while open>
 * <refusal>}.
 */
public final class LockedMemoryLimitMain {
    private static final int SIZE = 65536;

    private LockedMemoryLimitMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("@@CAPS " + statusLine(Path.of("/proc/self/status"), "CapEff:"));
        System.out.println("@@LIMIT " + statusLine(Path.of("/proc/self/limits"), "Max locked memory"));
        AtollConfig config = AtollConfig.parse("atoll.shards { count = 1, pin = false }\natoll.driver = io_uring",
                "locked-memory child");
        try (ShardRuntime runtime = ShardRuntime.start(config)) {
            String result = TestRuntimes.awaitPromise(runtime, 0, () -> AsyncFile.open(Path.of(args[0]),
                    StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE).flatMap(file -> {
                        IoUringDriver driver = (IoUringDriver) Shard.current().driver();
                        int filesWhileOpen = driver.registeredFiles();
                        Buffer out = BufferPool.current().acquire(SIZE);
                        for (int i = 0; i < SIZE; i++) {
                            out.writeByte(i * 31 + 7);
                        }
                        return file.write(out, 0)
                                .flatMap(n -> file.fdatasync())
                                .flatMap(ignored -> {
                                    Buffer in = BufferPool.current().acquire(SIZE);
                                    return file.read(in, 0).map(n -> {
                                        int matched = 0;
                                        while (matched < n && in.getByte(matched) == (byte) (matched * 31 + 7)) {
                                            matched++;
                                        }
                                        in.release();
                                        out.release();
                                        return matched;
                                    });
                                })
                                .flatMap(matched -> file.closeAsync().map(ignored -> matched + " "
                                        + driver.registeredBuffers() + " " + filesWhileOpen + " "
                                        + driver.registeredBuffersRefusal()));
                    }));
            System.out.println("@@RESULT " + result);
        }
    }

    private static String statusLine(Path file, String prefix) throws Exception {
        return Files.readAllLines(file).stream().filter(line -> line.startsWith(prefix)).findFirst()
                .orElse(prefix + " ?");
    }
}
