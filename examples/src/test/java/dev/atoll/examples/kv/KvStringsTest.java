package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strings and keys beyond GET/SET, with the assertions of Redis 7.0's tests/unit/type/string.tcl,
 * tests/unit/keyspace.tcl and tests/unit/bitops.tcl ported (and the examples of its command
 * reference); three shards, so that keys of one command are found on one shard or on several.
 */
class KvStringsTest extends KvSharedServerTest {
    /** Names {@code prefix0, prefix1, ...} whose keys all live on one shard, the shard of {@code prefix0}. */
    static String[] sameShard(String prefix, int count) {
        String[] names = new String[count];
        int owner = -1;
        for (int i = 0, found = 0; found < count; i++) {
            byte[] key = (prefix + i).getBytes();
            int shard = KeySlots.owner(key, 0, key.length, SHARDS);
            if (owner < 0) {
                owner = shard;
            }
            if (shard == owner) {
                names[found++] = prefix + i;
            }
        }
        return names;
    }

    /** Two names owned by different shards. */
    static String[] otherShards(String prefix) {
        String first = prefix + 0;
        byte[] a = first.getBytes();
        int owner = KeySlots.owner(a, 0, a.length, SHARDS);
        for (int i = 1; ; i++) {
            byte[] b = (prefix + i).getBytes();
            if (KeySlots.owner(b, 0, b.length, SHARDS) != owner) {
                return new String[] {first, prefix + i};
            }
        }
    }

    @Test
    void setexPsetexGetsetGetex() throws Exception {
        assertEquals("OK", c.call("SETEX", "x", "12", "test"));
        long ttl = (Long) c.call("TTL", "x");
        assertTrue(ttl >= 10 && ttl <= 12, "ttl " + ttl);
        assertEquals("test", c.call("GET", "x"));
        assertEquals("OK", c.call("PSETEX", "p", "100000", "v"));
        assertTrue((Long) c.call("PTTL", "p") > 99_000);
        assertError("ERR invalid expire time in 'setex' command", c.call("SETEX", "z", "-10", "foo"));
        assertError("ERR invalid expire time in 'psetex' command", c.call("PSETEX", "z", "0", "foo"));
        assertEquals(error("ERR value is not an integer or out of range"), c.call("SETEX", "z", "ten", "foo"));
        assertEquals(error("ERR wrong number of arguments for 'setex' command"), c.call("SETEX", "z", "1"));

        assertNull(c.call("GETSET", "foo", "xyz"));
        assertEquals("xyz", c.call("GET", "foo"));
        assertEquals(1L, c.call("EXPIRE", "foo", "100"));
        assertEquals("xyz", c.call("GETSET", "foo", "bar"));
        assertEquals(-1L, c.call("TTL", "foo")); // GETSET is a SET: the expiry goes

        assertEquals("bar", c.call("GETEX", "foo", "EX", "10"));
        ttl = (Long) c.call("TTL", "foo");
        assertTrue(ttl >= 5 && ttl <= 10, "ttl " + ttl);
        assertEquals("bar", c.call("GETEX", "foo", "PX", "10000"));
        assertTrue((Long) c.call("PTTL", "foo") > 5000);
        long at = System.currentTimeMillis() / 1000 + 200;
        assertEquals("bar", c.call("GETEX", "foo", "EXAT", Long.toString(at)));
        assertEquals(at, c.call("EXPIRETIME", "foo"));
        assertEquals("bar", c.call("GETEX", "foo", "PERSIST"));
        assertEquals(-1L, c.call("TTL", "foo"));
        assertEquals("bar", c.call("GETEX", "foo"));
        assertError("ERR syntax error", c.call("GETEX", "foo", "non-existent-option"));
        assertError("ERR syntax error", c.call("GETEX", "foo", "EX", "10", "PERSIST"));
        assertError("ERR syntax error", c.call("GETEX", "foo", "EX"));
        assertEquals(error("ERR invalid expire time in 'getex' command"), c.call("GETEX", "foo", "EX", "0"));
        assertEquals(error("ERR value is not an integer or out of range"), c.call("GETEX", "foo", "PX", "x"));
        assertNull(c.call("GETEX", "missing", "EX", "0")); // the key is looked up before the time is checked
        assertEquals("bar", c.call("GETEX", "foo", "PXAT", "1")); // a time in the past deletes it
        assertEquals(0L, c.call("EXISTS", "foo"));
        assertEquals(error("ERR wrong number of arguments for 'getex' command"), c.call("GETEX"));
    }

