package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CONFIG against redis-server 7.0.15 ({@link RecordedScript}, RESP2 and RESP3, 1 and 2 shards): each parameter CONFIG
 * SET changes — a value read back, bad values with Redis's errors, units, aliases and clamps —, several at once and
 * all or nothing, Redis's immutable and protected refusals, the encoding thresholds as OBJECT ENCODING shows them,
 * loglevel, CONFIG HELP and the arities. Then on Atoll alone: that CONFIG GET * names what Redis 7.0 names (but the
 * repl-* parameters), that every parameter it shows is one CONFIG SET knows, the rule for those that do not apply,
 * and the effects of acllog-max-len, auto-aof-rewrite-*, the LFU parameters (against redis-server too) and loglevel.
 */
class KvConfigTest extends RecordedScriptTest {
    private static final RecordedScript SCRIPT = new RecordedScript("/kv/config-replies.txt", steps());

    @Override
    RecordedScript script() {
        return SCRIPT;
    }

    /** CONFIG SET of {@code value}, the GET of {@code name} after it, each bad value's refusal, then {@code back}. */
    private static void parameter(List<List<String>> steps, String name, String value, String back, String... bad) {
        steps.add(step("CONFIG", "SET", name, value));
        steps.add(step("CONFIG", "GET", name));
        for (String b : bad) {
            steps.add(step("CONFIG", "SET", name, b));
        }
        steps.add(step("CONFIG", "GET", name));
        steps.add(step("CONFIG", "SET", name, back));
    }

