package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;

import java.util.function.IntFunction;

import static dev.atoll.examples.kv.KvTrackingAllocationTest.per;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the ACL check costs a GET and a SET on the shard thread, in bytes allocated per command (the
 * JVM's per-thread counter): the default user (every permission) pays a field read; a user refused
 * only some commands pays a bit test in its bitset, no allocation either; a user of key patterns (read and write
 * ones) pays the patterns' match on the key where the request holds it, no allocation either.
 */
@org.junit.jupiter.api.Tag("allocation") // measured in a JVM of its own: see examples/pom.xml
class KvAclAllocationTest {

    @Test
    void aUserRefusedSomeCommandsAllocatesNothingMoreThanTheDefaultUser() throws Exception {
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO),
                "atoll.io.buffers.debug = false"); RespClient def = server.client(); RespClient limited = server.client();
             RespClient keyed = server.client()) {
            assertEquals("OK", def.call("ACL", "SETUSER", "lim", "on", "nopass", "~*", "&*", "+@all", "-flushall", "-keys", "-@admin"));
            assertEquals("OK", limited.call("AUTH", "lim", "x"));
            assertEquals("OK", def.call("ACL", "SETUSER", "keyed", "on", "nopass", "~other*", "%R~k?y", "%W~*ey", "+@all"));
            assertEquals("OK", keyed.call("AUTH", "keyed", "x"));
            assertEquals("OK", def.call("SET", "key", "value"));
            IntFunction<byte[]> get = i -> RespClient.encode("GET", "key");
            IntFunction<byte[]> set = i -> RespClient.encode("SET", "key", "value");
            long defaultGet = per(def, get);
            long defaultSet = per(def, set);
            long limitedGet = per(limited, get);
            long limitedSet = per(limited, set);
            long keyedGet = per(keyed, get);
            long keyedSet = per(keyed, set);
            String figures = "bytes allocated on the shard thread per GET / SET, default user: " + defaultGet + " / " + defaultSet
                    + "; a user refused some commands: " + limitedGet + " / " + limitedSet
                    + "; a user of key patterns: " + keyedGet + " / " + keyedSet;
            System.out.println(figures);
            assertTrue(limitedGet <= defaultGet + 4 && limitedSet <= defaultSet + 4, figures);
            assertTrue(keyedGet <= defaultGet + 4 && keyedSet <= defaultSet + 4, figures);
        }
    }

    /**
     * The key check of commands of several keys (MSET, MGET, DEL of three keys, SINTER of two) walks their keys
     * where the request holds them: a user of key patterns allocates no more per command than the default user.
     */
    @Test
    void theKeyCheckOfSeveralKeysAllocatesNothing() throws Exception {
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO),
                "atoll.io.buffers.debug = false"); RespClient def = server.client(); RespClient keyed = server.client()) {
            assertEquals("OK", def.call("ACL", "SETUSER", "keyed", "on", "nopass", "~other*", "%R~k?y*", "%W~*ey*", "~s*", "+@all"));
            assertEquals("OK", keyed.call("AUTH", "keyed", "x"));
            assertEquals(2L, def.call("SADD", "s1", "a", "b"));
            assertEquals(2L, def.call("SADD", "s2", "b", "c"));
            java.util.Map<String, IntFunction<byte[]>> commands = new java.util.LinkedHashMap<>();
            commands.put("MSET", i -> RespClient.encode("MSET", "key1", "v", "key2", "v", "key3", "v"));
            commands.put("MGET", i -> RespClient.encode("MGET", "key1", "key2", "key3"));
            commands.put("DEL", i -> RespClient.encode("DEL", "key1", "key2", "key3"));
            commands.put("SINTER", i -> RespClient.encode("SINTER", "s1", "s2"));
            StringBuilder figures = new StringBuilder("bytes allocated on the shard thread per command, default user / user of key patterns:");
            boolean within = true;
            for (var command : commands.entrySet()) {
                long byDefault = per(def, command.getValue());
                long byKeyed = per(keyed, command.getValue());
                figures.append(' ').append(command.getKey()).append(' ').append(byDefault).append(" / ").append(byKeyed).append(';');
                within &= byKeyed <= byDefault + 4;
            }
            System.out.println(figures);
            assertTrue(within, figures.toString());
            assertEquals(new RespClient.Error("NOPERM this user has no permissions to access one of the keys used as arguments"),
                    keyed.call("MGET", "key1", "nokey"), "the patterns still refuse a key");
        }
    }
}