    @Test
    void setrangeAndGetrange() throws Exception {
        assertEquals(3L, c.call("SETRANGE", "mykey", "0", "foo"));
        assertEquals("foo", c.call("GET", "mykey"));
        assertEquals(0L, c.call("SETRANGE", "none", "0", ""));
        assertEquals(0L, c.call("EXISTS", "none"));
        assertEquals(4L, c.call("SETRANGE", "pad", "1", "foo"));
        assertEquals("\0foo", c.call("GET", "pad"));
        assertEquals("OK", c.call("SET", "mykey", "foo"));
        assertEquals(3L, c.call("SETRANGE", "mykey", "0", "b"));
        assertEquals("boo", c.call("GET", "mykey"));
        assertEquals(3L, c.call("SETRANGE", "mykey", "0", ""));
        assertEquals(3L, c.call("SETRANGE", "mykey", "1", "b"));
        assertEquals("bbo", c.call("GET", "mykey"));
        assertEquals(7L, c.call("SETRANGE", "mykey", "4", "bar"));
        assertEquals("bbo\0bar", c.call("GET", "mykey"));
        assertEquals(error("ERR offset is out of range"), c.call("SETRANGE", "mykey", "-1", "world"));
        long max = KvTestServer.INPUT.protoMaxBulkLen();
        assertEquals(error("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
                c.call("SETRANGE", "mykey", Long.toString(max - 4), "world"));
        assertEquals(1L, c.call("HSET", "h", "f", "v"));
        assertEquals(error(KvShard.WRONGTYPE), c.call("SETRANGE", "h", "0", "x"));

        assertEquals("", c.call("GETRANGE", "missing", "0", "-1"));
        assertEquals("OK", c.call("SET", "mykey", "Hello World"));
        assertEquals("Hell", c.call("GETRANGE", "mykey", "0", "3"));
        assertEquals("Hello World", c.call("GETRANGE", "mykey", "0", "-1"));
        assertEquals("orld", c.call("GETRANGE", "mykey", "-4", "-1"));
        assertEquals("", c.call("GETRANGE", "mykey", "5", "3"));
        assertEquals(" World", c.call("GETRANGE", "mykey", "5", "5000"));
        assertEquals("Hello World", c.call("GETRANGE", "mykey", "-5000", "10000"));
        assertEquals("", c.call("GETRANGE", "mykey", "-1", "-5"));
        assertEquals("Hell", c.call("SUBSTR", "mykey", "0", "3"));
        assertEquals(error("ERR value is not an integer or out of range"), c.call("GETRANGE", "mykey", "a", "3"));
        assertEquals(error(KvShard.WRONGTYPE), c.call("GETRANGE", "h", "0", "1"));
    }

    @Test
    void incrbyfloatFormatsAsRedis() throws Exception {
        assertEquals("1", c.call("INCRBYFLOAT", "novar", "1"));
        assertEquals("1", c.call("GET", "novar"));
        assertEquals("1.25", c.call("INCRBYFLOAT", "novar", "0.25"));
        assertEquals("OK", c.call("SET", "novar", "1.5"));
        assertEquals("3", c.call("INCRBYFLOAT", "novar", "1.5"));
        assertEquals("OK", c.call("SET", "novar", "17179869184"));
        assertEquals("17179869185.5", c.call("INCRBYFLOAT", "novar", "1.5"));
        assertEquals("OK", c.call("SET", "novar", "17179869184"));
        assertEquals("34359738368", c.call("INCRBYFLOAT", "novar", "17179869184"));
        assertEquals("OK", c.call("SET", "novar", "10.5"));
        assertEquals("10.6", c.call("INCRBYFLOAT", "novar", "0.1"));
        assertEquals("5000", c.call("INCRBYFLOAT", "e", "5.0e3"));
        assertEquals("-0.1", c.call("INCRBYFLOAT", "one", "-0.1"));
        for (String spaced : new String[] {"    11", "11    ", "11 11"}) {
            assertEquals("OK", c.call("SET", "novar", spaced));
            assertEquals(error("ERR value is not a valid float"), c.call("INCRBYFLOAT", "novar", "1"));
        }
        assertEquals("OK", c.call("SET", "foo", "0"));
        assertEquals(error("ERR increment would produce NaN or Infinity"), c.call("INCRBYFLOAT", "foo", "+inf"));
        assertEquals(error("ERR value is not a valid float"), c.call("INCRBYFLOAT", "foo", "nan"));
        assertEquals(error("ERR value is not a valid float"), c.call("INCRBYFLOAT", "foo", "1x"));
        assertEquals("OK", c.call("SET", "foo", "1"));
        assertEquals(3L, c.call("SETRANGE", "foo", "2", "2"));
        assertEquals(error("ERR value is not a valid float"), c.call("INCRBYFLOAT", "foo", "1")); // "1\02"
        assertEquals("0.0243902439", c.call("INCRBYFLOAT", "zero", "0.0243902439"));
        assertEquals("0", c.call("INCRBYFLOAT", "zero", "-0.0243902439")); // never "-0"
        assertEquals(1L, c.call("HSET", "h", "f", "v"));
        assertEquals(error(KvShard.WRONGTYPE), c.call("INCRBYFLOAT", "h", "1"));
        assertEquals(1L, c.call("EXPIRE", "zero", "100"));
        assertEquals("1", c.call("INCRBYFLOAT", "zero", "1"));
        assertTrue((Long) c.call("TTL", "zero") > 0); // the expiry stays
    }

    @Test
    void msetnxOnOneShardAndRefusedAcrossShards() throws Exception {
        String[] k = sameShard("x", 3);
        assertEquals("OK", c.call("SET", k[0], "xxx"));
        assertEquals(0L, c.call("MSETNX", k[0], "xxx", k[1], "yyy"));
        assertEquals(0L, c.call("EXISTS", k[1]));
        assertEquals(1L, c.call("MSETNX", k[1], "xxx", k[2], "yyy"));
        assertEquals("yyy", c.call("GET", k[2]));
        assertEquals(1L, c.call("DEL", k[1]));
        assertEquals(1L, c.call("MSETNX", k[1], "xxx", k[1], "yyy")); // the same key twice: the last wins
        assertEquals("yyy", c.call("GET", k[1]));
        assertEquals(0L, c.call("MSETNX", k[1], "xxx", k[1], "zzz"));
        assertEquals("yyy", c.call("GET", k[1]));
        assertEquals(error("ERR wrong number of arguments for 'msetnx' command"), c.call("MSETNX", k[1], "a", k[2]));
        String[] apart = otherShards("m");
        assertEquals(1L, c.call("MSETNX", apart[0], "1", apart[1], "2")); // across shards: a transaction
        assertEquals(0L, c.call("MSETNX", apart[0], "3", "fresh", "4"));
        assertEquals(java.util.Arrays.asList("1", "2", null), c.call("MGET", apart[0], apart[1], "fresh"));
    }

    @Test
    void lcsAsTheCommandReference() throws Exception {
        String[] k = sameShard("virus", 2);
        assertEquals("OK", c.call("MSET", k[0], "ohmytext", k[1], "mynewtext"));
        assertEquals("mytext", c.call("LCS", k[0], k[1]));
        assertEquals(6L, c.call("LCS", k[0], k[1], "LEN"));
        assertEquals(List.of("matches", List.of(List.of(List.of(4L, 7L), List.of(5L, 8L)),
                List.of(List.of(2L, 3L), List.of(0L, 1L))), "len", 6L), c.call("LCS", k[0], k[1], "IDX"));
        assertEquals(List.of("matches", List.of(List.of(List.of(4L, 7L), List.of(5L, 8L), 4L)), "len", 6L),
                c.call("LCS", k[0], k[1], "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"));
        assertEquals(error("ERR If you want both the length and indexes, please just use IDX."),
                c.call("LCS", k[0], k[1], "IDX", "LEN"));
        assertEquals(error("ERR syntax error"), c.call("LCS", k[0], k[1], "FOO"));
        assertEquals("", c.call("LCS", k[0], sameShard("virus", 3)[2]));
        assertEquals(1L, c.call("DEL", k[1]));
        assertEquals(1L, c.call("HSET", k[1], "f", "v"));
        assertEquals(error("ERR The specified keys must contain string values"), c.call("LCS", k[0], k[1]));
        String[] apart = otherShards("l");
        assertEquals("OK", c.call("MSET", apart[0], "ohmytext", apart[1], "mynewtext"));
        assertEquals(6L, c.call("LCS", apart[0], apart[1], "LEN")); // across shards: a transaction
    }

    @Test
    void bitsAsBitopsTcl() throws Exception {
        assertEquals(0L, c.call("SETBIT", "mykey", "1", "1"));
        assertEquals("@", c.call("GET", "mykey")); // 0x40
        assertEquals("OK", c.call("SET", "mykey", "@"));
        assertEquals(0L, c.call("SETBIT", "mykey", "2", "1"));
        assertEquals("`", c.call("GET", "mykey"));
        assertEquals(1L, c.call("SETBIT", "mykey", "1", "0"));
        assertEquals(" ", c.call("GET", "mykey"));
        assertEquals("OK", c.call("SET", "mykey", "1"));
        assertEquals(0L, c.call("SETBIT", "mykey", "6", "1"));
        assertEquals("3", c.call("GET", "mykey"));
        for (String offset : new String[] {"-1", Long.toString(8L * KvTestServer.INPUT.protoMaxBulkLen()), "x"}) {
            assertEquals(error("ERR bit offset is not an integer or out of range"), c.call("SETBIT", "mykey", offset, "1"));
        }
        for (String bit : new String[] {"-1", "2", "10", "20", "x"}) {
            assertEquals(error("ERR bit is not an integer or out of range"), c.call("SETBIT", "mykey", "0", bit));
        }
        assertEquals(0L, c.call("GETBIT", "missing", "0"));
        assertEquals("OK", c.call("SET", "mykey", "`"));
        long[] bits = {0, 1, 1, 0, 0, 0, 0, 0, 0};
        for (int i = 0; i < bits.length; i++) {
            assertEquals(bits[i], c.call("GETBIT", "mykey", Integer.toString(i)));
        }
        assertEquals(0L, c.call("GETBIT", "mykey", "10000"));

        assertEquals(0L, c.call("BITCOUNT", "no-key"));
        assertEquals("OK", c.call("SET", "s", ""));
        assertEquals(0L, c.call("BITCOUNT", "s"));
        assertEquals("OK", c.call("SET", "s", "foobar"));
        assertEquals(26L, c.call("BITCOUNT", "s"));
        assertEquals(4L, c.call("BITCOUNT", "s", "0", "0"));
        assertEquals(6L, c.call("BITCOUNT", "s", "1", "1"));
        assertEquals(6L, c.call("BITCOUNT", "s", "1", "1", "BYTE"));
        assertEquals(17L, c.call("BITCOUNT", "s", "5", "30", "BIT"));
        assertEquals(26L, c.call("BITCOUNT", "s", "0", "-1"));
        assertEquals(0L, c.call("BITCOUNT", "s", "-1", "-2"));
        assertEquals(error("ERR syntax error"), c.call("BITCOUNT", "s", "0"));
        assertEquals(error("ERR syntax error"), c.call("BITCOUNT", "s", "0", "1", "hello"));
        assertEquals(error("ERR value is not an integer or out of range"), c.call("BITCOUNT", "s", "a", "1"));
        assertEquals(0L, c.call("SETBIT", "foo", "0", "1"));
        assertEquals(1L, c.call("BITCOUNT", "foo", "0", "4294967296"));

        assertEquals(0L, c.call("BITPOS", "no-key", "0"));
        assertEquals(-1L, c.call("BITPOS", "no-key", "1"));
        assertEquals(error("ERR The bit argument must be 1 or 0."), c.call("BITPOS", "s", "2"));
        bitString("v", 0xff, 0xf0, 0x00);
        assertEquals(12L, c.call("BITPOS", "v", "0"));
        bitString("v", 0x00, 0xff, 0xf0);
        assertEquals(8L, c.call("BITPOS", "v", "1", "0"));
        assertEquals(16L, c.call("BITPOS", "v", "1", "2"));
        assertEquals(16L, c.call("BITPOS", "v", "1", "2", "-1", "BYTE"));
        assertEquals(8L, c.call("BITPOS", "v", "1", "7", "15", "BIT"));
        bitString("v", 0x00, 0x00, 0x00);
        assertEquals(-1L, c.call("BITPOS", "v", "1"));
        assertEquals(-1L, c.call("BITPOS", "v", "1", "7", "-3", "BIT"));
        bitString("v", 0xff, 0xff, 0xff);
        assertEquals(24L, c.call("BITPOS", "v", "0")); // as if zero-padded on the right
        assertEquals(-1L, c.call("BITPOS", "v", "0", "0", "-1")); // but not with an end given
        assertEquals(-1L, c.call("BITPOS", "v", "0", "5", "3"));
        assertEquals(1L, c.call("HSET", "h", "f", "v"));
        for (String[] command : new String[][] {{"SETBIT", "h", "0", "1"}, {"GETBIT", "h", "0"}, {"BITCOUNT", "h"},
                {"BITPOS", "h", "1"}, {"GET", "h"}, {"APPEND", "h", "x"}, {"INCR", "h"}, {"STRLEN", "h"}}) {
            assertEquals(error(KvShard.WRONGTYPE), c.call(command), String.join(" ", command));
        }
    }

    /** Makes key {@code key} the bytes {@code octets} with SETBIT (the client sends text as UTF-8). */
    private static void bitString(String key, int... octets) throws Exception {
        c.call("DEL", key);
        for (int i = 0; i < octets.length * 8; i++) {
            c.call("SETBIT", key, Integer.toString(i), Integer.toString((octets[i / 8] >> (7 - i % 8)) & 1));
        }
    }

    @Test
    void renameAndCopyAsKeyspaceTcl() throws Exception {
        String[] k = sameShard("mykey", 3);
        assertEquals("OK", c.call("SET", k[0], "hello"));
        assertEquals("OK", c.call("RENAME", k[0], k[1]));
        assertEquals("OK", c.call("RENAME", k[1], k[2]));
        assertEquals("hello", c.call("GET", k[2]));
        assertEquals(0L, c.call("EXISTS", k[0], k[1]));
        assertEquals("OK", c.call("MSET", k[0], "a", k[1], "b"));
        assertEquals("OK", c.call("RENAME", k[1], k[0]));
        assertEquals("b", c.call("GET", k[0]));
        assertEquals(0L, c.call("EXISTS", k[1]));
        assertEquals(1L, c.call("RENAMENX", k[0], k[1]));
        assertEquals(List.of(Boolean.TRUE), List.of(c.call("GET", k[0]) == null));
        assertEquals("OK", c.call("MSET", k[0], "foo", k[1], "bar"));
        assertEquals(0L, c.call("RENAMENX", k[0], k[1]));
        assertEquals(List.of("foo", "bar"), c.call("MGET", k[0], k[1]));
        assertEquals(error("ERR no such key"), c.call("RENAME", "nokey", "nokey"));
        assertEquals("OK", c.call("RENAME", k[0], k[0]));
        assertEquals(0L, c.call("RENAMENX", k[0], k[0]));
        assertEquals(1L, c.call("EXPIRE", k[0], "100"));
        assertEquals("OK", c.call("RENAME", k[0], k[2]));
        long ttl = (Long) c.call("TTL", k[2]);
        assertTrue(ttl >= 95 && ttl <= 100, "ttl " + ttl); // the expiry moves with the value
        assertEquals("OK", c.call("SET", k[0], "a"));
        assertEquals("OK", c.call("RENAME", k[0], k[2]));
        assertEquals(-1L, c.call("TTL", k[2])); // and the target's is not inherited

        assertEquals("OK", c.call("SET", k[0], "foobar"));
        assertEquals(1L, c.call("DEL", k[1]));
        assertEquals(1L, c.call("COPY", k[0], k[1]));
        assertEquals("foobar", c.call("GET", k[1]));
        assertEquals("OK", c.call("SET", k[0], "hoge"));
        assertEquals("foobar", c.call("GET", k[1])); // the copy is independent
        assertEquals(0L, c.call("COPY", k[0], k[1]));
        assertEquals(1L, c.call("COPY", k[0], k[1], "REPLACE"));
        assertEquals("hoge", c.call("GET", k[1]));
        assertEquals(5L, c.call("APPEND", k[1], "!"));
        assertEquals("hoge", c.call("GET", k[0]));
        assertEquals(error("ERR value is not an integer or out of range"), c.call("COPY", k[0], k[1], "DB", "notanumber"));
        assertEquals(error("ERR DB index is out of range"), c.call("COPY", k[0], k[1], "DB", "10"));
        assertEquals(1L, c.call("COPY", k[0], k[1], "DB", "0", "REPLACE"));
        assertEquals(error("ERR source and destination objects are the same"), c.call("COPY", k[0], k[0]));
        assertEquals(0L, c.call("COPY", sameShard("mykey", 4)[3], k[2]));
        assertEquals("OK", c.call("SET", k[0], "foobar", "EX", "100"));
        assertEquals(1L, c.call("COPY", k[0], k[2], "REPLACE"));
        assertTrue((Long) c.call("TTL", k[2]) > 0);
        assertEquals(1L, c.call("DEL", k[0]));
        assertEquals(4L, c.call("HSET", k[0], "a", "1", "b", "2", "c", "3", "d", "4"));
        assertEquals(1L, c.call("COPY", k[0], k[2], "REPLACE"));
        assertEquals("hash", c.call("TYPE", k[2]));
        assertEquals(1L, c.call("HDEL", k[0], "a"));
        assertEquals(4L, c.call("HLEN", k[2]));
        assertEquals("OK", c.call("RENAME", k[2], k[1]));
        assertEquals("2", c.call("HGET", k[1], "b"));
    }

    @Test
    void renameAndCopyAcrossShardsMoveThroughTheMesh() throws Exception {
        String[] k = otherShards("move");
        String from = k[0];
        String to = k[1];
        assertEquals(error("ERR no such key"), c.call("RENAME", from, to));
        assertEquals(error("ERR no such key"), c.call("RENAMENX", from, to));
        assertEquals(0L, c.call("COPY", from, to));
        assertEquals("OK", c.call("SET", from, "v", "EX", "1000"));
        assertEquals("OK", c.call("SET", to, "old"));
        assertEquals("OK", c.call("RENAME", from, to));
        assertEquals("v", c.call("GET", to));
        assertTrue((Long) c.call("TTL", to) > 900); // the expiry moves with it
        assertEquals(0L, c.call("EXISTS", from));
        assertEquals(1L, c.call("RENAMENX", to, from));
        assertEquals("v", c.call("GET", from));
        assertEquals("OK", c.call("SET", to, "there"));
        assertEquals(0L, c.call("RENAMENX", from, to));
        assertEquals(List.of("v", "there"), c.call("MGET", from, to)); // nothing moved
        assertEquals(0L, c.call("COPY", from, to));
        assertEquals(1L, c.call("COPY", from, to, "REPLACE"));
        assertEquals(List.of("v", "v"), c.call("MGET", from, to));
        assertEquals(error("ERR syntax error"), c.call("COPY", from, to, "FOO"));
        assertEquals(error("ERR DB index is out of range"), c.call("COPY", from, to, "DB", "3"));
        assertEquals(2L, c.call("APPEND", to, "!"));
        assertEquals("v", c.call("GET", from)); // the copy is independent
        assertEquals(1L, c.call("DEL", from));
        assertEquals(2L, c.call("HSET", from, "a", "1", "b", "2"));
        assertEquals("OK", c.call("RENAME", from, to));
        assertEquals("hash", c.call("TYPE", to));
        assertEquals(List.of("1", "2"), c.call("HMGET", to, "a", "b"));
        assertEquals("listpack", c.call("OBJECT", "ENCODING", to));
        // Pipelined: each reply in its place, each move seen by the commands after it.
        for (int i = 0; i < 20; i++) {
            c.send("RENAME", i % 2 == 0 ? to : from, i % 2 == 0 ? from : to);
            c.send("HGET", i % 2 == 0 ? from : to, "a");
        }
        List<Object> replies = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            replies.add(c.read());
        }
        assertEquals(java.util.Collections.nCopies(20, List.of("OK", "1")).stream().flatMap(List::stream).toList(), replies);
        String[] apart = otherShards("r");
        assertEquals("OK", c.call("SET", apart[0], "v"));
        assertEquals("", c.call("LCS", apart[0], apart[1]));
        assertEquals("v", c.call("GET", apart[0]));
    }

