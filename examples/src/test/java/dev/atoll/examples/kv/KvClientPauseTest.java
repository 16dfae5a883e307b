package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.atoll.examples.kv.KvBlockingTest.awaitBlocked;
import static dev.atoll.examples.kv.KvBlockingTest.blocked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CLIENT PAUSE and UNPAUSE as Redis 7.0's (its tests/unit/pause.tcl, as far as Atoll speaks it): what WRITE and ALL
 * hold, the stricter and longer of two pauses, the end by time or UNPAUSE, the held clients counted as blocked, and
 * no key expired while paused; two shards, the pausing client on one and the held ones anywhere.
 */
class KvClientPauseTest {
    private static KvTestServer server() throws Exception {
        return KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    @Test
    void writePauseHoldsWritesAndWritingExecsUntilUnpause() throws Exception {
        try (KvTestServer kv = server(); RespClient admin = kv.client(); RespClient writer = kv.client();
             RespClient other = kv.client()) {
            admin.call("SET", "foo", "before");
            other.call("MULTI");
            assertEquals("QUEUED", other.call("SET", "queued", "x"));
            assertEquals("OK", admin.call("CLIENT", "PAUSE", "100000", "WRITE"));
            // reads, PING, INFO and a read-only transaction go on
            assertEquals("before", writer.call("GET", "foo"));
            assertEquals("PONG", writer.call("PING"));
            writer.call("INFO", "clients");
            writer.call("MULTI");
            assertEquals("QUEUED", writer.call("GET", "foo"));
            assertEquals(List.of("before"), writer.call("EXEC"));
            // a write with the wrong arity is answered at once
            assertEquals(new RespClient.Error("ERR wrong number of arguments for 'set' command"), writer.call("SET", "foo"));
            assertEquals(0L, blocked(admin));
            // a write, and an EXEC whose queue writes, wait
            writer.send("SET", "foo", "during");
            other.send("EXEC");
            awaitBlocked(admin, 2);
            assertEquals("before", admin.call("GET", "foo"));
            assertNull(admin.call("GET", "queued"));
            assertEquals(0L, admin.call("CLIENT", "UNBLOCK", Long.toString((Long) admin.call("CLIENT", "ID"))),
                    "CLIENT UNBLOCK does not end a pause");
            assertEquals("OK", admin.call("CLIENT", "UNPAUSE"));
            assertEquals("OK", writer.read());
            assertEquals(List.of("OK"), other.read());
            assertEquals("during", admin.call("GET", "foo"));
            assertEquals(0L, blocked(admin));
        }
    }

    /**
     * As redis-server 7.0.15: under WRITE a script or function that declares no-writes runs (EVAL, EVALSHA, FCALL,
     * and an EXEC of one); one that does not declare it, an EVAL without a shebang and an unknown EVALSHA wait.
     */
    @Test
    void writePauseLetsScriptsThatDeclareNoWritesRun() throws Exception {
        try (KvTestServer kv = server(); RespClient admin = kv.client(); RespClient reader = kv.client();
             RespClient plain = kv.client(); RespClient writing = kv.client(); RespClient unknown = kv.client()) {
            admin.call("SET", "foo", "bar");
            admin.call("FUNCTION", "LOAD", "#!lua name=lib\n"
                    + "redis.register_function{function_name='ro', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}}\n"
                    + "redis.register_function{function_name='rw', callback=function(keys, args) return redis.call('GET', keys[1]) end}");
            String noWrites = "#!lua flags=no-writes\nreturn redis.call('GET', KEYS[1])";
            String sha = (String) admin.call("SCRIPT", "LOAD", noWrites);
            assertEquals("OK", admin.call("CLIENT", "PAUSE", "100000", "WRITE"));
            assertEquals("bar", reader.call("EVAL", noWrites, "1", "foo"));
            assertEquals("bar", reader.call("EVALSHA", sha, "1", "foo"));
            assertEquals("bar", reader.call("FCALL", "ro", "1", "foo"));
            reader.call("MULTI");
            assertEquals("QUEUED", reader.call("EVAL", noWrites, "1", "foo"));
            assertEquals(List.of("bar"), reader.call("EXEC"));
            plain.send("EVAL", "return redis.call('GET', KEYS[1])", "1", "foo");
            writing.send("FCALL", "rw", "1", "foo");
            unknown.send("EVALSHA", "0".repeat(40), "1", "foo");
            awaitBlocked(admin, 3);
            assertEquals("OK", admin.call("CLIENT", "UNPAUSE"));
            assertEquals("bar", plain.read());
            assertEquals("bar", writing.read());
            assertEquals(new RespClient.Error("NOSCRIPT No matching script. Please use EVAL."), unknown.read());
        }
    }

    /**
     * ALL holds every command of every client (CLIENT UNPAUSE and INFO too, as Redis's), so the test sees it end by its
     * time: a read sent meanwhile is answered only after it.
     */
    @Test
    void allPauseHoldsReadsUntilItsEnd() throws Exception {
        try (KvTestServer kv = server(); RespClient admin = kv.client(); RespClient reader = kv.client()) {
            admin.call("SET", "foo", "bar");
            long start = System.nanoTime();
            assertEquals("OK", admin.call("CLIENT", "PAUSE", "1000", "ALL"));
            reader.send("GET", "foo");
            assertEquals("bar", reader.read());
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMillis >= 900, "the read waited for the ALL pause: " + elapsedMillis + " ms");
        }
    }

