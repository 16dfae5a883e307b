package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ACL of the one user, LATENCY with monitoring off, MEMORY DOCTOR, PFSELFTEST, LOLWUT, COMMAND INFO's
 * ACL categories, COMMAND LIST FILTERBY, COMMAND GETKEYS and GETKEYSANDFLAGS, and CLIENT NO-EVICT,
 * GETREDIR, TRACKINGINFO, TRACKING: the replies recorded from redis-server 7.0.15 as literals, and
 * compared with a running redis-server when one is installed (skipped, saying so, otherwise).
 */
class KvAclAndAdminTest {
    private static final String NO_ACL_FILE = "ERR This Redis instance is not configured to use an ACL file. You may want to"
            + " specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis"
            + " configuration file set) in order to store users in the Redis configuration.";

    private static RespClient.Error error(String text) {
        return new RespClient.Error(text);
    }

    private static KvSettings withPassword(String password) {
        return new KvSettings(false, KvSettings.FsyncPolicy.NO, Path.of("unused"), 64L << 20, 100, 16L << 20,
                new KvSettings.InputLimits(1 << 20, 1 << 20, 256L << 20), KvTestServer.OUTPUT,
                100, Duration.ZERO, password, true);
    }

    private static KvTestServer server(int shards) throws Exception {
        return KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    @Test
    void aclOfTheDefaultUserAsRedis() throws Exception {
        try (KvTestServer kv = server(1); RespClient c = kv.client()) {
            assertEquals("default", c.call("ACL", "WHOAMI"));
            assertEquals(List.of("default"), c.call("ACL", "USERS"));
            assertEquals(List.of("user default on nopass ~* &* +@all"), c.call("ACL", "LIST"));
            assertEquals(List.of("flags", List.of("on", "nopass"), "passwords", List.of(), "commands", "+@all",
                    "keys", "~*", "channels", "&*", "selectors", List.of()), c.call("ACL", "GETUSER", "default"));
            assertNull(c.call("ACL", "GETUSER", "nobody"));
            List<?> categories = (List<?>) c.call("ACL", "CAT");
            assertEquals(List.of("keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
                    "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
                    "connection", "transaction", "scripting"), categories);
            List<?> keyspace = (List<?>) c.call("ACL", "CAT", "keyspace");
            assertTrue(keyspace.contains("del") && keyspace.contains("dbsize") && !keyspace.contains("ping")
                    && !keyspace.contains("get"), keyspace.toString());
            List<?> scripting = (List<?>) c.call("ACL", "CAT", "scripting");
            assertTrue(scripting.containsAll(List.of("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro",
                    "script|load", "function|list")) && !scripting.contains("script"), "with subcommands, as Redis: " + scripting);
            List<?> keyspaceWithSubcommands = (List<?>) c.call("ACL", "CAT", "keyspace");
            assertTrue(keyspaceWithSubcommands.contains("object|encoding") && !keyspaceWithSubcommands.contains("object"),
                    keyspaceWithSubcommands.toString());
            assertEquals(error("ERR Unknown category 'foo'"), c.call("ACL", "CAT", "foo"));
            assertEquals("OK", c.call("ACL", "DRYRUN", "default", "get", "x"));
            assertEquals(error("ERR User 'nobody' not found"), c.call("ACL", "DRYRUN", "nobody", "get", "x"));
            assertEquals(error("ERR Command 'foo' not found"), c.call("ACL", "DRYRUN", "default", "foo"));
            assertEquals(error("ERR wrong number of arguments for 'get' command"), c.call("ACL", "DRYRUN", "default", "get"));
            assertEquals(List.of(), c.call("ACL", "LOG"));
            assertEquals("OK", c.call("ACL", "LOG", "RESET"));
            assertEquals(error("ERR value is not an integer or out of range"), c.call("ACL", "LOG", "x"));
            assertTrue(((String) c.call("ACL", "GENPASS")).matches("[0-9a-f]{64}"));
            assertTrue(((String) c.call("ACL", "GENPASS", "5")).matches("[0-9a-f]{2}"));
            assertEquals(error("ERR The 'default' user cannot be removed"), c.call("ACL", "DELUSER", "default"));
            assertEquals(0L, c.call("ACL", "DELUSER", "x", "y"));
            assertEquals(error(NO_ACL_FILE), c.call("ACL", "SAVE"));
            assertEquals(error(NO_ACL_FILE), c.call("ACL", "LOAD"));
            assertEquals(error("ERR unknown subcommand 'foo'. Try ACL HELP."), c.call("ACL", "foo"));
            assertEquals(error("ERR wrong number of arguments for 'acl' command"), c.call("ACL"));
            List<?> help = (List<?>) c.call("ACL", "HELP");
            for (String sub : List.of("CAT [<category>]", "DELUSER <username> [<username> ...]", "DRYRUN <username> <command> [<arg> ...]",
                    "GETUSER <username>", "GENPASS [<bits>]", "LIST", "LOAD", "LOG [<count> | RESET]", "SAVE",
                    "SETUSER <username> <attribute> [<attribute> ...]", "USERS", "WHOAMI", "HELP")) {
                assertTrue(help.contains(sub), sub);
            }
            c.call("HELLO", "3");
            Map<Object, Object> user = new LinkedHashMap<>();
            user.put("flags", new RespClient.RespSet(List.of("on", "nopass")));
            user.put("passwords", List.of());
            user.put("commands", "+@all");
            user.put("keys", "~*");
            user.put("channels", "&*");
            user.put("selectors", List.of());
            assertEquals(user, c.call("ACL", "GETUSER", "default"));
            assertEquals(RespClient.RESP3_NULL, c.call("ACL", "GETUSER", "nobody"));
        }
    }

    /** Refused authentications on connections of both shards, in the one log every connection reads. */
    @Test
    void aclLogRecordsRefusedAuthentications() throws Exception {
        try (KvTestServer kv = server(2)) {
            RespClient[] clients = new RespClient[4]; // with SO_REUSEPORT, some on each shard
            for (int i = 0; i < clients.length; i++) {
                clients[i] = kv.client();
            }
            RespClient c = clients[0];
            assertEquals(error("WRONGPASS invalid username-password pair or user is disabled."), clients[1].call("AUTH", "bob", "x"));
            assertEquals(error("WRONGPASS invalid username-password pair or user is disabled."), clients[2].call("AUTH", "bob", "y"));
            assertEquals(error("WRONGPASS invalid username-password pair or user is disabled."),
                    clients[3].call("HELLO", "3", "AUTH", "carl", "z"));
            List<?> log = (List<?>) c.call("ACL", "LOG");
            assertEquals(2, log.size()); // object: the command's name as sent, as Redis logs it
            assertEquals(List.of("count", 1L, "reason", "auth", "context", "toplevel", "object", "HELLO", "username", "carl",
                    "age-seconds"), ((List<?>) log.get(0)).subList(0, 11));
            assertEquals(List.of("count", 2L, "reason", "auth", "context", "toplevel", "object", "AUTH", "username", "bob",
                    "age-seconds"), ((List<?>) log.get(1)).subList(0, 11));
            assertTrue(Double.parseDouble((String) ((List<?>) log.get(1)).get(11)) < 60);
            assertEquals("client-info", ((List<?>) log.get(1)).get(12));
            assertTrue(((String) ((List<?>) log.get(1)).get(13)).contains(" cmd=auth "), log.toString());
            assertEquals(1, ((List<?>) c.call("ACL", "LOG", "1")).size());
            assertEquals("OK", c.call("ACL", "LOG", "RESET"));
            assertEquals(List.of(), c.call("ACL", "LOG"));
            for (RespClient client : clients) {
                client.close();
            }
        }
    }

    @Test
    void aclWithAPasswordShowsItsSha256() throws Exception {
        try (KvTestServer kv = KvTestServer.start(1, DriverKind.AUTO, withPassword("s3cret")); RespClient c = kv.client()) {
            assertEquals(error("NOAUTH Authentication required."), c.call("ACL", "WHOAMI"));
            assertEquals("OK", c.call("AUTH", "s3cret"));
            String sha = "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0"; // echo -n s3cret | sha256sum
            assertEquals(List.of("user default on #" + sha + " ~* &* +@all"), c.call("ACL", "LIST"));
            assertEquals(List.of("flags", List.of("on"), "passwords", List.of(sha), "commands", "+@all",
                    "keys", "~*", "channels", "&*", "selectors", List.of()), c.call("ACL", "GETUSER", "default"));
        }
    }

    @Test
    void latencyWithMonitoringOffAndDiagnostics() throws Exception {
        try (KvTestServer kv = server(2); RespClient c = kv.client()) {
            assertEquals(List.of(), c.call("LATENCY", "LATEST"));
            assertEquals(List.of(), c.call("LATENCY", "HISTORY", "command"));
            assertEquals(0L, c.call("LATENCY", "RESET"));
            assertEquals(0L, c.call("LATENCY", "RESET", "command", "foo"));
            assertEquals(error("ERR No samples available for event 'command'"), c.call("LATENCY", "GRAPH", "command"));
            assertEquals(LatencyCommands.doctor(java.util.Map.of(), LatencyCommands.Settings.DEFAULT), c.call("LATENCY", "DOCTOR"));
            assertEquals(List.of(), c.call("LATENCY", "HISTOGRAM", "get", "foo"));
            assertEquals(error("ERR unknown subcommand 'foo'. Try LATENCY HELP."), c.call("LATENCY", "foo"));
            assertEquals(error("ERR wrong number of arguments for 'latency|history' command"), c.call("LATENCY", "HISTORY"));
            assertEquals(17, ((List<?>) c.call("LATENCY", "HELP")).size());
            assertEquals(Diagnostics.MEMORY_DOCTOR, c.call("MEMORY", "DOCTOR"));
            assertEquals("OK", c.call("PFSELFTEST"));
            assertEquals("Redis ver. " + ServerCommands.REDIS_VERSION + "\n", c.call("LOLWUT"));
            assertEquals(error("ERR value is not an integer or out of range"), c.call("LOLWUT", "VERSION", "x"));
        }
    }

    @Test
    void theDenseRegistersReadBackWhatWasWritten() {
        assertNull(Diagnostics.registersFailure(3, new SplittableRandom(1)));
    }

    @Test
    void commandInfoCategoriesListAndGetKeys() throws Exception {
        try (KvTestServer kv = server(1); RespClient c = kv.client()) {
            List<?> get = (List<?>) ((List<?>) c.call("COMMAND", "INFO", "get")).get(0);
            assertEquals(List.of("@read", "@string", "@fast"), get.get(6));
            List<?> keys = (List<?>) ((List<?>) c.call("COMMAND", "INFO", "keys")).get(0);
            assertEquals(List.of("@keyspace", "@read", "@slow", "@dangerous"), keys.get(6));
            List<?> keyspace = (List<?>) c.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "keyspace");
            assertTrue(keyspace.contains("del") && !keyspace.contains("ping") && !keyspace.contains("hello"), keyspace.toString());
            assertEquals(List.of(), c.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "foo"));
            assertEquals(List.of(), c.call("COMMAND", "LIST", "FILTERBY", "MODULE", "x"));
            List<?> xa = (List<?>) c.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "xa*");
            assertTrue(xa.contains("xadd") && xa.stream().allMatch(n -> ((String) n).startsWith("xa")), xa.toString());
            assertEquals(error("ERR syntax error"), c.call("COMMAND", "LIST", "FILTERBY", "foo", "x"));
            assertEquals(error("ERR syntax error"), c.call("COMMAND", "LIST", "FILTERBY", "ACLCAT"));
            assertEquals(List.of("a"), c.call("COMMAND", "GETKEYS", "GET", "a"));
            assertEquals(List.of("a", "b"), c.call("COMMAND", "GETKEYS", "sort", "a", "store", "b"));
            assertEquals(error("ERR Invalid command specified"), c.call("COMMAND", "GETKEYS", "foo", "x"));
            assertEquals(error("ERR The command has no key arguments"), c.call("COMMAND", "GETKEYS", "ping", "x"));
            assertEquals(error("ERR Invalid number of arguments specified for command"), c.call("COMMAND", "GETKEYS", "get", "a", "b"));
            assertEquals(error("ERR Invalid arguments specified for command"), c.call("COMMAND", "GETKEYS", "zunionstore", "d", "5", "a", "b"));
            assertEquals(error("ERR wrong number of arguments for 'command|getkeys' command"), c.call("COMMAND", "GETKEYS", "get"));
            assertEquals(List.of(List.of("a", List.of("OW", "update"))), c.call("COMMAND", "GETKEYSANDFLAGS", "set", "a", "b"));
            assertEquals(List.of(List.of("a", List.of("RW", "access", "update"))), c.call("COMMAND", "GETKEYSANDFLAGS", "set", "a", "b", "get"));
            assertEquals(List.of(List.of("a", List.of("RW", "access", "delete")), List.of("b", List.of("RW", "insert"))),
                    c.call("COMMAND", "GETKEYSANDFLAGS", "lmove", "a", "b", "LEFT", "RIGHT"));
            assertEquals(List.of(List.of("d", List.of("OW", "update")), List.of("a", List.of("RO", "access")),
                    List.of("b", List.of("RO", "access"))), c.call("COMMAND", "GETKEYSANDFLAGS", "zunionstore", "d", "2", "a", "b"));
            assertEquals(List.of(List.of("a", List.of("RM", "delete")), List.of("b", List.of("RM", "delete"))),
                    c.call("COMMAND", "GETKEYSANDFLAGS", "del", "a", "b"));
        }
    }

    @Test
    void clientNoEvictTrackingAsRedis7015() throws Exception {
        try (KvTestServer kv = server(2); RespClient c = kv.client()) {
            assertEquals("OK", c.call("CLIENT", "NO-EVICT", "on"));
            assertTrue(((String) c.call("CLIENT", "INFO")).contains(" flags=e "));
            assertTrue(((String) c.call("CLIENT", "LIST")).contains(" flags=e "));
            assertEquals("OK", c.call("CLIENT", "NO-EVICT", "off"));
            assertTrue(((String) c.call("CLIENT", "INFO")).contains(" flags=N "));
            assertEquals(error("ERR syntax error"), c.call("CLIENT", "NO-EVICT", "maybe"));
            assertEquals(error("ERR wrong number of arguments for 'client|no-evict' command"), c.call("CLIENT", "NO-EVICT"));
            assertEquals(error("ERR unknown subcommand 'NO-TOUCH'. Try CLIENT HELP."), c.call("CLIENT", "NO-TOUCH", "on")); // 7.2's
            assertEquals(-1L, c.call("CLIENT", "GETREDIR"));
            assertEquals(List.of("flags", List.of("off"), "redirect", -1L, "prefixes", List.of()), c.call("CLIENT", "TRACKINGINFO"));
            assertEquals("OK", c.call("CLIENT", "TRACKING", "on")); // client-side caching: KvTrackingTest
            assertEquals(0L, c.call("CLIENT", "GETREDIR"));
        }
    }

    /** An ACL LOG entry's age and client line (they differ between two servers) masked. */
    private static Object withoutTimes(Object reply) {
        if (reply instanceof List<?> list) {
            List<Object> masked = new ArrayList<>();
            for (Object item : list) {
                masked.add(withoutTimes(item));
            }
            for (int i = 0; i + 1 < masked.size(); i++) {
                if ("age-seconds".equals(masked.get(i)) || "client-info".equals(masked.get(i))) {
                    masked.set(i + 1, "?");
                }
            }
            return masked;
        }
        if (reply instanceof Map<?, ?> map) {
            Map<Object, Object> masked = new LinkedHashMap<>();
            map.forEach((k, v) -> masked.put(k, "age-seconds".equals(k) || "client-info".equals(k) ? "?" : withoutTimes(v)));
            return masked;
        }
        return reply;
    }

    /** Every command's ACL categories as redis-server's COMMAND INFO lists them, and the same replies to a script. */
    @Test
    void sameAsRedisServer() throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedisServer(port);
        try (KvTestServer kv = server(1); RespClient a = kv.client(); RespClient r = KvRedisComparisonTest.connect(port)) {
            List<String> differences = new ArrayList<>();
            for (Command command : Command.values()) {
                Object theirs = ((List<?>) r.call("COMMAND", "INFO", command.lowerName)).get(0);
                Object ours = ((List<?>) a.call("COMMAND", "INFO", command.lowerName)).get(0);
                if (theirs != null && !((List<?>) theirs).get(6).equals(((List<?>) ours).get(6))) {
                    differences.add(command.lowerName + ": redis " + ((List<?>) theirs).get(6) + ", atoll " + ((List<?>) ours).get(6));
                }
            }
            // ACL CAT <category>: the commands and subcommands of each, as Redis lists them (those of the commands here)
            for (Object category : (List<?>) r.call("ACL", "CAT")) {
                List<String> theirs = new ArrayList<>();
                for (Object name : (List<?>) r.call("ACL", "CAT", (String) category)) {
                    String command = ((String) name).split("\\|")[0];
                    if (java.util.Arrays.stream(Command.values()).anyMatch(c -> c.lowerName.equals(command))) {
                        theirs.add((String) name);
                    }
                }
                List<String> ours = new ArrayList<>();
                for (Object name : (List<?>) a.call("ACL", "CAT", (String) category)) {
                    ours.add((String) name);
                }
                java.util.Collections.sort(theirs);
                java.util.Collections.sort(ours);
                if (!theirs.equals(ours)) {
                    differences.add("ACL CAT " + category + ": redis " + theirs + ", atoll " + ours);
                }
            }
            String[][] script = {
                {"ACL", "WHOAMI"}, {"ACL", "USERS"}, {"ACL", "LIST"}, {"ACL", "GETUSER", "default"}, {"ACL", "GETUSER", "x"},
                {"ACL", "CAT"}, {"ACL", "CAT", "foo"}, {"ACL", "DRYRUN", "default", "get", "x"}, {"ACL", "DRYRUN", "x", "get", "x"},
                {"ACL", "DRYRUN", "default", "foo"}, {"ACL", "DRYRUN", "default", "get"}, {"ACL", "DRYRUN", "default"},
                {"ACL", "LOG", "RESET"}, {"ACL", "LOG"}, {"ACL", "LOG", "x"}, {"ACL", "LOG", "-1"}, {"ACL", "GENPASS", "0"},
                {"AUTH", "bob", "x"}, {"AUTH", "bob", "y"}, {"HELLO", "2", "AUTH", "carl", "z"}, {"AUTH", "x"},
                {"ACL", "DELUSER", "default"}, {"ACL", "DELUSER", "x"}, {"ACL", "SAVE"}, {"ACL", "LOAD"}, {"ACL", "foo"},
                {"ACL", "WHOAMI", "x"}, {"ACL", "GETUSER"},
                {"LATENCY", "LATEST"}, {"LATENCY", "HISTORY", "command"}, {"LATENCY", "RESET"}, {"LATENCY", "GRAPH", "x"},
                {"LATENCY", "foo"}, {"LATENCY", "HISTORY"}, {"LATENCY", "GRAPH"}, {"PFSELFTEST"},
                {"COMMAND", "LIST", "FILTERBY", "ACLCAT", "foo"}, {"COMMAND", "LIST", "FILTERBY", "MODULE", "x"},
                {"COMMAND", "LIST", "FILTERBY", "foo", "x"}, {"COMMAND", "LIST", "x"}, {"COMMAND", "COUNT", "x"},
                {"COMMAND", "GETKEYS", "foo", "x"}, {"COMMAND", "GETKEYS", "ping", "x"}, {"COMMAND", "GETKEYS", "get"},
                {"COMMAND", "GETKEYS", "get", "a", "b"}, {"COMMAND", "GETKEYS", "spublish", "a", "b"},
                {"COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"}, {"COMMAND", "GETKEYS", "blpop", "a", "b", "0"},
                {"COMMAND", "GETKEYS", "lmpop", "2", "a", "b", "LEFT"}, {"COMMAND", "GETKEYS", "xread", "STREAMS", "a", "b", "0", "0"},
                {"COMMAND", "GETKEYS", "watch", "a", "b"}, {"COMMAND", "GETKEYS", "zunionstore", "d", "0", "a"},
                {"COMMAND", "GETKEYSANDFLAGS", "bitfield", "a", "GET", "u8", "0"}, {"COMMAND", "GETKEYSANDFLAGS", "rename", "a", "b"},
                {"COMMAND", "GETKEYSANDFLAGS", "smove", "a", "b", "m"}, {"COMMAND", "GETKEYSANDFLAGS", "bitop", "AND", "d", "a", "b"},
                {"COMMAND", "GETKEYSANDFLAGS", "getdel", "a"}, {"COMMAND", "GETKEYSANDFLAGS", "append", "a", "x"},
                {"COMMAND", "GETKEYSANDFLAGS", "blpop", "a", "b", "0"}, {"COMMAND", "GETKEYSANDFLAGS", "watch", "a"},
                {"COMMAND", "GETKEYSANDFLAGS", "object", "encoding", "a"}, {"COMMAND", "GETKEYSANDFLAGS", "georadius", "g", "0", "0", "1", "m", "STORE", "d"},
                {"CLIENT", "NO-EVICT", "on"}, {"CLIENT", "NO-EVICT", "x"}, {"CLIENT", "NO-EVICT"}, {"CLIENT", "NO-TOUCH", "on"},
                {"CLIENT", "GETREDIR"}, {"CLIENT", "TRACKINGINFO"}, {"CLIENT", "TRACKING"},
                {"ACL", "CAT", "a", "b"}, {"ACL", "GENPASS", "5", "6"}, {"ACL", "GENPASS", "4097"}, {"ACL", "GENPASS", "x"},
                {"ACL", "LOG", "1", "2"}, {"ACL", "DELUSER"}, {"ACL", "SETUSER"}, {"ACL", "USERS", "x"}, {"LATENCY", "DOCTOR", "x"},
                {"LATENCY", "LATEST", "x"}, {"CLIENT", "GETREDIR", "x"}, {"CLIENT", "TRACKINGINFO", "x"}, {"COMMAND", "HELP", "x"},
{"COMMAND", "GETKEYS", "object", "help"}, {"COMMAND", "GETKEYS", "memory", "doctor"},
                {"COMMAND", "GETKEYSANDFLAGS", "memory", "usage", "k"}, {"PFSELFTEST", "x"}, {"MEMORY", "DOCTOR", "x"}, {"LATENCY"},
            };
            for (int protocol = 2; protocol <= 3; protocol++) {
                if (protocol == 3) {
                    a.call("HELLO", "3");
                    r.call("HELLO", "3");
                }
                for (String[] command : script) {
                    Object expected = withoutTimes(r.call(command));
                    Object actual = withoutTimes(a.call(command));
                    if (!String.valueOf(expected).equals(String.valueOf(actual))) {
                        differences.add("RESP" + protocol + " " + String.join(" ", command) + ": redis " + expected + ", atoll " + actual);
                    }
                }
            }
            assertEquals(List.of(), differences);
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
