package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With keyspace notifications off (the default), the commands whose events {@link KeyspaceEvents}
 * derives allocate nothing for them: RPOPLPUSH of a list onto itself costs on the shard thread what it
 * cost before its events existed, its events costing one volatile read. The move itself allocates
 * nothing either (its destination exists: not copied; its one element pushed without an array): 3 bytes
 * a command measured, the I/O path's share; with the destination's name copied and the element wrapped
 * in an array it measured 32-36, or 57-58 in JVMs whose compilation did not remove them.
 */
@org.junit.jupiter.api.Tag("allocation") // measured in a JVM of its own: see examples/pom.xml
class KvKeyspaceEventsOffAllocationTest {
    @TempDir
    Path dir;

    @Test
    void commandsWithEventsAllocateNothingForThemWhenNotificationsAreOff() throws Exception {
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC),
                "atoll.io.buffers.debug = false"); RespClient c = server.client()) {
            assertEquals(3L, c.call("RPUSH", "list", "a", "b", "c"));
            IntFunction<byte[]> rotate = i -> RespClient.encode("RPOPLPUSH", "list", "list");
            for (int warmUp = 0; warmUp < 10; warmUp++) { // as HSET's: a cold path measured 58
                KvPopAndZaddAllocationTest.allocatedPer(c, rotate);
            }
            long rotates = Long.MAX_VALUE;
            for (int round = 0; round < 5; round++) {
                rotates = Math.min(rotates, KvPopAndZaddAllocationTest.allocatedPer(c, rotate));
            }
            String figure = "bytes allocated on the shard thread per RPOPLPUSH of a list onto itself, notifications off: " + rotates;
            System.out.println(figure);
            // 3 measured; the copy and the array measured 32-36 (57-58 in some JVMs), the events' bookkeeping
            // done while they are off 226.
            assertTrue(rotates < 16, figure);
            assertEquals(3L, c.call("LLEN", "list"));
        }
    }
}
