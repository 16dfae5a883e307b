package dev.atoll.examples.http;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * An incremental HTTP/1.1 request parser over bytes in a {@link MemorySegment}. It keeps its state
 * between calls, never looks at a byte twice and needs no copy of earlier input: a request may be
 * split across reads at any byte, and one read may hold many pipelined requests. It allocates
 * nothing after construction.
 *
 * <p>What it accepts (RFC 9112), and what it answers otherwise:
 * <ul>
 *   <li>request line {@code METHOD SP target SP HTTP/1.d}; empty lines before it are skipped; a line
 *       end may be CRLF or a bare LF. Malformed: 400. A method longer than 16 bytes: 501. A request
 *       line longer than {@link HttpLimits#maxRequestLine}: 414, since method (16) and version (8)
 *       are bounded and only the target can make it long (RFC 9112 §3.2 names 414 for a target
 *       longer than the server will parse); too many empty lines before it: 400. HTTP/1.0 and 1.1 (1.2 and up are treated as 1.1); another major
 *       version: 505.</li>
 *   <li>header fields: a token name, a colon, a value without control characters. Whitespace
 *       before the colon, line folding, an empty name: 400. More than {@link HttpLimits#maxHeaders}
 *       fields or {@link HttpLimits#maxHeaderBytes} bytes: 431. HTTP/1.1 without exactly one
 *       {@code Host}: 400.</li>
 *   <li>bodies are read and discarded. {@code Content-Length}: digits only; two different values: 400.
 *       {@code Transfer-Encoding: chunked} is decoded (chunk extensions and trailers skipped, trailers
 *       counted against the header limits); any other transfer coding: 501; transfer coding together
 *       with {@code Content-Length}, or in HTTP/1.0: 400 (a request-smuggling shape). A body over
 *       {@link HttpLimits#maxBodyBytes}: 413.</li>
 * </ul>
 * An error is reported once through {@link Listener#onError} and stops the parser: the connection
 * sends that response and closes. A request that does not keep the connection alive stops it too,
 * and the bytes after it are ignored.
 */
public final class HttpRequestParser {

    /** Receives what the parser finds, in order, on the parsing thread. */
    public interface Listener {
        /** A complete request, body consumed; the object is reused for the next request. */
        void onRequest(HttpRequest request);

        /** The input is not an acceptable request; nothing more is parsed on this connection. */
        void onError(HttpStatus status);
    }

    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HT = '\t';

    /** Longer than any method in the IANA registry but one: 501 beyond. */
    private static final int METHOD_MAX = 16;
    /** Header names and list tokens longer than these matter to nobody here: they are skipped, not stored. */
    private static final int NAME_MAX = 24;
    private static final int TOKEN_MAX = 16;

    private static final byte[] GET = ascii("GET");
    private static final byte[] HEAD = ascii("HEAD");
    private static final byte[] HOST = ascii("host");
    private static final byte[] CONNECTION = ascii("connection");
    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] CLOSE = ascii("close");
    private static final byte[] KEEP_ALIVE = ascii("keep-alive");
    private static final byte[] CHUNKED = ascii("chunked");
    private static final byte[] HTTP_SLASH = ascii("HTTP/");

    /** RFC 9110 tchar: the bytes of a method or a field name. */
    private static final boolean[] TCHAR = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    // States. The request line, then header fields (reused for the trailers of a chunked body), then the body.
    private static final int START = 0;
    private static final int METHOD = 1;
    private static final int TARGET = 2;
    private static final int VERSION = 3;
    private static final int REQUEST_LINE_LF = 4;
    private static final int FIELD_START = 5;
    private static final int FIELD_NAME = 6;
    private static final int FIELD_VALUE = 7;
    private static final int FIELD_LF = 8;
    private static final int HEAD_END_LF = 9;
    private static final int BODY = 10;
    private static final int CHUNK_SIZE = 11;
    private static final int CHUNK_EXTENSION = 12;
    private static final int CHUNK_SIZE_LF = 13;
    private static final int CHUNK_DATA = 14;
    private static final int CHUNK_DATA_CR = 15;
    private static final int CHUNK_DATA_LF = 16;
    private static final int STOPPED = 17;

    // The header fields whose values the parser reads.
    private static final int OTHER_FIELD = 0;
    private static final int HOST_FIELD = 1;
    private static final int CONNECTION_FIELD = 2;
    private static final int CONTENT_LENGTH_FIELD = 3;
    private static final int TRANSFER_ENCODING_FIELD = 4;

    private final HttpLimits limits;
    private final byte[][] paths;
    private final HttpRequest request = new HttpRequest();

    private int state = START;

    // The request line.
    private int lineBytes;
    private final byte[] method = new byte[METHOD_MAX];
    private int methodLength;
    private final byte[] path;
    private int pathLength;          // may exceed path.length: then no route matches
    private boolean inQuery;
    private int targetLength;
    private final byte[] version = new byte[8];
    private int versionLength;
    private boolean http10;

    // Header fields.
    private int headerBytes;
    private int fieldCount;
    private final byte[] name = new byte[NAME_MAX];
    private int nameLength;
    private int field;
    private final byte[] token = new byte[TOKEN_MAX];
    private int tokenLength;
    private int hosts;
    private boolean connectionClose;
    private boolean connectionKeepAlive;
    private boolean hasContentLength;
    private long contentLength;
    private long valueNumber;
    private int valueDigits;
    private boolean valueNumberEnded;
    private boolean hasTransferEncoding;
    private int chunkedCodings;
    private int otherCodings;
    private boolean inTrailers;

    // The body.
    private long bodyRemaining;
    private long bodyTotal;
    private long chunkSize;
    private int chunkDigits;

    /**
     * @param limits the sizes beyond which a request is refused
     * @param paths  the paths a request's {@link HttpRequest#route()} is matched against, in order
     */
    public HttpRequestParser(HttpLimits limits, List<String> paths) {
        this.limits = limits;
        this.paths = paths.stream().map(HttpRequestParser::ascii).toArray(byte[][]::new);
        this.path = new byte[Arrays.stream(this.paths).mapToInt(p -> p.length).max().orElse(0)];
    }

    /** True once an error or a request without keep-alive has ended this connection's parsing. */
    public boolean stopped() {
        return state == STOPPED;
    }

    /** True between requests: the last one (if any) is complete and no byte of the next has come. */
    public boolean betweenRequests() {
        return state == START && lineBytes == 0;
    }

    /** True while the body of a request is being read: its bytes, chunk lines and trailers. */
    public boolean readingBody() {
        return (state >= BODY && state < STOPPED) || inTrailers;
    }

    /**
     * Parses the bytes {@code [offset, offset + length)} of {@code input}, reporting each complete
     * request and any error to {@code listener} as it is found.
     *
     * @return false once parsing has stopped (see {@link #stopped()}): read no more, close after the
     *         responses
     */
    public boolean parse(MemorySegment input, long offset, long length, Listener listener) {
        long pos = offset;
        final long end = offset + length;
        while (pos < end) {
            switch (state) {
                case START -> {
                    byte b = input.get(BYTE, pos);
                    if (b == CR || b == LF) {
                        pos++;
                        if (++lineBytes > limits.maxRequestLine()) {
                            return fail(HttpStatus.BAD_REQUEST, listener);
                        }
                    } else if (TCHAR[b & 0xff]) {
                        state = METHOD;
                    } else {
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    }
                }
                case METHOD -> {
                    byte b = input.get(BYTE, pos++);
                    lineBytes++;
                    if (TCHAR[b & 0xff]) {
                        if (methodLength == METHOD_MAX) {
                            return fail(HttpStatus.NOT_IMPLEMENTED, listener);
                        }
                        method[methodLength++] = b;
                    } else if (b == SP) {
                        state = TARGET;
                    } else {
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    }
                }
                case TARGET -> {
                    byte b = input.get(BYTE, pos++);
                    if (++lineBytes > limits.maxRequestLine()) {
                        return fail(HttpStatus.URI_TOO_LONG, listener);
                    }
                    if (b > SP && b < 0x7f) {
                        targetLength++;
                        if (b == '?' || b == '#') {
                            inQuery = true;
                        } else if (!inQuery) {
                            if (pathLength < path.length) {
                                path[pathLength] = b;
                            }
                            pathLength++;
                        }
                    } else if (b == SP && targetLength > 0) {
                        state = VERSION;
                    } else {
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    }
                }
                case VERSION -> {
                    byte b = input.get(BYTE, pos++);
                    if (++lineBytes > limits.maxRequestLine()) {
                        return fail(HttpStatus.URI_TOO_LONG, listener);
                    }
                    if (b == CR || b == LF) {
                        HttpStatus problem = checkVersion();
                        if (problem != null) {
                            return fail(problem, listener);
                        }
                        state = b == CR ? REQUEST_LINE_LF : FIELD_START;
                    } else if (versionLength < version.length) {
                        version[versionLength++] = b;
                    } else {
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    }
                }
                case REQUEST_LINE_LF -> {
                    if (input.get(BYTE, pos++) != LF) {
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    }
                    state = FIELD_START;
                }
                case FIELD_START -> {
                    byte b = input.get(BYTE, pos++);
                    if (++headerBytes > limits.maxHeaderBytes()) {
                        return fail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, listener);
                    }
                    if (b == CR) {
                        state = HEAD_END_LF;
                    } else if (b == LF) {
                        if (!endHead(listener)) {
                            return false;
                        }
                    } else if (TCHAR[b & 0xff]) {
                        if (++fieldCount > limits.maxHeaders()) {
                            return fail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, listener);
                        }
                        nameLength = 0;
                        appendToName(b);
                        state = FIELD_NAME;
                    } else {
                        // Includes SP and HT: line folding, or whitespace before the first field.
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    }
                }
                case FIELD_NAME -> {
                    byte b = input.get(BYTE, pos++);
                    if (++headerBytes > limits.maxHeaderBytes()) {
                        return fail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, listener);
                    }
                    if (TCHAR[b & 0xff]) {
                        appendToName(b);
                    } else if (b == ':') {
                        startValue();
                        state = FIELD_VALUE;
                    } else {
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    }
                }
                case FIELD_VALUE -> {
                    if (field == OTHER_FIELD || field == HOST_FIELD) {
                        // The common case: a value nobody reads. Skip it in a tight loop.
                        long start = pos;
                        byte b = 0;
                        while (pos < end) {
                            b = input.get(BYTE, pos);
                            if (b == CR || b == LF || isControl(b)) {
                                break;
                            }
                            pos++;
                        }
                        headerBytes += (int) Math.min(pos - start, Integer.MAX_VALUE);
                        if (headerBytes > limits.maxHeaderBytes()) {
                            return fail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, listener);
                        }
                        if (pos == end) {
                            break;
                        }
                        if (b != CR && b != LF) {
                            return fail(HttpStatus.BAD_REQUEST, listener);
                        }
                    }
                    byte b = input.get(BYTE, pos++);
                    if (++headerBytes > limits.maxHeaderBytes()) {
                        return fail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, listener);
                    }
                    HttpStatus problem;
                    if (b == CR) {
                        state = FIELD_LF;
                        problem = null;
                    } else if (b == LF) {
                        problem = endField();
                    } else if (isControl(b)) {
                        problem = HttpStatus.BAD_REQUEST;
                    } else {
                        problem = valueByte(b);
                    }
                    if (problem != null) {
                        return fail(problem, listener);
                    }
                }
                case FIELD_LF -> {
                    if (input.get(BYTE, pos++) != LF) {
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    }
                    if (++headerBytes > limits.maxHeaderBytes()) {
                        return fail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, listener);
                    }
                    HttpStatus problem = endField();
                    if (problem != null) {
                        return fail(problem, listener);
                    }
                }
                case HEAD_END_LF -> {
                    if (input.get(BYTE, pos++) != LF) {
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    }
                    if (++headerBytes > limits.maxHeaderBytes()) {
                        return fail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, listener);
                    }
                    if (!endHead(listener)) {
                        return false;
                    }
                }
                case BODY, CHUNK_DATA -> {
                    long skip = Math.min(bodyRemaining, end - pos);
                    pos += skip;
                    bodyRemaining -= skip;
                    if (bodyRemaining == 0) {
                        if (state == CHUNK_DATA) {
                            state = CHUNK_DATA_CR;
                        } else if (!completeRequest(listener)) {
                            return false;
                        }
                    }
                }
                case CHUNK_SIZE -> {
                    byte b = input.get(BYTE, pos++);
                    if (++lineBytes > limits.maxRequestLine()) {
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    }
                    int digit = Character.digit(b, 16);
                    if (digit >= 0) {
                        chunkSize = chunkSize * 16 + digit;
                        chunkDigits++;
                        if (bodyTotal + chunkSize > limits.maxBodyBytes()) {
                            return fail(HttpStatus.CONTENT_TOO_LARGE, listener);
                        }
                    } else if (chunkDigits == 0) {
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    } else if (b == ';' || b == SP || b == HT) {
                        state = CHUNK_EXTENSION;
                    } else if (b == CR) {
                        state = CHUNK_SIZE_LF;
                    } else if (b == LF) {
                        endChunkSizeLine();
                    } else {
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    }
                }
                case CHUNK_EXTENSION -> {
                    byte b = input.get(BYTE, pos++);
                    if (++lineBytes > limits.maxRequestLine()) {
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    }
                    if (b == CR) {
                        state = CHUNK_SIZE_LF;
                    } else if (b == LF) {
                        endChunkSizeLine();
                    } else if (isControl(b)) {
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    }
                }
                case CHUNK_SIZE_LF -> {
                    if (input.get(BYTE, pos++) != LF) {
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    }
                    endChunkSizeLine();
                }
                case CHUNK_DATA_CR, CHUNK_DATA_LF -> {
                    byte b = input.get(BYTE, pos++);
                    if (b == CR && state == CHUNK_DATA_CR) {
                        state = CHUNK_DATA_LF;
                    } else if (b == LF) {
                        startChunkSizeLine();
                    } else {
                        return fail(HttpStatus.BAD_REQUEST, listener);
                    }
                }
                case STOPPED -> {
                    return false;
                }
                default -> throw new IllegalStateException("parser state " + state);
            }
        }
        return state != STOPPED;
    }

    private HttpStatus checkVersion() {
        if (versionLength != 8 || !Arrays.equals(version, 0, 5, HTTP_SLASH, 0, 5)
                || !isDigit(version[5]) || version[6] != '.' || !isDigit(version[7])) {
            return HttpStatus.BAD_REQUEST;
        }
        if (version[5] != '1') {
            return HttpStatus.HTTP_VERSION_NOT_SUPPORTED;
        }
        http10 = version[7] == '0';
        return null;
    }

    private void appendToName(byte b) {
        if (nameLength < NAME_MAX) {
            name[nameLength] = lower(b);
        }
        nameLength++;
    }

    private void startValue() {
        if (inTrailers) {
            field = OTHER_FIELD;      // trailers cannot change how the message is framed or handled
        } else if (is(name, nameLength, HOST)) {
            field = HOST_FIELD;
            hosts++;
        } else if (is(name, nameLength, CONNECTION)) {
            field = CONNECTION_FIELD;
        } else if (is(name, nameLength, CONTENT_LENGTH)) {
            field = CONTENT_LENGTH_FIELD;
        } else if (is(name, nameLength, TRANSFER_ENCODING)) {
            field = TRANSFER_ENCODING_FIELD;
            hasTransferEncoding = true;
        } else {
            field = OTHER_FIELD;
        }
        tokenLength = 0;
        valueNumber = 0;
        valueDigits = 0;
        valueNumberEnded = false;
    }

    /** One byte of the value of a field the parser reads (not CR, LF or a control character). */
    private HttpStatus valueByte(byte b) {
        switch (field) {
            case CONTENT_LENGTH_FIELD -> {
                if (isDigit(b) && !valueNumberEnded) {
                    valueNumber = valueNumber * 10 + (b - '0');
                    valueDigits++;
                    if (valueNumber > limits.maxBodyBytes()) {
                        return HttpStatus.CONTENT_TOO_LARGE;
                    }
                } else if (b == SP || b == HT) {
                    valueNumberEnded = valueDigits > 0;
                } else {
                    return HttpStatus.BAD_REQUEST;
                }
            }
            case CONNECTION_FIELD, TRANSFER_ENCODING_FIELD -> {
                if (b == ',' || b == SP || b == HT) {
                    endToken();
                } else {
                    if (tokenLength < TOKEN_MAX) {
                        token[tokenLength] = lower(b);
                    }
                    tokenLength++;
                }
            }
            default -> { }
        }
        return null;
    }

    private HttpStatus endField() {
        state = FIELD_START;
        switch (field) {
            case CONTENT_LENGTH_FIELD -> {
                if (valueDigits == 0 || (hasContentLength && contentLength != valueNumber)) {
                    return HttpStatus.BAD_REQUEST;
                }
                hasContentLength = true;
                contentLength = valueNumber;
            }
            case CONNECTION_FIELD, TRANSFER_ENCODING_FIELD -> endToken();
            default -> { }
        }
        return null;
    }

    private void endToken() {
        if (tokenLength == 0) {
            return;
        }
        if (field == CONNECTION_FIELD) {
            connectionClose |= is(token, tokenLength, CLOSE);
            connectionKeepAlive |= is(token, tokenLength, KEEP_ALIVE);
        } else if (is(token, tokenLength, CHUNKED)) {
            chunkedCodings++;
        } else {
            otherCodings++;
        }
        tokenLength = 0;
    }

    /** The empty line after the fields (or after the trailers). False when the parser stopped. */
    private boolean endHead(Listener listener) {
        if (inTrailers) {
            return completeRequest(listener);
        }
        if ((!http10 && hosts != 1) || hosts > 1) {
            return fail(HttpStatus.BAD_REQUEST, listener);
        }
        if (hasTransferEncoding) {
            if (http10 || hasContentLength) {
                return fail(HttpStatus.BAD_REQUEST, listener);
            }
            if (chunkedCodings != 1 || otherCodings != 0) {
                return fail(HttpStatus.NOT_IMPLEMENTED, listener);
            }
            startChunkSizeLine();
            return true;
        }
        if (contentLength > 0) {
            bodyRemaining = contentLength;
            state = BODY;
            return true;
        }
        return completeRequest(listener);
    }

    private void startChunkSizeLine() {
        state = CHUNK_SIZE;
        lineBytes = 0;
        chunkSize = 0;
        chunkDigits = 0;
    }

    private void endChunkSizeLine() {
        if (chunkSize == 0) {
            inTrailers = true;
            state = FIELD_START;
        } else {
            bodyTotal += chunkSize;
            bodyRemaining = chunkSize;
            state = CHUNK_DATA;
        }
    }

    private boolean completeRequest(Listener listener) {
        boolean keepAlive = http10 ? connectionKeepAlive && !connectionClose : !connectionClose;
        request.set(method(), route(), http10, keepAlive);
        reset();
        if (!keepAlive) {
            state = STOPPED;
        }
        listener.onRequest(request);
        return keepAlive;
    }

    private HttpRequest.Method method() {
        if (is(method, methodLength, GET)) {
            return HttpRequest.Method.GET;
        }
        return is(method, methodLength, HEAD) ? HttpRequest.Method.HEAD : HttpRequest.Method.OTHER;
    }

    private int route() {
        for (int i = 0; i < paths.length; i++) {
            if (is(path, pathLength, paths[i])) {
                return i;
            }
        }
        return -1;
    }

    /** Ready for the next request on the connection. */
    private void reset() {
        state = START;
        lineBytes = 0;
        methodLength = 0;
        pathLength = 0;
        inQuery = false;
        targetLength = 0;
        versionLength = 0;
        http10 = false;
        headerBytes = 0;
        fieldCount = 0;
        hosts = 0;
        connectionClose = false;
        connectionKeepAlive = false;
        hasContentLength = false;
        contentLength = 0;
        hasTransferEncoding = false;
        chunkedCodings = 0;
        otherCodings = 0;
        inTrailers = false;
        bodyRemaining = 0;
        bodyTotal = 0;
    }

    private boolean fail(HttpStatus status, Listener listener) {
        state = STOPPED;
        listener.onError(status);
        return false;
    }

    /** True when the first {@code length} bytes of {@code bytes} (stored up to its size) are {@code expected}. */
    private static boolean is(byte[] bytes, int length, byte[] expected) {
        return length == expected.length && Arrays.equals(bytes, 0, length, expected, 0, length);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** A control character not allowed in a field value (HT is allowed; CR and LF end the line). */
    private static boolean isControl(byte b) {
        return (b >= 0 && b < SP && b != HT) || b == 0x7f;
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
