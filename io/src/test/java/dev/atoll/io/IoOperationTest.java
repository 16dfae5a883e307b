package dev.atoll.io;

import dev.atoll.config.DriverKind;
import dev.atoll.drivers.PollEvents;
import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.LibC;
import dev.atoll.drivers.ffi.OsConstants;
import dev.atoll.shards.Promise;
import dev.atoll.shards.ShardRuntime;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operation's deadline: the kernel's linked timeout where the driver has one (io_uring: the operation
 * carries its limit, no shard timer), a shard timer and a cancel elsewhere; reported as a timeout either way.
 */
class IoOperationTest {
    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private record Outcome(int result, boolean timedOut, long limitNanos) { }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aDeadlineEndsAWaitingOperationAsATimeout(DriverKind driver) {
        ShardRuntime runtime = cleanup.start(1, "", driver);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment errno = Errno.allocate(arena);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            assertEquals(0, LibC.pipe(errno, fds));
            int readEnd = fds.getAtIndex(JAVA_INT, 0);
            int writeEnd = fds.getAtIndex(JAVA_INT, 1);
            try {
                assertEquals(0, LibC.fcntl(errno, readEnd, OsConstants.F_SETFL, OsConstants.O_NONBLOCK));
                Outcome outcome = IoTesting.awaitPromise(runtime, 0, () -> {
                    IoShard io = IoShard.current();
                    Promise<Outcome> done = new Promise<>();
                    IoOperation[] op = new IoOperation[1];
                    op[0] = new IoOperation(io, (operation, result, timedOut) ->
                            done.complete(new Outcome(result, timedOut, operation.timeoutNanos())));
                    op[0].preparePoll(readEnd, PollEvents.READABLE);
                    op[0].submit(Duration.ofMillis(40));
                    return done;
                });
                assertTrue(outcome.timedOut(), "reported as a timeout: " + outcome);
                boolean linked = onShardDriverLinksTimeouts(runtime);
                assertEquals(driver == DriverKind.IO_URING, linked);
                assertEquals(linked ? Duration.ofMillis(40).toNanos() : 0, outcome.limitNanos(),
                        "the limit travels with the operation exactly where the kernel enforces it");
            } finally {
                LibC.close(errno, readEnd);
                LibC.close(errno, writeEnd);
            }
        }
    }

    private static boolean onShardDriverLinksTimeouts(ShardRuntime runtime) {
        return IoTesting.onShard(runtime, 0, () -> IoShard.current().driver().supportsLinkedTimeouts());
    }
}
