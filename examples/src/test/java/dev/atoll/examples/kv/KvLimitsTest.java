package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Limits and bad input: each ends one connection with a Redis-style error, never the server or another client. */
class KvLimitsTest {
    private static final int MAX_REQUEST = 64 * 1024;

    private static KvSettings limits(int maxConnections, Duration idle, String password) {
        return new KvSettings(false, KvSettings.FsyncPolicy.NO, Path.of("unused"), 64L << 20, 100, 16L << 20,
                new KvSettings.InputLimits(MAX_REQUEST, MAX_REQUEST, 256L << 20), KvTestServer.OUTPUT,
                maxConnections, idle, password, true);
    }

    private static RespClient.Error error(String text) {
        return new RespClient.Error(text);
    }

    /** Sends {@code junk} on a fresh connection: expects {@code reply}, then the close; another client is served throughout. */
    private static void refused(KvTestServer server, RespClient bystander, byte[] junk, RespClient.Error reply)
            throws Exception {
        try (RespClient c = server.client()) {
            Object greeting = c.call("PING"); // the connection is served (or, with a password, gated)
            assertTrue(greeting.equals("PONG") || greeting.equals(error("NOAUTH Authentication required.")), "" + greeting);
            c.sendRaw(junk);
            assertEquals(reply, c.read());
            assertTrue(c.closedByServer(), "the connection stays open after " + reply);
        }
        assertEquals("OK", bystander.call("SET", "still", "served"));
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void malformedRequestsCloseTheirConnectionOnly(DriverKind driver) throws Exception {
        try (KvTestServer server = KvTestServer.start(2, driver, limits(100, Duration.ZERO, ""));
             RespClient bystander = server.client()) {
            byte[] ascii;
            refused(server, bystander, bytes("*x\r\n"), error("ERR Protocol error: invalid multibulk length"));
            refused(server, bystander, bytes("*2\r\nxx\r\n"), error("ERR Protocol error: expected '$', got 'x'"));
            refused(server, bystander, bytes("*1\r\n$-5\r\n"), error("ERR Protocol error: invalid bulk length"));
            refused(server, bystander, bytes("*1\r\n$99999999\r\n"), error("ERR Protocol error: invalid bulk length"));
            refused(server, bystander, bytes("*1\r\n$4\r\npingxx\r\n"),
                    error("ERR Protocol error: expected CRLF after a bulk string of 4 bytes"));
            refused(server, bystander, bytes("set a \"b\r\n"), error("ERR Protocol error: unbalanced quotes in request"));
            ascii = new byte[70 * 1024];
            java.util.Arrays.fill(ascii, (byte) 'a');
            refused(server, bystander, ascii, error("ERR Protocol error: too big inline request"));
            byte[] binary = new byte[4096];
            new java.util.Random(7).nextBytes(binary);
            binary[0] = '*';
            binary[1] = (byte) 0xFF;
            refused(server, bystander, binary, error("ERR Protocol error: invalid multibulk length"));
            // Many arguments that together pass the request bound.
            StringBuilder big = new StringBuilder("*100\r\n");
            for (int i = 0; i < 100; i++) {
                big.append("$1000\r\n").append("x".repeat(1000)).append("\r\n");
            }
            refused(server, bystander, bytes(big.toString()),
                    error("ERR Protocol error: max query buffer length reached (client-query-buffer-limit "
                            + MAX_REQUEST + ")"));
            // A value just under the bound passes, in pieces.
            try (RespClient c = server.client()) {
                String value = "v".repeat(MAX_REQUEST - 100);
                byte[] request = RespClient.encode("SET", "big", value);
                for (int at = 0; at < request.length; at += 1000) {
                    c.sendRaw(java.util.Arrays.copyOfRange(request, at, Math.min(request.length, at + 1000)));
                }
                assertEquals("OK", c.read());
                assertEquals(value, c.call("GET", "big"));
            }
            // Inline commands with quotes and escapes, as redis-cli's parser reads them.
            try (RespClient c = server.client()) {
                c.sendRaw(bytes("set q \"a\\x41\\n b\" \r\nget q\r\nset s 'it\\'s'\r\nget s\r\n\r\n"));
                assertEquals("OK", c.read());
                assertEquals("aA\n b", c.read());
                assertEquals("OK", c.read());
                assertEquals("it's", c.read());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aPasswordGuardsEveryCommandButAuth(DriverKind driver) throws Exception {
        try (KvTestServer server = KvTestServer.start(2, driver, limits(100, Duration.ZERO, "s3cret"));
             RespClient c = server.client()) {
            assertEquals(error("NOAUTH Authentication required."), c.call("GET", "k"));
            assertEquals(error("NOAUTH Authentication required."), c.call("PING"));
            assertEquals(error("WRONGPASS invalid username-password pair or user is disabled."), c.call("AUTH", "nope"));
            assertEquals(error("WRONGPASS invalid username-password pair or user is disabled."),
                    c.call("AUTH", "admin", "s3cret"));
            assertEquals("OK", c.call("AUTH", "s3cret"));
            assertEquals("OK", c.call("SET", "k", "v"));
            try (RespClient other = server.client()) {
                assertEquals("OK", other.call("AUTH", "default", "s3cret"));
                assertEquals("v", other.call("GET", "k"));
            }
        }
    }

    /**
     * Issue 14, item 7: before AUTH, Redis refuses a command of more than 10 arguments or a bulk string
     * over 16 KiB as soon as its header arrives (no 64 MB bulk held for a stranger); AUTH lifts the
     * bounds for the next command of the same pipeline; without a password there are none.
     */
    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void requestsBeforeAuthAreSmall(DriverKind driver) throws Exception {
        try (KvTestServer server = KvTestServer.start(2, driver, limits(100, Duration.ZERO, "s3cret"));
             RespClient bystander = server.client()) {
            assertEquals("OK", bystander.call("AUTH", "s3cret"));
            refused(server, bystander, bytes("*11\r\n"), error("ERR Protocol error: unauthenticated multibulk length"));
            refused(server, bystander, bytes("*1\r\n$16385\r\n"),
                    error("ERR Protocol error: unauthenticated bulk length"));
            refused(server, bystander, bytes("*2\r\n$3\r\nget\r\n$40000\r\n"),    // under kv.proto-max-bulk-len
                    error("ERR Protocol error: unauthenticated bulk length"));
            refused(server, bystander, bytes("*1\r\n$67108864\r\n"),    // over it: that error first, as in Redis
                    error("ERR Protocol error: invalid bulk length"));
            String limit = "x".repeat(16 * 1024);
            try (RespClient c = server.client()) {
                String[] ten = {"SET", "k", "v", "a", "b", "c", "d", "e", "f", "g"};
                assertEquals(error("NOAUTH Authentication required."), c.call(ten));
                assertEquals(error("NOAUTH Authentication required."), c.call("SET", "k", limit));
                // AUTH, then at once in the same write a command past both bounds.
                c.sendRaw(concat(RespClient.encode("AUTH", "s3cret"),
                        RespClient.encode("MSET", "a", limit + "!", "b", "1", "c", "2", "d", "3", "e", "4", "f", "5")));
                assertEquals("OK", c.read());
                assertEquals("OK", c.read());
                assertEquals(limit + "!", c.call("GET", "a"));
            }
        }
        try (KvTestServer server = KvTestServer.start(1, driver, limits(100, Duration.ZERO, ""));
             RespClient c = server.client()) {
            assertEquals("OK", c.call("MSET", "a", "x".repeat(20_000), "b", "1", "c", "2", "d", "3", "e", "4", "f", "5"));
        }
    }

    /**
     * Issue 14, item 7: without a password the default user is "nopass" in Redis 7, so AUTH default
     * with any password and HELLO 3 AUTH default succeed (clients set up with a password still
     * connect); only the one-argument AUTH is an error, and another user name is WRONGPASS.
     */
    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void authWithoutAPasswordIsAsRedisAnswersIt(DriverKind driver) throws Exception {
        try (KvTestServer server = KvTestServer.start(1, driver, limits(100, Duration.ZERO, ""));
             RespClient c = server.client()) {
            assertEquals("OK", c.call("AUTH", "default", "x"));
            assertEquals(error("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?"), c.call("AUTH", "x"));
            assertEquals(error("WRONGPASS invalid username-password pair or user is disabled."),
                    c.call("AUTH", "admin", "x"));
            assertEquals(error("WRONGPASS invalid username-password pair or user is disabled."),
                    c.call("AUTH", "Default", "x"));
            assertEquals(error("WRONGPASS invalid username-password pair or user is disabled."),
                    c.call("HELLO", "3", "AUTH", "admin", "x"));
            java.util.Map<?, ?> hello = (java.util.Map<?, ?>) c.call("HELLO", "3", "AUTH", "default", "x");
            assertEquals(3L, hello.get("proto"));
            assertEquals("OK", c.call("SET", "k", "v"));
        }
        try (KvTestServer server = KvTestServer.start(1, driver, limits(100, Duration.ZERO, "s3cret"));
             RespClient c = server.client()) {
            assertEquals(error("WRONGPASS invalid username-password pair or user is disabled."),
                    c.call("HELLO", "3", "AUTH", "default", "x"));
            assertEquals(error("NOAUTH Authentication required."), c.call("GET", "k"));
            java.util.Map<?, ?> hello = (java.util.Map<?, ?>) c.call("HELLO", "3", "AUTH", "default", "s3cret");
            assertEquals(3L, hello.get("proto"));
            assertEquals(RespClient.RESP3_NULL, c.call("GET", "k"));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void connectionsBeyondTheLimitAreRefused(DriverKind driver) throws Exception {
        try (KvTestServer server = KvTestServer.start(2, driver, limits(3, Duration.ZERO, ""));
             RespClient b = server.client(); RespClient c = server.client()) {
            RespClient a = server.client();
            for (RespClient client : new RespClient[] {a, b, c}) {
                assertEquals("PONG", client.call("PING"));
            }
            try (RespClient extra = server.client()) {
                assertEquals(error("ERR max number of clients reached"), extra.read());
                assertTrue(extra.closedByServer());
            }
            a.close();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                try (RespClient next = server.client()) {
                    Object reply = next.call("PING");
                    if (reply.equals("PONG")) {
                        break; // a's place was freed
                    }
                }
                assertTrue(System.nanoTime() < deadline, "a closed connection never freed its place");
                Thread.sleep(20);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void idleConnectionsAreClosed(DriverKind driver) throws Exception {
        try (KvTestServer server = KvTestServer.start(1, driver, limits(100, Duration.ofSeconds(1), ""));
             RespClient idle = server.client(); RespClient busy = server.client()) {
            assertEquals("PONG", idle.call("PING"));
            long start = System.nanoTime();
            while (System.nanoTime() - start < 2_500_000_000L) {
                assertEquals("PONG", busy.call("PING"));
                Thread.sleep(100);
            }
            assertTrue(idle.closedByServer());
            assertEquals("PONG", busy.call("PING"));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aClientThatPipelinesWithoutReadingIsPausedThenServedInFull(DriverKind driver) throws Exception {
        // A small kernel receive buffer: what the server does not read soon stops the client's sends.
        try (KvTestServer server = KvTestServer.start(2, driver, limits(100, Duration.ZERO, ""), LogStore.FILES,
                "atoll.io.socket.receive-buffer = 65536");
             RespClient c = server.client(); RespClient bystander = server.client()) {
            String value = "x".repeat(50_000);
            assertEquals("OK", c.call("SET", "big", value));
            java.io.ByteArrayOutputStream pipeline = new java.io.ByteArrayOutputStream();
            int gets = 100; // 5 MB of replies: far past the output bound, so the server must pause
            for (int i = 0; i < gets; i++) {
                pipeline.writeBytes(RespClient.encode("GET", "big"));
            }
            int exists = 32_000; // then 32 MB of requests with small replies, which a paused server leaves unread
            for (int i = 0; i < exists; i++) {
                pipeline.writeBytes(RespClient.encode("EXISTS", "%01000d".formatted(i)));
            }
            byte[] requests = pipeline.toByteArray();
            java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.CompletableFuture<Void> sender = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    for (int at = 0; at < requests.length; at += 65536) {
                        c.sendRaw(java.util.Arrays.copyOfRange(requests, at, Math.min(requests.length, at + 65536)));
                        sent.set(Math.min(requests.length, at + 65536));
                    }
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            }, KvTestServer.THREADS);
            // The sends stall: the server stopped reading, so the kernel's buffers filled and stay full.
            long stalled = KvTestServer.settled(sent::get, 500);
            assertTrue(stalled < requests.length / 2, "the server took " + stalled + " of " + requests.length
                    + " bytes of requests while their replies went unread");
            assertEquals("PONG", bystander.call("PING"));
            for (int i = 0; i < gets; i++) {
                assertEquals(value, c.read(), "reply " + i);
            }
            for (int i = 0; i < exists; i++) {
                assertEquals(0L, c.read(), "reply " + (gets + i));
            }
            sender.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals("PONG", c.call("PING"));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
