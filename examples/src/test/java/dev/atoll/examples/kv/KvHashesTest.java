package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hashes, with the assertions of Redis 7.0's tests/unit/type/hash.tcl ported; three shards. */
class KvHashesTest extends KvSharedServerTest {
    /** HGETALL's flat RESP2 reply as a map. */
    private static Map<Object, Object> all(String key) throws Exception {
        List<?> flat = (List<?>) c.call("HGETALL", key);
        Map<Object, Object> map = new HashMap<>();
        for (int i = 0; i < flat.size(); i += 2) {
            map.put(flat.get(i), flat.get(i + 1));
        }
        return map;
    }

    @Test
    void smallAndBigHashesAndTheirEncodings() throws Exception {
        Map<Object, Object> model = new HashMap<>();
        for (int i = 0; i < 8; i++) {
            assertEquals(1L, c.call("HSET", "smallhash", "f" + i, "v" + i));
            model.put("f" + i, "v" + i);
        }
        assertEquals(8L, c.call("HLEN", "smallhash"));
        assertEquals("listpack", c.call("OBJECT", "ENCODING", "smallhash"));
        assertEquals(model, all("smallhash"));
        List<Object> order = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            order.add("f" + i);
        }
        assertEquals(order, c.call("HKEYS", "smallhash")); // a listpack keeps the insertion order
        assertEquals(0L, c.call("HSET", "smallhash", "f3", "new"));
        assertEquals("new", c.call("HGET", "smallhash", "f3"));
        for (int i = 0; i < 1024; i++) {
            c.call("HSET", "bighash", "f" + i, "v" + i);
        }
        assertEquals(1024L, c.call("HLEN", "bighash"));
        assertEquals("hashtable", c.call("OBJECT", "ENCODING", "bighash"));
        assertEquals("v1000", c.call("HGET", "bighash", "f1000"));
        assertEquals(1L, c.call("HSET", "smallhash", "foo", "a".repeat(1024)));
        assertEquals("hashtable", c.call("OBJECT", "ENCODING", "smallhash")); // promoted on a big value
        assertEquals("hash", c.call("TYPE", "smallhash"));
        assertNull(c.call("HGET", "smallhash", "__123123123__"));
        assertNull(c.call("HGET", "nokey", "f"));
        for (int i = 0; i < 512; i++) {
            c.call("HSET", "edge", "f" + i, "v");
        }
        assertEquals("listpack", c.call("OBJECT", "ENCODING", "edge")); // hash-max-listpack-entries 512 (Redis 7.0.15's)
        c.call("HSET", "edge", "f512", "v");
        assertEquals("hashtable", c.call("OBJECT", "ENCODING", "edge"));
        c.call("HSET", "sixtyfour", "f", "a".repeat(64));
        assertEquals("listpack", c.call("OBJECT", "ENCODING", "sixtyfour")); // hash-max-listpack-value 64
    }

    @Test
    void setGetDeleteAsHashTcl() throws Exception {
        assertEquals(1L, c.call("HSETNX", "h", "a", "1"));
        assertEquals(0L, c.call("HSETNX", "h", "a", "2"));
        assertEquals("1", c.call("HGET", "h", "a"));
        assertEquals(error("ERR wrong number of arguments for 'hmset' command"), c.call("HMSET", "h", "k1", "v1", "k2"));
        assertEquals(error("ERR wrong number of arguments for 'hset' command"), c.call("HSET", "h", "k1", "v1", "k2"));
        assertEquals(error("ERR wrong number of arguments for 'hset' command"), c.call("HSET", "h", "k1"));
        assertEquals("OK", c.call("HMSET", "h", "b", "2", "c", "3"));
        assertEquals(List.of("1", "2"), c.call("HMGET", "h", "a", "b"));
        assertEquals(java.util.Arrays.asList(null, null), c.call("HMGET", "doesntexist", "__1__", "__2__"));
        assertEquals(1L, c.call("HEXISTS", "h", "a"));
        assertEquals(0L, c.call("HEXISTS", "h", "nofield"));
        assertEquals(1L, c.call("HSTRLEN", "h", "a"));
        assertEquals(0L, c.call("HSTRLEN", "h", "nofield"));
        assertEquals(0L, c.call("HSTRLEN", "nokey", "nofield"));
        assertEquals(List.of("1", "2", "3"), c.call("HVALS", "h"));
        assertEquals(List.of(), c.call("HKEYS", "nokey"));
        assertEquals(List.of(), c.call("HGETALL", "nokey"));
        assertEquals(0L, c.call("HDEL", "h", "x", "y"));
        assertEquals(2L, c.call("HDEL", "h", "a", "c", "f"));
        assertEquals(Map.of("b", "2"), all("h"));
        assertEquals("OK", c.call("HMSET", "myhash", "a", "1", "b", "2", "c", "3"));
        assertEquals(3L, c.call("HDEL", "myhash", "a", "b", "c", "d", "e"));
        assertEquals(0L, c.call("EXISTS", "myhash")); // the last field takes the key with it
        assertEquals(0L, c.call("HDEL", "nokey", "a"));
        assertEquals(0L, c.call("HLEN", "nokey"));

        assertEquals("OK", c.call("SET", "wrongtype", "somevalue"));
        for (String[] command : new String[][] {{"HSET", "wrongtype", "f", "v"}, {"HMSET", "wrongtype", "f", "v"},
                {"HSETNX", "wrongtype", "f", "v"}, {"HGET", "wrongtype", "f"}, {"HMGET", "wrongtype", "f1", "f2"},
                {"HDEL", "wrongtype", "f"}, {"HLEN", "wrongtype"}, {"HEXISTS", "wrongtype", "f"},
                {"HGETALL", "wrongtype"}, {"HKEYS", "wrongtype"}, {"HVALS", "wrongtype"},
                {"HINCRBY", "wrongtype", "f", "1"}, {"HINCRBYFLOAT", "wrongtype", "f", "1"},
                {"HSTRLEN", "wrongtype", "f"}, {"HRANDFIELD", "wrongtype"}, {"HSCAN", "wrongtype", "0"}}) {
            assertEquals(error(KvShard.WRONGTYPE), c.call(command), String.join(" ", command));
        }
        assertEquals(error(KvShard.NOT_INTEGER), c.call("HINCRBY", "wrongtype", "f", "x")); // the increment first
        assertEquals(error("ERR value is not a valid float"), c.call("HINCRBYFLOAT", "wrongtype", "f", "x"));
        assertEquals(error(KvShard.WRONGTYPE), c.call("GET", "h"));
        assertEquals("OK", c.call("SET", "h", "now a string")); // SET replaces any type
        assertEquals("string", c.call("TYPE", "h"));
    }

    @Test
    void incrementsAsHashTcl() throws Exception {
        assertEquals(2L, c.call("HINCRBY", "htest", "foo", "2"));
        assertEquals(5L, c.call("HINCRBY", "htest", "foo", "3"));
        assertEquals(1L, c.call("HSET", "htest", "big", "17179869184"));
        assertEquals(17179869185L, c.call("HINCRBY", "htest", "big", "1"));
        assertEquals(34359738369L, c.call("HINCRBY", "htest", "big", "17179869184"));
        for (String spaced : new String[] {" 11", "11 "}) {
            c.call("HSET", "htest", "str", spaced);
            assertEquals(error("ERR hash value is not an integer"), c.call("HINCRBY", "htest", "str", "1"));
            assertEquals(error("ERR hash value is not a float"), c.call("HINCRBYFLOAT", "htest", "str", "1"));
        }
        c.call("HSET", "hash", "n", "-9223372036854775484");
        assertEquals(-9223372036854775485L, c.call("HINCRBY", "hash", "n", "-1"));
        assertError("ERR increment or decrement would overflow", c.call("HINCRBY", "hash", "n", "-10000"));
        assertEquals("2.5", c.call("HINCRBYFLOAT", "hf", "tmp", "2.5"));
        assertEquals("3.5", c.call("HINCRBYFLOAT", "hf", "tmp", "1"));
        c.call("HSET", "hf", "big", "17179869184");
        assertEquals("17179869185.5", c.call("HINCRBYFLOAT", "hf", "big", "1.5"));
        assertEquals(error("ERR value is NaN or Infinity"), c.call("HINCRBYFLOAT", "hf", "field", "+inf"));
        assertEquals(0L, c.call("HEXISTS", "hf", "field"));
        assertEquals(error("ERR value is not an integer or out of range"), c.call("HINCRBY", "hf", "tmp", "1.5"));
    }

    @Test
    void hrandfieldAsHashTcl() throws Exception {
        assertEquals(List.of(), c.call("HRANDFIELD", "nokey", "5"));
        assertNull(c.call("HRANDFIELD", "nokey"));
        c.call("HSET", "myhash", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5");
        assertEquals(List.of(), c.call("HRANDFIELD", "myhash", "0"));
        assertError("ERR value is out of range", c.call("HRANDFIELD", "myhash", "-9223372036854770000", "WITHVALUES"));
        assertError("ERR value is out of range", c.call("HRANDFIELD", "myhash", "-9223372036854775808", "WITHVALUES"));
        assertError("ERR value is out of range", c.call("HRANDFIELD", "myhash", "-9223372036854775808"));
        assertEquals(error("ERR syntax error"), c.call("HRANDFIELD", "myhash", "3", "WITHVALUE"));
        Set<String> fields = Set.of("a", "b", "c", "d", "e");
        Set<Object> picked = new HashSet<>();
        for (int i = 0; i < 200 && picked.size() < fields.size(); i++) {
            picked.add(c.call("HRANDFIELD", "myhash"));
        }
        assertEquals(fields, picked); // one field at a time, each of them in turn
        List<?> all = (List<?>) c.call("HRANDFIELD", "myhash", "10");
        assertEquals(fields, new HashSet<>(all)); // more than it holds: each field once
        assertEquals(5, all.size());
        List<?> three = (List<?>) c.call("HRANDFIELD", "myhash", "3");
        assertEquals(3, new HashSet<>(three).size()); // distinct
        assertTrue(fields.containsAll(three));
        List<?> repeated = (List<?>) c.call("HRANDFIELD", "myhash", "-20");
        assertEquals(20, repeated.size());
        assertTrue(fields.containsAll(repeated));
        List<?> pairs = (List<?>) c.call("HRANDFIELD", "myhash", "-6", "WITHVALUES");
        assertEquals(12, pairs.size());
        for (int i = 0; i < pairs.size(); i += 2) {
            assertEquals(pairs.get(i + 1), c.call("HGET", "myhash", (String) pairs.get(i)));
        }
    }

    @Test
    void aHashMovesWholeAcrossShardsInItsEncoding() throws Exception {
        String[] k = KvStringsTest.otherShards("hmove"); // owned by two of the shards
        List<Object> order = List.of("f1", "f2", "f3");
        assertEquals(3L, c.call("HSET", k[0], "f1", "v1", "f2", "22", "f3", "v3"));
        assertEquals("OK", c.call("RENAME", k[0], k[1])); // packed after another key on another shard
        assertEquals(order, c.call("HKEYS", k[1]));
        assertEquals("listpack", c.call("OBJECT", "ENCODING", k[1]));
        // the entry and one array: the key, then the listpack's 2 bytes of count and 3 x (1 + 2 + 1 + 2) of fields
        assertEquals(KeyTable.ENTRY_BYTES + KeyTable.arrayBytes(k[1].length() + 20), c.call("MEMORY", "USAGE", k[1]));
        assertEquals(1L, c.call("COPY", k[1], k[0]));
        assertEquals(1L, c.call("COPY", k[1], "a-longer-key-than-the-others-here"));
        assertEquals(1L, c.call("HSET", k[0], "f4", "only-in-the-copy"));
        assertEquals(order, c.call("HKEYS", k[1]));
        assertEquals(List.of("v1", "22", "v3"), c.call("HVALS", "a-longer-key-than-the-others-here"));
        assertEquals(23L, c.call("HINCRBY", "a-longer-key-than-the-others-here", "f2", "1"));
        assertEquals("22", c.call("HGET", k[1], "f2"));
        assertEquals("listpack", c.call("OBJECT", "ENCODING", k[0]));
        assertEquals("hash", c.call("TYPE", k[0]));
        for (String[] wrong : new String[][] {{"GET", k[1]}, {"APPEND", k[1], "x"}, {"LPUSH", k[1], "x"},
                {"SADD", k[1], "x"}, {"ZADD", k[1], "1", "x"}, {"INCR", k[1]}}) {
            assertError("WRONGTYPE", c.call(wrong));
        }
        assertEquals(4L, c.call("HDEL", k[0], "f1", "f2", "f3", "f4"));
        assertEquals(0L, c.call("EXISTS", k[0])); // an emptied hash is no key
        for (int i = 0; i < 600; i++) {
            c.call("HSET", k[0], "f" + i, "v" + i);
        }
        assertEquals("OK", c.call("RENAME", k[0], "big-" + k[1]));
        assertEquals(1L, c.call("COPY", "big-" + k[1], k[0]));
        for (String key : List.of(k[0], "big-" + k[1])) {
            assertEquals("hashtable", c.call("OBJECT", "ENCODING", key));
            assertEquals(600L, c.call("HLEN", key));
            assertEquals("v599", c.call("HGET", key, "f599"));
        }
        assertEquals("OK", c.call("SET", k[1], "a string now"));
        assertError("WRONGTYPE", c.call("HGET", k[1], "f1"));
        assertEquals("a string now", c.call("GET", k[1]));
    }

    @Test
    void hscanSeesEveryFieldOfBothEncodings() throws Exception {
        c.call("HSET", "small", "a", "1", "b", "2", "key:1", "3");
        assertEquals(List.of("0", List.of("a", "1", "b", "2", "key:1", "3")), c.call("HSCAN", "small", "0"));
        assertEquals(List.of("0", List.of("key:1", "3")), c.call("HSCAN", "small", "0", "MATCH", "key:*"));
        assertEquals(List.of("0", List.of()), c.call("HSCAN", "nokey", "0"));
        assertEquals(error("ERR invalid cursor"), c.call("HSCAN", "small", "x"));
        assertEquals(error("ERR syntax error"), c.call("HSCAN", "small", "0", "COUNT", "0"));
        assertEquals(error("ERR syntax error"), c.call("HSCAN", "small", "0", "MATCH"));
        Map<Object, Object> expected = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            c.call("HSET", "big", "f" + i, "v" + i);
            expected.put("f" + i, "v" + i);
        }
        Map<Object, Object> seen = new HashMap<>();
        String cursor = "0";
        int calls = 0;
        do {
            List<?> page = (List<?>) c.call("HSCAN", "big", cursor, "COUNT", "100");
            cursor = (String) page.get(0);
            List<?> flat = (List<?>) page.get(1);
            for (int i = 0; i < flat.size(); i += 2) {
                seen.put(flat.get(i), flat.get(i + 1));
            }
            calls++;
        } while (!cursor.equals("0"));
        assertEquals(expected, seen);
        assertTrue(calls > 1, "a hashtable is walked in steps");
    }

    @Test
    void resp3RepliesAreMaps() throws Exception {
        try (RespClient r3 = server.client()) {
            r3.call("HELLO", "3");
            r3.call("HSET", "h", "a", "1", "b", "2");
            assertEquals(Map.of("a", "1", "b", "2"), r3.call("HGETALL", "h"));
            assertEquals(Map.of(), r3.call("HGETALL", "nokey"));
            List<?> pairs = (List<?>) r3.call("HRANDFIELD", "h", "2", "WITHVALUES");
            assertEquals(2, pairs.size());
            assertEquals(2, ((List<?>) pairs.get(0)).size()); // [field, value] pairs in RESP3
        }
    }
}
