package dev.atoll.examples.kv;

/**
 * Parses RESP2 requests — arrays of bulk strings ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}) and inline
 * commands ({@code GET k\r\n}, with Redis's quoting) — from a byte array into a {@link Request}
 * view, allocating nothing. A command cut anywhere is reported as incomplete; its {@link Request}
 * remembers how far the parse got (as Redis's client keeps {@code multibulklen} and its argv), and
 * the next parse of the same command, with more bytes after it, resumes there: a byte is read once,
 * however many reads the command takes, but for the few of a header whose argument was cut. Errors
 * carry Redis's own texts; after one the connection must close.
 */
final class RespParser {
    /** {@link #parse} found no complete command: keep the bytes from {@code from} and read more. */
    static final int INCOMPLETE = -1;
    /** {@link #parse} found a protocol error: reply {@link #error()} and close. */
    static final int ERROR = -2;

    /** Redis's bound on the length of an inline command or a header line without its line end. */
    static final int MAX_INLINE = 64 * 1024;
    /** The bound on the number of arguments of one command. */
    static final int MAX_ARGUMENTS = 1024 * 1024;
    /** Redis's bounds for a client that has not authenticated yet: arguments of a command, bytes of one. */
    static final int UNAUTHENTICATED_ARGUMENTS = 10;
    static final int UNAUTHENTICATED_BULK = 16 * 1024;

    private final long maxBulk;
    private final long maxQuery;
    private final String queryError;
    private String error;

    /** @param maxRequestBytes the longest bulk string and the largest command, arguments included */
    RespParser(int maxRequestBytes) {
        this(maxRequestBytes, maxRequestBytes);
    }

    /**
     * @param maxBulk  the longest bulk string (Redis's proto-max-bulk-len)
     * @param maxQuery the most bytes of one command not yet complete (Redis's client-query-buffer-limit)
     */
    RespParser(int maxBulk, int maxQuery) {
        this.maxBulk = maxBulk;
        this.maxQuery = maxQuery;
        this.queryError = "ERR Protocol error: max query buffer length reached (client-query-buffer-limit "
                + maxQuery + ")";
    }

    /** The error of a command past the query-buffer limit, without the leading {@code -}. */
    String queryBufferError() {
        return queryError;
    }

    /** The error text of the last {@link #ERROR}, without the leading {@code -}. */
    String error() {
        return error;
    }

    /**
     * Parses one command from {@code bytes[from, to)} into {@code request}. Returns the index after it
     * ({@code request.count()} may be 0: an empty inline line, skipped like Redis does), or
     * {@link #INCOMPLETE}, or {@link #ERROR}. After {@link #INCOMPLETE} the next call for this
     * request must pass the same command at its {@code from}, wherever it was moved to, with more after it.
     */
    int parse(byte[] bytes, int from, int to, Request request) {
        return parse(bytes, from, to, request, false);
    }

    /**
     * As {@link #parse(byte[], int, int, Request)}; when {@code unauthenticated}, a command of more than
     * {@link #UNAUTHENTICATED_ARGUMENTS} arguments or with a bulk string over {@link #UNAUTHENTICATED_BULK}
     * bytes is an error as soon as its header says so, as Redis refuses them before AUTH.
     */
    int parse(byte[] bytes, int from, int to, Request request, boolean unauthenticated) {
        if (request.inProgress()) {
            request.resume(bytes, from);
        } else {
            request.reset(bytes);
        }
        int result = request.expected > 0 || bytes[from] == '*' ? multibulk(bytes, from, to, request, unauthenticated)
                : inline(bytes, from, to, request);
        if (result == INCOMPLETE && to - from > maxQuery) {
            result = fail(queryError);
        }
        if (result != INCOMPLETE) {
            request.finish();
        }
        return result;
    }

    private int multibulk(byte[] bytes, int from, int to, Request request, boolean unauthenticated) {
        int at;
        if (request.expected > 0) {
            at = from + request.resumeAt;
        } else {
            int lineEnd = numberEnd(bytes, from + 1, to);
            if (lineEnd == INCOMPLETE) {
                return INCOMPLETE; // a header line is short: read again from the start
            }
            long count = lineEnd < 0 ? BAD_NUMBER : decimal(bytes, from + 1, lineEnd);
            if (count > MAX_ARGUMENTS || count == BAD_NUMBER) {
                return fail("ERR Protocol error: invalid multibulk length");
            }
            if (unauthenticated && count > UNAUTHENTICATED_ARGUMENTS) {
                return fail("ERR Protocol error: unauthenticated multibulk length");
            }
            at = lineEnd + 2;
            if (count <= 0) {
                return at; // "*0" and "*-1" are empty commands: skipped, as Redis does
            }
            request.expected = (int) count;
        }
        while (request.count < request.expected) {
            if (at >= to) {
                return suspend(request, from, at, 0);
            }
            if (bytes[at] != '$') {
                return fail("ERR Protocol error: expected '$', got '" + (char) (bytes[at] & 0xFF) + "'");
            }
            int headerEnd = numberEnd(bytes, at + 1, to);
            if (headerEnd == INCOMPLETE) {
                return suspend(request, from, at, 0);
            }
            long length = headerEnd < 0 ? BAD_NUMBER : decimal(bytes, at + 1, headerEnd);
            if (length < 0 || length > maxBulk) {
                return fail("ERR Protocol error: invalid bulk length");
            }
            if (unauthenticated && length > UNAUTHENTICATED_BULK) {
                return fail("ERR Protocol error: unauthenticated bulk length");
            }
            int data = headerEnd + 2;
            long end = data + length + 2; // this argument's end: the command is at least this long
            if (end - from > maxQuery) {
                return fail(queryError); // refused now, before its bytes are held
            }
            if (end > to) {
                return suspend(request, from, at, end - from); // its header is read again: a few bytes
            }
            int dataEnd = data + (int) length;
            if (bytes[dataEnd] != '\r' || bytes[dataEnd + 1] != '\n') {
                return fail("ERR Protocol error: expected CRLF after a bulk string of " + length + " bytes");
            }
            request.add(data, (int) length);
            at = dataEnd + 2;
        }
        return at;
    }

