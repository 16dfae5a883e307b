package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SET, MSET, GETSET, SETEX and INCR write a string over its key's own array when a new one would take
 * the same heap bytes: what replies, COPY, DUMP and the log took of the old value stays as it
 * was, the value's length (not its array's) is what everyone reads and logs, and such a write
 * allocates nothing on the shard thread.
 */
@org.junit.jupiter.api.Tag("allocation") // measured in a JVM of its own: see examples/pom.xml
class KvStringsInPlaceTest {
    @TempDir
    Path dir;

    @Test
    void aValueWrittenOverInPlaceLeavesWhatOthersTookOfTheOldOne() throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO);
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals("OK", c.call("SET", "k", "abcdefgh"));
            assertEquals("abcdefgh", c.call("GETSET", "k", "ABCDEFGH"));
            assertEquals("ABCDEFGH", c.call("SET", "k", "12345678", "GET"));
            assertEquals(1L, c.call("COPY", "k", "copied"));
            Object dumped = c.call("DUMP", "k");
            assertEquals("OK", c.call("SET", "k", "xyz")); // 3 bytes in the 8-byte array
            assertEquals("12345678", c.call("GET", "copied"));
            assertEquals(dumped, c.call("DUMP", "copied"));
            assertEquals("OK", c.call("SET", "fresh", "xyz"));
            assertEquals(c.call("DUMP", "fresh"), c.call("DUMP", "k"), "the value's bytes, not its array's");
            assertEquals("xyz", c.call("GET", "k"));
            assertEquals(3L, c.call("STRLEN", "k"));
            assertEquals("yz", c.call("GETRANGE", "k", "1", "-1"));
            assertEquals(4L, c.call("APPEND", "k", "!"));
            assertEquals("xyz!", c.call("GET", "k"));
            assertEquals("OK", c.call("MSET", "k", "ab", "m", "cd"));
            assertEquals(List.of("ab", "cd"), c.call("MGET", "k", "m"));
            assertEquals("OK", c.call("SETEX", "k", "1000", "ef"));
            assertEquals("OK", c.call("RENAME", "k", "renamed"));
            assertEquals("OK", c.call("SET", "renamed", "gh"));
            assertEquals("gh", c.call("GET", "renamed"));

            assertEquals("OK", c.call("SET", "n", "7"));
            for (int i = 8; i <= 12; i++) {
                assertEquals((long) i, c.call("INCR", "n")); // 9 to 10: one digit more, same array size
            }
            assertEquals("12", c.call("GET", "n"));
            assertEquals(-988L, c.call("DECRBY", "n", "1000"));
            assertEquals(9_999_999_999L, c.call("INCRBY", "n", Long.toString(9_999_999_999L + 988))); // 10 digits: a new array
            assertEquals("int", c.call("OBJECT", "ENCODING", "n"));
            assertEquals("OK", c.call("SET", "n", "abc"));
            assertEquals("embstr", c.call("OBJECT", "ENCODING", "n"));
            assertEquals("abc", c.call("GET", "n"));
            assertEquals(-1L, c.call("TTL", "n"));
        }
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals(List.of("12345678", "gh", "abc", "cd"), c.call("MGET", "copied", "renamed", "n", "m"));
            assertEquals(-2L, c.call("TTL", "k"));
        }
    }

    @Test
    void incrAndSetOfAnExistingStringAllocateNothing() throws Exception {
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC),
                "atoll.io.buffers.debug = false");
             RespClient c = server.client()) {
            for (int i = 0; i < 1_000; i++) {
                c.call("SET", "key:" + i, "abc");
                c.call("SET", "counter:" + i, "10");
            }
            for (int warmUp = 0; warmUp < 3; warmUp++) {
                allocatedPer(c, "INCR", "counter:");
                allocatedPer(c, "SET", "key:");
            }
            // The least of three rounds: what the commands allocate, without a round that also paid for the
            // shard's periodic work (the log's sync each second, a rewrite), which a loaded machine stretches.
            long incr = Long.MAX_VALUE;
            long set = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                incr = Math.min(incr, allocatedPer(c, "INCR", "counter:"));
                set = Math.min(set, allocatedPer(c, "SET", "key:"));
            }
            String figures = "bytes allocated on the shard thread per INCR: " + incr + ", per SET of a 3-byte value: " + set;
            System.out.println(figures);
            // A new value array each: 41-43 bytes per command measured; 8-10 without.
            assertTrue(incr < 20, figures);
            assertTrue(set < 20, figures);
        }
    }

    /** Bytes the shard thread allocated per {@code command} of an existing key, 16 commands per write. */
    private static long allocatedPer(RespClient c, String command, String prefix) throws Exception {
        int depth = 16;
        int commands = 64_000;
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        long before = KvBatchingTest.sum(KvBatchingTest.shardCounter(c, "allocated_bytes"));
        for (int i = 0; i < commands / depth; i++) {
            pipeline.reset();
            for (int k = 0; k < depth; k++) {
                String key = prefix + ((i * depth + k) % 1_000);
                pipeline.writeBytes(command.equals("SET") ? RespClient.encode("SET", key, "xyz") : RespClient.encode(command, key));
            }
            c.sendRaw(pipeline.toByteArray());
            for (int k = 0; k < depth; k++) {
                c.read();
            }
        }
        return (KvBatchingTest.sum(KvBatchingTest.shardCounter(c, "allocated_bytes")) - before) / commands;
    }
}
