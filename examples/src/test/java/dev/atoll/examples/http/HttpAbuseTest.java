package dev.atoll.examples.http;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.ConfigReader;
import dev.atoll.config.ConfigSources;
import dev.atoll.config.DriverKind;
import dev.atoll.io.TcpServer;
import dev.atoll.shards.ShardRuntime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connections that hold a server without making progress — a head sent a byte at a time (slowloris),
 * a body that stops, an idle keep-alive connection — are cut after their timeout, and a shard takes
 * no more than its connection cap. Two shards; connections are handed out round-robin by shard 0's
 * acceptor, so connection {@code i} lives on shard {@code i % 2}.
 */
class HttpAbuseTest {
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    /** A cut comes within one sweep (a quarter of the timeout) after the deadline; this leaves room for a busy machine. */
    private static final long CUT_WITHIN_MILLIS = 3_000;
    private static final String PLAINTEXT = "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n";
    private static final HttpSettings SHORT_TIMEOUTS = new HttpSettings(HttpLimits.DEFAULTS, TIMEOUT, TIMEOUT, TIMEOUT, 100);

    static List<DriverKind> drivers() {
        return HttpServerTest.drivers();
    }

    /** A runtime of two shards and the http example on it, with {@code settings}. */
    private record Server(ShardRuntime runtime, TcpServer tcp) implements AutoCloseable {
        static Server start(DriverKind driver, HttpSettings settings) throws Exception {
            ShardRuntime runtime = ShardRuntime.start(AtollConfig.load(ConfigSources.none()
                    .withOption("atoll.driver", ConfigReader.kebab(driver), "test")
                    .withOption("atoll.shards.count", "2", "test")
                    .withOption("atoll.io.tcp.accept", "acceptor", "test")
                    .withOption("atoll.io.tcp.balance", "round-robin", "test")));
            try {
                return new Server(runtime, TcpServer.start(runtime, new InetSocketAddress("127.0.0.1", 0),
                        HttpServer.handler(settings)).get(10, TimeUnit.SECONDS));
            } catch (Exception e) {
                runtime.close();
                throw e;
            }
        }

        Socket connect() throws IOException {
            Socket socket = new Socket("127.0.0.1", tcp.port());
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(5_000);
            return socket;
        }

        @Override
        public void close() throws Exception {
            tcp.close().get(10, TimeUnit.SECONDS);
            runtime.close();
        }
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Reads one response to its end (the example's responses all have a Content-Length); returns its status. */
    private static int response(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the middle of a response: " + head);
            }
            head.append((char) b);
        }
        String lower = head.toString().toLowerCase();
        int at = lower.indexOf("content-length:") + "content-length:".length();
        int length = Integer.parseInt(lower.substring(at, lower.indexOf('\r', at)).trim());
        in.readNBytes(length);
        return Integer.parseInt(head.substring(9, 12));
    }

