package dev.atoll.examples.http;

import dev.atoll.config.DriverKind;
import dev.atoll.examples.StreamFuzz;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP server fuzzed end to end over a socket: random pipelines of requests (with bodies, HEAD,
 * unknown paths, sometimes ending in a request the server refuses and closes on) written in pieces
 * cut at random byte boundaries, at times waiting for the responses so that a read starts inside a
 * request, at times thousands at once. Every response's status and body is checked. Bounded in rounds
 * and time; the seed is in every failure message.
 */
class HttpStreamFuzzTest {
    private static final HttpSettings SETTINGS = HttpSettings.DEFAULTS.withLimits(new HttpLimits(1024, 1024, 20, 1000));
    private static final int MAX_ROUNDS = 30;
    private static final long MAX_NANOS = 6_000_000_000L;
    private static final String HELLO = "Hello, World!";
    private static final String JSON = "{\"message\":\"Hello, World!\"}";

    /** One expected response: its status, and its body unless it answers HEAD (null). */
    private record Expected(int status, String body) { }

    @ParameterizedTest
    @MethodSource("dev.atoll.examples.StreamFuzz#driversAndShards")
    void randomPipelinesCutAnywhereGetEveryResponseRight(DriverKind driver, int shards) throws Exception {
        StreamFuzz.serveRounds(driver, shards, HttpServer.handler(SETTINGS), MAX_ROUNDS, MAX_NANOS,
                HttpStreamFuzzTest::runRound);
    }

    private static void runRound(int port, SplittableRandom random, String where) throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<Expected> expected = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        boolean deep = random.nextInt(4) == 0;
        for (int i = deep ? 2000 + random.nextInt(3000) : 1 + random.nextInt(200); i > 0; i--) {
            switch (random.nextInt(6)) {
                case 0 -> add(stream, expected, ends, "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n", new Expected(200, HELLO));
                case 1 -> add(stream, expected, ends, "GET /json HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n",
                        new Expected(200, JSON));
                case 2 -> add(stream, expected, ends, "HEAD /json HTTP/1.1\r\nHost: a\r\n\r\n", new Expected(200, null));
                case 3 -> add(stream, expected, ends, "GET /nothing-" + random.nextInt(1000) + " HTTP/1.1\r\nHost: a\r\n\r\n",
                        new Expected(404, null));
                default -> {
                    String body = "x".repeat(random.nextInt(1000));
                    add(stream, expected, ends, "POST /json HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length()
                            + "\r\n\r\n" + body, new Expected(405, null));
                }
            }
        }
        boolean refused = random.nextInt(4) == 0;
        if (refused) {
            add(stream, expected, ends, "GET / HTTP/2.0\r\nHost: a\r\n\r\n", new Expected(505, null));
            stream.writeBytes("GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        byte[] bytes = stream.toByteArray();
        int[] responseEnds = ends.stream().mapToInt(Integer::intValue).toArray();
        long writerSeed = random.nextLong();
        try (Socket socket = StreamFuzz.connect(port)) {
            AtomicInteger read = new AtomicInteger();
            Thread writer = StreamFuzz.startWriter(socket.getOutputStream(), bytes, new SplittableRandom(writerSeed),
                    deep ? 0 : 5, written -> StreamFuzz.complete(responseEnds, written), read::get);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            try {
                for (int i = 0; i < expected.size(); i++) {
                    Expected e = expected.get(i);
                    String at = "response " + i + " of " + expected.size() + " (" + where + ")";
                    String statusLine = line(in, at);
                    int length = -1;
                    for (String header = line(in, at); !header.isEmpty(); header = line(in, at)) {
                        if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
                            length = Integer.parseInt(header.substring(15).trim());
                        }
                    }
                    assertEquals(e.status(), Integer.parseInt(statusLine.split(" ")[1]), at);
                    boolean head = e.status() == 200 && e.body() == null;
                    String body = new String(in.readNBytes(head ? 0 : length), StandardCharsets.ISO_8859_1);
                    if (e.body() != null) {
                        assertEquals(e.body(), body, at);
                    }
                    read.incrementAndGet();
                }
                if (refused) {
                    assertEquals(-1, in.read(), "open after a refused request (" + where + ")");
                }
            } finally {
                read.set(Integer.MAX_VALUE);
                writer.join(30_000);
            }
        }
    }

    private static void add(ByteArrayOutputStream stream, List<Expected> expected, List<Integer> ends, String request,
                            Expected response) {
        stream.writeBytes(request.getBytes(StandardCharsets.ISO_8859_1));
        expected.add(response);
        ends.add(stream.size());
    }

    private static String line(InputStream in, String at) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            assertTrue(b >= 0, "the server closed the connection before " + at);
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

}
