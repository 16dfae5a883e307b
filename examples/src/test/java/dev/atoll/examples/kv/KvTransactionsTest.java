package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MULTI / EXEC / DISCARD / WATCH / UNWATCH as Redis 7.0 answers them (a script checked against
 * literal replies, and against a redis-server this test starts when one is installed), and the
 * atomicity of transactions and multi-key commands across two shards under concurrent load: no
 * reader sees half a transaction, a bank's total never changes, WATCH loses no update, and
 * transactions that take the same keys in opposite orders all finish.
 */
class KvTransactionsTest {
    private static final int SHARDS = 2;
    /** Keys owned by shard 0 and by shard 1 of two. */
    private static final String A = keyOn(0, "a");
    private static final String B = keyOn(1, "b");
    private static final String M = keyOn(0, "m");
    private static final String N = keyOn(1, "n");
    /** Keys of shard 0 that make a transaction's part there long. */
    private static final List<String> FILLERS = java.util.stream.IntStream.range(0, 300)
            .mapToObj(i -> keyOn(0, "filler" + i + "-")).toList();

    static String keyOn(int shard, String prefix) {
        for (int i = 0; ; i++) {
            byte[] key = (prefix + i).getBytes(StandardCharsets.US_ASCII);
            if (KeySlots.owner(key, 0, key.length, SHARDS) == shard) {
                return prefix + i;
            }
        }
    }