    /**
     * Waits up to {@code millis} for the server to close the connection, calling {@code meanwhile}
     * every 100 ms (it may write: a write to a closed connection counts as closed); returns whether it did.
     */
    private static boolean closedWithin(Socket socket, long millis, IoAction meanwhile) throws IOException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout(100);
        try {
            while (System.nanoTime() - end < 0) {
                try {
                    if (socket.getInputStream().read() < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    meanwhile.run();
                }
            }
            return false;
        } catch (IOException e) {
            return true;   // reset: closed with input unread
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(timeout);
            }
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static void assertCutAfterTheTimeout(String what, long millis) {
        System.out.printf("HttpAbuseTest: %s cut %d ms after its timer started (timeout %d ms)%n",
                what, millis, TIMEOUT.toMillis());
        assertTrue(millis >= TIMEOUT.toMillis(), what + " was cut after " + millis + " ms, before its timeout");
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void aHeadSentAByteAtATimeIsCutAfterTheHeaderTimeout(DriverKind driver) throws Exception {
        try (Server server = Server.start(driver, SHORT_TIMEOUTS)) {
            // Before the connections exist: the server's timers start at their accepts, which may come first.
            long started = System.nanoTime();
            try (Socket slowloris = server.connect(); Socket silent = server.connect()) {
                slowlorisAndSilent(slowloris, silent, started);
            }
        }
    }

    private static void slowlorisAndSilent(Socket slowloris, Socket silent, long started) throws Exception {
        send(slowloris, "GET /plaintext HTTP/1.1\r\nHost: a\r\n");
        int[] field = {0};
        assertTrue(closedWithin(slowloris, CUT_WITHIN_MILLIS, () -> send(slowloris, "X-" + field[0]++ + ": b\r\n")),
                "a head that never ends kept its connection");
        assertCutAfterTheTimeout("slowloris", millisSince(started));
        assertTrue(closedWithin(silent, CUT_WITHIN_MILLIS, () -> { }), "a connection that never sends kept it");
        assertCutAfterTheTimeout("a silent connection", millisSince(started));
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void anIdleKeepAliveConnectionIsCutButABusyOneIsNot(DriverKind driver) throws Exception {
        try (Server server = Server.start(driver, SHORT_TIMEOUTS);
             Socket idle = server.connect();
             Socket busy = server.connect()) {
            long started = System.nanoTime();   // before the request: its read starts the server's timer
            send(idle, PLAINTEXT);
            assertEquals(200, response(idle));
            IoAction request = () -> {
                send(busy, PLAINTEXT);
                assertEquals(200, response(busy));
            };
            assertTrue(closedWithin(idle, CUT_WITHIN_MILLIS, request), "an idle keep-alive connection kept it");
            assertCutAfterTheTimeout("an idle keep-alive connection", millisSince(started));
            while (millisSince(started) < 4 * TIMEOUT.toMillis()) {   // each request moves its deadline on
                request.run();
                assertTrue(!closedWithin(busy, 100, () -> { }), "a busy connection was cut");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void aBodyIsCutWhenItStopsButNotWhileItFlows(DriverKind driver) throws Exception {
        String head = "POST /json HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n";
        try (Server server = Server.start(driver, SHORT_TIMEOUTS)) {
            try (Socket flowing = server.connect()) {
                send(flowing, head);
                for (int i = 0; i < 10; i++) {      // 2 s in all, 200 ms between reads: within the body timeout
                    assertTrue(!closedWithin(flowing, 200, () -> { }), "a flowing body was cut at byte " + i);
                    send(flowing, "x");
                }
                assertEquals(405, response(flowing));   // the example's endpoints take no body
            }
            try (Socket stalled = server.connect()) {
                long started = System.nanoTime();   // before the send: its read starts the server's timer
                send(stalled, head + "xyz");
                assertTrue(closedWithin(stalled, CUT_WITHIN_MILLIS, () -> { }), "a stalled body kept its connection");
                assertCutAfterTheTimeout("a stalled body", millisSince(started));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void eachShardTakesNoMoreThanItsCap(DriverKind driver) throws Exception {
        int cap = 3;
        try (Server server = Server.start(driver, HttpSettings.DEFAULTS.withCap(cap))) {
            List<Socket> admitted = new ArrayList<>();
            try {
                for (int i = 0; i < 2 * cap; i++) {
                    Socket socket = server.connect();
                    admitted.add(socket);
                    send(socket, PLAINTEXT);
                    assertEquals(200, response(socket), "connection " + i);
                }
                for (int shard = 0; shard < 2; shard++) {
                    try (Socket refused = server.connect()) {
                        send(refused, PLAINTEXT);
                        assertTrue(closedWithin(refused, CUT_WITHIN_MILLIS, () -> { }),
                                "shard " + shard + " took a connection beyond its cap");
                    }
                }
                for (Socket socket : admitted) {
                    send(socket, PLAINTEXT);
                    assertEquals(200, response(socket), "an admitted connection after the refusals");
                }
                admitted.removeFirst().close();      // shard 0 has room again, once it has seen the close
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                boolean servedAgain = false;
                while (!servedAgain && System.nanoTime() - end < 0) {
                    try (Socket next = server.connect()) {
                        send(next, PLAINTEXT);
                        servedAgain = response(next) == 200;
                    } catch (IOException refused) {
                        // closed: shard 1 (full) got it, or shard 0 had not seen the close yet
                    }
                }
                assertTrue(servedAgain, "no connection was admitted after one closed");
            } finally {
                for (Socket socket : admitted) {
                    socket.close();
                }
            }
        }
    }
}