    private static int suspend(Request request, int from, int at, long atLeast) {
        request.suspend(from, at, atLeast);
        return INCOMPLETE;
    }

    private static final long BAD_NUMBER = Long.MIN_VALUE;

    /** A header's decimal: digits with an optional '-'; {@link #BAD_NUMBER} otherwise or when too long. */
    private static long decimal(byte[] bytes, int from, int to) {
        if (from == to || to - from > 18) {
            return BAD_NUMBER;
        }
        boolean negative = bytes[from] == '-';
        int k = negative ? from + 1 : from;
        if (k == to) {
            return BAD_NUMBER;
        }
        long value = 0;
        for (; k < to; k++) {
            int digit = bytes[k] - '0';
            if (digit < 0 || digit > 9) {
                return BAD_NUMBER;
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }

    /**
     * The index of the '\r' of the "\r\n" that ends the number starting at {@code from};
     * {@link #INCOMPLETE} when the line has not ended yet; {@link #ERROR} at once when a byte cannot
     * belong to a header's number (binary junk is refused as soon as it is seen, not after 64 KiB).
     */
    private static int numberEnd(byte[] bytes, int from, int to) {
        for (int k = from; k < to; k++) {
            byte b = bytes[k];
            if (b == '\r') {
                return k + 1 == to ? INCOMPLETE : bytes[k + 1] == '\n' ? k : ERROR;
            }
            if ((b < '0' || b > '9') && !(b == '-' && k == from) || k - from > 19) {
                return ERROR;
            }
        }
        return INCOMPLETE;
    }

    /**
     * An inline command: arguments split at spaces and tabs, with "double quotes" (escapes \n \r \t
     * \b \a \\ \" \xHH) and 'single quotes' (only \'), as redis-cli's and Redis's sdssplitargs. Escapes
     * are decoded in place: the decoded argument is never longer than its written form.
     */
    private int inline(byte[] bytes, int from, int to, Request request) {
        int newline = -1;
        for (int k = from + request.resumeAt; k < to; k++) {
            if (bytes[k] == '\n') {
                newline = k;
                break;
            }
        }
        if (newline < 0) {
            return to - from > MAX_INLINE ? fail("ERR Protocol error: too big inline request")
                    : suspend(request, from, to, 0); // the bytes searched are not searched again
        }
        int lineEnd = newline > from && bytes[newline - 1] == '\r' ? newline - 1 : newline;
        int k = from;
        while (true) {
            while (k < lineEnd && isSpace(bytes[k])) {
                k++;
            }
            if (k == lineEnd) {
                return newline + 1;
            }
            int out = k;
            int argStart = k;
            byte quote = bytes[k] == '"' || bytes[k] == '\'' ? bytes[k] : 0;
            if (quote != 0) {
                k++;
                while (true) {
                    if (k >= lineEnd) {
                        return fail("ERR Protocol error: unbalanced quotes in request");
                    }
                    byte b = bytes[k];
                    if (b == quote) {
                        k++;
                        if (k < lineEnd && !isSpace(bytes[k])) {
                            return fail("ERR Protocol error: unbalanced quotes in request");
                        }
                        break;
                    }
                    if (b == '\\' && k + 1 < lineEnd) {
                        if (quote == '"') {
                            boolean hexEscape = bytes[k + 1] == 'x' && k + 3 < lineEnd
                                    && hex(bytes[k + 2]) >= 0 && hex(bytes[k + 3]) >= 0;
                            bytes[out++] = (byte) (hexEscape ? hex(bytes[k + 2]) << 4 | hex(bytes[k + 3])
                                    : unescape(bytes[k + 1]));
                            k += hexEscape ? 4 : 2;
                            continue;
                        }
                        if (bytes[k + 1] == '\'') {
                            bytes[out++] = '\'';
                            k += 2;
                            continue;
                        }
                    }
                    bytes[out++] = b;
                    k++;
                }
            } else {
                while (k < lineEnd && !isSpace(bytes[k])) {
                    k++;
                }
                out = k;
            }
            request.add(argStart, out - argStart);
        }
    }

    /** The byte a one-character escape in double quotes stands for: \\n, \\r, ...; any other character itself. */
    private static int unescape(byte c) {
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 7;
            default -> c;
        };
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        int lower = b | 0x20;
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }

    private int fail(String text) {
        error = text;
        return ERROR;
    }
}
