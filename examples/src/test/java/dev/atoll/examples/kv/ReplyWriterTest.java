package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Issue 19, item 1: a reply past what a writer (a Java array) holds is refused before anything is
 * allocated, and becomes an error reply; the shard goes on. Sizes near 2 GiB are shown through the
 * capacity arithmetic alone, and whole replies with a writer of a small limit.
 */
class ReplyWriterTest {
    private static final int MAX = ReplyWriter.MAX_CAPACITY;

    @Test
    void capacityIsComputedInLongsAndNeverPassesTheLimit() {
        int gib = 1 << 30;
        // 1.5 GiB held and 1 GiB more: int arithmetic wrapped to a negative size and wrote out of bounds.
        assertThrows(ReplyWriter.TooLarge.class, () -> ReplyWriter.grownCapacity(gib + gib / 2, gib + gib / 2, gib, MAX));
        // A 1.1 GiB array doubled passes 2 GiB: capped at the limit, not wrapped to a negative capacity.
        assertEquals(MAX, ReplyWriter.grownCapacity(1100 << 20, 1100 << 20, 100, MAX));
        assertThrows(ReplyWriter.TooLarge.class, () -> ReplyWriter.grownCapacity(MAX, MAX - 10, 11, MAX));
        assertEquals(MAX, ReplyWriter.grownCapacity(MAX - 100, MAX - 100, 100, MAX));
        assertEquals(64, ReplyWriter.grownCapacity(32, 32, 1, MAX), "doubled");
        assertEquals(1000, ReplyWriter.grownCapacity(32, 32, 968, MAX), "just enough");
    }

    @Test
    void anAppendPastTheLimitThrowsAndTheWriterGoesOnFromAMark() {
        ReplyWriter out = new ReplyWriter(16, 100);
        out.bulk("x".repeat(50));
        int mark = out.size();
        assertThrows(ReplyWriter.TooLarge.class, () -> out.bulk("y".repeat(50)));
        out.truncate(mark);
        out.integer(7);
        assertEquals("$50\r\n" + "x".repeat(50) + "\r\n:7\r\n", text(out));
    }

    @Test
    void aReplyLargerThanItsWriterIsAnErrorAndTheShardGoesOn() {
        KvShard shard = new KvShard(0, new KeyTable(), KvTestServer.settings(null, KvSettings.FsyncPolicy.NO), 1);
        ReplyWriter out = new ReplyWriter(16, 200);
        shard.execute(Command.SET, request("SET", "a", "1".repeat(80)), out, 0);
        shard.execute(Command.SET, request("SET", "b", "2".repeat(80)), out, 0);
        out.clear();
        out.integer(1); // a reply before it stays
        shard.execute(Command.MGET, request("MGET", "a", "b", "a"), out, 0);
        assertEquals(":1\r\n-ERR reply too large: it would take 269 bytes of a buffer that holds at most 200\r\n",
                text(out));
        out.clear();
        shard.execute(Command.MGET, request("MGET", "a", "b"), out, 0);
        assertEquals("*2\r\n$80\r\n" + "1".repeat(80) + "\r\n$80\r\n" + "2".repeat(80) + "\r\n", text(out));
    }

    private static Request request(String... args) {
        byte[] bytes = RespClient.encode(args);
        Request r = new Request();
        assertEquals(bytes.length, new RespParser(1 << 20).parse(bytes, 0, bytes.length, r));
        return r;
    }

    private static String text(ReplyWriter out) {
        return new String(out.bytes(), 0, out.size(), StandardCharsets.ISO_8859_1);
    }
}
