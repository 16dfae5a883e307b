package dev.atoll.examples.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.atoll.examples.http.HttpResponseWriter.Connection;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * The two TechEmpower endpoints, {@code GET /plaintext} ({@code Hello, World!} as text/plain) and
 * {@code GET /json} ({@code {"message":"Hello, World!"}} serialized for every request with Jackson's
 * streaming generator), plus 404 for other paths, 405 for other methods, and the error responses
 * of the parser. {@code HEAD} gets the same head without the body. Not thread-safe: one per
 * event-loop thread.
 */
public final class HelloEndpoints {
    /** The paths the parser matches, in the order of {@link HttpRequest#route()}. */
    public static final List<String> PATHS = List.of("/plaintext", "/json");

    /** The most bytes one response takes: reserve this much before {@link #respond} or {@link #respondError}. */
    public static final int MAX_RESPONSE_BYTES = HttpResponseWriter.MAX_HEAD_BYTES + 256;

    private static final int PLAINTEXT = 0;
    private static final int JSON = 1;
    private static final byte[] HELLO = HttpResponseWriter.ascii("Hello, World!");
    private static final byte[] TEXT_PLAIN = HttpResponseWriter.ascii("Content-Type: text/plain\r\n");
    private static final byte[] APPLICATION_JSON = HttpResponseWriter.ascii("Content-Type: application/json\r\n");
    private static final JsonFactory JSON_FACTORY = new JsonFactory();

    private final HttpResponseWriter writer;
    private final Scratch json = new Scratch();
    /**
     * Kept open for the endpoints' life and written one root value per request: a generator per request
     * cost its objects (about 140 bytes a request, which under ZGC meant page faults on fresh heap pages
     * inside the request path) and its setup. No separator between root values: each starts at offset 0.
     */
    private final JsonGenerator generator = jsonGenerator(json);
    /** The heads of 200 responses, by {@link Connection#ordinal()}. */
    private final HttpResponseWriter.Head[] plaintextHeads;
    private final HttpResponseWriter.Head[] jsonHeads;

    /** Endpoints answering with {@code Server: atoll}, with the date line of this thread. */
    public HelloEndpoints(HttpDate date) {
        this.writer = new HttpResponseWriter("atoll", date);
        this.plaintextHeads = heads(writer, TEXT_PLAIN);
        this.jsonHeads = heads(writer, APPLICATION_JSON);
    }

    private static HttpResponseWriter.Head[] heads(HttpResponseWriter writer, byte[] contentTypeLine) {
        return Arrays.stream(Connection.values())
                .map(connection -> writer.new Head(HttpStatus.OK, contentTypeLine, connection))
                .toArray(HttpResponseWriter.Head[]::new);
    }

    /**
     * Writes the response to a parsed request.
     *
     * @return the write index after it
     */
    public long respond(HttpRequest request, MemorySegment out, long at) {
        Connection connection = Connection.forRequest(request.http10(), request.keepAlive());
        boolean head = request.method() == HttpRequest.Method.HEAD;
        if (request.route() < 0) {
            return text(HttpStatus.NOT_FOUND, out, at, !head, connection);
        }
        if (request.method() == HttpRequest.Method.OTHER) {
            return text(HttpStatus.METHOD_NOT_ALLOWED, out, at, true, connection);
        }
        return switch (request.route()) {
            case PLAINTEXT -> writer.write(out, at, plaintextHeads[connection.ordinal()], HELLO, HELLO.length, !head);
            case JSON -> {
                int length = serializeMessage();
                yield writer.write(out, at, jsonHeads[connection.ordinal()], json.bytes, length, !head);
            }
            default -> throw new IllegalStateException("a route without an endpoint: " + request.route());
        };
    }

    /**
     * Writes the response to a request the parser refused; the connection closes after it.
     *
     * @return the write index after it
     */
    public long respondError(HttpStatus status, MemorySegment out, long at) {
        return text(status, out, at, true, Connection.CLOSE);
    }

    private long text(HttpStatus status, MemorySegment out, long at, boolean withBody, Connection connection) {
        byte[] reason = status.reasonBytes();
        return writer.write(out, at, status, TEXT_PLAIN, reason, reason.length, withBody, connection);
    }

    private static JsonGenerator jsonGenerator(Scratch sink) {
        try {
            JsonGenerator generator = JSON_FACTORY.createGenerator(sink);
            generator.setRootValueSeparator(null);
            return generator;
        } catch (IOException e) {
            throw new UncheckedIOException("creating a generator over memory failed", e);
        }
    }

    /** {@code {"message":"Hello, World!"}} serialized anew for each request, as the rules ask; returns its length. */
    private int serializeMessage() {
        json.count = 0;
        try {
            generator.writeStartObject();
            generator.writeStringField("message", "Hello, World!");
            generator.writeEndObject();
            generator.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return json.count;
    }

    /** A reusable in-memory sink for the serializer (a ByteArrayOutputStream would copy on every read). */
    private static final class Scratch extends OutputStream {
        byte[] bytes = new byte[64];
        int count;

        @Override
        public void write(int b) {
            ensure(1);
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] source, int offset, int length) {
            ensure(length);
            System.arraycopy(source, offset, bytes, count, length);
            count += length;
        }

        private void ensure(int more) {
            if (count + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + more));
            }
        }
    }
}
