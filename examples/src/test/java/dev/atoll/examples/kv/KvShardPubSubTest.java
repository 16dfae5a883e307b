package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis 7.0's shard channels: SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH, PUBSUB SHARDCHANNELS / SHARDNUMSUB —
 * a namespace apart from SUBSCRIBE's, messages as {@code smessage}, confirmations counting shard
 * channels apart — over two shards, checked reply by reply against what redis-server 7.0.15 answers
 * (the same script runs against it when it is installed).
 */
class KvShardPubSubTest {
    /** One step: which client (0 or 1) sends the command, and Redis 7.0.15's reply in RESP2 (a push: its array). */
    private record Step(int client, List<String> command, Object reply) {
    }

    private static Step step(int client, Object reply, String... command) {
        return new Step(client, List.of(command), reply);
    }

    private static List<Object> push(Object... items) {
        return Arrays.asList(items);
    }

    private static final String NOT_ALLOWED = "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT"
            + " / RESET are allowed in this context";

    /** What redis-server 7.0.15 answers to each step (read from it; {@link #theScriptIsRedisSOwn} checks it still does). */
    private static final List<Step> SCRIPT = List.of(
            step(0, push("ssubscribe", "a", 1L), "SSUBSCRIBE", "a"),
            step(0, push("ssubscribe", "b", 2L), "SSUBSCRIBE", "b"),
            step(0, push("subscribe", "x", 1L), "SUBSCRIBE", "x"),               // channels count apart
            step(0, push("ssubscribe", "c", 3L), "SSUBSCRIBE", "c"),
            step(1, 1L, "SPUBLISH", "a", "m1"),
            step(0, push("smessage", "a", "m1"), "READ"),
            step(1, 0L, "PUBLISH", "a", "m2"),                                  // another namespace
            step(1, 0L, "SPUBLISH", "x", "m3"),
            step(1, 1L, "PUBLISH", "x", "m4"),
            step(0, push("message", "x", "m4"), "READ"),
            step(1, List.of("a", "b", "c"), "PUBSUB", "SHARDCHANNELS"),
            step(1, List.of("b"), "PUBSUB", "SHARDCHANNELS", "b*"),
            step(1, List.of("x"), "PUBSUB", "CHANNELS"),
            step(1, List.of("a", 1L, "x", 0L), "PUBSUB", "SHARDNUMSUB", "a", "x"),
            step(1, List.of("a", 0L, "x", 1L), "PUBSUB", "NUMSUB", "a", "x"),
            step(1, List.of(), "PUBSUB", "SHARDNUMSUB"),
            step(0, new RespClient.Error(NOT_ALLOWED), "GET", "k"),
            step(0, push("sunsubscribe", "a", 2L), "SUNSUBSCRIBE", "a"),
            step(0, push("sunsubscribe", "nope", 2L), "SUNSUBSCRIBE", "nope"),
            step(0, push("unsubscribe", "x", 0L), "UNSUBSCRIBE"),
            step(0, List.of("pong", ""), "PING"),                              // shard channels keep the context
            step(0, push("sunsubscribe", "b", 1L), "SUNSUBSCRIBE", "b"),
            step(0, push("sunsubscribe", "c", 0L), "SUNSUBSCRIBE"),
            step(0, push("sunsubscribe", null, 0L), "SUNSUBSCRIBE"),
            step(0, "PONG", "PING"),                                           // a normal client again
            step(1, 0L, "SPUBLISH", "a", "m5"),
            step(1, new RespClient.Error("ERR wrong number of arguments for 'ssubscribe' command"), "SSUBSCRIBE"),
            step(1, new RespClient.Error("ERR wrong number of arguments for 'spublish' command"), "SPUBLISH", "a"),
            step(1, new RespClient.Error("ERR unknown subcommand or wrong number of arguments for 'SHARDCHANNELS'. "
                    + "Try PUBSUB HELP."), "PUBSUB", "SHARDCHANNELS", "a", "b"));

