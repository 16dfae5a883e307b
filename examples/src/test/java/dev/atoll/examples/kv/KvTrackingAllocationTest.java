package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;

import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What client-side caching costs a read on the shard thread, in bytes allocated per command (the JVM's
 * per-thread counter): nobody tracking, a GET pays a field test; another client tracking, a GET of a
 * client that does not track pays the same; a tracked GET of a key already in the table allocates the
 * key's probe; a write while the table is not empty allocates its keys' probes.
 */
@org.junit.jupiter.api.Tag("allocation") // measured in a JVM of its own: see examples/pom.xml
class KvTrackingAllocationTest {

    /** The least bytes allocated per command of five rounds, after ten rounds of warm-up. */
    static long per(RespClient c, IntFunction<byte[]> command) throws Exception {
        for (int warmUp = 0; warmUp < 10; warmUp++) {
            KvPopAndZaddAllocationTest.allocatedPer(c, command);
        }
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            least = Math.min(least, KvPopAndZaddAllocationTest.allocatedPer(c, command));
        }
        return least;
    }

    @Test
    void aReadOfAClientThatDoesNotTrackPaysNothingForTracking() throws Exception {
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO),
                "atoll.io.buffers.debug = false"); RespClient c = server.client(); RespClient t = server.client()) {
            assertEquals("OK", c.call("SET", "key", "value"));
            IntFunction<byte[]> get = i -> RespClient.encode("GET", "key");
            IntFunction<byte[]> set = i -> RespClient.encode("SET", "key", "value");
            long untracked = per(c, get);
            t.call("HELLO", "3");
            assertEquals("OK", t.call("CLIENT", "TRACKING", "on"));
            t.call("GET", "other"); // the table holds a key: writes look their keys up
            long othersTracking = per(c, get);
            long tracked = per(t, get);
            long write = per(c, set);
            String figures = "bytes allocated on the shard thread per GET, nobody tracking: " + untracked
                    + "; another client tracking: " + othersTracking + "; tracked (the key already in the table): " + tracked
                    + "; per SET of an untracked key while the table holds keys: " + write;
            System.out.println(figures);
            assertTrue(othersTracking <= untracked + 4, figures); // the same path: one field test, no allocation
        }
    }
}