    @Test
    void objectTouchRandomkeyTimeWaitExpiretime() throws Exception {
        assertEquals("OK", c.call("SET", "i", "12345"));
        assertEquals("int", c.call("OBJECT", "ENCODING", "i"));
        assertEquals(1L, c.call("OBJECT", "REFCOUNT", "i"));
        assertEquals("OK", c.call("SET", "small", "100"));
        assertEquals((long) Integer.MAX_VALUE, c.call("OBJECT", "REFCOUNT", "small")); // a shared integer, as in Redis
        assertEquals("OK", c.call("SET", "e", "hello"));
        assertEquals("embstr", c.call("OBJECT", "ENCODING", "e"));
        assertEquals(1L, c.call("OBJECT", "REFCOUNT", "e"));
        assertEquals("OK", c.call("SET", "r", "x".repeat(45)));
        assertEquals("raw", c.call("OBJECT", "ENCODING", "r"));
        assertEquals(6L, c.call("APPEND", "e", "!"));
        assertEquals("raw", c.call("OBJECT", "ENCODING", "e"));
        assertEquals("1", c.call("INCRBYFLOAT", "f", "1"));
        assertEquals("embstr", c.call("OBJECT", "ENCODING", "f"));
        assertEquals(2L, c.call("INCR", "f"));
        assertEquals("int", c.call("OBJECT", "ENCODING", "f"));
        assertNull(c.call("OBJECT", "ENCODING", "missing"));
        assertError("ERR An LFU maxmemory policy is not selected", c.call("OBJECT", "FREQ", "i"));
        assertEquals(error("ERR unknown subcommand 'foo'. Try OBJECT HELP."), c.call("OBJECT", "foo", "i"));
        assertEquals(error("ERR wrong number of arguments for 'object|encoding' command"), c.call("OBJECT", "ENCODING"));
        assertEquals(error("ERR wrong number of arguments for 'object' command"), c.call("OBJECT"));
        assertTrue(((List<?>) c.call("OBJECT", "HELP")).size() > 5);
        Thread.sleep(1100); // the idleness OBJECT IDLETIME measures
        assertTrue((Long) c.call("OBJECT", "IDLETIME", "i") >= 1);
        assertTrue((Long) c.call("OBJECT", "IDLETIME", "i") >= 1); // OBJECT itself does not touch
        assertEquals(1L, c.call("TOUCH", "i", "nothing"));
        assertEquals(0L, c.call("OBJECT", "IDLETIME", "i"));
        assertEquals("OK", c.call("MSET", "key1", "1", "key2", "2"));
        assertEquals(2L, c.call("TOUCH", "key0", "key1", "key2", "key3"));

        assertEquals("OK", c.call("FLUSHALL"));
        assertNull(c.call("RANDOMKEY"));
        assertEquals("OK", c.call("SET", "x", "10"));
        assertEquals(1L, c.call("DEL", "x"));
        assertNull(c.call("RANDOMKEY"));
        Set<Object> seen = new HashSet<>();
        for (String key : new String[] {"foo", "bar", "baz", "qux"}) {
            c.call("SET", key, "v");
        }
        for (int i = 0; i < 200 && seen.size() < 4; i++) {
            seen.add(c.call("RANDOMKEY"));
        }
        assertEquals(Set.of("foo", "bar", "baz", "qux"), seen);

        List<?> time = (List<?>) c.call("TIME");
        long seconds = Long.parseLong((String) time.get(0));
        assertTrue(Math.abs(seconds - System.currentTimeMillis() / 1000) <= 2, time.toString());
        assertTrue(Long.parseLong((String) time.get(1)) < 1_000_000);
        assertEquals(0L, c.call("WAIT", "0", "0"));
        assertEquals(0L, c.call("WAIT", "1", "100"));
        assertEquals(error("ERR timeout is negative"), c.call("WAIT", "0", "-1"));

        assertEquals(-2L, c.call("EXPIRETIME", "missing"));
        assertEquals(-1L, c.call("PEXPIRETIME", "foo"));
        long at = System.currentTimeMillis() + 100_000;
        assertEquals(1L, c.call("PEXPIREAT", "foo", Long.toString(at)));
        assertEquals(at, c.call("PEXPIRETIME", "foo"));
        assertEquals((at + 500) / 1000, c.call("EXPIRETIME", "foo"));
    }

    @Test
    void appendIsAmortized() throws Exception {
        // 256 appends of 64 KiB: 16 MiB, copied a logarithmic number of times (was 7-15 s copying every time).
        String chunk = "a".repeat(64 * 1024);
        for (int i = 1; i <= 256; i++) {
            assertEquals((long) i * chunk.length(), c.call("APPEND", "big", chunk));
        }
        assertEquals((long) 256 * chunk.length(), c.call("STRLEN", "big"));
        assertEquals("a".repeat(10), c.call("GETRANGE", "big", "-10", "-1"));
        assertEquals("raw", c.call("OBJECT", "ENCODING", "big"));
    }

    @Test
    void scanFiltersByType() throws Exception {
        assertEquals("OK", c.call("SET", "s", "1"));
        assertEquals(1L, c.call("HSET", "h", "f", "v"));
        assertEquals("hash", c.call("TYPE", "h"));
        Set<Object> hashes = new HashSet<>();
        String cursor = "0";
        do {
            List<?> page = (List<?>) c.call("SCAN", cursor, "TYPE", "hash");
            cursor = (String) page.get(0);
            hashes.addAll((List<?>) page.get(1));
        } while (!cursor.equals("0"));
        assertEquals(Set.of("h"), hashes);
    }
}