    private static KvTestServer start(int shards) throws Exception {
        return KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    /** One step of the script: which client sends what, and the reply Redis 7.0.15 gives (as String.valueOf of RespClient's). */
    private record Step(int client, String[] command, String expected) {
    }

    private static Step s(int client, String expected, String... command) {
        return new Step(client, command, expected);
    }

    /** Keys of two shards in one script; every reply as redis-server 7.0.15 gave it. */
    private static final List<Step> SCRIPT = List.of(
            s(0, "OK", "MULTI"), s(0, "Error[text=ERR MULTI calls can not be nested]", "MULTI"),
            s(0, "Error[text=ERR WATCH inside MULTI is not allowed]", "WATCH", A),
            s(0, "QUEUED", "SET", A, "1"),
            s(0, "Error[text=ERR unknown command 'FOO', with args beginning with: ]", "FOO"),
            s(0, "Error[text=ERR wrong number of arguments for 'get' command]", "GET"),
            s(0, "Error[text=EXECABORT Transaction discarded because of previous errors.]", "EXEC"),
            s(0, "null", "GET", A),
            // SHUTDOWN (no_multi) is refused, not queued: EXEC aborts and the server goes on (it used to stop it).
            s(0, "OK", "MULTI"), s(0, "QUEUED", "SET", A, "1"),
            s(0, "Error[text=ERR Command not allowed inside a transaction]", "SHUTDOWN"),
            s(0, "Error[text=EXECABORT Transaction discarded because of previous errors.]", "EXEC"),
            s(0, "null", "GET", A),
            s(0, "Error[text=ERR EXEC without MULTI]", "EXEC"), s(0, "Error[text=ERR DISCARD without MULTI]", "DISCARD"),
            // Runtime errors do not roll back; keys of both shards, a cross-shard MSET, MGET and DEL inside.
            s(0, "OK", "MULTI"), s(0, "QUEUED", "SET", A, "x"), s(0, "QUEUED", "INCR", A), s(0, "QUEUED", "SET", B, "y"),
            s(0, "QUEUED", "MSET", A, "1", B, "2"), s(0, "QUEUED", "MGET", A, B, "nokey"), s(0, "QUEUED", "PING"),
            s(0, "QUEUED", "ECHO", "hi"), s(0, "QUEUED", "DEL", A, B, "nokey"), s(0, "QUEUED", "EXISTS", A, B),
            s(0, "[OK, Error[text=ERR value is not an integer or out of range], OK, OK, [1, 2, null], PONG, hi, 2, 0]",
                    "EXEC"),
            s(0, "OK", "MULTI"), s(0, "QUEUED", "SET", A, "1"), s(0, "OK", "DISCARD"), s(0, "null", "GET", A),
            s(0, "OK", "MULTI"), s(0, "[]", "EXEC"),
            // WATCH: a change by another client aborts, on either shard.
            s(0, "OK", "WATCH", A, B), s(1, "OK", "SET", B, "2"), s(0, "OK", "MULTI"), s(0, "QUEUED", "SET", A, "3"),
            s(0, "null", "EXEC"), s(0, "null", "GET", A),
            s(0, "OK", "WATCH", A), s(1, "OK", "SET", A, "2"), s(1, "1", "DEL", A), s(0, "OK", "MULTI"),
            s(0, "QUEUED", "PING"), s(0, "null", "EXEC"),
            // ... but a write that changed nothing does not, nor a read, nor UNWATCH's forgotten keys.
            s(0, "OK", "SET", A, "1"), s(0, "OK", "WATCH", A, "nokey"), s(1, "0", "SETNX", A, "2"), s(1, "0", "DEL", "nokey"),
            s(1, "1", "GET", A), s(0, "OK", "MULTI"), s(0, "QUEUED", "INCR", A), s(0, "[2]", "EXEC"),
            s(0, "OK", "WATCH", A), s(0, "OK", "UNWATCH"), s(1, "OK", "SET", A, "5"), s(0, "OK", "MULTI"),
            s(0, "QUEUED", "GET", A), s(0, "[5]", "EXEC"),
            s(0, "OK", "WATCH", B), s(1, "1", "EXPIRE", B, "100"), s(0, "OK", "MULTI"), s(0, "QUEUED", "GET", B),
            s(0, "null", "EXEC"),
            s(0, "OK", "WATCH", B), s(1, "OK", "FLUSHALL"), s(0, "OK", "MULTI"), s(0, "QUEUED", "GET", B), s(0, "null", "EXEC"),
            s(0, "OK", "WATCH", B), s(1, "OK", "FLUSHALL"), s(0, "OK", "MULTI"), s(0, "QUEUED", "GET", B), s(0, "[null]", "EXEC"),
            // The transaction's own writes after its WATCH do not abort it; UNWATCH inside MULTI is queued.
            s(0, "OK", "WATCH", A), s(0, "OK", "SET", A, "7"), s(0, "OK", "MULTI"), s(0, "QUEUED", "GET", A), s(0, "null", "EXEC"),
            s(0, "OK", "MULTI"), s(0, "QUEUED", "UNWATCH"), s(0, "QUEUED", "GET", A), s(0, "[OK, 7]", "EXEC"),
            // MSETNX and LCS across shards (refused before, CROSSSHARD); MSETNX sets all or none.
            s(0, "1", "MSETNX", M, "ohmytext", N, "mynewtext"), s(0, "0", "MSETNX", "c1", "x", N, "z"),
            s(0, "[ohmytext, mynewtext, null]", "MGET", M, N, "c1"), s(0, "mytext", "LCS", M, N), s(0, "6", "LCS", M, N, "LEN"),
            s(0, "0", "MSETNX", M, "x", "h" + B, "y"), s(0, "1", "HSET", "h" + B, "f", "v"),
            s(0, "Error[text=ERR The specified keys must contain string values]", "LCS", M, "h" + B),
            s(0, "Error[text=WRONGTYPE Operation against a key holding the wrong kind of value]", "GET", "h" + B),
            s(0, "OK", "QUIT"));

    private static List<String> differences(RespClient[] clients, boolean againstLiterals, List<String> replies)
            throws Exception {
        List<String> differences = new ArrayList<>();
        for (Step step : SCRIPT) {
            String actual = String.valueOf(clients[step.client].call(step.command));
            replies.add(actual);
            if (againstLiterals && !actual.equals(step.expected)) {
                differences.add(String.join(" ", step.command) + ": expected " + step.expected + ", got " + actual);
            }
        }
        return differences;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void repliesAreRedisSOwn(int shards) throws Exception {
        try (KvTestServer server = start(shards); RespClient a = server.client(); RespClient b = server.client()) {
            assertEquals(List.of(), differences(new RespClient[] {a, b}, true, new ArrayList<>()));
        }
    }

    @Test
    void theScriptIsWhatRedisServerAnswers() throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedisServer(port);
        try (RespClient a = KvRedisComparisonTest.connect(port); RespClient b = KvRedisComparisonTest.connect(port)) {
            List<String> redisReplies = new ArrayList<>();
            differences(new RespClient[] {a, b}, false, redisReplies);
            List<String> differences = new ArrayList<>();
            for (int i = 0; i < SCRIPT.size(); i++) {
                if (!redisReplies.get(i).equals(SCRIPT.get(i).expected)) {
                    differences.add(String.join(" ", SCRIPT.get(i).command) + ": script says " + SCRIPT.get(i).expected
                            + ", redis " + redisReplies.get(i));
                }
            }
            assertEquals(List.of(), differences);
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Inside MULTI every kind of command is queued; at EXEC each runs in its place or is refused in its
     * place (the fan-outs over the shards) while the others run.
     */
    @Test
    void commandsOfEveryKindAreQueuedAndRunOrRefusedOneByOne() throws Exception {
        try (KvTestServer server = start(SHARDS); RespClient c = server.client()) {
            String z1 = keyOn(0, "z1-");
            String z2 = keyOn(0, "z2-");
            String l = keyOn(0, "l-");
            String other = keyOn(1, "o-");
            c.call("ZADD", z1, "1", "a");
            c.call("RPUSH", l, "x");
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("ZUNIONSTORE", z2, "1", z1)); // keys on one shard: runs there
            assertEquals("QUEUED", c.call("LMPOP", "1", l, "LEFT"));   // a pop that may walk shards: its non-blocking form
            assertEquals("QUEUED", c.call("PUBLISH", "ch", "m"));       // a fan-out over the shards
            assertEquals("QUEUED", c.call("SUNIONSTORE", other, z2, l)); // keys on two shards: runs (after the LMPOP)
            assertEquals("QUEUED", c.call("KEYS", "*")); // a fan-out over the shards: refused
            assertEquals("QUEUED", c.call("PING"));
            List<?> replies = (List<?>) c.call("EXEC");
            assertEquals(1L, replies.get(0));
            assertEquals(List.of(l, List.of("x")), replies.get(1));
            assertEquals(new RespClient.Error("ERR PUBLISH inside MULTI is not supported (see docs/kv.md)"), replies.get(2));
            assertEquals(new RespClient.Error(KvShard.WRONGTYPE), replies.get(3), "z2 is a sorted set");
            assertEquals(new RespClient.Error("ERR KEYS inside MULTI is not supported (see docs/kv.md)"), replies.get(4));
            assertEquals("PONG", replies.get(5));
            assertEquals(List.of("a"), c.call("ZRANGE", z2, "0", "-1"), "the transaction's one-shard ZUNIONSTORE ran");
            assertEquals(List.of(), c.call("LRANGE", l, "0", "-1"), "the LMPOP took x");
            assertEquals(0L, c.call("EXISTS", other), "the failed SUNIONSTORE stored nothing");
        }
    }

    /** redis-py's pipeline(): MULTI, the commands and EXEC packed in one write; RESP3 answers an aborted EXEC with _. */
    @Test
    void redisPyPipelineAndResp3() throws Exception {
        try (KvTestServer server = start(SHARDS); RespClient c = server.client(); RespClient other = server.client()) {
            String bytes = "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$" + A.length() + "\r\n" + A + "\r\n$1\r\n1\r\n"
                    + "*3\r\n$3\r\nSET\r\n$" + B.length() + "\r\n" + B + "\r\n$1\r\n1\r\n"
                    + "*3\r\n$4\r\nMGET\r\n$" + A.length() + "\r\n" + A + "\r\n$" + B.length() + "\r\n" + B + "\r\n"
                    + "*1\r\n$4\r\nEXEC\r\n";
            c.sendRaw(bytes.getBytes(StandardCharsets.US_ASCII));
            assertEquals("OK", c.read());
            assertEquals("QUEUED", c.read());
            assertEquals("QUEUED", c.read());
            assertEquals("QUEUED", c.read());
            assertEquals(List.of("OK", "OK", List.of("1", "1")), c.read());
            c.call("HELLO", "3");
            assertEquals("OK", c.call("WATCH", B));
            assertEquals("OK", other.call("SET", B, "2"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SET", A, "9"));
            assertEquals(RespClient.RESP3_NULL, c.call("EXEC"));
            assertEquals("1", c.call("GET", A));
        }
    }

    /**
     * Writers set two keys of two shards to the same new value in MULTI/EXEC (and with one MSET) while
     * readers MGET both: a reader must never see them differ. And plain GETs, which take no lock, wait
     * for a transaction's locks: one that sees a transaction's write on one shard sees it on the other.
     */
    @Test
    void noReaderSeesHalfATransaction() throws Exception {
        try (KvTestServer server = start(SHARDS)) {
            ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong reads = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int writer = w;
                threads.add(Thread.ofPlatform().start(() -> run(server, c -> {
                    for (int i = 0; i < 1500 && !stop.get(); i++) {
                        String x = writer + "-" + i;
                        if (i % 3 == 0) {
                            assertEquals("OK", c.call("MSET", A, x, B, x));
                        } else {
                            assertEquals(List.of("OK", "OK"), exec(c, List.of(new String[] {"SET", A, x},
                                    new String[] {"SET", B, x})));
                        }
                    }
                })));
            }
            // One writer counts up in MULTI (SET q n, then 300 SETs of other keys of p's shard, then SET p n)
            // on keys of two shards; readers GET q, then GET p: once q shows n, the whole transaction
            // is in, so p shows n or more (the 300 SETs make the window wide where nothing holds them back).
            String p = keyOn(0, "p");
            String q = keyOn(1, "q");
            threads.add(Thread.ofPlatform().start(() -> run(server, c -> {
                for (int n = 1; n <= 300 && !stop.get(); n++) {
                    String v = Integer.toString(n);
                    List<String[]> commands = new ArrayList<>();
                    commands.add(new String[] {"SET", q, v});
                    FILLERS.forEach(filler -> commands.add(new String[] {"SET", filler, v}));
                    commands.add(new String[] {"SET", p, v});
                    assertEquals(302, exec(c, commands).size());
                }
            })));
            for (int r = 0; r < 2; r++) {
                threads.add(Thread.ofPlatform().start(() -> run(server, c -> {
                    while (!stop.get() && reads.get() < 40_000) {
                        long second = value(c.call("GET", q));
                        long first = value(c.call("GET", p)); // not pipelined: one connection's commands for
                        // two shards run in the order they were read only when the first is answered first
                        reads.incrementAndGet();
                        if (first < second) {
                            seen.add(p + "=" + first + " after " + q + "=" + second);
                        }
                    }
                })));
            }
            for (int r = 0; r < 2; r++) {
                threads.add(Thread.ofPlatform().start(() -> run(server, c -> {
                    while (!stop.get() && reads.get() < 40_000) {
                        List<?> ab = (List<?>) c.call("MGET", A, B);
                        reads.incrementAndGet();
                        if (!String.valueOf(ab.get(0)).equals(String.valueOf(ab.get(1)))) {
                            seen.add(String.valueOf(ab));
                        }
                    }
                })));
            }
            for (int i = 0; i < 4; i++) {
                threads.get(i).join(60_000);
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join(60_000);
            }
            assertTrue(reads.get() > 100, "readers read " + reads.get() + " times");
            assertEquals(List.of(), List.copyOf(seen).subList(0, Math.min(5, seen.size())), "readers saw half a transaction");
            assertEquals(List.of(), failures());
        }
    }

    /**
     * Transfers between four accounts on two shards, each a MULTI of DECRBY and INCRBY, while auditors
     * MGET all accounts: the total never changes.
     */
    @Test
    void bankTotalNeverChanges() throws Exception {
        String[] accounts = {keyOn(0, "acct"), keyOn(1, "acct"), keyOn(0, "acc"), keyOn(1, "acc")};
        try (KvTestServer server = start(SHARDS); RespClient setup = server.client()) {
            for (String account : accounts) {
                setup.call("SET", account, "1000");
            }
            ConcurrentLinkedQueue<Long> wrongTotals = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong audits = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int seed = t;
                threads.add(Thread.ofPlatform().start(() -> run(server, c -> {
                    java.util.Random random = new java.util.Random(seed);
                    for (int i = 0; i < 1000; i++) {
                        String from = accounts[random.nextInt(4)];
                        String to = accounts[random.nextInt(4)];
                        String amount = Integer.toString(1 + random.nextInt(50));
                        assertEquals(2, exec(c, List.of(new String[] {"DECRBY", from, amount},
                                new String[] {"INCRBY", to, amount})).size());
                    }
                })));
            }
            Thread auditor = Thread.ofPlatform().start(() -> run(server, c -> {
                while (!stop.get()) {
                    long total = 0;
                    for (Object balance : (List<?>) c.call(mget(accounts))) {
                        total += Long.parseLong((String) balance);
                    }
                    audits.incrementAndGet();
                    if (total != 4000) {
                        wrongTotals.add(total);
                    }
                }
            }));
            for (Thread t : threads) {
                t.join(60_000);
            }
            stop.set(true);
            auditor.join(60_000);
            assertTrue(audits.get() > 10, "audited " + audits.get() + " times");
            assertEquals(List.of(), List.copyOf(wrongTotals).subList(0, Math.min(5, wrongTotals.size())));
            long total = 0;
            for (Object balance : (List<?>) setup.call(mget(accounts))) {
                total += Long.parseLong((String) balance);
            }
            assertEquals(4000, total);
            assertEquals(List.of(), failures());
        }
    }

    /**
     * Optimistic increments of two keys of two shards with WATCH, retried on a null EXEC, beside plain
     * INCRs of one of them: no update is lost (a plain write between EXEC's check and its write would be).
     */
    @Test
    void watchLosesNoUpdateAcrossShards() throws Exception {
        int clients = 4;
        int increments = 150;
        try (KvTestServer server = start(SHARDS); RespClient check = server.client()) {
            AtomicLong aborted = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < clients; t++) {
                threads.add(Thread.ofPlatform().start(() -> run(server, c -> {
                    for (int done = 0; done < increments; ) {
                        assertEquals("OK", c.call("WATCH", A, B));
                        long a = value(c.call("GET", A));
                        long b = value(c.call("GET", B));
                        if (exec(c, List.of(new String[] {"SET", A, Long.toString(a + 1)},
                                new String[] {"SET", B, Long.toString(b + 1)})) == null) {
                            aborted.incrementAndGet();
                        } else {
                            done++;
                        }
                    }
                })));
            }
            int plain = 3000;
            threads.add(Thread.ofPlatform().start(() -> run(server, c -> {
                for (int i = 0; i < plain; i++) {
                    c.call("INCR", A); // a plain write takes no lock: it must wait for a transaction's
                }
            })));
            for (Thread t : threads) {
                t.join(120_000);
            }
            assertEquals(List.of(), failures());
            assertEquals(List.of(Long.toString(plain + clients * increments), Long.toString(clients * increments)),
                    check.call("MGET", A, B));
            assertTrue(aborted.get() > 0, "no EXEC was ever aborted: the race was not exercised");
        }
    }

    private static String[] mget(String... keys) {
        String[] command = new String[keys.length + 1];
        command[0] = "MGET";
        System.arraycopy(keys, 0, command, 1, keys.length);
        return command;
    }

    private static long value(Object reply) {
        return reply == null ? 0 : Long.parseLong((String) reply);
    }

    /**
     * Transactions that take the same keys of two shards in opposite orders, and cross-shard MSETs and
     * DELs over the same keys, from many clients at once: all finish (no deadlock), and every increment counts.
     */
    @Test
    void oppositeOrdersDoNotDeadlock() throws Exception {
        int clients = 8;
        int rounds = 200;
        String c0 = keyOn(0, "c");
        String d1 = keyOn(1, "d");
        try (KvTestServer server = start(SHARDS); RespClient check = server.client()) {
            CountDownLatch done = new CountDownLatch(clients);
            for (int t = 0; t < clients; t++) {
                boolean forward = t % 2 == 0;
                Thread.ofPlatform().start(() -> {
                    run(server, c -> {
                        for (int i = 0; i < rounds; i++) {
                            assertEquals(3, exec(c, List.of(new String[] {"INCR", forward ? A : B},
                                    new String[] {"INCR", forward ? B : A},
                                    new String[] {"MGET", forward ? c0 : d1, forward ? d1 : c0})).size());
                            assertEquals("OK", c.call("MSET", forward ? c0 : d1, "v", forward ? d1 : c0, "w"));
                            assertEquals(2L, c.call("EXISTS", forward ? d1 : c0, forward ? c0 : d1, "x"));
                        }
                    });
                    done.countDown();
                });
            }
            assertTrue(done.await(120, TimeUnit.SECONDS), "transactions in opposite orders did not all finish");
            assertEquals(List.of(), failures());
            assertEquals(List.of(Long.toString(clients * rounds), Long.toString(clients * rounds)), check.call("MGET", A, B));
            assertEquals("0,0", infoField(check, "locked_keys"));
            assertTrue(!infoField(check, "lock_waits").equals("0,0"), "no transaction ever waited for a lock");
        }
    }

    /**
     * Under appendfsync always a transaction's reply waits for every part's sync; its writes are logged
     * per shard as the commands they are, and come back after a restart with another shard count.
     */
    @Test
    void transactionsAreLoggedAndReplayedWithAnotherShardCount(@TempDir Path dir) throws Exception {
        try (KvTestServer server = KvTestServer.start(SHARDS, DriverKind.AUTO,
                KvTestServer.settings(dir, KvSettings.FsyncPolicy.ALWAYS)); RespClient c = server.client()) {
            assertEquals(List.of("OK", "OK", 2L), exec(c, List.of(new String[] {"SET", A, "1"}, new String[] {"SET", B, "2"},
                    new String[] {"INCR", A})));
            assertEquals("OK", c.call("MSET", A, "x", B, "y"));
            assertEquals(1L, c.call("MSETNX", M, "1", N, "2"));
            assertEquals(1L, c.call("DEL", M));
        }
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO,
                KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO)); RespClient c = server.client()) {
            assertEquals(java.util.Arrays.asList("x", "y", null, "2"), c.call("MGET", A, B, M, N));
        }
    }

    /** Field {@code field} of every shard's line of INFO shards, joined by commas. */
    private static String infoField(RespClient c, String field) throws Exception {
        List<String> values = new ArrayList<>();
        for (String line : ((String) c.call("INFO", "shards")).split("\r\n")) {
            int at = line.indexOf("," + field + "=");
            if (at >= 0) {
                int end = line.indexOf(',', at + 1);
                values.add(line.substring(at + field.length() + 2, end < 0 ? line.length() : end));
            }
        }
        return String.join(",", values);
    }

    /** Pipelines MULTI, {@code commands} and EXEC, checks every command was queued, and returns EXEC's reply. */
    private static List<?> exec(RespClient c, List<String[]> commands) throws Exception {
        c.send("MULTI");
        for (String[] command : commands) {
            c.send(command);
        }
        c.send("EXEC");
        assertEquals("OK", c.read());
        for (int k = 0; k < commands.size(); k++) {
            assertEquals("QUEUED", c.read());
        }
        return (List<?>) c.read();
    }

    private interface ClientWork {
        void run(RespClient c) throws Exception;
    }

    private static final ConcurrentLinkedQueue<String> FAILURES = new ConcurrentLinkedQueue<>();

    private static List<String> failures() {
        List<String> list = List.copyOf(FAILURES);
        FAILURES.clear();
        return list;
    }

    private static void run(KvTestServer server, ClientWork work) {
        try (RespClient c = server.client()) {
            work.run(c);
        } catch (Throwable e) {
            FAILURES.add(String.valueOf(e));
        }
    }
}
