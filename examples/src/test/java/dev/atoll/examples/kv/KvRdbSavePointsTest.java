package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static dev.atoll.examples.kv.KvRdbTest.await;
import static dev.atoll.examples.kv.KvRdbTest.deleteLogs;
import static dev.atoll.examples.kv.KvRdbTest.error;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Save points ({@code kv.save}, CONFIG SET save): a BGSAVE starts once a point's seconds passed and its changes
 * were made, not before; after a failed save writes and PING answer Redis's MISCONF until a save succeeds (tried
 * again after 5 s); a clean stop saves with save points only; rdbcompression and rdbchecksum no; DEBUG RELOAD
 * keeps every key and answers as redis-server; RESTORE-ASKING is RESTORE.
 */
class KvRdbSavePointsTest {
    @TempDir
    Path dir;

    private static KvSettings settings(Path dir, String savePoints) {
        KvSettings.RdbSettings rdb = KvSettings.RdbSettings.DEFAULT;
        return KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC).withRdb(new KvSettings.RdbSettings(
                KvSettings.RdbSettings.parseSavePoints(savePoints, true), rdb.compression(), rdb.checksum(),
                rdb.stopWritesOnError()));
    }

    private static String info(Jedis jedis, String field) {
        for (String line : jedis.info("persistence").split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        throw new AssertionError("no " + field + " in INFO persistence");
    }

    /**
     * With "1 3", two changes do not start a save once the second has passed (the timer checked the point many
     * times by then, every 100 ms); the third does. CONFIG GET and SET save answer as Redis's.
     */
    @Test
    void aSavePointFiresOnceItsSecondsPassedAndItsChangesWereMade() throws Exception {
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir, "1 3"));
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals(Map.of("save", "1 3"), jedis.configGet("save"));
            long start = jedis.lastsave();
            jedis.set("a", "1");
            jedis.set("b", "2");
            // the point's seconds: more than 1 since LASTSAVE, then 5 more checks of the timer
            await(() -> System.currentTimeMillis() > (start + 2) * 1000 + 500, "the point's seconds to pass");
            assertEquals("0", info(jedis, "rdb_saves"), "2 changes of the 3 the point asks: no save");
            assertFalse(Files.exists(dir.resolve("dump.rdb")));
            jedis.set("c", "3");
            await(() -> info(jedis, "rdb_saves").equals("1"), "the save point to fire");
            assertTrue(jedis.lastsave() > start);
            assertEquals("0", info(jedis, "rdb_changes_since_last_save"));
            assertTrue(Files.exists(dir.resolve("dump.rdb")));

            assertEquals("OK", jedis.configSet("save", "3600 1 300 100 60 10000"));
            assertEquals(Map.of("save", "3600 1 300 100 60 10000"), jedis.configGet("save"));
            for (String bad : List.of("1 1 2", "0 1", "x 1", "5 -1", "1  1")) {
                assertEquals("ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
                        error(() -> jedis.configSet("save", bad)), bad);
            }
            assertEquals("OK", jedis.configSet("save", ""));
            assertEquals(Map.of("save", ""), jedis.configGet("save"));
            assertEquals("ERR CONFIG SET failed (possibly related to argument 'rdbcompression') - argument must be 'yes' or 'no'",
                    error(() -> jedis.configSet("rdbcompression", "maybe")));
        }
    }

    /**
     * A save that fails (a directory where the file goes: the rename fails) makes writes, PING and a write queued
     * in MULTI answer Redis's MISCONF while reads go on; stop-writes-on-bgsave-error no lifts it; once the cause is
     * gone the point's save, tried again after 5 s, succeeds and writes are accepted.
     */
    @Test
    void aFailedSaveRefusesWritesWithMisconfUntilASaveSucceeds() throws Exception {
        Path blocker = Files.createDirectories(dir.resolve("dump.rdb").resolve("occupied"));
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir, "1 1"));
             Jedis jedis = new Jedis(server.host, server.port())) {
            jedis.set("k", "v");
            await(() -> info(jedis, "rdb_last_bgsave_status").equals("err"), "the save point's save to fail");
            assertEquals(RdbSaves.MISCONF, error(() -> jedis.set("k", "w")));
            assertEquals(RdbSaves.MISCONF, error(() -> jedis.del("k")));
            assertEquals(RdbSaves.MISCONF, error(jedis::ping));
            assertEquals("v", jedis.get("k"), "reads go on");
            Transaction multi = jedis.multi();
            multi.set("k", "x");
            assertTrue(error(multi::exec).startsWith("EXECABORT"), "a write queued in MULTI aborts EXEC, as in Redis");
            assertEquals("OK", jedis.configSet("stop-writes-on-bgsave-error", "no"));
            assertEquals("OK", jedis.set("k", "w"));
            assertEquals("OK", jedis.configSet("stop-writes-on-bgsave-error", "yes"));
            assertEquals(RdbSaves.MISCONF, error(() -> jedis.set("k", "v")));
            Files.delete(blocker);
            Files.delete(blocker.getParent());
            await(() -> info(jedis, "rdb_last_bgsave_status").equals("ok"), "the save tried again after 5 s to succeed");
            assertEquals("OK", jedis.set("k", "v2"));
            assertEquals("PONG", jedis.ping());
        }
    }

    /** A clean stop (what SIGTERM and SHUTDOWN do) saves the file when there are save points, and not without. */
    @Test
    void aCleanStopSavesWithSavePointsOnly() throws Exception {
        Path without = Files.createDirectories(dir.resolve("without"));
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(without, ""));
             Jedis jedis = new Jedis(server.host, server.port())) {
            jedis.set("k", "v");
        }
        assertFalse(Files.exists(without.resolve("dump.rdb")), "no save points: no save at the stop");
        Path with = Files.createDirectories(dir.resolve("with"));
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(with, "3600 1"));
             Jedis jedis = new Jedis(server.host, server.port())) {
            for (int i = 0; i < 100; i++) {
                jedis.set("k" + i, "v" + i);
            }
            assertEquals("0", info(jedis, "rdb_saves"), "the point's hour has not passed");
        }
        deleteLogs(with);
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings(with, ""));
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals(100, jedis.dbSize(), "the file the stop saved");
        }
    }

    /** rdbcompression no writes strings without LZF, rdbchecksum no a zero checksum; the file loads either way. */
    @Test
    void rdbcompressionAndRdbchecksumNo() throws Exception {
        String compressible = "ab".repeat(10_000);
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir, ""));
             Jedis jedis = new Jedis(server.host, server.port())) {
            jedis.set("c", compressible);
            assertEquals("OK", jedis.save());
            long compressed = Files.size(dir.resolve("dump.rdb"));
            byte[] file = Files.readAllBytes(dir.resolve("dump.rdb"));
            assertFalse(java.util.Arrays.equals(new byte[8], 0, 8, file, file.length - 8, file.length), "a checksum");
            assertEquals(Map.of("rdbcompression", "yes"), jedis.configGet("rdbcompression"));
            assertEquals("OK", jedis.configSet("rdbcompression", "no"));
            assertEquals("OK", jedis.configSet("rdbchecksum", "no"));
            assertEquals(Map.of("rdbchecksum", "no"), jedis.configGet("rdbchecksum"));
            assertEquals("OK", jedis.save());
            file = Files.readAllBytes(dir.resolve("dump.rdb"));
            assertTrue(compressed < 1000 && file.length > compressible.length(), compressed + " then " + file.length);
            assertArrayEquals(new byte[8], java.util.Arrays.copyOfRange(file, file.length - 8, file.length), "no checksum");
            assertTrue(jedis.dump("c").length > compressible.length(), "DUMP follows rdbcompression, as Redis's");
        }
        deleteLogs(dir);
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings(dir, ""));
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals(compressible, jedis.get("c"));
        }
    }

    /**
     * DEBUG RELOAD (and NOSAVE, NOFLUSH MERGE) keeps every key and library, and is logged: a start from the logs
     * alone has them. Its replies are redis-server's when it is installed: the options' error, OK, NOFLUSH without
     * MERGE answering an error where redis-server stops (not sent to it).
     */
    @Test
    void debugReloadKeepsEveryKeyAndAnswersAsRedis() throws Exception {
        Map<String, Object> expected;
        List<Object> replies = new ArrayList<>();
        String[][] script = {{"SET", "r", "1"}, {"DEBUG", "RELOAD", "BOGUS"}, {"DEBUG", "RELOAD"}, {"GET", "r"},
            {"SET", "r", "2"}, {"DEBUG", "RELOAD", "NOSAVE"}, {"GET", "r"}, {"DEBUG", "RELOAD", "NOFLUSH", "MERGE"},
            {"DEBUG", "RELOAD", "MERGE", "NOSAVE", "NOFLUSH"}, {"GET", "r"}};
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir, ""));
             Jedis jedis = new Jedis(server.host, server.port());
             RespClient client = server.client()) {
            KvDumpRestoreTest.writeEveryType(jedis);
            jedis.psetex("ttl-key", 600_000, "v");
            jedis.functionLoad("#!lua name=reloadlib\nredis.register_function('reloadf', function(keys, args) return 7 end)");
            for (String[] command : script) {
                replies.add(client.call(command));
            }
            expected = contents(jedis);
            assertEquals("ERR Error trying to load the RDB dump, check server logs.",
                    error(() -> jedis.sendCommand(() -> "DEBUG".getBytes(StandardCharsets.US_ASCII),
                            "RELOAD".getBytes(StandardCharsets.US_ASCII), "NOFLUSH".getBytes(StandardCharsets.US_ASCII))),
                    "a key there already without MERGE (redis-server stops there)");
            assertEquals(expected, contents(jedis), "nothing changed");
            assertTrue(jedis.pttl("ttl-key") > 500_000, "the expiry kept");
        }
        assertEquals("[OK, Error[text=ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.], OK, 1, OK, OK, 1,"
                + " OK, OK, 1]", String.valueOf(replies));
        Files.delete(dir.resolve("dump.rdb"));
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir, ""));
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals(expected, contents(jedis), "the logs hold what the reload put in place");
        }
        String redisServer = KvRedisComparisonTest.onPath("redis-server");
        if (redisServer == null) {
            return; // the comparison with redis-server is skipped: it is not installed
        }
        Path theirDir = Files.createDirectories(dir.resolve("redis"));
        int port = KvRedisComparisonTest.freePort();
        Process redis = new ProcessBuilder(redisServer, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", theirDir.toString(),
                "--enable-debug-command", "yes")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (RespClient theirs = KvRedisComparisonTest.connect(port)) {
            List<Object> theirReplies = new ArrayList<>();
            for (String[] command : script) {
                theirReplies.add(theirs.call(command));
            }
            assertEquals(String.valueOf(theirReplies), String.valueOf(replies));
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** RESTORE-ASKING takes RESTORE's arguments and answers as RESTORE; COMMAND INFO as redis-server's. */
    @Test
    void restoreAskingIsRestore() throws Exception {
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings(dir, ""));
             Jedis jedis = new Jedis(server.host, server.port())) {
            jedis.rpush("l", "a", "b", "c");
            byte[] payload = jedis.dump("l");
            assertEquals("OK", restoreAsking(jedis, "copy".getBytes(StandardCharsets.UTF_8), "0".getBytes(StandardCharsets.UTF_8), payload));
            assertEquals(List.of("a", "b", "c"), jedis.lrange("copy", 0, -1));
            assertEquals("BUSYKEY Target key name already exists.", error(() -> restoreAsking(jedis,
                    "copy".getBytes(StandardCharsets.UTF_8), "0".getBytes(StandardCharsets.UTF_8), payload)));
            assertEquals("OK", restoreAsking(jedis, "copy".getBytes(StandardCharsets.UTF_8), "100000".getBytes(StandardCharsets.UTF_8),
                    payload, "REPLACE".getBytes(StandardCharsets.UTF_8)));
            assertTrue(jedis.pttl("copy") > 0);
            assertEquals("ERR DUMP payload version or checksum are wrong", error(() -> restoreAsking(jedis,
                    "bad".getBytes(StandardCharsets.UTF_8), "0".getBytes(StandardCharsets.UTF_8), "xx".getBytes(StandardCharsets.UTF_8))));
            assertEquals("ERR wrong number of arguments for 'restore-asking' command",
                    error(() -> restoreAsking(jedis, "bad".getBytes(StandardCharsets.UTF_8))));
        }
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings(dir, ""));
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals(List.of("a", "b", "c"), jedis.lrange("copy", 0, -1), "logged as RESTORE is");
        }
    }

    private static String restoreAsking(Jedis jedis, byte[]... args) {
        Object reply = jedis.sendCommand(() -> "RESTORE-ASKING".getBytes(StandardCharsets.US_ASCII), args);
        return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    /** Every key's type, value and expiry (to the minute), and the function libraries. */
    private static Map<String, Object> contents(Jedis jedis) {
        Map<String, Object> all = new TreeMap<>();
        all.put("(function libraries)", KvRdbTest.plain(jedis.sendCommand(redis.clients.jedis.Protocol.Command.FUNCTION, "LIST")));
        for (String key : jedis.keys("*")) {
            long ttl = jedis.pttl(key);
            all.put(key, List.of(KvDumpRestoreTest.value(jedis, key), ttl < 0 ? ttl : ttl / 60_000));
        }
        return all;
    }
}
