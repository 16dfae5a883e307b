package dev.atoll.examples.http;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * An incremental HTTP/1.1 request parser over bytes in a {@link MemorySegment}. It keeps its state
 * between calls, never looks back at earlier input and keeps no copy of it: a request may be
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
    /** Eight bytes of a heap array as one long, the first byte lowest. */
    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** The scratch array of a parser that was given none. */
    private static final int OWN_SCRATCH_BYTES = 2048;
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
    private static final byte[] KEEP_ALIVE_LINE = ascii("keep-alive\r\n");
    private static final byte[] CLOSE_LINE = ascii("close\r\n");
    private static final byte[] HTTP_SLASH = ascii("HTTP/");
    /** {@code HTTP/1.1} as {@link #WORDS} reads it. */
    private static final long HTTP_1_1 = (long) WORDS.get(ascii("HTTP/1.1"), 0);
    /** {@code HTTP/1.1\r\n}: the bytes the fast path of the version takes. */
    private static final int HTTP_1_1_LINE_END = 10;

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
    /** Where input is copied to be scanned; may be shared by the parsers of one thread (nothing is kept in it between calls). */
    private final byte[] scratch;
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
        this(limits, paths, new byte[OWN_SCRATCH_BYTES]);
    }

    /**
     * @param limits  the sizes beyond which a request is refused
     * @param paths   the paths a request's {@link HttpRequest#route()} is matched against, in order
     * @param scratch where input is copied to be scanned, a chunk at a time; the parsers of one thread
     *                may share one, as a call keeps nothing in it once it returns
     */
    public HttpRequestParser(HttpLimits limits, List<String> paths, byte[] scratch) {
        if (scratch.length < Long.BYTES) {
            throw new IllegalArgumentException("a scratch array of at least 8 bytes, not " + scratch.length);
        }
        this.scratch = scratch;
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
     * <p>The bytes are copied into a heap array a chunk at a time and scanned there: one bulk copy
     * costs less than a bounds- and liveness-checked segment access per byte, and lets a header value
     * be skipped eight bytes at a time. The bytes of a body being skipped are not copied.
     *
     * @return false once parsing has stopped (see {@link #stopped()}): read no more, close after the
     *         responses
     */
    public boolean parse(MemorySegment input, long offset, long length, Listener listener) {
        long pos = offset;
        final long end = offset + length;
        while (pos < end && state != STOPPED) {
            if (state == BODY || state == CHUNK_DATA) {
                long skip = Math.min(bodyRemaining, end - pos);
                pos += skip;
                bodyRemaining -= skip;
                if (bodyRemaining == 0 && !endBodyPart(listener)) {
                    return false;
                }
                continue;
            }
            int n = (int) Math.min(end - pos, scratch.length);
            MemorySegment.copy(input, BYTE, pos, scratch, 0, n);
            pos += parse(scratch, n, listener);
        }
        return state != STOPPED;
    }

    /** The chunk {@code [0, end)} of {@link #scratch}: returns how many bytes were consumed (all unless it stopped). */
    private int parse(byte[] in, int end, Listener listener) {
        int pos = 0;
        while (pos < end) {
            switch (state) {
                case START -> {
                    byte b = in[pos];
                    if (b == CR || b == LF) {
                        pos++;
                        if (++lineBytes > limits.maxRequestLine()) {
                            return fail(HttpStatus.BAD_REQUEST, listener, pos);
                        }
                    } else if (TCHAR[b & 0xff]) {
                        state = METHOD;
                    } else {
                        return fail(HttpStatus.BAD_REQUEST, listener, pos);
                    }
                }
                case METHOD -> {
                    while (pos < end) {
                        byte b = in[pos++];
                        lineBytes++;
                        if (TCHAR[b & 0xff]) {
                            if (methodLength == METHOD_MAX) {
                                return fail(HttpStatus.NOT_IMPLEMENTED, listener, pos);
                            }
                            method[methodLength++] = b;
                        } else if (b == SP) {
                            state = TARGET;
                            break;
                        } else {
                            return fail(HttpStatus.BAD_REQUEST, listener, pos);
                        }
                    }
                }
                case TARGET -> {
                    if (targetLength == 0) {
                        // The usual target, a path without query, whole in this chunk with the space after
                        // it and within the line's limit: what the loop below would find, in one copy.
                        int stop = Math.min(end, pos + (limits.maxRequestLine() - lineBytes));
                        int at = pos;
                        byte b;
                        while (at < stop && (b = in[at]) > SP && b < 0x7f && b != '?' && b != '#') {
                            at++;
                        }
                        if (at < stop && at > pos && in[at] == SP) {
                            int length = at - pos;
                            System.arraycopy(in, pos, path, 0, Math.min(length, path.length));
                            pathLength = length;
                            targetLength = length;
                            lineBytes += length + 1;
                            pos = at + 1;
                            state = VERSION;
                            break;
                        }
                    }
                    while (pos < end) {
                        byte b = in[pos++];
                        if (++lineBytes > limits.maxRequestLine()) {
                            return fail(HttpStatus.URI_TOO_LONG, listener, pos);
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
                            break;
                        } else {
                            return fail(HttpStatus.BAD_REQUEST, listener, pos);
                        }
                    }
                }
                case VERSION -> {
                    if (versionLength == 0 && end - pos >= HTTP_1_1_LINE_END
                            && lineBytes + HTTP_1_1_LINE_END - 1 <= limits.maxRequestLine()
                            && (long) WORDS.get(in, pos) == HTTP_1_1 && in[pos + 8] == CR && in[pos + 9] == LF) {
                        // The usual version and line end, whole in this chunk: what the loop below would find.
                        pos += HTTP_1_1_LINE_END;
                        lineBytes += HTTP_1_1_LINE_END - 1;    // the LF is not counted, as below
                        http10 = false;
                        state = FIELD_START;
                        break;
                    }
                    while (pos < end) {
                        byte b = in[pos++];
                        if (++lineBytes > limits.maxRequestLine()) {
                            return fail(HttpStatus.URI_TOO_LONG, listener, pos);
                        }
                        if (b == CR || b == LF) {
                            HttpStatus problem = checkVersion();
                            if (problem != null) {
                                return fail(problem, listener, pos);
                            }
                            state = b == CR ? REQUEST_LINE_LF : FIELD_START;
                            break;
                        } else if (versionLength < version.length) {
                            version[versionLength++] = b;
                        } else {
                            return fail(HttpStatus.BAD_REQUEST, listener, pos);
                        }
                    }
                }
                case REQUEST_LINE_LF -> {
                    if (in[pos++] != LF) {
                        return fail(HttpStatus.BAD_REQUEST, listener, pos);
                    }
                    state = FIELD_START;
                }
                case FIELD_START -> {
                    byte b = in[pos++];
                    if (++headerBytes > limits.maxHeaderBytes()) {
                        return fail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, listener, pos);
                    }
                    if (b == CR) {
                        state = HEAD_END_LF;
                    } else if (b == LF) {
                        if (!endHead(listener)) {
                            return pos;
                        }
                    } else if (TCHAR[b & 0xff]) {
                        if (++fieldCount > limits.maxHeaders()) {
                            return fail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, listener, pos);
                        }
                        nameLength = 0;
                        appendToName(b);
                        state = FIELD_NAME;
                    } else {
                        // Includes SP and HT: line folding, or whitespace before the first field.
                        return fail(HttpStatus.BAD_REQUEST, listener, pos);
                    }
                }
                case FIELD_NAME -> {
                    // Each byte counts against the header limit before it is looked at: the run stops there.
                    int stop = Math.min(end, pos + (limits.maxHeaderBytes() - headerBytes));
                    int from = pos;
                    while (pos < stop && TCHAR[in[pos] & 0xff]) {
                        pos++;
                    }
                    headerBytes += pos - from;
                    // A name begun in this chunk (its first byte, which FIELD_START took, is in[from - 1])
                    // is matched where it lies; one begun in an earlier chunk, or going on in the next,
                    // is collected in name.
                    boolean whole = pos < end && nameLength == 1 && from > 0;
                    if (!whole) {
                        appendToName(in, from, pos);
                    }
                    if (pos == end) {
                        break;
                    }
                    byte b = in[pos];
                    headerBytes++;
                    pos++;
                    if (pos > stop) {
                        return fail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, listener, pos);
                    }
                    if (b != ':') {
                        return fail(HttpStatus.BAD_REQUEST, listener, pos);
                    }
                    if (whole) {
                        startValue(in, from - 1, pos - from);
                    } else {
                        startValue(name, 0, nameLength);
                    }
                    state = FIELD_VALUE;
                    if (field == CONNECTION_FIELD) {
                        // The usual values, whole in this chunk with their CRLF: what the byte path would find.
                        // Past the header limit, the next byte counted (the head ends with one more line)
                        // fails the request with the status the byte path gives.
                        int skip = knownConnectionValue(in, pos, end);
                        pos += skip;
                        headerBytes += skip;
                        if (skip > 0) {
                            state = FIELD_START;
                        }
                    }
                }
                case FIELD_VALUE -> {
                    if (field == OTHER_FIELD || field == HOST_FIELD) {
                        // The common case: a value nobody reads, skipped up to its first control byte.
                        int stop = Math.min(end, pos + (limits.maxHeaderBytes() - headerBytes));
                        int from = pos;
                        pos = skipValue(in, pos, stop);
                        headerBytes += pos - from;
                        if (pos == end) {
                            break;
                        }
                        if (in[pos] == CR && pos + 1 < end && in[pos + 1] == LF && headerBytes + 2 <= limits.maxHeaderBytes()) {
                            // CRLF whole in this chunk: the field ends here (its value needs no more checks).
                            pos += 2;
                            headerBytes += 2;
                            state = FIELD_START;
                            break;
                        }
                    }
                    byte b = in[pos++];
                    if (++headerBytes > limits.maxHeaderBytes()) {
                        return fail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, listener, pos);
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
                        return fail(problem, listener, pos);
                    }
                }
                case FIELD_LF -> {
                    if (in[pos++] != LF) {
                        return fail(HttpStatus.BAD_REQUEST, listener, pos);
                    }
                    if (++headerBytes > limits.maxHeaderBytes()) {
                        return fail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, listener, pos);
                    }
                    HttpStatus problem = endField();
                    if (problem != null) {
                        return fail(problem, listener, pos);
                    }
                }
                case HEAD_END_LF -> {
                    if (in[pos++] != LF) {
                        return fail(HttpStatus.BAD_REQUEST, listener, pos);
                    }
                    if (++headerBytes > limits.maxHeaderBytes()) {
                        return fail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, listener, pos);
                    }
                    if (!endHead(listener)) {
                        return pos;
                    }
                }
                case BODY, CHUNK_DATA -> {
                    int skip = (int) Math.min(bodyRemaining, end - pos);
                    pos += skip;
                    bodyRemaining -= skip;
                    if (bodyRemaining == 0 && !endBodyPart(listener)) {
                        return pos;
                    }
                }
                case CHUNK_SIZE -> {
                    byte b = in[pos++];
                    if (++lineBytes > limits.maxRequestLine()) {
                        return fail(HttpStatus.BAD_REQUEST, listener, pos);
                    }
                    int digit = Character.digit(b, 16);
                    if (digit >= 0) {
                        chunkSize = chunkSize * 16 + digit;
                        chunkDigits++;
                        if (bodyTotal + chunkSize > limits.maxBodyBytes()) {
                            return fail(HttpStatus.CONTENT_TOO_LARGE, listener, pos);
                        }
                    } else if (chunkDigits == 0) {
                        return fail(HttpStatus.BAD_REQUEST, listener, pos);
                    } else if (b == ';' || b == SP || b == HT) {
                        state = CHUNK_EXTENSION;
                    } else if (b == CR) {
                        state = CHUNK_SIZE_LF;
                    } else if (b == LF) {
                        endChunkSizeLine();
                    } else {
                        return fail(HttpStatus.BAD_REQUEST, listener, pos);
                    }
                }
                case CHUNK_EXTENSION -> {
                    byte b = in[pos++];
                    if (++lineBytes > limits.maxRequestLine()) {
                        return fail(HttpStatus.BAD_REQUEST, listener, pos);
                    }
                    if (b == CR) {
                        state = CHUNK_SIZE_LF;
                    } else if (b == LF) {
                        endChunkSizeLine();
                    } else if (isControl(b)) {
                        return fail(HttpStatus.BAD_REQUEST, listener, pos);
                    }
                }
                case CHUNK_SIZE_LF -> {
                    if (in[pos++] != LF) {
                        return fail(HttpStatus.BAD_REQUEST, listener, pos);
                    }
                    endChunkSizeLine();
                }
                case CHUNK_DATA_CR, CHUNK_DATA_LF -> {
                    byte b = in[pos++];
                    if (b == CR && state == CHUNK_DATA_CR) {
                        state = CHUNK_DATA_LF;
                    } else if (b == LF) {
                        startChunkSizeLine();
                    } else {
                        return fail(HttpStatus.BAD_REQUEST, listener, pos);
                    }
                }
                case STOPPED -> {
                    return pos;
                }
                default -> throw new IllegalStateException("parser state " + state);
            }
        }
        return pos;
    }

    /**
     * The index of the first byte of {@code in[pos, stop)} that is a control character other than HT
     * (CR and LF among them) or DEL, or {@code stop}. Eight bytes at a time: a byte below 0x20 or equal
     * to 0x7f sets its high bit in the word's mask, and the lowest such bit is exact (the borrows that
     * may set higher ones start at it).
     */
    private static int skipValue(byte[] in, int pos, int stop) {
        while (true) {
            while (pos + Long.BYTES <= stop) {
                long word = (long) WORDS.get(in, pos);
                long del = word ^ 0x7f7f7f7f7f7f7f7fL;
                long found = ((word - 0x2020202020202020L) & ~word | (del - 0x0101010101010101L) & ~del)
                        & 0x8080808080808080L;
                if (found != 0) {
                    pos += Long.numberOfTrailingZeros(found) >>> 3;
                    break;
                }
                pos += Long.BYTES;
            }
            while (pos < stop && !isControl(in[pos]) && in[pos] != HT) {
                pos++;
            }
            if (pos < stop && in[pos] == HT) {
                pos++;               // allowed in a value: go on past it
                continue;
            }
            return pos;
        }
    }

    /** The body, or a chunk's data, has been skipped to its end. False when the parser stopped. */
    private boolean endBodyPart(Listener listener) {
        if (state == CHUNK_DATA) {
            state = CHUNK_DATA_CR;
            return true;
        }
        return completeRequest(listener);
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

    /** Appends the name bytes {@code in[from, to)}. */
    private void appendToName(byte[] in, int from, int to) {
        for (int i = from; i < to; i++) {
            appendToName(in[i]);
        }
    }

    /**
     * After {@code :}: which field the name {@code bytes[from, from + length)} (token characters) is,
     * and the value's state reset.
     */
    private void startValue(byte[] bytes, int from, int length) {
        if (inTrailers) {
            field = OTHER_FIELD;      // trailers cannot change how the message is framed or handled
        } else if (isName(bytes, from, length, HOST)) {
            field = HOST_FIELD;
            hosts++;
        } else if (isName(bytes, from, length, CONNECTION)) {
            field = CONNECTION_FIELD;
        } else if (isName(bytes, from, length, CONTENT_LENGTH)) {
            field = CONTENT_LENGTH_FIELD;
        } else if (isName(bytes, from, length, TRANSFER_ENCODING)) {
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
            return failHead(HttpStatus.BAD_REQUEST, listener);
        }
        if (hasTransferEncoding) {
            if (http10 || hasContentLength) {
                return failHead(HttpStatus.BAD_REQUEST, listener);
            }
            if (chunkedCodings != 1 || otherCodings != 0) {
                return failHead(HttpStatus.NOT_IMPLEMENTED, listener);
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

    /** Stops the parser with {@code status}; returns {@code consumed}, for {@link #parse(byte[], int, Listener)}. */
    private int fail(HttpStatus status, Listener listener, int consumed) {
        state = STOPPED;
        listener.onError(status);
        return consumed;
    }

    private boolean failHead(HttpStatus status, Listener listener) {
        fail(status, listener, 0);
        return false;
    }

    /**
     * True when the token {@code bytes[from, from + length)} is {@code expected} (lower-case letters and
     * {@code -}) in any case. Setting bit 0x20 lower-cases a letter and keeps {@code -}; no other token
     * character becomes a lower-case letter or {@code -} by it.
     */
    private static boolean isName(byte[] bytes, int from, int length, byte[] expected) {
        if (length != expected.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if ((bytes[from + i] | 0x20) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The length of a {@code Connection} value of the usual forms, {@code " keep-alive\r\n"} or
     * {@code " close\r\n"} (lower case, one space or none), at {@code in[pos]} and whole before
     * {@code end}, with its effect recorded as the byte path would; 0 for anything else.
     */
    private int knownConnectionValue(byte[] in, int pos, int end) {
        int at = pos < end && in[pos] == SP ? pos + 1 : pos;
        if (startsWith(in, at, end, KEEP_ALIVE_LINE)) {
            connectionKeepAlive = true;
            return at - pos + KEEP_ALIVE_LINE.length;
        }
        if (startsWith(in, at, end, CLOSE_LINE)) {
            connectionClose = true;
            return at - pos + CLOSE_LINE.length;
        }
        return 0;
    }

    private static boolean startsWith(byte[] in, int pos, int end, byte[] expected) {
        return end - pos >= expected.length && Arrays.equals(in, pos, pos + expected.length, expected, 0, expected.length);
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