    static List<List<String>> steps() {
        List<List<String>> steps = new ArrayList<>();
        parameter(steps, "hash-max-listpack-entries", "100", "512", "-1", "x", "1.5");
        parameter(steps, "hash-max-ziplist-entries", "7", "512", "-1");
        steps.add(step("CONFIG", "SET", "hash-max-ziplist-entries", "9"));
        steps.add(step("CONFIG", "GET", "hash-max-listpack-entries")); // one setting, two names
        parameter(steps, "hash-max-listpack-value", "100", "64", "-1", "x");
        parameter(steps, "hash-max-listpack-value", "0", "64");
        parameter(steps, "hash-max-ziplist-value", "200b", "64", "1.5kb");
        parameter(steps, "zset-max-listpack-entries", "5", "128", "-1", "x");
        parameter(steps, "zset-max-ziplist-entries", "6", "128");
        parameter(steps, "zset-max-listpack-value", "1kb", "64", "-5", "x");
        parameter(steps, "zset-max-ziplist-value", "1m", "64");
        parameter(steps, "set-max-intset-entries", "1000", "512", "-1", "x");
        parameter(steps, "hz", "100", "10", "-1", "x", "2147483648");
        parameter(steps, "hz", "1000", "10"); // Redis clamps to 500
        parameter(steps, "hz", "0", "10"); // ... and to 1
        parameter(steps, "active-expire-effort", "10", "1", "0", "11", "x");
        parameter(steps, "lfu-log-factor", "0", "10", "-1", "x");
        parameter(steps, "lfu-decay-time", "0", "1", "-1", "x");
        parameter(steps, "maxmemory-eviction-tenacity", "100", "10", "-1", "101", "x");
        parameter(steps, "acllog-max-len", "3", "128", "-1", "x");
        parameter(steps, "aof-rewrite-incremental-fsync", "no", "yes", "maybe", "1");
        parameter(steps, "rdb-save-incremental-fsync", "NO", "yes", "maybe");
        parameter(steps, "activerehashing", "no", "yes", "maybe", "1");
        parameter(steps, "auto-aof-rewrite-percentage", "0", "100", "-1", "x", "2147483648");
        parameter(steps, "auto-aof-rewrite-min-size", "1mb", "64mb", "-1", "x");
        parameter(steps, "auto-aof-rewrite-min-size", "1000", "64mb");
        parameter(steps, "loglevel", "warning", "notice", "loud", "1");
        parameter(steps, "loglevel", "DEBUG", "notice");
        parameter(steps, "loglevel", "verbose", "notice");
        // several at once, all or nothing, each named once
        steps.add(step("CONFIG", "SET", "hz", "20", "lfu-log-factor", "5", "set-max-intset-entries", "3"));
        steps.add(step("CONFIG", "GET", "hz"));
        steps.add(step("CONFIG", "GET", "lfu-log-factor"));
        steps.add(step("CONFIG", "GET", "set-max-intset-entries"));
        steps.add(step("CONFIG", "SET", "hz", "30", "active-expire-effort", "11"));
        steps.add(step("CONFIG", "SET", "hz", "30", "lfu-log-factor", "x"));
        steps.add(step("CONFIG", "SET", "lfu-log-factor", "7", "io-threads", "2"));
        steps.add(step("CONFIG", "GET", "hz"));
        steps.add(step("CONFIG", "GET", "lfu-log-factor"));
        steps.add(step("CONFIG", "SET", "hz", "10", "hz", "20"));
        steps.add(step("CONFIG", "SET", "hz", "10", "HZ", "20"));
        steps.add(step("CONFIG", "SET", "hz", "10", "lfu-log-factor", "10", "set-max-intset-entries", "512"));
        steps.add(step("CONFIG", "SET", "hz"));
        steps.add(step("CONFIG", "SET", "hz", "10", "lfu-log-factor"));
        // Redis's refusals of what it cannot change at run time either
        for (String immutable : new String[] {"daemonize", "io-threads", "databases", "appendfilename", "appenddirname",
            "cluster-enabled", "supervised", "pidfile", "logfile", "unixsocket", "tcp-backlog", "aclfile", "replicaof",
            "always-show-logo", "enable-debug-command", "enable-protected-configs", "server_cpulist"}) {
            steps.add(step("CONFIG", "SET", immutable, "x"));
        }
        steps.add(step("CONFIG", "SET", "dir", "/tmp"));
        steps.add(step("CONFIG", "SET", "dbfilename", "x.rdb"));
        steps.add(step("CONFIG", "SET", "no-such-parameter", "1"));
        // the encodings follow the thresholds
        steps.add(step("CONFIG", "SET", "hash-max-listpack-entries", "2", "hash-max-listpack-value", "4"));
        steps.add(step("HSET", "h", "a", "1", "b", "2"));
        steps.add(step("OBJECT", "ENCODING", "h"));
        steps.add(step("HSET", "h", "c", "3"));
        steps.add(step("OBJECT", "ENCODING", "h"));
        steps.add(step("HSET", "h2", "a", "12345"));
        steps.add(step("OBJECT", "ENCODING", "h2"));
        steps.add(step("HSET", "h3", "abcd", "1234"));
        steps.add(step("OBJECT", "ENCODING", "h3"));
        steps.add(step("HSET", "h4", "abcde", "1"));
        steps.add(step("OBJECT", "ENCODING", "h4"));
        steps.add(step("CONFIG", "SET", "hash-max-listpack-entries", "512", "hash-max-listpack-value", "64"));
        steps.add(step("HSET", "h5", "a", "1", "b", "2", "c", "3"));
        steps.add(step("CONFIG", "SET", "hash-max-listpack-entries", "2"));
        steps.add(step("OBJECT", "ENCODING", "h5")); // a lowered threshold changes no value by itself
        steps.add(step("HSET", "h5", "a", "9")); // ... but the next set of it, as Redis's hashTypeSet
        steps.add(step("OBJECT", "ENCODING", "h5"));
        steps.add(step("HGET", "h5", "a"));
        steps.add(step("CONFIG", "SET", "hash-max-ziplist-entries", "0"));
        steps.add(step("HSET", "h6", "a", "1"));
        steps.add(step("OBJECT", "ENCODING", "h6"));
        steps.add(step("CONFIG", "SET", "hash-max-listpack-entries", "512", "hash-max-listpack-value", "200"));
        steps.add(step("HSET", "h7", "f", "v".repeat(200), "g".repeat(150), "w"));
        steps.add(step("OBJECT", "ENCODING", "h7"));
        steps.add(step("HGETALL", "h7")); // lengths past 127 bytes read back whole
        steps.add(step("HSTRLEN", "h7", "f"));
        steps.add(step("CONFIG", "SET", "hash-max-listpack-value", "64"));
        steps.add(step("CONFIG", "SET", "zset-max-listpack-entries", "2", "zset-max-listpack-value", "3"));
        steps.add(step("ZADD", "z", "1", "a", "2", "b"));
        steps.add(step("OBJECT", "ENCODING", "z"));
        steps.add(step("ZADD", "z", "3", "c"));
        steps.add(step("OBJECT", "ENCODING", "z"));
        steps.add(step("ZADD", "z2", "1", "abcd"));
        steps.add(step("OBJECT", "ENCODING", "z2"));
        steps.add(step("ZADD", "z3", "1", "abc"));
        steps.add(step("OBJECT", "ENCODING", "z3"));
        steps.add(step("CONFIG", "SET", "zset-max-listpack-value", "1"));
        steps.add(step("ZADD", "z3", "5", "abc")); // a new score of a member already there: no conversion
        steps.add(step("OBJECT", "ENCODING", "z3"));
        steps.add(step("ZUNIONSTORE", "z4", "2", "z3", "z"));
        steps.add(step("OBJECT", "ENCODING", "z4"));
        steps.add(step("CONFIG", "SET", "zset-max-ziplist-entries", "0", "zset-max-listpack-value", "64"));
        steps.add(step("ZADD", "z5", "1", "a"));
        steps.add(step("OBJECT", "ENCODING", "z5"));
        steps.add(step("CONFIG", "SET", "zset-max-listpack-entries", "128"));
        steps.add(step("CONFIG", "SET", "set-max-intset-entries", "2"));
        steps.add(step("SADD", "s", "1", "2"));
        steps.add(step("OBJECT", "ENCODING", "s"));
        steps.add(step("SADD", "s", "2"));
        steps.add(step("OBJECT", "ENCODING", "s"));
        steps.add(step("SADD", "s", "3"));
        steps.add(step("OBJECT", "ENCODING", "s"));
        steps.add(step("SADD", "s2", "1", "2", "3"));
        steps.add(step("OBJECT", "ENCODING", "s2"));
        steps.add(step("SADD", "s3", "7", "8"));
        steps.add(step("SINTERSTORE", "s4", "s3", "s3"));
        steps.add(step("OBJECT", "ENCODING", "s4"));
        steps.add(step("CONFIG", "SET", "set-max-intset-entries", "0"));
        steps.add(step("SADD", "s5", "1"));
        steps.add(step("OBJECT", "ENCODING", "s5"));
        steps.add(step("CONFIG", "SET", "set-max-intset-entries", "512"));
        steps.add(step("SADD", "s6", "1", "2", "3"));
        steps.add(step("OBJECT", "ENCODING", "s6"));
        // the other subcommands
        steps.add(step("CONFIG", "HELP"));
        steps.add(step("CONFIG", "HELP", "x"));
        steps.add(step("CONFIG", "REWRITE"));
        steps.add(step("CONFIG", "REWRITE", "x"));
        steps.add(step("CONFIG", "RESETSTAT", "x"));
        steps.add(step("CONFIG", "GET"));
        steps.add(step("CONFIG", "NOPE"));
        return steps;
    }