    /** A second pause with an earlier end keeps the first's end, and a less strict one its mode (Redis's rule). */
    @Test
    void aShorterOrLooserPauseKeepsTheLongerStricterOne() throws Exception {
        try (KvTestServer kv = server(); RespClient admin = kv.client(); RespClient writer = kv.client()) {
            assertEquals("OK", admin.call("CLIENT", "PAUSE", "100000", "WRITE"));
            assertEquals("OK", admin.call("CLIENT", "PAUSE", "10", "WRITE"));
            Thread.sleep(100); // past the second pause's end: the condition is time passing
            writer.send("SET", "foo", "bar");
            awaitBlocked(admin, 1);
            assertEquals("OK", admin.call("CLIENT", "UNPAUSE"));
            assertEquals("OK", writer.read());
        }
    }

    @Test
    void aPauseEndsByItselfAtItsTime() throws Exception {
        try (KvTestServer kv = server(); RespClient admin = kv.client(); RespClient writer = kv.client()) {
            assertEquals("OK", admin.call("CLIENT", "PAUSE", "300", "WRITE"));
            writer.send("SET", "foo", "bar");
            awaitBlocked(admin, 1);
            assertEquals("OK", CompletableFuture.supplyAsync(() -> {
                try {
                    return writer.read();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(10, TimeUnit.SECONDS));
            assertEquals(0L, blocked(admin));
        }
    }

    @Test
    void noKeyExpiresWhilePaused() throws Exception {
        try (KvTestServer kv = server(); RespClient admin = kv.client()) {
            admin.call("SET", "a", "1", "PX", "1500");
            admin.call("SET", "b", "2", "PX", "1500");
            long expired = expiredKeys(admin);
            assertEquals("OK", admin.call("CLIENT", "PAUSE", "100000", "WRITE"));
            Thread.sleep(1800); // past the keys' time, and several expiry cycles
            assertNull(admin.call("GET", "a"), "an expired key is hidden");
            assertNull(admin.call("GET", "b"));
            assertEquals(expired, expiredKeys(admin), "but not deleted while paused");
            assertEquals(2L, admin.call("DBSIZE"));
            assertEquals("OK", admin.call("CLIENT", "UNPAUSE"));
            admin.call("GET", "a");
            admin.call("GET", "b");
            assertEquals(expired + 2, expiredKeys(admin));
        }
    }

    @Test
    void pauseErrorsAsRedis() throws Exception {
        try (KvTestServer kv = server(); RespClient admin = kv.client()) {
            assertEquals(new RespClient.Error("ERR CLIENT PAUSE mode must be WRITE or ALL"),
                    admin.call("CLIENT", "PAUSE", "10", "READ"));
            assertEquals(new RespClient.Error("ERR timeout is not an integer or out of range"),
                    admin.call("CLIENT", "PAUSE", "x"));
            assertEquals(new RespClient.Error("ERR timeout is negative"), admin.call("CLIENT", "PAUSE", "-1"));
            assertEquals(new RespClient.Error("ERR wrong number of arguments for 'client|pause' command"),
                    admin.call("CLIENT", "PAUSE"));
            assertEquals(new RespClient.Error("ERR wrong number of arguments for 'client|unpause' command"),
                    admin.call("CLIENT", "UNPAUSE", "now"));
            assertFalse(((String) admin.call("INFO", "clients")).contains("blocked_clients:1"));
            List<?> help = (List<?>) admin.call("CLIENT", "HELP"); // Redis's lines, but REPLY's (not spoken here)
            assertEquals("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", help.get(0));
            assertTrue(help.contains("PAUSE <timeout> [WRITE|ALL]") && help.contains("UNBLOCK <clientid> [TIMEOUT|ERROR]"));
        }
    }

    private static long expiredKeys(RespClient c) throws Exception {
        for (String line : ((String) c.call("INFO", "stats")).split("\r\n")) {
            if (line.startsWith("expired_keys:")) {
                return Long.parseLong(line.substring("expired_keys:".length()));
            }
        }
        throw new AssertionError("no expired_keys");
    }
}