    /** Runs {@link #SCRIPT} on two clients of one server; returns each step that answered otherwise. */
    private static List<String> differences(RespClient[] clients) throws Exception {
        List<String> differences = new ArrayList<>();
        for (Step s : SCRIPT) {
            RespClient c = clients[s.client()];
            Object actual = s.command().get(0).equals("READ") ? c.read() : c.call(s.command().toArray(String[]::new));
            if (s.command().get(0).equals("PUBSUB") && s.command().get(1).endsWith("CHANNELS") && actual instanceof List<?> names) {
                actual = names.stream().map(String::valueOf).sorted().toList(); // in no order (Redis: its dict's)
            }
            if (!String.valueOf(s.reply()).equals(String.valueOf(actual))) {
                differences.add("client " + s.client() + " " + String.join(" ", s.command()) + ": expected " + s.reply()
                        + ", got " + actual);
            }
        }
        return differences;
    }

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void theShardChannelsAnswerAsRedis(int shards) throws Exception {
        try (KvTestServer kv = KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient subscriber = kv.client(); RespClient publisher = kv.client()) {
            assertEquals(List.of(), differences(new RespClient[] {subscriber, publisher}));
        }
    }

    /** The script's expected replies are redis-server's own (skipped when it is not installed). */
    @Test
    void theScriptIsRedisSOwn() throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedisServer(port);
        try (RespClient subscriber = KvRedisComparisonTest.connect(port); RespClient publisher = KvRedisComparisonTest.connect(port)) {
            assertEquals(List.of(), differences(new RespClient[] {subscriber, publisher}));
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Subscribers on both shards, RESP2 and RESP3: each receives every SPUBLISH of one publisher in
     * order, SPUBLISH counts them over the shards, CLIENT LIST shows {@code ssub}, and a closed
     * subscriber leaves its shard channels. (Seen failing with SPUBLISH delivering in SUBSCRIBE's namespace.)
     */
    @ParameterizedTest(name = "resp{0}")
    @ValueSource(ints = {2, 3})
    void shardMessagesReachSubscribersOnEveryShardInOrder(int protocol) throws Exception {
        boolean resp3 = protocol == 3;
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient admin = kv.client(); RespClient publisher = kv.client()) {
            List<RespClient> subscribers = new ArrayList<>();
            while (subscribers.size() < 4 || connectionsPerShardBelow(admin, 2)) {
                assertTrue(subscribers.size() < 64, "connections never reached every shard");
                RespClient s = kv.client();
                if (resp3) {
                    s.call("HELLO", "3");
                }
                Object confirmation = s.call("SSUBSCRIBE", "orders");
                assertEquals(resp3 ? new RespClient.Push(List.of("ssubscribe", "orders", 1L)) : List.of("ssubscribe", "orders", 1L),
                        confirmation);
                subscribers.add(s);
            }
            assertEquals(List.of("orders", (long) subscribers.size()), admin.call("PUBSUB", "SHARDNUMSUB", "orders"));
            assertTrue(((String) admin.call("CLIENT", "LIST")).contains(" ssub=1 "), "CLIENT LIST counts shard channels");
            int messages = 300;
            for (int m = 0; m < messages; m++) {
                publisher.send("SPUBLISH", "orders", "o" + m);
            }
            for (int m = 0; m < messages; m++) {
                assertEquals((long) subscribers.size(), publisher.read(), "receivers of message " + m);
            }
            for (int i = 0; i < subscribers.size(); i++) {
                for (int m = 0; m < messages; m++) {
                    List<Object> message = List.of("smessage", "orders", "o" + m);
                    assertEquals(resp3 ? new RespClient.Push(message) : message, subscribers.get(i).read(),
                            "subscriber " + i + ", message " + m);
                }
            }
            subscribers.get(0).close();
            long left = subscribers.size() - 1L;
            KvPubSubTest.assertEventually(() -> List.of("orders", left).equals(admin.call("PUBSUB", "SHARDNUMSUB", "orders")),
                    "a closed subscriber leaves its shard channels");
            assertEquals(left, publisher.call("SPUBLISH", "orders", "last"));
            for (RespClient s : subscribers) {
                s.close();
            }
        }
    }

    private static boolean connectionsPerShardBelow(RespClient admin, long least) throws Exception {
        return Arrays.stream(((String) admin.call("INFO", "shards")).split("\r\n"))
                .filter(line -> line.startsWith("shard"))
                .mapToLong(line -> Long.parseLong(line.replaceAll(".*,connections=(\\d+).*", "$1")))
                .anyMatch(n -> n < least);
    }
}
