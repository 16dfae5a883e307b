package dev.atoll.examples.kv;

import com.typesafe.config.ConfigFactory;
import dev.atoll.config.ConfigReader;
import dev.atoll.config.DriverKind;
import dev.atoll.config.InvalidConfigException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.atoll.examples.kv.ReplicationProbes.await;
import static dev.atoll.examples.kv.ReplicationProbes.caughtUp;
import static dev.atoll.examples.kv.ReplicationProbes.infoField;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Atoll as a replica of a live redis-server 7.0.15 master (REPLICAOF), on 1 and 2 shards: the full sync (the
 * RDB's {@code $len} form on 1 shard, the diskless {@code $EOF:} form on 2), the command stream of every family
 * and a MULTI/EXEC, expiry as a replica does it, READONLY, a partial resync after the link is killed, REPLICAOF
 * NO ONE, and the replica's log holding what it applied; every key compared with the master's each time.
 */
class KvReplicaOfTest {
    @TempDir
    Path dir;

    /** redis-server on a free loopback port, without persistence; diskless sync (no delay) or the RDB through a file in the test's directory. */
    private Process master(int port, boolean diskless, String... extra) throws Exception {
        String redisServer = KvRedisComparisonTest.onPath("redis-server");
        Assumptions.assumeTrue(redisServer != null, "redis-server is not installed: the replication test is skipped");
        List<String> command = new java.util.ArrayList<>(List.of(redisServer, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--enable-debug-command", "local",
                "--repl-diskless-sync", diskless ? "yes" : "no", "--repl-diskless-sync-delay", "0",
                "--dir", dir.toString(), "--dbfilename", "master-" + port + ".rdb"));
        command.addAll(List.of(extra));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /**
     * The body's redis-server master, started on a free loopback port (diskless sync or not, with {@code extra}
     * options) and stopped after it; its client waits up to 10 s for a reply (a DEBUG SLEEP's).
     */
    private void withMaster(boolean diskless, MasterBody body, String... extra) throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redisServer = master(port, diskless, extra);
        try {
            KvRedisComparisonTest.connect(port).close(); // it listens: the client below connects at once
            try (Jedis master = new Jedis("127.0.0.1", port, 10_000)) {
                body.run(port, master);
            }
        } finally {
            redisServer.destroy();
            redisServer.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A test's part with a master running: its port and a client of it. */
    private interface MasterBody {
        void run(int port, Jedis master) throws Exception;
    }

    /** Writes of every family, some across shards, a MULTI/EXEC, and keys the master expires. */
    private static void writeStream(Jedis m) {
        m.set("w-s", "1");
        m.append("w-s", "23");
        m.incrBy("s-int", 5);
        m.setrange("s-text", 1, "EL");
        m.hset("h-small", "f3", "v3");
        m.hdel("h-large", "f7");
        m.lpush("l-small", "p");
        m.rpop("l-large");
        m.sadd("set-text", "z");
        m.srem("set-large", "m5");
        m.zadd("z-small", 7, "g");
        m.zincrby("z-large", 2.5, "m3");
        m.xadd("x-stream", redis.clients.jedis.StreamEntryID.NEW_ENTRY, Map.of("f", "v2"));
        m.pfadd("hll", "a", "b", "c");
        m.mset("ms-1", "a", "ms-2", "b", "ms-3", "c", "ms-4", "d");
        m.del("set-ints", "ms-4");
        m.rename("w-s", "w-s-renamed");
        m.functionLoad("#!lua name=streamed\nredis.register_function('streamed', function() return 2 end)");
        m.functionDelete("synced");
        m.expire("h-small", 1000);
        m.persist("ttl-s");
        m.set("w-gone", "x", redis.clients.jedis.params.SetParams.setParams().px(1));
        Transaction t = m.multi();
        t.set("tx-1", "a");
        t.incr("tx-counter");
        t.rpush("tx-list", "x", "y");
        t.zadd("tx-z", 1, "one");
        t.exec();
    }

    private static void fill(Jedis m) {
        KvDumpRestoreTest.writeEveryType(m);
        m.functionLoad("#!lua name=synced\nredis.register_function('synced', function() return 1 end)");
        m.xadd("x-stream", redis.clients.jedis.StreamEntryID.NEW_ENTRY, Map.of("f", "v"));
        m.set("ttl-s", "v");
        m.pexpire("ttl-s", 500_000);
        m.hset("ttl-h", "f", "v");
        m.expire("ttl-h", 700);
    }

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void replicatesALiveRedisMaster(int shards) throws Exception {
        Path logs = dir.resolve("replica");
        java.nio.file.Files.createDirectories(logs);
        withMaster(shards == 2, (port, master) -> {
            Map<String, Object> applied;
            fill(master);
            try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO,
                    KvTestServer.settings(logs, KvSettings.FsyncPolicy.EVERYSEC));
                 Jedis replica = new Jedis(server.host, server.port())) {
                replica.set("old-key", "replaced by the master's keys");
                replica.functionLoad("#!lua name=own\nredis.register_function('own', function() return 0 end)"); // replaced too
                assertEquals("OK", replica.replicaof("127.0.0.1", port));
                caughtUp(master, replica);
                assertEquals(KvRdbTest.contents(master), KvRdbTest.contents(replica), "after the full sync");
                List<Object> role = replica.role();
                assertEquals(List.of("slave", "127.0.0.1", (long) port, "connected"), role.subList(0, 4));
                assertEquals("up", infoField(replica, "replication", "master_link_status"));

                writeStream(master);
                await("the master to expire w-gone", () -> !master.exists("w-gone"));
                caughtUp(master, replica);
                assertEquals(KvRdbTest.contents(master), KvRdbTest.contents(replica), "after the stream");
                assertEquals(Math.abs(master.pttl("ttl-h") - replica.pttl("ttl-h")) < 20_000, true, "ttl-h's expiry");

                JedisDataException refused = assertThrows(JedisDataException.class, () -> replica.set("x", "y"));
                assertEquals("READONLY You can't write against a read only replica.", refused.getMessage());

                // the link killed: a partial resync (the master's backlog has the writes since)
                long partialBefore = Long.parseLong(infoField(master, "stats", "sync_partial_ok"));
                assertEquals(1L, master.clientKill(redis.clients.jedis.params.ClientKillParams.clientKillParams()
                        .type(redis.clients.jedis.args.ClientType.REPLICA)));
                master.set("after-kill", "1");
                master.lpush("l-small", "after-kill");
                await("a partial resync", () -> Long.parseLong(infoField(master, "stats", "sync_partial_ok")) == partialBefore + 1);
                caughtUp(master, replica);
                assertEquals(KvRdbTest.contents(master), KvRdbTest.contents(replica), "after the partial resync");
                assertEquals("1", infoField(master, "stats", "sync_full"), "one full sync only");
                applied = KvRdbTest.contents(replica);
                await("the sync's mark removed once every log is rewritten from the master's keys",
                        () -> !java.nio.file.Files.exists(logs.resolve("dump.rdb.loading")));

                assertEquals("OK", replica.replicaofNoOne());
                assertEquals("master", replica.role().get(0));
                assertEquals("OK", replica.set("x", "written after the promotion"));
                master.set("after-promotion", "not replicated");
                assertNull(replica.get("after-promotion"));
                assertEquals(applied.get("s-int"), KvDumpRestoreTest.value(replica, "s-int"), "the keys are kept");
            }
            // the replica's log recorded what it applied: a start from it has the same keys
            try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO,
                    KvTestServer.settings(logs, KvSettings.FsyncPolicy.EVERYSEC));
                 Jedis restarted = new Jedis(server.host, server.port())) {
                Map<String, Object> afterRestart = KvRdbTest.contents(restarted);
                assertEquals("string written after the promotion", afterRestart.remove("x"));
                assertEquals(applied, afterRestart, "the replica's log");
            }
        });
    }

    /** A replica does not expire keys itself: reads hide a key whose time passed until the master's DEL comes. */
    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void readsHideExpiredKeysUntilTheMastersDel(int shards) throws Exception {
        withMaster(true, (port, master) -> {
            master.sendCommand(() -> redis.clients.jedis.util.SafeEncoder.encode("DEBUG"), "SET-ACTIVE-EXPIRE", "0");
            try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO));
                 Jedis replica = new Jedis(server.host, server.port())) {
                replica.replicaof("127.0.0.1", port);
                caughtUp(master, replica);
                master.set("short", "v", redis.clients.jedis.params.SetParams.setParams().px(1000));
                master.set("kept", "v");
                caughtUp(master, replica);
                assertEquals("v", replica.get("short"));
                await("the key's time to pass: a read hides it", () -> replica.get("short") == null);
                assertEquals(false, replica.exists("short"));
                assertEquals(2L, replica.dbSize(), "still there: the replica waits for its master");
                // the master expires it on access and sends DEL; awaited: Redis expires a key once its time is past
                // (now > when), Atoll hides it from that ms on (now >= when), so in that ms the master still has it
                await("the master's expiry on access", () -> master.get("short") == null);
                caughtUp(master, replica);
                assertEquals(1L, replica.dbSize(), "deleted by the master's DEL");
            }
        });
    }

    /**
     * A full sync whose RDB cannot be written (no such directory) fails, and the next try is a full sync again:
     * the replication id of the failed one is not asked to be continued (the replica has none of its keys).
     */
    @Test
    void aFailedFullSyncIsNotContinued() throws Exception {
        withMaster(false, (port, master) -> {
            master.set("k", "v");
            // no log: kv.dir is "unused", a directory that is not there
            try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
                 Jedis replica = new Jedis(server.host, server.port())) {
                replica.replicaof("127.0.0.1", port);
                await("two full syncs", () -> Long.parseLong(infoField(master, "stats", "sync_full")) >= 2);
                assertEquals("0", infoField(master, "stats", "sync_partial_ok"));
                assertEquals("down", infoField(replica, "replication", "master_link_status"));
                assertNull(replica.get("k"));
            }
        });
    }

    /** The master writes to database 1: the link is dropped rather than the write applied to database 0. */
    @Test
    void aWriteToAnotherDatabaseDropsTheLink() throws Exception {
        withMaster(true, (port, master) -> {
            try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO));
                 Jedis replica = new Jedis(server.host, server.port())) {
                replica.replicaof("127.0.0.1", port);
                caughtUp(master, replica);
                master.select(1);
                master.set("in-db-1", "v");
                await("the link to go down", () -> "down".equals(infoField(replica, "replication", "master_link_status")));
                assertNull(replica.get("in-db-1"));
            }
        });
    }

    /** INFO replication and ROLE as a replica whose master is not there; MASTERDOWN with stale data off. */
    @Test
    void aLinkThatIsDownAndItsRefusals() throws Exception {
        int port = KvRedisComparisonTest.freePort(); // nobody listens
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             Jedis replica = new Jedis(server.host, server.port())) {
            replica.set("k", "v");
            assertEquals("OK", replica.replicaof("127.0.0.1", port));
            assertEquals("OK Already connected to specified master", replica.replicaof("127.0.0.1", port));
            JedisDataException invalid = assertThrows(JedisDataException.class,
                    () -> replica.sendCommand(redis.clients.jedis.Protocol.Command.REPLICAOF, "127.0.0.1", "65536"));
            assertEquals("ERR Invalid master port", invalid.getMessage());
            List<Object> role = replica.role();
            assertEquals("slave", role.get(0));
            assertEquals(-1L, role.get(4));
            String info = replica.info("replication");
            assertTrue(info.startsWith("# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:" + port
                    + "\r\nmaster_link_status:down\r\nmaster_last_io_seconds_ago:-1\r\nmaster_sync_in_progress:0\r\n"
                    + "slave_read_repl_offset:0\r\nslave_repl_offset:0\r\nmaster_link_down_since_seconds:-1\r\n"
                    + "slave_priority:100\r\nslave_read_only:1\r\nreplica_announced:1\r\nconnected_slaves:0\r\n"), info);
            assertEquals("v", replica.get("k"), "stale data served");
            JedisDataException script = assertThrows(JedisDataException.class,
                    () -> replica.eval("return redis.call('set', KEYS[1], 'x')", 1, "k"));
            assertTrue(script.getMessage().startsWith("READONLY You can't write against a read only replica."), script.getMessage());
            assertEquals("v", replica.eval("return redis.call('get', KEYS[1])", 1, "k"), "a script's reads are served");
            assertEquals("OK", replica.configSet("replica-serve-stale-data", "no"));
            JedisDataException down = assertThrows(JedisDataException.class, () -> replica.get("k"));
            assertEquals("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", down.getMessage());
            assertEquals("OK", replica.configSet("replica-serve-stale-data", "yes"));
            assertEquals("OK", replica.configSet("replica-read-only", "no"));
            assertEquals("OK", replica.set("k", "written on a writable replica"));
            assertEquals(Map.of("replica-read-only", "no"), replica.configGet("replica-read-only"));
            assertEquals("OK", replica.replicaofNoOne());
            assertEquals("master", replica.role().get(0));
        }
    }

    /**
     * A master with requirepass and a wrong masterauth: the link stays down, the log says why as Redis's replica does,
     * and CONFIG SET masterauth with the right one brings it up at the next attempt, without a restart.
     */
    @Test
    void aWrongMasterauthKeepsTheLinkDownUntilTheRightOne() throws Exception {
        withLinkLog(capture -> withMaster(true, (port, master) -> {
            master.auth("secret");
            master.set("k", "v");
            try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO));
                 Jedis replica = new Jedis(server.host, server.port())) {
                assertEquals("OK", replica.configSet("masterauth", "wrong"));
                assertEquals("OK", replica.replicaof("127.0.0.1", port));
                await("the AUTH's refusal in the log", () -> logged(capture, "Unable to AUTH to MASTER: -WRONGPASS"));
                assertEquals("down", infoField(replica, "replication", "master_link_status"));
                assertNull(replica.get("k"));
                assertEquals("OK", replica.configSet("masterauth", "secret"));
                caughtUp(master, replica);
                assertEquals("v", replica.get("k"));
            }
        }, "--requirepass", "secret"));
    }

    /**
     * repl-timeout: CONFIG SET/GET with Redis's errors; a master that stops answering (redis-server in DEBUG SLEEP,
     * which ends by itself) has its link dropped after the timeout, and the link is made again once it answers.
     */
    @Test
    void aSilentMasterIsDroppedAfterReplTimeoutAndFollowedAgain() throws Exception {
        withLinkLog(capture -> withMaster(true, (port, master) -> {
            master.set("k", "v");
            try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO));
                 Jedis replica = new Jedis(server.host, server.port())) {
                assertEquals(Map.of("repl-timeout", "60"), replica.configGet("repl-timeout"));
                for (String bad : List.of("0", "x")) {
                    JedisDataException expected = assertThrows(JedisDataException.class, () -> master.configSet("repl-timeout", bad));
                    JedisDataException got = assertThrows(JedisDataException.class, () -> replica.configSet("repl-timeout", bad));
                    assertEquals(expected.getMessage(), got.getMessage());
                }
                assertEquals("OK", replica.configSet("repl-timeout", "2"));
                assertEquals(Map.of("repl-timeout", "2"), replica.configGet("repl-timeout"));
                assertEquals("OK", replica.replicaof("127.0.0.1", port));
                caughtUp(master, replica);
                java.util.concurrent.CompletableFuture<Object> sleep = java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> master.sendCommand(() -> redis.clients.jedis.util.SafeEncoder.encode("DEBUG"), "SLEEP", "5"),
                        KvTestServer.THREADS);
                await("the link dropped", () -> "down".equals(infoField(replica, "replication", "master_link_status")));
                assertTrue(logged(capture, "MASTER timeout: no data nor PING received"));
                sleep.get(20, TimeUnit.SECONDS);
                master.set("after", "the sleep");
                caughtUp(master, replica);
                assertEquals("the sleep", replica.get("after"));
            }
        }, "--repl-ping-replica-period", "1"));
    }

    /** A test's part that reads the link's log. */
    private interface LogBody {
        void run(LogCapture capture) throws Exception;
    }

    /** Runs {@code body} with {@link MasterLink}'s log captured. */
    private static void withLinkLog(LogBody body) throws Exception {
        LogCapture capture = new LogCapture(MasterLink.class);
        capture.start();
        try {
            body.run(capture);
        } finally {
            capture.stop();
        }
    }

    /** Whether some line of {@code capture} contains {@code part}. */
    private static boolean logged(LogCapture capture, String part) {
        try {
            capture.assertLogged(part);
            return true;
        } catch (AssertionError notYet) {
            return false;
        }
    }

    @Test
    void kvReplicaofIsReadAndItsErrorsNameKeyAndValue() {
        ReplicaSettings read = ReplicaSettings.from(new ConfigReader(ConfigFactory.parseString(
                "kv.replicaof = \"10.0.0.1 6380\", kv.masterauth = pw, kv.masteruser = u, kv.repl-timeout = 5").withFallback(ConfigFactory.load())));
        assertEquals(new ReplicaOf.Master("10.0.0.1", 6380), read.replicaOf());
        assertEquals("pw", read.masterAuth());
        assertEquals("u", read.masterUser());
        assertEquals(5, read.timeoutSeconds());
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ReplicaSettings.from(new ConfigReader(
                ConfigFactory.parseString("kv.replicaof = \"host 70000\"").withFallback(ConfigFactory.load()))));
        assertTrue(e.getMessage().contains("kv.replicaof") && e.getMessage().contains("host 70000"), e.getMessage());
    }
}
