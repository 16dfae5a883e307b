package dev.atoll.examples.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpRequestParserTest {
    private static final List<String> PATHS = List.of("/plaintext", "/json");
    private static final String GET_PLAINTEXT = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n";

    /** Every event as text: {@code GET 0 1.1 keep-alive}, {@code error 400}. */
    private static final class Events implements HttpRequestParser.Listener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void onRequest(HttpRequest r) {
            seen.add(r.method() + " " + r.route() + (r.http10() ? " 1.0" : " 1.1") + (r.keepAlive() ? " keep-alive" : " close"));
        }

        @Override
        public void onError(HttpStatus status) {
            seen.add("error " + status.code());
        }
    }

    /** The events of parsing {@code input} in pieces cut at the given offsets, each piece in its own segment. */
    private static List<String> parse(HttpLimits limits, String input, int... cuts) {
        return parse(new HttpRequestParser(limits, PATHS), input, cuts);
    }

    private static List<String> parse(HttpRequestParser parser, String input, int... cuts) {
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        Events events = new Events();
        try (Arena arena = Arena.ofConfined()) {
            int from = 0;
            for (int i = 0; i <= cuts.length; i++) {
                int to = i < cuts.length ? cuts[i] : bytes.length;
                // The piece sits at an offset inside a larger segment, as in a connection's buffer.
                MemorySegment buffer = arena.allocate(to - from + 16);
                MemorySegment.copy(bytes, from, buffer, ValueLayout.JAVA_BYTE, 7, to - from);
                boolean more = parser.parse(buffer, 7, to - from, events);
                assertEquals(!parser.stopped(), more);
                from = to;
            }
        }
        return events.seen;
    }

    private static List<String> parse(String input, int... cuts) {
        return parse(HttpLimits.DEFAULTS, input, cuts);
    }

    private static String error(String input) {
        List<String> events = parse(input);
        assertEquals(1, events.size(), events.toString());
        return events.getFirst();
    }

    @Test
    void oneRequest() {
        assertEquals(List.of("GET 0 1.1 keep-alive"), parse(GET_PLAINTEXT));
        assertEquals(List.of("GET 1 1.1 keep-alive"), parse("GET /json HTTP/1.1\r\nHost: x\r\n\r\n"));
    }

    @Test
    void manyPipelinedRequestsInOneRead() {
        String wrkLike = "GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\nAccept: text/plain,text/html;q=0.9,"
                + "application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\nConnection: keep-alive\r\n\r\n";
        List<String> events = parse(wrkLike.repeat(16) + "HEAD /json HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(17, events.size());
        assertTrue(events.subList(0, 16).stream().allMatch("GET 0 1.1 keep-alive"::equals), events.toString());
        assertEquals("HEAD 1 1.1 keep-alive", events.get(16));
    }

    /** A stream that visits every state: fields, both kinds of body, trailers, 1.0 keep-alive, close. */
    private static final String EVERYTHING = "\r\n"
            + "GET /plaintext?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: test\r\n\r\n"
            + "POST /json HTTP/1.1\r\nhost: a\r\nContent-Length: 5\r\nX-Long-Header-Name-Beyond-Limit: v\r\n\r\nhello"
            + "PUT /other HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\nA\r\n0123456789\r\n0\r\nTrailer: t\r\n\r\n"
            + "GET /json HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"
            + "GET /json HTTP/1.1\nHost: bare-lf\n\n"
            + "GET /plaintext HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n"
            + "GET /ignored HTTP/1.1\r\n";
    private static final List<String> EVERYTHING_EVENTS = List.of(
            "GET 0 1.1 keep-alive", "OTHER 1 1.1 keep-alive", "OTHER -1 1.1 keep-alive", "GET 1 1.0 keep-alive",
            "GET 1 1.1 keep-alive", "GET 0 1.1 close");

    @Test
    void everythingInOneRead() {
        assertEquals(EVERYTHING_EVENTS, parse(EVERYTHING));
    }

    @Test
    void splitInTwoAtEveryByte() {
        for (int cut = 0; cut <= EVERYTHING.length(); cut++) {
            assertEquals(EVERYTHING_EVENTS, parse(EVERYTHING, cut), "cut at " + cut);
        }
    }

    @Test
    void splitInThreeAtManyPairsOfBytes() {
        for (int first = 0; first <= EVERYTHING.length(); first += 3) {
            for (int second = first; second <= EVERYTHING.length(); second += 5) {
                assertEquals(EVERYTHING_EVENTS, parse(EVERYTHING, first, second), "cuts at " + first + ", " + second);
            }
        }
    }

    @Test
    void oneByteAtATime() {
        int[] cuts = new int[EVERYTHING.length() - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        assertEquals(EVERYTHING_EVENTS, parse(EVERYTHING, cuts));
    }

    /** The parser scans a copy of the input a scratch array's length at a time: the smallest one gives the same events. */
    @Test
    void aScratchArrayShorterThanTheInput() {
        for (int cut = 0; cut <= EVERYTHING.length(); cut += 7) {
            HttpRequestParser parser = new HttpRequestParser(HttpLimits.DEFAULTS, PATHS, new byte[8]);
            assertEquals(EVERYTHING_EVENTS, parse(parser, EVERYTHING, cut), "cut at " + cut);
        }
        String body = "x".repeat(100);
        HttpRequestParser parser = new HttpRequestParser(HttpLimits.DEFAULTS, PATHS, new byte[13]);
        assertEquals(List.of("OTHER 1 1.1 keep-alive", "GET 0 1.1 keep-alive"),
                parse(parser, "POST /json HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n" + body + GET_PLAINTEXT));
    }

    /**
     * A field value is skipped eight bytes at a time: a control byte or DEL is refused at every offset
     * of a word and wherever the input is cut, while HT, SP, '~' and obs-text (0x80 and up) pass.
     */
    @Test
    void everyByteOfALongValueIsChecked() {
        String before = "GET / HTTP/1.1\r\nHost: a\r\nX: ";
        for (int at = 0; at < 24; at++) {
            for (char refused : new char[] {'\u0000', '\u0001', '\u000b', '\u001f', '\u007f'}) {
                String input = before + "v".repeat(at) + refused + "v".repeat(24 - at) + "\r\n\r\n";
                for (int cut = before.length(); cut < input.length(); cut += 5) {
                    assertEquals(List.of("error 400"), parse(input, cut), (int) refused + " at " + at + ", cut at " + cut);
                }
            }
            for (char allowed : new char[] {'\t', ' ', '~', '\u0080', '\u00ff'}) {
                String input = before + "v".repeat(at) + allowed + "v".repeat(24 - at) + "\r\n\r\n";
                assertEquals(List.of("GET -1 1.1 keep-alive"), parse(input), (int) allowed + " at " + at);
            }
        }
    }

    @Test
    void errorsAreFoundWhereverTheInputIsCut() {
        String input = GET_PLAINTEXT + "GET /json HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n" + GET_PLAINTEXT;
        List<String> expected = List.of("GET 0 1.1 keep-alive", "error 400");
        for (int cut = 0; cut <= input.length(); cut++) {
            assertEquals(expected, parse(input, cut), "cut at " + cut);
        }
    }

    @Test
    void keepAliveRules() {
        assertEquals(List.of("GET 0 1.1 keep-alive"), parse(GET_PLAINTEXT));
        assertEquals(List.of("GET 0 1.1 close"), parse("GET /plaintext HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
        assertEquals(List.of("GET 0 1.1 close"), parse("GET /plaintext HTTP/1.1\r\nHost: a\r\nconnection:  upgrade ,CLOSE \r\n\r\n"));
        assertEquals(List.of("GET 0 1.0 close"), parse("GET /plaintext HTTP/1.0\r\n\r\n"));
        assertEquals(List.of("GET 0 1.0 keep-alive"), parse("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        assertEquals(List.of("GET 0 1.0 close"), parse("GET /plaintext HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"));
        assertEquals(List.of("GET 0 1.1 keep-alive"), parse("GET /plaintext HTTP/1.2\r\nHost: a\r\n\r\n"));
        // A token that only starts like one of the two is neither.
        assertEquals(List.of("GET 0 1.0 close"), parse("GET /plaintext HTTP/1.0\r\nConnection: keep-alive-ish\r\n\r\n"));
        assertEquals(List.of("GET 0 1.1 keep-alive"), parse("GET /plaintext HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n"));
        // The usual values in other spellings: without the space, in capitals, ended by a bare LF.
        assertEquals(List.of("GET 0 1.0 keep-alive"), parse("GET /plaintext HTTP/1.0\r\nCONNECTION:keep-alive\r\n\r\n"));
        assertEquals(List.of("GET 0 1.0 keep-alive"), parse("GET /plaintext HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
        assertEquals(List.of("GET 0 1.1 close"), parse("GET /plaintext HTTP/1.1\r\nhOsT: a\r\nConnection: close\n\r\n"));
    }

    /** The header limit falls on every byte of a head whose Connection value the parser knows. */
    @Test
    void theHeaderLimitCountsAKnownConnectionValue() {
        String fields = "Host: localhost\r\nConnection: keep-alive\r\n\r\n";
        for (int limit = 16; limit <= fields.length() + 2; limit++) {
            List<String> expected = List.of(limit >= fields.length() ? "GET 0 1.1 keep-alive" : "error 431");
            assertEquals(expected, parse(new HttpLimits(8192, limit, 100, 1024), "GET /plaintext HTTP/1.1\r\n" + fields),
                    "limit " + limit);
        }
    }

    @Test
    void nothingIsParsedAfterAClosingRequest() {
        String close = "GET /json HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
        assertEquals(List.of("GET 1 1.1 close"), parse(close + GET_PLAINTEXT + "garbage\0\r\n"));
    }

    @Test
    void nothingIsParsedAfterAnError() {
        HttpRequestParser parser = new HttpRequestParser(HttpLimits.DEFAULTS, PATHS);
        Events events = new Events();
        MemorySegment bad = MemorySegment.ofArray("GET / HTTP/3.0\r\n".getBytes(StandardCharsets.US_ASCII));
        assertFalse(parser.parse(bad, 0, bad.byteSize(), events));
        MemorySegment good = MemorySegment.ofArray(GET_PLAINTEXT.getBytes(StandardCharsets.US_ASCII));
        assertFalse(parser.parse(good, 0, good.byteSize(), events));
        assertTrue(parser.stopped());
        assertEquals(List.of("error 505"), events.seen);
    }

    @Test
    void routesMatchThePathOnly() {
        assertEquals(List.of("GET 0 1.1 keep-alive"), parse("GET /plaintext?a=b HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertEquals(List.of("GET 1 1.1 keep-alive"), parse("GET /json#x HTTP/1.1\r\nHost: a\r\n\r\n"));
        for (String target : List.of("/", "/plain", "/plaintextX", "/plaintext/", "/JSON", "*", "/json/../json",
                "/" + "a".repeat(5000))) {
            assertEquals(List.of("GET -1 1.1 keep-alive"), parse("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n"), target);
        }
    }

    @Test
    void methods() {
        assertEquals(List.of("HEAD 0 1.1 keep-alive"), parse("HEAD /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertEquals(List.of("OTHER 0 1.1 keep-alive"), parse("DELETE /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertEquals(List.of("OTHER 0 1.1 keep-alive"), parse("get /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertEquals("error 501", error("BASELINE-CONTROLX /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertEquals(List.of("OTHER 0 1.1 keep-alive"), parse("BASELINE-CONTROL /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "no version               | GET /plaintext\\r\\n\\r\\n                                          | 400",
        "lower-case version       | GET / http/1.1\\r\\nHost: a\\r\\n\\r\\n                             | 400",
        "short version            | GET / HTTP/1\\r\\nHost: a\\r\\n\\r\\n                                | 400",
        "long version             | GET / HTTP/1.10\\r\\nHost: a\\r\\n\\r\\n                             | 400",
        "HTTP/2                   | GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n                              | 505",
        "two spaces               | GET  / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                             | 400",
        "space before line        | ` GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n`                           | 400",
        "bad method byte          | GE(T / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                             | 400",
        "control in target        | GET /a\\u0001b HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                      | 400",
        "non-ASCII target         | GET /caf\\u00e9 HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                     | 400",
        "CR not followed by LF    | GET / HTTP/1.1\\rHost: a\\r\\n\\r\\n                                | 400",
        "space before colon       | GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n                             | 400",
        "empty field name         | GET / HTTP/1.1\\r\\nHost: a\\r\\n: x\\r\\n\\r\\n                       | 400",
        "line folding             | GET / HTTP/1.1\\r\\nHost: a\\r\\nX: a\\r\\n b\\r\\n\\r\\n                | 400",
        "control in value         | GET / HTTP/1.1\\r\\nHost: a\\r\\nX: a\\u0000b\\r\\n\\r\\n               | 400",
        "no Host in 1.1           | GET / HTTP/1.1\\r\\nX: a\\r\\n\\r\\n                                | 400",
        "two Hosts                | GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n                   | 400",
        "two Hosts in 1.0         | GET / HTTP/1.0\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n                   | 400",
        "letters in length        | GET / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1a\\r\\n\\r\\n        | 400",
        "signed length            | GET / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: +1\\r\\n\\r\\n        | 400",
        "empty length             | GET / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: \\r\\n\\r\\n          | 400",
        "length list              | GET / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1, 1\\r\\n\\r\\n      | 400",
        "space inside length      | GET / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1 2\\r\\n\\r\\n       | 400",
        "two different lengths    | GET / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\nx | 400",
        "length and chunked       | GET / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | 400",
        "chunked in 1.0           | GET / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n             | 400",
        "gzip coding              | GET / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n | 501",
        "chunked twice            | GET / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, chunked\\r\\n\\r\\n | 501",
        "no chunk size            | GET / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n;x\\r\\n | 400",
        "bad chunk size           | GET / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5x\\r\\n | 400",
        "chunk longer than size   | GET / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n1\\r\\nab\\r\\n | 400",
    })
    void malformedRequests(String what, String input, int status) {
        assertEquals("error " + status, error(unescape(input)), what);
    }

    @Test
    void malformedRequestsAfterAGoodOneAnswerTheGoodOneFirst() {
        assertEquals(List.of("GET 0 1.1 keep-alive", "error 400"), parse(GET_PLAINTEXT + "GET / HTTP/1.1\r\nHost : a\r\n\r\n"));
    }

    @Test
    void requestLineLimit() {
        HttpLimits limits = new HttpLimits(64, 8192, 100, 1024);
        String fits = "GET /" + "a".repeat(64 - "GET / HTTP/1.1\r".length()) + " HTTP/1.1\r\nHost: a\r\n\r\n";
        assertEquals(List.of("GET -1 1.1 keep-alive"), parse(limits, fits));
        String tooLong = "GET /" + "a".repeat(65 - "GET / HTTP/1.1\r".length()) + " HTTP/1.1\r\nHost: a\r\n\r\n";
        assertEquals(List.of("error 414"), parse(limits, tooLong));
        assertEquals(List.of("error 414"), parse(limits, "GET /" + "a".repeat(100)));
        assertEquals(List.of("error 400"), parse(limits, "\r\n".repeat(40)));
    }

    @Test
    void headerBytesLimit() {
        HttpLimits limits = new HttpLimits(8192, 64, 100, 1024);
        // "Host: a\r\n" is 9 bytes and the final CRLF 2: a field of 53 bytes makes exactly 64.
        String fits = "GET / HTTP/1.1\r\nHost: a\r\nX: " + "v".repeat(53 - 5) + "\r\n\r\n";
        assertEquals(List.of("GET -1 1.1 keep-alive"), parse(limits, fits));
        String tooLarge = "GET / HTTP/1.1\r\nHost: a\r\nX: " + "v".repeat(54 - 5) + "\r\n\r\n";
        assertEquals(List.of("error 431"), parse(limits, tooLarge));
        assertEquals(List.of("error 431"), parse(limits, "GET / HTTP/1.1\r\nHost: a\r\nX: " + "v".repeat(1000)));
        assertEquals(List.of("error 431"), parse(limits, "GET / HTTP/1.1\r\nHost: a\r\n" + "Long-Name".repeat(100)));
        // The limit falls on the CR, then on the LF, that ends a field.
        String endsAtCr = "GET / HTTP/1.1\r\nHost: a\r\nX: " + "v".repeat(64 - 9 - 3) + "\r\n\r\n";
        String endsAtLf = "GET / HTTP/1.1\r\nHost: a\r\nX: " + "v".repeat(64 - 9 - 3 - 1) + "\r\n\r\n";
        for (int cut = 0; cut <= fits.length(); cut++) {
            assertEquals(List.of("GET -1 1.1 keep-alive"), parse(limits, fits, cut), "cut at " + cut);
            assertEquals(List.of("error 431"), parse(limits, tooLarge, cut), "cut at " + cut);
            assertEquals(List.of("error 431"), parse(limits, endsAtCr, cut), "cut at " + cut);
            assertEquals(List.of("error 431"), parse(limits, endsAtLf, cut), "cut at " + cut);
        }
    }

    @Test
    void headerCountLimit() {
        HttpLimits limits = new HttpLimits(8192, 8192, 3, 1024);
        assertEquals(List.of("GET -1 1.1 keep-alive"), parse(limits, "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n"));
        assertEquals(List.of("error 431"), parse(limits, "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"));
        String chunkedWithTrailer = "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: 1\r\nU: 2\r\n\r\n";
        assertEquals(List.of("error 431"), parse(limits, chunkedWithTrailer), "trailers count as fields");
    }

    @Test
    void bodyLimit() {
        HttpLimits limits = new HttpLimits(8192, 8192, 100, 10);
        String head = "POST /json HTTP/1.1\r\nHost: a\r\n";
        assertEquals(List.of("OTHER 1 1.1 keep-alive"), parse(limits, head + "Content-Length: 10\r\n\r\n0123456789"));
        assertEquals(List.of("error 413"), parse(limits, head + "Content-Length: 11\r\n\r\n0123456789a"));
        assertEquals(List.of("error 413"), parse(limits, head + "Content-Length: 99999999999999999999999999\r\n\r\n"));
        String chunked = head + "Transfer-Encoding: chunked\r\n\r\n";
        assertEquals(List.of("OTHER 1 1.1 keep-alive"), parse(limits, chunked + "5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n"));
        assertEquals(List.of("error 413"), parse(limits, chunked + "5\r\n01234\r\n6\r\n567890\r\n0\r\n\r\n"));
        assertEquals(List.of("error 413"), parse(limits, chunked + "fffffffffffffffffffffffff\r\n"));
    }

    @Test
    void aBodyIsSkippedEvenWhenItLooksLikeARequest() {
        String body = GET_PLAINTEXT;
        String input = "POST /json HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length() + "\r\n\r\n" + body + GET_PLAINTEXT;
        assertEquals(List.of("OTHER 1 1.1 keep-alive", "GET 0 1.1 keep-alive"), parse(input));
    }

    @Test
    void parsingAllocatesNothingPerRequest() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        MemorySegment input = MemorySegment.ofArray((GET_PLAINTEXT.repeat(15)
                + "POST /json HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        HttpRequestParser parser = new HttpRequestParser(HttpLimits.DEFAULTS, PATHS);
        int[] requests = {0};
        HttpRequestParser.Listener counting = new HttpRequestParser.Listener() {
            @Override
            public void onRequest(HttpRequest request) {
                requests[0]++;
            }

            @Override
            public void onError(HttpStatus status) {
                throw new AssertionError(status);
            }
        };
        for (int i = 0; i < 2_000; i++) {
            parser.parse(input, 0, input.byteSize(), counting);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 2_000; i++) {
            parser.parse(input, 0, input.byteSize(), counting);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(4_000 * 16, requests[0]);
        assertTrue(allocated < 32_000 * 0.5, "allocated " + allocated + " bytes for 32,000 requests");
    }

    /** {@code \r}, {@code \n} and {@code \}{@code uXXXX} as written in the table above. */
    private static String unescape(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && text.charAt(i + 1) == 'r') {
                out.append('\r');
                i++;
            } else if (c == '\\' && text.charAt(i + 1) == 'n') {
                out.append('\n');
                i++;
            } else if (c == '\\' && text.charAt(i + 1) == 'u') {
                out.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
                i += 5;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