    /** The parameter names of redis-server 7.0.15's CONFIG GET *, one a line (recorded). */
    private static Set<String> redisNames() throws IOException {
        try (InputStream in = KvConfigTest.class.getResourceAsStream("/kv/redis-7.0-config-names.txt")) {
            return new TreeSet<>(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> all(RespClient c) throws IOException {
        c.call("HELLO", "3");
        Map<String, String> all = (Map<String, String>) c.call("CONFIG", "GET", "*");
        c.call("HELLO", "2");
        return all;
    }

    private static KvTestServer server(int shards) throws Exception {
        return KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    /** CONFIG GET * names every parameter redis-server 7.0.15 names, and no other. */
    @Test
    void getNamesRedisSParameters() throws Exception {
        Set<String> expected = new TreeSet<>(redisNames());
        try (KvTestServer kv = server(2); RespClient c = kv.client()) {
            assertEquals(expected, new TreeSet<>(all(c).keySet()));
            // several patterns at once, each parameter once (Redis's order is its hash table's: compared as a map)
            c.call("HELLO", "3");
            assertEquals(Map.of("hz", "10", "lfu-log-factor", "10", "lfu-decay-time", "1"),
                    c.call("CONFIG", "GET", "hz", "lfu-*", "h?"));
        }
    }

    /**
     * Every parameter CONFIG GET shows is one CONFIG SET knows: set to the value it shows, it is accepted or refused
     * with Redis's immutable or protected refusal, or a reason naming the kv.* key or why it does not apply here —
     * never "Unknown option"; and one that does not apply refuses any other value, so none takes a value it ignores.
     */
    @Test
    void everyParameterShownIsOneSetKnows() throws Exception {
        try (KvTestServer kv = server(1); RespClient c = kv.client()) {
            for (Map.Entry<String, String> p : all(c).entrySet()) {
                Object reply = c.call("CONFIG", "SET", p.getKey(), p.getValue());
                if (reply instanceof RespClient.Error e) {
                    String prefix = "ERR CONFIG SET failed (possibly related to argument '" + p.getKey() + "') - ";
                    assertTrue(e.text().startsWith(prefix + "can't set immutable config")
                            || e.text().startsWith(prefix + "can't set protected config")
                            || e.text().startsWith(prefix + "not changeable at run time here: set "), e.text());
                } else {
                    assertEquals("OK", reply, p.getKey());
                }
            }
            Map<String, String> after = all(c);
            for (String unsupported : new String[] {"activedefrag", "lazyfree-lazy-user-del", "tls-port",
                "cluster-node-timeout", "list-max-listpack-size", "jemalloc-bg-thread", "no-appendfsync-on-rewrite",
                "stream-node-max-entries", "maxmemory-clients"}) {
                String shown = after.get(unsupported);
                Object reply = c.call("CONFIG", "SET", unsupported, shown.equals("0") ? "1" : shown.equals("yes") ? "no" : "yes");
                assertTrue(reply instanceof RespClient.Error e && e.text().startsWith("ERR CONFIG SET failed (possibly related "
                        + "to argument '" + unsupported + "') - not supported here: "), unsupported + ": " + reply);
                assertEquals(shown, all(c).get(unsupported));
            }
            assertEquals(Map.of("lazyfree-lazy-user-del", "yes"), Map.of("lazyfree-lazy-user-del", after.get("lazyfree-lazy-user-del")));
        }
    }

    /** acllog-max-len bounds ACL LOG, a lowered one from the next entry on, as Redis's. */
    @Test
    void aclLogKeepsAclLogMaxLenEntries() throws Exception {
        try (KvTestServer kv = server(2); RespClient c = kv.client()) {
            for (int i = 0; i < 5; i++) {
                c.call("AUTH", "user" + i, "wrong");
            }
            assertEquals(5, ((List<?>) c.call("ACL", "LOG")).size());
            assertEquals("OK", c.call("CONFIG", "SET", "acllog-max-len", "2"));
            assertEquals(5, ((List<?>) c.call("ACL", "LOG")).size());
            c.call("AUTH", "user9", "wrong");
            assertEquals(2, ((List<?>) c.call("ACL", "LOG")).size());
        }
    }

    /**
     * Under an LFU policy, lfu-log-factor 0 counts every access and lfu-decay-time 0 never decays, so OBJECT FREQ is
     * exact: the same as redis-server's after the same accesses.
     */
    @Test
    void lfuParametersAsRedis() throws Exception {
        List<List<String>> steps = new ArrayList<>();
        steps.add(step("CONFIG", "SET", "lfu-log-factor", "0", "lfu-decay-time", "0"));
        steps.add(step("SET", "k", "v"));
        for (int i = 0; i < 30; i++) {
            steps.add(step("GET", "k"));
        }
        steps.add(step("OBJECT", "FREQ", "k"));
        steps.add(step("CONFIG", "SET", "lfu-log-factor", "1000000"));
        for (int i = 0; i < 30; i++) {
            steps.add(step("GET", "k"));
        }
        steps.add(step("OBJECT", "FREQ", "k"));
        RecordedScript script = new RecordedScript("unused", steps);
        KvSettings s = KvTestServer.settings(null, KvSettings.FsyncPolicy.NO);
        KvSettings lfu = new KvSettings(s.appendOnly(), s.fsync(), s.dir(), s.rewriteMinBytes(), s.rewriteGrowthPercent(),
                s.aofMaxQueuedBytes(), s.input(), s.output(), s.maxConnections(), s.idleTimeout(), s.password(),
                s.protectedMode(), s.aofLoadTruncated(), s.aofLoadCorruptTail(), s.aofLoadMissing(),
                new KvSettings.MemoryLimits(0, KvSettings.EvictionPolicy.ALLKEYS_LFU, 5), s.pubsubOutput());
        List<String> atoll;
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, lfu); RespClient c = kv.client()) {
            atoll = script.replies(c);
        }
        assertEquals(Long.valueOf(35), Long.valueOf(atoll.get(32)), "5, the initial count, and 30 accesses: " + atoll);
        assertEquals(atoll.get(32), atoll.get(64), "a huge log factor: almost no access counts");
        RecordedScript.withRedis(port -> {
            try (RespClient r = KvRedisComparisonTest.connect(port)) {
                r.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
                assertEquals(script.replies(r), atoll);
            }
            return null;
        });
    }

    private static long aofRewrites(RespClient c) throws IOException {
        for (String line : ((String) c.call("INFO", "persistence")).split("\r\n")) {
            if (line.startsWith("aof_rewrites:")) {
                return Long.parseLong(line.substring("aof_rewrites:".length()));
            }
        }
        throw new AssertionError("no aof_rewrites in INFO persistence");
    }

    /**
     * auto-aof-rewrite-percentage 0 keeps a log past auto-aof-rewrite-min-size from being rewritten; set back to 100, the
     * log is rewritten at once, as Redis's cron would (a log grown from nothing has grown by any percentage).
     */
    @Test
    void autoAofRewriteFollowsConfigSet(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (KvTestServer kv = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client()) {
            assertEquals("OK", c.call("CONFIG", "SET", "auto-aof-rewrite-percentage", "0", "auto-aof-rewrite-min-size", "1kb"));
            for (int i = 0; i < 200; i++) {
                c.call("SET", "k" + i, "v".repeat(100));
            }
            assertEquals(0L, aofRewrites(c), "no rewrite starts by itself under auto-aof-rewrite-percentage 0");
            assertEquals("OK", c.call("CONFIG", "SET", "auto-aof-rewrite-percentage", "100"));
            KvPubSubTest.assertEventually(() -> aofRewrites(c) >= 1, "the log past 1 KiB is rewritten");
            assertEquals(List.of("auto-aof-rewrite-min-size", "1024"), c.call("CONFIG", "GET", "auto-aof-rewrite-min-size"));
        }
    }

    /**
     * min-replicas-to-write: without a good replica a write gets Redis's -NOREPLICAS and a read is served; once a live
     * redis-server replica is online and acknowledging, writes go on; once it is gone for more than min-replicas-max-lag
     * seconds, they are refused again; 0 turns it off.
     */
    @Test
    void minReplicasToWriteCountsTheReplicasThatAcknowledge(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String redisServer = KvRedisComparisonTest.onPath("redis-server");
        org.junit.jupiter.api.Assumptions.assumeTrue(redisServer != null,
                "redis-server is not installed: min-replicas-to-write with a replica is skipped");
        RespClient.Error noReplicas = new RespClient.Error("NOREPLICAS Not enough good replicas to write.");
        // the full sync's RDB file goes to the master's dir: a temporary one
        java.nio.file.Files.createDirectories(dir.resolve("master"));
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO,
                KvTestServer.settings(dir.resolve("master"), KvSettings.FsyncPolicy.NO)); RespClient c = kv.client()) {
            assertEquals("OK", c.call("CONFIG", "SET", "min-replicas-to-write", "1", "min-replicas-max-lag", "2"));
            assertEquals(noReplicas, c.call("SET", "k", "v"));
            assertEquals(null, c.call("GET", "k"));
            int port = KvRedisComparisonTest.freePort();
            Process replica = new ProcessBuilder(redisServer, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(),
                    "--replicaof", "127.0.0.1", Integer.toString(kv.port()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("replica.log").toFile()).start();
            try {
                awaitReply(c, "OK", "a write accepted once the replica acknowledges", "k", "v");
                signal(replica, "STOP"); // online still, but silent: its acknowledgements age past the lag
                awaitReply(c, noReplicas, "writes refused while the replica does not acknowledge", "k", "v2");
                signal(replica, "CONT");
                awaitReply(c, "OK", "writes accepted again once it acknowledges", "k", "v");
            } finally {
                replica.destroy();
                replica.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            awaitReply(c, noReplicas, "writes refused once the replica is gone", "k", "v2");
            assertEquals("OK", c.call("CONFIG", "SET", "min-slaves-to-write", "0"));
            assertEquals("OK", c.call("SET", "k", "v3"));
        }
    }

    /** Sends SIGSTOP or SIGCONT to {@code process} (the test's own redis-server). */
    private static void signal(Process process, String signal) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor());
    }

    /** Sends SET {@code key} {@code value} until it answers {@code expected} (30 s at most). */
    private static void awaitReply(RespClient c, Object expected, String what, String key, String value) throws Exception {
        ReplicationProbes.await(what, () -> {
            try {
                return expected.equals(c.call("SET", key, value));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** loglevel is the root logger's level: what CONFIG SET sets, logback applies. */
    @Test
    void logLevelIsTheRootLoggersLevel() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Level before = root.getLevel();
        try (KvTestServer kv = server(1); RespClient c = kv.client()) {
            assertEquals(List.of("loglevel", "notice"), c.call("CONFIG", "GET", "loglevel"));
            assertEquals("OK", c.call("CONFIG", "SET", "loglevel", "warning"));
            assertEquals(ch.qos.logback.classic.Level.WARN, root.getLevel());
            assertFalse(org.slf4j.LoggerFactory.getLogger(KvConfigTest.class).isInfoEnabled());
        } finally {
            root.setLevel(before);
        }
    }
}
