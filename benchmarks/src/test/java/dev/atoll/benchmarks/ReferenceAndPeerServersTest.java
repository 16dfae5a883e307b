package dev.atoll.benchmarks;

import dev.atoll.benchmarks.netty.NettyServer;
import dev.atoll.benchmarks.reference.NioReferenceServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The servers of the comparisons answer what wrk sends, pipelined and split at any byte. */
class ReferenceAndPeerServersTest {
    private static final String PLAINTEXT = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n";
    private static final String JSON = "GET /json HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n";

    @Test
    void theReferenceAnswersPipelinedRequestsSentInPiecesOverASocket() throws Exception {
        try (ServerProcess server = ServerProcess.start("nio-reference", List.of(), NioReferenceServer.class.getName(),
                List.of("http", "2"))) {
            try (Socket socket = new Socket(server.host(), server.port())) {
                socket.setSoTimeout(10_000);
                byte[] requests = (PLAINTEXT + JSON + PLAINTEXT).getBytes(StandardCharsets.US_ASCII);
                OutputStream out = socket.getOutputStream();
                // split inside the blank line that ends the first request, and inside "GET /j" (whether the
                // server reads them apart depends on timing: AnswererTest splits them for certain)
                int[] cuts = {PLAINTEXT.length() - 3, PLAINTEXT.length() + 5, requests.length};
                int from = 0;
                for (int cut : cuts) {
                    out.write(requests, from, cut - from);
                    out.flush();
                    Thread.sleep(50);
                    from = cut;
                }
                String answers = readResponses(socket.getInputStream(), 3);
                assertEquals(List.of("Hello, World!", "{\"message\":\"Hello, World!\"}", "Hello, World!"), bodies(answers));
                assertTrue(answers.startsWith("HTTP/1.1 200 OK\r\n") && answers.contains("\r\nDate: "), answers);
            }
        }
    }

    @Test
    void theReferenceEchoesEightMebibytesToASlowReader() throws Exception {
        try (ServerProcess server = ServerProcess.start("nio-reference", List.of(), NioReferenceServer.class.getName(),
                List.of("echo", "1"));
             Socket socket = new Socket()) {
            // a small receive window and a late reader (AnswererTest holds the server's output back for certain)
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress(server.host(), server.port()));
            socket.setSoTimeout(10_000);
            byte[] message = new byte[8 << 20];
            for (int i = 0; i < message.length; i++) {
                message[i] = (byte) (i * 31 + (i >> 12));
            }
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    socket.getOutputStream().write(message);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Thread.sleep(300);
            assertArrayEquals(message, socket.getInputStream().readNBytes(message.length));
            writer.join();
        }
    }

    @Test
    void stockNettyServesTheEndpointsWithItsCodecAndKeepAlive() throws Exception {
        try (ServerProcess server = ServerProcess.start("netty", NettyServer.JVM_FLAGS, NettyServer.class.getName(),
                List.of("http", "2"))) {
            assertTrue(List.of("io_uring", "epoll").contains(server.driver()), server.driver());
            try (Socket socket = new Socket(server.host(), server.port())) {
                socket.setSoTimeout(10_000);
                // two /json requests: the event loop's generator writes each as a root value of its own
                socket.getOutputStream().write((PLAINTEXT + JSON + JSON + "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String answers = readResponses(socket.getInputStream(), 4);
                assertEquals(List.of("Hello, World!", "{\"message\":\"Hello, World!\"}", "{\"message\":\"Hello, World!\"}", ""),
                        bodies(answers));
                assertTrue(answers.contains("HTTP/1.1 404 Not Found\r\n") && answers.contains("server: netty\r\n"), answers);
                socket.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String last = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(last.startsWith("HTTP/1.1 200 OK\r\n") && last.endsWith("Hello, World!"),
                        "HttpServerKeepAliveHandler closes after a Connection: close request: " + last);
            }
        }
    }

    /** Reads {@code count} responses with Content-Length bodies. */
    private static String readResponses(InputStream in, int count) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int complete = 0;
        while (complete < count) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + complete + " responses: " + all);
            }
            all.write(b);
            String text = all.toString(StandardCharsets.US_ASCII);
            complete = bodies(text).size();
        }
        return all.toString(StandardCharsets.US_ASCII);
    }

    /** The bodies of the complete responses in {@code text}. */
    private static List<String> bodies(String text) {
        List<String> bodies = new ArrayList<>();
        int at = 0;
        while (true) {
            int end = text.indexOf("\r\n\r\n", at);
            if (end < 0) {
                return bodies;
            }
            String head = text.substring(at, end).toLowerCase(Locale.ROOT);
            int length = head.indexOf("content-length: ");
            int size = Integer.parseInt(head.substring(length + 16).split("\r\n")[0].trim());
            if (end + 4 + size > text.length()) {
                return bodies;
            }
            bodies.add(text.substring(end + 4, end + 4 + size));
            at = end + 4 + size;
        }
    }
}
