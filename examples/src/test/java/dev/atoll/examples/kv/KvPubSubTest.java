package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pub/sub over two shards, in RESP2 and RESP3: subscribers on both shards (as many connections as it
 * takes for INFO shards to show both), channel and pattern subscriptions, every message of one
 * publisher received in order, PUBLISH's count of receivers over the shards, PUBSUB NUMSUB / NUMPAT /
 * CHANNELS, the RESP2 subscribed context, RESET; and a subscriber that does not read, closed at the
 * pubsub class's limit with a log line while the publisher and another client are served.
 */
class KvPubSubTest {
    private static final int MESSAGES = 300;

    private final LogCapture log = new LogCapture(KvConnection.class);

    @BeforeEach
    void captureLog() {
        log.start();
    }

    @AfterEach
    void stopCapturing() {
        log.stop();
    }

    private static KvTestServer server(int shards) throws Exception {
        return KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    /** Connections per shard, from INFO shards. */
    private static long[] connectionsPerShard(RespClient c) throws Exception {
        return Arrays.stream(((String) c.call("INFO", "shards")).split("\r\n"))
                .filter(line -> line.startsWith("shard"))
                .mapToLong(line -> Long.parseLong(line.replaceAll(".*,connections=(\\d+).*", "$1")))
                .toArray();
    }

    /** At least four subscribers, more until every shard holds one besides the admin connection. */
    private static List<RespClient> subscribersOnEveryShard(KvTestServer kv, RespClient admin) throws Exception {
        List<RespClient> clients = new ArrayList<>();
        while (clients.size() < 4 || Arrays.stream(connectionsPerShard(admin)).anyMatch(n -> n < 2)) {
            assertTrue(clients.size() < 64, "connections never reached every shard");
            clients.add(kv.client());
        }
        return clients;
    }

    private static Object push(boolean resp3, Object... items) {
        return resp3 ? new RespClient.Push(Arrays.asList(items)) : Arrays.asList(items);
    }

    @ParameterizedTest(name = "resp{0}")
    @ValueSource(ints = {2, 3})
    void messagesReachEveryShardSubscriberInOrder(int protocol) throws Exception {
        boolean resp3 = protocol == 3;
        try (KvTestServer kv = server(2); RespClient admin = kv.client(); RespClient publisher = kv.client()) {
            List<RespClient> subscribers = subscribersOnEveryShard(kv, admin);
            int patterns = 0;
            for (int i = 0; i < subscribers.size(); i++) {
                RespClient s = subscribers.get(i);
                if (resp3) {
                    s.call("HELLO", "3");
                }
                assertEquals(push(resp3, "subscribe", "news", 1L), s.call("SUBSCRIBE", "news"));
                if (i % 2 == 0) {
                    assertEquals(push(resp3, "psubscribe", "n*", 2L), s.call("PSUBSCRIBE", "n*"));
                    patterns++;
                }
            }
            int receivers = subscribers.size() + patterns;
            assertEquals(List.of("news", (long) subscribers.size(), "other", 0L), admin.call("PUBSUB", "NUMSUB", "news", "other"));
            assertEquals(1L, admin.call("PUBSUB", "NUMPAT"));
            assertEquals(List.of("news"), admin.call("PUBSUB", "CHANNELS"));
            assertEquals(List.of("news"), admin.call("PUBSUB", "CHANNELS", "n?ws"));
            assertEquals(List.of(), admin.call("PUBSUB", "CHANNELS", "x*"));

            for (int m = 0; m < MESSAGES; m++) {
                publisher.send("PUBLISH", "news", "m" + m);
            }
            for (int m = 0; m < MESSAGES; m++) {
                assertEquals((long) receivers, publisher.read(), "receivers of message " + m);
            }
            for (int i = 0; i < subscribers.size(); i++) {
                RespClient s = subscribers.get(i);
                for (int m = 0; m < MESSAGES; m++) {
                    assertEquals(push(resp3, "message", "news", "m" + m), s.read(), "subscriber " + i + ", message " + m);
                    if (i % 2 == 0) {
                        assertEquals(push(resp3, "pmessage", "n*", "news", "m" + m), s.read());
                    }
                }
            }

            RespClient first = subscribers.get(0);
            if (resp3) {
                assertEquals("PONG", first.call("PING"));
                assertEquals(RespClient.RESP3_NULL, first.call("GET", "k")); // RESP3: any command
            } else {
                assertEquals(List.of("pong", ""), first.call("PING"));
                assertEquals(List.of("pong", "x"), first.call("PING", "x"));
                assertEquals(new RespClient.Error("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
                        + "PING / QUIT / RESET are allowed in this context"), first.call("GET", "k"));
            }
            assertEquals(push(resp3, "unsubscribe", "news", 1L), first.call("UNSUBSCRIBE"));
            assertEquals(push(resp3, "punsubscribe", "n*", 0L), first.call("PUNSUBSCRIBE"));
            Object none = resp3 ? RespClient.RESP3_NULL : null;
            assertEquals(push(resp3, "unsubscribe", none, 0L), first.call("UNSUBSCRIBE"));
            assertEquals(none, first.call("GET", "k")); // a normal client again

            RespClient second = subscribers.get(1);
            assertEquals("RESET", second.call("RESET"));
            assertEquals(null, second.call("GET", "k")); // RESP2 again, no subscription
            subscribers.get(2).close();
            long expected = subscribers.size() - 3L;
            assertEventually(() -> List.of("news", expected).equals(admin.call("PUBSUB", "NUMSUB", "news")),
                    "a closed subscriber leaves its channels");
            assertEquals(expected + (patterns - 2), publisher.call("PUBLISH", "news", "last"));
            for (RespClient s : subscribers) {
                s.close();
            }
            assertEventually(() -> Long.valueOf(0).equals(publisher.call("PUBLISH", "news", "none")),
                    "no subscriber left");
            assertEquals(List.of(), admin.call("PUBSUB", "CHANNELS"));
            assertEquals(0L, admin.call("PUBSUB", "NUMPAT"));
        }
    }

    @Test
    void aSubscriberReceivesItsOwnMessageBeforeThePublishReplyInResp3() throws Exception {
        try (KvTestServer kv = server(2); RespClient c = kv.client()) {
            c.call("HELLO", "3");
            c.call("SUBSCRIBE", "me");
            c.call("PSUBSCRIBE", "m*");
            assertEquals(new RespClient.Push(List.of("message", "me", "hi")), c.call("PUBLISH", "me", "hi"));
            assertEquals(new RespClient.Push(List.of("pmessage", "m*", "me", "hi")), c.read());
            assertEquals(2L, c.read());
            assertEquals(List.of("me", 1L), c.call("PUBSUB", "NUMSUB", "me"));
            assertInstanceOf(RespClient.Error.class, c.call("PUBSUB", "NUMPAT", "x"));
            assertEquals(new RespClient.Error("ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. "
                    + "Try PUBSUB HELP."), c.call("PUBSUB", "CHANNELS", "a", "b"));
        }
    }

    /** Mesh messages sent by all shards, from INFO shards. */
    private static long meshOut(RespClient c) throws Exception {
        return Arrays.stream(((String) c.call("INFO", "shards")).split("\r\n"))
                .filter(line -> line.startsWith("shard"))
                .mapToLong(line -> Long.parseLong(line.replaceAll(".*,mesh_out=(\\d+).*", "$1")))
                .sum();
    }

    /**
     * A PUBLISH messages only the shards whose summary may have a subscriber: 500 publishes on a channel
     * nobody subscribes to (with subscribers of other channels on every shard) send next to no mesh
     * message. (Seen failing with every shard messaged: 500 more.)
     */
    @Test
    void aPublishSkipsTheShardsWithoutSubscribers() throws Exception {
        try (KvTestServer kv = server(2); RespClient admin = kv.client(); RespClient publisher = kv.client()) {
            List<RespClient> subscribers = subscribersOnEveryShard(kv, admin);
            for (RespClient s : subscribers) {
                s.call("SUBSCRIBE", "busy");
            }
            long before = meshOut(admin);
            for (int m = 0; m < 500; m++) {
                publisher.send("PUBLISH", "quiet", "m" + m);
            }
            for (int m = 0; m < 500; m++) {
                assertEquals(0L, publisher.read());
            }
            long sent = meshOut(admin) - before;
            assertTrue(sent < 50, sent + " mesh messages for 500 publishes nobody receives");
            for (RespClient s : subscribers) {
                s.close();
            }
        }
    }

    /**
     * A subscriber with a tiny receive buffer that never reads: past the pubsub class's hard limit (256
     * KiB here, set by CONFIG SET) it is closed with a log line, while the publisher goes on getting its
     * replies and another client is served; the messages it was sent before stay in order. (Seen failing
     * with the pubsub class's limit not applied: the subscriber stays open under the normal 256 MiB.)
     */
    @Test
    void aSlowSubscriberIsClosedAtThePubSubLimitAndThePublisherIsNotHeld() throws Exception {
        try (KvTestServer kv = server(2); RespClient admin = kv.client(); RespClient publisher = kv.client();
             RespClient slow = new RespClient(kv.port(), 4096)) {
            assertEquals("OK", admin.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 0 0"));
            assertEquals(List.of("client-output-buffer-limit", "normal 268435456 0 0 slave 268435456 67108864 60 pubsub 262144 0 0"),
                    admin.call("CONFIG", "GET", "client-output-buffer-limit"));
            slow.call("SUBSCRIBE", "flood");
            String payload = "x".repeat(4096);
            AtomicLong answered = new AtomicLong();
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 10_000; i++) {
                        publisher.read();
                        answered.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, KvTestServer.THREADS);
            for (int i = 0; i < 10_000; i++) { // 40 MB: far more than the kernel's buffers and the limit
                publisher.send("PUBLISH", "flood", payload);
            }
            reader.get(60, TimeUnit.SECONDS);
            assertEquals(10_000, answered.get());
            assertEquals("PONG", admin.call("PING"));
            int received = 0;
            try {
                while (received < 10_000) {
                    List<?> message = (List<?>) slow.read();
                    assertEquals(List.of("message", "flood", payload), message);
                    received++;
                }
            } catch (java.io.IOException | RuntimeException closed) {
                // closed by the server: what it had written, the last message possibly cut (as Redis drops a
                // client's buffers at once)
            }
            assertTrue(received < 10_000, "the slow subscriber got every message: " + received);
            assertLogged("closing client", "kv.client-output-buffer-limit-pubsub.hard = 262144");
            assertEquals(0L, admin.call("PUBLISH", "flood", "after"));
        }
    }

    private void assertLogged(String... parts) {
        log.assertLogged(parts);
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** Polls {@code check} for up to 10 s: for what another shard does after a socket closes. */
    static void assertEventually(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!check.holds()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(10);
        }
    }
}
