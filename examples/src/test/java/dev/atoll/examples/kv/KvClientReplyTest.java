package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static dev.atoll.examples.kv.KvBlockingTest.awaitBlocked;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * CLIENT REPLY ON|OFF|SKIP as redis-server 7.0.15 answers it: which replies are dropped, in a pipeline whose
 * commands run here and on the other shard, a blocked command's reply, and pub/sub messages (sent in every mode).
 */
class KvClientReplyTest {
    /** A pipeline and what redis-server 7.0.15 answers to it (recorded from it; re-checked live when installed). */
    private static final List<String> PIPELINE = List.of("CLIENT REPLY SKIP", "PING a", "CLIENT REPLY OFF", "PING b",
            "CLIENT REPLY FOO", "CLIENT REPLY ON", "PING c", "CLIENT REPLY SKIP", "CLIENT REPLY ON", "PING d",
            "CLIENT REPLY OFF", "RESET", "PING e", "CLIENT REPLY SKIP", "CLIENT REPLY OFF", "CLIENT REPLY ON",
            "CLIENT REPLY OFF", "CLIENT REPLY SKIP", "CLIENT REPLY ON", "CLIENT REPLY SKIP", "CLIENT REPLY SKIP",
            "PING f", "PING g", "CLIENT REPLY SKIP", "MULTI", "PING h", "EXEC", "CLIENT REPLY SKIP", "GET k",
            "PING i", "CLIENT REPLY OFF", "SET k v", "CLIENT REPLY ON", "CLIENT REPLY", "PING j");
    private static final List<Object> REDIS_REPLIES = List.of("OK", "c", "OK", "d", "RESET", "e", "OK", "OK", "g",
            "QUEUED", List.of("h"), "i", "OK",
            new RespClient.Error("ERR wrong number of arguments for 'client|reply' command"), "j");

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void answersAsRedisDoes(int shards) throws Exception {
        try (KvTestServer kv = server(shards); RespClient c = kv.client()) {
            assertEquals(REDIS_REPLIES, exchange(c, PIPELINE));
        }
    }

    @Test
    void theRecordingIsRedisOwn() throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedisServer(port);
        try (RespClient c = KvRedisComparisonTest.connect(port)) {
            assertEquals(REDIS_REPLIES, exchange(c, PIPELINE));
        } finally {
            redis.destroy();
        }
    }

    /**
     * Replies made on the other shard are dropped in their turn too: under OFF every SET and GET of keys on both
     * shards, then under SKIP the first of each pair of GETs; nothing dropped shows up, nothing kept goes missing.
     */
    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void dropsRepliesFromEveryShardInTheirTurn(int shards) throws Exception {
        try (KvTestServer kv = server(shards); RespClient c = kv.client()) {
            List<String> pipeline = new ArrayList<>(List.of("CLIENT REPLY OFF"));
            for (int i = 0; i < 64; i++) {
                pipeline.add("SET key:" + i + " v" + i);
                pipeline.add("GET key:" + i);
            }
            pipeline.add("CLIENT REPLY ON");
            List<Object> expected = new ArrayList<>(List.of("OK"));
            for (int i = 0; i < 64; i++) {
                pipeline.add("CLIENT REPLY SKIP");
                pipeline.add("GET key:" + i);
                pipeline.add("GET key:" + i);
                expected.add("v" + i);
            }
            pipeline.add("PING end");
            expected.add("end");
            assertEquals(expected, exchange(c, pipeline));
        }
    }

    /** A blocking command's reply under SKIP is dropped when a push from another client ends it, wherever its key is. */
    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void aBlockedCommandsReplyIsDroppedWhenItEnds(int shards) throws Exception {
        try (KvTestServer kv = server(shards); RespClient c = kv.client(); RespClient pusher = kv.client()) {
            for (String key : List.of("list:a", "list:b", "list:c", "list:d")) {
                c.send("CLIENT", "REPLY", "SKIP");
                c.send("BLPOP", key, "0");
                awaitBlocked(pusher, 1);
                assertEquals(1L, pusher.call("RPUSH", key, "x"));
                assertEquals("PONG", c.call("PING"), "the BLPOP's reply on " + key + " was dropped");
                assertEquals(0L, pusher.call("LLEN", key), "the BLPOP took the element");
            }
        }
    }

    /** As redis-server 7.0.15: a subscriber under OFF still gets its messages; ON answers OK. */
    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void messagesAreSentUnderOff(int shards) throws Exception {
        try (KvTestServer kv = server(shards); RespClient subscriber = kv.client(); RespClient publisher = kv.client()) {
            subscriber.call("HELLO", "3");
            assertEquals(new RespClient.Push(List.of("subscribe", "ch", 1L)), subscriber.call("SUBSCRIBE", "ch"));
            subscriber.send("CLIENT", "REPLY", "OFF");
            assertEquals(1L, publisher.call("PUBLISH", "ch", "m1"));
            assertEquals(new RespClient.Push(List.of("message", "ch", "m1")), subscriber.read());
            assertEquals("OK", subscriber.call("CLIENT", "REPLY", "ON"));
            assertEquals(1L, publisher.call("PUBLISH", "ch", "m2"));
            assertEquals(new RespClient.Push(List.of("message", "ch", "m2")), subscriber.read());
        }
    }

    private static KvTestServer server(int shards) throws Exception {
        return KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    /**
     * Sends {@code pipeline} (space-separated words) at once, then reads replies up to the last command's,
     * which must be answered: what it read, in order.
     */
    private static List<Object> exchange(RespClient c, List<String> pipeline) throws Exception {
        StringBuilder inline = new StringBuilder();
        for (String command : pipeline) {
            inline.append(command).append("\r\n");
        }
        c.sendRaw(inline.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String last = pipeline.getLast();
        Object lastReply = last.startsWith("PING ") ? last.substring(5) : null;
        List<Object> replies = new ArrayList<>();
        Object reply;
        do {
            reply = c.read();
            replies.add(reply);
        } while (!reply.equals(lastReply) && replies.size() <= pipeline.size());
        assertEquals(lastReply, reply, () -> "no reply to the last command; read: "
                + replies.stream().map(String::valueOf).collect(Collectors.joining(", ")));
        return replies;
    }
}
