package dev.atoll.examples.http;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.ConfigSources;
import dev.atoll.config.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HelloEndpointsTest {
    /** 1994-11-06T08:49:37.250Z, the example date of RFC 9110. */
    private final AtomicLong clock = new AtomicLong(784_111_777_250L);
    private final HelloEndpoints endpoints = new HelloEndpoints(new HttpDate(clock::get));
    private final Arena arena = Arena.ofAuto();

    /** Parses {@code request} and writes the responses into an off-heap segment at an offset. */
    private String exchange(String request) {
        MemorySegment out = arena.allocate(64 * 1024);
        long[] at = {100};
        HttpRequestParser parser = new HttpRequestParser(HttpLimits.DEFAULTS, HelloEndpoints.PATHS);
        MemorySegment in = MemorySegment.ofArray(request.getBytes(StandardCharsets.ISO_8859_1));
        parser.parse(in, 0, in.byteSize(), new HttpRequestParser.Listener() {
            @Override
            public void onRequest(HttpRequest r) {
                at[0] = endpoints.respond(r, out, at[0]);
            }

            @Override
            public void onError(HttpStatus status) {
                at[0] = endpoints.respondError(status, out, at[0]);
            }
        });
        return new String(out.asSlice(100, at[0] - 100).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
    }

    @Test
    void plaintext() {
        assertEquals("HTTP/1.1 200 OK\r\nServer: atoll\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!",
                exchange("GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"));
    }

    @Test
    void json() {
        assertEquals("HTTP/1.1 200 OK\r\nServer: atoll\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                + "Content-Type: application/json\r\nContent-Length: 27\r\n\r\n{\"message\":\"Hello, World!\"}",
                exchange("GET /json HTTP/1.1\r\nHost: a\r\n\r\n"));
    }

    @Test
    void pipelinedResponsesFollowEachOtherInOrder() {
        String plaintext = exchange("GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n");
        String json = exchange("GET /json HTTP/1.1\r\nHost: a\r\n\r\n");
        String request = "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\nGET /json HTTP/1.1\r\nHost: a\r\n\r\n";
        assertEquals((plaintext + json).repeat(100), exchange(request.repeat(100)));
    }

    @Test
    void headHasTheHeadOnly() {
        assertEquals("HTTP/1.1 200 OK\r\nServer: atoll\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                + "Content-Type: application/json\r\nContent-Length: 27\r\n\r\n",
                exchange("HEAD /json HTTP/1.1\r\nHost: a\r\n\r\n"));
    }

    @Test
    void connectionHeaderFollowsTheRequest() {
        assertTrue(exchange("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                .contains("\r\nConnection: keep-alive\r\n\r\nHello"));
        assertTrue(exchange("GET /plaintext HTTP/1.0\r\n\r\n").contains("\r\nConnection: close\r\n\r\nHello"));
        assertTrue(exchange("GET /plaintext HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                .contains("\r\nConnection: close\r\n\r\nHello"));
    }

    @Test
    void notFoundAndMethodNotAllowedKeepTheConnection() {
        assertEquals("HTTP/1.1 404 Not Found\r\nServer: atoll\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 9\r\n\r\nNot Found",
                exchange("GET /nothing HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertEquals("HTTP/1.1 405 Method Not Allowed\r\nServer: atoll\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 18\r\nAllow: GET, HEAD\r\n\r\nMethod Not Allowed",
                exchange("POST /json HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}"));
    }

    @Test
    void errorsCloseTheConnection() {
        assertEquals("HTTP/1.1 400 Bad Request\r\nServer: atoll\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request",
                exchange("GET / HTTP/1.1\r\nHost : a\r\n\r\n"));
    }

    @Test
    void everyResponseFitsTheReservedSize() {
        MemorySegment out = arena.allocate(HelloEndpoints.MAX_RESPONSE_BYTES);
        for (HttpStatus status : HttpStatus.values()) {
            assertTrue(endpoints.respondError(status, out, 0) <= HelloEndpoints.MAX_RESPONSE_BYTES, status.toString());
        }
        assertTrue(exchange("GET /json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").length() <= HelloEndpoints.MAX_RESPONSE_BYTES);
    }

    @Test
    void theDateChangesWithTheSecondOnly() {
        HttpDate date = new HttpDate(clock::get);
        String first = new String(date.line(), StandardCharsets.US_ASCII);
        assertEquals("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n", first);
        clock.addAndGet(700);
        assertEquals(first, new String(date.line(), StandardCharsets.US_ASCII));
        clock.addAndGet(100);
        assertNotEquals(first, new String(date.line(), StandardCharsets.US_ASCII));
        clock.set(0);
        assertEquals("Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n", new String(date.line(), StandardCharsets.US_ASCII));
    }

    /** A 200 response's head is kept as bytes between requests: it must follow the date and the connection's needs. */
    @Test
    void keptHeadsFollowTheDateAndTheConnection() {
        String request = "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n";
        assertTrue(exchange(request).contains("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"));
        clock.addAndGet(1_000);
        String later = exchange(request + "HEAD /plaintext HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(2, later.split("Date: Sun, 06 Nov 1994 08:49:38 GMT\r\n", -1).length - 1, later);
        assertTrue(later.endsWith("Content-Length: 13\r\n\r\n"), later);
        assertEquals("HTTP/1.1 200 OK\r\nServer: atoll\r\nDate: Sun, 06 Nov 1994 08:49:38 GMT\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\nHello, World!",
                exchange("GET /plaintext HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
        clock.addAndGet(60_000);
        assertTrue(exchange("GET /json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                .contains("Date: Sun, 06 Nov 1994 08:50:38 GMT\r\nContent-Type: application/json\r\nContent-Length: 27\r\n"
                        + "Connection: keep-alive\r\n\r\n{"));
    }

    /** The generator is kept between requests: serializing {@code /json} allocates nothing per request. */
    @Test
    void jsonResponsesAllocateNothingPerRequest() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        MemorySegment input = MemorySegment.ofArray("GET /json HTTP/1.1\r\nHost: a\r\n\r\n".repeat(16)
                .getBytes(StandardCharsets.US_ASCII));
        MemorySegment out = arena.allocate(16 * HelloEndpoints.MAX_RESPONSE_BYTES);
        HttpRequestParser parser = new HttpRequestParser(HttpLimits.DEFAULTS, HelloEndpoints.PATHS);
        long[] at = {0};
        HttpRequestParser.Listener responding = new HttpRequestParser.Listener() {
            @Override
            public void onRequest(HttpRequest request) {
                at[0] = endpoints.respond(request, out, at[0]);
            }

            @Override
            public void onError(HttpStatus status) {
                throw new AssertionError(status);
            }
        };
        for (int i = 0; i < 2_000; i++) {
            at[0] = 0;
            parser.parse(input, 0, input.byteSize(), responding);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 2_000; i++) {
            at[0] = 0;
            parser.parse(input, 0, input.byteSize(), responding);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 32_000 * 0.5, "allocated " + allocated + " bytes for 32,000 /json responses");
        assertTrue(new String(out.asSlice(0, at[0]).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII)
                .endsWith("\r\n\r\n{\"message\":\"Hello, World!\"}"));
    }

    @Test
    void limitsComeFromTheHttpSection() {
        assertEquals(HttpLimits.DEFAULTS, HttpLimits.from(AtollConfig.parse("", "test").reader()));
        HttpLimits set = HttpLimits.from(AtollConfig.parse(
                "http { max-request-line = 1k, max-header-bytes = 2KiB, max-headers = 7, max-body-bytes = 0 }", "test").reader());
        assertEquals(new HttpLimits(1024, 2048, 7, 0), set);   // HOCON: k = 1024, kB = 1000
        InvalidConfigException bad = assertThrows(InvalidConfigException.class,
                () -> HttpLimits.from(AtollConfig.parse("http.max-header-bytes = lots", "test").reader()));
        assertTrue(bad.getMessage().contains("http.max-header-bytes"), bad.getMessage());
        assertThrows(InvalidConfigException.class,
                () -> HttpLimits.from(AtollConfig.parse("http.max-headers = 0", "test").reader()));
    }

    @Test
    void timeoutsAndTheConnectionCapComeFromTheHttpSection(@TempDir Path dir) throws Exception {
        assertEquals(HttpSettings.DEFAULTS, HttpSettings.from(AtollConfig.parse("", "test").reader()));
        HttpSettings set = HttpSettings.from(AtollConfig.parse("http { header-timeout = 5s, body-timeout = 250ms, "
                + "keep-alive-timeout = 2m, max-connections-per-shard = 64 }", "test").reader());
        assertEquals(new HttpSettings(HttpLimits.DEFAULTS, Duration.ofSeconds(5), Duration.ofMillis(250),
                Duration.ofMinutes(2), 64), set);
        Path file = dir.resolve("server.conf");
        Files.writeString(file, "http {\n  keep-alive-timeout = forever\n}\n");
        InvalidConfigException bad = assertThrows(InvalidConfigException.class,
                () -> HttpSettings.from(AtollConfig.load(ConfigSources.none().withFile(file)).reader()));
        assertTrue(bad.getMessage().contains("http.keep-alive-timeout = \"forever\"")
                && bad.getMessage().contains(file + ":2"), bad.getMessage());
        InvalidConfigException zero = assertThrows(InvalidConfigException.class,
                () -> HttpSettings.from(AtollConfig.parse("http.max-connections-per-shard = 0", "test").reader()));
        assertTrue(zero.getMessage().contains("http.max-connections-per-shard = 0"), zero.getMessage());
        assertThrows(InvalidConfigException.class,
                () -> HttpSettings.from(AtollConfig.parse("http.header-timeout = 0s", "test").reader()));
    }

    @Test
    void pathsAreTheEndpoints() {
        assertEquals(List.of("/plaintext", "/json"), HelloEndpoints.PATHS);
    }
}
