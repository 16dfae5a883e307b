package dev.atoll.io;

import dev.atoll.config.AtollConfig;
import dev.atoll.drivers.DriverUnavailableException;
import dev.atoll.drivers.uring.IoUringDriver;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A child process for {@link LockedMemoryLimitTest}, started with a low locked-memory limit and without
 * {@code CAP_IPC_LOCK}: {@code args[1]} shards of driver {@code args[2]} start, and shard 0 writes 64 KiB to
 * file {@code args[0]} through {@link AsyncFile} and reads it back. Answers: {@code @@CAPS <CapEff>},
 * {@code @@LIMIT <Max locked memory line>}, {@code @@DRIVER <the shards' driver>}, then {@code @@RESULT <bytes
 * that matched> <registered buffers> <registered files while open> <refusal>} ({@code -} for the last three
 * off io_uring), or {@code @@NORING <reason>} when the runtime could not start.
 */
public final class LockedMemoryLimitMain {
    private static final int SIZE = 65536;

    private LockedMemoryLimitMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("@@CAPS " + statusLine(Path.of("/proc/self/status"), "CapEff:"));
        System.out.println("@@LIMIT " + statusLine(Path.of("/proc/self/limits"), "Max locked memory"));
        AtollConfig config = AtollConfig.parse("atoll.shards { count = " + args[1] + ", pin = false }\n"
                + "atoll.driver = " + args[2], "locked-memory child");
        ShardRuntime started;
        try {
            started = ShardRuntime.start(config);
        } catch (DriverUnavailableException e) { // the user's other locked memory left no room for a ring
            System.out.println("@@NORING " + e.getMessage());
            return;
        }
        try (ShardRuntime runtime = started) {
            System.out.println("@@DRIVER " + runtime.driverKind().displayName());
            String result = TestRuntimes.awaitPromise(runtime, 0, () -> AsyncFile.open(Path.of(args[0]),
                    StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE).flatMap(file -> {
                        IoUringDriver ring = Shard.current().driver() instanceof IoUringDriver d ? d : null;
                        String filesWhileOpen = ring == null ? "-" : Integer.toString(ring.registeredFiles());
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
                                        + (ring == null ? "- - -" : ring.registeredBuffers() + " " + filesWhileOpen
                                                + " " + ring.registeredBuffersRefusal())));
                    }));
            System.out.println("@@RESULT " + result);
        }
    }

    private static String statusLine(Path file, String prefix) throws Exception {
        return Files.readAllLines(file).stream().filter(line -> line.startsWith(prefix)).findFirst()
                .orElse(prefix + " ?");
    }
}
