package dev.atoll.examples.http;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.ConfigReader;
import dev.atoll.config.ConfigSources;
import dev.atoll.config.DriverKind;
import dev.atoll.drivers.DriverUnavailableException;
import dev.atoll.drivers.Drivers;
import dev.atoll.drivers.Platform;
import dev.atoll.io.TcpServer;
import dev.atoll.shards.ShardRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP example end to end, over real sockets, on every driver this machine can run. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpServerTest {
    private static final HttpSettings SETTINGS = HttpSettings.DEFAULTS.withLimits(new HttpLimits(1024, 1024, 20, 1000));
    private static final String PLAINTEXT = "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n";
    private static final String JSON = "GET /json HTTP/1.1\r\nHost: a\r\n\r\n";

    private final Map<DriverKind, ShardRuntime> runtimes = new EnumMap<>(DriverKind.class);
    private final Map<DriverKind, TcpServer> servers = new EnumMap<>(DriverKind.class);

    static List<DriverKind> drivers() {
        return Arrays.stream(DriverKind.values()).filter(kind -> kind != DriverKind.AUTO).filter(kind -> {
            try {
                Drivers.choose(kind, Platform.current());
                return true;
            } catch (DriverUnavailableException e) {
                return false;
            }
        }).toList();
    }

    @BeforeAll
    void start() throws Exception {
        for (DriverKind driver : drivers()) {
            ShardRuntime runtime = ShardRuntime.start(AtollConfig.load(ConfigSources.none()
                    .withOption("atoll.driver", ConfigReader.kebab(driver), "test")
                    .withOption("atoll.shards.count", "2", "test")));
            runtimes.put(driver, runtime);
            servers.put(driver, TcpServer.start(runtime, new InetSocketAddress("127.0.0.1", 0), HttpServer.handler(SETTINGS))
                    .get(10, TimeUnit.SECONDS));
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (TcpServer server : servers.values()) {
            server.close().get(10, TimeUnit.SECONDS);
        }
        runtimes.values().forEach(ShardRuntime::close);
    }

    /** One client connection with a reader of responses. */
    private final class Client implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final InputStream in;

        Client(DriverKind driver) throws IOException {
            socket = new Socket("127.0.0.1", servers.get(driver).port());
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(5_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        Client send(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return this;
        }

        Response read() throws IOException {
            return read(false);
        }

        /** A response; to HEAD ({@code head}) it has no body, whatever its Content-Length says. */
        Response read(boolean head) throws IOException {
            String statusLine = line();
            Map<String, String> headers = new HashMap<>();
            for (String line = line(); !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).toLowerCase(), line.substring(colon + 1).trim());
            }
            byte[] body = head ? new byte[0] : in.readNBytes(Integer.parseInt(headers.get("content-length")));
            return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers, new String(body, StandardCharsets.US_ASCII));
        }

        /** True when the server closed the connection: end of stream (or a reset) before any byte. */
        boolean closedByServer() throws IOException {
            try {
                return in.read() == -1;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return e.getMessage() != null && e.getMessage().contains("reset");
            }
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("the server closed the connection in the middle of a response");
                }
                line.write(b);
            }
            String text = line.toString(StandardCharsets.US_ASCII);
            assertTrue(text.endsWith("\r"), "a CRLF line: " + text);
            return text.substring(0, text.length() - 1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private record Response(int status, Map<String, String> headers, String body) { }

    @ParameterizedTest
    @MethodSource("drivers")
    void answersPipelinedRequestsInOrder(DriverKind driver) throws IOException {
        try (Client client = new Client(driver)) {
            client.send(PLAINTEXT + JSON + "GET /nothing HTTP/1.1\r\nHost: a\r\n\r\n" + "HEAD /json HTTP/1.1\r\nHost: a\r\n\r\n");
            Response plaintext = client.read();
            assertEquals(200, plaintext.status());
            assertEquals("Hello, World!", plaintext.body());
            assertEquals("text/plain", plaintext.headers().get("content-type"));
            assertEquals("atoll", plaintext.headers().get("server"));
            assertTrue(plaintext.headers().get("date").endsWith(" GMT"));
            Response json = client.read();
            assertEquals(200, json.status());
            assertEquals("{\"message\":\"Hello, World!\"}", json.body());
            assertEquals("application/json", json.headers().get("content-type"));
            assertEquals(404, client.read().status());
            Response head = client.read(true);            // no body follows: the next response proves it
            assertEquals("27", head.headers().get("content-length"));
            client.send(PLAINTEXT);
            assertEquals("Hello, World!", client.read().body());
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void answersMoreRequestsThanOneOutboundBufferHolds(DriverKind driver) throws IOException {
        int count = 3_000;                                 // ~450 KB of responses to ~90 KB of requests
        try (Client client = new Client(driver)) {
            client.send(JSON.repeat(count));
            for (int i = 0; i < count; i++) {
                assertEquals("{\"message\":\"Hello, World!\"}", client.read().body(), "response " + i);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void parsesRequestsSplitAcrossWrites(DriverKind driver) throws Exception {
        try (Client client = new Client(driver)) {
            String two = PLAINTEXT + JSON;
            for (int i = 0; i < two.length(); i += 7) {
                client.send(two.substring(i, Math.min(two.length(), i + 7)));
                Thread.sleep(1);
            }
            assertEquals("Hello, World!", client.read().body());
            assertEquals("{\"message\":\"Hello, World!\"}", client.read().body());
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void closesAfterConnectionClose(DriverKind driver) throws IOException {
        try (Client client = new Client(driver)) {
            client.send(PLAINTEXT + "GET /json HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" + PLAINTEXT);
            assertNull(client.read().headers().get("connection"));
            Response last = client.read();
            assertEquals("close", last.headers().get("connection"));
            assertEquals(200, last.status());
            assertTrue(client.closedByServer(), "no response to the request after Connection: close");
        }
        try (Client client = new Client(driver)) {
            client.send("GET /plaintext HTTP/1.0\r\n\r\n");
            assertEquals("close", client.read().headers().get("connection"));
            assertTrue(client.closedByServer());
        }
        try (Client client = new Client(driver)) {
            client.send("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertEquals("keep-alive", client.read().headers().get("connection"));
            client.send("GET /json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertEquals(200, client.read().status());
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void refusesBadRequestsAndClosesThatConnectionOnly(DriverKind driver) throws IOException {
        Map<String, Integer> refused = Map.of(
                "GET /plaintext HTTP/1.1\r\nHost : a\r\n\r\n", 400,
                "GET /" + "a".repeat(1100) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414,
                "GET /plaintext HTTP/1.1\r\nHost: a\r\nX: " + "v".repeat(1100) + "\r\n\r\n", 431,
                "POST /json HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n", 413,
                "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505);
        try (Client bystander = new Client(driver)) {
            bystander.send(PLAINTEXT);
            assertEquals(200, bystander.read().status());
            for (Map.Entry<String, Integer> bad : refused.entrySet()) {
                try (Client client = new Client(driver)) {
                    client.send(PLAINTEXT + bad.getKey() + PLAINTEXT);
                    assertEquals(200, client.read().status());
                    Response error = client.read();
                    assertEquals(bad.getValue(), error.status(), bad.getKey());
                    assertEquals("close", error.headers().get("connection"));
                    assertTrue(client.closedByServer(), "closed after " + bad.getValue());
                }
            }
            bystander.send(JSON);                          // the other connection, and the server, go on
            assertEquals(200, bystander.read().status());
        }
        try (Client fresh = new Client(driver)) {
            fresh.send(PLAINTEXT);
            assertEquals(200, fresh.read().status());
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void answersAPeerThatHalfClosedAfterItsRequests(DriverKind driver) throws IOException {
        try (Client client = new Client(driver)) {
            client.send(PLAINTEXT + JSON);
            client.socket.shutdownOutput();
            assertEquals(200, client.read().status());
            assertEquals(200, client.read().status());
            assertTrue(client.closedByServer());
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void skipsRequestBodies(DriverKind driver) throws IOException {
        try (Client client = new Client(driver)) {
            client.send("POST /json HTTP/1.1\r\nHost: a\r\nContent-Length: " + PLAINTEXT.length() + "\r\n\r\n" + PLAINTEXT
                    + "POST /json HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + JSON);
            assertEquals(405, client.read().status());
            assertEquals(405, client.read().status());
            assertEquals(200, client.read().status());
            assertFalse(client.socket.isInputShutdown());
        }
    }
}
