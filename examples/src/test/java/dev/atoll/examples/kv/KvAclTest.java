package dev.atoll.examples.kv;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.DriverKind;
import dev.atoll.config.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.atoll.examples.kv.KvBlockingTest.clientOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ACL users across shards and over time: a change made on one shard's connection seen by another
 * shard's at its next command, DELUSER and ACL LOAD closing the users' connections on every shard,
 * ACL LOG's entries for each reason and context, {@code kv.aclfile} at start, SAVE and LOAD, a bad file
 * stopping the start, {@code kv.password} as the default user's, and Jedis as a user.
 * (The rule forms and errors against redis-server are {@link KvAclUsersTest}'s.)
 */
class KvAclTest {
    private static final RespClient.Error NOPERM_GET = new RespClient.Error(
            "NOPERM this user has no permissions to run the 'get' command");
    private static final RespClient.Error NOPERM_KEYS = new RespClient.Error(
            "NOPERM this user has no permissions to access one of the keys used as arguments");

    private static KvTestServer server(int shards) throws Exception {
        return KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    /** The test settings with {@code password} and {@code aclFile}. */
    private static KvSettings settings(String password, Path aclFile) {
        KvSettings s = KvTestServer.settings(null, KvSettings.FsyncPolicy.NO);
        return new KvSettings(s.appendOnly(), s.fsync(), s.dir(), s.rewriteMinBytes(), s.rewriteGrowthPercent(),
                s.aofMaxQueuedBytes(), s.input(), s.output(), s.maxConnections(), s.idleTimeout(), password,
                s.protectedMode(), s.aofLoadTruncated(), s.aofLoadCorruptTail(), s.aofLoadMissing(), s.memory(),
                s.pubsubOutput(), s.slowLog(), s.keyspaceEvents(), aclFile);
    }

    /** Whether the server closed {@code c}: a command gets no reply but the end of the stream. */
    private static boolean closedByServer(RespClient c) {
        try {
            c.call("PING");
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void aChangeOnOneShardIsSeenByTheNextCommandOfAConnectionOnAnother() throws Exception {
        List<RespClient> spare = new ArrayList<>();
        try (KvTestServer kv = server(2); RespClient admin = clientOn(kv, 0, spare); RespClient user = clientOn(kv, 1, spare)) {
            assertEquals("OK", admin.call("ACL", "SETUSER", "ann", "on", ">pw", "~*", "+@all"));
            assertEquals("OK", user.call("AUTH", "ann", "pw"));
            assertEquals("OK", user.call("SET", "k", "v"));
            assertEquals("v", user.call("GET", "k"));
            assertEquals("OK", admin.call("ACL", "SETUSER", "ann", "-get"));
            assertEquals(NOPERM_GET, user.call("GET", "k"));
            assertEquals("OK", admin.call("ACL", "SETUSER", "ann", "resetkeys", "~a*", "+get"));
            assertEquals(NOPERM_KEYS, user.call("GET", "k"));
            assertEquals(null, user.call("GET", "a1"));
            assertEquals("OK", admin.call("ACL", "SETUSER", "ann", "allkeys"));
            assertEquals("v", user.call("GET", "k"));
            assertEquals("ann", user.call("ACL", "WHOAMI"));
            assertTrue(((String) user.call("CLIENT", "INFO")).contains(" user=ann "));
        } finally {
            for (RespClient c : spare) {
                c.close();
            }
        }
    }

    /**
     * XGROUP's subcommands write their key (Redis's RW key specs): a user that may only read it gets NOPERM, as
     * redis-server 7.0.15 answers it (checked by hand: its ACL DRYRUN says OK there, the command itself is refused);
     * XINFO only reads.
     */
    @Test
    void xgroupNeedsWritePermissionOnItsKey() throws Exception {
        try (KvTestServer kv = server(2); RespClient admin = kv.client(); RespClient reader = kv.client()) {
            admin.call("XADD", "s", "1-1", "f", "v");
            assertEquals("OK", admin.call("XGROUP", "CREATE", "s", "g", "$"));
            assertEquals("OK", admin.call("ACL", "SETUSER", "reader", "on", ">r", "%R~s", "+@all"));
            assertEquals("OK", reader.call("AUTH", "reader", "r"));
            RespClient.Error noPermission = new RespClient.Error(
                    "NOPERM this user has no permissions to access one of the keys used as arguments");
            assertEquals(noPermission, reader.call("XGROUP", "DESTROY", "s", "g"));
            assertEquals(noPermission, reader.call("XGROUP", "CREATECONSUMER", "s", "g", "c"));
            assertEquals(1L, reader.call("XLEN", "s"));
            assertEquals(1L, ((List<?>) reader.call("XINFO", "GROUPS", "s")).size());
        }
    }

    @Test
    void delUserClosesTheUsersConnectionsOnEveryShardAndNoOther() throws Exception {
        List<RespClient> spare = new ArrayList<>();
        try (KvTestServer kv = server(2); RespClient admin = clientOn(kv, 0, spare);
             RespClient bob0 = clientOn(kv, 0, spare); RespClient bob1 = clientOn(kv, 1, spare);
             RespClient carl1 = clientOn(kv, 1, spare)) {
            assertEquals("OK", admin.call("ACL", "SETUSER", "bob", "on", ">b", "~*", "+@all"));
            assertEquals("OK", admin.call("ACL", "SETUSER", "carl", "on", ">c", "~*", "+@all"));
            assertEquals("OK", bob0.call("AUTH", "bob", "b"));
            assertEquals("OK", bob1.call("AUTH", "bob", "b"));
            assertEquals("OK", carl1.call("AUTH", "carl", "c"));
            assertEquals(1L, admin.call("ACL", "DELUSER", "bob", "nobody"));
            assertTrue(closedByServer(bob0), "bob's connection on shard 0");
            assertTrue(closedByServer(bob1), "bob's connection on shard 1");
            assertEquals("PONG", carl1.call("PING"));
            assertFalse(((String) admin.call("CLIENT", "LIST")).contains("user=bob"));
            // a user deleting itself: closed after its reply
            assertEquals(1L, carl1.call("ACL", "DELUSER", "carl"));
            assertTrue(closedByServer(carl1));
            assertEquals(List.of("default"), admin.call("ACL", "USERS"));
        } finally {
            for (RespClient c : spare) {
                c.close();
            }
        }
    }

    /** Redis 7.0's words when the rules changed between MULTI's queueing and EXEC (redis-server 7.0.15's replies). */
    @Test
    void aQueuedCommandTheRulesNoLongerAllowIsRefusedAtExecAndTheOthersRun() throws Exception {
        String changed = "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call."
                + " This command is no longer allowed for the following reason: ";
        try (KvTestServer kv = server(2); RespClient admin = kv.client(); RespClient c = kv.client()) {
            assertEquals("OK", admin.call("ACL", "SETUSER", "eli", "on", ">p", "+@all", "~*", "&*"));
            assertEquals("OK", c.call("AUTH", "eli", "p"));
            assertEquals("OK", c.call("MULTI"));
            for (String[] command : new String[][] {{"GET", "r1"}, {"SET", "k", "v"}, {"PUBLISH", "ch", "m"}, {"SET", "x", "1"}}) {
                assertEquals("QUEUED", c.call(command));
            }
            assertEquals("OK", admin.call("ACL", "SETUSER", "eli", "-get", "resetkeys", "~x", "resetchannels"));
            assertEquals(List.of(new RespClient.Error(changed + "no permission to execute the command or subcommand"),
                    new RespClient.Error(changed + "no permission to touch the specified keys"),
                    new RespClient.Error(changed + "no permission to access one of the channels used as arguments"), "OK"),
                    c.call("EXEC"));
            assertEquals(null, admin.call("GET", "k"), "the refused SET did not run");
            assertEquals("1", admin.call("GET", "x"));
            List<?> log = (List<?>) admin.call("ACL", "LOG");
            assertEquals(List.of("count", 1L, "reason", "command", "context", "multi", "object", "get", "username", "eli"),
                    head(log.get(2)));
        }
    }

    @Test
    void subscribersWhoseChannelsAreNoLongerAllowedAreClosedAsRedisDoes() throws Exception {
        List<RespClient> spare = new ArrayList<>();
        try (KvTestServer kv = server(2); RespClient admin = clientOn(kv, 0, spare);
             RespClient onA = clientOn(kv, 1, spare); RespClient onB = clientOn(kv, 0, spare)) {
            assertEquals("OK", admin.call("ACL", "SETUSER", "sue", "on", ">s", "~*", "&a*", "&b*", "+@all"));
            assertEquals("OK", onA.call("AUTH", "sue", "s"));
            assertEquals("OK", onB.call("AUTH", "sue", "s"));
            assertEquals(List.of("subscribe", "ab", 1L), onA.call("SUBSCRIBE", "ab"));
            assertEquals(List.of("psubscribe", "b*", 1L), onB.call("PSUBSCRIBE", "b*"));
            assertEquals("OK", admin.call("ACL", "SETUSER", "sue", "resetchannels", "&b*"));
            assertTrue(closedByServer(onA), "its channel ab is no longer allowed");
            assertEquals(List.of("pong", ""), onB.call("PING"), "its pattern b* still is");
        } finally {
            for (RespClient c : spare) {
                c.close();
            }
        }
    }

    /** The ACL LOG entry {@code e}'s fields from count to username, and its client line. */
    private static List<?> head(Object e) {
        return ((List<?>) e).subList(0, 10);
    }

    @Test
    void aclLogRecordsRefusedCommandsKeysAndChannelsWithTheirContext() throws Exception {
        try (KvTestServer kv = server(2); RespClient admin = kv.client(); RespClient c = kv.client()) {
            assertEquals("OK", admin.call("ACL", "SETUSER", "dan", "on", ">d", "~r*", "&ch", "+@all", "-flushall"));
            assertEquals("OK", c.call("AUTH", "dan", "d"));
            assertTrue(c.call("FLUSHALL") instanceof RespClient.Error);
            assertTrue(c.call("FLUSHALL") instanceof RespClient.Error);
            assertEquals(NOPERM_KEYS, c.call("GET", "x"));
            assertTrue(c.call("PUBLISH", "other", "m") instanceof RespClient.Error);
            assertEquals("OK", c.call("MULTI"));
            assertEquals(NOPERM_KEYS, c.call("GET", "y"));
            assertTrue(c.call("EXEC") instanceof RespClient.Error);
            assertTrue(c.call("EVAL", "return redis.pcall('get', 'r1')", "1", "r1") == null); // allowed
            assertTrue(c.call("EVAL", "return redis.pcall('flushall')", "0") instanceof RespClient.Error);
            List<?> log = (List<?>) admin.call("ACL", "LOG");
            assertEquals(List.of("count", 1L, "reason", "command", "context", "lua", "object", "flushall", "username", "dan"),
                    head(log.get(0)));
            assertEquals(List.of("count", 1L, "reason", "key", "context", "multi", "object", "y", "username", "dan"),
                    head(log.get(1)));
            assertEquals(List.of("count", 1L, "reason", "channel", "context", "toplevel", "object", "other", "username", "dan"),
                    head(log.get(2)));
            assertEquals(List.of("count", 1L, "reason", "key", "context", "toplevel", "object", "x", "username", "dan"),
                    head(log.get(3)));
            assertEquals(List.of("count", 2L, "reason", "command", "context", "toplevel", "object", "flushall", "username", "dan"),
                    head(log.get(4)));
            assertEquals(5, log.size());
            assertTrue(((String) ((List<?>) log.get(4)).get(13)).contains(" user=dan "), log.toString());
        }
    }

    @Test
    void theAclFileIsLoadedAtStartSavedAndLoadedAgain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("users.acl");
        Files.writeString(file, "user default on nopass ~* &* +@all\nuser eve on >e ~e* resetchannels -@all +@read\n");
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, settings("", file)); RespClient c = kv.client();
             RespClient eve = kv.client()) {
            assertEquals(List.of("user default on nopass ~* &* +@all",
                    "user eve on #" + AclCommands.sha256("e") + " ~e* resetchannels -@all +@read"), c.call("ACL", "LIST"));
            assertEquals("OK", eve.call("AUTH", "eve", "e"));
            assertEquals("OK", c.call("ACL", "SETUSER", "fay", "on", "nopass", "+get"));
            assertEquals("OK", c.call("ACL", "SAVE"));
            assertEquals(String.join("\n", castStrings(c.call("ACL", "LIST"))) + "\n", Files.readString(file));
            // a bad file: Redis's errors, nothing changes
            Files.writeString(file, "user default on nopass ~* &* +@all\nuser gus on bogus\n# no comments in 7.0\n");
            assertEquals(new RespClient.Error("ERR " + file + ":2: Syntax error. " + file + ":3 should start with user keyword"
                    + " followed by the username. WARNING: ACL errors detected, no change to the previously active ACL rules"
                    + " was performed"), c.call("ACL", "LOAD"));
            assertEquals(List.of("default", "eve", "fay"), c.call("ACL", "USERS"));
            // a good one replaces every user; eve's connection closes (Redis frees the users it replaces)
            Files.writeString(file, "user hal on >h +@all ~*\n");
            assertEquals("OK", c.call("ACL", "LOAD"));
            assertEquals(List.of("user default on nopass ~* &* +@all", "user hal on #" + AclCommands.sha256("h")
                    + " ~* resetchannels +@all"), c.call("ACL", "LIST"));
            assertTrue(closedByServer(eve));
            assertEquals("PONG", c.call("PING"), "default stays the same user: its connections stay");
            Files.delete(file);
            assertEquals(new RespClient.Error("ERR Error loading ACLs, opening file '" + file + "': No such file or directory"),
                    c.call("ACL", "LOAD"));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> castStrings(Object o) {
        return (List<String>) o;
    }

    @Test
    void aBadAclFileStopsTheStartNamingTheKeyTheValueTheFileAndTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("users.acl");
        Files.writeString(file, "user default on nopass ~* &* +@all\n\nuser ida on %X~a\n");
        String message = assertThrows(InvalidConfigException.class, () -> KvSettings.from(
                AtollConfig.parse("kv.aclfile = \"" + file + "\"", "my.conf").reader())).getMessage();
        assertTrue(message.contains("kv.aclfile") && message.contains("my.conf") && message.contains(file + ":3: Syntax error"),
                message);
        String missing = assertThrows(InvalidConfigException.class, () -> KvSettings.from(
                AtollConfig.parse("kv.aclfile = \"" + dir.resolve("none.acl") + "\"", "my.conf").reader())).getMessage();
        assertTrue(missing.contains("kv.aclfile") && missing.contains("No such file or directory"), missing);
        assertEquals(null, KvSettings.from(AtollConfig.parse("", "my.conf").reader()).aclFile(), "none by default");
    }

    @Test
    void thePasswordSettingIsTheDefaultUsersPassword() throws Exception {
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, settings("secret", null)); RespClient c = kv.client();
             RespClient other = kv.client()) {
            assertEquals(new RespClient.Error("NOAUTH Authentication required."), c.call("GET", "k"));
            assertEquals("OK", c.call("AUTH", "secret"));
            assertEquals(List.of("user default on #" + AclCommands.sha256("secret") + " ~* &* +@all"), c.call("ACL", "LIST"));
            assertEquals("OK", other.call("AUTH", "default", "secret"));
            assertEquals("OK", c.call("ACL", "SETUSER", "default", "nopass"));
            try (RespClient fresh = kv.client()) {
                assertEquals("PONG", fresh.call("PING"), "a nopass default user: new connections need no AUTH, as Redis");
            }
        }
    }

    @Test
    void jedisAsAUser() throws Exception {
        try (KvTestServer kv = server(2); RespClient admin = kv.client()) {
            assertEquals("OK", admin.call("ACL", "SETUSER", "jo", "on", ">jpw", "~j*", "+@all", "-flushall"));
            try (Jedis jedis = new Jedis(new HostAndPort(kv.host, kv.port()),
                    DefaultJedisClientConfig.builder().user("jo").password("jpw").build())) {
                assertEquals("jo", jedis.aclWhoAmI());
                assertEquals("OK", jedis.set("j1", "v"));
                assertEquals("v", jedis.get("j1"));
                JedisAccessControlException key = assertThrows(JedisAccessControlException.class, () -> jedis.get("x"));
                assertTrue(key.getMessage().contains("NOPERM"), key.getMessage());
                assertThrows(JedisAccessControlException.class, jedis::flushAll);
            }
            assertThrows(JedisAccessControlException.class, () -> {
                try (Jedis wrong = new Jedis(new HostAndPort(kv.host, kv.port()),
                        DefaultJedisClientConfig.builder().user("jo").password("bad").build())) {
                    wrong.ping();
                }
            });
        }
    }
}
