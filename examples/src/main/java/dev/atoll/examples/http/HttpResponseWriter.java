package dev.atoll.examples.http;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes complete HTTP/1.1 responses (status line, {@code Server}, {@code Date}, {@code Content-Type},
 * {@code Content-Length}, {@code Connection} when needed, body) into a {@link MemorySegment} at a
 * write index, by copying prepared bytes: no per-response string building. Not thread-safe: one
 * per event-loop thread.
 */
public final class HttpResponseWriter {
    /** The most bytes a response head takes: 431's status line is the longest. */
    public static final int MAX_HEAD_BYTES = 256;

    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final byte[] CONTENT_LENGTH = ascii("Content-Length: ");
    private static final byte[] KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    private static final byte[] CLOSE = ascii("Connection: close\r\n");
    private static final byte[] ALLOW = ascii("Allow: GET, HEAD\r\n");
    private static final byte[] CRLF = ascii("\r\n");

    private final byte[] serverLine;
    private final HttpDate date;

    /**
     * @param server the value of the {@code Server} header
     * @param date   the date line, shared by the writers of one thread
     */
    public HttpResponseWriter(String server, HttpDate date) {
        this.serverLine = ascii("Server: " + server + "\r\n");
        this.date = date;
        if (serverLine.length > 64) {
            throw new IllegalArgumentException("a server name of at most 54 characters, not " + server);
        }
    }

    /** How the response says what happens to the connection after it. */
    public enum Connection {
        /** Nothing: HTTP/1.1 keeps the connection by default. */
        DEFAULT,
        /** {@code Connection: keep-alive}, which an HTTP/1.0 client needs to keep it. */
        KEEP_ALIVE,
        /** {@code Connection: close}: the server closes after this response. */
        CLOSE;

        /** What to send for a request of this version that asked for keep-alive or not. */
        public static Connection forRequest(boolean http10, boolean keepAlive) {
            return !keepAlive ? CLOSE : http10 ? KEEP_ALIVE : DEFAULT;
        }
    }

    /**
     * Writes a response.
     *
     * @param out             where to write; needs {@link #MAX_HEAD_BYTES} plus the body's length from {@code at}
     * @param at              the write index
     * @param status          the status
     * @param contentTypeLine a complete {@code Content-Type: ...\r\n} line
     * @param body            the body bytes: {@code [0, bodyLength)} are used
     * @param bodyLength      the body's length, sent as {@code Content-Length}
     * @param withBody        false for a response to HEAD: the same head, no body
     * @param connection      what to say about the connection
     * @return the write index after the response
     */
    public long write(MemorySegment out, long at, HttpStatus status, byte[] contentTypeLine, byte[] body, int bodyLength,
                      boolean withBody, Connection connection) {
        long pos = put(out, at, status.statusLine());
        pos = put(out, pos, serverLine);
        pos = put(out, pos, date.line());
        pos = put(out, pos, contentTypeLine);
        pos = put(out, pos, CONTENT_LENGTH);
        pos = putDecimal(out, pos, bodyLength);
        pos = put(out, pos, CRLF);
        if (status == HttpStatus.METHOD_NOT_ALLOWED) {
            pos = put(out, pos, ALLOW);
        }
        if (connection == Connection.KEEP_ALIVE) {
            pos = put(out, pos, KEEP_ALIVE);
        } else if (connection == Connection.CLOSE) {
            pos = put(out, pos, CLOSE);
        }
        pos = put(out, pos, CRLF);
        if (withBody) {
            MemorySegment.copy(body, 0, out, BYTE, pos, bodyLength);
            pos += bodyLength;
        }
        return pos;
    }

    /**
     * Writes a response whose head is {@code head}'s: one copy of the head's bytes, then the body. The
     * head is written again only when the date's second or the body's length has changed since it
     * was last written.
     *
     * @param out        where to write; needs {@link #MAX_HEAD_BYTES} plus the body's length from {@code at}
     * @param at         the write index
     * @param head       the kind of response, written by this writer
     * @param body       the body bytes: {@code [0, bodyLength)} are used
     * @param bodyLength the body's length, sent as {@code Content-Length}
     * @param withBody   false for a response to HEAD: the same head, no body
     * @return the write index after the response
     */
    public long write(MemorySegment out, long at, Head head, byte[] body, int bodyLength, boolean withBody) {
        byte[] dateLine = date.line();
        if (head.second != date.second() || head.bodyLength != bodyLength) {
            head.length = (int) write(MemorySegment.ofArray(head.bytes), 0, head.status, head.contentTypeLine, body,
                    bodyLength, false, head.connection);
            head.second = date.second();
            head.bodyLength = bodyLength;
            assert Arrays.equals(head.bytes, head.dateOffset, head.dateOffset + dateLine.length, dateLine, 0, dateLine.length);
        }
        MemorySegment.copy(head.bytes, 0, out, BYTE, at, head.length);
        long pos = at + head.length;
        if (withBody) {
            MemorySegment.copy(body, 0, out, BYTE, pos, bodyLength);
            pos += bodyLength;
        }
        return pos;
    }

    /**
     * The head of one kind of response (status, content type, what it says of the connection), kept as
     * bytes by {@link #write(MemorySegment, long, Head, byte[], int, boolean)} for as long as its date
     * and body length hold: a response to a request then costs two copies, not one per header.
     */
    public final class Head {
        private final HttpStatus status;
        private final byte[] contentTypeLine;
        private final Connection connection;
        private final byte[] bytes = new byte[MAX_HEAD_BYTES];
        private final int dateOffset;
        private int length;
        private long second = Long.MIN_VALUE;
        private int bodyLength = -1;

        /**
         * @param status          the status
         * @param contentTypeLine a complete {@code Content-Type: ...\r\n} line
         * @param connection      what to say about the connection
         */
        public Head(HttpStatus status, byte[] contentTypeLine, Connection connection) {
            this.status = status;
            this.contentTypeLine = contentTypeLine;
            this.connection = connection;
            this.dateOffset = status.statusLine().length + serverLine.length;
        }
    }

    private static long put(MemorySegment out, long at, byte[] bytes) {
        MemorySegment.copy(bytes, 0, out, BYTE, at, bytes.length);
        return at + bytes.length;
    }

    private static long putDecimal(MemorySegment out, long at, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("a negative length " + value);
        }
        int digits = 1;
        for (int v = value; v >= 10; v /= 10) {
            digits++;
        }
        long pos = at + digits;
        int v = value;
        for (long i = pos - 1; i >= at; i--) {
            out.set(BYTE, i, (byte) ('0' + v % 10));
            v /= 10;
        }
        return pos;
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
