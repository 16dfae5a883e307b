package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CLIENT LIST, INFO and KILL over the connections of two shards, CONFIG SET taking effect (maxclients,
 * timeout, the pubsub output limit) with Redis's errors, CONFIG RESETSTAT, DEBUG SLEEP, SET-ACTIVE-EXPIRE
 * and OBJECT.
 */
class KvAdminTest {
    private static final Pattern LINE = Pattern.compile(
            "id=(\\d+) addr=(\\S+) laddr=(\\S+) fd=\\d+ name=(\\S*) age=\\d+ idle=\\d+ flags=([NP]) db=0 sub=(\\d+) psub=(\\d+) "
            + "ssub=0 multi=-1 qbuf=\\d+ qbuf-free=\\d+ argv-mem=0 multi-mem=0 rbs=\\d+ rbp=\\d+ obl=\\d+ oll=\\d+ omem=\\d+ "
            + "tot-mem=\\d+ events=r cmd=(\\S+) user=default redir=-1 resp=([23])");

    private static KvTestServer server() throws Exception {
        return KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    private static List<Matcher> lines(String text) {
        return Arrays.stream(text.split("\n")).map(line -> {
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), "not a CLIENT LIST line: " + line);
            return m;
        }).toList();
    }

    @Test
    void clientListAndKillSeeEveryShard() throws Exception {
        try (KvTestServer kv = server(); RespClient admin = kv.client()) {
            RespClient[] clients = new RespClient[8]; // with SO_REUSEPORT, some on each shard
            for (int i = 0; i < clients.length; i++) {
                clients[i] = kv.client();
                clients[i].call("CLIENT", "SETNAME", "c" + i);
            }
            clients[1].call("SUBSCRIBE", "a", "b");
            clients[2].call("HELLO", "3");
            List<Matcher> all = lines((String) admin.call("CLIENT", "LIST"));
            assertEquals(9, all.size());
            Matcher one = all.stream().filter(m -> m.group(4).equals("c1")).findFirst().orElseThrow();
            assertEquals("P", one.group(5));
            assertEquals("2", one.group(6));
            assertEquals("subscribe", one.group(8));
            assertEquals("3", all.stream().filter(m -> m.group(4).equals("c2")).findFirst().orElseThrow().group(9));
            assertEquals(1, lines((String) admin.call("CLIENT", "LIST", "TYPE", "pubsub")).size());
            String info = (String) admin.call("CLIENT", "INFO");
            Matcher self = lines(info.trim()).get(0);
            assertEquals("client|info", self.group(8)); // as Redis 7.0: with its subcommand
            assertEquals(admin.call("CLIENT", "ID"), Long.parseLong(self.group(1)));

            // Kill by ID, by ADDR (old form and filter), by LADDR; SKIPME
            long id3 = Long.parseLong(all.stream().filter(m -> m.group(4).equals("c3")).findFirst().orElseThrow().group(1));
            assertEquals(1L, admin.call("CLIENT", "KILL", "ID", Long.toString(id3)));
            assertTrue(clients[3].closedByServer());
            String addr4 = all.stream().filter(m -> m.group(4).equals("c4")).findFirst().orElseThrow().group(2);
            assertEquals("OK", admin.call("CLIENT", "KILL", addr4));
            assertTrue(clients[4].closedByServer());
            assertEquals(new RespClient.Error("ERR No such client"), admin.call("CLIENT", "KILL", addr4));
            String addr5 = all.stream().filter(m -> m.group(4).equals("c5")).findFirst().orElseThrow().group(2);
            assertEquals(1L, admin.call("CLIENT", "KILL", "ADDR", addr5, "SKIPME", "yes"));
            assertTrue(clients[5].closedByServer());
            assertEquals(0L, admin.call("CLIENT", "KILL", "ID", "999999"));
            assertEquals(new RespClient.Error("ERR client-id should be greater than 0"), admin.call("CLIENT", "KILL", "ID", "x"));
            assertEquals(new RespClient.Error("ERR syntax error"), admin.call("CLIENT", "KILL", "SKIPME", "maybe"));
            assertEquals(new RespClient.Error("ERR Unknown client type 'x'"), admin.call("CLIENT", "LIST", "TYPE", "x"));
            // every connection but the admin's and the pubsub one's, on both shards: LADDR is the listener's
            String laddr = self.group(3);
            assertEquals(0L, admin.call("CLIENT", "KILL", "LADDR", "127.0.0.1:1"));
            assertEquals(4L, admin.call("CLIENT", "KILL", "LADDR", laddr, "TYPE", "normal"));
            assertEquals(2, lines((String) admin.call("CLIENT", "LIST")).size()); // the admin and the subscriber
            assertEquals(1L, admin.call("CLIENT", "KILL", "ID", admin.call("CLIENT", "ID").toString(), "SKIPME", "no"));
            assertTrue(admin.closedByServer());
        }
    }

    @Test
    void configSetTakesEffect() throws Exception {
        try (KvTestServer kv = server(); RespClient admin = kv.client()) {
            assertEquals("OK", admin.call("CONFIG", "SET", "maxclients", "2"));
            assertEquals(List.of("maxclients", "2"), admin.call("CONFIG", "GET", "maxclients"));
            try (RespClient second = kv.client()) {
                assertEquals("PONG", second.call("PING")); // accepted before the third connects
                try (RespClient third = kv.client()) {
                    assertEquals(new RespClient.Error("ERR max number of clients reached"), third.read());
                }
            }
            assertEquals("OK", admin.call("CONFIG", "SET", "maxclients", "100", "timeout", "1"));
            try (RespClient idle = kv.client()) {
                long start = System.nanoTime();
                java.util.concurrent.CompletableFuture<Boolean> closed = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return idle.closedByServer();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, KvTestServer.THREADS);
                while (!closed.isDone()) {
                    assertEquals("PONG", admin.call("PING")); // the admin stays active, so open
                    Thread.sleep(100);
                }
                assertTrue(closed.get(), "the idle client is closed");
                assertTrue(System.nanoTime() - start < 5_000_000_000L);
            }
            assertEquals("OK", admin.call("CONFIG", "SET", "timeout", "0"));
            assertEquals(new RespClient.Error("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
                    admin.call("CONFIG", "SET", "foo", "1"));
            assertEquals(new RespClient.Error("ERR CONFIG SET failed (possibly related to argument 'maxclients') - "
                    + "argument couldn't be parsed into an integer"), admin.call("CONFIG", "SET", "maxclients", "x"));
            assertEquals(new RespClient.Error("ERR CONFIG SET failed (possibly related to argument 'timeout') - "
                    + "argument must be between 0 and 2147483647 inclusive"), admin.call("CONFIG", "SET", "timeout", "-1"));
            assertEquals(new RespClient.Error("ERR CONFIG SET failed (possibly related to argument "
                    + "'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration."),
                    admin.call("CONFIG", "SET", "client-output-buffer-limit", "foo 1 2 3"));
            assertEquals(new RespClient.Error("ERR wrong number of arguments for 'config|set' command"),
                    admin.call("CONFIG", "SET", "timeout"));
            // all or nothing: the valid first pair is not applied
            assertTrue(admin.call("CONFIG", "SET", "maxclients", "7", "timeout", "x") instanceof RespClient.Error);
            assertEquals(List.of("maxclients", "100"), admin.call("CONFIG", "GET", "maxclients"));
            assertTrue(((RespClient.Error) admin.call("CONFIG", "SET", "appendonly", "yes")).text()
                    .startsWith("ERR CONFIG SET failed (possibly related to argument 'appendonly')"));
            // Inside a test nothing serves the process: SHUTDOWN cannot stop it (KvCrashTest stops a real one).
            assertEquals(new RespClient.Error("ERR Errors trying to SHUTDOWN. Check logs."), admin.call("SHUTDOWN"));
            assertEquals(new RespClient.Error("ERR CONFIG SET failed (possibly related to argument 'appendfsync') - "
                    + "argument(s) must be one of the following: everysec, always, no"),
                    admin.call("CONFIG", "SET", "appendfsync", "sometimes"));

            admin.call("SET", "k", "v");
            admin.call("GET", "k");
            assertEquals("OK", admin.call("CONFIG", "RESETSTAT"));
            String stats = (String) admin.call("INFO", "stats");
            assertTrue(stats.contains("keyspace_hits:0\r\n"), stats);
        }
    }

    /**
     * DEBUG POPULATE count [prefix] [size] makes Redis's keys and values on their owner shards, leaves existing keys
     * alone, and logs them: a restart from the logs (with another shard count) has them.
     */
    @Test
    void debugPopulateMakesRedisKeysOnEveryShardAndLogsThem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client()) {
            assertEquals("OK", c.call("SET", "key:7", "mine"));
            assertEquals("OK", c.call("DEBUG", "POPULATE", "1000"));
            assertEquals(1000L, c.call("DBSIZE"));
            assertEquals("value:999", c.call("GET", "key:999"));
            assertEquals("mine", c.call("GET", "key:7"), "an existing key is left alone");
            assertEquals("OK", c.call("DEBUG", "POPULATE", "3", "padded", "10"));
            assertEquals("value:1\0\0\0", c.call("GET", "padded:1"));
            assertEquals("OK", c.call("DEBUG", "POPULATE", "1", "cut", "3"));
            assertEquals("val", c.call("GET", "cut:0"));
            assertEquals(new RespClient.Error("ERR value is out of range, must be positive"), c.call("DEBUG", "POPULATE", "-1"));
            assertEquals(new RespClient.Error("ERR value is out of range, must be positive"),
                    c.call("DEBUG", "POPULATE", "1", "k", "x"));
        }
        try (KvTestServer kv = KvTestServer.start(3, DriverKind.AUTO, KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client()) {
            assertEquals(1004L, c.call("DBSIZE"));
            assertEquals("value:500", c.call("GET", "key:500"));
        }
    }

    @Test
    void debugCommands() throws Exception {
        try (KvTestServer kv = server(); RespClient admin = kv.client()) {
            long start = System.nanoTime();
            assertEquals("OK", admin.call("DEBUG", "SLEEP", "0.3"));
            assertTrue(System.nanoTime() - start >= 300_000_000L, "DEBUG SLEEP 0.3 returned early");
            assertEquals("OK", admin.call("DEBUG", "SLEEP", "0"));

            admin.call("SET", "s", "hello");
            admin.call("HSET", "h", "a", "1");
            String object = (String) admin.call("DEBUG", "OBJECT", "s");
            assertTrue(object.matches("Value at:0x0 refcount:1 encoding:embstr serializedlength:5 lru:0 lru_seconds_idle:\\d+"),
                    object);
            assertTrue(((String) admin.call("DEBUG", "OBJECT", "h")).contains(" encoding:listpack "));
            assertEquals(new RespClient.Error("ERR no such key"), admin.call("DEBUG", "OBJECT", "nokey"));
            assertEquals(new RespClient.Error("ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP."),
                    admin.call("DEBUG", "foo"));

            // Active expiry off: an expired key stays in DBSIZE (no access) until it is on again.
            assertEquals("OK", admin.call("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
            for (int i = 0; i < 20; i++) {
                admin.call("SET", "e" + i, "v", "PX", "1");
            }
            Thread.sleep(400); // four active-expiry periods would have removed them
            assertEquals(22L, admin.call("DBSIZE"));
            assertEquals("OK", admin.call("DEBUG", "SET-ACTIVE-EXPIRE", "1"));
            KvPubSubTest.assertEventually(() -> Long.valueOf(2).equals(admin.call("DBSIZE")), "expired keys removed");
        }
    }

    /** One table of DEBUG HTSTATS's text, read back: its figures checked against each other. */
    private record TableStats(int id, long size, long elements) {
        private static final Pattern HEADER = Pattern.compile("Hash table (\\d) stats \\((main hash table|rehashing target)\\):");
        private static final Pattern FIGURES = Pattern.compile(" table size: (\\d+)\n number of elements: (\\d+)\n"
                + " different slots: (\\d+)\n max chain length: (\\d+)\n avg chain length \\(counted\\): (\\d+\\.\\d\\d)\n"
                + " avg chain length \\(computed\\): (\\d+\\.\\d\\d)\n Chain length distribution:\n((?:   \\d+: \\d+ \\(\\d+\\.\\d\\d%\\)\n)+)");
        private static final Pattern CHAINS = Pattern.compile("   (\\d+): (\\d+) \\((\\d+\\.\\d\\d)%\\)\n");

        /** The tables of {@code text}, one section of it ("[Dictionary HT]" ...), which must be all tables. */
        static List<TableStats> read(String text) {
            List<TableStats> tables = new java.util.ArrayList<>();
            int at = 0;
            while (at < text.length()) {
                int eol = text.indexOf('\n', at);
                Matcher header = HEADER.matcher(text.substring(at, eol));
                assertTrue(header.matches(), "not a table's header at " + at + ": " + text);
                int id = Integer.parseInt(header.group(1));
                assertEquals(id == 0 ? "main hash table" : "rehashing target", header.group(2));
                at = eol + 1;
                if (text.startsWith("No stats available for empty dictionaries\n", at)) {
                    tables.add(new TableStats(id, 0, 0));
                    at += "No stats available for empty dictionaries\n".length();
                    continue;
                }
                Matcher m = FIGURES.matcher(text).region(at, text.length());
                assertTrue(m.lookingAt(), "not a table's figures at " + at + ": " + text);
                long size = Long.parseLong(m.group(1));
                long elements = Long.parseLong(m.group(2));
                long slots = Long.parseLong(m.group(3));
                long buckets = 0;
                long keys = 0;
                long longest = 0;
                long empty = 0;
                Matcher chain = CHAINS.matcher(m.group(7));
                while (chain.find()) {
                    long length = Long.parseLong(chain.group(1));
                    long count = Long.parseLong(chain.group(2));
                    buckets += count;
                    keys += length * count;
                    longest = Math.max(longest, length);
                    empty += length == 0 ? count : 0;
                    assertEquals(twoDecimals((float) count / size * 100), chain.group(3), text);
                }
                assertEquals(size, buckets, "every bucket in the distribution: " + text);
                assertEquals(elements, keys, "every key in the distribution: " + text);
                assertEquals(size - empty, slots, text);
                assertEquals(longest, Long.parseLong(m.group(4)), text);
                assertEquals(twoDecimals((float) elements / slots), m.group(5), text);
                assertEquals(m.group(5), m.group(6), text);
                tables.add(new TableStats(id, size, elements));
                at = m.end();
            }
            return tables;
        }

        private static String twoDecimals(float value) {
            return new java.math.BigDecimal(value).setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString();
        }
    }

    /** DEBUG HTSTATS's sections: the keys' tables, then the expiries'. */
    private static List<List<TableStats>> htstats(RespClient c) throws java.io.IOException {
        String text = (String) c.call("DEBUG", "HTSTATS", "0");
        assertTrue(text.startsWith("[Dictionary HT]\n"), text);
        int expires = text.indexOf("[Expires HT]\n");
        return List.of(TableStats.read(text.substring("[Dictionary HT]\n".length(), expires)),
                TableStats.read(text.substring(expires + "[Expires HT]\n".length())));
    }

    @Test
    void htstatsDescribesTheTablesInRedisSFormat() throws Exception {
        try (KvTestServer kv = server(); RespClient c = kv.client()) {
            String empty = "[Dictionary HT]\nHash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n"
                    + "[Expires HT]\nHash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n";
            assertEquals("[Shard 0]\n" + empty + "[Shard 1]\n" + empty, c.call("DEBUG", "HTSTATS", "0"));
            assertEquals(new RespClient.Error("ERR Out of range database"), c.call("DEBUG", "HTSTATS", "1"));
            assertEquals(new RespClient.Error("ERR value is not an integer or out of range"), c.call("DEBUG", "HTSTATS", "x"));
            assertEquals(new RespClient.Error("ERR unknown subcommand or wrong number of arguments for 'HTSTATS'. Try DEBUG HELP."),
                    c.call("DEBUG", "HTSTATS"));
            for (int i = 0; i < 600; i++) { // past hash-max-listpack-entries (512) and zset-max-listpack-entries (128)
                c.call("HSET", "big", "f" + i, "v");
                c.call("ZADD", "zs", Integer.toString(i), "m" + i);
                c.call("SADD", "set", "m" + i);
            }
            c.call("HSET", "small", "f", "v");
            c.call("SADD", "ints", "1", "2");
            c.call("SET", "str", "v", "EX", "100");
            for (String key : new String[] {"big", "zs", "set"}) {
                List<TableStats> tables = TableStats.read((String) c.call("DEBUG", "HTSTATS-KEY", key));
                assertEquals(600, tables.stream().mapToLong(TableStats::elements).sum(), key);
            }
            String notATable = "ERR The value stored at the specified key is not represented using an hash table";
            for (String key : new String[] {"small", "ints", "str"}) {
                assertEquals(new RespClient.Error(notATable), c.call("DEBUG", "HTSTATS-KEY", key), key);
            }
            assertEquals(new RespClient.Error("ERR no such key"), c.call("DEBUG", "HTSTATS-KEY", "nokey"));

            // Each shard's sections, read back: together they hold every key, and the one expiry.
            String text = (String) c.call("DEBUG", "HTSTATS", "0");
            long keys = 0;
            long expiries = 0;
            for (String shard : text.split("\\[Shard \\d\\]\n")) {
                if (shard.isEmpty()) {
                    continue;
                }
                int expires = shard.indexOf("[Expires HT]\n");
                keys += TableStats.read(shard.substring("[Dictionary HT]\n".length(), expires)).stream()
                        .mapToLong(TableStats::elements).sum();
                expiries += TableStats.read(shard.substring(expires + "[Expires HT]\n".length())).stream()
                        .mapToLong(TableStats::elements).sum();
            }
            assertEquals(c.call("DBSIZE"), keys);
            assertEquals(1, expiries);
        }
    }

    /**
     * A keyspace that grew past its table resizes a bucket per change; under activerehashing (Redis's default) the
     * shard's traffic sample moves the rest while connections only read, and with it off, nothing does.
     */
    @Test
    void onlyReadsFinishAResizeUnderActiveRehashing() throws Exception {
        try (KvTestServer kv = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client()) {
            assertEquals("OK", c.call("CONFIG", "SET", "activerehashing", "no"));
            assertEquals("OK", c.call("DEBUG", "POPULATE", "5000")); // the table doubles from 4,096 buckets at the 4,097th key
            List<TableStats> resizing = htstats(c).get(0);
            assertEquals(List.of(0, 1), resizing.stream().map(TableStats::id).toList(), "a resize under way");
            assertEquals(List.of(4096L, 8192L), resizing.stream().map(TableStats::size).toList());
            assertEquals(5000, resizing.get(0).elements() + resizing.get(1).elements());
            long readsUntil = System.nanoTime() + 600_000_000L; // six traffic samples
            while (System.nanoTime() < readsUntil) {
                assertEquals("value:7", c.call("GET", "key:7"));
            }
            assertEquals(resizing, htstats(c).get(0), "reads moved buckets under activerehashing no");

            assertEquals("OK", c.call("CONFIG", "SET", "activerehashing", "yes"));
            KvPubSubTest.assertEventually(() -> {
                assertEquals("value:7", c.call("GET", "key:7"));
                return htstats(c).get(0).size() == 1;
            }, "the resize finished by reads");
            assertEquals(List.of(new TableStats(0, 8192, 5000)), htstats(c).get(0));
        }
    }
}
