package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SLOWLOG over two shards, in Redis 7.0's shapes: commands executed on either shard (a remote command
 * logged by its owner, with its client's address and name), newest first by an id over the server,
 * arguments cut as Redis cuts them, a command answered on the connection's shard (DEBUG SLEEP) timed
 * there, LEN, RESET, the length limit and CONFIG SET/GET of both settings.
 */
class KvSlowLogTest {
    @Test
    void slowCommandsOfEveryShardAreKeptNewestFirst() throws Exception {
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = server.client()) {
            assertEquals(List.of("slowlog-log-slower-than", "10000"), c.call("CONFIG", "GET", "slowlog-log-slower-than"));
            assertEquals("OK", c.call("CLIENT", "SETNAME", "tester"));
            String peer = ((String) c.call("CLIENT", "INFO")).replaceAll("(?s).* addr=(\\S+) .*", "$1");
            assertEquals("OK", c.call("CONFIG", "SET", "slowlog-log-slower-than", "0")); // every command from here
            assertEquals("OK", c.call("SLOWLOG", "RESET"));
            List<String> keys = new ArrayList<>();
            for (int i = 0; keys.size() < 4; i++) { // two keys of each shard: executed here and on the other shard
                byte[] key = ("k" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                if (KeySlots.owner(key, 0, key.length, 2) == keys.size() % 2) {
                    keys.add("k" + i);
                }
            }
            for (String key : keys) {
                assertEquals("OK", c.call("SET", key, "v"));
            }
            List<?> newest = (List<?>) c.call("SLOWLOG", "GET", "4");
            assertEquals(4, newest.size());
            long previousId = Long.MAX_VALUE;
            for (int i = 0; i < 4; i++) {
                List<?> entry = (List<?>) newest.get(i);
                assertEquals(6, entry.size());
                long id = (Long) entry.get(0);
                assertTrue(id < previousId, "newest first: " + newest);
                previousId = id;
                assertTrue(Math.abs((Long) entry.get(1) - System.currentTimeMillis() / 1000) < 60, "a Unix time: " + entry);
                assertTrue((Long) entry.get(2) >= 0);
                assertEquals(List.of("SET", keys.get(3 - i), "v"), entry.get(3));
                assertEquals(peer, entry.get(4), "the client's address, from either shard");
                assertEquals("tester", entry.get(5));
            }
            assertTrue((Long) c.call("SLOWLOG", "LEN") >= 4);

            // Redis's cuts: at most 32 arguments, each at most 128 bytes.
            List<String> mset = new ArrayList<>(List.of("MSET"));
            for (int i = 0; i < 20; i++) {
                mset.add("{t}" + i);
                mset.add(i == 0 ? "x".repeat(200) : "v");
            }
            assertEquals("OK", c.call(mset.toArray(String[]::new)));
            List<?> args = (List<?>) ((List<?>) ((List<?>) c.call("SLOWLOG", "GET", "1")).get(0)).get(3);
            assertEquals(32, args.size());
            assertEquals("x".repeat(128) + "... (72 more bytes)", args.get(2));
            assertEquals("... (10 more arguments)", args.get(31));

            // Timed on the connection's shard: a command answered there.
            assertEquals("OK", c.call("CONFIG", "SET", "slowlog-log-slower-than", "50000"));
            assertEquals("OK", c.call("SLOWLOG", "RESET"));
            assertEquals("v", c.call("GET", keys.get(1))); // fast: not kept
            assertEquals("OK", c.call("DEBUG", "SLEEP", "0.1"));
            List<?> slept = (List<?>) ((List<?>) c.call("SLOWLOG", "GET")).get(0);
            assertEquals(List.of("DEBUG", "SLEEP", "0.1"), slept.get(3));
            assertTrue((Long) slept.get(2) >= 100_000, "microseconds: " + slept);
            assertEquals(1L, c.call("SLOWLOG", "LEN"), "the fast GET is not kept");

            assertEquals("OK", c.call("CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "3"));
            for (int i = 0; i < 10; i++) {
                c.call("SET", keys.get(0), "v" + i);
            }
            // Each shard keeps slowlog-max-len: the ten SETs ran on one (the connection's shard keeps its CONFIG SET too).
            long sets = ((List<?>) c.call("SLOWLOG", "GET", "-1")).stream()
                    .filter(e -> ((List<?>) ((List<?>) e).get(3)).get(0).equals("SET")).count();
            assertEquals(3, sets);
            assertTrue((Long) c.call("SLOWLOG", "LEN") <= 6);
            assertEquals(List.of("slowlog-max-len", "3"), c.call("CONFIG", "GET", "slowlog-max-len"));
            assertEquals("OK", c.call("CONFIG", "SET", "slowlog-log-slower-than", "-1"));
            assertEquals("OK", c.call("SLOWLOG", "RESET"));
            c.call("SET", keys.get(0), "w");
            assertEquals(0L, c.call("SLOWLOG", "LEN"), "-1: nothing kept");
            assertEquals(new RespClient.Error("ERR count should be greater than or equal to -1"), c.call("SLOWLOG", "GET", "-2"));
            assertEquals(new RespClient.Error("ERR unknown subcommand 'foo'. Try SLOWLOG HELP."), c.call("SLOWLOG", "foo"));
            assertEquals(new RespClient.Error("ERR wrong number of arguments for 'slowlog|len' command"),
                    c.call("SLOWLOG", "LEN", "1"));
        }
    }
}
