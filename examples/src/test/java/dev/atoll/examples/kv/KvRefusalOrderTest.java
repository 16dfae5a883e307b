package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When several refusals apply to one command, the client gets the one Redis 7.0's {@code processCommand}
 * checks first: NOAUTH, no_multi, NOPERM, OOM, MISCONF, READONLY, the RESP2 subscriber's context,
 * MASTERDOWN, a monitor's "Replica can't interact with the keyspace". Each pair that can meet is tried
 * after a failed save (MISCONF); the expected answers are what redis-server 7.0.15 gave to the same steps.
 */
class KvRefusalOrderTest {
    private static final String MISCONF = "MISCONF ";
    private static final String READONLY = "READONLY ";
    private static final String MASTERDOWN = "MASTERDOWN ";
    private static final String SUBSCRIBED = "ERR Can't execute ";
    private static final String MONITOR = "ERR Replica can't interact with the keyspace";

    @TempDir
    Path dir;

    private KvSettings settings() {
        KvSettings.RdbSettings rdb = KvSettings.RdbSettings.DEFAULT;
        return KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC).withRdb(new KvSettings.RdbSettings(
                KvSettings.RdbSettings.parseSavePoints("3600 1", true), rdb.compression(), rdb.checksum(), true));
    }

    private static void refused(String prefix, Object reply, String what) {
        assertTrue(reply instanceof RespClient.Error e && e.text().startsWith(prefix), what + ": " + reply + ", not " + prefix + "...");
    }

    /** The reply of {@code words} on the monitor's connection, after the feed's lines of other clients' commands. */
    private static Object monitored(RespClient monitor, String... words) throws IOException {
        monitor.send(words);
        Object reply = monitor.read();
        while (reply instanceof String line && line.matches("\\d+\\.\\d+ \\[.*")) {
            reply = monitor.read();
        }
        return reply;
    }

    private static String persistence(RespClient c, String field) throws IOException {
        for (String line : ((String) c.call("INFO", "persistence")).split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        throw new AssertionError("no " + field);
    }

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void refusalsComeInRedisSOrder(int shards) throws Exception {
        Files.createDirectories(dir.resolve("dump.rdb").resolve("occupied")); // a directory where the file goes: the save fails
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort(); // a master that does not answer: the replica's link stays down
        }
        try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO, settings());
             RespClient c = server.client(); RespClient user = server.client();
             RespClient subscriber = server.client(); RespClient monitor = server.client()) {
            assertEquals("OK", c.call("ACL", "SETUSER", "u", "on", "nopass", "+@all", "-shutdown", "-set", "~*", "&*"));
            assertEquals("OK", c.call("SET", "k", "v")); // k's shard holds memory: over a maxmemory of 1 byte
            c.call("BGSAVE");
            KvRdbTest.await(() -> {
                try {
                    return persistence(c, "rdb_last_bgsave_status").equals("err");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "the save to fail");

            assertEquals("OK", user.call("AUTH", "u", "x"));
            assertEquals("OK", user.call("MULTI"));
            assertEquals(new RespClient.Error("ERR Command not allowed inside a transaction"), user.call("SHUTDOWN"), "no_multi before NOPERM");
            assertEquals("OK", user.call("DISCARD"));
            refused("NOPERM ", user.call("SET", "k", "v"), "NOPERM before MISCONF");

            assertEquals("OK", c.call("CONFIG", "SET", "maxmemory", "1"));
            refused("OOM ", c.call("SET", "k", "v"), "OOM before MISCONF");
            refused(MISCONF, c.call("PING"), "PING: MISCONF, not OOM (not denyoom)");
            assertEquals("OK", c.call("CONFIG", "SET", "maxmemory", "0"));
            refused(MISCONF, c.call("SET", "k", "v"), "MISCONF once within memory");

            subscriber.call("SUBSCRIBE", "ch");
            refused(MISCONF, subscriber.call("SET", "k", "v"), "MISCONF before the subscriber's context");
            refused(MISCONF, subscriber.call("PING"), "a subscriber's PING: MISCONF");
            assertEquals("OK", monitored(monitor, "MONITOR"));
            refused(MISCONF, monitored(monitor, "SET", "k", "v"), "MISCONF before the monitor's keyspace");
            refused(MONITOR, monitored(monitor, "GET", "k"), "a monitor's read");

            assertEquals("OK", c.call("REPLICAOF", "127.0.0.1", Integer.toString(deadPort)));
            try {
                refused(MISCONF, c.call("SET", "k", "v"), "MISCONF before READONLY");
                assertEquals("OK", c.call("MULTI"));
                refused(MISCONF, c.call("SET", "k", "v"), "MISCONF before READONLY, queued");
                refused("EXECABORT ", c.call("EXEC"), "the transaction aborts");
                assertEquals("OK", c.call("CONFIG", "SET", "replica-serve-stale-data", "no"));
                refused(MISCONF, c.call("SET", "k", "v"), "MISCONF before MASTERDOWN");
                refused(MASTERDOWN, c.call("GET", "k"), "a read while the link is down");
                refused(SUBSCRIBED, subscriber.call("GET", "k"), "the subscriber's context before MASTERDOWN");
                refused(MASTERDOWN, monitored(monitor, "GET", "k"), "MASTERDOWN before the monitor's keyspace");

                assertEquals("OK", c.call("CONFIG", "SET", "stop-writes-on-bgsave-error", "no"));
                refused(READONLY, c.call("SET", "k", "v"), "READONLY once writes are not stopped");
                refused(READONLY, subscriber.call("SET", "k", "v"), "READONLY before the subscriber's context");
                refused(READONLY, monitored(monitor, "SET", "k", "v"), "READONLY before the monitor's keyspace");
                assertEquals("OK", c.call("CONFIG", "SET", "replica-serve-stale-data", "yes"));
                refused(MONITOR, monitored(monitor, "GET", "k"), "the link down and stale data served: the monitor's refusal");
            } finally {
                c.call("REPLICAOF", "NO", "ONE");
            }
        }
    }
}
